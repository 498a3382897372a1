//! Verified bearer tokens, kept for a minute so a request need not look its token up again.
//!
//! A revoked token must stop working at once on every instance, so the cache is only used
//! while this instance listens for `auth_changed` (sent by triggers of migration 6 at the
//! commit of anything that changes what a token stands for): each notification empties it.
//! While the listener is down (it may miss notifications), nothing is served from the cache;
//! when it is back, the cache starts empty. A lookup that raced a notification is not kept.

use crate::domain::Viewer;
use chrono::{DateTime, Utc};
use moka::sync::Cache;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The channel the triggers notify.
pub const CHANNEL: &str = "auth_changed";
/// Even while every notification arrives, an entry lives this long at most.
const TIME_TO_LIVE: Duration = Duration::from_secs(60);
const CAPACITY: u64 = 100_000;

#[derive(Clone)]
pub struct CachedViewer {
    pub viewer: Viewer,
    pub last_used: Option<DateTime<Utc>>,
}

/// Cached viewers by token secret hash.
#[derive(Clone)]
pub struct TokenCache(Arc<Inner>);

struct Inner {
    entries: Cache<Vec<u8>, CachedViewer>,
    listening: AtomicBool,
    /// Bumped by every notification; a lookup is kept only if none came while it ran.
    generation: AtomicU64,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache(Arc::new(Inner {
            entries: Cache::builder().max_capacity(CAPACITY).time_to_live(TIME_TO_LIVE).build(),
            listening: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        }))
    }
}

impl TokenCache {
    pub fn get(&self, secret_hash: &[u8]) -> Option<CachedViewer> {
        if !self.0.listening.load(Ordering::Acquire) {
            return None;
        }
        self.0.entries.get(secret_hash)
    }

    /// Whether the listener runs, so entries may be served.
    pub fn is_listening(&self) -> bool {
        self.0.listening.load(Ordering::Acquire)
    }

    /// Where a lookup starts: pass it back to [`TokenCache::keep`].
    pub fn generation(&self) -> u64 {
        self.0.generation.load(Ordering::Acquire)
    }

    /// Keeps what a lookup that started at `generation` found, unless something changed since.
    pub fn keep(&self, secret_hash: Vec<u8>, found: CachedViewer, generation: u64) {
        if self.0.listening.load(Ordering::Acquire) && self.generation() == generation {
            self.0.entries.insert(secret_hash, found);
            // A notification may have landed between the check and the insert.
            if self.generation() != generation {
                self.0.entries.invalidate_all();
            }
        }
    }

    /// Forgets every entry (this instance changed a token, or a notification came).
    pub fn forget_all(&self) {
        self.0.generation.fetch_add(1, Ordering::AcqRel);
        self.0.entries.invalidate_all();
    }

    /// Whether `auth_changed` is heard (the feed's listener says so, see `feed::hub`).
    pub(crate) fn set_listening(&self, on: bool) {
        self.forget_all();
        self.0.listening.store(on, Ordering::Release);
        self.forget_all();
    }
}
