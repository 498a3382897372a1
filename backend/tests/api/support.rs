//! Support requests: who opens them, who works them, escalation to the operator.

use crate::helpers::*;
use serde_json::json;
use sqlx::PgPool;

const OPEN: &str = "mutation($i: OpenSupportRequestInput!) { openSupportRequest(input: $i) { supportRequest { id status supportPartner { name } } } }";
const UPDATE: &str = "mutation($i: UpdateSupportRequestInput!) { updateSupportRequest(input: $i) { supportRequest { status comments } } }";
const ESCALATE: &str = "mutation($i: EscalateSupportRequestInput!) { escalateSupportRequest(input: $i) { supportRequest { status escalatedAt } } }";

#[sqlx::test(migrations = "../migrations")]
async fn the_support_partner_works_a_request_and_escalates_it_to_the_operator(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let admin = app.sign_in("globaladmin@woodgrove.demo").await;
    let subs = app.ok(&admin, "{ subscriptions { edges { node { id friendlyName } } } }", json!({})).await;
    let office = subs["subscriptions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["friendlyName"] == "Woodgrove Office 365 E3")
        .unwrap()["node"]["id"]
        .clone();
    // Woodgrove's Office 365 support is Tailspin's.
    let opened =
        app.ok(&admin, OPEN, json!({ "i": { "subscriptionId": office, "title": "Mail is slow" } })).await;
    let r = &opened["openSupportRequest"]["supportRequest"];
    assert_eq!(
        (r["status"].as_str(), r["supportPartner"]["name"].as_str()),
        (Some("OPEN"), Some("Tailspin Solutions"))
    );
    let id = r["id"].clone();

    let contoso = app.sign_in("admin@contoso.demo").await;
    assert_eq!(
        code(&app.gql(Some(&contoso), UPDATE, json!({ "i": { "id": id, "status": "IN_PROGRESS" } })).await),
        "NOT_FOUND"
    );
    let operator = app.sign_in("operator@21vianet.demo").await;
    assert_eq!(
        code(&app.gql(Some(&operator), UPDATE, json!({ "i": { "id": id, "status": "IN_PROGRESS" } })).await),
        "NOT_FOUND",
        "not escalated yet"
    );

    let tailspin = app.sign_in("admin@tailspin.demo").await;
    let working = app
        .ok(&tailspin, UPDATE, json!({ "i": { "id": id, "status": "IN_PROGRESS", "comment": "Looking" } }))
        .await;
    assert_eq!(working["updateSupportRequest"]["supportRequest"]["status"], "IN_PROGRESS");
    let escalated =
        app.ok(&tailspin, ESCALATE, json!({ "i": { "id": id, "comment": "Needs the operator" } })).await;
    assert_eq!(escalated["escalateSupportRequest"]["supportRequest"]["status"], "ESCALATED");
    let seen = app
        .ok(&operator, "{ supportRequests(status: ESCALATED) { edges { node { title } } } }", json!({}))
        .await;
    assert_eq!(nodes_of(&seen["supportRequests"]), json!([{ "title": "Mail is slow" }]));
    let resolved = app
        .ok(&operator, UPDATE, json!({ "i": { "id": id, "status": "RESOLVED", "comment": "Fixed" } }))
        .await;
    assert_eq!(resolved["updateSupportRequest"]["supportRequest"]["comments"].as_array().unwrap().len(), 3);
    let again = app.gql(Some(&admin), ESCALATE, json!({ "i": { "id": id } })).await;
    assert_eq!(code(&again), "INVALID_STATE_TRANSITION");
    assert_eq!(again["errors"][0]["extensions"]["details"]["state"], "RESOLVED");

    // A partner without SUPPORT for the service cannot open one.
    let northwind = app.sign_in("admin@northwind.demo").await;
    let pbi = app.ok(&northwind, "{ subscriptions { edges { node { id friendlyName } } } }", json!({})).await;
    let woodgrove_pbi = pbi["subscriptions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["friendlyName"] == "Woodgrove Power BI Pro")
        .unwrap()["node"]["id"]
        .clone();
    assert_eq!(
        code(
            &app.gql(
                Some(&northwind),
                OPEN,
                json!({ "i": { "subscriptionId": woodgrove_pbi, "title": "x" } })
            )
            .await
        ),
        "DELEGATED_ROLE_REQUIRED"
    );
}
