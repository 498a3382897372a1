//! Provider–reseller partnerships: invitation codes, acceptance, removal, expiry and pages.

use crate::db::page::{
    COUNT_LIMIT, Count, Page, PageRequest, SortKey, cursor_key, push_after_keys, push_order_by, time_key,
};
use crate::domain::{AppResult, PartnershipStatus};
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
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

/// How the partnerships list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnershipOrder {
    /// Active first, then links still waiting, then ended ones; newest first within each.
    Status,
    /// By when the link was created.
    CreatedAt,
}

/// Narrows the partnerships list.
#[derive(Debug, Clone, Default)]
pub struct PartnershipFilter {
    /// Only those reading this status at "now".
    pub status: Option<PartnershipStatus>,
}

/// Where a partnership sorts by status: active 0, pending (unexpired) 1, the rest 2. The same
/// rule as [`Partnership::status_at`], against the bound `now`.
const RANK: &str = "(case when p.status = 'ACTIVE' then 0 when p.status = 'PENDING' and p.expires_at > pn.now then 1 else 2 end)";

impl Partnership {
    /// This row's [`RANK`].
    pub fn rank_at(&self, now: DateTime<Utc>) -> i32 {
        match self.status_at(now) {
            PartnershipStatus::Active => 0,
            PartnershipStatus::Pending => 1,
            PartnershipStatus::Removed | PartnershipStatus::Expired => 2,
        }
    }
}

fn sort_keys(order: PartnershipOrder, descending: bool) -> Vec<SortKey> {
    let created = |descending| SortKey { expr: "p.created_at", cast: "timestamptz", descending };
    match order {
        PartnershipOrder::Status => {
            vec![SortKey { expr: RANK, cast: "int", descending }, created(true)]
        }
        PartnershipOrder::CreatedAt => vec![created(descending)],
    }
}

/// The cursor key of a row in this order.
pub fn partnership_cursor_key(p: &Partnership, order: PartnershipOrder, now: DateTime<Utc>) -> String {
    match order {
        PartnershipOrder::Status => cursor_key(&[p.rank_at(now).to_string(), time_key(p.created_at)]),
        PartnershipOrder::CreatedAt => cursor_key(&[time_key(p.created_at)]),
    }
}

fn push_where(qb: &mut QueryBuilder<Postgres>, party: Option<Uuid>, filter: &PartnershipFilter) {
    if let Some(party) = party {
        qb.push(" and (p.provider_id = ")
            .push_bind(party)
            .push(" or p.reseller_id = ")
            .push_bind(party)
            .push(")");
    }
    match filter.status {
        None => {}
        Some(PartnershipStatus::Active) => {
            qb.push(" and p.status = 'ACTIVE'");
        }
        Some(PartnershipStatus::Removed) => {
            qb.push(" and p.status = 'REMOVED'");
        }
        Some(PartnershipStatus::Pending) => {
            qb.push(" and p.status = 'PENDING' and p.expires_at > pn.now");
        }
        Some(PartnershipStatus::Expired) => {
            qb.push(" and (p.status = 'EXPIRED' or (p.status = 'PENDING' and p.expires_at <= pn.now))");
        }
    }
}

fn with_now(now: DateTime<Utc>, select: &str) -> QueryBuilder<Postgres> {
    let mut qb = QueryBuilder::new("with pn(now) as (select ");
    qb.push_bind(now)
        .push(format!("::timestamptz) {select} from reseller_partnership p cross join pn where true"));
    qb
}

/// One page of the partnerships a partner takes part in (all for `None`).
pub async fn partnerships_page(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    filter: &PartnershipFilter,
    (order, descending): (PartnershipOrder, bool),
    page: &PageRequest,
    now: DateTime<Utc>,
) -> AppResult<Page<Partnership>> {
    let keys = sort_keys(order, descending);
    let mut qb = with_now(
        now,
        "select p.partnership_id, p.provider_id, p.reseller_id, p.code, p.status, p.created_at, \
         p.accepted_at, p.removed_at, p.expires_at",
    );
    push_where(&mut qb, party, filter);
    push_after_keys(&mut qb, &keys, "p.partnership_id", page)?;
    push_order_by(&mut qb, &keys, "p.partnership_id");
    qb.push(" limit ").push_bind(page.fetch_limit());
    let rows: Vec<PartnershipRow> = qb.build_query_as().fetch_all(db).await?;
    Ok(Page::from_rows(rows.into_iter().map(Partnership::from).collect(), page))
}

#[derive(sqlx::FromRow)]
struct PartnershipRow {
    partnership_id: Uuid,
    provider_id: Uuid,
    reseller_id: Option<Uuid>,
    code: String,
    status: PartnershipStatus,
    created_at: DateTime<Utc>,
    accepted_at: Option<DateTime<Utc>>,
    removed_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
}

impl From<PartnershipRow> for Partnership {
    fn from(r: PartnershipRow) -> Partnership {
        Partnership {
            partnership_id: r.partnership_id,
            provider_id: r.provider_id,
            reseller_id: r.reseller_id,
            code: r.code,
            status: r.status,
            created_at: r.created_at,
            accepted_at: r.accepted_at,
            removed_at: r.removed_at,
            expires_at: r.expires_at,
        }
    }
}

/// How many [`partnerships_page`] walks through, counted up to `COUNT_LIMIT`.
pub async fn partnerships_count(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    filter: &PartnershipFilter,
    now: DateTime<Utc>,
) -> AppResult<Count> {
    let mut qb = with_now(now, "select count(*) from (select 1");
    push_where(&mut qb, party, filter);
    qb.push(" limit ").push_bind(COUNT_LIMIT + 1).push(") n");
    Ok(Count::from_bounded(qb.build_query_scalar().fetch_one(db).await?))
}
