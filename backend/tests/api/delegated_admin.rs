//! The delegated admin lifecycle through the API, its validation, time, and the
//! one-exclusive-holder invariant (also under concurrency).

use crate::helpers::*;
use chrono::Duration;
use serde_json::{Value, json};
use sqlx::PgPool;

const FIELDS: &str = "delegatedAdminRelationship { id displayName status roles duration autoExtend endsAt expiresSoon origin partner { name } customer { name } services { name } }";

fn m(name: &str, input_type: &str) -> String {
    format!("mutation($i: {input_type}!) {{ {name}(input: $i) {{ {FIELDS} }} }}")
}

fn terms(name: &str, roles: &[&str], services: &[&str], duration: &str, auto_extend: &str) -> Value {
    json!({ "displayName": name, "roles": roles, "serviceIds": services, "duration": duration, "autoExtend": auto_extend })
}

#[sqlx::test(migrations = "../migrations")]
async fn a_partner_request_goes_from_draft_to_active(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let coho = app.org_id("Coho Winery").await;
    let azure = service_id(&app, &contoso, "Azure").await;
    let create = m("createDelegatedAdminRelationship", "CreateDelegatedAdminRelationshipInput");
    let draft = app.ok(&contoso, &create, json!({ "i": { "customerId": coho, "terms": terms("Coho Azure ops", &["SUPPORT"], &[&azure], "P90D", "P0D") } })).await;
    let r = &draft["createDelegatedAdminRelationship"]["delegatedAdminRelationship"];
    assert_eq!(r["status"], "CREATED");
    let id = r["id"].as_str().unwrap().to_owned();

    let updated = app
        .ok(&contoso, &m("updateDelegatedAdminRelationship", "UpdateDelegatedAdminRelationshipInput"),
            json!({ "i": { "id": id, "terms": terms("Coho Azure ops", &["SUPPORT", "PROVISIONING"], &[&azure], "P1Y", "P180D") } }))
        .await;
    assert_eq!(
        updated["updateDelegatedAdminRelationship"]["delegatedAdminRelationship"]["roles"],
        json!(["PROVISIONING", "SUPPORT"])
    );

    let idm = |name: &str| m(name, "DelegatedAdminRelationshipIdInput");
    let pending = app.ok(&contoso, &idm("requestDelegatedAdminApproval"), json!({ "i": { "id": id } })).await;
    assert_eq!(
        pending["requestDelegatedAdminApproval"]["delegatedAdminRelationship"]["status"],
        "APPROVAL_PENDING"
    );
    // Locked now: no more edits, and only the customer approves.
    let body =
        app.gql(Some(&contoso), &idm("deleteDelegatedAdminRelationship"), json!({ "i": { "id": id } })).await;
    assert_eq!(code(&body), "INVALID_STATE_TRANSITION");
    assert_eq!(body["errors"][0]["extensions"]["details"]["state"], "APPROVAL_PENDING");
    let approve = m("approveDelegatedAdminRelationship", "ApproveDelegatedAdminRelationshipInput");
    assert_eq!(code(&app.gql(Some(&contoso), &approve, json!({ "i": { "id": id } })).await), "FORBIDDEN");

    let coho_admin = app.sign_in("globaladmin@cohowinery.demo").await;
    let active = app.ok(&coho_admin, &approve, json!({ "i": { "id": id } })).await;
    let r = &active["approveDelegatedAdminRelationship"]["delegatedAdminRelationship"];
    assert_eq!(r["status"], "ACTIVE");
    let ends = chrono::DateTime::parse_from_rfc3339(r["endsAt"].as_str().unwrap()).unwrap();
    assert_eq!(ends.to_utc() - start_of_tests(), Duration::days(365));

    // Auto-extension keeps it going past its end.
    app.advance(Duration::days(400));
    let coho_admin = app.sign_in("globaladmin@cohowinery.demo").await;
    let later = app
        .ok(
            &coho_admin,
            "query($id: ID!) { node(id: $id) { ... on DelegatedAdminRelationship { status endsAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(later["node"]["status"], "ACTIVE");
    let actions: Vec<String> = sqlx::query_scalar("select action from audit_event where subject_type = 'DelegatedAdminRelationship' order by audit_event_id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        actions,
        [
            "delegated_admin.created",
            "delegated_admin.updated",
            "delegated_admin.approval_requested",
            "delegated_admin.activated",
            "delegated_admin.approved"
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn terms_are_validated(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let coho = app.org_id("Coho Winery").await;
    let azure = service_id(&app, &contoso, "Azure").await;
    let create = m("createDelegatedAdminRelationship", "CreateDelegatedAdminRelationshipInput");
    for (t, why) in [
        (terms("", &["SUPPORT"], &[&azure], "P90D", "P0D"), "empty name"),
        (terms(&"x".repeat(51), &["SUPPORT"], &[&azure], "P90D", "P0D"), "long name"),
        (terms("a", &["SUPPORT"], &[&azure], "P3Y", "P0D"), "too long"),
        (terms("a", &["SUPPORT"], &[&azure], "90 days", "P0D"), "not ISO-8601"),
        (terms("a", &["SUPPORT"], &[&azure], "P90D", "P30D"), "bad auto-extend"),
        (terms("a", &["GLOBAL_ADMIN"], &[&azure], "P90D", "P180D"), "auto-extend with GLOBAL_ADMIN"),
        (terms("a", &[], &[&azure], "P90D", "P0D"), "no role"),
        (terms("a", &["SUPPORT"], &[], "P90D", "P0D"), "no service"),
    ] {
        let body = app.gql(Some(&contoso), &create, json!({ "i": { "customerId": coho, "terms": t } })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{why}");
    }
    let ok = json!({ "i": { "customerId": coho, "terms": terms("Same name", &["SUPPORT"], &[&azure], "P1D", "P0D") } });
    app.ok(&contoso, &create, ok.clone()).await;
    assert_eq!(
        code(&app.gql(Some(&contoso), &create, ok).await),
        "CONFLICT",
        "display names are unique per partner"
    );
    let coho_admin = app.sign_in("globaladmin@cohowinery.demo").await;
    let seen = app
        .ok(&coho_admin, "{ delegatedAdminRelationships { edges { node { displayName } } } }", json!({}))
        .await;
    assert_eq!(
        nodes_of(&seen["delegatedAdminRelationships"]),
        json!([]),
        "a partner's draft is not the customer's business yet"
    );
    let sales = app.sign_in("sales@contoso.demo").await;
    let body = app.gql(Some(&sales), &create, json!({ "i": { "customerId": coho, "terms": terms("b", &["SUPPORT"], &[&azure], "P1D", "P0D") } })).await;
    assert_eq!(code(&body), "FORBIDDEN");
    let proseware = app.org_id("Proseware").await;
    let body = app.gql(Some(&contoso), &create, json!({ "i": { "customerId": proseware, "terms": terms("c", &["SUPPORT"], &[&azure], "P1D", "P0D") } })).await;
    assert_eq!(code(&body), "NOT_FOUND", "a customer the partner does not serve");
}

#[sqlx::test(migrations = "../migrations")]
async fn one_provisioning_holder_per_customer_and_service_unless_replaced(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Northwind holds PROVISIONING for Alpine's Office 365. Alpine grants it to Tailspin.
    let alpine = app.sign_in("globaladmin@alpineskihouse.demo").await;
    let o365 = service_id(&app, &alpine, "Office 365").await;
    let tailspin_id = app.org_id("Tailspin Solutions").await;
    let grant = m("grantDelegatedAdmin", "GrantDelegatedAdminInput");
    let consent = m("consentToDelegatedAdminRelationship", "DelegatedAdminRelationshipIdInput");
    let tailspin = app.sign_in("admin@tailspin.demo").await;

    // The customer hears of the conflict when it grants, not only the partner at consent.
    let refused = app.gql(Some(&alpine), &grant, json!({ "i": { "partnerId": tailspin_id, "terms": terms("Alpine by Tailspin", &["PROVISIONING"], &[&o365], "P180D", "P0D") } })).await;
    assert_eq!(code(&refused), "DELEGATED_ADMIN_CONFLICT");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("Northwind Resellers"), "{refused}");
    let stored: i64 = sqlx::query_scalar(
        "select count(*) from delegated_admin_relationship where display_name = 'Alpine by Tailspin'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, 0, "a refused grant stores nothing");

    let replacing = app
        .ok(&alpine, &grant, json!({ "i": { "partnerId": tailspin_id, "replaceExisting": true, "terms": terms("Alpine by Tailspin 2", &["PROVISIONING"], &[&o365], "P180D", "P0D") } }))
        .await;
    let id = replacing["grantDelegatedAdmin"]["delegatedAdminRelationship"]["id"].clone();
    let active = app.ok(&tailspin, &consent, json!({ "i": { "id": id } })).await;
    assert_eq!(
        active["consentToDelegatedAdminRelationship"]["delegatedAdminRelationship"]["status"],
        "ACTIVE"
    );

    // Northwind lost PROVISIONING for Office 365 (it keeps SUPPORT) and stopped provisioning.
    let op = app.sign_in("operator@21vianet.demo").await;
    let subs = app
        .ok(&op, "{ subscriptions(filter: {channel: ONLINE_DIRECT}) { edges { node { friendlyName servicePartner(stage: PROVISIONING) { servedByOperator } servicePartners { stage partner { name } } } } } }", json!({}))
        .await;
    let alpine_sub = subs["subscriptions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["friendlyName"] == "Alpine Office 365 E1")
        .unwrap();
    assert_eq!(alpine_sub["node"]["servicePartner"]["servedByOperator"], true);
    assert_eq!(
        alpine_sub["node"]["servicePartners"][2]["partner"]["name"], "Northwind Resellers",
        "support stays"
    );
    let northwind = app.sign_in("admin@northwind.demo").await;
    let held = app.ok(&northwind, "{ delegatedAdminRelationships(filter: {status: ACTIVE}) { edges { node { displayName roles services { name } } } } }", json!({})).await;
    assert_eq!(
        nodes_of(&held["delegatedAdminRelationships"]),
        json!([{ "displayName": "Alpine provisioning", "roles": ["SUPPORT"], "services": [{ "name": "Office 365" }] }])
    );
    let replaced: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'delegated_admin.role_replaced'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(replaced, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn two_concurrent_activations_cannot_both_hold_provisioning(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Proseware has no provisioning partner. Two partners' requests are approved at once.
    let op = app.sign_in("operator@21vianet.demo").await;
    let o365 = service_id(&app, &op, "Office 365").await;
    let admin = app.sign_in("globaladmin@proseware.demo").await;
    let grant = m("grantDelegatedAdmin", "GrantDelegatedAdminInput");
    let consent = m("consentToDelegatedAdminRelationship", "DelegatedAdminRelationshipIdInput");
    let mut ids = Vec::new();
    for (partner, email) in
        [("Contoso Cloud Direct", "admin@contoso.demo"), ("Tailspin Solutions", "admin@tailspin.demo")]
    {
        let pid = app.org_id(partner).await;
        let g = app.ok(&admin, &grant, json!({ "i": { "partnerId": pid, "terms": terms(&format!("Proseware {partner}"), &["PROVISIONING"], &[&o365], "P30D", "P0D") } })).await;
        ids.push((
            g["grantDelegatedAdmin"]["delegatedAdminRelationship"]["id"].clone(),
            app.sign_in(email).await,
        ));
    }
    let (a, b) = tokio::join!(
        app.gql(Some(&ids[0].1), &consent, json!({ "i": { "id": ids[0].0 } })),
        app.gql(Some(&ids[1].1), &consent, json!({ "i": { "id": ids[1].0 } })),
    );
    let wins = [&a, &b].iter().filter(|r| r.get("errors").is_none()).count();
    assert_eq!(wins, 1, "{a}\n{b}");
    let loser = if a.get("errors").is_some() { &a } else { &b };
    assert_eq!(code(loser), "DELEGATED_ADMIN_CONFLICT");
    let holders: i64 = sqlx::query_scalar("select count(*) from delegated_admin_service where holds_exclusive_role and service_id in (select service_id from service where name = 'Office 365') and customer_id in (select organization_id from organization where name = 'Proseware')")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(holders, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn relationships_expire_and_are_flagged_before(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Tailspin's SUPPORT on Woodgrove ends in 20 days.
    let woodgrove = app.sign_in("globaladmin@woodgrove.demo").await;
    let expiring = app
        .ok(
            &woodgrove,
            "{ expiringDelegatedAdminRelationships(withinDays: 30) { edges { node { displayName expiresSoon } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        nodes_of(&expiring["expiringDelegatedAdminRelationships"]),
        json!([{ "displayName": "Woodgrove Office support", "expiresSoon": true }])
    );
    let none = app
        .ok(
            &woodgrove,
            "{ expiringDelegatedAdminRelationships(withinDays: 7) { edges { node { displayName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(nodes_of(&none["expiringDelegatedAdminRelationships"]), json!([]));
    app.advance(Duration::days(21));
    let woodgrove = app.sign_in("globaladmin@woodgrove.demo").await;
    let all = app
        .ok(
            &woodgrove,
            "{ delegatedAdminRelationships(filter: {status: EXPIRED}) { edges { node { displayName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        nodes_of(&all["delegatedAdminRelationships"]),
        json!([{ "displayName": "Woodgrove Office support" }])
    );
    // Terminating what has expired is refused with its state.
    let id: uuid::Uuid = sqlx::query_scalar("select relationship_id from delegated_admin_relationship where display_name = 'Woodgrove Office support'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let gid = base64_id("DelegatedAdminRelationship", id);
    let body = app
        .gql(
            Some(&woodgrove),
            &m("terminateDelegatedAdminRelationship", "DelegatedAdminRelationshipIdInput"),
            json!({ "i": { "id": gid } }),
        )
        .await;
    assert_eq!(code(&body), "INVALID_STATE_TRANSITION");
    assert_eq!(body["errors"][0]["extensions"]["details"]["state"], "EXPIRED");
}

fn base64_id(t: &str, id: uuid::Uuid) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{t}:{id}"))
}
