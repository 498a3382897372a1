//! Delegated admin relationships over time, written down by the background job: ends,
//! auto-extensions, lapsed approvals and expiry notices. Reads already compute these at "now";
//! the rules and their numbers are in `domain::delegated_admin`, passed in here. Every
//! statement claims its rows with FOR UPDATE SKIP LOCKED, so concurrent jobs never do one twice.

use crate::domain::{AppResult, DelegatedAdminStatus};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A relationship the job changed, with the details its audit event reports.
#[derive(Debug, Clone)]
pub struct Changed {
    pub relationship_id: Uuid,
    pub customer_id: Uuid,
    pub partner_id: Uuid,
    pub details: serde_json::Value,
}

/// ACTIVE relationships that do not renew themselves (`auto_extend` other than `renewing`)
/// and ended by `now` become EXPIRED; their exclusive roles are released.
pub async fn expire_ended(
    db: &mut PgConnection,
    now: DateTime<Utc>,
    renewing: &str,
) -> AppResult<Vec<Changed>> {
    let expired = sqlx::query_as!(
        Changed,
        r#"with due as (
               select relationship_id from delegated_admin_relationship
               where status = 'ACTIVE' and auto_extend <> $2 and ends_at <= $1
               for update skip locked)
           update delegated_admin_relationship d set status = 'EXPIRED' from due
           where d.relationship_id = due.relationship_id
           returning d.relationship_id as "relationship_id!", d.customer_id as "customer_id!",
               d.partner_id as "partner_id!", jsonb_build_object('endedAt', d.ends_at) as "details!""#,
        now,
        renewing,
    )
    .fetch_all(&mut *db)
    .await?;
    let ids: Vec<Uuid> = expired.iter().map(|r| r.relationship_id).collect();
    sqlx::query!(
        "update delegated_admin_service set holds_exclusive_role = false where relationship_id = any($1)",
        &ids,
    )
    .execute(&mut *db)
    .await?;
    Ok(expired)
}

/// ACTIVE relationships that renew themselves (`auto_extend` = `renewing`) and ended by `now`,
/// claimed with their stored end.
pub async fn claim_ended_renewing(
    db: &mut PgConnection,
    now: DateTime<Utc>,
    renewing: &str,
) -> AppResult<Vec<(Uuid, DateTime<Utc>)>> {
    let rows = sqlx::query!(
        r#"select relationship_id, ends_at as "ends_at!" from delegated_admin_relationship
           where status = 'ACTIVE' and auto_extend = $2 and ends_at <= $1
           for update skip locked"#,
        now,
        renewing,
    )
    .fetch_all(&mut *db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.relationship_id, r.ends_at)).collect())
}

/// Moves the ends of claimed relationships; a new end resets the expiry notices.
pub async fn set_ends(db: &mut PgConnection, ends: &[(Uuid, DateTime<Utc>)]) -> AppResult<Vec<Changed>> {
    let (ids, ends): (Vec<Uuid>, Vec<DateTime<Utc>>) = ends.iter().copied().unzip();
    Ok(sqlx::query_as!(
        Changed,
        r#"update delegated_admin_relationship d set ends_at = e.ends_at, last_expiry_notice_days = null
           from unnest($1::uuid[], $2::timestamptz[]) as e(relationship_id, ends_at)
           where d.relationship_id = e.relationship_id
           returning d.relationship_id as "relationship_id!", d.customer_id as "customer_id!",
               d.partner_id as "partner_id!", jsonb_build_object('endsAt', d.ends_at) as "details!""#,
        &ids,
        &ends,
    )
    .fetch_all(&mut *db)
    .await?)
}

/// Relationships in one of `awaiting` whose approval was asked for (or, never asked, that were
/// created) at or before `asked_by` become EXPIRED.
pub async fn expire_unapproved(
    db: &mut PgConnection,
    asked_by: DateTime<Utc>,
    awaiting: &[DelegatedAdminStatus],
) -> AppResult<Vec<Changed>> {
    Ok(sqlx::query_as!(
        Changed,
        r#"with due as (
               select relationship_id from delegated_admin_relationship
               where status = any($2::text[]) and coalesce(approval_requested_at, created_at) <= $1
               for update skip locked)
           update delegated_admin_relationship d set status = 'EXPIRED' from due
           where d.relationship_id = due.relationship_id
           returning d.relationship_id as "relationship_id!", d.customer_id as "customer_id!",
               d.partner_id as "partner_id!",
               jsonb_build_object('reason', 'approval window passed') as "details!""#,
        asked_by,
        awaiting as _,
    )
    .fetch_all(&mut *db)
    .await?)
}

/// An ACTIVE relationship that does not renew itself and ends after `now` but by `until`,
/// claimed with its end and the last notice sent.
#[derive(Debug, Clone)]
pub struct Ending {
    pub relationship_id: Uuid,
    pub ends_at: DateTime<Utc>,
    pub last_expiry_notice_days: Option<i32>,
}

pub async fn claim_ending(
    db: &mut PgConnection,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    renewing: &str,
) -> AppResult<Vec<Ending>> {
    Ok(sqlx::query_as!(
        Ending,
        r#"select relationship_id, ends_at as "ends_at!", last_expiry_notice_days
           from delegated_admin_relationship
           where status = 'ACTIVE' and auto_extend <> $3 and ends_at > $1 and ends_at <= $2
           for update skip locked"#,
        now,
        until,
        renewing,
    )
    .fetch_all(&mut *db)
    .await?)
}

/// Records the expiry notices sent (days before the end), so each goes out once.
pub async fn record_notices(db: &mut PgConnection, notices: &[(Uuid, i32)]) -> AppResult<Vec<Changed>> {
    let (ids, days): (Vec<Uuid>, Vec<i32>) = notices.iter().copied().unzip();
    Ok(sqlx::query_as!(
        Changed,
        r#"update delegated_admin_relationship d set last_expiry_notice_days = n.days
           from unnest($1::uuid[], $2::int[]) as n(relationship_id, days)
           where d.relationship_id = n.relationship_id
           returning d.relationship_id as "relationship_id!", d.customer_id as "customer_id!",
               d.partner_id as "partner_id!",
               jsonb_build_object('noticeDays', n.days, 'endsAt', d.ends_at) as "details!""#,
        &ids,
        &days,
    )
    .fetch_all(&mut *db)
    .await?)
}
