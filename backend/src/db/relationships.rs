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
         on conflict (customer_id, partner_id, kind, indirect_provider_id) do update \
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
        "insert into reseller_partnership (provider_id, reseller_id, code, status, created_at, accepted_at, expires_at) \
         values ($1, $2, $3, 'ACTIVE', $4, $4, $4 + interval '30 days') returning partnership_id",
    )
    .bind(provider_id)
    .bind(reseller_id)
    .bind(new_link_code())
    .bind(at)
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
    let rows: Vec<Uuid> = sqlx::query_scalar(
        "select relationship_id from reseller_relationship \
         where customer_id = $1 and partner_id = $2 and status = 'ACTIVE' for share",
    )
    .bind(customer_id)
    .bind(partner_id)
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
    let rows: Vec<Uuid> = sqlx::query_scalar(
        "select relationship_id from reseller_relationship where customer_id = $1 and partner_id = $2 \
           and kind = 'INDIRECT_RESELLER' and indirect_provider_id = $3 and status = 'ACTIVE' for share",
    )
    .bind(customer_id)
    .bind(reseller)
    .bind(provider)
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
    Ok(sqlx::query_scalar(
        "select exists (select 1 from reseller_relationship where customer_id = $1 and partner_id = $2 \
           and status = 'ACTIVE' and relationship_id <> $3)",
    )
    .bind(customer_id)
    .bind(partner_id)
    .bind(except)
    .fetch_one(db)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Relationship {
    pub relationship_id: Uuid,
    pub customer_id: Uuid,
    pub partner_id: Uuid,
    pub kind: String,
    pub indirect_provider_id: Option<Uuid>,
    pub status: String,
    pub origin: String,
    pub invitation_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

const SELECT: &str = "select relationship_id, customer_id, partner_id, kind, indirect_provider_id, status, origin, \
    invitation_id, created_at, removed_at from reseller_relationship ";

/// Relationships of a party (customer or partner; everyone's for `None`), optionally narrowed.
pub async fn list(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    customer_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    status: Option<&str>,
) -> AppResult<Vec<Relationship>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} where ($1::uuid is null or customer_id = $1 or partner_id = $1) \
           and ($2::uuid is null or customer_id = $2) and ($3::uuid is null or partner_id = $3) \
           and ($4::text is null or status = $4) \
         order by created_at, relationship_id"
    )))
    .bind(party)
    .bind(customer_id)
    .bind(partner_id)
    .bind(status)
    .fetch_all(db)
    .await?)
}

pub async fn for_update(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Relationship>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} where relationship_id = $1 for update")))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Relationship>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} where relationship_id = $1")))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

pub async fn remove(db: impl PgExecutor<'_>, id: Uuid, at: DateTime<Utc>) -> AppResult<()> {
    sqlx::query(
        "update reseller_relationship set status = 'REMOVED', removed_at = $2 where relationship_id = $1",
    )
    .bind(id)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

/// The active relationships of several customers (for channel maps and the partner's book).
pub async fn active_for_customers(
    db: impl PgExecutor<'_>,
    customer_ids: &[Uuid],
) -> AppResult<Vec<Relationship>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} where customer_id = any($1) and status = 'ACTIVE' order by created_at, relationship_id"
    )))
    .bind(customer_ids)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Partnership {
    pub partnership_id: Uuid,
    pub provider_id: Uuid,
    pub reseller_id: Option<Uuid>,
    pub code: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub removed_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

impl Partnership {
    /// The status at `now`: a pending link past its expiry reads EXPIRED before the job writes it.
    pub fn status_at(&self, now: DateTime<Utc>) -> &str {
        if self.status == "PENDING" && self.expires_at <= now { "EXPIRED" } else { &self.status }
    }
}

const PARTNERSHIP: &str = "select partnership_id, provider_id, reseller_id, code, status, created_at, accepted_at, \
    removed_at, expires_at from reseller_partnership ";

pub async fn insert_pending_partnership(
    db: impl PgExecutor<'_>,
    provider_id: Uuid,
    code: &str,
    at: DateTime<Utc>,
) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar(
        "insert into reseller_partnership (provider_id, code, status, created_at, expires_at) \
         values ($1, $2, 'PENDING', $3, $4) returning partnership_id",
    )
    .bind(provider_id)
    .bind(code)
    .bind(at)
    .bind(at + chrono::Duration::days(crate::domain::PARTNERSHIP_LINK_DAYS))
    .fetch_one(db)
    .await?)
}

pub async fn partnership_by_code_for_update(
    db: impl PgExecutor<'_>,
    code: &str,
) -> AppResult<Option<Partnership>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{PARTNERSHIP} where code = $1 for update")))
        .bind(code)
        .fetch_optional(db)
        .await?)
}

pub async fn partnership_by_id(
    db: impl PgExecutor<'_>,
    id: Uuid,
    lock: bool,
) -> AppResult<Option<Partnership>> {
    let lock = if lock { " for update" } else { "" };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{PARTNERSHIP} where partnership_id = $1{lock}")))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

pub async fn accept_partnership(
    db: impl PgExecutor<'_>,
    id: Uuid,
    reseller_id: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query("update reseller_partnership set status = 'ACTIVE', reseller_id = $2, accepted_at = $3 where partnership_id = $1")
        .bind(id)
        .bind(reseller_id)
        .bind(at)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn remove_partnership(
    db: impl PgExecutor<'_>,
    id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query(
        "update reseller_partnership set status = 'REMOVED', removed_at = $3, removed_by_organization_id = $2 \
         where partnership_id = $1",
    )
    .bind(id)
    .bind(by)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

/// Partnerships a partner takes part in (all for `None`), newest first.
pub async fn partnerships(db: impl PgExecutor<'_>, party: Option<Uuid>) -> AppResult<Vec<Partnership>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PARTNERSHIP} where $1::uuid is null or provider_id = $1 or reseller_id = $1 order by created_at desc"
    )))
    .bind(party)
    .fetch_all(db)
    .await?)
}

/// Pending partnership links past their expiry, written down as EXPIRED (the background job).
pub async fn expire_due_partnerships(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, Uuid)>> {
    Ok(sqlx::query_as(
        "with due as (select partnership_id from reseller_partnership where status = 'PENDING' and expires_at <= $1 \
            for update skip locked) \
         update reseller_partnership p set status = 'EXPIRED' from due where p.partnership_id = due.partnership_id \
         returning p.partnership_id, p.provider_id",
    )
    .bind(now)
    .fetch_all(db)
    .await?)
}

/// What the reseller relationships list shows: the party's own (all for the operator), narrowed.
const LIST_WHERE: &str = "where ($1::uuid is null or customer_id = $1 or partner_id = $1) \
    and ($2::uuid is null or customer_id = $2) and ($3::uuid is null or partner_id = $3) \
    and ($4::text is null or status = $4)";

/// One page of [`list`], oldest first.
pub async fn page(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    customer_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    status: Option<&str>,
    page: &super::page::PageRequest,
) -> AppResult<super::page::Page<Relationship>> {
    let after = page.after.as_ref().map(|a| super::page::parse_time_key(&a.key)).transpose()?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} {LIST_WHERE} and ($5::timestamptz is null or (created_at, relationship_id) > ($5, $6)) \
         order by created_at, relationship_id limit $7"
    )))
    .bind(party)
    .bind(customer_id)
    .bind(partner_id)
    .bind(status)
    .bind(after)
    .bind(page.after.as_ref().map(|a| a.id))
    .bind(page.fetch_limit())
    .fetch_all(db)
    .await?;
    Ok(super::page::Page::from_rows(rows, page))
}

/// How many [`list`] has, counted up to `COUNT_LIMIT`.
pub async fn count(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    customer_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    status: Option<&str>,
) -> AppResult<super::page::Count> {
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from (select 1 from reseller_relationship {LIST_WHERE} limit $5) n"
    )))
    .bind(party)
    .bind(customer_id)
    .bind(partner_id)
    .bind(status)
    .bind(super::page::COUNT_LIMIT + 1)
    .fetch_one(db)
    .await?;
    Ok(super::page::Count::from_bounded(n))
}

/// One page of [`partnerships`], newest first.
pub async fn partnerships_page(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    page: &super::page::PageRequest,
) -> AppResult<super::page::Page<Partnership>> {
    let after = page.after.as_ref().map(|a| super::page::parse_time_key(&a.key)).transpose()?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PARTNERSHIP} where ($1::uuid is null or provider_id = $1 or reseller_id = $1) \
           and ($2::timestamptz is null or created_at < $2 or (created_at = $2 and partnership_id > $3)) \
         order by created_at desc, partnership_id limit $4"
    )))
    .bind(party)
    .bind(after)
    .bind(page.after.as_ref().map(|a| a.id))
    .bind(page.fetch_limit())
    .fetch_all(db)
    .await?;
    Ok(super::page::Page::from_rows(rows, page))
}

/// How many [`partnerships`] has, counted up to `COUNT_LIMIT`.
pub async fn partnerships_count(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
) -> AppResult<super::page::Count> {
    let n: i64 = sqlx::query_scalar(
        "select count(*) from (select 1 from reseller_partnership \
         where $1::uuid is null or provider_id = $1 or reseller_id = $1 limit $2) n",
    )
    .bind(party)
    .bind(super::page::COUNT_LIMIT + 1)
    .fetch_one(db)
    .await?;
    Ok(super::page::Count::from_bounded(n))
}
