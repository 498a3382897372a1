//! Every list is a Relay connection: walking it one item at a time gives the same items in the
//! same order as one big page, and `totalCount` counts them all.

use crate::helpers::*;
use serde_json::{Value, json};
use sqlx::PgPool;

/// (connection field with its arguments, how to reach it from `data`).
const LISTS: &[(&str, &[&str])] = &[
    ("delegatedAdminRelationships", &["delegatedAdminRelationships"]),
    ("expiringDelegatedAdminRelationships(withinDays: 730)", &["expiringDelegatedAdminRelationships"]),
    ("invitations", &["invitations"]),
    ("resellerRelationships", &["resellerRelationships"]),
    ("supportRequests", &["supportRequests"]),
    ("partnerships", &["partnerships"]),
    ("apiTokens", &["apiTokens"]),
];

fn at<'a>(data: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(data, |v, k| &v[k])
}

async fn walk(app: &TestApp, token: &str, field: &str, path: &[&str]) -> (Vec<Value>, Value) {
    let (name, args) = match field.split_once('(') {
        Some((n, a)) => (n.to_owned(), format!("{}, ", a.trim_end_matches(')'))),
        None => (field.to_owned(), String::new()),
    };
    let one = |first: usize| {
        format!(
            "query($after: String) {{ {name}({args}first: {first}, after: $after) {{ totalCount edges {{ node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )
    };
    let all = app.ok(token, &one(100), json!({ "after": null })).await;
    let expected = nodes_value(at(&all, path));
    let mut walked = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app.ok(token, &one(1), json!({ "after": after })).await;
        let conn = at(&data, path);
        walked.extend(nodes::<Value>(conn));
        assert_eq!(conn["totalCount"], at(&all, path)["totalCount"], "{field}");
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(Value::Array(walked.clone()), expected, "{field}: one at a time differs from one page");
    assert_eq!(at(&all, path)["totalCount"], walked.len(), "{field}");
    (walked, at(&all, path)["totalCount"].clone())
}

#[sqlx::test(migrations = "../migrations")]
async fn walking_one_item_at_a_time_matches_one_page_everywhere(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    for name in ["export", "backup", "audit"] {
        app.ok(
            &contoso,
            "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }",
            json!({ "i": { "name": name } }),
        )
        .await;
    }
    app.ok(
        &contoso,
        "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }",
        json!({ "i": { "audience": "ANY_CUSTOMER" } }),
    )
    .await;
    app.ok(
        &contoso,
        "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }",
        json!({ "i": { "audience": "ANY_CUSTOMER" } }),
    )
    .await;
    let mut seen_some = 0;
    for who in
        ["operator@21vianet.demo", "admin@contoso.demo", "admin@fabrikam.demo", "globaladmin@woodgrove.demo"]
    {
        let token = app.sign_in(who).await;
        for (field, path) in LISTS {
            let (walked, _) = walk(&app, &token, field, path).await;
            if walked.len() > 1 {
                seen_some += 1;
            }
        }
    }
    assert!(seen_some >= 8, "too few lists with more than one item: {seen_some}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customers_subscriptions_are_a_connection(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let op = app.sign_in("operator@21vianet.demo").await;
    let woodgrove = app.org_id("Woodgrove Bank").await;
    let page = |first: i32| {
        format!(
            "query($id: ID!, $after: String) {{ customer(id: $id) {{ subscriptions(first: {first}, after: $after) {{ totalCount edges {{ node {{ friendlyName }} }} pageInfo {{ hasNextPage endCursor }} }} }} }}"
        )
    };
    let all = app.ok(&op, &page(100), json!({ "id": woodgrove, "after": null })).await;
    let names = nodes_value(&all["customer"]["subscriptions"]);
    assert_eq!(all["customer"]["subscriptions"]["totalCount"], 4);
    let first = app.ok(&op, &page(3), json!({ "id": woodgrove, "after": null })).await;
    let conn = &first["customer"]["subscriptions"];
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    let rest =
        app.ok(&op, &page(3), json!({ "id": woodgrove, "after": conn["pageInfo"]["endCursor"] })).await;
    let mut walked = nodes::<Value>(conn);
    walked.extend(nodes::<Value>(&rest["customer"]["subscriptions"]));
    assert_eq!(Value::Array(walked), names);
    // In a page of customers, each customer's page comes from one statement for all of them.
    let many = app
        .ok(&op, "{ customers(first: 10) { edges { node { name subscriptions(first: 1) { totalCount edges { node { friendlyName } } } } } } }", json!({}))
        .await;
    for c in nodes::<Value>(&many["customers"]) {
        let n = c["subscriptions"]["edges"].as_array().unwrap().len();
        assert!(n <= 1, "{c}");
        assert_eq!(n > 0, c["subscriptions"]["totalCount"].as_i64().unwrap() > 0, "{c}");
    }
}
