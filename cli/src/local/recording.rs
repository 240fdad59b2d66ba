//! The file `ens listen --record` writes and `ens replay` reads: one JSON object per line, one
//! line per delivery, holding the exact body bytes so a replay sends what was received.
//!
//! ```json
//! {"receivedAt":1764410000123,"status":200,"eventName":"pointsIssued","eventId":"…","body":"{…}"}
//! ```
//!
//! The body is stored as a string when it is UTF-8 (every JSON body is) and as `bodyBase64`
//! otherwise. Bodies contain personal data: treat a recording like the payloads themselves
//! (`ens listen` creates it readable by its owner only, mode 0600).
//!
//! This module also reads every input file `ens replay` and `ens validate` take: a recording,
//! one delivery, or a JSON array of deliveries.

use std::io::{self, BufRead, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// One recorded delivery.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RecordedDelivery {
    /// When it was received, epoch milliseconds.
    pub(crate) received_at: i64,
    /// The status the listener answered.
    pub(crate) status: u16,
    /// The event name, when the body named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) event_name: Option<String>,
    /// The event id, when the body carried one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) event_id: Option<String>,
    /// The body, when it is UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<String>,
    /// The body, base64, when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body_base64: Option<String>,
}

impl std::fmt::Debug for RecordedDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordedDelivery")
            .field("received_at", &self.received_at)
            .field("status", &self.status)
            .field("event_name", &self.event_name)
            .field("event_id", &self.event_id)
            .field("body_len", &self.body_bytes().map(|body| body.len()).ok())
            .finish()
    }
}

/// A line of a recording that could not be read.
#[derive(Debug)]
pub(crate) struct BadLine {
    pub(crate) line: usize,
    pub(crate) reason: String,
}

impl RecordedDelivery {
    /// Records a body as received.
    pub(crate) fn new(
        received_at: i64,
        status: u16,
        event_name: Option<String>,
        event_id: Option<String>,
        body: &[u8],
    ) -> Self {
        let (body, body_base64) = match std::str::from_utf8(body) {
            Ok(text) => (Some(text.to_owned()), None),
            Err(_) => (None, Some(STANDARD.encode(body))),
        };
        Self {
            received_at,
            status,
            event_name,
            event_id,
            body,
            body_base64,
        }
    }

    /// The exact bytes that were received.
    pub(crate) fn body_bytes(&self) -> Result<Vec<u8>, String> {
        match (&self.body, &self.body_base64) {
            (Some(text), _) => Ok(text.as_bytes().to_vec()),
            (None, Some(encoded)) => STANDARD
                .decode(encoded)
                .map_err(|_| "bodyBase64 is not valid base64".to_owned()),
            (None, None) => Err("the line has neither body nor bodyBase64".to_owned()),
        }
    }

    /// Appends this delivery as one line.
    pub(crate) fn append_to(&self, mut writer: impl Write) -> io::Result<()> {
        let mut line = serde_json::to_vec(self).map_err(io::Error::other)?;
        line.push(b'\n');
        writer.write_all(&line)?;
        writer.flush()
    }
}

/// Reads every line of a recording, keeping the lines that could not be read as errors.
#[cfg(test)]
pub(crate) fn read(reader: impl BufRead) -> io::Result<Vec<Result<RecordedDelivery, BadLine>>> {
    Ok(read_numbered(reader)?
        .into_iter()
        .map(|(_, line)| line)
        .collect())
}

/// [`read`], each line with its number.
fn read_numbered(
    reader: impl BufRead,
) -> io::Result<Vec<(usize, Result<RecordedDelivery, BadLine>)>> {
    let mut deliveries = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<RecordedDelivery>(&line).map_err(|error| BadLine {
            line: index + 1,
            reason: format!(
                "not a recorded delivery (line {}, column {})",
                error.line(),
                error.column()
            ),
        });
        let checked = parsed.and_then(|delivery| match delivery.body_bytes() {
            Ok(_) => Ok(delivery),
            Err(reason) => Err(BadLine {
                line: index + 1,
                reason,
            }),
        });
        deliveries.push((index + 1, checked));
    }
    Ok(deliveries)
}

/// Opens a recording for appending, creating it readable and writable by its owner only
/// (mode 0600): it holds raw personal data. An existing file readable by others is reported.
pub(crate) fn open_for_append(path: &std::path::Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let file = options.open(path)?;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            note!(
                "warning: {} is readable by other users (mode {:o}); it will hold raw personal data",
                path.display(),
                mode & 0o777
            );
        }
        Ok(file)
    }
    #[cfg(not(unix))]
    {
        options.open(path)
    }
}

/// One delivery read from an input file.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct InputDelivery {
    /// The file, and the line or array index when a file holds several deliveries.
    pub(crate) source: String,
    /// The body to check or send.
    pub(crate) body: Vec<u8>,
    /// The status the listener answered, for a recorded delivery.
    pub(crate) recorded_status: Option<u16>,
    /// Why the line could not be read, for a recorded line that is broken.
    pub(crate) unreadable: Option<String>,
}

impl std::fmt::Debug for InputDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputDelivery")
            .field("source", &self.source)
            .field("body_len", &self.body.len())
            .field("recorded_status", &self.recorded_status)
            .field("unreadable", &self.unreadable)
            .finish()
    }
}

impl InputDelivery {
    fn plain(source: String, body: Vec<u8>) -> Self {
        Self {
            source,
            body,
            recorded_status: None,
            unreadable: None,
        }
    }
}

/// Splits a file into the deliveries it holds: a JSON array of deliveries, a recording (one
/// JSON object per line), or one delivery.
pub(crate) fn read_input(file: &str, bytes: &[u8]) -> Vec<InputDelivery> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                InputDelivery::plain(format!("{file}[{index}]"), item.to_string().into_bytes())
            })
            .collect(),
        Ok(value) if is_recording_line(&value) => recorded(file, bytes),
        Ok(_) => vec![InputDelivery::plain(file.to_owned(), bytes.to_vec())],
        Err(_) => {
            let first_line = bytes
                .split(|&byte| byte == b'\n')
                .find(|line| !line.iter().all(u8::is_ascii_whitespace));
            let looks_recorded = first_line
                .and_then(|line| serde_json::from_slice::<serde_json::Value>(line).ok())
                .is_some_and(|value| is_recording_line(&value));
            if looks_recorded {
                recorded(file, bytes)
            } else {
                vec![InputDelivery::plain(file.to_owned(), bytes.to_vec())]
            }
        }
    }
}

fn is_recording_line(value: &serde_json::Value) -> bool {
    value.get("receivedAt").is_some()
        && (value.get("body").is_some() || value.get("bodyBase64").is_some())
}

fn recorded(file: &str, bytes: &[u8]) -> Vec<InputDelivery> {
    let Ok(lines) = read_numbered(bytes) else {
        return vec![InputDelivery::plain(file.to_owned(), bytes.to_vec())];
    };
    lines
        .into_iter()
        .map(|(number, line)| match line {
            Ok(delivery) => InputDelivery {
                source: format!("{file}:{number}"),
                body: delivery.body_bytes().unwrap_or_default(),
                recorded_status: Some(delivery.status),
                unreadable: None,
            },
            Err(bad) => InputDelivery {
                source: format!("{file}:{}", bad.line),
                body: Vec::new(),
                recorded_status: None,
                unreadable: Some(bad.reason),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_recording_round_trips_exact_bytes() {
        let mut file = Vec::new();
        let json = RecordedDelivery::new(
            1,
            200,
            Some("pointsIssued".into()),
            Some("e1".into()),
            b"{\"a\": 1}",
        );
        let binary = RecordedDelivery::new(2, 400, None, None, &[0xff, 0x00, 0x7b]);
        json.append_to(&mut file).unwrap();
        binary.append_to(&mut file).unwrap();
        let read_back: Vec<RecordedDelivery> = read(file.as_slice())
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(read_back, [json, binary]);
        assert_eq!(read_back[1].body_bytes().unwrap(), [0xff, 0x00, 0x7b]);
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let file = b"{\"receivedAt\":1,\"status\":200,\"body\":\"{}\"}\nnot json\n{\"receivedAt\":1,\"status\":200}\n";
        let lines = read(&file[..]).unwrap();
        assert!(lines[0].is_ok());
        assert_eq!(lines[1].as_ref().unwrap_err().line, 2);
        assert_eq!(lines[2].as_ref().unwrap_err().line, 3);
    }

    #[test]
    fn files_split_into_deliveries() {
        let array = br#"[{"eventName":"a","data":{}},{"eventName":"b","data":{}}]"#;
        assert_eq!(read_input("f", array).len(), 2);
        let single = br#"{"eventName":"a","data":{}}"#;
        assert_eq!(read_input("f", single)[0].body, single);
        let recorded = b"{\"receivedAt\":1,\"status\":200,\"body\":\"{}\"}\n\n{\"receivedAt\":2,\"status\":401,\"body\":\"[]\"}\n";
        let split = read_input("r", recorded);
        let summary: Vec<_> = split
            .iter()
            .map(|input| {
                (
                    input.source.as_str(),
                    input.body.as_slice(),
                    input.recorded_status,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("r:1", &b"{}"[..], Some(200)),
                ("r:3", &b"[]"[..], Some(401))
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn recordings_are_created_for_their_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("r.jsonl");
        open_for_append(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    proptest! {
        #[test]
        fn reading_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = read(bytes.as_slice());
        }
    }
}
