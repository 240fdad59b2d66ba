//! The tokens a deduplication store's claims hold, so a release only gives up this process's
//! own claim, never one another replica took after this one lapsed.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use capillary_ens_receiver::DedupKey;

/// Tokens of the claims this process holds.
#[derive(Debug)]
pub(crate) struct ClaimTokens {
    held: Mutex<HashMap<DedupKey, String>>,
    prefix: u64,
    next: AtomicU64,
}

impl Default for ClaimTokens {
    fn default() -> Self {
        Self {
            held: Mutex::default(),
            // Random per process, so two replicas never draw the same token.
            prefix: RandomState::new().hash_one(std::process::id()),
            next: AtomicU64::new(0),
        }
    }
}

impl ClaimTokens {
    /// A token no other claim anywhere holds.
    pub(crate) fn fresh(&self) -> String {
        let sequence = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}-{sequence:x}", self.prefix)
    }

    /// Remembers that this process holds `key` with `token`.
    pub(crate) fn hold(&self, key: &DedupKey, token: String) {
        self.lock().insert(key.clone(), token);
    }

    /// Forgets `key`, returning the token it was held with.
    pub(crate) fn take(&self, key: &DedupKey) -> Option<String> {
        self.lock().remove(key)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DedupKey, String>> {
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
