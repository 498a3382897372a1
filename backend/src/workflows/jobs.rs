//! The background job that writes time-bound transitions down: delegated admin relationships
//! that end or extend, approval windows that pass, expiring notices, invitations that expire,
//! suspended subscriptions whose data is deleted. Reads are already right before it runs (they
//! compute these at "now"); the job makes them durable and emits their audit events (the
//! change feed). Every statement claims its rows with FOR UPDATE SKIP LOCKED, so any number of
//! server instances may run it at once without doing anything twice. Each step runs in its own
//! transaction, so one failing step never holds back the others.

use crate::AppState;
use crate::db::{audit, relationships, subscriptions};
use crate::domain::AppResult;
use crate::domain::delegated_admin::{APPROVAL_WINDOW_DAYS, AUTO_EXTEND_DAYS};
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
    /// Failed sign-ins older than the throttling window, forgotten.
    pub sign_in_failures_pruned: usize,
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
type Tx<'a> = &'a mut sqlx::PgConnection;

/// Runs one step in its own transaction. A failing step is rolled back and reported loudly;
/// it never stops the others (one bad row must not wedge every other transition for good).
async fn step<F>(state: &AppState, name: &'static str, report: &mut Report, f: F) -> usize
where
    F: for<'a> FnOnce(Tx<'a>) -> futures_util::future::BoxFuture<'a, AppResult<usize>>,
{
    let result = async {
        let mut tx = state.pool.begin().await?;
        let n = f(&mut tx).await?;
        tx.commit().await?;
        AppResult::Ok(n)
    }
    .await;
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
            let expired: Vec<Row> = sqlx::query_as(
                "with due as (select relationship_id from delegated_admin_relationship \
                    where status = 'ACTIVE' and auto_extend = 'P0D' and ends_at <= $1 for update skip locked) \
                 update delegated_admin_relationship d set status = 'EXPIRED' from due \
                 where d.relationship_id = due.relationship_id \
                 returning d.relationship_id, d.customer_id, d.partner_id, jsonb_build_object('endedAt', d.ends_at)",
            )
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query(
                "update delegated_admin_service set holds_exclusive_role = false where relationship_id = any($1)",
            )
            .bind(expired.iter().map(|r| r.0).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
            // Stored stage choices of a partner whose role ended fall back (reads already do).
            for (_, customer, partner, _) in &expired {
                if let (Some(c), Some(p)) = (customer, partner) {
                    subscriptions::release_stages_without_role(&mut *tx, *c, *p, now).await?;
                }
            }
            events(tx, now, "delegated_admin.expired", "DelegatedAdminRelationship", &expired).await?;
            Ok(expired.len())
        })
    })
    .await;

    report.delegated_admin_extended = step(state, "delegated_admin_extended", &mut report, |tx| {
        Box::pin(async move {
            let extended: Vec<Row> = sqlx::query_as(
                "with due as (select relationship_id from delegated_admin_relationship \
                    where status = 'ACTIVE' and auto_extend = 'P180D' and ends_at <= $1 for update skip locked) \
                 update delegated_admin_relationship d \
                    set ends_at = d.ends_at + make_interval(days => $2 * (floor(extract(epoch from ($1 - d.ends_at)) / ($2 * 86400))::int + 1)), \
                        last_expiry_notice_days = null \
                 from due where d.relationship_id = due.relationship_id \
                 returning d.relationship_id, d.customer_id, d.partner_id, jsonb_build_object('endsAt', d.ends_at)",
            )
            .bind(now)
            .bind(AUTO_EXTEND_DAYS as i32)
            .fetch_all(&mut *tx)
            .await?;
            events(tx, now, "delegated_admin.extended", "DelegatedAdminRelationship", &extended).await?;
            Ok(extended.len())
        })
    })
    .await;

    report.approvals_expired = step(state, "approvals_expired", &mut report, |tx| {
        Box::pin(async move {
            let lapsed: Vec<Row> = sqlx::query_as(
                "with due as (select relationship_id from delegated_admin_relationship \
                    where status in ('APPROVAL_PENDING', 'CONSENT_PENDING') \
                      and coalesce(approval_requested_at, created_at) + make_interval(days => $2) <= $1 \
                    for update skip locked) \
                 update delegated_admin_relationship d set status = 'EXPIRED' from due \
                 where d.relationship_id = due.relationship_id \
                 returning d.relationship_id, d.customer_id, d.partner_id, jsonb_build_object('reason', 'approval window passed')",
            )
            .bind(now)
            .bind(APPROVAL_WINDOW_DAYS as i32)
            .fetch_all(&mut *tx)
            .await?;
            events(tx, now, "delegated_admin.expired", "DelegatedAdminRelationship", &lapsed).await?;
            Ok(lapsed.len())
        })
    })
    .await;

    // Notices at 30, 7 and 1 days before the end, each once.
    report.expiry_notices = step(state, "expiry_notices", &mut report, |tx| {
        Box::pin(async move {
            let notices: Vec<Row> = sqlx::query_as(
                "with due as (select relationship_id, \
                        case when ends_at - $1 <= interval '1 day' then 1 \
                             when ends_at - $1 <= interval '7 days' then 7 else 30 end as threshold \
                    from delegated_admin_relationship \
                    where status = 'ACTIVE' and auto_extend = 'P0D' and ends_at > $1 and ends_at - $1 <= interval '30 days' \
                    for update skip locked) \
                 update delegated_admin_relationship d set last_expiry_notice_days = due.threshold from due \
                 where d.relationship_id = due.relationship_id \
                   and (d.last_expiry_notice_days is null or d.last_expiry_notice_days > due.threshold) \
                 returning d.relationship_id, d.customer_id, d.partner_id, \
                    jsonb_build_object('noticeDays', due.threshold, 'endsAt', d.ends_at)",
            )
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
            events(tx, now, "delegated_admin.expiring", "DelegatedAdminRelationship", &notices).await?;
            Ok(notices.len())
        })
    })
    .await;

    report.invitations_expired = step(state, "invitations_expired", &mut report, |tx| {
        Box::pin(async move {
            let invitations: Vec<Row> = sqlx::query_as(
                "with due as (select invitation_id from invitation where status = 'PENDING' and expires_at <= $1 \
                    for update skip locked) \
                 update invitation i set status = 'EXPIRED' from due where i.invitation_id = due.invitation_id \
                 returning i.invitation_id, i.customer_id, i.partner_id, jsonb_build_object('expiredAt', i.expires_at)",
            )
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
            events(tx, now, "invitation.expired", "Invitation", &invitations).await?;
            Ok(invitations.len())
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
