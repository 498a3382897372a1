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

/// A writing transaction left open holds back every feed reader; the gauge shows for how long,
/// so an operator can alert on it.
#[sqlx::test(migrations = "../migrations")]
async fn a_long_writing_transaction_shows_as_the_feed_held_back(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let mut open = pool.begin().await.unwrap();
    sqlx::query("select pg_current_xact_id()").execute(&mut *open).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let text = scrape(&app).await;
    let value: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("multichannel_feed_held_back_seconds "))
        .unwrap_or_else(|| panic!("no held-back gauge in\n{text}"))
        .trim()
        .parse()
        .unwrap();
    // At least as old as ours (others on the cluster can only be older).
    assert!(value >= 1.4, "held back {value} s while a writer has been open 1.5 s");
    open.rollback().await.unwrap();
}
