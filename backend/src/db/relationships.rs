//! Reseller relationships (customer to partner) and provider–reseller partnerships. This module
//! owns the reseller relationships; `partnerships` owns the partnerships.

mod partnerships;

pub use partnerships::*;

use crate::domain::credentials::new_link_code;
use crate::domain::{AppResult, RelationshipKind, RelationshipOrigin, RelationshipStatus};
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
/// Makes the relationship active; answers its id when it was created or came back from
/// REMOVED (so the caller records that), None when it was already active.
pub async fn upsert_active(db: impl PgExecutor<'_>, r: &NewRelationship) -> AppResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!(
        "insert into reseller_relationship (customer_id, partner_id, kind, indirect_provider_id, status,
            origin, invitation_id, created_at)
         values ($1, $2, $3, $4, 'ACTIVE', $5, $6, $7)
         on conflict (customer_id, partner_id, kind, indirect_provider_id) do update
           set status = 'ACTIVE', removed_at = null,
               indirect_provider_id = excluded.indirect_provider_id,
               origin = case when reseller_relationship.status = 'REMOVED'
                             then excluded.origin else reseller_relationship.origin end,
               invitation_id = case when reseller_relationship.status = 'REMOVED'
                             then excluded.invitation_id else reseller_relationship.invitation_id end
           where reseller_relationship.status <> 'ACTIVE'
         returning relationship_id",
        r.customer_id,
        r.partner_id,
        r.kind as _,
        r.indirect_provider_id,
        r.origin as _,
        r.invitation_id,
        r.at,
    )
    .fetch_optional(db)
    .await?)
}

/// An accepted provider–reseller partnership (for seeding; the invite flow makes PENDING ones).
pub async fn insert_active_partnership(
    db: impl PgExecutor<'_>,
    provider_id: Uuid,
    reseller_id: Uuid,
    at: DateTime<Utc>,
) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar!(
        "insert into reseller_partnership (provider_id, reseller_id, code, status, created_at, accepted_at, expires_at)
         values ($1, $2, $3, 'ACTIVE', $4::timestamptz, $4::timestamptz, $5) returning partnership_id",
        provider_id,
        reseller_id,
        new_link_code(),
        at,
        crate::domain::partnership::link_expiry(at),
    )
    .fetch_one(db)
    .await?)
}

/// Whether the partner has an active reseller relationship of any kind with the customer,
/// holding a share lock on the relationship rows until the transaction ends: a concurrent
/// removal (which locks the row for update) waits for us, or we wait for it and then see it
/// removed. Orders, subscription changes and drafts read through this.
pub async fn has_active_locked(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
) -> AppResult<bool> {
    let rows = sqlx::query_scalar!(
        "select relationship_id from reseller_relationship
         where customer_id = $1 and partner_id = $2 and status = 'ACTIVE' for share",
        customer_id,
        partner_id,
    )
    .fetch_all(db)
    .await?;
    Ok(!rows.is_empty())
}

/// Whether `reseller` resells to the customer for `provider` (an active INDIRECT_RESELLER row
/// through that provider), holding a share lock like [`has_active_locked`].
pub async fn resells_for_locked(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    reseller: Uuid,
    provider: Uuid,
) -> AppResult<bool> {
    let rows = sqlx::query_scalar!(
        "select relationship_id from reseller_relationship where customer_id = $1 and partner_id = $2
           and kind = 'INDIRECT_RESELLER' and indirect_provider_id = $3 and status = 'ACTIVE' for share",
        customer_id,
        reseller,
        provider,
    )
    .fetch_all(db)
    .await?;
    Ok(!rows.is_empty())
}

/// Whether the partner keeps another active relationship with the customer besides `except`
/// (a reseller working through two providers has one row per provider).
pub async fn has_other_active(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
    except: Uuid,
) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from reseller_relationship where customer_id = $1 and partner_id = $2
               and status = 'ACTIVE' and relationship_id <> $3) as "exists!""#,
        customer_id,
        partner_id,
        except,
    )
    .fetch_one(db)
    .await?)
}

#[derive(Debug, Clone)]
pub struct Relationship {
    pub relationship_id: Uuid,
    pub customer_id: Uuid,
    pub partner_id: Uuid,
    pub kind: RelationshipKind,
    pub indirect_provider_id: Option<Uuid>,
    pub status: RelationshipStatus,
    pub origin: RelationshipOrigin,
    pub invitation_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

/// Reseller relationships matching the rest of the statement, as checked rows of one column list.
macro_rules! select_relationships {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            Relationship,
            r#"select relationship_id, customer_id, partner_id, kind as "kind: RelationshipKind",
                   indirect_provider_id, status as "status: RelationshipStatus",
                   origin as "origin: RelationshipOrigin", invitation_id, created_at, removed_at
               from reseller_relationship "# + $rest
            $(, $arg)*
        )
    };
}
pub async fn for_update(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Relationship>> {
    Ok(select_relationships!("where relationship_id = $1 for update", id,).fetch_optional(db).await?)
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Relationship>> {
    Ok(select_relationships!("where relationship_id = $1", id,).fetch_optional(db).await?)
}

pub async fn remove(db: impl PgExecutor<'_>, id: Uuid, at: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "update reseller_relationship set status = 'REMOVED', removed_at = $2 where relationship_id = $1",
        id,
        at,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The active relationships of several customers (for channel maps and the partner's book).
pub async fn active_for_customers(
    db: impl PgExecutor<'_>,
    customer_ids: &[Uuid],
) -> AppResult<Vec<Relationship>> {
    Ok(select_relationships!(
        "where customer_id = any($1) and status = 'ACTIVE'
           order by created_at, relationship_id",
        customer_ids,
    )
    .fetch_all(db)
    .await?)
}
/// One page of the reseller relationships a party (customer or partner; everyone's for `None`)
/// takes part in, optionally narrowed; oldest first.
pub async fn page(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    customer_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    status: Option<RelationshipStatus>,
    search: Option<&str>,
    page: &super::page::PageRequest,
) -> AppResult<super::page::Page<Relationship>> {
    let after = page.after.as_ref().map(|a| super::page::parse_time_key(&a.key)).transpose()?;
    let rows = select_relationships!(
        "where ($1::uuid is null or customer_id = $1 or partner_id = $1)
           and ($2::uuid is null or customer_id = $2) and ($3::uuid is null or partner_id = $3)
           and ($4::text is null or status = $4)
           and ($5::timestamptz is null or (created_at, relationship_id) > ($5, $6))
           and ($8::text is null or exists (select 1 from organization o
                where o.name ilike $8 and (o.organization_id = partner_id
                  -- a removed relationship's customer is hidden from the partner: so is a match on its name
                  or (o.organization_id = customer_id and (status = 'ACTIVE' or $1::uuid is null or customer_id = $1)))))
         order by created_at, relationship_id limit $7",
        party,
        customer_id,
        partner_id,
        status as _,
        after,
        page.after.as_ref().map(|a| a.id),
        page.fetch_limit(),
        search_pattern(search),
    )
    .fetch_all(db)
    .await?;
    Ok(super::page::Page::from_rows(rows, page))
}

/// How many [`page`] walks through, counted up to `COUNT_LIMIT`.
pub async fn count(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    customer_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    status: Option<RelationshipStatus>,
    search: Option<&str>,
) -> AppResult<super::page::Count> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (select 1 from reseller_relationship
           where ($1::uuid is null or customer_id = $1 or partner_id = $1)
             and ($2::uuid is null or customer_id = $2) and ($3::uuid is null or partner_id = $3)
             and ($4::text is null or status = $4)
             and ($6::text is null or exists (select 1 from organization o
                  where o.name ilike $6 and (o.organization_id = partner_id
                  -- a removed relationship's customer is hidden from the partner: so is a match on its name
                  or (o.organization_id = customer_id and (status = 'ACTIVE' or $1::uuid is null or customer_id = $1)))))
           limit $5) n"#,
        party,
        customer_id,
        partner_id,
        status as _,
        super::page::COUNT_LIMIT + 1,
        search_pattern(search),
    )
    .fetch_one(db)
    .await?;
    Ok(super::page::Count::from_bounded(n))
}

/// The `ilike` pattern of a non-blank search over the customer's or the partner's name.
fn search_pattern(search: Option<&str>) -> Option<String> {
    let search = search.map(str::trim).filter(|s| !s.is_empty())?;
    Some(format!("%{}%", super::escape_like(search)))
}
