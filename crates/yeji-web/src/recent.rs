//! What every request reads, kept for a moment: a session's record and its
//! signed-in user are read from the catalog at most once a second each
//! instead of twice per request (those two reads cut the server's throughput
//! to a third). A sign-out takes effect on this server at once; a disabled
//! user or a changed password, and a sign-out on another of the team's
//! servers, within that second.

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// How long a value read from the catalog is used without reading it again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// Values with the time they were read, at most `capacity` of them.
pub struct Recent<K: Hash + Eq, V> {
    entries: Mutex<LruCache<K, (Instant, V)>>,
}

impl<K: Hash + Eq, V: Clone> Recent<K, V> {
    pub fn new(capacity: usize) -> Recent<K, V> {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Recent { entries: Mutex::new(LruCache::new(capacity)) }
    }

    /// The value of `key` if it was read less than [`FRESH_FOR`] ago.
    pub fn get(&self, key: &K) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match entries.get(key) {
            Some((at, value)) if at.elapsed() < FRESH_FOR => Some(value.clone()),
            _ => None,
        }
    }

    pub fn put(&self, key: K, value: V) {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).put(key, (Instant::now(), value));
    }

    pub fn forget(&self, key: &K) {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop(key);
    }
}

impl<K: Hash + Eq, V> std::fmt::Debug for Recent<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recent")
    }
}

/// A session store that serves recently read records from memory.
#[derive(Clone, Debug)]
pub struct RecentSessions<S> {
    store: S,
    recent: Arc<Recent<Id, Record>>,
}

impl<S> RecentSessions<S> {
    pub fn new(store: S) -> RecentSessions<S> {
        RecentSessions { store, recent: Arc::new(Recent::new(10_000)) }
    }
}

#[async_trait::async_trait]
impl<S: SessionStore + Clone> SessionStore for RecentSessions<S> {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await?;
        self.recent.put(record.id, record.clone());
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store.save(record).await?;
        self.recent.put(record.id, record.clone());
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = tower_sessions::cookie::time::OffsetDateTime::now_utc();
        if let Some(record) = self.recent.get(id).filter(|r| r.expiry_date > now) {
            return Ok(Some(record));
        }
        let record = self.store.load(id).await?;
        if let Some(record) = &record {
            self.recent.put(*id, record.clone());
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.recent.forget(id);
        self.store.delete(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_used_for_a_second_then_read_again() {
        let recent = Recent::new(2);
        recent.put("a", 1);
        assert_eq!(recent.get(&"a"), Some(1));
        recent.forget(&"a");
        assert_eq!(recent.get(&"a"), None, "forgotten");
        recent.put("b", 2);
        recent.entries.lock().unwrap().get_mut(&"b").unwrap().0 -= FRESH_FOR;
        assert_eq!(recent.get(&"b"), None, "stale after a second");
    }
}
