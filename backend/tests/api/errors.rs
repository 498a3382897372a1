//! Errors: always a stable code, never internals.

use crate::helpers::*;
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrations = "../migrations")]
async fn malformed_and_invalid_queries_have_codes(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    assert_eq!(code(&app.gql(Some(&token), "{ viewer { ", json!({})).await), "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(code(&app.gql(Some(&token), "{ noSuchField }", json!({})).await), "GRAPHQL_VALIDATION_FAILED");
    let bad_enum = app
        .gql(
            Some(&token),
            "query($f: SubscriptionFilter) { subscriptions(filter: $f) { totalCount } }",
            json!({ "f": { "channel": "CARRIER_PIGEON" } }),
        )
        .await;
    assert!(bad_enum["errors"][0]["extensions"]["code"].is_string(), "{bad_enum}");
    let wrong_type = app.gql(Some(&token), "{ customer(id: \"not an id\") { name } }", json!({})).await;
    assert_eq!(code(&wrong_type), "BAD_USER_INPUT");
}

#[sqlx::test(migrations = "../migrations")]
async fn deep_and_expensive_queries_are_refused_before_running(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("operator@21vianet.demo").await;
    // customer { subscriptions { customer { … } } } nested past the depth limit of 16.
    let mut deep = "friendlyName".to_owned();
    // Four levels of connections nest 20 deep: past the limit, within the parser's recursion limit.
    for _ in 0..4 {
        deep = format!("customer {{ subscriptions {{ edges {{ node {{ {deep} }} }} }} }}");
    }
    let deep = format!("{{ subscriptions {{ edges {{ node {{ {deep} }} }} }} }}");
    assert_eq!(code(&app.gql(Some(&token), &deep, json!({})).await), "QUERY_TOO_COMPLEX");
    let wide = "{ customers(first: 100) { edges { node { subscriptions(first: 100) { edges { node { offer { service { offers { name service { name offers { name billing } } } } } } } } } } } a: customers(first: 100) { edges { node { subscriptions(first: 100) { edges { node { offer { service { offers { name service { name offers { name billing } } } } } } } } } } } }";
    assert_eq!(code(&app.gql(Some(&token), wide, json!({})).await), "QUERY_TOO_COMPLEX");
}

#[sqlx::test(migrations = "../migrations")]
async fn internal_errors_say_nothing_about_sql(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("operator@21vianet.demo").await;
    sqlx::query("alter table subscription rename to subscription_moved").execute(&app.pool).await.unwrap();
    let body = app.gql(Some(&token), "{ subscriptions { totalCount } }", json!({})).await;
    assert_eq!(code(&body), "INTERNAL");
    let text = body.to_string();
    assert!(
        !text.contains("subscription_moved") && !text.contains("relation") && !text.contains("SELECT"),
        "{text}"
    );
    assert_eq!(body["errors"][0]["message"], "internal error");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_is_append_only(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    app.sign_in("admin@contoso.demo").await; // appends session.created
    let n: i64 = sqlx::query_scalar("select count(*) from audit_event").fetch_one(&app.pool).await.unwrap();
    assert!(n >= 1);
    for statement in
        ["update audit_event set action = 'x.y'", "delete from audit_event", "truncate audit_event"]
    {
        let err = sqlx::query(statement).execute(&app.pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{statement}: {err}");
    }
    let after: i64 =
        sqlx::query_scalar("select count(*) from audit_event").fetch_one(&app.pool).await.unwrap();
    assert_eq!(after, n);
}

#[test]
fn the_checked_in_schema_is_current() {
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert!(
        checked_in == multichannel::graphql::sdl(),
        "schema.graphql is stale: run `cargo xtask schema` and commit it"
    );
}

#[test]
fn every_type_and_field_has_a_description() {
    let sdl = multichannel::graphql::sdl();
    let mut missing = Vec::new();
    let mut described = false;
    let mut in_block = false;
    let mut in_schema = false;
    let mut current_type = String::new();
    for line in sdl.lines() {
        let t = line.trim();
        if t.starts_with("\"\"\"") {
            // A one-line description opens and closes on the same line.
            let one_line = t.len() > 3 && t.ends_with("\"\"\"") && t != "\"\"\"";
            if !one_line {
                in_block = !in_block;
            }
            described = true;
            continue;
        }
        if t.starts_with("schema") {
            in_schema = true;
        }
        if in_schema {
            in_schema = t != "}";
            continue;
        }
        // Lines that close a multi-line argument list belong to the field above.
        if in_block
            || t.is_empty()
            || t.starts_with('#')
            || t == "}"
            || t.starts_with(')')
            || t.starts_with("directive")
        {
            continue;
        }
        let is_type =
            ["type ", "interface ", "enum ", "input ", "scalar ", "union "].iter().any(|k| t.starts_with(k));
        if is_type {
            current_type = t.split_whitespace().nth(1).unwrap_or("").to_owned();
        }
        // Connection, edge and page-info types come from async-graphql with their own wording.
        let generated = current_type == "PageInfo"
            || current_type.ends_with("Connection")
            || current_type.ends_with("Edge")
            || ["DateTime", "NaiveDate"].contains(&current_type.as_str());
        if !described && !generated {
            missing.push(format!("{current_type}: {t}"));
        }
        described = false;
    }
    assert!(missing.is_empty(), "missing descriptions:\n{}", missing.join("\n"));
}
