//! The metrics listener (`--metrics-listen`): `GET /metrics` in the Prometheus text format, on
//! its own address so it can stay inside the operator's network.

use crate::AppState;
use metrics_exporter_prometheus::PrometheusHandle;
use poem::web::Data;
use poem::{EndpointExt, Route, get, handler};

pub fn routes(state: AppState, handle: PrometheusHandle) -> poem::endpoint::BoxEndpoint<'static> {
    Route::new().at("/metrics", get(render)).data(state).data(handle).boxed()
}

/// Samples what is read rather than counted (the pool, the feed's hold-back), then renders
/// everything.
#[handler]
async fn render(Data(state): Data<&AppState>, Data(handle): Data<&PrometheusHandle>) -> poem::Response {
    let pool = &state.pool;
    let (size, idle) = (pool.size() as f64, pool.num_idle() as f64);
    let name = crate::telemetry::DB_POOL_CONNECTIONS;
    metrics::gauge!(name, "state" => "in_use").set((size - idle).max(0.0));
    metrics::gauge!(name, "state" => "idle").set(idle);
    metrics::gauge!(name, "state" => "max").set(f64::from(pool.options().get_max_connections()));
    // One long-running writing transaction anywhere in the cluster holds back every feed
    // reader (they read below the oldest running xid): the figure to alert on. A slow or
    // unreachable database leaves the last value.
    let held_back = crate::db::feed::held_back_seconds(pool);
    if let Ok(Ok(seconds)) = tokio::time::timeout(std::time::Duration::from_secs(1), held_back).await {
        metrics::gauge!(crate::telemetry::FEED_HELD_BACK).set(seconds);
    }
    poem::Response::builder().content_type("text/plain; version=0.0.4; charset=utf-8").body(handle.render())
}
