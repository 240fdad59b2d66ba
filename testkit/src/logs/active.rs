//! The one capture that is active in the process, and the wait for a turn.
//!
//! Events from every thread go to one global subscriber, so two captures alive at once could
//! not tell their tests' events apart. Captures therefore take turns: [`Turn::take`] waits
//! until no other capture is active, and dropping the [`Turn`] hands the slot on.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};

use tracing::Level;

/// Bytes written by the subscriber for the active capture.
pub(super) type Buffer = Arc<Mutex<Vec<u8>>>;

/// The capture that currently receives events.
struct Active {
    owner: ThreadId,
    level: Level,
    buffer: Buffer,
}

static SLOT: Mutex<Option<Active>> = Mutex::new(None);
static FREED: Condvar = Condvar::new();

fn slot() -> MutexGuard<'static, Option<Active>> {
    SLOT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Holding the slot: events at `level` or above are appended to the buffer until drop.
pub(super) struct Turn(());

impl Turn {
    /// Waits until no other capture is active, then makes `buffer` the active one.
    ///
    /// Panics if this thread already holds the slot: waiting would never end.
    pub(super) fn take(level: Level, buffer: Buffer) -> Self {
        let me = thread::current().id();
        let mut slot = slot();
        while let Some(active) = slot.as_ref() {
            if active.owner == me {
                drop(slot);
                panic!(
                    "a LogCapture is already active on this thread: drop it before installing \
                     another (captures take turns, so this one would wait forever)"
                );
            }
            slot = FREED.wait(slot).unwrap_or_else(PoisonError::into_inner);
        }
        *slot = Some(Active {
            owner: me,
            level,
            buffer,
        });
        Turn(())
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        slot().take();
        FREED.notify_all();
    }
}

/// The buffer that an event or span at `level` should be written to, if any.
pub(super) fn buffer_for(level: &Level) -> Option<Buffer> {
    slot()
        .as_ref()
        .filter(|active| *level <= active.level)
        .map(|active| Arc::clone(&active.buffer))
}
