//! [`CustomerLocks`]: one event at a time per customer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// A lock per customer, so that two events of one customer, delivered concurrently (ENS
/// opens several connections), cannot both read the old state and race their `PUT`s.
#[derive(Debug, Default)]
pub(crate) struct CustomerLocks {
    locks: Mutex<HashMap<i64, Arc<AsyncMutex<()>>>>,
}

impl CustomerLocks {
    /// Waits until no other event of `customer_id` is being applied. Locks of customers no
    /// one holds are dropped on the way, so the map stays as small as the work in flight.
    pub(crate) async fn lock(&self, customer_id: i64) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
            locks.retain(|id, lock| *id == customer_id || Arc::strong_count(lock) > 1);
            Arc::clone(locks.entry(customer_id).or_default())
        };
        lock.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_customer_waits_and_another_does_not() {
        let locks = CustomerLocks::default();
        let held = locks.lock(42).await;
        let other = locks.lock(43).await;
        let waiting = {
            let lock = Arc::clone(locks.locks.lock().unwrap().get(&42).unwrap());
            lock.try_lock().is_err()
        };
        assert!(waiting);
        drop((held, other));
        let _again = locks.lock(44).await;
        // 42 and 43 are free, so their entries were dropped.
        assert_eq!(locks.locks.lock().unwrap().len(), 1);
    }
}
