//! HTTP around the API: health, the SPA's routes and assets, GraphiQL, limits.

use crate::helpers::*;
use poem::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;

#[sqlx::test(migrations = "../migrations")]
async fn readiness_follows_the_database(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    app.client.get("/healthz").send().await.assert_status_is_ok();
    app.client.get("/readyz").send().await.assert_status_is_ok();

    // The same server with its database gone: nothing listens where the pool points.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gone = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy(&format!("postgres://postgres@127.0.0.1:{port}/gone"))
        .unwrap();
    let state = multichannel::AppState::new(gone).with_clock(Arc::new(app.clock.clone()));
    let client = poem::test::TestClient::new(multichannel::http::routes(state, None));
    client.get("/healthz").send().await.assert_status_is_ok();
    client.get("/readyz").send().await.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    // An API call then fails with a code, not a hang or a stack trace.
    let resp = client
        .post("/graphql")
        .header("Authorization", "Bearer mcs_whatever")
        .body_json(&json!({ "query": "{ viewer { roles } }" }))
        .send()
        .await;
    let body: serde_json::Value = resp.json().await.value().deserialize();
    assert_eq!(code(&body), "SERVICE_UNAVAILABLE");
}

fn dist() -> tempdir::Dist {
    tempdir::Dist::new()
}

mod tempdir {
    use std::path::PathBuf;

    /// A throw-away dist folder shaped like trunk's output.
    pub struct Dist(pub PathBuf);

    impl Dist {
        pub fn new() -> Dist {
            let dir = std::env::temp_dir().join(format!("mc-dist-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(dir.join("vendor/graphiql")).unwrap();
            std::fs::write(dir.join("index.html"), "<!doctype html><title>Multichannel</title>").unwrap();
            std::fs::write(dir.join("frontend-0123456789abcdef.js"), "console.log(1)").unwrap();
            std::fs::write(dir.join("vendor/graphiql/graphiql.min.js"), "window.GraphiQL = {}").unwrap();
            Dist(dir)
        }
    }

    impl Drop for Dist {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn app_routes_fall_back_to_the_app_but_missing_assets_are_404(pool: PgPool) {
    let dist = dist();
    let app = TestApp::with_static_dir(pool, dist.0.clone()).await;
    for route in ["/", "/customers/Q3VzdG9tZXI6eA", "/invitations/abc123"] {
        let resp = app.client.get(route).send().await;
        resp.assert_status_is_ok();
        resp.assert_header("cache-control", "no-cache");
        resp.assert_text("<!doctype html><title>Multichannel</title>").await;
    }
    for missing in
        ["/missing.js", "/vendor/graphiql/missing.css", "/frontend-ffffffffffffffff.wasm", "/graphql/nothing"]
    {
        app.client.get(missing).send().await.assert_status(StatusCode::NOT_FOUND);
    }
    for escape in ["/../Cargo.toml", "/%2e%2e/Cargo.toml"] {
        let resp = app.client.get(escape).send().await;
        assert_ne!(resp.0.status(), StatusCode::OK, "{escape}");
    }
    let asset = app.client.get("/frontend-0123456789abcdef.js").send().await;
    asset.assert_status_is_ok();
    asset.assert_header("cache-control", "public, max-age=31536000, immutable");
}

#[sqlx::test(migrations = "../migrations")]
async fn graphiql_loads_only_from_this_server(pool: PgPool) {
    let dist = dist();
    let app = TestApp::with_static_dir(pool, dist.0.clone()).await;
    let resp = app.client.get("/graphiql").send().await;
    resp.assert_status_is_ok();
    let html = resp.0.into_body().into_string().await.unwrap();
    assert!(html.contains("/vendor/graphiql/graphiql.min.js"));
    assert!(html.contains("Authorization"));
    for line in html.lines().filter(|l| l.contains("src=") || l.contains("href=")) {
        assert!(
            !line.contains("http://") && !line.contains("https://") && !line.contains("//cdn"),
            "external asset: {line}"
        );
    }
    app.client.get("/vendor/graphiql/graphiql.min.js").send().await.assert_status_is_ok();
}

#[sqlx::test(migrations = "../migrations")]
async fn oversized_requests_are_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let huge = format!("{{ viewer {{ roles }} }} # {}", "x".repeat(300 * 1024));
    let resp = app.client.post("/graphql").body_json(&json!({ "query": huge })).send().await;
    resp.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
}
