//! One instance's fan-out of the outbox: one `PgListener` (for `feed` and `auth_changed`),
//! then the outbox read from this instance's cursor, then a local broadcast.
//!
//! Nothing here is needed by another instance: each reads the outbox itself. A notification
//! only says "read again"; what is delivered always comes from the table, in cursor order. The
//! listener drops notifications while it reconnects and a slow subscriber may fall behind the
//! broadcast, so both catch up from their cursor, and a periodic read is the safety net.

use crate::auth_cache::TokenCache;
use crate::db::feed::{self as db, FeedEvent, Query};
use crate::domain::access::Scope;
use crate::domain::feed::{Cursor, EventType, MAX_BATCH, may_receive};
use futures_util::Stream;
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, broadcast, watch};

/// The channel the outbox trigger notifies (migration 11).
pub const CHANNEL: &str = "feed";
/// The listener's `application_name`, so operators (and the connection-loss test) can find it.
pub const LISTENER_NAME: &str = "multichannel feed listener";
/// Without notifications, the outbox is read this often.
const SAFETY_POLL: Duration = Duration::from_secs(5);
/// A notified transaction not yet readable (an older one still runs) is looked for again
/// after this, doubling up to `SAFETY_POLL`.
const FIRST_RETRY: Duration = Duration::from_millis(10);
/// Events kept for subscribers that are a little behind; further behind, they read the table.
const BROADCAST_CAPACITY: usize = 4096;
/// Subscribers' reads of the table (replays) that may run at once on one instance.
const REPLAYS_AT_ONCE: usize = 4;

#[derive(Clone)]
pub struct FeedHub(Arc<Inner>);

struct Inner {
    events: broadcast::Sender<Arc<FeedEvent>>,
    /// The cursor after the last event broadcast.
    head: watch::Sender<Cursor>,
    /// Bumped on every `auth_changed`: connections check again that their token still stands
    /// for the same access.
    auth_epoch: watch::Sender<u64>,
    /// Replays from the table run a few at a time, so many subscribers asking for history at
    /// once cannot take every pooled connection.
    replays: Arc<Semaphore>,
}

impl Default for FeedHub {
    fn default() -> Self {
        FeedHub(Arc::new(Inner {
            events: broadcast::channel(BROADCAST_CAPACITY).0,
            head: watch::channel(Cursor::START).0,
            auth_epoch: watch::channel(0).0,
            replays: Arc::new(Semaphore::new(REPLAYS_AT_ONCE)),
        }))
    }
}

impl FeedHub {
    /// The cursor after the last event this instance has broadcast.
    pub fn head(&self) -> Cursor {
        *self.0.head.borrow()
    }

    pub fn auth_changes(&self) -> watch::Receiver<u64> {
        self.0.auth_epoch.subscribe()
    }

    /// Every event this instance broadcasts, as it does (the webhook worker wakes on them).
    pub fn wake_on_events(&self) -> broadcast::Receiver<Arc<FeedEvent>> {
        self.0.events.subscribe()
    }

    /// Listens and reads for as long as the server runs, reconnecting after errors. Also keeps
    /// the token cache: it may serve entries only while `auth_changed` is heard.
    pub async fn run_forever(self, pool: PgPool, tokens: TokenCache) {
        // Start at the newest event: a fresh instance does not replay history to nobody.
        loop {
            match db::head(&pool).await {
                Ok(c) => {
                    self.0.head.send_replace(c);
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e.describe(), "feed: cannot read the outbox head");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        loop {
            match self.listen(&pool, &tokens).await {
                Ok(()) => {}
                Err(e) => tracing::warn!(error = %e, "feed: listener failed"),
            }
            tokens.set_listening(false);
            self.bump_auth();
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    fn bump_auth(&self) {
        self.0.auth_epoch.send_modify(|n| *n += 1);
    }

    /// One listener connection's life: returns when it is lost.
    async fn listen(&self, pool: &PgPool, tokens: &TokenCache) -> anyhow::Result<()> {
        let options = pool.connect_options().as_ref().clone().application_name(LISTENER_NAME);
        let listener_pool = PgPoolOptions::new().max_connections(1).connect_lazy_with(options);
        let mut listener = PgListener::connect_with(&listener_pool).await?;
        // Report a lost connection at once rather than reconnect inside `try_recv`: that call
        // is raced against timers below, and a reconnect cancelled half-way would hide the loss
        // (and with it the notifications missed, `auth_changed` among them).
        listener.eager_reconnect(false);
        listener.listen_all([CHANNEL, crate::auth_cache::CHANNEL]).await?;
        tokens.set_listening(true);
        self.bump_auth();
        tracing::debug!("feed: listening");
        // Whatever was missed while not listening is in the table.
        self.catch_up(pool).await?;
        // The newest transaction notified; while it is above the head, its events are not
        // readable yet (an older transaction still runs) and are looked for again soon.
        let mut notified = 0i64;
        let mut retry = FIRST_RETRY;
        loop {
            let wait = if notified > self.head().xid { retry } else { SAFETY_POLL };
            tokio::select! {
                n = listener.try_recv() => {
                    // None: the connection was lost (notifications may be missed).
                    let Some(n) = n? else { return Ok(()) };
                    if n.channel() == crate::auth_cache::CHANNEL {
                        tokens.forget_all();
                        self.bump_auth();
                        continue;
                    }
                    notified = notified.max(n.payload().parse().unwrap_or(i64::MAX));
                    // Read once for everything that arrived together.
                    while let Some(n) = listener.next_buffered() {
                        if n.channel() == crate::auth_cache::CHANNEL {
                            tokens.forget_all();
                            self.bump_auth();
                        } else {
                            notified = notified.max(n.payload().parse().unwrap_or(i64::MAX));
                        }
                    }
                    retry = FIRST_RETRY;
                }
                _ = tokio::time::sleep(wait) => {
                    retry = (retry * 2).min(SAFETY_POLL);
                    if wait == SAFETY_POLL {
                        notified = 0;
                    }
                }
            }
            self.catch_up(pool).await?;
            if notified <= self.head().xid {
                notified = 0;
            }
        }
    }

    /// Reads and broadcasts every readable event after the head.
    async fn catch_up(&self, pool: &PgPool) -> anyhow::Result<()> {
        loop {
            let q = Query { after: Some(self.head()), limit: MAX_BATCH, ..Default::default() };
            let batch = db::read(pool, None, &q).await.map_err(|e| anyhow::anyhow!(e.describe()))?;
            let n = batch.len() as i64;
            for e in batch {
                let cursor = e.cursor;
                // No receivers is fine: nobody is subscribed on this instance.
                let _ = self.0.events.send(Arc::new(e));
                self.0.head.send_replace(cursor);
            }
            if n < MAX_BATCH {
                return Ok(());
            }
        }
    }

    /// The events `scope` may receive, of `types` (all when empty): replayed from the table
    /// after `after` (when given), then live. Ends when the broadcast closes.
    pub fn subscribe(
        &self,
        pool: PgPool,
        scope: Scope,
        types: Vec<EventType>,
        after: Option<Cursor>,
    ) -> impl Stream<Item = Arc<FeedEvent>> + Send + 'static {
        // Subscribed before the replay reads, so nothing falls between the two.
        let mut live = self.0.events.subscribe();
        let start = after.unwrap_or_else(|| self.head());
        let q_types = types.clone();
        let replays = self.0.replays.clone();
        let wanted = move |e: &FeedEvent| {
            (types.is_empty() || types.contains(&e.event_type)) && may_receive(&scope, &e.concerns)
        };
        async_stream::stream! {
            let mut cursor = start;
            let mut replay = after.is_some();
            loop {
                if replay {
                    // From the table: this subscriber's own events only, in cursor order.
                    let q = Query { types: q_types.clone(), after: Some(cursor), limit: MAX_BATCH, ..Default::default() };
                    let read = {
                        let _permit = replays.acquire().await;
                        db::read(&pool, Some(scope), &q).await
                    };
                    match read {
                        Ok(batch) => {
                            let full = batch.len() as i64 == MAX_BATCH;
                            for e in batch {
                                cursor = e.cursor;
                                if wanted(&e) {
                                    yield Arc::new(e);
                                }
                            }
                            if full {
                                continue;
                            }
                            replay = false;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e.describe(), "feed: replay failed");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            continue;
                        }
                    }
                }
                match live.recv().await {
                    Ok(e) => {
                        if e.cursor <= cursor {
                            continue;
                        }
                        cursor = e.cursor;
                        if wanted(&e) {
                            yield e;
                        }
                    }
                    // Fell behind the broadcast: read the rest from the table.
                    Err(broadcast::error::RecvError::Lagged(_)) => replay = true,
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        }
    }
}
