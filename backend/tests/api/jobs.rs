//! The background job writes time-bound transitions down, once, even with two running at once;
//! reads show them before it runs.

use crate::helpers::*;
use chrono::Duration;
use multichannel::AppState;
use multichannel::workflows::jobs::{Report, run_due};
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;

async fn count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("select count(*) from audit_event where action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_job_writes_down_what_reads_already_show(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let state = AppState::new(app.pool.clone()).with_clock(Arc::new(app.clock.clone()));
    let contoso = app.sign_in("sales@contoso.demo").await;
    app.ok(
        &contoso,
        "mutation { createInvitation(input: {audience: ANY_CUSTOMER}) { invitation { id } } }",
        json!({}),
    )
    .await;

    // Tailspin's SUPPORT on Woodgrove ends in 20 days: the 30-day notice goes out once. A
    // monthly auto-renewing subscription whose term ended is renewed (written down once).
    let first = run_due(&state).await.unwrap();
    assert_eq!(first, Report { expiry_notices: 1, subscriptions_renewed: 1, ..Report::default() });
    assert_eq!(run_due(&state).await.unwrap(), Report::default());
    app.advance(Duration::days(14));
    assert_eq!(run_due(&state).await.unwrap().expiry_notices, 1, "the 7-day notice");

    // Past its end: reads say EXPIRED before the job; two jobs at once expire it once.
    app.advance(Duration::days(7));
    let admin = app.sign_in("globaladmin@woodgrove.demo").await;
    let before = app
        .ok(
            &admin,
            "{ delegatedAdminRelationships(filter: {status: EXPIRED}) { edges { node { displayName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        nodes_of(&before["delegatedAdminRelationships"]),
        json!([{ "displayName": "Woodgrove Office support" }])
    );
    let (a, b) = tokio::join!(run_due(&state), run_due(&state));
    assert_eq!(a.unwrap().delegated_admin_expired + b.unwrap().delegated_admin_expired, 1);
    assert_eq!(count(&app, "delegated_admin.expired").await, 1);
    let stored: String = sqlx::query_scalar(
        "select status from delegated_admin_relationship where display_name = 'Woodgrove Office support'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, "EXPIRED");
    let after = app
        .ok(
            &admin,
            "{ delegatedAdminRelationships(filter: {status: EXPIRED}) { edges { node { displayName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(after, before);

    // Coho's suspended subscription (suspended 10 days before the start) is deleted at day 50.
    app.advance(Duration::days(30));
    let r = run_due(&state).await.unwrap();
    assert_eq!(r.subscriptions_deleted, 1);
    let status: String =
        sqlx::query_scalar("select status from subscription where friendly_name = 'Coho Office 365 E3'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "DELETED");

    // The invitation expires 90 days after creation.
    app.advance(Duration::days(40));
    assert_eq!(run_due(&state).await.unwrap().invitations_expired, 1);
    assert_eq!(count(&app, "invitation.expired").await, 1);
}
