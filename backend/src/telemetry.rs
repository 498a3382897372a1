//! What operators watch: Prometheus metrics through the `metrics` facade (rendered on the
//! metrics listener, `--metrics-listen`), and the log format. Every label has a bounded set of
//! values: route patterns, the app's own operation names, error codes. Never a raw URL or id.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

include!(concat!(env!("OUT_DIR"), "/app_operations.rs"));

pub const HTTP_REQUESTS: &str = "multichannel_http_requests_total";
pub const HTTP_DURATION: &str = "multichannel_http_request_duration_seconds";
pub const GRAPHQL_OPERATIONS: &str = "multichannel_graphql_operations_total";
pub const GRAPHQL_DURATION: &str = "multichannel_graphql_operation_duration_seconds";
pub const DB_POOL_CONNECTIONS: &str = "multichannel_db_pool_connections";
pub const JOB_RUNS: &str = "multichannel_job_step_runs_total";
pub const JOB_FAILURES: &str = "multichannel_job_step_failures_total";
pub const JOB_DURATION: &str = "multichannel_job_step_duration_seconds";
pub const WEBSOCKET_CONNECTIONS: &str = "multichannel_websocket_connections";
pub const LIVE_SUBSCRIPTIONS: &str = "multichannel_live_subscriptions";
pub const WEBHOOK_DELIVERIES: &str = "multichannel_webhook_deliveries_total";
pub const EXPORT_ROWS: &str = "multichannel_export_rows_total";
pub const IDEMPOTENT_REPLAYS: &str = "multichannel_idempotent_replays_total";
pub const FEED_HELD_BACK: &str = "multichannel_feed_held_back_seconds";

/// Latency buckets from a millisecond to half a minute (seconds, as Prometheus expects).
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder once (tests start many servers in one process) and
/// returns the handle that renders it. Without a call, every metric is a no-op.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), BUCKETS)
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder (a test's) may be installed already; ours then renders nothing.
            let _ = metrics::set_global_recorder(recorder);
            describe();
            handle
        })
        .clone()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(HTTP_REQUESTS, "HTTP requests by route pattern, method and status.");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP request latency by route pattern.");
    describe_counter!(
        GRAPHQL_OPERATIONS,
        "GraphQL operations by name (the app's own, else other/anonymous) and outcome (ok or the first error's code)."
    );
    describe_histogram!(GRAPHQL_DURATION, Unit::Seconds, "GraphQL operation latency by name.");
    describe_gauge!(DB_POOL_CONNECTIONS, "Database pool connections by state (in_use, idle, max).");
    describe_counter!(JOB_RUNS, "Background job steps run, by job and step.");
    describe_counter!(JOB_FAILURES, "Background job steps failed (rolled back), by job and step.");
    describe_histogram!(JOB_DURATION, Unit::Seconds, "Background job step duration, by job and step.");
    describe_gauge!(WEBSOCKET_CONNECTIONS, "Open WebSocket connections (GET /graphql upgraded).");
    describe_gauge!(LIVE_SUBSCRIPTIONS, "Live event streams open over WebSocket.");
    describe_counter!(WEBHOOK_DELIVERIES, "Webhook delivery attempts by outcome.");
    describe_counter!(EXPORT_ROWS, "Rows written to CSV exports, by export.");
    describe_counter!(
        IDEMPOTENT_REPLAYS,
        "Mutations answered from a stored Idempotency-Key response, by outcome."
    );
}

/// A GraphQL operation's name as a label: the app's own names, `anonymous`, else `other`.
pub fn operation_label(name: Option<&str>) -> &'static str {
    match name {
        None | Some("") => "anonymous",
        Some(n) => APP_OPERATIONS.iter().find(|o| **o == n).copied().unwrap_or("other"),
    }
}

/// Times one background job step and counts its run and failure.
pub fn job_step(job: &'static str, step: &'static str, took: Duration, failed: bool) {
    metrics::counter!(JOB_RUNS, "job" => job, "step" => step).increment(1);
    if failed {
        metrics::counter!(JOB_FAILURES, "job" => job, "step" => step).increment(1);
    }
    metrics::histogram!(JOB_DURATION, "job" => job, "step" => step).record(took.as_secs_f64());
}

/// Counts up while alive and down when dropped: an open connection or stream.
pub struct OpenGauge(&'static str);

impl OpenGauge {
    pub fn open(name: &'static str) -> OpenGauge {
        metrics::gauge!(name).increment(1.0);
        OpenGauge(name)
    }
}

impl Drop for OpenGauge {
    fn drop(&mut self) {
        metrics::gauge!(self.0).decrement(1.0);
    }
}

/// The log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log shippers (the request's span fields included).
    Json,
}

/// Logs to stderr in the chosen format (stdout carries command output such as the SDL).
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,poem=info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        // Span fields (the request id) go on every line, flattened beside the event's own.
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).init(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded() {
        assert!(APP_OPERATIONS.contains(&"Book"), "{APP_OPERATIONS:?}");
        assert_eq!(operation_label(Some("Book")), "Book");
        assert_eq!(operation_label(Some("Whatever123")), "other");
        assert_eq!(operation_label(None), "anonymous");
    }
}
