//! Writes to one subscription: create, stage overrides, seats, auto-renew, suspend, reactivate, cancel.

use super::Subscription;
use crate::domain::access::Scope;
use crate::domain::{
    AppResult, BillingCycle, LifecycleStage, PurchaseChannel, SubscriptionStatus, TermDuration,
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pub struct NewSubscription<'a> {
    pub customer_id: Uuid,
    pub offer_id: Uuid,
    pub friendly_name: &'a str,
    pub quantity: i32,
    pub assigned_seats: i32,
    pub status: SubscriptionStatus,
    pub billing_cycle: BillingCycle,
    pub term_duration: TermDuration,
    pub effective_start: NaiveDate,
    pub commitment_end: NaiveDate,
    pub auto_renew: bool,
    pub suspended_at: Option<DateTime<Utc>>,
    pub purchase_channel: PurchaseChannel,
    pub partner_of_record_id: Option<Uuid>,
    pub indirect_reseller_id: Option<Uuid>,
    pub provisioning_partner_id: Option<Uuid>,
    pub support_partner_id: Option<Uuid>,
}

pub async fn insert(db: impl PgExecutor<'_>, s: &NewSubscription<'_>) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar!(
        "insert into subscription (customer_id, offer_id, service_id, friendly_name, quantity,
            assigned_seats, status, billing_cycle, term_duration, effective_start, commitment_end,
            auto_renew, suspended_at, purchase_channel, partner_of_record_id, indirect_reseller_id,
            provisioning_partner_id, support_partner_id)
         select $1, $2, o.service_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17
         from offer o where o.offer_id = $2
         returning subscription_id",
        s.customer_id,
        s.offer_id,
        s.friendly_name,
        s.quantity,
        s.assigned_seats,
        s.status as _,
        s.billing_cycle as _,
        s.term_duration as _,
        s.effective_start,
        s.commitment_end,
        s.auto_renew,
        s.suspended_at,
        s.purchase_channel as _,
        s.partner_of_record_id,
        s.indirect_reseller_id,
        s.provisioning_partner_id,
        s.support_partner_id,
    )
    .fetch_one(db)
    .await?)
}

/// Hands a provisioning or support stage to a partner, or back to the default with `None`.
pub async fn set_stage_override(
    db: impl PgExecutor<'_>,
    id: Uuid,
    stage: LifecycleStage,
    partner_id: Option<Uuid>,
) -> AppResult<()> {
    let update = match stage {
        LifecycleStage::Provisioning => sqlx::query!(
            "update subscription set provisioning_partner_id = $2 where subscription_id = $1",
            id,
            partner_id,
        ),
        LifecycleStage::Support => {
            sqlx::query!(
                "update subscription set support_partner_id = $2 where subscription_id = $1",
                id,
                partner_id
            )
        }
        LifecycleStage::Sales | LifecycleStage::Renewal => {
            return Err(crate::domain::AppError::bad_input("sales and renewal stay with the channel"));
        }
    };
    update.execute(db).await?;
    Ok(())
}

pub async fn suspend(db: impl PgExecutor<'_>, id: Uuid, at: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "update subscription set status = 'SUSPENDED', suspended_at = $2 where subscription_id = $1",
        id,
        at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Like [`visible_by_id`], locking the row for the rest of the transaction, so concurrent
/// changes to one subscription are decided one after the other on current data.
pub async fn visible_for_update(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<Subscription>> {
    super::reads::one_visible(db, scope, id, now, " for update of s").await
}

pub async fn set_quantity(db: impl PgExecutor<'_>, id: Uuid, quantity: i32) -> AppResult<()> {
    sqlx::query!("update subscription set quantity = $2 where subscription_id = $1", id, quantity)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_assigned_seats(db: impl PgExecutor<'_>, id: Uuid, assigned: i32) -> AppResult<()> {
    sqlx::query!("update subscription set assigned_seats = $2 where subscription_id = $1", id, assigned)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_auto_renew(db: impl PgExecutor<'_>, id: Uuid, on: bool) -> AppResult<()> {
    sqlx::query!("update subscription set auto_renew = $2 where subscription_id = $1", id, on)
        .execute(db)
        .await?;
    Ok(())
}

/// Back to ACTIVE. A term that ended without renewal while suspended reads EXPIRED from now on,
/// with its 60 days before deletion counted from today (not from the long-past end).
pub async fn reactivate(db: impl PgExecutor<'_>, id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "update subscription set status = 'ACTIVE', suspended_at = null,
            lapsed_on = case when not auto_renew and commitment_end <= ($2 at time zone 'UTC')::date
                             then ($2 at time zone 'UTC')::date end
         where subscription_id = $1",
        id,
        now,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn cancel(db: impl PgExecutor<'_>, id: Uuid, at: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "update subscription set status = 'DELETED', suspended_at = null, deleted_at = $2, auto_renew = false
         where subscription_id = $1",
        id,
        at,
    )
    .execute(db)
    .await?;
    Ok(())
}
