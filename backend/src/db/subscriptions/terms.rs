//! The term jobs: renewing, expiring and deleting subscriptions whose dates have passed.

use crate::domain::AppResult;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// A subscription whose term was written down anew, or that ended.
#[derive(Debug, Clone)]
pub struct TermChange {
    pub subscription_id: Uuid,
    pub customer_id: Uuid,
    pub partner_of_record_id: Option<Uuid>,
    pub effective_start: NaiveDate,
    pub commitment_end: NaiveDate,
}

/// Writes down the terms of auto-renewing subscriptions whose commitment ended by `now` (all, or
/// only `only`): the term reads already show. Safe with several instances running.
pub async fn renew_due(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    only: Option<Uuid>,
) -> AppResult<Vec<TermChange>> {
    Ok(sqlx::query_as!(
        TermChange,
        r#"with due as (select subscription_id from subscription
               where status = 'ACTIVE' and auto_renew and commitment_end <= ($1 at time zone 'UTC')::date
                 and ($2::uuid is null or subscription_id = $2)
               for update skip locked)
           update subscription s set
               effective_start = subscription_effective_start_at(s.status, s.auto_renew, s.term_duration,
                   s.effective_start, s.commitment_end, $1),
               commitment_end = subscription_commitment_end_at(s.status, s.auto_renew, s.term_duration,
                   s.commitment_end, $1)
           from due where s.subscription_id = due.subscription_id
           returning s.subscription_id as "subscription_id!", s.customer_id as "customer_id!",
               s.partner_of_record_id as "partner_of_record_id?", s.effective_start as "effective_start!",
               s.commitment_end as "commitment_end!""#,
        now,
        only,
    )
    .fetch_all(db)
    .await?)
}

/// Writes down EXPIRED for terms that ended without auto-renew.
pub async fn expire_due(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> AppResult<Vec<TermChange>> {
    Ok(sqlx::query_as!(
        TermChange,
        r#"with due as (select subscription_id from subscription
               where status = 'ACTIVE' and not auto_renew and commitment_end <= ($1 at time zone 'UTC')::date
               for update skip locked)
           update subscription s set status = 'EXPIRED'
           from due where s.subscription_id = due.subscription_id
           returning s.subscription_id as "subscription_id!", s.customer_id as "customer_id!",
               s.partner_of_record_id as "partner_of_record_id?", s.effective_start as "effective_start!",
               s.commitment_end as "commitment_end!""#,
        now,
    )
    .fetch_all(db)
    .await?)
}

/// An expired subscription renewed by hand: a new term from today.
pub async fn renew(db: impl PgExecutor<'_>, id: Uuid, start: NaiveDate, end: NaiveDate) -> AppResult<()> {
    sqlx::query!(
        "update subscription set status = 'ACTIVE', effective_start = $2, commitment_end = $3, lapsed_on = null
         where subscription_id = $1",
        id,
        start,
        end,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Subscriptions past their data-deletion date (60 days after suspension, or after a term that
/// ended without renewal), written down as DELETED (the background job; reads already show
/// them DELETED). Safe with several instances running.
pub async fn delete_due(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> AppResult<Vec<(Uuid, Uuid)>> {
    let rows = sqlx::query!(
        r#"with due as (select subscription_id from subscription
               where subscription_status_at(status, suspended_at, auto_renew, commitment_end, lapsed_on, $1) = 'DELETED'
                 and status <> 'DELETED'
               for update skip locked)
           update subscription s set status = 'DELETED',
               deleted_at = case when s.status = 'SUSPENDED' then s.suspended_at + interval '60 days'
                                 else (coalesce(s.lapsed_on, s.commitment_end) + 60)::timestamp at time zone 'UTC' end,
               suspended_at = null, auto_renew = false
           from due where s.subscription_id = due.subscription_id
           returning s.subscription_id as "subscription_id!", s.customer_id as "customer_id!""#,
        now,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.subscription_id, r.customer_id)).collect())
}
