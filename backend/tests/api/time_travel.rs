//! Two simulated years, a day at a time, over a database holding every state of every
//! aggregate: each day reads are taken, the background job runs, and reads are taken again.
//! Every job step succeeds, every invariant holds, and the job writes down exactly what reads
//! had already shown. A CHECK that contradicts a transition fails here, not in production.

use crate::helpers::*;
use chrono::Duration;
use multichannel::AppState;
use multichannel::workflows::jobs::run_due;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;

const READS: &str = "{ subscriptions(first: 100) { edges { node { id status effectiveStart commitmentEnd dataDeletionDate autoRenew servicePartners { stage partner { id } } } } } \
    delegatedAdminRelationships(first: 100) { edges { node { id status endsAt expiresSoon } } } invitations(first: 100) { edges { node { id status } } } partnerships(first: 100) { edges { node { id status } } } }";

/// Puts every state the demo lacks into the database: drafts, requests awaiting approval and
/// consent, auto-extending and GLOBAL_ADMIN relationships, pending invitations and links,
/// subscriptions without auto-renew, suspended ones.
async fn every_state(app: &TestApp) {
    let contoso = app.sign_in("admin@contoso.demo").await;
    let coho_admin = app.sign_in("globaladmin@cohowinery.demo").await;
    let coho = app.org_id("Coho Winery").await;
    let adatum = app.org_id("Adatum Advisory").await;
    let azure = service_id(app, &contoso, "Azure").await;
    let create = "mutation($i: CreateDelegatedAdminRelationshipInput!) { createDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }";
    let terms = |name: &str, roles: &[&str], duration: &str, extend: &str| json!({ "displayName": name, "roles": roles, "serviceIds": [azure], "duration": duration, "autoExtend": extend });
    let id_of = |v: &Value| v["createDelegatedAdminRelationship"]["delegatedAdminRelationship"]["id"].clone();
    app.ok(
        &contoso,
        create,
        json!({ "i": { "customerId": coho, "terms": terms("draft", &["SUPPORT"], "P30D", "P0D") } }),
    )
    .await;
    let pending = id_of(
        &app.ok(
            &contoso,
            create,
            json!({ "i": { "customerId": coho, "terms": terms("pending", &["SUPPORT"], "P30D", "P0D") } }),
        )
        .await,
    );
    app.ok(&contoso, "mutation($i: ID!) { requestDelegatedAdminApproval(input: {id: $i}) { delegatedAdminRelationship { id } } }", json!({ "i": pending })).await;
    for (name, roles, extend) in
        [("extends", &["SUPPORT"][..], "P180D"), ("global", &["GLOBAL_ADMIN"][..], "P0D")]
    {
        let id = id_of(
            &app.ok(
                &contoso,
                create,
                json!({ "i": { "customerId": coho, "terms": terms(name, roles, "P60D", extend) } }),
            )
            .await,
        );
        app.ok(&contoso, "mutation($i: ID!) { requestDelegatedAdminApproval(input: {id: $i}) { delegatedAdminRelationship { id } } }", json!({ "i": id })).await;
        app.ok(&coho_admin, "mutation($i: ID!) { approveDelegatedAdminRelationship(input: {id: $i}) { delegatedAdminRelationship { id } } }", json!({ "i": id })).await;
    }
    app.ok(&coho_admin, "mutation($i: GrantDelegatedAdminInput!) { grantDelegatedAdmin(input: $i) { delegatedAdminRelationship { id } } }",
        json!({ "i": { "partnerId": adatum, "terms": { "displayName": "awaiting consent", "roles": ["SUPPORT"], "serviceIds": [azure], "duration": "P90D", "autoExtend": "P0D" } } }))
        .await;
    app.ok(
        &contoso,
        "mutation { createInvitation(input: {audience: ANY_CUSTOMER}) { invitation { id } } }",
        json!({}),
    )
    .await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    app.ok(&fabrikam, "mutation { invitePartnerReseller { partnership { id } } }", json!({})).await;
    let plan = sub_id(app, "Coho Azure plan").await;
    app.ok(&contoso, "mutation($i: ID!) { setSubscriptionAutoRenew(input: {subscriptionId: $i, autoRenew: false}) { subscription { id } } }", json!({ "i": plan })).await;
}

/// Invariants the data must keep whatever day it is.
async fn check_invariants(app: &TestApp, day: i64) {
    let now = multichannel::domain::Clock::now(&app.clock);
    let violations: Vec<(String, i64)> = sqlx::query_as(
        "select 'stage held by a partner without the role', count(*) from subscription s \
            where (s.provisioning_partner_id is not null and s.status = 'ACTIVE' and not partner_holds_delegated_role(s.customer_id, s.service_id, s.provisioning_partner_id, array['PROVISIONING', 'GLOBAL_ADMIN'], $1)) \
               or (s.support_partner_id is not null and s.status = 'ACTIVE' and not partner_holds_delegated_role(s.customer_id, s.service_id, s.support_partner_id, array['SUPPORT'], $1)) \
         union all select 'exclusive claim not in force', count(*) from delegated_admin_service ds join delegated_admin_relationship d using (relationship_id) \
            where ds.holds_exclusive_role and not delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, $1) \
         union all select 'two exclusive partners for one service', count(*) from (select customer_id, service_id from delegated_admin_service \
            where holds_exclusive_role group by 1, 2 having count(distinct partner_id) > 1) x \
         union all select 'active term already over', count(*) from subscription \
            where status = 'ACTIVE' and commitment_end <= ($1 at time zone 'UTC')::date \
         union all select 'active relationship past its end', count(*) from delegated_admin_relationship \
            where status = 'ACTIVE' and ends_at <= $1 \
         union all select 'pending past its window', count(*) from delegated_admin_relationship \
            where status in ('APPROVAL_PENDING', 'CONSENT_PENDING') and coalesce(approval_requested_at, created_at) + interval '90 days' <= $1 \
         union all select 'pending invitation past expiry', count(*) from invitation where status = 'PENDING' and expires_at <= $1",
    )
    .bind(now)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for (what, n) in violations {
        assert_eq!(n, 0, "day {day}: {what}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn two_years_a_day_at_a_time(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    every_state(&app).await;
    let state = AppState::new(app.pool.clone()).with_clock(Arc::new(app.clock.clone()));
    let mut written = 0;
    for day in 0..730 {
        // Sessions last 12 hours: the operator signs in afresh each simulated day.
        let op = app.sign_in("operator@21vianet.demo").await;
        let before = app.ok(&op, READS, json!({})).await;
        let report = run_due(&state).await.unwrap();
        assert!(report.failed_steps.is_empty(), "day {day}: {report:?}");
        written += report.delegated_admin_expired
            + report.delegated_admin_extended
            + report.approvals_expired
            + report.invitations_expired
            + report.partnerships_expired
            + report.subscriptions_renewed
            + report.subscriptions_expired
            + report.subscriptions_deleted;
        let after = app.ok(&op, READS, json!({})).await;
        assert_eq!(before, after, "day {day}: the job changed what reads showed ({report:?})");
        check_invariants(&app, day).await;
        app.advance(Duration::days(1));
    }
    eprintln!("time travel: 730 days, {written} transitions written down");
    assert!(written > 30, "the two years exercised the job ({written} transitions)");
}
