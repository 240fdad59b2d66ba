//! The file `ens listen --record` writes and `ens replay` reads: one JSON object per line, one
//! line per delivery, holding the exact body bytes so a replay sends what was received.
//!
//! ```json
//! {"receivedAt":1764410000123,"status":200,"eventName":"pointsIssued","eventId":"…","body":"{…}"}
//! ```
//!
//! The body is stored as a string when it is UTF-8 (every JSON body is) and as `bodyBase64`
//! otherwise. Bodies contain personal data: treat a recording like the payloads themselves.

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
pub(crate) fn read(reader: impl BufRead) -> io::Result<Vec<Result<RecordedDelivery, BadLine>>> {
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
        deliveries.push(checked);
    }
    Ok(deliveries)
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

    proptest! {
        #[test]
        fn reading_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = read(bytes.as_slice());
        }
    }
}
