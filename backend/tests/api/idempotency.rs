//! Idempotency-Key on mutations (Stripe's rules): a retry gets the first response byte for
//! byte and runs nothing; another body under the key is CONFLICT; keys belong to their
//! principal; they last 24 hours; two requests at once run once.

use crate::helpers::*;
use chrono::Duration;
use serde_json::{Value, json};
use sqlx::PgPool;

const INVITE: &str =
    "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }";

/// POSTs a GraphQL request with an Idempotency-Key: (status, replayed?, body bytes).
async fn post(app: &TestApp, token: &str, key: &str, query: &str, variables: Value) -> (u16, bool, Vec<u8>) {
    let resp = app
        .client
        .post("/graphql")
        .header("Authorization", format!("Bearer {token}"))
        .header("Idempotency-Key", key)
        .body_json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .0;
    let status = resp.status().as_u16();
    let replayed = resp.headers().get("idempotent-replayed").is_some();
    (status, replayed, resp.into_body().into_vec().await.unwrap())
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

async fn invitations(app: &TestApp) -> i64 {
    scalar(app, "select count(*) from invitation").await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_retry_gets_the_first_response_and_runs_nothing(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let before = invitations(&app).await;
    let vars = json!({ "i": { "audience": "ANY_CUSTOMER" } });
    let (s1, r1, first) = post(&app, &token, "retry-1", INVITE, vars.clone()).await;
    assert_eq!((s1, r1), (200, false), "{}", String::from_utf8_lossy(&first));
    assert!(json_of(&first)["data"]["createInvitation"]["invitation"]["id"].is_string());
    let (s2, r2, second) = post(&app, &token, "retry-1", INVITE, vars).await;
    assert_eq!((s2, r2), (200, true));
    assert_eq!(first, second, "byte for byte");
    assert_eq!(invitations(&app).await, before + 1, "one invitation");
    assert_eq!(app.audit_count("invitation.created").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn another_request_under_the_key_is_a_conflict(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    post(&app, &token, "k", INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    let (status, _, body) =
        post(&app, &token, "k", INVITE, json!({ "i": { "audience": "NEW_CUSTOMER" } })).await;
    assert_eq!(status, 422);
    assert_eq!(code(&json_of(&body)), "CONFLICT");
    // A bad key is refused before anything runs.
    let (status, _, body) =
        post(&app, &token, &"x".repeat(300), INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    assert_eq!(status, 400);
    assert_eq!(code(&json_of(&body)), "BAD_USER_INPUT");
    assert_eq!(app.audit_count("invitation.created").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn keys_belong_to_their_principal(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let vars = json!({ "i": { "audience": "ANY_CUSTOMER" } });
    let (_, _, a) = post(&app, &contoso, "shared", INVITE, vars.clone()).await;
    let (status, replayed, b) = post(&app, &fabrikam, "shared", INVITE, vars).await;
    assert_eq!((status, replayed), (200, false));
    assert_ne!(a, b, "Fabrikam never sees Contoso's response");
    assert_eq!(app.audit_count("invitation.created").await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn keys_last_a_day(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let vars = json!({ "i": { "audience": "ANY_CUSTOMER" } });
    let (_, _, first) = post(&app, &token, "daily", INVITE, vars.clone()).await;
    app.advance(Duration::hours(23));
    // Sessions last 12 hours; the key belongs to the user, so a new session retries with it.
    let token = app.sign_in("admin@contoso.demo").await;
    let (_, replayed, again) = post(&app, &token, "daily", INVITE, vars.clone()).await;
    assert!(replayed);
    assert_eq!(first, again);
    app.advance(Duration::hours(2));
    let (status, replayed, later) = post(&app, &token, "daily", INVITE, vars).await;
    assert_eq!((status, replayed), (200, false), "{}", String::from_utf8_lossy(&later));
    assert_ne!(first, later, "after 24 hours the key is new");
    assert_eq!(app.audit_count("invitation.created").await, 2);
    // The background job forgets keys older than a day.
    app.advance(Duration::hours(25));
    let state =
        multichannel::AppState::new(app.pool.clone()).with_clock(std::sync::Arc::new(app.clock.clone()));
    let report = multichannel::workflows::jobs::run_due(&state).await.unwrap();
    assert_eq!(report.idempotency_keys_swept, 1);
    assert_eq!(scalar(&app, "select count(*) from idempotency_key").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn two_requests_at_once_run_once(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let vars = json!({ "i": { "audience": "ANY_CUSTOMER" } });
    let (a, b) = tokio::join!(
        post(&app, &token, "race", INVITE, vars.clone()),
        post(&app, &token, "race", INVITE, vars.clone())
    );
    let answers = [a, b];
    let ran = answers.iter().filter(|(s, replayed, _)| *s == 200 && !replayed).count();
    assert_eq!(ran, 1, "exactly one ran");
    for (status, replayed, body) in &answers {
        match (status, replayed) {
            (200, _) => {}
            (409, false) => assert_eq!(code(&json_of(body)), "CONFLICT"),
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(app.audit_count("invitation.created").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn queries_and_signing_in_ignore_the_key(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let (_, replayed, _) = post(&app, &token, "q", "{ viewer { user { email } } }", json!({})).await;
    assert!(!replayed);
    let (status, replayed, body) =
        post(&app, &token, "q", "{ viewer { organization { name } } }", json!({})).await;
    assert_eq!(
        (status, replayed),
        (200, false),
        "a query is never stored: {}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(scalar(&app, "select count(*) from idempotency_key").await, 0);
}

/// An answer holding a secret shown once is never written down: the first request gets the
/// secret, a retry learns the mutation ran (CONFLICT) without the secret, and nothing runs twice.
#[sqlx::test(migrations = "../migrations")]
async fn a_secret_is_shown_once_and_never_stored(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let create =
        "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret apiToken { id } } }";
    let vars = json!({ "i": { "name": "retried" } });
    let (status, _, first) = post(&app, &token, "token-1", create, vars.clone()).await;
    assert_eq!(status, 200);
    let secret = json_of(&first)["data"]["createApiToken"]["secret"].as_str().unwrap().to_owned();
    let (status, replayed, again) = post(&app, &token, "token-1", create, vars).await;
    assert_eq!((status, replayed), (409, true), "{}", String::from_utf8_lossy(&again));
    assert_eq!(json_of(&again)["errors"][0]["extensions"]["code"], "CONFLICT");
    assert!(!String::from_utf8_lossy(&again).contains(&secret), "the retry must not carry the secret");
    let stored = scalar(
        &app,
        &format!("select count(*) from idempotency_key where position(convert_to('{secret}', 'UTF8') in response_body) > 0"),
    )
    .await;
    assert_eq!(stored, 0, "no stored answer holds the token's secret");
    assert_eq!(scalar(&app, "select count(*) from auth_token where name = 'retried'").await, 1);
}
