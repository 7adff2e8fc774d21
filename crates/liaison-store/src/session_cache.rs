//! Resolved sessions kept for a moment in this process, so the requests of one signed-in user read their
//! session, user and roles once instead of on every request.
//!
//! Safe by construction rather than by bookkeeping: every write transaction this process commits empties
//! the cache (any write may change a session, a user, a role or a unit, so none has to remember to say
//! so), which keeps AC-08 and SES-04 immediate here; and an entry lives at most [`TTL`], the bound on how
//! long a change made by another process (the CLI, another instance on PostgreSQL) takes to show. (The
//! job claims, which write outside a `Tx`, touch only the job table; the intake writer's commits, which
//! write only new items and their rows, say so with `Tx::commit_keeping_sessions` and leave the cache alone.)

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a resolved session is trusted without reading it again.
pub const TTL: Duration = Duration::from_secs(1);

/// Entries kept at most; a full cache starts over (a burst of new sessions must not grow memory).
const CAPACITY: usize = 10_000;

/// The cache of `V` (a session with its user) by session digest; entries are tagged with the count of
/// commits they were read after.
#[derive(Debug)]
pub struct SessionCache<V> {
    commits: AtomicU64,
    entries: Mutex<HashMap<String, Entry<V>>>,
}

#[derive(Debug)]
struct Entry<V> {
    commits: u64,
    read_at: Instant,
    value: V,
}

impl<V> Default for SessionCache<V> {
    fn default() -> Self {
        Self { commits: AtomicU64::new(0), entries: Mutex::new(HashMap::new()) }
    }
}

impl<V: Clone> SessionCache<V> {
    /// Called after every commit: what was read before it may be stale.
    pub fn committed(&self) {
        self.commits.fetch_add(1, Ordering::AcqRel);
    }

    /// The commit count to tag a read with; take it *before* reading, so a commit racing the read makes
    /// the entry stale at once.
    pub fn mark(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }

    /// The session under `digest` if it was read after the latest commit and less than [`TTL`] ago.
    pub fn get(&self, digest: &str) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = entries.get(digest)?;
        (entry.commits == self.mark() && entry.read_at.elapsed() < TTL).then(|| entry.value.clone())
    }

    /// Keeps a session read when the commit count was `mark`.
    pub fn put(&self, digest: &str, mark: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(digest.to_owned(), Entry { commits: mark, read_at: Instant::now(), value });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_empties_it_and_a_read_that_raced_a_commit_is_never_served() {
        let cache = SessionCache::default();
        let mark = cache.mark();
        cache.put("d", mark, "officer-001");
        assert_eq!(cache.get("d"), Some("officer-001"), "read after the latest commit");
        assert_eq!(cache.get("other"), None);
        cache.committed();
        assert_eq!(cache.get("d"), None, "a commit empties it");
        cache.put("d", mark, "officer-001");
        assert_eq!(cache.get("d"), None, "read before the commit, so possibly stale");
        cache.put("d", cache.mark(), "officer-001");
        assert_eq!(cache.get("d"), Some("officer-001"));
    }

    #[test]
    fn an_entry_lives_at_most_the_ttl() {
        let cache = SessionCache::default();
        cache.put("d", cache.mark(), 1);
        cache.entries.lock().expect("lock").get_mut("d").expect("entry").read_at -= TTL;
        assert_eq!(cache.get("d"), None);
    }
}
