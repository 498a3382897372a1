//! The application: shared state and the server that tests and `main` start the same way.

use crate::config::{Limits, ServeConfig};
use crate::db;
use crate::domain::{Clock, SystemClock};
use crate::http;
use poem::listener::{Acceptor, Listener, TcpListener};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::Arc;

/// What every request needs. Holds no per-user or per-request state, so any number of server
/// instances can run side by side on one database.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    /// Where users reach the app; invitation links start with it.
    pub public_url: String,
    /// Verifies passwords a few at a time in fixed memory (see `hasher`).
    pub passwords: crate::hasher::PasswordVerifier,
    /// Verified tokens, dropped on every instance when they change (see `auth_cache`).
    pub tokens: crate::auth_cache::TokenCache,
    /// This instance's fan-out of the change feed to live subscribers (see `feed::hub`).
    pub feed: crate::feed::FeedHub,
    /// Webhooks may go to `http` and to loopback and private addresses (tests and demos on one
    /// machine); off in production, where those are refused as SSRF.
    pub webhook_allow_private_urls: bool,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        AppState {
            pool,
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            passwords: crate::hasher::PasswordVerifier::new(2, 16),
            tokens: crate::auth_cache::TokenCache::default(),
            feed: crate::feed::FeedHub::default(),
            webhook_allow_private_urls: false,
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

pub struct Application {
    acceptor: poem::listener::TcpAcceptor,
    endpoint: poem::endpoint::BoxEndpoint<'static>,
    local_addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
}

impl Application {
    /// Connects, migrates, loads the demo data if asked, and binds the listener (port 0 picks one).
    pub async fn build(config: &ServeConfig) -> anyhow::Result<Application> {
        // Statements may run a little past the request's deadline, never much longer.
        let statement_timeout = config.limits.request_timeout() + std::time::Duration::from_secs(1);
        // Migrations may wait for locks and rebuild constraints: no deadline, on a pool of their own.
        let migrator = db::connect(&config.database_url, 1, std::time::Duration::ZERO).await?;
        db::migrate(&migrator).await?;
        migrator.close().await;
        // Before anything records: without a recorder every metric is a no-op.
        let metrics = config.metrics_listen.map(|addr| (addr, crate::telemetry::install()));
        let pool = db::connect(&config.database_url, config.db_pool, statement_timeout).await?;
        let mut state = AppState::new(pool);
        state.limits = config.limits.clone();
        state.webhook_allow_private_urls = config.webhook_allow_private_urls;
        state.public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.listen))
            .trim_end_matches('/')
            .to_owned();
        // One listener per instance feeds live subscribers and keeps the token cache; until it
        // runs, the token cache stays off.
        tokio::spawn(state.feed.clone().run_forever(state.pool.clone(), state.tokens.clone()));
        if config.demo {
            crate::workflows::bootstrap::load_demo_once(&state, &config.demo_password).await?;
        }
        if config.job_interval_secs > 0 {
            let interval = std::time::Duration::from_secs(config.job_interval_secs);
            tokio::spawn(crate::workflows::jobs::run_forever(state.clone(), interval));
        }
        // Delivers webhooks; instances share the work through the database.
        tokio::spawn(crate::workflows::webhook_delivery::run_forever(state.clone()));
        // Works on bulk operations' items; instances share them through the database.
        tokio::spawn(crate::workflows::bulk::run_forever(state.clone()));
        let metrics_addr = match metrics {
            Some((addr, handle)) => {
                let acceptor = TcpListener::bind(addr).into_acceptor().await?;
                let bound = socket_addr(&acceptor)?;
                let endpoint = http::metrics::routes(state.clone(), handle);
                tokio::spawn(async move {
                    if let Err(e) = poem::Server::new_with_acceptor(acceptor).run(endpoint).await {
                        tracing::error!(error = %e, "the metrics listener stopped");
                    }
                });
                Some(bound)
            }
            None => None,
        };
        let endpoint = http::routes(state, config.static_dir.clone());
        let acceptor = TcpListener::bind(config.listen).into_acceptor().await?;
        let local_addr = socket_addr(&acceptor)?;
        Ok(Application { acceptor, endpoint, local_addr, metrics_addr })
    }

    /// Where `/metrics` is served, when `--metrics-listen` asked for it.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes requests in flight.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        poem::Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(
                self.endpoint,
                shutdown_signal(),
                Some(std::time::Duration::from_secs(10)),
            )
            .await?;
        Ok(())
    }
}

fn socket_addr(acceptor: &poem::listener::TcpAcceptor) -> anyhow::Result<SocketAddr> {
    acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| anyhow::anyhow!("the listener has no TCP address"))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
