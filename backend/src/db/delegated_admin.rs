//! Delegated admin relationships: granular, time-bound rights a customer gives a partner.

use super::parse;
use crate::domain::{AppResult, DelegatedAdminOrigin, DelegatedAdminStatus, DelegatedRole};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use std::collections::HashMap;
use uuid::Uuid;

/// The roles `partner_id` holds in force at `now`, per (customer, service) asked about.
pub async fn roles_held(
    db: impl PgExecutor<'_>,
    partner_id: Uuid,
    keys: &[(Uuid, Uuid)],
    now: DateTime<Utc>,
) -> AppResult<HashMap<(Uuid, Uuid), Vec<DelegatedRole>>> {
    let customers: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
    let services: Vec<Uuid> = keys.iter().map(|k| k.1).collect();
    let rows: Vec<(Uuid, Uuid, Vec<String>)> = sqlx::query_as(
        "select ds.customer_id, ds.service_id, array_agg(distinct role order by role) \
         from unnest($2::uuid[], $3::uuid[]) as k(customer_id, service_id) \
         join delegated_admin_service ds using (customer_id, service_id) \
         join delegated_admin_relationship d using (relationship_id) \
         cross join unnest(d.roles) as role \
         where d.partner_id = $1 and delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, $4) \
         group by ds.customer_id, ds.service_id",
    )
    .bind(partner_id)
    .bind(&customers)
    .bind(&services)
    .bind(now)
    .fetch_all(db)
    .await?;
    let mut held = HashMap::new();
    for (customer, service, roles) in rows {
        let roles = roles.iter().map(|r| parse(r)).collect::<AppResult<Vec<DelegatedRole>>>()?;
        held.insert((customer, service), roles);
    }
    Ok(held)
}

pub struct NewRelationship<'a> {
    pub invitation_id: Option<Uuid>,
    pub replace_existing: bool,
    pub display_name: &'a str,
    pub partner_id: Uuid,
    pub customer_id: Uuid,
    pub roles: &'a [DelegatedRole],
    pub service_ids: &'a [Uuid],
    pub duration: &'a str,
    pub duration_days: i32,
    pub auto_extend: &'a str,
    pub status: DelegatedAdminStatus,
    pub origin: DelegatedAdminOrigin,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// Inserts a relationship with its services; an ACTIVE one with an exclusive role claims its
/// services (the unique index refuses a second holder).
pub async fn insert(db: &mut sqlx::PgConnection, r: &NewRelationship<'_>) -> AppResult<Uuid> {
    let roles: Vec<&str> = r.roles.iter().map(|x| x.as_str()).collect();
    let id: Uuid = sqlx::query_scalar(
        "insert into delegated_admin_relationship (display_name, partner_id, customer_id, roles, \
            duration, duration_days, auto_extend, status, origin, created_at, activated_at, ends_at, \
            invitation_id, replace_existing, approval_requested_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
            case when $8 in ('APPROVAL_PENDING', 'CONSENT_PENDING') then $10 end) returning relationship_id",
    )
    .bind(r.display_name)
    .bind(r.partner_id)
    .bind(r.customer_id)
    .bind(&roles)
    .bind(r.duration)
    .bind(r.duration_days)
    .bind(r.auto_extend)
    .bind(r.status.as_str())
    .bind(r.origin.as_str())
    .bind(r.created_at)
    .bind(r.activated_at)
    .bind(r.ends_at)
    .bind(r.invitation_id)
    .bind(r.replace_existing)
    .fetch_one(&mut *db)
    .await?;
    let exclusive = r.status == DelegatedAdminStatus::Active
        && r.roles.iter().any(|x| matches!(x, DelegatedRole::Provisioning | DelegatedRole::GlobalAdmin));
    sqlx::query(
        "insert into delegated_admin_service (relationship_id, service_id, customer_id, holds_exclusive_role, partner_id) \
         select $1, unnest($2::uuid[]), $3, $4, $5",
    )
    .bind(id)
    .bind(r.service_ids)
    .bind(r.customer_id)
    .bind(exclusive)
    .bind(r.partner_id)
    .execute(&mut *db)
    .await?;
    Ok(id)
}

/// A stored relationship with its services.
#[derive(Debug, Clone)]
pub struct Relationship {
    pub id: Uuid,
    pub display_name: String,
    pub roles: Vec<DelegatedRole>,
    pub service_ids: Vec<Uuid>,
    pub duration: String,
    pub duration_days: i32,
    pub origin: DelegatedAdminOrigin,
    pub invitation_id: Option<Uuid>,
    pub replace_existing: bool,
    pub activated_at: Option<DateTime<Utc>>,
    pub terminated_at: Option<DateTime<Utc>>,
    /// What the domain rules read (status, partner, customer, times).
    pub stored: crate::domain::delegated_admin::Stored,
}

#[derive(sqlx::FromRow)]
struct Row {
    relationship_id: Uuid,
    display_name: String,
    partner_id: Uuid,
    customer_id: Uuid,
    roles: Vec<String>,
    service_ids: Vec<Uuid>,
    duration: String,
    duration_days: i32,
    auto_extend: String,
    status: String,
    origin: String,
    invitation_id: Option<Uuid>,
    replace_existing: bool,
    created_at: DateTime<Utc>,
    approval_requested_at: Option<DateTime<Utc>>,
    activated_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    terminated_at: Option<DateTime<Utc>>,
}

impl TryFrom<Row> for Relationship {
    type Error = crate::domain::AppError;
    fn try_from(r: Row) -> AppResult<Relationship> {
        Ok(Relationship {
            id: r.relationship_id,
            display_name: r.display_name,
            roles: r.roles.iter().map(|x| parse(x)).collect::<AppResult<_>>()?,
            service_ids: r.service_ids,
            duration: r.duration,
            duration_days: r.duration_days,
            origin: parse(&r.origin)?,
            invitation_id: r.invitation_id,
            replace_existing: r.replace_existing,
            activated_at: r.activated_at,
            terminated_at: r.terminated_at,
            stored: crate::domain::delegated_admin::Stored {
                status: parse(&r.status)?,
                partner_id: r.partner_id,
                customer_id: r.customer_id,
                auto_extend: r.auto_extend,
                approval_requested_at: r.approval_requested_at,
                created_at: r.created_at,
                ends_at: r.ends_at,
            },
        })
    }
}

const SELECT: &str = "select d.relationship_id, d.display_name, d.partner_id, d.customer_id, d.roles, \
    array(select service_id from delegated_admin_service s where s.relationship_id = d.relationship_id order by service_id) as service_ids, \
    d.duration, d.duration_days, d.auto_extend, d.status, d.origin, d.invitation_id, d.replace_existing, d.created_at, \
    d.approval_requested_at, d.activated_at, d.ends_at, d.terminated_at \
    from delegated_admin_relationship d ";

fn convert(rows: Vec<Row>) -> AppResult<Vec<Relationship>> {
    rows.into_iter().map(Relationship::try_from).collect()
}

pub async fn for_update(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Relationship>> {
    let row: Option<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} where d.relationship_id = $1 for update")))
            .bind(id)
            .fetch_optional(db)
            .await?;
    row.map(Relationship::try_from).transpose()
}

/// Relationships the viewer takes part in (its partner's, or its customer's; all for the operator).
/// A partner's drafts are its own until it requests approval.
pub async fn list(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    customer_id: Option<Uuid>,
    partner_id: Option<Uuid>,
) -> AppResult<Vec<Relationship>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} where ($1::uuid is null or d.partner_id = $1 or d.customer_id = $1) \
           and (d.status <> 'CREATED' or $1::uuid is null or d.partner_id = $1) \
           and ($2::uuid is null or d.customer_id = $2) and ($3::uuid is null or d.partner_id = $3) \
         order by d.created_at desc, d.relationship_id"
    )))
    .bind(party)
    .bind(customer_id)
    .bind(partner_id)
    .fetch_all(db)
    .await?;
    convert(rows)
}

/// The relationships of several customers (for channel maps).
pub async fn for_customers(db: impl PgExecutor<'_>, customer_ids: &[Uuid]) -> AppResult<Vec<Relationship>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} where d.customer_id = any($1) order by d.created_at, d.relationship_id"
    )))
    .bind(customer_ids)
    .fetch_all(db)
    .await?;
    convert(rows)
}

/// A draft's editable terms.
pub struct DraftTerms<'a> {
    pub display_name: &'a str,
    pub roles: &'a [DelegatedRole],
    pub service_ids: &'a [Uuid],
    pub duration: &'a str,
    pub duration_days: i32,
    pub auto_extend: &'a str,
}

pub async fn update_draft(db: &mut sqlx::PgConnection, id: Uuid, t: &DraftTerms<'_>) -> AppResult<()> {
    let roles: Vec<&str> = t.roles.iter().map(|x| x.as_str()).collect();
    sqlx::query(
        "update delegated_admin_relationship set display_name = $2, roles = $3, duration = $4, duration_days = $5, \
         auto_extend = $6 where relationship_id = $1",
    )
    .bind(id)
    .bind(t.display_name)
    .bind(&roles)
    .bind(t.duration)
    .bind(t.duration_days)
    .bind(t.auto_extend)
    .execute(&mut *db)
    .await?;
    sqlx::query("delete from delegated_admin_service where relationship_id = $1")
        .bind(id)
        .execute(&mut *db)
        .await?;
    sqlx::query(
        "insert into delegated_admin_service (relationship_id, service_id, customer_id, partner_id) \
         select $1, unnest($2::uuid[]), customer_id, partner_id from delegated_admin_relationship \
         where relationship_id = $1",
    )
    .bind(id)
    .bind(t.service_ids)
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn delete(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<()> {
    sqlx::query("delete from delegated_admin_relationship where relationship_id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Moves to a status; ending statuses give up any exclusive claim.
pub async fn set_status(
    db: &mut sqlx::PgConnection,
    id: Uuid,
    status: DelegatedAdminStatus,
    now: DateTime<Utc>,
    by: Option<Uuid>,
) -> AppResult<()> {
    sqlx::query(
        "update delegated_admin_relationship set status = $2, \
            approval_requested_at = case when $2 = 'APPROVAL_PENDING' then $3 else approval_requested_at end, \
            terminated_at = case when $2 = 'TERMINATED' then $3 else terminated_at end, \
            terminated_by_organization_id = case when $2 = 'TERMINATED' then $4 else terminated_by_organization_id end \
         where relationship_id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(now)
    .bind(by)
    .execute(&mut *db)
    .await?;
    if !matches!(status, DelegatedAdminStatus::Active) {
        sqlx::query(
            "update delegated_admin_service set holds_exclusive_role = false where relationship_id = $1",
        )
        .bind(id)
        .execute(&mut *db)
        .await?;
    }
    Ok(())
}

/// Activates: the end is activation plus duration, and exclusive roles claim their services
/// (the partial unique index refuses a second holder, also under concurrency).
pub async fn activate(
    db: &mut sqlx::PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
    exclusive: bool,
) -> AppResult<()> {
    sqlx::query(
        "update delegated_admin_relationship set status = 'ACTIVE', activated_at = $2, \
            ends_at = $2 + make_interval(days => duration_days) where relationship_id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *db)
    .await?;
    if exclusive {
        sqlx::query(
            "update delegated_admin_service set holds_exclusive_role = true where relationship_id = $1",
        )
        .bind(id)
        .execute(&mut *db)
        .await?;
    }
    Ok(())
}

pub async fn set_auto_extend(db: impl PgExecutor<'_>, id: Uuid, auto_extend: &str) -> AppResult<()> {
    sqlx::query("update delegated_admin_relationship set auto_extend = $2 where relationship_id = $1")
        .bind(id)
        .bind(auto_extend)
        .execute(db)
        .await?;
    Ok(())
}

/// Writes down, for one customer, exclusive claims of relationships whose time has passed, so a
/// new holder is not refused because no job has run yet.
pub async fn release_lapsed_claims(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query(
        "update delegated_admin_service ds set holds_exclusive_role = false \
         from delegated_admin_relationship d \
         where ds.relationship_id = d.relationship_id and ds.customer_id = $1 and ds.holds_exclusive_role \
           and not delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, $2)",
    )
    .bind(customer_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A current exclusive holder of one of the customer's services.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Holder {
    pub relationship_id: Uuid,
    pub partner_id: Uuid,
    pub partner_name: String,
    pub service_id: Uuid,
}

pub async fn exclusive_holders(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    service_ids: &[Uuid],
    except: Uuid,
) -> AppResult<Vec<Holder>> {
    Ok(sqlx::query_as(
        "select ds.relationship_id, d.partner_id, o.name as partner_name, ds.service_id \
         from delegated_admin_service ds \
         join delegated_admin_relationship d using (relationship_id) \
         join organization o on o.organization_id = d.partner_id \
         where ds.customer_id = $1 and ds.service_id = any($2) and ds.holds_exclusive_role \
           and ds.relationship_id <> $3 \
         for update of ds",
    )
    .bind(customer_id)
    .bind(service_ids)
    .bind(except)
    .fetch_all(db)
    .await?)
}

/// Ends a holder's role for one service; returns how many services the relationship keeps.
pub async fn drop_service(
    db: &mut sqlx::PgConnection,
    relationship_id: Uuid,
    service_id: Uuid,
) -> AppResult<i64> {
    sqlx::query("delete from delegated_admin_service where relationship_id = $1 and service_id = $2")
        .bind(relationship_id)
        .bind(service_id)
        .execute(&mut *db)
        .await?;
    Ok(sqlx::query_scalar("select count(*) from delegated_admin_service where relationship_id = $1")
        .bind(relationship_id)
        .fetch_one(&mut *db)
        .await?)
}

/// Relationships still running between a partner and a customer (for removal previews).
pub async fn running_between(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Vec<Relationship>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} where d.customer_id = $1 and d.partner_id = $2 \
           and (d.status in ('CREATED', 'APPROVAL_PENDING', 'CONSENT_PENDING') \
                or delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, $3)) \
         order by d.created_at"
    )))
    .bind(customer_id)
    .bind(partner_id)
    .bind(now)
    .fetch_all(db)
    .await?;
    convert(rows)
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Relationship>> {
    let row: Option<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} where d.relationship_id = $1")))
            .bind(id)
            .fetch_optional(db)
            .await?;
    row.map(Relationship::try_from).transpose()
}

/// Takes PROVISIONING and GLOBAL_ADMIN away from a relationship, keeping its other roles;
/// returns the roles left.
pub async fn drop_exclusive_roles(
    db: &mut sqlx::PgConnection,
    relationship_id: Uuid,
) -> AppResult<Vec<String>> {
    sqlx::query("update delegated_admin_service set holds_exclusive_role = false where relationship_id = $1")
        .bind(relationship_id)
        .execute(&mut *db)
        .await?;
    Ok(sqlx::query_scalar(
        "update delegated_admin_relationship set roles = array_remove(array_remove(roles, 'PROVISIONING'), 'GLOBAL_ADMIN') \
         where relationship_id = $1 and roles <> array['PROVISIONING', 'GLOBAL_ADMIN'] \
           and cardinality(array_remove(array_remove(roles, 'PROVISIONING'), 'GLOBAL_ADMIN')) > 0 \
         returning roles",
    )
    .bind(relationship_id)
    .fetch_optional(&mut *db)
    .await?
    .unwrap_or_default())
}

/// `base`, or `base (2)`, `base (3)`, … : the first display name the partner does not use yet
/// (display names are unique per partner; generated names must never collide).
pub async fn free_display_name(db: impl PgExecutor<'_>, partner_id: Uuid, base: &str) -> AppResult<String> {
    let taken: Vec<String> = sqlx::query_scalar(
        "select display_name from delegated_admin_relationship where partner_id = $1 and left(display_name, $3) = $2",
    )
    .bind(partner_id)
    .bind(base)
    .bind(base.chars().count() as i32)
    .fetch_all(db)
    .await?;
    let mut candidate = base.to_owned();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base} ({n})");
        n += 1;
    }
    Ok(candidate)
}

/// Whether the partner holds delegated rights in force with the customer (any role or service).
pub async fn in_force_between(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(sqlx::query_scalar(
        "select exists (select 1 from delegated_admin_relationship d where d.customer_id = $1 \
            and d.partner_id = $2 and delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, $3))",
    )
    .bind(customer_id)
    .bind(partner_id)
    .bind(now)
    .fetch_one(db)
    .await?)
}

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
