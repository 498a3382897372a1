//! Liveness and readiness for load balancers and orchestrators.

use crate::AppState;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{IntoResponse, handler};
use std::time::Duration;

/// The process is up.
#[handler]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers within two seconds.
#[handler]
pub async fn readyz(Data(state): Data<&AppState>) -> poem::Response {
    let ping = crate::db::ping(&state.pool);
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => "ready".into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: database");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timed out").into_response(),
    }
}
