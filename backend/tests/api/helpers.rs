//! One test app per test: a fresh migrated database (from `#[sqlx::test]`), the demo data, a
//! clock the test controls, and the real HTTP routes driven in-process.
// Shared by two test binaries, each using part of it.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use multichannel::AppState;
use multichannel::db::demo;
use multichannel::domain::TestClock;
use poem::test::TestClient;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::path::PathBuf;
use std::sync::Arc;

pub const PASSWORD: &str = "demo-password-for-tests";

pub fn start_of_tests() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T09:00:00Z").unwrap().to_utc()
}

pub struct TestApp {
    pub pool: PgPool,
    pub clock: TestClock,
    pub client: TestClient<poem::endpoint::BoxEndpoint<'static>>,
    pub demo: demo::Demo,
}

impl TestApp {
    pub async fn with_demo(pool: PgPool) -> TestApp {
        Self::build(pool, None).await
    }

    pub async fn with_static_dir(pool: PgPool, dir: PathBuf) -> TestApp {
        Self::build(pool, Some(dir)).await
    }

    async fn build(pool: PgPool, static_dir: Option<PathBuf>) -> TestApp {
        let clock = TestClock::at(start_of_tests());
        let mut conn = pool.acquire().await.unwrap();
        let demo = demo::load(&mut conn, start_of_tests(), PASSWORD).await.unwrap();
        drop(conn);
        let state = AppState::new(pool.clone()).with_clock(Arc::new(clock.clone()));
        let client = TestClient::new(multichannel::http::routes(state, static_dir));
        TestApp { pool, clock, client, demo }
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Runs a GraphQL request and returns the whole response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req =
            self.client.post("/graphql").body_json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let resp = req.send().await;
        resp.assert_status_is_ok();
        resp.json().await.value().deserialize()
    }

    /// Runs a request that must succeed; returns `data`.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(Some(token), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    pub async fn sign_in(&self, email: &str) -> String {
        let body = self
            .gql(
                None,
                "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
                json!({ "i": { "email": email, "password": PASSWORD } }),
            )
            .await;
        body["data"]["signIn"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in of {email} failed: {body:#}"))
            .to_owned()
    }

    /// The global id of an organization by name (as the operator sees it).
    pub async fn org_id(&self, name: &str) -> String {
        let op = self.sign_in("operator@21vianet.demo").await;
        for list in ["customers", "partners"] {
            let data = self
                .ok(&op, &format!("query($s: String) {{ {list}(first: 100, filter: {{search: $s}}) {{ edges {{ node {{ id name }} }} }} }}"), json!({ "s": name }))
                .await;
            if let Some(e) =
                data[list]["edges"].as_array().unwrap().iter().find(|e| e["node"]["name"] == name)
            {
                return e["node"]["id"].as_str().unwrap().to_owned();
            }
        }
        panic!("no organization named {name}");
    }
}

/// The error code of the first error, or panics with the body.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code: {body:#}"))
}

/// Every subscription name visible through `subscriptions`, walking all pages.
pub async fn visible_subscription_names(app: &TestApp, token: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app
            .ok(
                token,
                "query($after: String) { subscriptions(first: 3, after: $after) { edges { node { friendlyName } } pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
            )
            .await;
        let conn = &data["subscriptions"];
        for e in conn["edges"].as_array().unwrap() {
            names.push(e["node"]["friendlyName"].as_str().unwrap().to_owned());
        }
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return names;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

/// A subscription's global id by its friendly name (as the operator sees it).
pub async fn sub_id(app: &TestApp, name: &str) -> String {
    let op = app.sign_in("operator@21vianet.demo").await;
    let data =
        app.ok(&op, "{ subscriptions(first: 100) { edges { node { id friendlyName } } } }", json!({})).await;
    data["subscriptions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["friendlyName"] == name)
        .unwrap()["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A service's global id by its name.
pub async fn service_id(app: &TestApp, token: &str, name: &str) -> String {
    let data = app.ok(token, "{ catalog { services { id name } } }", json!({})).await;
    data["catalog"]["services"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One number from SQL, for assertions on what is stored.
pub async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&app.pool).await.unwrap()
}

/// The nodes of a connection's `edges { node { … } }`, as a JSON array.
pub fn nodes_of(connection: &Value) -> Value {
    Value::Array(
        connection["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("not a connection: {connection:#}"))
            .iter()
            .map(|e| e["node"].clone())
            .collect(),
    )
}
