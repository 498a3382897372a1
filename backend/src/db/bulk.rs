//! Bulk operations and their items: inserting them once per idempotency key, claiming pending
//! items with SKIP LOCKED, recording each outcome, cancelling and retrying, and the reads.

use super::organizations::{CustomerFilter, push_customer_filter};
use super::page::{Page, PageRequest};
use crate::domain::access::Scope;
use crate::domain::bulk::{BulkTerms, Progress};
use crate::domain::*;
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Operation {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Uuid,
    pub kind: BulkKind,
    pub terms: serde_json::Value,
    pub idempotency_key: String,
    pub input_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

pub struct NewOperation<'a> {
    pub organization_id: Uuid,
    pub created_by: Uuid,
    pub kind: BulkKind,
    pub terms: &'a BulkTerms,
    pub idempotency_key: &'a str,
    pub input_hash: &'a [u8],
    pub created_at: DateTime<Utc>,
}

/// Inserts the operation unless its organization already used the key; `None` then (the unique
/// constraint decides between concurrent starts: the later one waits and finds the first).
pub async fn insert(db: impl PgExecutor<'_>, o: &NewOperation<'_>) -> AppResult<Option<Uuid>> {
    let terms = serde_json::to_value(o.terms).map_err(anyhow::Error::from)?;
    Ok(sqlx::query_scalar!(
        "insert into bulk_operation (organization_id, created_by, kind, terms, idempotency_key, input_hash, created_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict on constraint bulk_operation_idempotency do nothing
         returning bulk_operation_id",
        o.organization_id,
        o.created_by,
        o.kind as BulkKind,
        terms,
        o.idempotency_key,
        o.input_hash,
        o.created_at,
    )
    .fetch_optional(db)
    .await?)
}

/// One item per customer, in the order given.
pub async fn insert_items(db: impl PgExecutor<'_>, operation: Uuid, customers: &[Uuid]) -> AppResult<()> {
    sqlx::query!(
        "insert into bulk_item (bulk_operation_id, seq, customer_id)
         select $1, (n - 1)::int, c from unnest($2::uuid[]) with ordinality as t(c, n)",
        operation,
        customers,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn by_key(db: impl PgExecutor<'_>, organization: Uuid, key: &str) -> AppResult<Option<Operation>> {
    Ok(sqlx::query_as!(
        Operation,
        r#"select bulk_operation_id as id, organization_id, created_by, kind as "kind: BulkKind", terms,
                  idempotency_key, input_hash, created_at, cancelled_at
           from bulk_operation where organization_id = $1 and idempotency_key = $2"#,
        organization,
        key,
    )
    .fetch_optional(db)
    .await?)
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Operation>> {
    Ok(sqlx::query_as!(
        Operation,
        r#"select bulk_operation_id as id, organization_id, created_by, kind as "kind: BulkKind", terms,
                  idempotency_key, input_hash, created_at, cancelled_at
           from bulk_operation where bulk_operation_id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await?)
}

/// Locks the operation row (cancel and retry against each other).
pub async fn for_update(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Operation>> {
    Ok(sqlx::query_as!(
        Operation,
        r#"select bulk_operation_id as id, organization_id, created_by, kind as "kind: BulkKind", terms,
                  idempotency_key, input_hash, created_at, cancelled_at
           from bulk_operation where bulk_operation_id = $1 for update"#,
        id,
    )
    .fetch_optional(db)
    .await?)
}

/// An organization's operations, newest first.
pub async fn page(
    db: impl PgExecutor<'_>,
    organization: Uuid,
    page: &PageRequest,
) -> AppResult<Page<Operation>> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "select bulk_operation_id as id, organization_id, created_by, kind, terms, idempotency_key,
                input_hash, created_at, cancelled_at
         from bulk_operation where organization_id = ",
    );
    qb.push_bind(organization);
    super::page::push_after_time(&mut qb, "created_at", "bulk_operation_id", true, page)?;
    qb.push(" order by created_at desc, bulk_operation_id limit ").push_bind(page.fetch_limit());
    let rows: Vec<OperationRow> = qb.build_query_as().fetch_all(db).await?;
    let rows = rows.into_iter().map(Operation::try_from).collect::<AppResult<Vec<_>>>()?;
    Ok(Page::from_rows(rows, page))
}

#[derive(sqlx::FromRow)]
struct OperationRow {
    id: Uuid,
    organization_id: Uuid,
    created_by: Uuid,
    kind: String,
    terms: serde_json::Value,
    idempotency_key: String,
    input_hash: Vec<u8>,
    created_at: DateTime<Utc>,
    cancelled_at: Option<DateTime<Utc>>,
}

impl TryFrom<OperationRow> for Operation {
    type Error = AppError;
    fn try_from(r: OperationRow) -> AppResult<Operation> {
        Ok(Operation {
            id: r.id,
            organization_id: r.organization_id,
            created_by: r.created_by,
            kind: r.kind.parse()?,
            terms: r.terms,
            idempotency_key: r.idempotency_key,
            input_hash: r.input_hash,
            created_at: r.created_at,
            cancelled_at: r.cancelled_at,
        })
    }
}

pub async fn count(db: impl PgExecutor<'_>, organization: Uuid) -> AppResult<super::page::Count> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (select from bulk_operation where organization_id = $1 limit 1001) o"#,
        organization
    )
    .fetch_one(db)
    .await?;
    Ok(super::page::Count::from_bounded(n))
}

/// The items of each operation, counted by status.
pub async fn progress(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<Vec<(Uuid, Progress)>> {
    let rows = sqlx::query!(
        r#"select bulk_operation_id as "id!",
                  count(*) as "total!",
                  count(*) filter (where status = 'PENDING') as "pending!",
                  count(*) filter (where status = 'SUCCEEDED') as "succeeded!",
                  count(*) filter (where status = 'FAILED') as "failed!",
                  count(*) filter (where status = 'SKIPPED') as "skipped!"
           from bulk_item where bulk_operation_id = any($1) group by bulk_operation_id"#,
        ids,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                Progress {
                    total: r.total,
                    pending: r.pending,
                    succeeded: r.succeeded,
                    failed: r.failed,
                    skipped: r.skipped,
                },
            )
        })
        .collect())
}

#[derive(Debug, Clone)]
pub struct Item {
    pub operation_id: Uuid,
    pub seq: i32,
    pub customer_id: Uuid,
    pub status: BulkItemStatus,
    pub attempt: i32,
    pub code: Option<String>,
    pub reason: Option<String>,
    pub result_type: Option<String>,
    pub result_id: Option<Uuid>,
    pub finished_at: Option<DateTime<Utc>>,
    pub tries: i32,
    pub not_before: Option<DateTime<Utc>>,
}

/// A page of an operation's items in their order, optionally of one status.
pub async fn items_page(
    db: impl PgExecutor<'_>,
    operation: Uuid,
    status: Option<BulkItemStatus>,
    page: &PageRequest,
) -> AppResult<Page<Item>> {
    let after: i32 = match &page.after {
        Some(a) => a.key.parse().map_err(|_| AppError::bad_input("after is not a cursor of this list"))?,
        None => -1,
    };
    let rows = sqlx::query_as!(
        Item,
        r#"select bulk_operation_id as operation_id, seq, customer_id, status as "status: BulkItemStatus",
                  attempt, code, reason, result_type, result_id, finished_at, tries, not_before
           from bulk_item
           where bulk_operation_id = $1 and seq > $2 and ($3::text is null or status = $3)
           order by seq limit $4"#,
        operation,
        after,
        status.map(|s| s.as_str()),
        page.fetch_limit(),
    )
    .fetch_all(db)
    .await?;
    Ok(Page::from_rows(rows, page))
}

pub async fn items_count(
    db: impl PgExecutor<'_>,
    operation: Uuid,
    status: Option<BulkItemStatus>,
) -> AppResult<super::page::Count> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (select from bulk_item
             where bulk_operation_id = $1 and ($2::text is null or status = $2) limit 1001) i"#,
        operation,
        status.map(|s| s.as_str()),
    )
    .fetch_one(db)
    .await?;
    Ok(super::page::Count::from_bounded(n))
}

/// The customers matching the book's filter that the viewer sees, in the book's order, at most
/// `limit` (the caller refuses more than it allows).
pub async fn customers_matching(
    db: impl PgExecutor<'_>,
    scope: Scope,
    filter: &CustomerFilter,
    limit: i64,
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "select o.organization_id from organization o join customer c on c.customer_id = o.organization_id ",
    );
    push_customer_filter(&mut qb, scope, filter, now);
    qb.push(" order by o.name, o.organization_id limit ").push_bind(limit);
    Ok(qb.build_query_scalar().fetch_all(db).await?)
}

/// Which of `ids` are customers the viewer sees.
pub async fn visible_customers(
    db: impl PgExecutor<'_>,
    scope: Scope,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "select o.organization_id from organization o join customer c on c.customer_id = o.organization_id ",
    );
    push_customer_filter(&mut qb, scope, &CustomerFilter::default(), now);
    qb.push(" and o.organization_id = any(").push_bind(ids.to_vec()).push(")");
    Ok(qb.build_query_scalar().fetch_all(db).await?)
}

/// A pending item claimed for this transaction, with what its operation asks.
#[derive(Debug)]
pub struct Claimed {
    pub operation_id: Uuid,
    pub seq: i32,
    pub customer_id: Uuid,
    pub kind: BulkKind,
    pub terms: serde_json::Value,
    pub created_by: Uuid,
    /// The operation was cancelled after this item escaped the cancel (it was held then).
    pub cancelled: bool,
    /// Transient failures of this attempt so far.
    pub tries: i32,
}

/// The next due pending item nobody else holds, oldest operation first, locked until the
/// transaction ends: a worker that dies mid-item leaves it pending for the next claim. An item
/// put off after a transient failure is not due before its `not_before`.
pub async fn claim_next(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> AppResult<Option<Claimed>> {
    Ok(sqlx::query_as!(
        Claimed,
        r#"select i.bulk_operation_id as operation_id, i.seq, i.customer_id, o.kind as "kind: BulkKind",
                  o.terms, o.created_by, o.cancelled_at is not null as "cancelled!", i.tries
           from bulk_item i join bulk_operation o using (bulk_operation_id)
           where i.status = 'PENDING' and (i.not_before is null or i.not_before <= $1)
           order by o.created_at, i.bulk_operation_id, i.seq
           limit 1
           for update of i skip locked"#,
        now,
    )
    .fetch_optional(db)
    .await?)
}

/// For the rest of the transaction, a lock wait longer than `ms` fails (55P03) instead of
/// holding up the worker: the item is put off and tried again later.
pub async fn limit_lock_waits(db: impl PgExecutor<'_>, ms: u32) -> AppResult<()> {
    sqlx::query_scalar!("select set_config('lock_timeout', $1, true)", format!("{ms}ms"))
        .fetch_one(db)
        .await?;
    Ok(())
}

/// A transient failure: the item stays PENDING with the failure's code and reason, and is not
/// claimed again before `not_before`. Only the run that claimed it at `item.tries` writes.
pub async fn put_off(
    db: impl PgExecutor<'_>,
    item: &Claimed,
    tries: i32,
    code: &str,
    reason: &str,
    not_before: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "update bulk_item set tries = $4, code = $5, reason = $6, not_before = $7
         where bulk_operation_id = $1 and seq = $2 and status = 'PENDING' and tries = $3",
        item.operation_id,
        item.seq,
        item.tries,
        tries,
        code,
        reason,
        not_before,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct Finished<'a> {
    pub status: BulkItemStatus,
    pub code: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub result_type: Option<&'a str>,
    pub result_id: Option<Uuid>,
    pub tries: i32,
}

/// Records the item's end; only the run that claimed it (still pending, at `item.tries`) writes.
pub async fn finish_item(
    db: impl PgExecutor<'_>,
    item: &Claimed,
    f: &Finished<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "update bulk_item set status = $4, code = $5, reason = $6, result_type = $7, result_id = $8,
            finished_at = $9, tries = $10, not_before = null
         where bulk_operation_id = $1 and seq = $2 and status = 'PENDING' and tries = $3",
        item.operation_id,
        item.seq,
        item.tries,
        f.status as BulkItemStatus,
        f.code,
        f.reason,
        f.result_type,
        f.result_id,
        now,
        f.tries,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Cancels: pending items become SKIPPED. Items a worker holds are passed over (never waited
/// for, so a cancel is instant however busy the workers are): they finish, or if put back, are
/// skipped at their next claim. Answers how many were skipped now.
pub async fn cancel(db: &mut sqlx::PgConnection, operation: Uuid, now: DateTime<Utc>) -> AppResult<u64> {
    sqlx::query!(
        "update bulk_operation set cancelled_at = coalesce(cancelled_at, $2) where bulk_operation_id = $1",
        operation,
        now
    )
    .execute(&mut *db)
    .await?;
    Ok(sqlx::query!(
        "update bulk_item set status = 'SKIPPED', code = null, reason = 'cancelled', finished_at = $2,
            not_before = null
         where (bulk_operation_id, seq) in (
             select bulk_operation_id, seq from bulk_item
             where bulk_operation_id = $1 and status = 'PENDING'
             for update skip locked)",
        operation,
        now,
    )
    .execute(&mut *db)
    .await?
    .rows_affected())
}

/// FAILED items back to PENDING for another attempt; the others keep their outcome.
pub async fn retry_failed(db: &mut sqlx::PgConnection, operation: Uuid) -> AppResult<u64> {
    Ok(sqlx::query!(
        "update bulk_item set status = 'PENDING', attempt = attempt + 1, code = null, reason = null,
            result_type = null, result_id = null, finished_at = null, tries = 0, not_before = null
         where bulk_operation_id = $1 and status = 'FAILED'",
        operation,
    )
    .execute(&mut *db)
    .await?
    .rows_affected())
}

/// The creator as the worker acts for them: their organization and current roles (a creator
/// since deactivated acts no more).
pub async fn creator_viewer(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<Option<Viewer>> {
    let row = sqlx::query!(
        r#"select u.user_id, u.organization_id, o.kind as "organization_kind: OrganizationKind",
                  p.program as "program?: PartnerProgram",
                  array(select role from user_role r where r.user_id = u.user_id order by role) as "roles!: Vec<Role>"
           from app_user u join organization o using (organization_id)
           left join partner p on p.partner_id = o.organization_id
           where u.user_id = $1 and u.deactivated_at is null"#,
        user_id,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Viewer {
        user_id: r.user_id,
        organization_id: r.organization_id,
        organization_kind: r.organization_kind,
        partner_program: r.program,
        roles: r.roles,
        token_id: Uuid::nil(),
        token_kind: TokenKind::Session,
        read_only: false,
        token_expires_at: None,
        enrol_only: false,
    }))
}

/// An active relationship as terminate and auto-extend see it.
pub struct Held {
    pub id: Uuid,
    pub display_name: String,
    pub auto_extend: String,
}

/// The partner's relationships with the customer that are active now, locked (in one order,
/// so two items never wait on each other) until the item's transaction ends.
pub async fn active_relationships_for_update(
    db: impl PgExecutor<'_>,
    partner: Uuid,
    customer: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Vec<Held>> {
    Ok(sqlx::query_as!(
        Held,
        "select relationship_id as id, display_name, auto_extend from delegated_admin_relationship
         where partner_id = $1 and customer_id = $2 and status = 'ACTIVE' and ends_at > $3
         order by created_at, relationship_id
         for update",
        partner,
        customer,
        now,
    )
    .fetch_all(db)
    .await?)
}

/// Whether another customer's relationship with the partner already has this display name.
pub async fn display_name_held_by_other(
    db: impl PgExecutor<'_>,
    partner: Uuid,
    name: &str,
    customer: Uuid,
) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists(select 1 from delegated_admin_relationship
             where partner_id = $1 and display_name = $2 and customer_id <> $3) as "held!""#,
        partner,
        name,
        customer,
    )
    .fetch_one(db)
    .await?)
}

pub async fn customer_name(db: impl PgExecutor<'_>, customer: Uuid) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar!("select name from organization where organization_id = $1", customer)
        .fetch_optional(db)
        .await?)
}

/// Wakes the workers of every instance (delivered on commit).
pub async fn notify_started(db: impl PgExecutor<'_>, operation: Uuid) -> AppResult<()> {
    sqlx::query!("select pg_notify('bulk_operation', $1::text)", operation.to_string()).execute(db).await?;
    Ok(())
}
