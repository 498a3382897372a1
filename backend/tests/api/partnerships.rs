//! Provider–reseller partnerships.

use crate::helpers::*;
use serde_json::json;
use sqlx::PgPool;

const INVITE: &str = "mutation { invitePartnerReseller { partnership { id code url status } } }";
const ACCEPT: &str = "mutation($i: AcceptResellerPartnershipInput!) { acceptResellerPartnership(input: $i) { partnership { status provider { name } reseller { name } } } }";
const REMOVE: &str = "mutation($i: RemoveResellerPartnershipInput!) { removeResellerPartnership(input: $i) { partnership { status } } }";
const NAMED_INVITATION: &str =
    "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }";

#[sqlx::test(migrations = "../migrations")]
async fn providers_and_resellers_partner_and_part(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    assert_eq!(code(&app.gql(Some(&contoso), INVITE, json!({})).await), "FORBIDDEN");
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let tailspin = app.sign_in("admin@tailspin.demo").await;
    let tailspin_id = app.org_id("Tailspin Solutions").await;

    // Removing Tailspin's partnership keeps its customers, but Fabrikam can no longer name it.
    let list = app
        .ok(&fabrikam, "{ partnerships { edges { node { id status reseller { name } } } } }", json!({}))
        .await;
    let tailspin_partnership = nodes_of(&list["partnerships"])
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["reseller"]["name"] == "Tailspin Solutions")
        .unwrap()["id"]
        .clone();
    let removed = app.ok(&tailspin, REMOVE, json!({ "i": { "id": tailspin_partnership } })).await;
    assert_eq!(removed["removeResellerPartnership"]["partnership"]["status"], "REMOVED");
    let still = app.ok(&tailspin, "{ customers { totalCount } }", json!({})).await;
    assert_eq!(still["customers"]["totalCount"], 2, "customers stay");
    let named = json!({ "i": { "audience": "ANY_CUSTOMER", "indirectResellerId": tailspin_id } });
    assert_eq!(
        code(&app.gql(Some(&fabrikam), NAMED_INVITATION, named.clone()).await),
        "RESELLER_NOT_PARTNERED"
    );

    // A new link; a reseller already partnered cannot take it twice; Tailspin accepts.
    let invited = app.ok(&fabrikam, INVITE, json!({})).await;
    let p = &invited["invitePartnerReseller"]["partnership"];
    assert_eq!(p["status"], "PENDING");
    assert!(p["url"].as_str().unwrap().contains("/partnerships/"));
    let code_ = p["code"].as_str().unwrap().to_owned();
    let northwind = app.sign_in("admin@northwind.demo").await;
    assert_eq!(code(&app.gql(Some(&northwind), ACCEPT, json!({ "i": { "code": code_ } })).await), "CONFLICT");
    assert_eq!(code(&app.gql(Some(&fabrikam), ACCEPT, json!({ "i": { "code": code_ } })).await), "FORBIDDEN");
    let accepted = app.ok(&tailspin, ACCEPT, json!({ "i": { "code": code_ } })).await;
    assert_eq!(
        accepted["acceptResellerPartnership"]["partnership"]["reseller"]["name"],
        "Tailspin Solutions"
    );
    app.ok(&fabrikam, NAMED_INVITATION, named).await;
    let again = app.gql(Some(&tailspin), ACCEPT, json!({ "i": { "code": code_ } })).await;
    assert_eq!(code(&again), "INVALID_STATE_TRANSITION");
}
