//! Pages and counts of the delegated admin relationships list (and its expiring view), with the
//! status and end at the request's moment decided as `domain::delegated_admin::Stored` does.

use super::delegated_admin::{Relationship, Row, SELECT, convert};
use crate::domain::{AppResult, DelegatedAdminStatus};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Narrows the delegated admin list; the party's visibility is always applied.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// The viewer's organization; `None` for the operator (all).
    pub party: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    /// The status at `now` (see `domain::delegated_admin::Stored::status_at`).
    pub status: Option<DelegatedAdminStatus>,
    /// Only those active now whose end (after auto-extension) is at or before this.
    pub ending_by: Option<DateTime<Utc>>,
}

/// The status at `clock.now`, as `Stored::status_at` decides it, with the domain's window.
fn push_status_at(qb: &mut sqlx::QueryBuilder<sqlx::Postgres>) {
    qb.push(
        "(case when d.status = 'ACTIVE' and d.ends_at <= clock.now and d.auto_extend <> 'P180D' then 'EXPIRED' \
           when d.status in ('APPROVAL_PENDING', 'CONSENT_PENDING') \
             and coalesce(d.approval_requested_at, d.created_at) + make_interval(days => ",
    )
    .push_bind(crate::domain::delegated_admin::APPROVAL_WINDOW_DAYS as i32)
    .push(") <= clock.now then 'EXPIRED' else d.status end)");
}

/// The end at `clock.now`, as `Stored::ends_at` decides it: an active auto-extending relationship
/// moves on by the domain's extension each time it ends.
fn push_ends_at(qb: &mut sqlx::QueryBuilder<sqlx::Postgres>) {
    let days = crate::domain::delegated_admin::AUTO_EXTEND_DAYS as i32;
    qb.push(
        "(case when d.status = 'ACTIVE' and d.auto_extend = 'P180D' and d.ends_at <= clock.now \
           then d.ends_at + (floor(extract(epoch from clock.now - d.ends_at) / (86400.0 * ",
    )
    .push_bind(days)
    .push(")) + 1)::int * make_interval(days => ")
    .push_bind(days)
    .push(") else d.ends_at end)");
}

/// Pushes `select * from (<head>, status_now, ends_now ...) d where <filter>` after the clock.
fn push_list(qb: &mut sqlx::QueryBuilder<sqlx::Postgres>, filter: &ListFilter, head: &str) {
    qb.push("select * from (").push(head).push(", ");
    push_status_at(qb);
    qb.push(" as status_now, ");
    push_ends_at(qb);
    // The party sees its own (drafts only the partner's), the operator all.
    qb.push(" as ends_now from delegated_admin_relationship d cross join clock where (")
        .push_bind(filter.party)
        .push("::uuid is null or d.partner_id = ")
        .push_bind(filter.party)
        .push(" or (d.customer_id = ")
        .push_bind(filter.party)
        .push(" and d.status <> 'CREATED'))");
    if let Some(c) = filter.customer_id {
        qb.push(" and d.customer_id = ").push_bind(c);
    }
    if let Some(p) = filter.partner_id {
        qb.push(" and d.partner_id = ").push_bind(p);
    }
    qb.push(") d where true");
    if let Some(s) = filter.status {
        qb.push(" and d.status_now = ").push_bind(s.as_str());
    }
    if let Some(by) = filter.ending_by {
        qb.push(" and d.status_now = 'ACTIVE' and d.ends_now <= ").push_bind(by);
    }
}

fn with_clock(now: DateTime<Utc>) -> sqlx::QueryBuilder<sqlx::Postgres> {
    let mut qb = sqlx::QueryBuilder::new("with clock(now) as (select ");
    qb.push_bind(now).push("::timestamptz) ");
    qb
}

/// One page, newest first (or, with `ending_by`, soonest ending first).
pub async fn page(
    db: impl PgExecutor<'_>,
    filter: &ListFilter,
    page: &super::page::PageRequest,
    now: DateTime<Utc>,
) -> AppResult<super::page::Page<Relationship>> {
    let head = SELECT.trim_end().trim_end_matches("from delegated_admin_relationship d").trim_end();
    let mut qb = with_clock(now);
    push_list(&mut qb, filter, head);
    let by_end = filter.ending_by.is_some();
    let at = if by_end { "d.ends_now" } else { "d.created_at" };
    super::page::push_after_time(&mut qb, at, "d.relationship_id", !by_end, page)?;
    qb.push(if by_end {
        " order by d.ends_now, d.relationship_id"
    } else {
        " order by d.created_at desc, d.relationship_id"
    });
    qb.push(" limit ").push_bind(page.fetch_limit());
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    Ok(super::page::Page::from_rows(convert(rows)?, page))
}

/// How many match, counted up to `COUNT_LIMIT`.
pub async fn count(
    db: impl PgExecutor<'_>,
    filter: &ListFilter,
    now: DateTime<Utc>,
) -> AppResult<super::page::Count> {
    let mut qb = with_clock(now);
    qb.push("select count(*) from (");
    push_list(&mut qb, filter, "select d.relationship_id, d.created_at");
    qb.push(" limit ").push_bind(super::page::COUNT_LIMIT + 1).push(") n");
    let n: i64 = qb.build_query_scalar().fetch_one(db).await?;
    Ok(super::page::Count::from_bounded(n))
}
