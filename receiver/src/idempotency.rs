//! Deduplication: ENS delivers at least once, so each event must be processed once.
//!
//! A delivery is keyed by its event name and `eventId`, or by its event name and a SHA-256 of
//! the raw body when the event has no id ([`DedupKey`]). Before the handler runs, the key is
//! *claimed*; success *completes* it (later deliveries are answered 2xx without running the
//! handler) and failure *releases* it (so ENS's retry can run the handler again). A claim that
//! is never completed or released (the process died, or the handler hangs) lapses after the
//! processing timeout, and the next delivery acquires the key afresh.
//!
//! Each acquired claim carries a [`ClaimToken`], and a release names the token it gives up: a
//! handler whose claim lapsed and was re-acquired by a retry must not free the retry's claim
//! when it finally fails, or a third delivery would run concurrently with the retry.

use std::collections::{HashMap, VecDeque, hash_map};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use capillary_ens_schemas::Envelope;
use foldhash::SharedSeed;
use foldhash::fast::SeedableRandomState;
use sha2::{Digest, Sha256};

use crate::clock::{Clock, SystemClock};

/// A boxed future, as the store trait returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The key one event is deduplicated on: its event name and its event id.
///
/// ENS ids are unique per event, but nothing stops two different events from carrying the same
/// id (one event name reusing another's id space), and each must reach its own handler; so the
/// name is part of the key. The text form is `<eventName>:<eventId>`, or
/// `<eventName>#sha256:<hex of the raw body>` when the event has no id. In the name, `%`, `:`
/// and `#` are percent-encoded (only an unknown event name could contain them), so no two
/// (name, id) pairs share a key.
///
/// Cloning is cheap (the text is shared), so a store can keep it in more than one index.
///
/// ```
/// use capillary_ens_receiver::DedupKey;
/// use capillary_ens_schemas::{Envelope, EventName};
///
/// let mut envelope = Envelope::new(EventName::PointsIssued);
/// envelope.event_id = Some("e-1".into());
/// assert_eq!(DedupKey::for_delivery(&envelope, b"{}").as_str(), "pointsIssued:e-1");
/// envelope.event_id = None;
/// assert!(DedupKey::for_delivery(&envelope, b"{}").as_str().starts_with("pointsIssued#sha256:"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DedupKey(Arc<str>);

impl DedupKey {
    /// The event name and `eventId` when the envelope has a non-empty one, else the event name
    /// and a SHA-256 of the raw body.
    pub fn for_delivery(envelope: &Envelope, raw: &[u8]) -> Self {
        let name = envelope.event_name.as_str();
        let mut key = String::with_capacity(name.len() + 72);
        push_escaped(&mut key, name);
        match envelope.event_id.as_deref().filter(|id| !id.is_empty()) {
            Some(event_id) => {
                key.push(':');
                key.push_str(event_id);
            }
            None => {
                key.push('#');
                push_body_hash(&mut key, raw);
            }
        }
        Self(Arc::from(key))
    }

    /// `sha256:<hex of the body>`: a key for content with no event name, e.g. in a store's own
    /// tests. Deliveries are keyed with [`for_delivery`](Self::for_delivery).
    pub fn for_body(raw: &[u8]) -> Self {
        let mut key = String::with_capacity(7 + 64);
        push_body_hash(&mut key, raw);
        Self(Arc::from(key))
    }

    /// A key read back from its text form, e.g. from a durable store.
    pub fn from_stored(text: &str) -> Self {
        Self(Arc::from(text))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Appends `name` with `%`, `:` and `#` percent-encoded.
fn push_escaped(key: &mut String, name: &str) {
    for character in name.chars() {
        match character {
            '%' => key.push_str("%25"),
            ':' => key.push_str("%3A"),
            '#' => key.push_str("%23"),
            other => key.push(other),
        }
    }
}

/// Appends `sha256:<hex of raw>`.
fn push_body_hash(key: &mut String, raw: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    key.push_str("sha256:");
    for byte in Sha256::digest(raw) {
        key.push(char::from(DIGITS[usize::from(byte >> 4)]));
        key.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
}

impl fmt::Display for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The identity of one acquired claim: a release names it, so it only gives up that claim.
///
/// A store hands out a token with every [`Claim::Acquired`] and keeps it with the claim;
/// [`IdempotencyStore::release`] deletes the claim only while the stored token is the one it is
/// given. Without it, a handler whose claim lapsed (it hung past the processing timeout) and
/// was re-acquired by ENS's retry would, on failing at last, delete the retry's claim, and a
/// third delivery would run the handler alongside the retry.
///
/// A token is an opaque 64-bit value, `Copy` and cheap to compare. It is not a secret (its
/// `Debug` and `Display` show it, in hex) and need only be unique among the claims one store
/// hands out for one key: a store in one process can count ([`ClaimToken::new`] with a
/// counter, as [`InMemoryStore`] does); a store shared by replicas draws
/// [`ClaimToken::random`] and keeps its text form ([`Display`](fmt::Display), 16 hex digits).
///
/// ```
/// use capillary_ens_receiver::ClaimToken;
///
/// let token = ClaimToken::new(42);
/// assert_eq!(token.get(), 42);
/// assert_eq!(token.to_string(), "000000000000002a");
/// assert_ne!(ClaimToken::random(), ClaimToken::random());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClaimToken(u64);

impl ClaimToken {
    /// The token `value`, e.g. a store's counter, or a token read back from storage.
    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    /// A token distinct from every other this process draws, and from other processes' with
    /// overwhelming probability (64 bits from a per-process random seed): for stores shared by
    /// replicas. It is not cryptographically unpredictable, and need not be: a token fences
    /// out stale owners, it does not authenticate them.
    pub fn random() -> Self {
        static SEED: OnceLock<u64> = OnceLock::new();
        static NEXT: AtomicU64 = AtomicU64::new(0);
        // std's `RandomState` is keyed from the operating system's randomness; hashing nothing
        // with it yields a random 64-bit seed.
        let seed = *SEED.get_or_init(|| RandomState::new().hash_one(()));
        let sequence = NEXT.fetch_add(1, Ordering::Relaxed);
        // SplitMix64: the finalizer is a bijection and the odd step makes `seed + n * step`
        // one too, so distinct draws of this process never collide.
        let mut z = seed.wrapping_add(sequence.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Self(z ^ (z >> 31))
    }

    /// The token's value, e.g. to store it.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Debug for ClaimToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClaimToken({:016x})", self.0)
    }
}

/// 16 lowercase hex digits.
impl fmt::Display for ClaimToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The answer to a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// This delivery owns the event: run the handler, then complete the key, or release it
    /// with this token.
    Acquired(ClaimToken),
    /// The event was processed already: answer 2xx without running the handler.
    Completed,
    /// Another delivery of the event is being processed right now: ask ENS to retry later.
    InFlight,
}

impl Claim {
    /// The claim's token when it was acquired.
    pub fn token(self) -> Option<ClaimToken> {
        match self {
            Claim::Acquired(token) => Some(token),
            Claim::Completed | Claim::InFlight => None,
        }
    }

    /// Whether this delivery acquired the claim.
    pub fn is_acquired(self) -> bool {
        matches!(self, Claim::Acquired(_))
    }
}

/// A store that could not answer; the delivery is answered with a retriable status.
#[derive(Debug)]
pub struct StoreError(Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    /// Wraps the store's own error.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(source.into())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the idempotency store failed")
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// Where claims live. Implement it over Redis or a database to share deduplication between
/// replicas; [`InMemoryStore`] serves one process.
///
/// # What an implementation must guarantee
///
/// The router relies on these rules (the conformance suite of `capillary-ens-testkit`,
/// `conformance::check_store`, checks each of them):
///
/// - **One owner at a time.** A claim of a key that is neither in flight nor completed answers
///   [`Claim::Acquired`] with a fresh [`ClaimToken`], atomically: of any number of concurrent
///   claims, from any number of replicas, exactly one acquires. While that claim is held, a
///   claim answers [`Claim::InFlight`].
/// - **Completion sticks.** After [`complete`](Self::complete), claims answer
///   [`Claim::Completed`] for the store's retention (longer than ENS retries an event); a
///   release never undoes a completion.
/// - **Lapse.** A claim neither completed nor released lapses after the store's processing
///   timeout (the process died, the handler hangs), and the next claim acquires the key again,
///   with a new token.
/// - **Fenced release.** [`release`](Self::release) deletes the claim only while it is still in
///   flight under the token it is given. A release with the token of a claim that lapsed and
///   was acquired again since (by another replica or by this very process) leaves the new claim
///   in place, and answers `Ok`. So tokens must differ between successive claims of one key;
///   a store shared by replicas must draw tokens that differ across processes too
///   ([`ClaimToken::random`]).
///
/// Completion is deliberately not fenced: a handler that succeeds after its claim lapsed did
/// process the event, and recording that keeps a later delivery from running it once more (the
/// retry that re-acquired the key may still be running; it completes or releases on its own).
///
/// A claim is made after the delivery was authenticated; answering `Err` makes the router
/// answer ENS with a retriable status.
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Claims `key` for processing.
    fn claim<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>>;
    /// Marks `key` processed: later claims answer [`Claim::Completed`]. It applies whoever
    /// holds the claim now (see the trait's documentation).
    fn complete<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Gives up the claim acquired with `token` after a failure, so a retry can acquire it; a
    /// no-op when the key is completed or is held under another token.
    fn release<'a>(
        &'a self,
        key: &'a DedupKey,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

#[derive(Clone, Copy, Debug)]
enum Entry {
    InFlight { since: SystemTime },
    Completed { at: SystemTime },
}

/// A bounded in-memory store: completed keys are kept for a TTL (24 hours by default) and at
/// most `capacity` keys are held (100 000 by default), the oldest evicted first.
///
/// A claim's [`ClaimToken`] is the store's insertion counter, which it keeps for eviction
/// anyway: tokens cost nothing, and are only meaningful to the store (and its clones) that
/// handed them out.
///
/// ```
/// use capillary_ens_receiver::{Claim, DedupKey, IdempotencyStore, InMemoryStore};
///
/// # tokio_test_block_on(async {
/// let store = InMemoryStore::new();
/// let key = DedupKey::for_body(b"{}");
/// let Claim::Acquired(token) = store.claim(&key).await.unwrap() else {
///     panic!("a new key is acquired");
/// };
/// assert_eq!(store.claim(&key).await.unwrap(), Claim::InFlight);
/// // A failed handler gives up its claim: the next delivery acquires the key, with a new token.
/// store.release(&key, token).await.unwrap();
/// let second = store.claim(&key).await.unwrap();
/// assert!(second.is_acquired() && second.token() != Some(token));
/// // The first token no longer releases anything.
/// store.release(&key, token).await.unwrap();
/// assert_eq!(store.claim(&key).await.unwrap(), Claim::InFlight);
/// store.complete(&key).await.unwrap();
/// assert_eq!(store.claim(&key).await.unwrap(), Claim::Completed);
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(future: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
/// # }
/// ```
#[derive(Clone)]
pub struct InMemoryStore {
    inner: Arc<Mutex<Entries>>,
    capacity: usize,
    ttl: Duration,
    processing_timeout: Duration,
    clock: Arc<dyn Clock>,
}

/// The hasher of the store's map: foldhash, keyed per store, instead of std's SipHash-1-3.
///
/// foldhash is several times cheaper than SipHash on these short keys, and it does not claim
/// SipHash's resistance to hash flooding. That is safe here: a key is only stored after its
/// delivery was authenticated (the router claims after `receive` accepted the signature or
/// credentials), and each store takes a 64-bit seed from the operating system's randomness
/// (through std's `RandomState`), so flooding the table with colliding keys needs an
/// attacker who can both predict the seed and send authenticated deliveries.
type KeyHasher = SeedableRandomState;

fn key_hasher() -> KeyHasher {
    // std's `RandomState` is keyed from the OS's randomness; hashing nothing with it yields a
    // random 64-bit value, cheaper than a dependency on a random number generator.
    let seed = RandomState::new().hash_one(());
    SeedableRandomState::with_seed(seed, SharedSeed::global_random())
}

struct Entries {
    /// Each key's state, and the generation it was inserted in (an in-flight entry's
    /// generation is its claim's token).
    by_key: HashMap<DedupKey, (Entry, u64), KeyHasher>,
    /// Keys in insertion order, for eviction; an item whose generation no longer matches the
    /// map is stale (the key was released) and skipped.
    order: VecDeque<(DedupKey, u64)>,
    next_generation: u64,
}

impl Default for Entries {
    fn default() -> Self {
        Self {
            by_key: HashMap::with_hasher(key_hasher()),
            order: VecDeque::new(),
            next_generation: 0,
        }
    }
}

impl Entries {
    /// The next generation, for a key about to be inserted.
    fn generation(&mut self) -> u64 {
        let generation = self.next_generation;
        self.next_generation += 1;
        generation
    }

    fn evict_beyond(&mut self, capacity: usize) {
        while self.by_key.len() > capacity {
            let Some((oldest, generation)) = self.order.pop_front() else {
                break;
            };
            if let hash_map::Entry::Occupied(slot) = self.by_key.entry(oldest)
                && slot.get().1 == generation
            {
                slot.remove();
            }
        }
        if self.order.len() > capacity.saturating_mul(2) {
            let by_key = &self.by_key;
            self.order.retain(|(key, generation)| {
                by_key
                    .get(key)
                    .is_some_and(|(_, current)| current == generation)
            });
        }
    }
}

impl Default for InMemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for InMemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryStore")
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .field("processing_timeout", &self.processing_timeout)
            .field("len", &self.len())
            .finish()
    }
}

impl InMemoryStore {
    /// 100 000 keys, kept for 24 hours; a claim lapses after 5 minutes of processing.
    pub fn new() -> Self {
        Self {
            inner: Arc::default(),
            capacity: 100_000,
            ttl: Duration::from_secs(24 * 60 * 60),
            processing_timeout: Duration::from_secs(5 * 60),
            clock: Arc::new(SystemClock),
        }
    }

    /// Holds at most `capacity` keys (at least one).
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// Keeps completed keys for `ttl`.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Lets a claim lapse after `timeout` without completion or release.
    pub fn processing_timeout(mut self, timeout: Duration) -> Self {
        self.processing_timeout = timeout;
        self
    }

    /// Takes "now" from `clock`.
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.lock().by_key.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves the map consistent (every update is one
        // insert or remove), so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn is_live(&self, entry: Entry, now: SystemTime) -> bool {
        let age = |since: SystemTime| now.duration_since(since).unwrap_or_default();
        match entry {
            Entry::InFlight { since } => age(since) < self.processing_timeout,
            Entry::Completed { at } => age(at) < self.ttl,
        }
    }

    fn claim_now(&self, key: &DedupKey) -> Claim {
        let now = self.clock.now();
        let mut guard = self.lock();
        let entries = &mut *guard;
        let generation = entries.next_generation;
        match entries.by_key.entry(key.clone()) {
            hash_map::Entry::Occupied(slot) if self.is_live(slot.get().0, now) => {
                return match slot.get().0 {
                    Entry::InFlight { .. } => Claim::InFlight,
                    Entry::Completed { .. } => Claim::Completed,
                };
            }
            // A lapsed key is claimed afresh, as a new key.
            hash_map::Entry::Occupied(mut slot) => {
                slot.insert((Entry::InFlight { since: now }, generation));
            }
            hash_map::Entry::Vacant(slot) => {
                slot.insert((Entry::InFlight { since: now }, generation));
            }
        }
        entries.generation();
        entries.order.push_back((key.clone(), generation));
        entries.evict_beyond(self.capacity);
        Claim::Acquired(ClaimToken::new(generation))
    }

    fn complete_now(&self, key: &DedupKey) {
        let at = self.clock.now();
        let mut guard = self.lock();
        let entries = &mut *guard;
        let generation = entries.next_generation;
        match entries.by_key.entry(key.clone()) {
            hash_map::Entry::Occupied(mut slot) => slot.get_mut().0 = Entry::Completed { at },
            hash_map::Entry::Vacant(slot) => {
                slot.insert((Entry::Completed { at }, generation));
                entries.generation();
                entries.order.push_back((key.clone(), generation));
                entries.evict_beyond(self.capacity);
            }
        }
    }

    fn release_now(&self, key: &DedupKey, token: ClaimToken) {
        let mut entries = self.lock();
        // Only the claim made with `token`: a claim that lapsed and was acquired again since
        // has a newer generation.
        if let Some((Entry::InFlight { .. }, generation)) = entries.by_key.get(key)
            && *generation == token.get()
        {
            entries.by_key.remove(key);
        }
    }
}

impl IdempotencyStore for InMemoryStore {
    fn claim<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>> {
        let claim = self.claim_now(key);
        Box::pin(async move { Ok(claim) })
    }

    fn complete<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
        self.complete_now(key);
        Box::pin(async { Ok(()) })
    }

    fn release<'a>(
        &'a self,
        key: &'a DedupKey,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        self.release_now(key, token);
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    fn clocked() -> (InMemoryStore, Arc<AtomicU64>) {
        let seconds = Arc::new(AtomicU64::new(1_000));
        let source = Arc::clone(&seconds);
        let store = InMemoryStore::new()
            .ttl(Duration::from_secs(60))
            .processing_timeout(Duration::from_secs(10))
            .with_clock(move || {
                SystemTime::UNIX_EPOCH + Duration::from_secs(source.load(Ordering::SeqCst))
            });
        (store, seconds)
    }

    fn acquire(store: &InMemoryStore, key: &DedupKey) -> ClaimToken {
        match store.claim_now(key) {
            Claim::Acquired(token) => token,
            other => panic!("expected to acquire {key}, got {other:?}"),
        }
    }

    #[test]
    fn claim_complete_release_cycle() {
        let (store, _) = clocked();
        let key = DedupKey::for_body(b"a");
        let first = acquire(&store, &key);
        assert_eq!(store.claim_now(&key), Claim::InFlight);
        store.release_now(&key, first);
        let second = acquire(&store, &key);
        assert_ne!(first, second, "each claim has its own token");
        store.complete_now(&key);
        assert_eq!(store.claim_now(&key), Claim::Completed);
        store.release_now(&key, second);
        assert_eq!(
            store.claim_now(&key),
            Claim::Completed,
            "release never undoes a completion"
        );
    }

    #[test]
    fn a_stale_token_does_not_release_the_current_claim() {
        let (store, seconds) = clocked();
        let key = DedupKey::for_body(b"fenced");
        let hung = acquire(&store, &key);
        seconds.fetch_add(10, Ordering::SeqCst);
        let retry = acquire(&store, &key);
        // The hung handler fails at last and releases its lapsed claim.
        store.release_now(&key, hung);
        assert_eq!(
            store.claim_now(&key),
            Claim::InFlight,
            "the retry's claim is still held"
        );
        store.release_now(&key, retry);
        acquire(&store, &key);
    }

    #[test]
    fn random_tokens_differ() {
        let tokens: std::collections::HashSet<ClaimToken> =
            (0..10_000).map(|_| ClaimToken::random()).collect();
        assert_eq!(tokens.len(), 10_000);
    }

    #[test]
    fn completed_keys_expire_after_the_ttl() {
        let (store, seconds) = clocked();
        let key = DedupKey::for_body(b"b");
        acquire(&store, &key);
        store.complete_now(&key);
        seconds.fetch_add(59, Ordering::SeqCst);
        assert_eq!(store.claim_now(&key), Claim::Completed);
        seconds.fetch_add(1, Ordering::SeqCst);
        assert!(store.claim_now(&key).is_acquired());
    }

    #[test]
    fn abandoned_claims_lapse_after_the_processing_timeout() {
        let (store, seconds) = clocked();
        let key = DedupKey::for_body(b"c");
        store.claim_now(&key);
        seconds.fetch_add(9, Ordering::SeqCst);
        assert_eq!(store.claim_now(&key), Claim::InFlight);
        seconds.fetch_add(1, Ordering::SeqCst);
        assert!(store.claim_now(&key).is_acquired());
    }

    #[test]
    fn capacity_evicts_the_oldest_keys() {
        let store = InMemoryStore::new().capacity(2);
        let keys: Vec<DedupKey> = (0..3u8).map(|i| DedupKey::for_body(&[i])).collect();
        for key in &keys {
            store.claim_now(key);
            store.complete_now(key);
        }
        assert_eq!(store.len(), 2);
        assert!(
            store.claim_now(&keys[0]).is_acquired(),
            "the oldest was evicted"
        );
        assert_eq!(store.claim_now(&keys[2]), Claim::Completed);
    }

    #[test]
    fn released_keys_do_not_confuse_eviction() {
        let store = InMemoryStore::new().capacity(2);
        let [a, b, c] = [b"a", b"b", b"c"].map(|body| DedupKey::for_body(body));
        let token = acquire(&store, &a);
        store.release_now(&a, token);
        store.claim_now(&b);
        store.complete_now(&b);
        store.claim_now(&a);
        store.complete_now(&a);
        store.claim_now(&c);
        assert_eq!(store.len(), 2);
        assert_eq!(
            store.claim_now(&a),
            Claim::Completed,
            "the re-claimed key is young"
        );
        assert!(
            store.claim_now(&b).is_acquired(),
            "the oldest live key was evicted"
        );
    }

    #[test]
    fn keys_are_the_event_name_and_the_event_id() {
        use capillary_ens_schemas::EventName;
        let mut envelope = Envelope::new(EventName::PointsIssued);
        let by_body = DedupKey::for_delivery(&envelope, b"{}");
        assert!(by_body.as_str().starts_with("pointsIssued#sha256:"));
        assert_ne!(by_body, DedupKey::for_delivery(&envelope, b"{ }"));
        envelope.event_id = Some(String::new());
        assert_eq!(
            DedupKey::for_delivery(&envelope, b"{}"),
            by_body,
            "an empty id is no id"
        );
        envelope.event_id = Some("e-1".into());
        let points = DedupKey::for_delivery(&envelope, b"{}");
        assert_eq!(points.as_str(), "pointsIssued:e-1");
        envelope.event_name = EventName::TierUpgraded;
        assert_ne!(
            DedupKey::for_delivery(&envelope, b"{}"),
            points,
            "same id, other event"
        );
    }

    #[test]
    fn unknown_names_cannot_forge_another_key() {
        use capillary_ens_schemas::EventName;
        let mut left = Envelope::new(EventName::from_wire("a:b"));
        left.event_id = Some("c".into());
        let mut right = Envelope::new(EventName::from_wire("a"));
        right.event_id = Some("b:c".into());
        assert_ne!(
            DedupKey::for_delivery(&left, b""),
            DedupKey::for_delivery(&right, b"")
        );
        let mut hashed = Envelope::new(EventName::from_wire("x"));
        let body_key = DedupKey::for_delivery(&hashed, b"{}");
        hashed.event_id = body_key.as_str().strip_prefix("x#").map(str::to_owned);
        assert_ne!(DedupKey::for_delivery(&hashed, b"{}"), body_key);
    }
}
