//! The background job that writes time-bound transitions down: delegated admin relationships
//! that end or extend, approval windows that pass, expiring notices, invitations that expire,
//! suspended subscriptions whose data is deleted. Reads are already right before it runs (they
//! compute these at "now", by the rules in `domain`); the job makes them durable and appends
//! their audit events. Every statement in `db` it calls claims its rows with FOR UPDATE SKIP
//! LOCKED, so any number of server instances may run it at once without doing anything twice.
//! Each step runs in its own transaction, so one failing step never holds back the others.

use crate::AppState;
use crate::db::{audit, delegated_admin_expiry, invitations, relationships, subscriptions};
use crate::domain::AppResult;
use crate::domain::delegated_admin as rules;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub delegated_admin_expired: usize,
    pub delegated_admin_extended: usize,
    pub approvals_expired: usize,
    pub expiry_notices: usize,
    pub invitations_expired: usize,
    pub partnerships_expired: usize,
    pub subscriptions_renewed: usize,
    pub subscriptions_expired: usize,
    pub subscriptions_deleted: usize,
    /// Finished webhook deliveries past their retention, deleted with their attempts.
    pub webhook_deliveries_deleted: usize,
    /// Failed sign-ins older than the throttling window, forgotten.
    pub sign_in_failures_pruned: usize,
    /// Idempotency keys older than their 24 hours, forgotten.
    pub idempotency_keys_swept: usize,
    /// Steps that failed this run (each rolled back alone; the others ran).
    pub failed_steps: Vec<&'static str>,
}

async fn events(
    tx: &mut sqlx::PgConnection,
    now: DateTime<Utc>,
    action: &str,
    subject_type: &str,
    rows: &[(Uuid, Option<Uuid>, Option<Uuid>, serde_json::Value)],
) -> AppResult<()> {
    for (id, customer, partner, details) in rows {
        let mut e = audit::Event::new(action, subject_type, *id).details(details.clone());
        if let Some(c) = customer {
            e = e.customer(*c);
        }
        if let Some(p) = partner {
            e = e.partner(*p);
        }
        audit::append(&mut *tx, audit::Actor::SYSTEM, now, e).await?;
    }
    Ok(())
}

type Row = (Uuid, Option<Uuid>, Option<Uuid>, serde_json::Value);

fn delegated_admin_rows(changed: Vec<delegated_admin_expiry::Changed>) -> Vec<Row> {
    changed
        .into_iter()
        .map(|r| (r.relationship_id, Some(r.customer_id), Some(r.partner_id), r.details))
        .collect()
}
type Tx<'a> = &'a mut sqlx::PgConnection;

/// Runs one step in its own transaction. A failing step is rolled back and reported loudly;
/// it never stops the others (one bad row must not wedge every other transition for good).
async fn step<F>(state: &AppState, name: &'static str, report: &mut Report, f: F) -> usize
where
    F: for<'a> FnOnce(Tx<'a>) -> futures_util::future::BoxFuture<'a, AppResult<usize>>,
{
    let started = std::time::Instant::now();
    let result = async {
        let mut tx = state.pool.begin().await?;
        let n = f(&mut tx).await?;
        tx.commit().await?;
        AppResult::Ok(n)
    }
    .await;
    crate::telemetry::job_step("time_bound", name, started.elapsed(), result.is_err());
    match result {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(step = name, error = %e.describe(), "background job step failed; the other steps still run");
            report.failed_steps.push(name);
            0
        }
    }
}

pub async fn run_due(state: &AppState) -> AppResult<Report> {
    let now = state.clock.now();
    let mut report = Report::default();

    report.delegated_admin_expired = step(state, "delegated_admin_expired", &mut report, |tx| {
        Box::pin(async move {
            let expired = delegated_admin_expiry::expire_ended(&mut *tx, now, rules::AUTO_EXTENDING).await?;
            // Stored stage choices of a partner whose role ended fall back (reads already do).
            for r in &expired {
                subscriptions::release_stages_without_role(&mut *tx, r.customer_id, r.partner_id, now)
                    .await?;
            }
            let rows = delegated_admin_rows(expired);
            events(tx, now, "delegated_admin.expired", "DelegatedAdminRelationship", &rows).await?;
            Ok(rows.len())
        })
    })
    .await;

    report.delegated_admin_extended = step(state, "delegated_admin_extended", &mut report, |tx| {
        Box::pin(async move {
            let ended =
                delegated_admin_expiry::claim_ended_renewing(&mut *tx, now, rules::AUTO_EXTENDING).await?;
            let ends: Vec<_> =
                ended.into_iter().map(|(id, end)| (id, rules::extended_end(end, now))).collect();
            let rows = delegated_admin_rows(delegated_admin_expiry::set_ends(&mut *tx, &ends).await?);
            events(tx, now, "delegated_admin.extended", "DelegatedAdminRelationship", &rows).await?;
            Ok(rows.len())
        })
    })
    .await;

    report.approvals_expired = step(state, "approvals_expired", &mut report, |tx| {
        Box::pin(async move {
            let asked_by = rules::approval_lapsed_if_asked_by(now);
            let lapsed =
                delegated_admin_expiry::expire_unapproved(&mut *tx, asked_by, &rules::AWAITING_APPROVAL)
                    .await?;
            let rows = delegated_admin_rows(lapsed);
            events(tx, now, "delegated_admin.expired", "DelegatedAdminRelationship", &rows).await?;
            Ok(rows.len())
        })
    })
    .await;

    report.expiry_notices = step(state, "expiry_notices", &mut report, |tx| {
        Box::pin(async move {
            let until = now + chrono::Duration::days(rules::EXPIRING_WITHIN_DAYS);
            let ending =
                delegated_admin_expiry::claim_ending(&mut *tx, now, until, rules::AUTO_EXTENDING).await?;
            let due: Vec<(Uuid, i32)> = ending
                .into_iter()
                .filter_map(|r| {
                    rules::expiry_notice_due(r.ends_at, now, r.last_expiry_notice_days)
                        .map(|days| (r.relationship_id, days))
                })
                .collect();
            let rows = delegated_admin_rows(delegated_admin_expiry::record_notices(&mut *tx, &due).await?);
            events(tx, now, "delegated_admin.expiring", "DelegatedAdminRelationship", &rows).await?;
            Ok(rows.len())
        })
    })
    .await;

    report.invitations_expired = step(state, "invitations_expired", &mut report, |tx| {
        Box::pin(async move {
            let rows: Vec<Row> = invitations::expire_due(&mut *tx, now)
                .await?
                .into_iter()
                .map(|i| (i.invitation_id, i.customer_id, Some(i.partner_id), i.details))
                .collect();
            events(tx, now, "invitation.expired", "Invitation", &rows).await?;
            Ok(rows.len())
        })
    })
    .await;

    report.partnerships_expired = step(state, "partnerships_expired", &mut report, |tx| {
        Box::pin(async move {
            let rows: Vec<Row> = relationships::expire_due_partnerships(&mut *tx, now)
                .await?
                .into_iter()
                .map(|(id, provider)| (id, None, Some(provider), serde_json::json!({})))
                .collect();
            events(tx, now, "partnership.expired", "ResellerPartnership", &rows).await?;
            Ok(rows.len())
        })
    })
    .await;

    report.subscriptions_renewed = step(state, "subscriptions_renewed", &mut report, |tx| {
        Box::pin(async move { super::subscriptions::write_down_renewals(tx, now, None).await })
    })
    .await;

    report.subscriptions_expired = step(state, "subscriptions_expired", &mut report, |tx| {
        Box::pin(async move {
            let rows: Vec<Row> = subscriptions::expire_due(&mut *tx, now)
                .await?
                .into_iter()
                .map(|t| {
                    let details = serde_json::json!({ "commitmentEnd": t.commitment_end });
                    (t.subscription_id, Some(t.customer_id), t.partner_of_record_id, details)
                })
                .collect();
            events(tx, now, "subscription.expired", "Subscription", &rows).await?;
            Ok(rows.len())
        })
    })
    .await;

    report.subscriptions_deleted = step(state, "subscriptions_deleted", &mut report, |tx| {
        Box::pin(async move {
            let deleted = subscriptions::delete_due(&mut *tx, now).await?;
            let rows: Vec<Row> = deleted
                .iter()
                .map(|(s, c)| (*s, Some(*c), None, serde_json::json!({ "reason": "data retention ended" })))
                .collect();
            events(tx, now, "subscription.deleted", "Subscription", &rows).await?;
            Ok(rows.len())
        })
    })
    .await;

    report.idempotency_keys_swept = step(state, "idempotency_keys_swept", &mut report, |tx| {
        Box::pin(async move {
            crate::db::idempotency::sweep(&mut *tx, crate::domain::idempotency::expired_before(now)).await
        })
    })
    .await;

    // In bounded batches, each its own transaction, so no sweep holds a long one.
    for _ in 0..crate::domain::webhook::RETENTION_BATCHES_PER_SWEEP {
        let deleted = step(state, "webhook_deliveries_deleted", &mut report, |tx| {
            Box::pin(async move {
                use crate::domain::webhook as hooks;
                let n = crate::db::webhooks::delete_finished(
                    tx,
                    now - hooks::DELIVERY_RETENTION,
                    now - hooks::MANUAL_SEND_WINDOW,
                    hooks::RETENTION_BATCH,
                )
                .await?;
                Ok(n as usize)
            })
        })
        .await;
        report.webhook_deliveries_deleted += deleted;
        if (deleted as i64) < crate::domain::webhook::RETENTION_BATCH {
            break;
        }
    }

    report.sign_in_failures_pruned = step(state, "sign_in_failures_pruned", &mut report, |tx| {
        Box::pin(async move {
            let window = chrono::Duration::minutes(crate::domain::credentials::SIGN_IN_WINDOW_MINUTES);
            crate::db::users::prune_sign_in_failures(&mut *tx, now - window).await
        })
    })
    .await;

    Ok(report)
}

/// Runs the job every `interval` until the process stops; failures are logged and retried.
pub async fn run_forever(state: AppState, interval: std::time::Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match run_due(&state).await {
            Ok(r) if !r.failed_steps.is_empty() => {
                tracing::error!(report = ?r, "background job: some steps failed; retrying at the next tick")
            }
            Ok(r) if r != Report::default() => tracing::info!(report = ?r, "time-bound transitions written"),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e.describe(), "background job failed; retrying at the next tick")
            }
        }
    }
}
