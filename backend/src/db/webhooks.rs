//! Webhook endpoints, their deliveries and attempts, and the dispatcher's place in the feed.
//! Workers claim due deliveries with FOR UPDATE SKIP LOCKED and a lease, so any number of
//! instances share the work and none holds a transaction open while it waits for a receiver.

use super::page::{Count, Page, PageRequest, parse_time_key};
use crate::domain::feed::Cursor;
use crate::domain::{AppResult, OrganizationKind, WebhookDeliveryStatus};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// An endpoint's columns, as [`Endpoint`] reads them: written once here and used by every
/// statement that reads endpoints (with `query_as` and `FromRow`: `query_as!` takes only a
/// literal; the statements are still static strings, and the API tests run each of them).
macro_rules! endpoint_select {
    () => {
        "select webhook_endpoint_id as id, organization_id, url, description, event_types, enabled,
                disabled_at, disabled_reason, failing_since, created_at, secret_rotated_at
         from webhook_endpoint "
    };
}

/// A delivery's columns with its endpoint's organization, as [`Delivery`] reads them.
macro_rules! delivery_select {
    () => {
        "select d.webhook_delivery_id as id, d.webhook_endpoint_id as endpoint_id, e.organization_id,
                d.event_type, d.message_id, d.payload, d.status, d.attempt_count, d.next_attempt_at,
                d.last_response_status, d.last_latency_ms, d.created_at, d.delivered_at
         from webhook_delivery d join webhook_endpoint e using (webhook_endpoint_id) "
    };
}

/// An endpoint as its admin sees it (never its secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Endpoint {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub secret_rotated_at: Option<DateTime<Utc>>,
}

/// One delivery of an event to an endpoint.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub organization_id: Uuid,
    pub event_type: String,
    pub message_id: String,
    pub payload: serde_json::Value,
    pub status: WebhookDeliveryStatus,
    pub attempt_count: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_response_status: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub attempted_at: DateTime<Utc>,
    pub response_status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

pub struct NewEndpoint<'a> {
    pub organization_id: Uuid,
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub event_types: &'a [String],
    pub secret: &'a str,
    pub now: DateTime<Utc>,
}

pub async fn insert_endpoint(db: impl PgExecutor<'_>, e: NewEndpoint<'_>) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar!(
        "insert into webhook_endpoint (organization_id, url, description, event_types, secret, created_at)
         values ($1, $2, $3, $4, $5, $6) returning webhook_endpoint_id",
        e.organization_id,
        e.url,
        e.description,
        e.event_types,
        e.secret,
        e.now,
    )
    .fetch_one(db)
    .await?)
}

pub async fn count_in_organization(db: impl PgExecutor<'_>, organization_id: Uuid) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"select count(*) as "n!" from webhook_endpoint where organization_id = $1"#,
        organization_id
    )
    .fetch_one(db)
    .await?)
}

/// The organization's endpoint, locked for a change; None when it is not the organization's.
pub async fn endpoint_for_update(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    id: Uuid,
) -> AppResult<Option<Endpoint>> {
    const SQL: &str =
        concat!(endpoint_select!(), "where webhook_endpoint_id = $1 and organization_id = $2 for update");
    Ok(sqlx::query_as::<_, Endpoint>(SQL).bind(id).bind(organization_id).fetch_optional(db).await?)
}

pub async fn endpoint_by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Endpoint>> {
    const SQL: &str = concat!(endpoint_select!(), "where webhook_endpoint_id = $1");
    Ok(sqlx::query_as::<_, Endpoint>(SQL).bind(id).fetch_optional(db).await?)
}

/// The organization's endpoints, oldest first.
pub async fn endpoints_page(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    page: &PageRequest,
) -> AppResult<Page<Endpoint>> {
    let after = page.after.as_ref().map(|a| parse_time_key(&a.key)).transpose()?;
    const SQL: &str = concat!(
        endpoint_select!(),
        "where organization_id = $1
           and ($2::timestamptz is null or created_at > $2 or (created_at = $2 and webhook_endpoint_id > $3))
         order by created_at, webhook_endpoint_id limit $4"
    );
    let rows = sqlx::query_as::<_, Endpoint>(SQL)
        .bind(organization_id)
        .bind(after)
        .bind(page.after.as_ref().map(|a| a.id))
        .bind(page.fetch_limit())
        .fetch_all(db)
        .await?;
    Ok(Page::from_rows(rows, page))
}

pub async fn endpoints_count(db: impl PgExecutor<'_>, organization_id: Uuid) -> AppResult<Count> {
    Ok(Count::from_bounded(count_in_organization(db, organization_id).await?))
}

/// An endpoint's settings after an update.
pub struct EndpointChange<'a> {
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub event_types: &'a [String],
    pub enabled: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<&'a str>,
}

/// Writes the settings; enabling a disabled endpoint starts its failure count afresh.
pub async fn update_endpoint(db: impl PgExecutor<'_>, id: Uuid, c: EndpointChange<'_>) -> AppResult<()> {
    sqlx::query!(
        "update webhook_endpoint set url = $2, description = $3, event_types = $4,
                failing_since = case when $5 and not enabled then null else failing_since end,
                enabled = $5, disabled_at = $6, disabled_reason = $7
         where webhook_endpoint_id = $1",
        id,
        c.url,
        c.description,
        c.event_types,
        c.enabled,
        c.disabled_at,
        c.disabled_reason,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete_endpoint(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<()> {
    sqlx::query!("delete from webhook_endpoint where webhook_endpoint_id = $1", id).execute(db).await?;
    Ok(())
}

/// A new secret; the current one keeps signing until `previous_until`.
pub async fn rotate_secret(
    db: impl PgExecutor<'_>,
    id: Uuid,
    secret: &str,
    previous_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "update webhook_endpoint set previous_secret = secret, previous_secret_until = $3, secret = $2,
                secret_rotated_at = $4
         where webhook_endpoint_id = $1",
        id,
        secret,
        previous_until,
        now
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Gives up the endpoint's pending deliveries (it was disabled).
pub async fn fail_pending(db: impl PgExecutor<'_>, endpoint_id: Uuid) -> AppResult<u64> {
    Ok(sqlx::query!(
        "update webhook_delivery set status = 'FAILED', next_attempt_at = null, locked_until = null
         where webhook_endpoint_id = $1 and status = 'PENDING'",
        endpoint_id
    )
    .execute(db)
    .await?
    .rows_affected())
}

/// One delivery with its endpoint's organization.
pub async fn delivery_by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Delivery>> {
    const SQL: &str = concat!(delivery_select!(), "where d.webhook_delivery_id = $1");
    Ok(sqlx::query_as::<_, Delivery>(SQL).bind(id).fetch_optional(db).await?)
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries_page(
    db: impl PgExecutor<'_>,
    endpoint_id: Uuid,
    page: &PageRequest,
) -> AppResult<Page<Delivery>> {
    let after = page.after.as_ref().map(|a| parse_time_key(&a.key)).transpose()?;
    const SQL: &str = concat!(
        delivery_select!(),
        "where d.webhook_endpoint_id = $1
           and ($2::timestamptz is null or d.created_at < $2
                or (d.created_at = $2 and d.webhook_delivery_id < $3))
         order by d.created_at desc, d.webhook_delivery_id desc limit $4"
    );
    let rows = sqlx::query_as::<_, Delivery>(SQL)
        .bind(endpoint_id)
        .bind(after)
        .bind(page.after.as_ref().map(|a| a.id))
        .bind(page.fetch_limit())
        .fetch_all(db)
        .await?;
    Ok(Page::from_rows(rows, page))
}

pub async fn deliveries_count(db: impl PgExecutor<'_>, endpoint_id: Uuid) -> AppResult<Count> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (select 1 from webhook_delivery where webhook_endpoint_id = $1 limit $2) x"#,
        endpoint_id,
        super::page::COUNT_LIMIT + 1
    )
    .fetch_one(db)
    .await?;
    Ok(Count::from_bounded(n))
}

/// A delivery's attempts, oldest first.
pub async fn attempts(db: impl PgExecutor<'_>, delivery_id: Uuid) -> AppResult<Vec<Attempt>> {
    Ok(sqlx::query_as!(
        Attempt,
        "select attempted_at, response_status, latency_ms, error from webhook_attempt
         where webhook_delivery_id = $1 order by webhook_attempt_id",
        delivery_id
    )
    .fetch_all(db)
    .await?)
}

/// The attempts of several deliveries (a page), oldest first, in one statement.
pub async fn attempts_of(
    db: impl PgExecutor<'_>,
    delivery_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, Vec<Attempt>>> {
    let rows = sqlx::query!(
        "select webhook_delivery_id, attempted_at, response_status, latency_ms, error from webhook_attempt
         where webhook_delivery_id = any($1) order by webhook_attempt_id",
        delivery_ids
    )
    .fetch_all(db)
    .await?;
    let mut by_delivery: std::collections::HashMap<Uuid, Vec<Attempt>> = Default::default();
    for r in rows {
        by_delivery.entry(r.webhook_delivery_id).or_default().push(Attempt {
            attempted_at: r.attempted_at,
            response_status: r.response_status,
            latency_ms: r.latency_ms,
            error: r.error,
        });
    }
    Ok(by_delivery)
}

/// Queues one delivery (a test, or one event); nothing when the endpoint has this message.
pub async fn insert_delivery(
    db: impl PgExecutor<'_>,
    endpoint_id: Uuid,
    audit_event_id: Option<i64>,
    message_id: &str,
    event_type: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> AppResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!(
        "insert into webhook_delivery (webhook_endpoint_id, audit_event_id, message_id, event_type, payload,
                                       next_attempt_at, created_at)
         values ($1, $2, $3, $4, $5, $6, $6)
         on conflict (webhook_endpoint_id, message_id) do nothing returning webhook_delivery_id",
        endpoint_id,
        audit_event_id,
        message_id,
        event_type,
        payload,
        now
    )
    .fetch_optional(db)
    .await?)
}

/// Many deliveries at once (one dispatch batch), each once per endpoint and message.
pub struct NewDeliveries {
    pub endpoint_ids: Vec<Uuid>,
    pub audit_event_ids: Vec<i64>,
    pub message_ids: Vec<String>,
    pub event_types: Vec<String>,
    pub payloads: Vec<serde_json::Value>,
}

pub async fn insert_deliveries(
    db: impl PgExecutor<'_>,
    d: &NewDeliveries,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    if d.endpoint_ids.is_empty() {
        return Ok(0);
    }
    Ok(sqlx::query!(
        "insert into webhook_delivery (webhook_endpoint_id, audit_event_id, message_id, event_type, payload,
                                       next_attempt_at, created_at)
         select e, a, m, t, p, $6, $6
         from unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::jsonb[]) as x(e, a, m, t, p)
         on conflict (webhook_endpoint_id, message_id) do nothing",
        &d.endpoint_ids,
        &d.audit_event_ids,
        &d.message_ids,
        &d.event_types,
        &d.payloads,
        now
    )
    .execute(db)
    .await?
    .rows_affected())
}

/// Queues another attempt of a delivery now.
pub async fn redeliver(db: impl PgExecutor<'_>, id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "update webhook_delivery set status = 'PENDING', next_attempt_at = $2, locked_until = null,
                delivered_at = null
         where webhook_delivery_id = $1",
        id,
        now
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Locks the dispatcher's place in the feed, or None while another instance dispatches.
pub async fn lock_dispatch_cursor(db: impl PgExecutor<'_>) -> AppResult<Option<Cursor>> {
    Ok(sqlx::query!("select xid, id from webhook_dispatch for update skip locked")
        .fetch_optional(db)
        .await?
        .map(|r| Cursor { xid: r.xid, id: r.id }))
}

pub async fn set_dispatch_cursor(db: impl PgExecutor<'_>, c: Cursor) -> AppResult<()> {
    sqlx::query!("update webhook_dispatch set xid = $1, id = $2", c.xid, c.id).execute(db).await?;
    Ok(())
}

/// An enabled endpoint, as the dispatcher matches events to it.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub kind: OrganizationKind,
    pub event_types: Vec<String>,
    /// Events of transactions up to this one came before the endpoint.
    pub created_xid: i64,
}

pub async fn enabled_targets(db: impl PgExecutor<'_>) -> AppResult<Vec<Target>> {
    Ok(sqlx::query_as!(
        Target,
        r#"select e.webhook_endpoint_id as id, e.organization_id, o.kind as "kind: OrganizationKind",
                  e.event_types, e.created_xid
           from webhook_endpoint e join organization o using (organization_id)
           where e.enabled"#
    )
    .fetch_all(db)
    .await?)
}

/// A delivery claimed for one attempt, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub message_id: String,
    pub payload: serde_json::Value,
    pub attempt_count: i32,
    pub url: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTime<Utc>>,
}

/// Claims due deliveries of enabled endpoints until `lease_until` (skipping those another
/// worker holds), oldest due first within an endpoint and at most `per_endpoint` in flight per
/// endpoint, counting those already leased: one endpoint's backlog never fills a claim. The
/// endpoints are locked (NO KEY UPDATE, SKIP LOCKED) while claiming, so two instances never both
/// fill the same endpoint's room. The caller commits at once and sends outside any transaction.
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
    per_endpoint: i64,
) -> AppResult<Vec<Claimed>> {
    Ok(sqlx::query_as!(
        Claimed,
        r#"with busy as (
               select e.webhook_endpoint_id,
                      (select count(*) from webhook_delivery f
                       where f.webhook_endpoint_id = e.webhook_endpoint_id and f.status = 'PENDING'
                         and f.locked_until >= $1) as in_flight
               from webhook_endpoint e
               where e.enabled and exists (
                   select 1 from webhook_delivery g
                   where g.webhook_endpoint_id = e.webhook_endpoint_id and g.status = 'PENDING'
                     and g.next_attempt_at <= $1)
               for no key update of e skip locked),
           due as (
               select x.webhook_delivery_id from busy cross join lateral (
                   select d.webhook_delivery_id, d.next_attempt_at from webhook_delivery d
                   where d.webhook_endpoint_id = busy.webhook_endpoint_id and d.status = 'PENDING'
                     and d.next_attempt_at <= $1 and (d.locked_until is null or d.locked_until < $1)
                   order by d.next_attempt_at
                   limit greatest($4 - busy.in_flight, 0) for update of d skip locked) x
               order by x.next_attempt_at limit $3)
           update webhook_delivery d set locked_until = $2
           from due, webhook_endpoint e
           where d.webhook_delivery_id = due.webhook_delivery_id
             and e.webhook_endpoint_id = d.webhook_endpoint_id and e.enabled
           returning d.webhook_delivery_id as id, d.webhook_endpoint_id as endpoint_id, d.message_id,
                     d.payload, d.attempt_count, e.url, e.secret, e.previous_secret, e.previous_secret_until"#,
        now,
        lease_until,
        limit,
        per_endpoint
    )
    .fetch_all(db)
    .await?)
}

pub struct AttemptRecord<'a> {
    pub at: DateTime<Utc>,
    pub response_status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<&'a str>,
}

pub async fn insert_attempt(
    db: impl PgExecutor<'_>,
    delivery_id: Uuid,
    a: &AttemptRecord<'_>,
) -> AppResult<()> {
    sqlx::query!(
        "insert into webhook_attempt (webhook_delivery_id, attempted_at, response_status, latency_ms, error)
         values ($1, $2, $3, $4, $5)",
        delivery_id,
        a.at,
        a.response_status,
        a.latency_ms,
        a.error
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Locks a claimed delivery if the claim made until `lease` still stands (still PENDING, not
/// released or claimed again since).
pub async fn hold_claim(db: impl PgExecutor<'_>, id: Uuid, lease: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        "select 1 as held from webhook_delivery
         where webhook_delivery_id = $1 and status = 'PENDING' and locked_until = $2 for update",
        id,
        lease
    )
    .fetch_optional(db)
    .await?
    .is_some())
}

/// Writes an attempt's result onto its delivery and releases the claim.
pub async fn finish_attempt(
    db: impl PgExecutor<'_>,
    id: Uuid,
    status: WebhookDeliveryStatus,
    next_attempt_at: Option<DateTime<Utc>>,
    a: &AttemptRecord<'_>,
) -> AppResult<()> {
    sqlx::query!(
        "update webhook_delivery set status = $2, next_attempt_at = $3, locked_until = null,
                attempt_count = attempt_count + 1, last_response_status = $4, last_latency_ms = $5,
                delivered_at = case when $2 = 'SUCCEEDED' then $6 else delivered_at end
         where webhook_delivery_id = $1",
        id,
        status as WebhookDeliveryStatus,
        next_attempt_at,
        a.response_status,
        a.latency_ms,
        a.at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// After a success: the endpoint is no longer failing.
pub async fn mark_succeeding(db: impl PgExecutor<'_>, endpoint_id: Uuid) -> AppResult<()> {
    sqlx::query!(
        "update webhook_endpoint set failing_since = null where webhook_endpoint_id = $1 and failing_since is not null",
        endpoint_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The endpoint's failure period so far and its last failed attempt, locked for this failure.
pub async fn failure_state(
    db: impl PgExecutor<'_>,
    endpoint_id: Uuid,
) -> AppResult<Option<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)>> {
    Ok(sqlx::query!(
        "select failing_since, last_failed_at from webhook_endpoint where webhook_endpoint_id = $1 for update",
        endpoint_id
    )
    .fetch_optional(db)
    .await?
    .map(|r| (r.failing_since, r.last_failed_at)))
}

/// After a failure at `now`: the endpoint is failing since `since`.
pub async fn mark_failing(
    db: impl PgExecutor<'_>,
    endpoint_id: Uuid,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "update webhook_endpoint set failing_since = $2, last_failed_at = $3 where webhook_endpoint_id = $1",
        endpoint_id,
        since,
        now
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The times of the endpoint's latest manual sends of a kind, newest first, at most `limit`.
pub async fn recent_manual_sends(
    db: impl PgExecutor<'_>,
    endpoint_id: Uuid,
    kind: &str,
    since: DateTime<Utc>,
    limit: i64,
) -> AppResult<Vec<DateTime<Utc>>> {
    Ok(sqlx::query_scalar!(
        "select sent_at from webhook_manual_send
         where webhook_endpoint_id = $1 and kind = $2 and sent_at > $3
         order by sent_at desc limit $4",
        endpoint_id,
        kind,
        since,
        limit
    )
    .fetch_all(db)
    .await?)
}

pub async fn record_manual_send(
    db: impl PgExecutor<'_>,
    endpoint_id: Uuid,
    kind: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "insert into webhook_manual_send (webhook_endpoint_id, kind, sent_at) values ($1, $2, $3)",
        endpoint_id,
        kind,
        now
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes up to `limit` finished deliveries (with their attempts, by cascade) created before
/// `before`, and manual-send records older than `sends_before`; answers the deliveries deleted.
/// Pending deliveries are never deleted.
pub async fn delete_finished(
    db: &mut sqlx::PgConnection,
    before: DateTime<Utc>,
    sends_before: DateTime<Utc>,
    limit: i64,
) -> AppResult<u64> {
    let n = sqlx::query!(
        // `= any(array(...))`: by primary key; `in (...)` was planned as a hash join over the table.
        "delete from webhook_delivery where webhook_delivery_id = any(array(
             select webhook_delivery_id from webhook_delivery
             where status <> 'PENDING' and created_at < $1
             limit $2 for update skip locked))",
        before,
        limit
    )
    .execute(&mut *db)
    .await?
    .rows_affected();
    sqlx::query!(
        "delete from webhook_manual_send where webhook_manual_send_id = any(array(
             select webhook_manual_send_id from webhook_manual_send where sent_at < $1
             limit $2 for update skip locked))",
        sends_before,
        limit
    )
    .execute(&mut *db)
    .await?;
    Ok(n)
}

/// Disables an endpoint (answering its organization and kind, for the event).
pub async fn disable(
    db: impl PgExecutor<'_>,
    endpoint_id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> AppResult<Option<(Uuid, OrganizationKind)>> {
    Ok(sqlx::query!(
        r#"update webhook_endpoint e set enabled = false, disabled_at = $2, disabled_reason = $3
           from organization o
           where e.webhook_endpoint_id = $1 and e.enabled and o.organization_id = e.organization_id
           returning e.organization_id, o.kind as "kind: OrganizationKind""#,
        endpoint_id,
        now,
        reason
    )
    .fetch_optional(db)
    .await?
    .map(|r| (r.organization_id, r.kind)))
}
