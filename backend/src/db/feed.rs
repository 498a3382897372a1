//! Reading the change feed from the outbox (audit rows that carry an event type).
//!
//! Every read is in (xid, id) order and stops below the oldest transaction still running
//! (`pg_snapshot_xmin`), so a reader that resumes from its cursor never skips an event that
//! committed after a later one was read (migration 11 explains why).

use crate::domain::AppResult;
use crate::domain::access::Scope;
use crate::domain::feed::{Concerns, Cursor, EventType};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

/// One event of the feed.
#[derive(Debug, Clone)]
pub struct FeedEvent {
    pub cursor: Cursor,
    pub event_type: EventType,
    pub action: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub subject_type: String,
    pub subject_id: Uuid,
    pub concerns: Concerns,
    pub details: serde_json::Value,
}

#[derive(FromRow)]
struct Row {
    xid: i64,
    audit_event_id: i64,
    event_type: String,
    action: String,
    occurred_at: DateTime<Utc>,
    actor_user_id: Option<Uuid>,
    actor_organization_id: Option<Uuid>,
    subject_type: String,
    subject_id: Uuid,
    customer_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    other_partner_ids: Vec<Uuid>,
    details: serde_json::Value,
}

impl Row {
    fn into_event(self) -> Option<FeedEvent> {
        Some(FeedEvent {
            cursor: Cursor { xid: self.xid, id: self.audit_event_id },
            // A type this build does not know (written by a newer instance) is skipped.
            event_type: EventType::from_code(&self.event_type)?,
            action: self.action,
            occurred_at: self.occurred_at,
            actor_user_id: self.actor_user_id,
            subject_type: self.subject_type,
            subject_id: self.subject_id,
            concerns: Concerns {
                actor_organization_id: self.actor_organization_id,
                customer_id: self.customer_id,
                partner_id: self.partner_id,
                other_partner_ids: self.other_partner_ids,
            },
            details: self.details,
        })
    }
}

const COLUMNS: &str = "select xid::text::bigint as xid, audit_event_id, event_type, action, occurred_at, \
     actor_user_id, actor_organization_id, subject_type, subject_id, customer_id, partner_id, \
     other_partner_ids, details from audit_event where event_type is not null";

/// What to read: the events after `after` (oldest first), or with `newest_first` the newest
/// ones before `before`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub types: Vec<EventType>,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
    pub newest_first: bool,
    pub limit: i64,
}

/// Events under `scope` (None: every event, for the instance's own fan-out and webhooks).
pub async fn read(db: impl PgExecutor<'_>, scope: Option<Scope>, q: &Query) -> AppResult<Vec<FeedEvent>> {
    let mut qb = QueryBuilder::<Postgres>::new(COLUMNS);
    qb.push(" and xid < pg_snapshot_xmin(pg_current_snapshot())");
    if let Some(scope) = scope {
        qb.push(" and ");
        super::visibility::push_event_visible(&mut qb, scope);
    }
    // Only types this build knows (a newer instance may write more): filtered here, not after
    // the limit, so a short batch always means "nothing more".
    let types = if q.types.is_empty() { EventType::ALL } else { q.types.as_slice() };
    let codes: Vec<&str> = types.iter().map(|t| t.code()).collect();
    qb.push(" and event_type = any(").push_bind(codes).push(")");
    if let Some(c) = q.after {
        qb.push(" and (xid, audit_event_id) > (")
            .push_bind(c.xid.to_string())
            .push("::xid8, ")
            .push_bind(c.id)
            .push(")");
    }
    if let Some(c) = q.before {
        qb.push(" and (xid, audit_event_id) < (")
            .push_bind(c.xid.to_string())
            .push("::xid8, ")
            .push_bind(c.id)
            .push(")");
    }
    let order = if q.newest_first { "desc" } else { "asc" };
    qb.push(format!(" order by xid {order}, audit_event_id {order} limit ")).push_bind(q.limit);
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    Ok(rows.into_iter().filter_map(Row::into_event).collect())
}

/// The cursor after the newest event readable now: a live stream that asks for no replay
/// starts here.
pub async fn head(db: impl PgExecutor<'_>) -> AppResult<Cursor> {
    let row = sqlx::query!(
        r#"select xid::text::bigint as "xid!", audit_event_id from audit_event
           where event_type is not null and xid < pg_snapshot_xmin(pg_current_snapshot())
           order by xid desc, audit_event_id desc limit 1"#
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Cursor { xid: r.xid, id: r.audit_event_id }).unwrap_or(Cursor::START))
}

/// How long the oldest writing transaction in the cluster has been open, in seconds (0 when
/// none is). Readers stop below it, so this is how far behind every instance's feed may be.
/// Other roles' transactions count only where the server's role may read their activity
/// (`pg_read_all_stats`).
pub async fn held_back_seconds(db: impl PgExecutor<'_>) -> AppResult<f64> {
    Ok(sqlx::query_scalar!(
        r#"select coalesce(extract(epoch from clock_timestamp() - min(xact_start)), 0)::float8 as "seconds!"
           from pg_stat_activity where backend_xid is not null"#
    )
    .fetch_one(db)
    .await?)
}

/// How many readable events under `scope`, not caused by `user_id`, came after `seen`;
/// counted up to `cap`.
pub async fn unread(
    db: impl PgExecutor<'_>,
    scope: Scope,
    user_id: Uuid,
    seen: Cursor,
    cap: i64,
) -> AppResult<i64> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "select count(*) from (select 1 from audit_event where event_type is not null \
         and xid < pg_snapshot_xmin(pg_current_snapshot()) and (xid, audit_event_id) > (",
    );
    qb.push_bind(seen.xid.to_string())
        .push("::xid8, ")
        .push_bind(seen.id)
        .push(") and actor_user_id is distinct from ")
        .push_bind(user_id)
        .push(" and event_type = any(")
        .push_bind(EventType::ALL.iter().map(|t| t.code()).collect::<Vec<_>>())
        .push(") and ");
    super::visibility::push_event_visible(&mut qb, scope);
    qb.push(" limit ").push_bind(cap).push(") x");
    Ok(qb.build_query_scalar::<i64>().fetch_one(db).await?)
}

/// Marks the feed seen through `through` for a user (never moves back).
pub async fn mark_seen(db: impl PgExecutor<'_>, user_id: Uuid, through: Cursor) -> AppResult<()> {
    sqlx::query!(
        "insert into feed_seen (user_id, seen_xid, seen_id) values ($1, $2, $3)
         on conflict (user_id) do update
           set (seen_xid, seen_id) = (greatest(feed_seen.seen_xid, excluded.seen_xid),
                case when excluded.seen_xid > feed_seen.seen_xid then excluded.seen_id
                     when excluded.seen_xid < feed_seen.seen_xid then feed_seen.seen_id
                     else greatest(feed_seen.seen_id, excluded.seen_id) end)",
        user_id,
        through.xid,
        through.id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Where a user has read the feed to (the start when never).
pub async fn seen(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<Cursor> {
    let row = sqlx::query!("select seen_xid, seen_id from feed_seen where user_id = $1", user_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| Cursor { xid: r.seen_xid, id: r.seen_id }).unwrap_or(Cursor::START))
}
