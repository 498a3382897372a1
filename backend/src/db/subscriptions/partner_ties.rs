//! A partner's ties to a customer's subscriptions: stages it serves, subscriptions it is partner of record for.

use crate::domain::AppResult;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Clears the stored provisioning and support choices of a partner on a customer's
/// subscriptions wherever it no longer holds the matching delegated role at `now`; choices it
/// still holds the role for stay. Returns the subscriptions changed.
pub async fn release_stages_without_role(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        r#"with lost as (select subscription_id,
                   provisioning_partner_id = $2 and not partner_holds_delegated_role(customer_id, service_id, $2,
                       array['PROVISIONING', 'GLOBAL_ADMIN'], $3) as provisioning,
                   support_partner_id = $2 and not partner_holds_delegated_role(customer_id, service_id, $2,
                       array['SUPPORT'], $3) as support
               from subscription where customer_id = $1 and (provisioning_partner_id = $2 or support_partner_id = $2))
           update subscription s set
               provisioning_partner_id = case when lost.provisioning then null else s.provisioning_partner_id end,
               support_partner_id = case when lost.support then null else s.support_partner_id end
           from lost where s.subscription_id = lost.subscription_id and (lost.provisioning or lost.support)
           returning s.subscription_id as "subscription_id!""#,
        customer_id,
        partner_id,
        now,
    )
    .fetch_all(db)
    .await?)
}

/// A customer's ACTIVE subscriptions of which the partner is partner of record.
pub async fn active_of_record(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        "select subscription_id, friendly_name from subscription
         where customer_id = $1 and partner_of_record_id = $2
           and subscription_status_at(status, suspended_at, auto_renew, commitment_end, lapsed_on, $3) = 'ACTIVE'
         order by friendly_name",
        customer_id,
        partner_id,
        now,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.subscription_id, r.friendly_name)).collect())
}

/// A customer's subscriptions whose provisioning or support the partner serves by override.
pub async fn served_by(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
) -> AppResult<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        "select subscription_id, friendly_name from subscription
         where customer_id = $1 and (provisioning_partner_id = $2 or support_partner_id = $2) order by friendly_name",
        customer_id,
        partner_id,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.subscription_id, r.friendly_name)).collect())
}
