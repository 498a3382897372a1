//! The defects a review, a fuzzer and a few probes found, each attacked the way it was found.
//! Every test here failed before its fix.

use crate::helpers::*;
use chrono::Duration;
use multichannel::AppState;
use multichannel::workflows::jobs::run_due;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;

fn state(app: &TestApp) -> AppState {
    AppState::new(app.pool.clone()).with_clock(Arc::new(app.clock.clone()))
}

/// Contoso's only ACTIVE subscription at Coho goes, so Coho may remove Contoso.
async fn coho_removes_contoso(app: &TestApp) -> Value {
    sqlx::query("update subscription set status = 'DELETED' where friendly_name = 'Coho Azure plan'")
        .execute(&app.pool)
        .await
        .unwrap();
    let coho = app.sign_in("globaladmin@cohowinery.demo").await;
    let rels = app
        .ok(&coho, "{ resellerRelationships { edges { node { id partner { name } } } } }", json!({}))
        .await;
    let id = nodes_of(&rels["resellerRelationships"])
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["partner"]["name"] == "Contoso Cloud Direct")
        .unwrap()["id"]
        .clone();
    app.ok(
        &coho,
        "mutation($i: ID!) { removeResellerRelationship(input: {id: $i}) { removed { blocked } } }",
        json!({ "i": id }),
    )
    .await
}

#[sqlx::test(migrations = "../migrations")]
async fn removing_a_relationship_cuts_the_partner_off(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let suspended = sub_id(&app, "Coho Office 365 E3").await;
    coho_removes_contoso(&app).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    // The suspended subscription did not block removal; afterwards Contoso neither sees nor revives it.
    let names = visible_subscription_names(&app, &contoso).await;
    assert!(!names.iter().any(|n| n.starts_with("Coho")), "{names:?}");
    let node =
        app.gql(Some(&contoso), "query($i: ID!) { node(id: $i) { id } }", json!({ "i": suspended })).await;
    assert_eq!(code(&node), "NOT_FOUND");
    let revived = app
        .gql(Some(&contoso), "mutation($i: ID!) { reactivateSubscription(input: {subscriptionId: $i}) { subscription { status } } }", json!({ "i": suspended }))
        .await;
    assert_eq!(code(&revived), "NOT_FOUND");
    assert_eq!(scalar(&app, "select count(*) from subscription where friendly_name = 'Coho Office 365 E3' and status = 'SUSPENDED'").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_lapsed_approval_request_never_stops_the_job(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let coho = app.org_id("Coho Winery").await;
    let azure = service_id(&app, &contoso, "Azure").await;
    let draft = app
        .ok(&contoso, "mutation($i: CreateDelegatedAdminRelationshipInput!) { createDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            json!({ "i": { "customerId": coho, "terms": { "displayName": "Coho lapses", "roles": ["SUPPORT"], "serviceIds": [azure], "duration": "P30D", "autoExtend": "P0D" } } }))
        .await;
    let id = draft["createDelegatedAdminRelationship"]["delegatedAdminRelationship"]["id"].clone();
    app.ok(&contoso, "mutation($i: ID!) { requestDelegatedAdminApproval(input: {id: $i}) { delegatedAdminRelationship { status } } }", json!({ "i": id }))
        .await;
    app.ok(
        &contoso,
        "mutation { createInvitation(input: {audience: ANY_CUSTOMER}) { invitation { id } } }",
        json!({}),
    )
    .await;
    app.advance(Duration::days(91));
    let report = run_due(&state(&app)).await.unwrap();
    assert!(report.failed_steps.is_empty(), "{report:?}");
    assert_eq!(report.approvals_expired, 1);
    assert_eq!(report.invitations_expired, 1, "the steps after it ran too");
    app.advance(Duration::days(1));
    assert!(run_due(&state(&app)).await.unwrap().failed_steps.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn ending_one_relationship_keeps_the_customers_other_choices(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Woodgrove's Office 365 support goes to Tailspin (it holds SUPPORT for Office 365). Woodgrove
    // also grants Tailspin SUPPORT for Dynamics 365 and gives it that support stage too.
    let admin = app.sign_in("globaladmin@woodgrove.demo").await;
    let tailspin = app.sign_in("admin@tailspin.demo").await;
    let tailspin_id = app.org_id("Tailspin Solutions").await;
    let dynamics = service_id(&app, &admin, "Dynamics 365").await;
    let granted = app
        .ok(&admin, "mutation($i: GrantDelegatedAdminInput!) { grantDelegatedAdmin(input: $i) { delegatedAdminRelationship { id } } }",
            json!({ "i": { "partnerId": tailspin_id, "terms": { "displayName": "Woodgrove Dynamics support", "roles": ["SUPPORT"], "serviceIds": [dynamics], "duration": "P90D", "autoExtend": "P0D" } } }))
        .await;
    let dyn_rel = granted["grantDelegatedAdmin"]["delegatedAdminRelationship"]["id"].clone();
    app.ok(&tailspin, "mutation($i: ID!) { consentToDelegatedAdminRelationship(input: {id: $i}) { delegatedAdminRelationship { status } } }", json!({ "i": dyn_rel }))
        .await;
    let stage = "mutation($i: AssignServicePartnerInput!) { assignServicePartner(input: $i) { subscription { id } } }";
    let woodgrove_subs: Vec<(String, String)> = {
        let data = app.ok(&admin, "{ subscriptions(first: 50) { edges { node { id friendlyName offer { service { name } } } } } }", json!({})).await;
        data["subscriptions"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["node"]["id"].as_str().unwrap().to_owned(),
                    e["node"]["offer"]["service"]["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    for (id, service) in &woodgrove_subs {
        if service == "Office 365" || service == "Dynamics 365" {
            app.ok(
                &admin,
                stage,
                json!({ "i": { "subscriptionId": id, "stage": "SUPPORT", "partnerId": tailspin_id } }),
            )
            .await;
        }
    }
    app.ok(&admin, "mutation($i: ID!) { terminateDelegatedAdminRelationship(input: {id: $i}) { delegatedAdminRelationship { status } } }", json!({ "i": dyn_rel }))
        .await;
    let kept = scalar(&app, "select count(*) from subscription s join service v using (service_id) join partner p on p.partner_id = s.support_partner_id join organization o on o.organization_id = p.partner_id where v.name = 'Office 365' and o.name = 'Tailspin Solutions'").await;
    let released = scalar(&app, "select count(*) from subscription s join service v using (service_id) where v.name = 'Dynamics 365' and s.support_partner_id is not null").await;
    assert_eq!((kept, released), (1, 0), "only the ended role's stage falls back");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_pending_partnership_link_can_be_withdrawn_and_expires(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let invite = "mutation { invitePartnerReseller { partnership { id status code } } }";
    let first = app.ok(&fabrikam, invite, json!({})).await;
    let id = first["invitePartnerReseller"]["partnership"]["id"].clone();
    let withdrawn = app
        .ok(&fabrikam, "mutation($i: RemoveResellerPartnershipInput!) { removeResellerPartnership(input: $i) { partnership { status } } }", json!({ "i": { "id": id } }))
        .await;
    assert_eq!(withdrawn["removeResellerPartnership"]["partnership"]["status"], "REMOVED");

    let second = app.ok(&fabrikam, invite, json!({})).await;
    let code_ = second["invitePartnerReseller"]["partnership"]["code"].as_str().unwrap().to_owned();
    app.advance(Duration::days(31));
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let list = app.ok(&fabrikam, "{ partnerships { edges { node { status code } } } }", json!({})).await;
    assert!(
        nodes_of(&list["partnerships"])
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["status"] == "EXPIRED" && p["code"].is_null()),
        "{list}"
    );
    let northwind = app.sign_in("admin@northwind.demo").await;
    let late = app
        .gql(Some(&northwind), "mutation($i: AcceptResellerPartnershipInput!) { acceptResellerPartnership(input: $i) { partnership { status } } }", json!({ "i": { "code": code_ } }))
        .await;
    assert_eq!(code(&late), "INVALID_STATE_TRANSITION");
    let report = run_due(&state(&app)).await.unwrap();
    assert_eq!(report.partnerships_expired, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_user_reads_no_records_and_drafts_stay_the_partners(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let user = app.sign_in("user@woodgrove.demo").await;
    let data = app
        .ok(&user, "{ subscriptions { totalCount } auditEvents { edges { node { action } } } supportRequests { totalCount edges { node { id } } } delegatedAdminRelationships { totalCount edges { node { id } } } invitations { totalCount edges { node { id } } } resellerRelationships { totalCount edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(data["subscriptions"]["totalCount"], 0);
    for list in ["supportRequests", "delegatedAdminRelationships", "invitations", "resellerRelationships"] {
        assert_eq!(nodes_of(&data[list]), json!([]), "{list}");
        assert_eq!(data[list]["totalCount"], 0, "{list}");
    }
    assert_eq!(data["auditEvents"]["edges"], json!([]));
    let op = app.sign_in("operator@21vianet.demo").await;
    let all = app
        .ok(
            &op,
            "{ delegatedAdminRelationships(first: 100) { edges { node { id customer { name } } } } }",
            json!({}),
        )
        .await;
    let woodgrove_rel = nodes_of(&all["delegatedAdminRelationships"])
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["customer"]["name"] == "Woodgrove Bank")
        .unwrap()["id"]
        .clone();
    let node =
        app.gql(Some(&user), "query($i: ID!) { node(id: $i) { id } }", json!({ "i": woodgrove_rel })).await;
    assert_eq!(code(&node), "NOT_FOUND");

    // A partner's draft is its own: the customer's global admin cannot read it by id.
    let contoso = app.sign_in("admin@contoso.demo").await;
    let coho = app.org_id("Coho Winery").await;
    let azure = service_id(&app, &contoso, "Azure").await;
    let draft = app
        .ok(&contoso, "mutation($i: CreateDelegatedAdminRelationshipInput!) { createDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            json!({ "i": { "customerId": coho, "terms": { "displayName": "Coho draft", "roles": ["SUPPORT"], "serviceIds": [azure], "duration": "P30D", "autoExtend": "P0D" } } }))
        .await;
    let draft_id = draft["createDelegatedAdminRelationship"]["delegatedAdminRelationship"]["id"].clone();
    let coho_admin = app.sign_in("globaladmin@cohowinery.demo").await;
    let seen =
        app.gql(Some(&coho_admin), "query($i: ID!) { node(id: $i) { id } }", json!({ "i": draft_id })).await;
    assert_eq!(code(&seen), "NOT_FOUND");
    // And it gives the partner no sight of the customer once their relationship ends.
    coho_removes_contoso(&app).await;
    let after =
        app.gql(Some(&contoso), "query($i: ID!) { customer(id: $i) { name } }", json!({ "i": coho })).await;
    assert_eq!(code(&after), "NOT_FOUND");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_invitation_shows_a_named_customer_only_to_those_who_see_it(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let proseware = app.org_id("Proseware").await;
    let made = app
        .ok(&contoso, "mutation($c: ID!) { createInvitation(input: {audience: CUSTOMER, customerId: $c}) { invitation { id customer { name primaryDomain tenantId } } } }", json!({ "c": proseware }))
        .await;
    assert!(made["createInvitation"]["invitation"]["customer"].is_null(), "{made}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_support_partner_stops_working_when_its_role_ends(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Tailspin holds SUPPORT for Woodgrove's Office 365 until 20 days from now.
    let tailspin = app.sign_in("admin@tailspin.demo").await;
    let office = sub_id(&app, "Woodgrove Office 365 E3").await;
    let opened = app
        .ok(&tailspin, "mutation($i: OpenSupportRequestInput!) { openSupportRequest(input: $i) { supportRequest { id } } }", json!({ "i": { "subscriptionId": office, "title": "Mail flow" } }))
        .await;
    let id = opened["openSupportRequest"]["supportRequest"]["id"].clone();
    let comment = "mutation($i: UpdateSupportRequestInput!) { updateSupportRequest(input: $i) { supportRequest { status } } }";
    app.ok(&tailspin, comment, json!({ "i": { "id": id, "comment": "looking" } })).await;
    app.advance(Duration::days(21));
    let tailspin = app.sign_in("admin@tailspin.demo").await;
    let refused =
        app.gql(Some(&tailspin), comment, json!({ "i": { "id": id, "comment": "still here" } })).await;
    assert!(matches!(code(&refused), "NOT_FOUND" | "DELEGATED_ROLE_REQUIRED"), "{refused}");
    let listed = app.ok(&tailspin, "{ supportRequests { edges { node { id } } } }", json!({})).await;
    assert_eq!(nodes_of(&listed["supportRequests"]), json!([]));
}

#[sqlx::test(migrations = "../migrations")]
async fn api_tokens_expire_and_never_outlive_their_parent(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let session = app.sign_in("admin@contoso.demo").await;
    let create =
        "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret apiToken { expiresAt } } }";
    let parent = app.ok(&session, create, json!({ "i": { "name": "parent", "readOnly": false } })).await;
    let expires = parent["createApiToken"]["apiToken"]["expiresAt"]
        .as_str()
        .expect("a token always expires")
        .to_owned();
    let secret = parent["createApiToken"]["secret"].as_str().unwrap().to_owned();
    let too_late = app
        .gql(
            Some(&secret),
            create,
            json!({ "i": { "name": "child", "readOnly": false, "expiresAt": "2027-12-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(code(&too_late), "BAD_USER_INPUT");
    let child = app.ok(&secret, create, json!({ "i": { "name": "child", "readOnly": false } })).await;
    let child_end = child["createApiToken"]["apiToken"]["expiresAt"].as_str().unwrap().to_owned();
    assert!(child_end <= expires, "{child_end} > {expires}");
    let a_year = app
        .gql(
            Some(&session),
            create,
            json!({ "i": { "name": "forever", "readOnly": false, "expiresAt": "2099-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(code(&a_year), "BAD_USER_INPUT");

    let ro = app.ok(&session, create, json!({ "i": { "name": "ro", "readOnly": true } })).await;
    let ro = ro["createApiToken"]["secret"].as_str().unwrap().to_owned();
    let out = app.gql(Some(&ro), "mutation { signOut { signedOut } }", json!({})).await;
    assert_eq!(code(&out), "FORBIDDEN");
    app.ok(&ro, "{ viewer { readOnly } }", json!({})).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_is_throttled_and_one_per_request(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let sign_in = "mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) { token } }";
    for _ in 0..5 {
        let wrong =
            app.gql(None, sign_in, json!({ "e": "admin@contoso.demo", "p": "not the password" })).await;
        assert_eq!(code(&wrong), "UNAUTHENTICATED");
    }
    let limited = app.gql(None, sign_in, json!({ "e": "admin@contoso.demo", "p": PASSWORD })).await;
    assert_eq!(code(&limited), "RATE_LIMITED");
    assert!(limited["errors"][0]["extensions"]["details"]["retryAfterSeconds"].as_i64().unwrap() > 0);
    app.advance(Duration::minutes(16));
    app.sign_in("admin@contoso.demo").await;

    let aliases = app
        .gql(None, "mutation($p: String!) { a: signIn(input: {email: \"admin@fabrikam.demo\", password: $p}) { token } b: signIn(input: {email: \"admin@fabrikam.demo\", password: $p}) { token } }", json!({ "p": PASSWORD }))
        .await;
    let errors = aliases["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{aliases}");
    assert_eq!(errors[0]["extensions"]["code"], "RATE_LIMITED");
}

#[sqlx::test(migrations = "../migrations")]
async fn hostile_input_is_refused_by_field_and_stores_nothing(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let azure = sub_id(&app, "Coho Azure plan").await;
    let seats = app
        .gql(Some(&contoso), "mutation($i: ID!) { assignSeats(input: {subscriptionId: $i, seats: 2147483647}) { subscription { assignedSeats } } }", json!({ "i": azure }))
        .await;
    assert_eq!(code(&seats), "NO_SEATS_AVAILABLE");
    let before = scalar(&app, "select count(*) from invitation").await;
    let ghost = base64_id("Service", uuid::Uuid::new_v4());
    let inv = app
        .gql(Some(&contoso), "mutation($s: ID!) { createInvitation(input: {audience: ANY_CUSTOMER, delegatedAdmin: {roles: [SUPPORT], serviceIds: [$s], duration: \"P30D\"}}) { invitation { id } } }", json!({ "s": ghost }))
        .await;
    assert_eq!(code(&inv), "BAD_USER_INPUT");
    assert!(inv["errors"][0]["message"].as_str().unwrap().contains("serviceIds"), "{inv}");
    for message in ["nul\u{0}inside", "bell\u{7}"] {
        let body = app
            .gql(Some(&contoso), "mutation($m: String!) { createInvitation(input: {audience: ANY_CUSTOMER, message: $m}) { invitation { id } } }", json!({ "m": message }))
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("message"), "{body}");
    }
    assert_eq!(scalar(&app, "select count(*) from invitation").await, before, "nothing stored");
    for name in ["\u{200B}\u{200B}", "   ", "a\u{0}b"] {
        let body = app
            .gql(
                Some(&contoso),
                "mutation($n: String!) { createApiToken(input: {name: $n, readOnly: true}) { secret } }",
                json!({ "n": name }),
            )
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{name:?}: {body}");
    }
    let search = app
        .gql(
            Some(&contoso),
            "query($s: String) { customers(first: 5, filter: {search: $s}) { totalCount } }",
            json!({ "s": "a\u{0}b" }),
        )
        .await;
    assert_ne!(code(&search), "INTERNAL");
    let far = app
        .gql(
            Some(&contoso),
            "query($f: DateTime) { auditEvents(filter: {from: $f}) { edges { node { action } } } }",
            json!({ "f": "+262000-01-01T00:00:00Z" }),
        )
        .await;
    if far.get("errors").is_some() {
        assert_ne!(code(&far), "INTERNAL", "{far}");
    }
}

fn base64_id(kind: &str, id: uuid::Uuid) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn accepting_rechecks_the_resellers_partnership_and_names_never_collide(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let tailspin_id = app.org_id("Tailspin Solutions").await;
    let o365 = service_id(&app, &fabrikam, "Office 365").await;
    let link = app
        .ok(&fabrikam, "mutation($r: ID!, $s: ID!) { createInvitation(input: {audience: ANY_CUSTOMER, indirectResellerId: $r, delegatedAdmin: {roles: [SUPPORT], serviceIds: [$s], duration: \"P30D\"}}) { invitation { code } } }", json!({ "r": tailspin_id, "s": o365 }))
        .await;
    let code_ = link["createInvitation"]["invitation"]["code"].as_str().unwrap().to_owned();
    // Two customers with one name accept the same link: two relationships, two names.
    sqlx::query("update organization set name = 'Proseware' where name = 'Coho Winery'")
        .execute(&app.pool)
        .await
        .unwrap();
    let accept =
        "mutation($c: String!) { acceptInvitation(input: {code: $c}) { invitation { __typename } } }";
    for who in ["globaladmin@proseware.demo", "globaladmin@cohowinery.demo"] {
        let admin = app.sign_in(who).await;
        app.ok(&admin, accept, json!({ "c": code_ })).await;
    }
    assert_eq!(scalar(&app, "select count(distinct display_name) from delegated_admin_relationship where origin = 'INVITATION' and display_name like 'Proseware%'").await, 2);

    // The partnership ends; a link naming that reseller can no longer be accepted.
    sqlx::query("update reseller_partnership set status = 'REMOVED', removed_at = now() where reseller_id = (select organization_id from organization where name = 'Tailspin Solutions')")
        .execute(&app.pool).await.unwrap();
    let admin = app.sign_in("globaladmin@margiestravel.demo").await;
    let refused = app.gql(Some(&admin), accept, json!({ "c": code_ })).await;
    assert_eq!(code(&refused), "RESELLER_NOT_PARTNERED");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_reseller_working_through_two_providers_keeps_both(pool: PgPool) {
    use multichannel::db::relationships::{NewRelationship, upsert_active};
    use multichannel::domain::{Clock, RelationshipKind, RelationshipOrigin};
    let app = TestApp::with_demo(pool).await;
    let ids: Vec<uuid::Uuid> = sqlx::query_scalar("select organization_id from organization where name in ('Alpine Ski House', 'Tailspin Solutions', 'Fabrikam Distribution', 'Contoso Cloud Direct') order by name")
        .fetch_all(&app.pool).await.unwrap();
    let (alpine, contoso, fabrikam, tailspin) = (ids[0], ids[1], ids[2], ids[3]);
    for provider in [fabrikam, contoso] {
        let r = NewRelationship {
            customer_id: alpine,
            partner_id: tailspin,
            kind: RelationshipKind::IndirectReseller,
            indirect_provider_id: Some(provider),
            origin: RelationshipOrigin::Invitation,
            invitation_id: None,
            at: app.clock.now(),
        };
        upsert_active(&app.pool, &r).await.unwrap();
    }
    assert_eq!(scalar(&app, &format!("select count(distinct indirect_provider_id) from reseller_relationship where customer_id = '{alpine}' and partner_id = '{tailspin}'")).await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn terms_renew_or_expire_and_reads_show_it_before_the_job(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let azure = sub_id(&app, "Coho Azure plan").await;
    let read = "query($i: ID!) { node(id: $i) { ... on Subscription { status autoRenew effectiveStart commitmentEnd dataDeletionDate viewerCan { renew { allowed } } } } }";
    let start = app.ok(&contoso, read, json!({ "i": azure })).await["node"].clone();
    app.ok(&contoso, "mutation($i: ID!) { setSubscriptionAutoRenew(input: {subscriptionId: $i, autoRenew: false}) { subscription { id } } }", json!({ "i": azure }))
        .await;
    // A year-long term started 40 days ago: 326 days on it has ended without renewal.
    app.advance(Duration::days(330));
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ended = app.ok(&contoso, read, json!({ "i": azure })).await["node"].clone();
    assert_eq!(ended["status"], "EXPIRED");
    assert_eq!(ended["commitmentEnd"], start["commitmentEnd"]);
    assert!(
        ended["dataDeletionDate"].as_str().unwrap().starts_with(&next_date(&start["commitmentEnd"], 60)),
        "{ended}"
    );
    assert_eq!(ended["viewerCan"]["renew"]["allowed"], true);
    let report = run_due(&state(&app)).await.unwrap();
    assert_eq!(report.subscriptions_expired, 1);
    assert_eq!(
        app.ok(&contoso, read, json!({ "i": azure })).await["node"],
        ended,
        "the job wrote down what reads showed"
    );
    let renewed = app
        .ok(&contoso, "mutation($i: ID!) { renewSubscription(input: {subscriptionId: $i}) { subscription { status commitmentEnd } } }", json!({ "i": azure }))
        .await;
    assert_eq!(renewed["renewSubscription"]["subscription"]["status"], "ACTIVE");

    // An auto-renewing monthly term rolls on: reads move the dates; the job writes each renewal once.
    let woodgrove = app.sign_in("globaladmin@woodgrove.demo").await;
    let before_job = app
        .ok(
            &woodgrove,
            "{ subscriptions(first: 50) { edges { node { friendlyName status commitmentEnd } } } }",
            json!({}),
        )
        .await;
    run_due(&state(&app)).await.unwrap();
    let after_job = app
        .ok(
            &woodgrove,
            "{ subscriptions(first: 50) { edges { node { friendlyName status commitmentEnd } } } }",
            json!({}),
        )
        .await;
    assert_eq!(before_job, after_job);
    assert!(
        scalar(&app, "select count(*) from audit_event where action = 'subscription.renewed'").await >= 1
    );
}

fn next_date(date: &Value, days: i64) -> String {
    let d = chrono::NaiveDate::parse_from_str(date.as_str().unwrap(), "%Y-%m-%d").unwrap();
    (d + Duration::days(days)).to_string()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_timed_out_request_frees_its_database_backend(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // The server's own pool, as `serve` builds it, with a short request deadline.
    let database = app.pool.connect_options().get_database().unwrap().to_owned();
    let mut url = url_of(&database);
    url.push_str("?application_name=timeout-test");
    let timeout = std::time::Duration::from_millis(300);
    let server_pool =
        multichannel::db::connect(&url, 4, timeout + std::time::Duration::from_secs(1)).await.unwrap();
    let mut state = AppState::new(server_pool).with_clock(Arc::new(app.clock.clone()));
    state.limits.request_timeout_ms = 300;
    let client = poem::test::TestClient::new(multichannel::http::routes(state, None));
    let token = app.sign_in("admin@contoso.demo").await;
    let azure = sub_id(&app, "Coho Azure plan").await;

    // Someone else holds the subscription's row: the change waits for the lock past its deadline.
    let mut blocker = app.pool.begin().await.unwrap();
    sqlx::query("select 1 from subscription where friendly_name = 'Coho Azure plan' for update")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let resp = client
        .post("/graphql")
        .header("Authorization", format!("Bearer {token}"))
        .body_json(&json!({ "query": "mutation($i: ID!) { changeSubscriptionQuantity(input: {subscriptionId: $i, quantity: 3}) { subscription { quantity } } }", "variables": { "i": azure } }))
        .send()
        .await;
    let body: Value = resp.json().await.value().deserialize();
    assert_eq!(code(&body), "TIMEOUT");
    // Right after, no backend of the server is still waiting on that statement.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity where datname = $1 and state = 'active' and wait_event_type = 'Lock'",
        )
        .bind(&database)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if waiting == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the timed-out statement still holds a backend");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    blocker.rollback().await.unwrap();
    assert_eq!(
        scalar(&app, "select quantity::int8 from subscription where friendly_name = 'Coho Azure plan'").await,
        1,
        "nothing half written"
    );
}

/// DATABASE_URL with its database replaced.
fn url_of(database: &str) -> String {
    let base = std::env::var("DATABASE_URL").unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    format!("{prefix}/{database}")
}

#[sqlx::test(migrations = "../migrations")]
async fn creating_users_reveals_nothing_about_other_tenants(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let create = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { email } } }";
    let input = |email: &str, password: &str| json!({ "i": { "email": email, "displayName": "Pat", "password": password, "roles": ["USER"] } });
    // Contoso's admin's address, added to Woodgrove: no CONFLICT, so no oracle for other tenants.
    let woodgrove = app.sign_in("globaladmin@woodgrove.demo").await;
    app.ok(&woodgrove, create, input("admin@contoso.demo", "a different long passphrase")).await;
    let again =
        app.gql(Some(&woodgrove), create, input("ADMIN@contoso.demo", "yet another passphrase")).await;
    assert_eq!(code(&again), "CONFLICT", "within one organization an address is still unique");
    // Each person signs in with their own password to their own organization.
    let sign_in = "mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) { viewer { organization { name } } } }";
    let theirs = app
        .gql(None, sign_in, json!({ "e": "admin@contoso.demo", "p": "a different long passphrase" }))
        .await;
    assert_eq!(theirs["data"]["signIn"]["viewer"]["organization"]["name"], "Woodgrove Bank", "{theirs}");
    let original = app.gql(None, sign_in, json!({ "e": "admin@contoso.demo", "p": PASSWORD })).await;
    assert_eq!(
        original["data"]["signIn"]["viewer"]["organization"]["name"], "Contoso Cloud Direct",
        "{original}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn every_delegated_admin_transition_from_every_state_against_the_real_tables(pool: PgPool) {
    // The domain's state machine is unit-tested in memory; here each transition is written to the
    // real table from each state, so a CHECK that contradicts one fails a test.
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let coho = app.sign_in("globaladmin@cohowinery.demo").await;
    let coho_id = app.org_id("Coho Winery").await;
    let contoso_id = app.org_id("Contoso Cloud Direct").await;
    let azure = service_id(&app, &contoso, "Azure").await;
    let transitions: &[(&str, bool)] = &[
        ("requestDelegatedAdminApproval", true),
        ("approveDelegatedAdminRelationship", false),
        ("rejectDelegatedAdminRelationship", false),
        ("rejectDelegatedAdminRelationship", true),
        ("consentToDelegatedAdminRelationship", true),
        ("terminateDelegatedAdminRelationship", true),
        ("terminateDelegatedAdminRelationship", false),
        ("deleteDelegatedAdminRelationship", true),
    ];
    let states = [
        "CREATED",
        "APPROVAL_PENDING",
        "CONSENT_PENDING",
        "ACTIVE",
        "EXPIRED",
        "LAPSED",
        "TERMINATED",
        "REJECTED",
    ];
    let mut n = 0;
    for (i, state) in states.iter().enumerate() {
        for (j, (mutation, by_partner)) in transitions.iter().enumerate() {
            let name = format!("s{i}t{j}");
            let id =
                relationship_in(&app, state, &name, (&contoso, &coho), (&coho_id, &contoso_id), &azure).await;
            let who = if *by_partner { &contoso } else { &coho };
            let body = app
                .gql(
                    Some(who),
                    &format!("mutation($i: ID!) {{ {mutation}(input: {{id: $i}}) {{ __typename }} }}"),
                    json!({ "i": id }),
                )
                .await;
            if body.get("errors").is_some() {
                assert!(
                    matches!(code(&body), "FORBIDDEN" | "INVALID_STATE_TRANSITION" | "NOT_FOUND"),
                    "{mutation} from {state}: {body}"
                );
            }
            n += 1;
        }
    }
    // And the job, from every state, a year on.
    app.advance(Duration::days(400));
    let report = run_due(&state(&app)).await.unwrap();
    assert!(report.failed_steps.is_empty(), "{report:?}");
    eprintln!("transitions against the tables: {n}");
}

/// A relationship between Contoso and Coho brought into `state` through the API; EXPIRED and
/// LAPSED (a request whose approval window passed) are written as the job writes them.
async fn relationship_in(
    app: &TestApp,
    state: &str,
    name: &str,
    (partner, customer): (&str, &str),
    (customer_id, partner_id): (&str, &str),
    service: &str,
) -> Value {
    let terms = json!({ "displayName": name, "roles": ["SUPPORT"], "serviceIds": [service], "duration": "P1D", "autoExtend": "P0D" });
    let act = |who: &str, m: &str, id: &Value| {
        let (who, m, id) = (who.to_owned(), m.to_owned(), id.clone());
        async move {
            app.ok(
                &who,
                &format!("mutation($i: ID!) {{ {m}(input: {{id: $i}}) {{ __typename }} }}"),
                json!({ "i": id }),
            )
            .await;
        }
    };
    let id = if state == "CONSENT_PENDING" {
        let g = app
            .ok(customer, "mutation($i: GrantDelegatedAdminInput!) { grantDelegatedAdmin(input: $i) { delegatedAdminRelationship { id } } }", json!({ "i": { "partnerId": partner_id, "terms": terms } }))
            .await;
        return g["grantDelegatedAdmin"]["delegatedAdminRelationship"]["id"].clone();
    } else {
        let d = app
            .ok(partner, "mutation($i: CreateDelegatedAdminRelationshipInput!) { createDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }", json!({ "i": { "customerId": customer_id, "terms": terms } }))
            .await;
        d["createDelegatedAdminRelationship"]["delegatedAdminRelationship"]["id"].clone()
    };
    match state {
        "CREATED" => {}
        "APPROVAL_PENDING" => act(partner, "requestDelegatedAdminApproval", &id).await,
        "REJECTED" => {
            act(partner, "requestDelegatedAdminApproval", &id).await;
            act(customer, "rejectDelegatedAdminRelationship", &id).await;
        }
        "ACTIVE" | "TERMINATED" | "EXPIRED" => {
            act(partner, "requestDelegatedAdminApproval", &id).await;
            act(customer, "approveDelegatedAdminRelationship", &id).await;
            if state == "TERMINATED" {
                act(customer, "terminateDelegatedAdminRelationship", &id).await;
            }
            if state == "EXPIRED" {
                // Written down as the job would, a day after its end.
                sqlx::query("update delegated_admin_relationship set status = 'EXPIRED', ends_at = now() - interval '1 day', activated_at = now() - interval '2 days' where display_name = $1")
                    .bind(name).execute(&app.pool).await.unwrap();
            }
        }
        "LAPSED" => {
            act(partner, "requestDelegatedAdminApproval", &id).await;
            sqlx::query("update delegated_admin_relationship set status = 'EXPIRED' where display_name = $1")
                .bind(name)
                .execute(&app.pool)
                .await
                .unwrap();
        }
        other => panic!("no way into {other}"),
    }
    id
}

#[sqlx::test(migrations = "../migrations")]
async fn a_success_on_a_shared_address_does_not_reset_the_throttle(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Mallory, Woodgrove's admin, creates an account with Contoso's admin's address, then mixes
    // guesses at the real account with sign-ins to her own.
    let woodgrove = app.sign_in("globaladmin@woodgrove.demo").await;
    app.ok(&woodgrove, "mutation($i: CreateUserInput!) { createUser(input: $i) { user { email } } }",
        json!({ "i": { "email": "admin@contoso.demo", "displayName": "Mallory", "password": "mallory's own passphrase", "roles": ["USER"] } }))
        .await;
    let sign_in =
        "mutation($p: String!) { signIn(input: {email: \"admin@contoso.demo\", password: $p}) { token } }";
    for _ in 0..4 {
        assert_eq!(
            code(&app.gql(None, sign_in, json!({ "p": "guess guess guess" })).await),
            "UNAUTHENTICATED"
        );
    }
    assert!(app.gql(None, sign_in, json!({ "p": "mallory's own passphrase" })).await.get("errors").is_none());
    assert_eq!(code(&app.gql(None, sign_in, json!({ "p": "guess guess again" })).await), "UNAUTHENTICATED");
    let blocked = app.gql(None, sign_in, json!({ "p": "one more guess" })).await;
    assert_eq!(code(&blocked), "RATE_LIMITED", "her own success did not reset the count");
}

#[sqlx::test(migrations = "../migrations")]
async fn terms_keep_their_dates_across_month_ends_and_late_reactivation(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // A monthly term ending on the 31st: the next one starts on the 31st, not the 28th.
    sqlx::query("update subscription set term_duration = 'P1M', effective_start = '2026-12-31', commitment_end = '2027-01-31', auto_renew = true where friendly_name = 'Coho Azure plan'")
        .execute(&app.pool).await.unwrap();
    // A suspended term without auto-renew that ends while suspended.
    sqlx::query("update subscription set auto_renew = false, commitment_end = '2026-06-06', suspended_at = '2026-06-01T00:00:00Z' where friendly_name = 'Coho Office 365 E3'")
        .execute(&app.pool).await.unwrap();
    app.advance(Duration::days(10));
    let contoso = app.sign_in("admin@contoso.demo").await;
    let e3 = sub_id(&app, "Coho Office 365 E3").await;
    let back = app
        .ok(&contoso, "mutation($i: ID!) { reactivateSubscription(input: {subscriptionId: $i}) { subscription { status dataDeletionDate } } }", json!({ "i": e3 }))
        .await;
    let s = &back["reactivateSubscription"]["subscription"];
    assert_eq!(s["status"], "EXPIRED", "its term had ended: renewable, not active");
    assert!(s["dataDeletionDate"].as_str().unwrap().starts_with("2026-08-10"), "60 days from today: {s}");

    app.advance(Duration::days(249));
    let contoso = app.sign_in("admin@contoso.demo").await;
    let plan = sub_id(&app, "Coho Azure plan").await;
    let read = app
        .ok(
            &contoso,
            "query($i: ID!) { node(id: $i) { ... on Subscription { effectiveStart commitmentEnd } } }",
            json!({ "i": plan }),
        )
        .await;
    assert_eq!(read["node"], json!({ "effectiveStart": "2027-01-31", "commitmentEnd": "2027-02-28" }));
}
