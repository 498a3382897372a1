use crate::helpers::*;
use chrono::Duration;
use serde_json::json;
use sqlx::PgPool;

const VIEWER: &str = "{ viewer { user { email } roles organization { name kind } tokenKind readOnly } }";

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_returns_a_session_for_the_user(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("sales@contoso.demo").await;
    assert!(token.starts_with("mcs_") && token.len() > 40);
    let data = app.ok(&token, VIEWER, json!({})).await;
    assert_eq!(data["viewer"]["user"]["email"], "sales@contoso.demo");
    assert_eq!(data["viewer"]["roles"], json!(["SALES_AGENT"]));
    assert_eq!(data["viewer"]["organization"]["name"], "Contoso Cloud Direct");
    assert_eq!(data["viewer"]["organization"]["kind"], "PARTNER");
    assert_eq!(data["viewer"]["tokenKind"], "SESSION");
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_password_and_unknown_email_are_refused_alike(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let q = "mutation($i: SignInInput!) { signIn(input: $i) { token } }";
    let wrong = app
        .gql(None, q, json!({ "i": { "email": "admin@contoso.demo", "password": "not-the-password" } }))
        .await;
    let unknown =
        app.gql(None, q, json!({ "i": { "email": "nobody@contoso.demo", "password": PASSWORD } })).await;
    assert_eq!(code(&wrong), "UNAUTHENTICATED");
    assert_eq!(code(&unknown), "UNAUTHENTICATED");
    assert_eq!(wrong["errors"][0]["message"], unknown["errors"][0]["message"]);
    assert!(wrong["data"].is_null());
}

#[sqlx::test(migrations = "../migrations")]
async fn requests_without_a_valid_token_are_unauthenticated(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    assert_eq!(code(&app.gql(None, VIEWER, json!({})).await), "UNAUTHENTICATED");
    assert_eq!(code(&app.gql(Some("mcs_forged"), VIEWER, json!({})).await), "UNAUTHENTICATED");
    let resp = app
        .client
        .post("/graphql")
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .body_json(&json!({ "query": VIEWER }))
        .send()
        .await;
    let body: serde_json::Value = resp.json().await.value().deserialize();
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

#[sqlx::test(migrations = "../migrations")]
async fn sessions_expire(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    app.advance(Duration::hours(11));
    app.ok(&token, VIEWER, json!({})).await;
    app.advance(Duration::hours(2));
    assert_eq!(code(&app.gql(Some(&token), VIEWER, json!({})).await), "UNAUTHENTICATED");
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_out_ends_the_session(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let data = app.ok(&token, "mutation { signOut { signedOut } }", json!({})).await;
    assert_eq!(data["signOut"]["signedOut"], true);
    assert_eq!(code(&app.gql(Some(&token), VIEWER, json!({})).await), "UNAUTHENTICATED");
}

const CREATE_TOKEN: &str = "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret apiToken { id name readOnly active expiresAt } } }";

#[sqlx::test(migrations = "../migrations")]
async fn api_tokens_carry_the_owner_roles_and_show_the_secret_once(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let session = app.sign_in("admin@fabrikam.demo").await;
    let data = app.ok(&session, CREATE_TOKEN, json!({ "i": { "name": "billing export" } })).await;
    let secret = data["createApiToken"]["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("mct_"));
    let viewer = app.ok(&secret, VIEWER, json!({})).await;
    assert_eq!(viewer["viewer"]["roles"], json!(["ADMIN_AGENT"]));
    assert_eq!(viewer["viewer"]["tokenKind"], "API");
    // Listed without its secret.
    let list = app.ok(&session, "{ apiTokens { edges { node { name active } } } }", json!({})).await;
    assert_eq!(nodes_of(&list["apiTokens"]), json!([{ "name": "billing export", "active": true }]));
    let raw = app.gql(Some(&session), "{ apiTokens { edges { node { secret } } } }", json!({})).await;
    assert_eq!(code(&raw), "GRAPHQL_VALIDATION_FAILED");
    // Only a hash is stored.
    let stored: i64 =
        sqlx::query_scalar("select count(*) from auth_token where secret_hash = convert_to($1, 'UTF8')")
            .bind(&secret)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn revoked_and_expired_api_tokens_stop_working(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let session = app.sign_in("admin@contoso.demo").await;
    let expires = (start_of_tests() + Duration::days(30)).to_rfc3339();
    let short =
        app.ok(&session, CREATE_TOKEN, json!({ "i": { "name": "short", "expiresAt": expires } })).await;
    let long = app.ok(&session, CREATE_TOKEN, json!({ "i": { "name": "long" } })).await;
    let (short_secret, long_secret) = (
        short["createApiToken"]["secret"].as_str().unwrap(),
        long["createApiToken"]["secret"].as_str().unwrap(),
    );
    let long_id = long["createApiToken"]["apiToken"]["id"].as_str().unwrap();

    app.ok(long_secret, VIEWER, json!({})).await;
    app.ok(
        &session,
        "mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { apiToken { active revokedAt } } }",
        json!({ "i": { "id": long_id } }),
    )
    .await;
    assert_eq!(code(&app.gql(Some(long_secret), VIEWER, json!({})).await), "UNAUTHENTICATED");

    app.ok(short_secret, VIEWER, json!({})).await;
    app.advance(Duration::days(31));
    assert_eq!(code(&app.gql(Some(short_secret), VIEWER, json!({})).await), "UNAUTHENTICATED");
}

#[sqlx::test(migrations = "../migrations")]
async fn read_only_tokens_read_but_never_mutate(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let session = app.sign_in("operator@21vianet.demo").await;
    let data = app.ok(&session, CREATE_TOKEN, json!({ "i": { "name": "audit", "readOnly": true } })).await;
    let secret = data["createApiToken"]["secret"].as_str().unwrap();
    let read =
        app.ok(secret, "{ viewer { readOnly } subscriptions(first: 1) { totalCount } }", json!({})).await;
    assert_eq!(read["viewer"]["readOnly"], true);
    assert_eq!(read["subscriptions"]["totalCount"], 12);
    let write = app
        .gql(
            Some(secret),
            "mutation($i: RegisterPartnerInput!) { registerPartner(input: $i) { partner { id } } }",
            json!({ "i": { "name": "Blocked Ltd", "mpnId": "2000001", "program": "CSP_DIRECT" } }),
        )
        .await;
    assert_eq!(code(&write), "FORBIDDEN");
    let partners: i64 = sqlx::query_scalar("select count(*) from organization where name = 'Blocked Ltd'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(partners, 0);
    // viewerCan tells the same story.
    let can = app
        .ok(secret, "{ subscriptions(first: 100) { edges { node { viewerCan { changeQuantity { allowed reasonCode } } } } } }", json!({}))
        .await;
    for e in can["subscriptions"]["edges"].as_array().unwrap() {
        assert_eq!(e["node"]["viewerCan"]["changeQuantity"]["allowed"], false);
    }
}
