//! The whole multi-channel story through the API: an indirect provider invites a customer who
//! bought online direct, naming its reseller and asking for PROVISIONING; the customer accepts,
//! grants SUPPORT to a second reseller which consents; the channel map shows it all; removal is
//! previewed and does what the preview said.

use crate::helpers::*;
use crate::invitations::{ACCEPT, CREATE, PREVIEW, service};
use serde_json::{Value, json};
use sqlx::PgPool;

const MAP: &str = "query($c: ID!) { channelMap(customerId: $c) {
    customer { name }
    services { service { name } subscriptions { friendlyName purchaseChannel partnerOfRecord { name } indirectReseller { name }
        provisioning: servicePartner(stage: PROVISIONING) { servedByOperator partner { name } }
        support: servicePartner(stage: SUPPORT) { servedByOperator partner { name } } } }
    partners { partner { name } relationshipKinds delegatedAdminRelationships { roles status endsAt services { name } } } } }";

fn names(list: &Value, path: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v.pointer(path).and_then(Value::as_str).unwrap_or("").to_owned())
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_multi_channel_story(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let proseware = app.org_id("Proseware").await;
    let northwind_id = app.org_id("Northwind Resellers").await;
    let tailspin_id = app.org_id("Tailspin Solutions").await;
    let o365 = service(&app, "Office 365").await;

    // 1. Fabrikam invites Proseware, naming Northwind, asking for PROVISIONING of Office 365.
    let fabrikam = app.sign_in("sales@fabrikam.demo").await;
    let created = app
        .ok(&fabrikam, CREATE, json!({ "i": { "audience": "CUSTOMER", "customerId": proseware, "indirectResellerId": northwind_id,
            "message": "Northwind will run your Office 365.",
            "delegatedAdmin": { "roles": ["PROVISIONING"], "serviceIds": [o365], "duration": "P1Y" } } }))
        .await;
    let code_ = created["createInvitation"]["invitation"]["code"].as_str().unwrap().to_owned();
    let northwind = app.sign_in("admin@northwind.demo").await;
    let passed_on = app.ok(&northwind, "{ invitations { edges { node { code } } } }", json!({})).await;
    assert_eq!(
        nodes_of(&passed_on["invitations"])[0]["code"],
        code_.as_str(),
        "the named reseller sees it to pass it on"
    );

    // 2. The customer's global admin sees exactly what accepting grants, and to whom.
    let admin = app.sign_in("globaladmin@proseware.demo").await;
    let preview = app.ok(&admin, PREVIEW, json!({ "c": code_ })).await;
    let p = &preview["invitationByCode"];
    assert_eq!(
        (p["partner"]["name"].as_str(), p["relationshipKind"].as_str()),
        (Some("Fabrikam Distribution"), Some("INDIRECT_PROVIDER"))
    );
    assert_eq!(p["delegatedAdminHolder"]["name"], "Northwind Resellers");
    assert_eq!(p["changes"].as_array().unwrap().len(), 3, "{p}");

    // 3. Accepting ties the customer to both, and gives Northwind PROVISIONING.
    app.ok(&admin, ACCEPT, json!({ "i": { "code": code_ } })).await;
    let sub = app.ok(&admin, "{ subscriptions { edges { node { id friendlyName } } } }", json!({})).await;
    let office = sub["subscriptions"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
    let stage = "mutation($i: AssignServicePartnerInput!) { assignServicePartner(input: $i) { subscription { isMultiChannel } } }";
    app.ok(
        &admin,
        stage,
        json!({ "i": { "subscriptionId": office, "stage": "PROVISIONING", "partnerId": northwind_id } }),
    )
    .await;

    // 4. The customer grants SUPPORT to a second reseller, which consents.
    let grant = app
        .ok(&admin, "mutation($i: GrantDelegatedAdminInput!) { grantDelegatedAdmin(input: $i) { delegatedAdminRelationship { id status } } }",
            json!({ "i": { "partnerId": tailspin_id, "terms": { "displayName": "Proseware support", "roles": ["SUPPORT"], "serviceIds": [o365], "duration": "P180D" } } }))
        .await;
    assert_eq!(grant["grantDelegatedAdmin"]["delegatedAdminRelationship"]["status"], "CONSENT_PENDING");
    let tailspin = app.sign_in("admin@tailspin.demo").await;
    app.ok(&tailspin, "mutation($i: DelegatedAdminRelationshipIdInput!) { consentToDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { status } } }",
        json!({ "i": { "id": grant["grantDelegatedAdmin"]["delegatedAdminRelationship"]["id"] } }))
        .await;
    app.ok(
        &admin,
        stage,
        json!({ "i": { "subscriptionId": office, "stage": "SUPPORT", "partnerId": tailspin_id } }),
    )
    .await;

    // Fabrikam, partner of record through Tailspin, sells Power BI too.
    let offers = app.ok(&fabrikam, "{ catalog { services { name offers { id } } } }", json!({})).await;
    let pbi_offer = offers["catalog"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Power BI")
        .unwrap()["offers"][0]["id"]
        .clone();
    app.ok(&fabrikam, "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { id } } }",
        json!({ "i": { "customerId": proseware, "offerId": pbi_offer, "friendlyName": "Proseware Power BI", "quantity": 5,
            "termDuration": "P1M", "billingCycle": "MONTHLY", "indirectResellerId": tailspin_id } }))
        .await;

    // 5. The channel map shows the whole picture.
    let map = app.ok(&admin, MAP, json!({ "c": proseware })).await;
    let services = &map["channelMap"]["services"];
    assert_eq!(names(services, "/service/name"), ["Office 365", "Power BI"]);
    let office_sub = &services[0]["subscriptions"][0];
    assert_eq!(office_sub["purchaseChannel"], "ONLINE_DIRECT");
    assert!(office_sub["partnerOfRecord"].is_null());
    assert_eq!(office_sub["provisioning"]["partner"]["name"], "Northwind Resellers");
    assert_eq!(office_sub["support"]["partner"]["name"], "Tailspin Solutions");
    let pbi_sub = &services[1]["subscriptions"][0];
    assert_eq!(
        (
            pbi_sub["purchaseChannel"].as_str(),
            pbi_sub["partnerOfRecord"]["name"].as_str(),
            pbi_sub["indirectReseller"]["name"].as_str()
        ),
        (Some("CSP_INDIRECT"), Some("Fabrikam Distribution"), Some("Tailspin Solutions"))
    );
    let partners = &map["channelMap"]["partners"];
    assert_eq!(
        names(partners, "/partner/name"),
        ["Fabrikam Distribution", "Northwind Resellers", "Tailspin Solutions"]
    );
    assert_eq!(partners[0]["relationshipKinds"], json!(["INDIRECT_PROVIDER"]));
    assert_eq!(partners[1]["relationshipKinds"], json!(["INDIRECT_RESELLER"]));
    assert_eq!(partners[1]["delegatedAdminRelationships"][0]["roles"], json!(["PROVISIONING"]));
    assert!(partners[1]["delegatedAdminRelationships"][0]["endsAt"].is_string());
    assert_eq!(partners[2]["relationshipKinds"], json!([]), "Tailspin holds delegated rights only");
    assert_eq!(partners[2]["delegatedAdminRelationships"][0]["roles"], json!(["SUPPORT"]));

    // Northwind provisions but does not transact.
    let can = app.ok(&northwind, "query($id: ID!) { subscription(id: $id) { viewerCan { assignSeats { allowed } changeQuantity { allowed reasonCode } } } }", json!({ "id": office })).await;
    assert_eq!(can["subscription"]["viewerCan"]["assignSeats"]["allowed"], true);
    assert_eq!(can["subscription"]["viewerCan"]["changeQuantity"]["reasonCode"], "NOT_PARTNER_OF_RECORD");
    // The partner's book shows the customer with its kinds, roles and channels.
    let book = app.ok(&northwind, "{ customers(filter: {search: \"Proseware\"}) { edges { node { viewerRelationshipKinds viewerDelegatedAdminRelationships { roles } subscriptionCounts { channel count } } } } }", json!({})).await;
    assert_eq!(
        book["customers"]["edges"][0]["node"],
        json!({ "viewerRelationshipKinds": ["INDIRECT_RESELLER"],
        "viewerDelegatedAdminRelationships": [{ "roles": ["PROVISIONING"] }], "subscriptionCounts": [{ "channel": "ONLINE_DIRECT", "count": 1 }] })
    );

    // 6. Removal: previewed, then done exactly as previewed.
    let rels = app
        .ok(
            &admin,
            "{ resellerRelationships(filter: {status: \"ACTIVE\"}) { edges { node { id partner { name } kind } } } }",
            json!({}),
        )
        .await;
    let rel = |name: &str| {
        nodes_of(&rels["resellerRelationships"])
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["partner"]["name"] == name)
            .unwrap()["id"]
            .clone()
    };
    let preview_q = "query($id: ID!) { resellerRelationshipRemovalPreview(id: $id) { blocked blockingSubscriptions { friendlyName } endingDelegatedAdminRelationships { roles } releasedSubscriptions { friendlyName } } }";
    let remove = "mutation($i: RemoveResellerRelationshipInput!) { removeResellerRelationship(input: $i) { removed { relationship { status } endingDelegatedAdminRelationships { roles } releasedSubscriptions { friendlyName } } } }";

    let blocked = app.ok(&admin, preview_q, json!({ "id": rel("Fabrikam Distribution") })).await;
    assert_eq!(blocked["resellerRelationshipRemovalPreview"]["blocked"], true);
    assert_eq!(
        blocked["resellerRelationshipRemovalPreview"]["blockingSubscriptions"],
        json!([{ "friendlyName": "Proseware Power BI" }])
    );
    let refused = app.gql(Some(&admin), remove, json!({ "i": { "id": rel("Fabrikam Distribution") } })).await;
    assert_eq!(code(&refused), "ACTIVE_SUBSCRIPTIONS_EXIST");
    assert_eq!(
        refused["errors"][0]["extensions"]["details"]["subscriptions"][0]["friendlyName"],
        "Proseware Power BI"
    );

    let preview = app.ok(&admin, preview_q, json!({ "id": rel("Northwind Resellers") })).await;
    let p = &preview["resellerRelationshipRemovalPreview"];
    assert_eq!(p["blocked"], false);
    assert_eq!(p["endingDelegatedAdminRelationships"], json!([{ "roles": ["PROVISIONING"] }]));
    assert_eq!(p["releasedSubscriptions"], json!([{ "friendlyName": "Proseware Office 365 E1" }]));
    let done = app.ok(&admin, remove, json!({ "i": { "id": rel("Northwind Resellers") } })).await;
    let d = &done["removeResellerRelationship"]["removed"];
    assert_eq!(d["relationship"]["status"], "REMOVED");
    assert_eq!(d["endingDelegatedAdminRelationships"], p["endingDelegatedAdminRelationships"]);
    assert_eq!(d["releasedSubscriptions"], p["releasedSubscriptions"]);

    let map = app.ok(&admin, MAP, json!({ "c": proseware })).await;
    let office_sub = &map["channelMap"]["services"][0]["subscriptions"][0];
    assert_eq!(
        office_sub["provisioning"]["servedByOperator"], true,
        "provisioning falls back to the operator"
    );
    assert_eq!(office_sub["support"]["partner"]["name"], "Tailspin Solutions", "others are untouched");
    assert_eq!(
        names(&map["channelMap"]["partners"], "/partner/name"),
        ["Fabrikam Distribution", "Tailspin Solutions"]
    );
    let gone =
        app.ok(&northwind, "{ customers(filter: {search: \"Proseware\"}) { totalCount } }", json!({})).await;
    assert_eq!(gone["customers"]["totalCount"], 0, "the customer leaves Northwind's list");

    // The audit log tells the story to the customer, and nothing of it to a stranger.
    let log = app.ok(&admin, "{ auditEvents(first: 100) { edges { node { action } } } }", json!({})).await;
    let actions = names(&log["auditEvents"]["edges"], "/node/action");
    for a in [
        "invitation.accepted",
        "delegated_admin.activated",
        "delegated_admin.granted",
        "delegated_admin.consented",
        "subscription.service_partner_assigned",
        "subscription.created",
        "reseller_relationship.removed",
        "delegated_admin.terminated",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let contoso = app.sign_in("admin@contoso.demo").await;
    let stranger = app
        .ok(
            &contoso,
            "query($c: ID) { auditEvents(filter: {customerId: $c}) { edges { node { action } } } }",
            json!({ "c": proseware }),
        )
        .await;
    assert_eq!(stranger["auditEvents"]["edges"], json!([]));
}
