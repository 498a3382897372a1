//! Reseller relationships (customer to partner) and provider–reseller partnerships.

use crate::domain::credentials::new_link_code;
use crate::domain::{AppResult, RelationshipKind, RelationshipOrigin};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pub struct NewRelationship {
    pub customer_id: Uuid,
    pub partner_id: Uuid,
    pub kind: RelationshipKind,
    pub indirect_provider_id: Option<Uuid>,
    pub origin: RelationshipOrigin,
    pub invitation_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Creates the relationship, or reactivates a removed one: one row per customer, partner and
/// kind, so concurrent callers meet on the key and end with one relationship.
pub async fn upsert_active(db: impl PgExecutor<'_>, r: &NewRelationship) -> AppResult<()> {
    sqlx::query(
        "insert into reseller_relationship (customer_id, partner_id, kind, indirect_provider_id, status, \
            origin, invitation_id, created_at) \
         values ($1, $2, $3, $4, 'ACTIVE', $5, $6, $7) \
         on conflict (customer_id, partner_id, kind) do update \
           set status = 'ACTIVE', removed_at = null, \
               indirect_provider_id = excluded.indirect_provider_id, \
               origin = case when reseller_relationship.status = 'REMOVED' \
                             then excluded.origin else reseller_relationship.origin end, \
               invitation_id = case when reseller_relationship.status = 'REMOVED' \
                             then excluded.invitation_id else reseller_relationship.invitation_id end",
    )
    .bind(r.customer_id)
    .bind(r.partner_id)
    .bind(r.kind.as_str())
    .bind(r.indirect_provider_id)
    .bind(r.origin.as_str())
    .bind(r.invitation_id)
    .bind(r.at)
    .execute(db)
    .await?;
    Ok(())
}

/// An accepted provider–reseller partnership (for seeding; the invite flow makes PENDING ones).
pub async fn insert_active_partnership(
    db: impl PgExecutor<'_>,
    provider_id: Uuid,
    reseller_id: Uuid,
    at: DateTime<Utc>,
) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar(
        "insert into reseller_partnership (provider_id, reseller_id, code, status, created_at, accepted_at) \
         values ($1, $2, $3, 'ACTIVE', $4, $4) returning partnership_id",
    )
    .bind(provider_id)
    .bind(reseller_id)
    .bind(new_link_code())
    .bind(at)
    .fetch_one(db)
    .await?)
}

/// Whether the partner has an active reseller relationship of any kind with the customer.
pub async fn has_active(db: impl PgExecutor<'_>, customer_id: Uuid, partner_id: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar(
        "select exists (select 1 from reseller_relationship \
         where customer_id = $1 and partner_id = $2 and status = 'ACTIVE')",
    )
    .bind(customer_id)
    .bind(partner_id)
    .fetch_one(db)
    .await?)
}
