//! Support requests and their comments.

use crate::domain::access::Scope;
use crate::domain::{AppResult, SupportStatus};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct SupportRequest {
    pub support_request_id: Uuid,
    pub subscription_id: Uuid,
    pub customer_id: Uuid,
    pub opened_by_organization_id: Uuid,
    pub support_partner_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub status: SupportStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub comments: serde_json::Value,
}

const SELECT: &str = "select r.support_request_id, r.subscription_id, r.customer_id, r.opened_by_organization_id, \
    r.support_partner_id, r.title, r.description, r.status, r.created_at, r.updated_at, r.escalated_at, r.resolved_at, \
    coalesce((select json_agg(json_build_object('body', c.body, 'at', c.created_at, 'by', u.display_name) order by c.created_at) \
      from support_request_comment c join app_user u on u.user_id = c.author_user_id \
      where c.support_request_id = r.support_request_id), '[]'::json)::jsonb as comments \
    from support_request r ";

pub struct NewRequest<'a> {
    pub subscription_id: Uuid,
    pub customer_id: Uuid,
    pub opened_by_user_id: Uuid,
    pub opened_by_organization_id: Uuid,
    pub support_partner_id: Option<Uuid>,
    pub title: &'a str,
    pub description: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn insert(db: impl PgExecutor<'_>, r: &NewRequest<'_>) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar!(
        "insert into support_request (subscription_id, customer_id, opened_by_user_id, opened_by_organization_id,
            support_partner_id, title, description, status, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, 'OPEN', $8, $8) returning support_request_id",
        r.subscription_id,
        r.customer_id,
        r.opened_by_user_id,
        r.opened_by_organization_id,
        r.support_partner_id,
        r.title,
        r.description,
        r.at,
    )
    .fetch_one(db)
    .await?)
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid, lock: bool) -> AppResult<Option<SupportRequest>> {
    let lock = if lock { " for update of r" } else { "" };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} where r.support_request_id = $1{lock}")))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// Requests the viewer takes part in: the customer's own, the ones a partner works or opened,
/// and, for the operator, everything; in each case only while the viewer may see the
/// subscription (a partner whose roles ended, or a customer's USER, sees none).
pub async fn visible(
    db: impl PgExecutor<'_>,
    scope: Scope,
    status: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Vec<SupportRequest>> {
    let mut qb = QueryBuilder::<Postgres>::new(SELECT);
    push_visible(&mut qb, scope, status, now);
    qb.push(" order by r.created_at desc, r.support_request_id");
    Ok(qb.build_query_as().fetch_all(db).await?)
}

fn push_visible(qb: &mut QueryBuilder<Postgres>, scope: Scope, status: Option<&str>, now: DateTime<Utc>) {
    qb.push(" where true ");
    if let Scope::Customer { customer_id: party, .. } | Scope::Partner { partner_id: party } = scope {
        qb.push(" and (r.customer_id = ")
            .push_bind(party)
            .push(" or r.support_partner_id = ")
            .push_bind(party)
            .push(" or r.opened_by_organization_id = ")
            .push_bind(party)
            .push(
                ") and exists (select 1 from subscription s where s.subscription_id = r.subscription_id and ",
            );
        super::visibility::push_subscription_visible(qb, scope, now);
        qb.push(")");
    }
    if let Some(status) = status {
        qb.push(" and r.status = ").push_bind(status.to_owned());
    }
}

/// One page of [`visible`], newest first.
pub async fn page(
    db: impl PgExecutor<'_>,
    scope: Scope,
    status: Option<&str>,
    search: Option<&str>,
    page: &super::page::PageRequest,
    now: DateTime<Utc>,
) -> AppResult<super::page::Page<SupportRequest>> {
    let mut qb = QueryBuilder::<Postgres>::new(SELECT);
    push_visible(&mut qb, scope, status, now);
    push_search(&mut qb, search);
    super::page::push_after_time(&mut qb, "r.created_at", "r.support_request_id", true, page)?;
    qb.push(" order by r.created_at desc, r.support_request_id limit ").push_bind(page.fetch_limit());
    let rows = qb.build_query_as().fetch_all(db).await?;
    Ok(super::page::Page::from_rows(rows, page))
}

/// How many [`visible`] has, counted up to `COUNT_LIMIT`.
pub async fn count(
    db: impl PgExecutor<'_>,
    scope: Scope,
    status: Option<&str>,
    search: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<super::page::Count> {
    let mut qb = QueryBuilder::<Postgres>::new("select count(*) from (select 1 from support_request r");
    push_visible(&mut qb, scope, status, now);
    push_search(&mut qb, search);
    qb.push(" limit ").push_bind(super::page::COUNT_LIMIT + 1).push(") n");
    let n: i64 = qb.build_query_scalar().fetch_one(db).await?;
    Ok(super::page::Count::from_bounded(n))
}

/// Part of the title, ignoring case.
fn push_search(qb: &mut QueryBuilder<Postgres>, search: Option<&str>) {
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        qb.push(" and r.title ilike ").push_bind(format!("%{}%", super::escape_like(search)));
    }
}

/// One request by id, if [`visible`] would list it.
pub async fn visible_by_id(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<SupportRequest>> {
    let mut qb = QueryBuilder::<Postgres>::new(SELECT);
    push_visible(&mut qb, scope, None, now);
    qb.push(" and r.support_request_id = ").push_bind(id);
    Ok(qb.build_query_as().fetch_optional(db).await?)
}

pub async fn set_status(db: impl PgExecutor<'_>, id: Uuid, status: &str, at: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "update support_request set status = $2,
            escalated_at = case when $2 = 'ESCALATED' then $3 else escalated_at end,
            resolved_at = case when $2 = 'RESOLVED' then $3 else resolved_at end
         where support_request_id = $1",
        id,
        status,
        at,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn add_comment(
    db: impl PgExecutor<'_>,
    id: Uuid,
    author: Uuid,
    body: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "insert into support_request_comment (support_request_id, author_user_id, body, created_at)
         values ($1, $2, $3, $4)",
        id,
        author,
        body,
        at,
    )
    .execute(db)
    .await?;
    Ok(())
}
