//! The background job that writes time-bound transitions down: delegated admin relationships
//! that end or extend, approval windows that pass, expiring notices, invitations that expire,
//! suspended subscriptions whose data is deleted. Reads are already right before it runs (they
//! compute these at "now"); the job makes them durable and emits their audit events (the
//! change feed). Every statement claims its rows with FOR UPDATE SKIP LOCKED, so any number of
//! server instances may run it at once without doing anything twice.

use crate::AppState;
use crate::db::{audit, subscriptions};
use crate::domain::AppResult;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub delegated_admin_expired: usize,
    pub delegated_admin_extended: usize,
    pub approvals_expired: usize,
    pub expiry_notices: usize,
    pub invitations_expired: usize,
    pub subscriptions_deleted: usize,
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

pub async fn run_due(state: &AppState) -> AppResult<Report> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let mut report = Report::default();

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
    events(&mut tx, now, "delegated_admin.expired", "DelegatedAdminRelationship", &expired).await?;
    report.delegated_admin_expired = expired.len();

    let extended: Vec<Row> = sqlx::query_as(
        "with due as (select relationship_id from delegated_admin_relationship \
            where status = 'ACTIVE' and auto_extend = 'P180D' and ends_at <= $1 for update skip locked) \
         update delegated_admin_relationship d \
            set ends_at = d.ends_at + make_interval(days => 180 * (floor(extract(epoch from ($1 - d.ends_at)) / (180 * 86400))::int + 1)), \
                last_expiry_notice_days = null \
         from due where d.relationship_id = due.relationship_id \
         returning d.relationship_id, d.customer_id, d.partner_id, jsonb_build_object('endsAt', d.ends_at)",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    events(&mut tx, now, "delegated_admin.extended", "DelegatedAdminRelationship", &extended).await?;
    report.delegated_admin_extended = extended.len();

    let lapsed: Vec<Row> = sqlx::query_as(
        "with due as (select relationship_id from delegated_admin_relationship \
            where status in ('APPROVAL_PENDING', 'CONSENT_PENDING') \
              and coalesce(approval_requested_at, created_at) + interval '90 days' <= $1 for update skip locked) \
         update delegated_admin_relationship d set status = 'EXPIRED' from due \
         where d.relationship_id = due.relationship_id \
         returning d.relationship_id, d.customer_id, d.partner_id, jsonb_build_object('reason', 'approval window passed')",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    events(&mut tx, now, "delegated_admin.expired", "DelegatedAdminRelationship", &lapsed).await?;
    report.approvals_expired = lapsed.len();

    // Notices at 30, 7 and 1 days before the end, each once.
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
    events(&mut tx, now, "delegated_admin.expiring", "DelegatedAdminRelationship", &notices).await?;
    report.expiry_notices = notices.len();

    let invitations: Vec<Row> = sqlx::query_as(
        "with due as (select invitation_id from invitation where status = 'PENDING' and expires_at <= $1 \
            for update skip locked) \
         update invitation i set status = 'EXPIRED' from due where i.invitation_id = due.invitation_id \
         returning i.invitation_id, i.customer_id, i.partner_id, jsonb_build_object('expiredAt', i.expires_at)",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    events(&mut tx, now, "invitation.expired", "Invitation", &invitations).await?;
    report.invitations_expired = invitations.len();

    let deleted = subscriptions::delete_expired_suspensions(&mut *tx, now).await?;
    let rows: Vec<Row> = deleted
        .iter()
        .map(|(s, c)| (*s, Some(*c), None, serde_json::json!({ "reason": "data retention ended" })))
        .collect();
    events(&mut tx, now, "subscription.deleted", "Subscription", &rows).await?;
    report.subscriptions_deleted = deleted.len();

    tx.commit().await?;
    Ok(report)
}

/// Runs the job every `interval` until the process stops; failures are logged and retried.
pub async fn run_forever(state: AppState, interval: std::time::Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match run_due(&state).await {
            Ok(r) if r != Report::default() => tracing::info!(report = ?r, "time-bound transitions written"),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e.describe(), "background job failed; retrying at the next tick")
            }
        }
    }
}
