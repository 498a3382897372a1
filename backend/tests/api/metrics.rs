//! Metrics and request ids: the series an operator scrapes, labelled by route pattern and
//! bounded operation names (never a raw URL or id), and `x-request-id` on every response.

use crate::helpers::*;
use serde_json::json;
use sqlx::PgPool;

async fn scrape(app: &TestApp) -> String {
    let handle = multichannel::telemetry::install();
    let state = multichannel::AppState::new(app.pool.clone());
    let metrics = poem::test::TestClient::new(multichannel::http::metrics::routes(state, handle));
    let resp = metrics.get("/metrics").send().await;
    resp.assert_status_is_ok();
    resp.0.into_body().into_string().await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn requests_are_counted_by_pattern_and_operation(pool: PgPool) {
    multichannel::telemetry::install();
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let book = "query Book($search: String, $first: Int, $after: String) { customers(first: $first, after: $after, filter: {search: $search}) { totalCount } }";
    let body = app
        .client
        .post("/graphql")
        .header("Authorization", format!("Bearer {token}"))
        .body_json(&json!({ "query": book, "operationName": "Book", "variables": { "first": 5 } }))
        .send()
        .await;
    body.assert_status_is_ok();
    let secret = "query SecretName_7f3a { viewer { roles } }";
    app.client
        .post("/graphql")
        .header("Authorization", format!("Bearer {token}"))
        .body_json(&json!({ "query": secret, "operationName": "SecretName_7f3a" }))
        .send()
        .await
        .assert_status_is_ok();
    app.gql(None, "{ subscriptions(first: 1) { totalCount } }", json!({})).await;
    app.client.get("/export/subscriptions.csv?customer=Q3VzdG9tZXI6secret").send().await;

    let text = scrape(&app).await;
    for expected in [
        "multichannel_http_requests_total{route=\"/graphql\",method=\"POST\",status=\"200\"}",
        "multichannel_http_requests_total{route=\"/export/subscriptions.csv\",method=\"GET\",status=\"401\"}",
        "multichannel_graphql_operations_total{operation=\"Book\",outcome=\"ok\"}",
        "multichannel_graphql_operations_total{operation=\"other\",outcome=\"ok\"}",
        "multichannel_graphql_operations_total{operation=\"anonymous\",outcome=\"UNAUTHENTICATED\"}",
        "multichannel_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.005\"}",
        "multichannel_graphql_operation_duration_seconds_bucket{operation=\"Book\",le=\"1\"}",
        "multichannel_db_pool_connections{state=\"max\"}",
        "# TYPE multichannel_http_requests_total counter",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    for leaked in ["SecretName_7f3a", "Q3VzdG9tZXI6secret", "?customer", token.as_str()] {
        assert!(!text.contains(leaked), "{leaked} must not be a label value");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_response_carries_its_request_id(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let resp = app.client.get("/healthz").header("x-request-id", "trace-abc-123").send().await;
    resp.assert_header("x-request-id", "trace-abc-123");
    for bad in ["has space", &"x".repeat(300)] {
        let resp = app.client.get("/healthz").header("x-request-id", bad).send().await;
        let id = resp.0.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "a new UUID replaces {bad:?}: {id}");
    }
    let resp = app.client.post("/graphql").body_json(&json!({ "query": "{ __typename }" })).send().await;
    let id = resp.0.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
}
