//! The read side: channels, partners of record, stage partners, time-bound state, pagination,
//! filters and the catalogue.

use crate::helpers::*;
use chrono::Duration;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};

const ALL_SUBSCRIPTIONS: &str = "{ subscriptions(first: 100) { totalCount edges { node {
    id friendlyName purchaseChannel status quantity assignedSeats availableSeats suspendedAt dataDeletionDate
    partnerOfRecord { name } indirectReseller { name } isMultiChannel
    servicePartners { stage servedByOperator delegated partner { name } }
    offer { name billing service { name } } customer { name } } } } }";

async fn all_subscriptions(app: &TestApp) -> BTreeMap<String, Value> {
    let op = app.sign_in("operator@21vianet.demo").await;
    let data = app.ok(&op, ALL_SUBSCRIPTIONS, json!({})).await;
    nodes::<Value>(&data["subscriptions"])
        .into_iter()
        .map(|n| (n["friendlyName"].as_str().unwrap().to_owned(), n))
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn every_demo_subscription_has_its_channel_and_partner_of_record(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let subs = all_subscriptions(&app).await;
    let expected: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        ("Woodgrove Office 365 E3", "ONLINE_DIRECT", None, None),
        ("Woodgrove Dynamics 365 Sales", "CSP_DIRECT", Some("Contoso Cloud Direct"), None),
        (
            "Woodgrove Power BI Pro",
            "CSP_INDIRECT",
            Some("Fabrikam Distribution"),
            Some("Northwind Resellers"),
        ),
        ("Woodgrove Azure plan", "ADVISOR", Some("Adatum Advisory"), None),
        ("Alpine Office 365 E1", "ONLINE_DIRECT", None, None),
        ("Coho Office 365 E3", "CSP_DIRECT", Some("Contoso Cloud Direct"), None),
        ("Coho Azure plan", "CSP_DIRECT", Some("Contoso Cloud Direct"), None),
        ("Fourth Coffee Office 365 E1", "ADVISOR", Some("Adatum Advisory"), None),
        ("Fourth Coffee Power BI Pro", "CSP_DIRECT", Some("Adatum Advisory"), None),
        ("Margie's Office 365 E3", "CSP_INDIRECT", Some("Fabrikam Distribution"), Some("Tailspin Solutions")),
        ("Margie's Dynamics 365 Sales", "ADVISOR", Some("Litware Advisors"), None),
        ("Proseware Office 365 E1", "ONLINE_DIRECT", None, None),
    ];
    assert_eq!(subs.len(), expected.len());
    for (name, channel, partner, reseller) in expected {
        let s = &subs[*name];
        assert_eq!(s["purchaseChannel"], *channel, "{name}");
        assert_eq!(s["partnerOfRecord"]["name"].as_str(), *partner, "{name}");
        assert_eq!(s["indirectReseller"]["name"].as_str(), *reseller, "{name}");
        // Sales and renewal stay with the channel.
        for stage in [0, 3] {
            assert_eq!(s["servicePartners"][stage]["partner"]["name"].as_str(), *partner, "{name}");
            assert_eq!(s["servicePartners"][stage]["servedByOperator"], partner.is_none(), "{name}");
        }
    }
    // The database holds the channel rule too.
    let refused = sqlx::query(
        "update subscription set partner_of_record_id = null where purchase_channel = 'CSP_DIRECT'",
    )
    .execute(&app.pool)
    .await
    .unwrap_err();
    assert!(refused.to_string().contains("subscription_partner_of_record_matches_channel"), "{refused}");
}

#[sqlx::test(migrations = "../migrations")]
async fn provisioning_and_support_show_the_multi_channel_partner(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let subs = all_subscriptions(&app).await;
    let alpine = &subs["Alpine Office 365 E1"];
    assert_eq!(alpine["isMultiChannel"], true);
    assert_eq!(
        alpine["servicePartners"][1],
        json!({ "stage": "PROVISIONING", "servedByOperator": false, "delegated": true, "partner": { "name": "Northwind Resellers" } })
    );
    assert_eq!(alpine["servicePartners"][2]["partner"]["name"], "Northwind Resellers");
    let woodgrove = &subs["Woodgrove Office 365 E3"];
    assert_eq!(woodgrove["servicePartners"][1]["servedByOperator"], true);
    assert_eq!(woodgrove["servicePartners"][2]["partner"]["name"], "Tailspin Solutions");
    let coho = &subs["Coho Azure plan"];
    assert_eq!(coho["isMultiChannel"], false);
    assert_eq!(coho["servicePartners"][1]["partner"]["name"], "Contoso Cloud Direct");
}

#[sqlx::test(migrations = "../migrations")]
async fn support_falls_back_to_the_channel_when_the_delegated_role_ends(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Tailspin's SUPPORT on Woodgrove started 70 days ago for 90 days.
    app.advance(Duration::days(21));
    let subs = all_subscriptions(&app).await;
    let woodgrove = &subs["Woodgrove Office 365 E3"];
    assert_eq!(woodgrove["servicePartners"][2]["servedByOperator"], true, "{woodgrove:#}");
    assert_eq!(woodgrove["isMultiChannel"], false);
    let tailspin = app.sign_in("admin@tailspin.demo").await;
    let names = visible_subscription_names(&app, &tailspin).await;
    assert_eq!(
        names,
        vec!["Margie's Office 365 E3"],
        "the expired grant no longer shows Woodgrove's subscription"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn suspended_subscriptions_show_their_deletion_date_and_are_deleted_after_60_days(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let subs = all_subscriptions(&app).await;
    let coho = &subs["Coho Office 365 E3"];
    assert_eq!(coho["status"], "SUSPENDED");
    let suspended = chrono::DateTime::parse_from_rfc3339(coho["suspendedAt"].as_str().unwrap()).unwrap();
    let deletion = chrono::DateTime::parse_from_rfc3339(coho["dataDeletionDate"].as_str().unwrap()).unwrap();
    assert_eq!(deletion - suspended, Duration::days(60));
    assert!(subs["Coho Azure plan"]["dataDeletionDate"].is_null());

    // Suspended 10 days before the test start: deleted 50 days later, with no job having run.
    app.advance(Duration::days(50));
    let subs = all_subscriptions(&app).await;
    assert_eq!(subs["Coho Office 365 E3"]["status"], "DELETED");
    assert!(subs["Coho Office 365 E3"]["dataDeletionDate"].is_null());
    let op = app.sign_in("operator@21vianet.demo").await;
    let deleted = app.ok(&op, "{ subscriptions(filter: {status: DELETED}) { totalCount } }", json!({})).await;
    assert_eq!(deleted["subscriptions"]["totalCount"], 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_cover_everything_once_in_a_stable_order(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let op = app.sign_in("operator@21vianet.demo").await;
    for page_size in [1, 2, 5, 12, 100] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut total = None;
        loop {
            let data = app
                .ok(
                    &op,
                    "query($n: Int, $a: String) { subscriptions(first: $n, after: $a) { totalCount edges { cursor node { friendlyName } } pageInfo { hasNextPage hasPreviousPage endCursor } } }",
                    json!({ "n": page_size, "a": after }),
                )
                .await;
            let c = &data["subscriptions"];
            total = total.or(c["totalCount"].as_u64());
            assert_eq!(c["pageInfo"]["hasPreviousPage"], after.is_some());
            let edges = c["edges"].as_array().unwrap();
            assert!(edges.len() <= page_size);
            seen.extend(edges.iter().map(|e| e["node"]["friendlyName"].as_str().unwrap().to_owned()));
            if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no duplicates with pages of {page_size}");
        assert_eq!(seen.len() as u64, total.unwrap(), "no gaps with pages of {page_size}");
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "ordered by name");
    }
    for bad in [0, 101, -1] {
        let body = app
            .gql(Some(&op), "query($n: Int) { customers(first: $n) { totalCount } }", json!({ "n": bad }))
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "first: {bad}");
    }
    let body = app.gql(Some(&op), "{ customers(after: \"not-a-cursor\") { totalCount } }", json!({})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

#[sqlx::test(migrations = "../migrations")]
async fn subscriptions_filter_by_channel_status_service_partner_and_stage(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let op = app.sign_in("operator@21vianet.demo").await;
    let names = |data: &Value| -> Vec<String> {
        nodes::<Named>(&data["subscriptions"]).into_iter().map(|s| s.name).collect()
    };
    let q = "query($f: SubscriptionFilter) { subscriptions(first: 100, filter: $f) { totalCount edges { node { friendlyName } } } }";
    let online = app.ok(&op, q, json!({ "f": { "channel": "ONLINE_DIRECT" } })).await;
    assert_eq!(
        names(&online),
        vec!["Alpine Office 365 E1", "Proseware Office 365 E1", "Woodgrove Office 365 E3"]
    );
    let suspended = app.ok(&op, q, json!({ "f": { "status": "SUSPENDED" } })).await;
    assert_eq!(names(&suspended), vec!["Coho Office 365 E3"]);
    let northwind = app.org_id("Northwind Resellers").await;
    let provisioned =
        app.ok(&op, q, json!({ "f": { "partnerId": northwind, "stage": "PROVISIONING" } })).await;
    assert_eq!(names(&provisioned), vec!["Alpine Office 365 E1"]);
    let involved = app.ok(&op, q, json!({ "f": { "partnerId": northwind } })).await;
    assert_eq!(names(&involved), vec!["Alpine Office 365 E1", "Woodgrove Power BI Pro"]);
    let multi = app.ok(&op, q, json!({ "f": { "stage": "SUPPORT" } })).await;
    assert_eq!(names(&multi), vec!["Alpine Office 365 E1", "Woodgrove Office 365 E3"]);
    let woodgrove = app.org_id("Woodgrove Bank").await;
    let catalog =
        app.ok(&op, "{ catalog { services { id name offers { name billing } } } }", json!({})).await;
    let power_bi =
        catalog["catalog"]["services"].as_array().unwrap().iter().find(|s| s["name"] == "Power BI").unwrap();
    assert_eq!(power_bi["offers"], json!([{ "name": "Power BI Pro", "billing": "LICENSE" }]));
    let both = app.ok(&op, q, json!({ "f": { "customerId": woodgrove, "serviceId": power_bi["id"] } })).await;
    assert_eq!(names(&both), vec!["Woodgrove Power BI Pro"]);
    assert_eq!(both["subscriptions"]["totalCount"], 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn every_object_is_reachable_by_its_global_id(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let op = app.sign_in("operator@21vianet.demo").await;
    let data = app
        .ok(&op, "{ viewer { user { id } organization { id } } subscriptions(first: 1) { edges { node { id offer { id service { id } } customer { id } partnerOfRecord { id } } } } }", json!({}))
        .await;
    let node = &data["subscriptions"]["edges"][0]["node"];
    let ids = [
        (&data["viewer"]["user"]["id"], "User"),
        (&data["viewer"]["organization"]["id"], "Operator"),
        (&node["id"], "Subscription"),
        (&node["offer"]["id"], "Offer"),
        (&node["offer"]["service"]["id"], "Service"),
        (&node["customer"]["id"], "Customer"),
    ];
    for (id, typename) in ids {
        let found =
            app.ok(&op, "query($id: ID!) { node(id: $id) { __typename id } }", json!({ "id": id })).await;
        assert_eq!(found["node"]["__typename"], typename);
        assert_eq!(&found["node"]["id"], id);
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn graphql_also_answers_get_requests(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let resp = app
        .client
        .get("/graphql")
        .query("query", &"{ viewer { organization { name } } }")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    let body: Value = resp.json().await.value().deserialize();
    assert_eq!(body["data"]["viewer"]["organization"]["name"], "Contoso Cloud Direct");
}
