//! Conflicting mutations on one object, run at the same moment, many times: one outcome wins,
//! nobody gets INTERNAL, and the database agrees with the winner.

use crate::helpers::*;
use serde_json::{Value, json};
use sqlx::PgPool;

const ROUNDS: usize = 8;

fn succeeded(body: &Value) -> bool {
    body.get("errors").is_none()
}

fn refused_cleanly(body: &Value) -> bool {
    let c = body["errors"][0]["extensions"]["code"].as_str().unwrap_or("");
    !c.is_empty() && c != "INTERNAL"
}

/// Both answers are a success or a clean refusal.
fn assert_clean(a: &Value, b: &Value) {
    for body in [a, b] {
        assert!(succeeded(body) || refused_cleanly(body), "{body:#}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn revoke_races_accept(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let proseware = app.org_id("Proseware").await;
    let customer = app.sign_in("globaladmin@proseware.demo").await;
    for _ in 0..ROUNDS {
        let made = app
            .ok(&contoso, "mutation($c: ID!) { createInvitation(input: {audience: CUSTOMER, customerId: $c}) { invitation { id code } } }", json!({ "c": proseware }))
            .await;
        let inv = &made["createInvitation"]["invitation"];
        let (revoke, accept) = tokio::join!(
            app.gql(
                Some(&contoso),
                "mutation($i: ID!) { revokeInvitation(input: {id: $i}) { invitation { status } } }",
                json!({ "i": inv["id"] })
            ),
            app.gql(
                Some(&customer),
                "mutation($c: String!) { acceptInvitation(input: {code: $c}) { invitation { status } } }",
                json!({ "c": inv["code"] })
            ),
        );
        assert_clean(&revoke, &accept);
        assert!(succeeded(&revoke) != succeeded(&accept), "exactly one wins: {revoke} {accept}");
        let code_ = inv["code"].as_str().unwrap();
        let status: String = sqlx::query_scalar("select status from invitation where code = $1")
            .bind(code_)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        let accepted: i64 = sqlx::query_scalar("select count(*) from invitation_acceptance a join invitation i using (invitation_id) where i.code = $1")
            .bind(code_).fetch_one(&app.pool).await.unwrap();
        if succeeded(&accept) {
            assert_eq!((status.as_str(), accepted), ("ACCEPTED", 1));
        } else {
            assert_eq!((status.as_str(), accepted), ("REVOKED", 0));
        }
    }
}

/// Puts the Contoso–Coho relationship back, with Coho's Office subscription suspended and its
/// Azure plan gone, so removal is not blocked by anything.
async fn reset_coho(app: &TestApp) {
    for sql in [
        "update reseller_relationship set status = 'ACTIVE', removed_at = null where customer_id = (select organization_id from organization where name = 'Coho Winery')",
        "update subscription set status = 'DELETED', suspended_at = null where friendly_name <> 'Coho Office 365 E3' and customer_id = (select organization_id from organization where name = 'Coho Winery')",
        "update subscription set status = 'SUSPENDED', suspended_at = now() where friendly_name = 'Coho Office 365 E3'",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&app.pool).await.unwrap();
    }
}

async fn coho_relationship(app: &TestApp, admin: &str) -> Value {
    let rels = app
        .ok(
            admin,
            "{ resellerRelationships(first: 100) { edges { node { id partner { name } } } } }",
            json!({}),
        )
        .await;
    nodes_of(&rels["resellerRelationships"])
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["partner"]["name"] == "Contoso Cloud Direct")
        .unwrap()["id"]
        .clone()
}

const REMOVE: &str =
    "mutation($i: ID!) { removeResellerRelationship(input: {id: $i}) { removed { blocked } } }";

/// Never a removed relationship beside an ACTIVE subscription Contoso transacts for Coho.
async fn assert_no_orphan(app: &TestApp) {
    let orphans = scalar(app, "select count(*) from subscription s join reseller_relationship r on r.customer_id = s.customer_id and r.partner_id = s.partner_of_record_id where s.status = 'ACTIVE' and r.status = 'REMOVED'").await;
    assert_eq!(orphans, 0, "a removed relationship with an active subscription of record");
}

#[sqlx::test(migrations = "../migrations")]
async fn removal_races_reactivation_and_orders(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let coho = app.sign_in("globaladmin@cohowinery.demo").await;
    let coho_id = app.org_id("Coho Winery").await;
    let suspended = sub_id(&app, "Coho Office 365 E3").await;
    let offers = app.ok(&contoso, "{ catalog { services { name offers { id } } } }", json!({})).await;
    let offer = offers["catalog"]["services"][0]["offers"][0]["id"].clone();
    for round in 0..ROUNDS {
        reset_coho(&app).await;
        let rel = coho_relationship(&app, &coho).await;
        let contender = if round % 2 == 0 {
            app.gql(Some(&contoso), "mutation($i: ID!) { reactivateSubscription(input: {subscriptionId: $i}) { subscription { status } } }", json!({ "i": suspended }))
        } else {
            app.gql(Some(&contoso), "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { id } } }",
                json!({ "i": { "customerId": coho_id, "offerId": offer, "friendlyName": format!("Race {round}"), "quantity": 1, "termDuration": "P1M", "billingCycle": "MONTHLY" } }))
        };
        let (removal, other) = tokio::join!(app.gql(Some(&coho), REMOVE, json!({ "i": rel })), contender);
        assert_clean(&removal, &other);
        assert!(succeeded(&removal) != succeeded(&other), "exactly one wins: {removal} {other}");
        assert_no_orphan(&app).await;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn withdrawal_races_acceptance_of_a_partnership_link(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let northwind = app.sign_in("admin@northwind.demo").await;
    for _ in 0..ROUNDS {
        // Northwind must not already be partnered for its accept to count.
        sqlx::query(
            "update reseller_partnership set status = 'REMOVED', removed_at = now() where status = 'ACTIVE'",
        )
        .execute(&app.pool)
        .await
        .unwrap();
        let made = app
            .ok(&fabrikam, "mutation { invitePartnerReseller { partnership { id code } } }", json!({}))
            .await;
        let p = &made["invitePartnerReseller"]["partnership"];
        let (withdraw, accept) = tokio::join!(
            app.gql(Some(&fabrikam), "mutation($i: RemoveResellerPartnershipInput!) { removeResellerPartnership(input: $i) { partnership { status } } }", json!({ "i": { "id": p["id"] } })),
            app.gql(Some(&northwind), "mutation($i: AcceptResellerPartnershipInput!) { acceptResellerPartnership(input: $i) { partnership { status } } }", json!({ "i": { "code": p["code"] } })),
        );
        assert_clean(&withdraw, &accept);
        assert!(succeeded(&withdraw), "withdrawing (or removing once accepted) always works: {withdraw}");
        let status: String = sqlx::query_scalar("select status from reseller_partnership where code = $1")
            .bind(p["code"].as_str().unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(status, "REMOVED");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn termination_races_consent_and_grants_race_each_other(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let admin = app.sign_in("globaladmin@cohowinery.demo").await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let adatum = app.sign_in("admin@adatum.demo").await;
    let (contoso_id, adatum_id) =
        (app.org_id("Contoso Cloud Direct").await, app.org_id("Adatum Advisory").await);
    let azure = service_id(&app, &admin, "Azure").await;
    let grant = "mutation($i: GrantDelegatedAdminInput!) { grantDelegatedAdmin(input: $i) { delegatedAdminRelationship { id } } }";
    let consent = "mutation($i: ID!) { consentToDelegatedAdminRelationship(input: {id: $i}) { delegatedAdminRelationship { status } } }";
    let terminate = "mutation($i: ID!) { terminateDelegatedAdminRelationship(input: {id: $i}) { delegatedAdminRelationship { status } } }";
    let terms = |name: String| json!({ "displayName": name, "roles": ["PROVISIONING"], "serviceIds": [azure], "duration": "P30D", "autoExtend": "P0D" });
    for round in 0..ROUNDS {
        // Terminate or consent: it always ends TERMINATED, holding nothing.
        let g = app
            .ok(
                &admin,
                grant,
                json!({ "i": { "partnerId": contoso_id, "terms": terms(format!("t{round}")) } }),
            )
            .await;
        let id = g["grantDelegatedAdmin"]["delegatedAdminRelationship"]["id"].clone();
        let (t, c) = tokio::join!(
            app.gql(Some(&admin), terminate, json!({ "i": id })),
            app.gql(Some(&contoso), consent, json!({ "i": id }))
        );
        assert_clean(&t, &c);
        assert!(succeeded(&t), "{t}");
        assert_eq!(scalar(&app, &format!("select count(*) from delegated_admin_relationship where display_name = 't{round}' and status = 'TERMINATED'")).await, 1);
        assert_eq!(scalar(&app, "select count(*) from delegated_admin_service where holds_exclusive_role and customer_id = (select organization_id from organization where name = 'Coho Winery')").await, 0);

        // Two grants of the same exclusive role to two partners, consented at once: one holder.
        let a = app
            .ok(
                &admin,
                grant,
                json!({ "i": { "partnerId": contoso_id, "terms": terms(format!("a{round}")) } }),
            )
            .await;
        let b = app
            .ok(
                &admin,
                grant,
                json!({ "i": { "partnerId": adatum_id, "terms": terms(format!("b{round}")) } }),
            )
            .await;
        let (ca, cb) = tokio::join!(
            app.gql(
                Some(&contoso),
                consent,
                json!({ "i": a["grantDelegatedAdmin"]["delegatedAdminRelationship"]["id"] })
            ),
            app.gql(
                Some(&adatum),
                consent,
                json!({ "i": b["grantDelegatedAdmin"]["delegatedAdminRelationship"]["id"] })
            ),
        );
        assert_clean(&ca, &cb);
        assert!(succeeded(&ca) != succeeded(&cb), "exactly one holder: {ca} {cb}");
        let holders = scalar(&app, "select count(distinct partner_id) from delegated_admin_service where holds_exclusive_role and customer_id = (select organization_id from organization where name = 'Coho Winery')").await;
        assert_eq!(holders, 1);
        // Clear the way for the next round.
        sqlx::query("update delegated_admin_relationship set status = 'TERMINATED', terminated_at = now() where status in ('ACTIVE', 'CONSENT_PENDING') and customer_id = (select organization_id from organization where name = 'Coho Winery')")
            .execute(&app.pool).await.unwrap();
        sqlx::query("update delegated_admin_service set holds_exclusive_role = false where customer_id = (select organization_id from organization where name = 'Coho Winery')")
            .execute(&app.pool).await.unwrap();
    }
}
