//! Server configuration, from flags or the environment.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// Address to listen on.
    #[arg(long, env = "MULTICHANNEL_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The built SPA (trunk's dist folder); without it only the API and GraphiQL are served.
    #[arg(long, env = "MULTICHANNEL_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// The address users reach the app at, for invitation links (default: http://<listen>).
    #[arg(long, env = "MULTICHANNEL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Load the demo data set when the database has no operator yet.
    #[arg(long, env = "MULTICHANNEL_DEMO")]
    pub demo: bool,
    /// Password of every demo user.
    #[arg(long, env = "MULTICHANNEL_DEMO_PASSWORD", default_value = "multichannel-demo")]
    pub demo_password: String,
    /// Seconds between runs of the background job writing time-bound transitions (0: never).
    #[arg(long, env = "MULTICHANNEL_JOB_INTERVAL_SECS", default_value_t = 60)]
    pub job_interval_secs: u64,
    /// Largest connection pool.
    #[arg(long, env = "MULTICHANNEL_DB_POOL", default_value_t = 16)]
    pub db_pool: u32,
    /// Let webhooks go to `http` URLs and to loopback and private addresses (for tests and
    /// demos on one machine; never in production).
    #[arg(long, env = "MULTICHANNEL_WEBHOOK_ALLOW_PRIVATE_URLS")]
    pub webhook_allow_private_urls: bool,
    /// Serve Prometheus metrics at `GET /metrics` on this address (off when absent). Keep it
    /// inside the operator's network: it is not authenticated.
    #[arg(long, env = "MULTICHANNEL_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Log lines as text or as JSON objects (for log shippers); both carry the request id.
    #[arg(long, env = "MULTICHANNEL_LOG_FORMAT", value_enum, default_value_t)]
    pub log_format: crate::telemetry::LogFormat,
    #[command(flatten)]
    pub limits: Limits,
}

/// Limits that protect the server from expensive or abusive requests.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Deepest query accepted.
    #[arg(long, env = "MULTICHANNEL_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,
    /// Largest query complexity accepted (connections count `first` times their children).
    #[arg(long, env = "MULTICHANNEL_MAX_COMPLEXITY", default_value_t = 20_000)]
    pub max_complexity: usize,
    /// Largest request body, in bytes.
    #[arg(long, env = "MULTICHANNEL_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Longest a GraphQL request may run, in milliseconds.
    #[arg(long, env = "MULTICHANNEL_REQUEST_TIMEOUT_MS", default_value_t = 15_000)]
    pub request_timeout_ms: u64,
    /// Session lifetime, in hours.
    #[arg(long, env = "MULTICHANNEL_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: i64,
    /// How long a WebSocket connection may stay silent, in seconds: the server pings every
    /// third of it, and a client that answers nothing (not even the pong every WebSocket
    /// library sends by itself) is closed with 3008.
    #[arg(long, env = "MULTICHANNEL_WS_KEEPALIVE_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(3..=3600))]
    pub ws_keepalive_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 16,
            max_complexity: 20_000,
            max_body_bytes: 256 * 1024,
            request_timeout_ms: 15_000,
            session_hours: 12,
            ws_keepalive_secs: 60,
        }
    }
}

impl Limits {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    pub fn ws_keepalive(&self) -> Duration {
        Duration::from_secs(self.ws_keepalive_secs)
    }
}
