//! Provider–reseller partnerships: invitation codes, acceptance, removal, expiry and pages.

use crate::domain::{AppResult, PartnershipStatus};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Partnerships matching the rest of the statement, as checked rows of one column list.
macro_rules! select_partnerships {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            Partnership,
            r#"select partnership_id, provider_id, reseller_id, code, status as "status: PartnershipStatus",
                   created_at, accepted_at, removed_at, expires_at
               from reseller_partnership "# + $rest
            $(, $arg)*
        )
    };
}

#[derive(Debug, Clone)]
pub struct Partnership {
    pub partnership_id: Uuid,
    pub provider_id: Uuid,
    pub reseller_id: Option<Uuid>,
    pub code: String,
    pub status: PartnershipStatus,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub removed_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

impl Partnership {
    /// The status at `now`: a pending link past its expiry reads EXPIRED before the job writes it.
    pub fn status_at(&self, now: DateTime<Utc>) -> PartnershipStatus {
        crate::domain::partnership::status_at(self.status, self.created_at, now)
    }
}

pub async fn insert_pending_partnership(
    db: impl PgExecutor<'_>,
    provider_id: Uuid,
    code: &str,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> AppResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!(
        "insert into reseller_partnership (provider_id, code, status, created_at, expires_at)
         values ($1, $2, 'PENDING', $3, $4)
         on conflict (code) do nothing
         returning partnership_id",
        provider_id,
        code,
        at,
        expires_at,
    )
    .fetch_optional(db)
    .await?)
}

pub async fn partnership_by_code_for_update(
    db: impl PgExecutor<'_>,
    code: &str,
) -> AppResult<Option<Partnership>> {
    Ok(select_partnerships!("where code = $1 for update", code,).fetch_optional(db).await?)
}

pub async fn partnership_by_id(
    db: impl PgExecutor<'_>,
    id: Uuid,
    lock: bool,
) -> AppResult<Option<Partnership>> {
    let found = if lock {
        select_partnerships!("where partnership_id = $1 for update", id,).fetch_optional(db).await?
    } else {
        select_partnerships!("where partnership_id = $1", id,).fetch_optional(db).await?
    };
    Ok(found)
}

pub async fn accept_partnership(
    db: impl PgExecutor<'_>,
    id: Uuid,
    reseller_id: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "update reseller_partnership set status = 'ACTIVE', reseller_id = $2, accepted_at = $3
         where partnership_id = $1",
        id,
        reseller_id,
        at,
    )
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
    sqlx::query!(
        "update reseller_partnership set status = 'REMOVED', removed_at = $3, removed_by_organization_id = $2
         where partnership_id = $1",
        id,
        by,
        at,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Pending partnership links past their expiry, written down as EXPIRED (the background job).
pub async fn expire_due_partnerships(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, Uuid)>> {
    let rows = sqlx::query!(
        r#"with due as (
               select partnership_id from reseller_partnership where status = 'PENDING' and expires_at <= $1
               for update skip locked)
           update reseller_partnership p set status = 'EXPIRED' from due where p.partnership_id = due.partnership_id
           returning p.partnership_id as "partnership_id!", p.provider_id as "provider_id!""#,
        now,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.partnership_id, r.provider_id)).collect())
}

/// One page of the partnerships a partner takes part in (all for `None`), newest first.
pub async fn partnerships_page(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    page: &crate::db::page::PageRequest,
) -> AppResult<crate::db::page::Page<Partnership>> {
    let after = page.after.as_ref().map(|a| crate::db::page::parse_time_key(&a.key)).transpose()?;
    let rows = select_partnerships!(
        "where ($1::uuid is null or provider_id = $1 or reseller_id = $1)
           and ($2::timestamptz is null or created_at < $2 or (created_at = $2 and partnership_id > $3))
         order by created_at desc, partnership_id limit $4",
        party,
        after,
        page.after.as_ref().map(|a| a.id),
        page.fetch_limit(),
    )
    .fetch_all(db)
    .await?;
    Ok(crate::db::page::Page::from_rows(rows, page))
}

/// How many [`partnerships_page`] walks through, counted up to `COUNT_LIMIT`.
pub async fn partnerships_count(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
) -> AppResult<crate::db::page::Count> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (select 1 from reseller_partnership
           where $1::uuid is null or provider_id = $1 or reseller_id = $1 limit $2) n"#,
        party,
        crate::db::page::COUNT_LIMIT + 1,
    )
    .fetch_one(db)
    .await?;
    Ok(crate::db::page::Count::from_bounded(n))
}
