//! The process-wide subscriber that formats every event and span and hands the text to the
//! active capture.

use std::io;
use std::sync::{OnceLock, PoisonError};

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

use super::active::{self, Buffer};

/// Installs the capturing subscriber as the global default, once per process.
///
/// Panics with an explanation if another global subscriber got there first: events on other
/// threads would then be missed and an absence check would prove nothing.
pub(super) fn ensure_installed() {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    let installed = *INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(Level::TRACE)
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .with_ansi(false)
            .without_time()
            .with_writer(ToActiveCapture)
            .finish();
        tracing::subscriber::set_global_default(subscriber).is_ok()
    });
    assert!(
        installed,
        "another global tracing subscriber is installed in this test binary (a \
         `set_global_default` or `fmt().init()` ran first), so LogCapture cannot see the events \
         of every thread; remove it from the tests that use LogCapture"
    );
}

/// Gives the fmt layer a writer into the active capture's buffer, or one that discards.
struct ToActiveCapture;

impl<'a> MakeWriter<'a> for ToActiveCapture {
    type Writer = CaptureWriter;

    fn make_writer(&'a self) -> Self::Writer {
        CaptureWriter(None)
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        CaptureWriter(active::buffer_for(meta.level()))
    }
}

/// Appends to a capture's buffer; without one, writes go nowhere.
struct CaptureWriter(Option<Buffer>);

impl io::Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if let Some(buffer) = &self.0 {
            buffer
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
