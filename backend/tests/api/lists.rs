//! Lists: the audit log searched in words with its details named under the viewer's scope, and
//! partnerships filtered by status and ordered active first, paged by keyset in every order.

use crate::helpers::*;
use serde_json::{Value, json};
use sqlx::PgPool;

const AUDIT: &str =
    "query($s: String, $after: String) { auditEvents(filter: { search: $s }, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { action actionLabel subjectLabel actor { displayName } actorOrganization { name }
        subject { id kind name } customer { id name } fields { label value target { id kind name } } } } }";
const QUANTITY: &str = "mutation($i: ChangeSubscriptionQuantityInput!) { changeSubscriptionQuantity(input: $i) { subscription { quantity } } }";
const INVITE: &str = "mutation { invitePartnerReseller { partnership { id } } }";
const PARTNERSHIPS: &str = "query($f: PartnershipFilter, $o: PartnershipOrder, $first: Int, $after: String) {
    partnerships(filter: $f, orderBy: $o, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id status createdAt } } }";

async fn events(app: &TestApp, token: &str, search: &str) -> Vec<Value> {
    let data = app.ok(token, AUDIT, json!({ "s": search })).await;
    data["auditEvents"]["nodes"].as_array().unwrap().clone()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_is_searched_in_words_and_names_only_what_the_viewer_reads(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let sub = app.sub_id("Woodgrove Dynamics 365 Sales").await;
    app.ok(&contoso, QUANTITY, json!({ "i": { "subscriptionId": sub, "quantity": 41 } })).await;
    app.ok(&fabrikam, INVITE, json!({})).await;

    // Words find the event; the person who acted is named to their own organization.
    let found = events(&app, &contoso, "quantity").await;
    let e = found.iter().find(|e| e["action"] == "subscription.quantity_changed").expect("found by words");
    assert_eq!(e["actionLabel"], "Subscription quantity changed");
    assert_eq!(e["actor"]["displayName"], "admin");
    assert_eq!(e["actorOrganization"]["name"], "Contoso Cloud Direct");
    assert_eq!(e["subject"]["kind"], "Subscription");
    assert_eq!(e["subject"]["name"], "Woodgrove Dynamics 365 Sales");
    assert_eq!(e["subject"]["id"], json!(sub));
    assert_eq!(e["customer"]["name"], "Woodgrove Bank");
    assert!(e["fields"].as_array().unwrap().iter().any(|f| f["label"] == "Subscription name"));
    assert!(events(&app, &contoso, "subscription quantity").await.len() == found.len());
    assert!(
        events(&app, &contoso, "invitation")
            .await
            .iter()
            .all(|e| e["action"] != "subscription.quantity_changed")
    );

    // Another tenant finds none of it; Fabrikam finds its own link in words.
    assert!(
        events(&app, &fabrikam, "quantity").await.is_empty(),
        "Contoso's change is not Fabrikam's to read"
    );
    let links = events(&app, &fabrikam, "partnership link").await;
    assert!(
        links.iter().any(|e| e["action"] == "partnership.invited" && e["actor"]["displayName"] == "admin")
    );

    // The customer reads the event about it, but not the person at its partner.
    let billing = app.sign_in("billing@woodgrove.demo").await;
    let seen = events(&app, &billing, "quantity").await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["actor"], Value::Null, "another organization's people stay unnamed");
    assert_eq!(seen[0]["actorOrganization"]["name"], "Contoso Cloud Direct");
    // A customer's USER reads no records, so no events.
    let user = app.sign_in("user@woodgrove.demo").await;
    assert!(events(&app, &user, "").await.is_empty());

    // A search is bounded and refused cleanly.
    let long = "x".repeat(101);
    assert_eq!(code(&app.gql(Some(&contoso), AUDIT, json!({ "s": long })).await), "BAD_USER_INPUT");
    assert_eq!(code(&app.gql(Some(&contoso), AUDIT, json!({ "s": "a\u{0}b" })).await), "BAD_USER_INPUT");
}

fn ids(data: &Value) -> Vec<String> {
    data["partnerships"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page of one order, walked with `first: 2`.
async fn walk(app: &TestApp, token: &str, filter: Value, order: Value) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = Value::Null;
    loop {
        let data =
            app.ok(token, PARTNERSHIPS, json!({ "f": filter, "o": order, "first": 2, "after": after })).await;
        all.extend(data["partnerships"]["nodes"].as_array().unwrap().iter().cloned());
        if data["partnerships"]["pageInfo"]["hasNextPage"] != true {
            return all;
        }
        after = data["partnerships"]["pageInfo"]["endCursor"].clone();
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn partnerships_come_active_first_filtered_and_paged_in_every_order(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    for _ in 0..5 {
        app.ok(&fabrikam, INVITE, json!({})).await;
        app.advance(chrono::Duration::minutes(1));
    }
    let all = app.ok(&fabrikam, PARTNERSHIPS, json!({ "first": 100 })).await;
    let total = all["partnerships"]["totalCount"].as_i64().unwrap() as usize;
    let statuses: Vec<&str> = all["partnerships"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].as_str().unwrap())
        .collect();
    assert!(statuses.len() >= 7);
    let first_pending = statuses.iter().position(|s| *s == "PENDING").unwrap();
    assert!(
        statuses[..first_pending].iter().all(|s| *s == "ACTIVE") && first_pending >= 2,
        "active first: {statuses:?}"
    );

    for order in [
        Value::Null,
        json!({ "field": "STATUS", "direction": "DESC" }),
        json!({ "field": "CREATED_AT", "direction": "ASC" }),
        json!({ "field": "CREATED_AT", "direction": "DESC" }),
    ] {
        let walked = walk(&app, &fabrikam, Value::Null, order.clone()).await;
        let mut seen: Vec<&str> = walked.iter().map(|n| n["id"].as_str().unwrap()).collect();
        assert_eq!(seen.len(), total, "every row once in {order}");
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), total, "no row twice in {order}");
    }
    let oldest_first = walk(&app, &fabrikam, Value::Null, json!({ "field": "CREATED_AT" })).await;
    let times: Vec<&str> = oldest_first.iter().map(|n| n["createdAt"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));

    // The filter, at "now": pending links read EXPIRED once past their 30 days.
    let pending = walk(&app, &fabrikam, json!({ "status": "PENDING" }), Value::Null).await;
    assert_eq!(pending.len(), 5);
    app.advance(chrono::Duration::days(31));
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    assert!(walk(&app, &fabrikam, json!({ "status": "PENDING" }), Value::Null).await.is_empty());
    let expired = app.ok(&fabrikam, PARTNERSHIPS, json!({ "f": { "status": "EXPIRED" } })).await;
    assert_eq!(expired["partnerships"]["totalCount"], 5);

    // Another tenant sees none of Fabrikam's links; a cursor of another order is bad input.
    let contoso = app.sign_in("admin@contoso.demo").await;
    let theirs = app.ok(&contoso, PARTNERSHIPS, json!({ "first": 100 })).await;
    assert!(ids(&theirs).iter().all(|id| !ids(&all).contains(id)));
    let page = app.ok(&fabrikam, PARTNERSHIPS, json!({ "first": 1 })).await;
    let cursor = page["partnerships"]["pageInfo"]["endCursor"].clone();
    let other = app
        .gql(Some(&fabrikam), PARTNERSHIPS, json!({ "o": { "field": "CREATED_AT" }, "after": cursor }))
        .await;
    assert_eq!(code(&other), "BAD_USER_INPUT");
    let customer = app.sign_in("globaladmin@woodgrove.demo").await;
    assert_eq!(app.ok(&customer, PARTNERSHIPS, json!({})).await["partnerships"]["totalCount"], 0);
}

const SUBSCRIPTIONS: &str = "query($f: SubscriptionFilter, $o: SubscriptionOrder, $after: String) {
    subscriptions(filter: $f, orderBy: $o, first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { id friendlyName quantity } } }";

#[sqlx::test(migrations = "../migrations")]
async fn subscriptions_sort_by_column_and_search_by_name_within_the_viewers_scope(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    for email in
        ["admin@fabrikam.demo", "admin@contoso.demo", "operator@21vianet.demo", "billing@woodgrove.demo"]
    {
        let token = app.sign_in(email).await;
        let visible = visible_subscription_names(&app, &token).await;
        for order in [
            json!({ "field": "QUANTITY", "direction": "DESC" }),
            json!({ "field": "CREATED_AT" }),
            json!({ "field": "NAME", "direction": "DESC" }),
        ] {
            let mut walked = Vec::new();
            let mut after = Value::Null;
            loop {
                let data = app.ok(&token, SUBSCRIPTIONS, json!({ "o": order, "after": after })).await;
                walked.extend(data["subscriptions"]["nodes"].as_array().unwrap().iter().cloned());
                if data["subscriptions"]["pageInfo"]["hasNextPage"] != true {
                    break;
                }
                after = data["subscriptions"]["pageInfo"]["endCursor"].clone();
            }
            let mut names: Vec<String> =
                walked.iter().map(|n| n["friendlyName"].as_str().unwrap().to_owned()).collect();
            if order["field"] == "QUANTITY" {
                let q: Vec<i64> = walked.iter().map(|n| n["quantity"].as_i64().unwrap()).collect();
                assert!(q.windows(2).all(|w| w[0] >= w[1]), "{email}: {q:?}");
            }
            names.sort();
            let mut expected = visible.clone();
            expected.sort();
            assert_eq!(names, expected, "{email} in {order}: the same rows as the default list, once each");
        }
        // The search narrows within what the viewer sees, never beyond it.
        let found = app.ok(&token, "query($f: SubscriptionFilter) { subscriptions(filter: $f, first: 100) { nodes { friendlyName } } }", json!({ "f": { "search": "woodgrove" } })).await;
        for n in found["subscriptions"]["nodes"].as_array().unwrap() {
            let name = n["friendlyName"].as_str().unwrap();
            assert!(
                name.to_lowercase().contains("woodgrove") && visible.iter().any(|v| v == name),
                "{email}: {name}"
            );
        }
    }
}
