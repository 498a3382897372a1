//! Delegated admin relationships: granular, time-bound rights a customer gives a partner.
//! This module owns the row shape and the reads; `writes` owns the changes.

mod writes;

pub use writes::*;

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
    let rows = sqlx::query!(
        r#"select ds.customer_id, ds.service_id,
               array_agg(distinct role order by role) as "roles!: Vec<DelegatedRole>"
           from unnest($2::uuid[], $3::uuid[]) as k(customer_id, service_id)
           join delegated_admin_service ds using (customer_id, service_id)
           join delegated_admin_relationship d using (relationship_id)
           cross join unnest(d.roles) as role
           where d.partner_id = $1 and delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, $4)
           group by ds.customer_id, ds.service_id"#,
        partner_id,
        &customers,
        &services,
        now,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| ((r.customer_id, r.service_id), r.roles)).collect())
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
pub(super) struct Row {
    relationship_id: Uuid,
    display_name: String,
    partner_id: Uuid,
    customer_id: Uuid,
    roles: Vec<DelegatedRole>,
    service_ids: Vec<Uuid>,
    duration: String,
    duration_days: i32,
    auto_extend: String,
    status: DelegatedAdminStatus,
    origin: DelegatedAdminOrigin,
    invitation_id: Option<Uuid>,
    replace_existing: bool,
    created_at: DateTime<Utc>,
    approval_requested_at: Option<DateTime<Utc>>,
    activated_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    terminated_at: Option<DateTime<Utc>>,
}

impl From<Row> for Relationship {
    fn from(r: Row) -> Relationship {
        Relationship {
            id: r.relationship_id,
            display_name: r.display_name,
            roles: r.roles,
            service_ids: r.service_ids,
            duration: r.duration,
            duration_days: r.duration_days,
            origin: r.origin,
            invitation_id: r.invitation_id,
            replace_existing: r.replace_existing,
            activated_at: r.activated_at,
            terminated_at: r.terminated_at,
            stored: crate::domain::delegated_admin::Stored {
                status: r.status,
                partner_id: r.partner_id,
                customer_id: r.customer_id,
                auto_extend: r.auto_extend,
                approval_requested_at: r.approval_requested_at,
                created_at: r.created_at,
                ends_at: r.ends_at,
            },
        }
    }
}

/// The same column list for statements the viewer's filter builds (`delegated_admin_list`).
pub(super) const SELECT: &str = "select d.relationship_id, d.display_name, d.partner_id, d.customer_id, d.roles, \
    array(select service_id from delegated_admin_service s where s.relationship_id = d.relationship_id order by service_id) as service_ids, \
    d.duration, d.duration_days, d.auto_extend, d.status, d.origin, d.invitation_id, d.replace_existing, d.created_at, \
    d.approval_requested_at, d.activated_at, d.ends_at, d.terminated_at \
    from delegated_admin_relationship d ";

/// The stored relationships matching the rest of the statement (`d` is the relationship), as
/// checked rows of one column list.
macro_rules! select_relationships {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            Row,
            r#"select d.relationship_id, d.display_name, d.partner_id, d.customer_id,
                   d.roles as "roles: Vec<DelegatedRole>",
                   array(select service_id from delegated_admin_service s
                         where s.relationship_id = d.relationship_id order by service_id) as "service_ids!",
                   d.duration, d.duration_days, d.auto_extend, d.status as "status: DelegatedAdminStatus",
                   d.origin as "origin: DelegatedAdminOrigin", d.invitation_id, d.replace_existing, d.created_at,
                   d.approval_requested_at, d.activated_at, d.ends_at, d.terminated_at
               from delegated_admin_relationship d "# + $rest
            $(, $arg)*
        )
    };
}

pub(super) fn convert(rows: Vec<Row>) -> AppResult<Vec<Relationship>> {
    Ok(rows.into_iter().map(Relationship::from).collect())
}

pub async fn for_update(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Relationship>> {
    let row = select_relationships!("where d.relationship_id = $1 for update", id).fetch_optional(db).await?;
    Ok(row.map(Relationship::from))
}

/// Relationships the viewer takes part in (its partner's, or its customer's; all for the operator).
/// A partner's drafts are its own until it requests approval.
pub async fn list(
    db: impl PgExecutor<'_>,
    party: Option<Uuid>,
    customer_id: Option<Uuid>,
    partner_id: Option<Uuid>,
) -> AppResult<Vec<Relationship>> {
    let rows = select_relationships!(
        "where ($1::uuid is null or d.partner_id = $1 or d.customer_id = $1)
           and (d.status <> 'CREATED' or $1::uuid is null or d.partner_id = $1)
           and ($2::uuid is null or d.customer_id = $2) and ($3::uuid is null or d.partner_id = $3)
         order by d.created_at desc, d.relationship_id",
        party,
        customer_id,
        partner_id,
    )
    .fetch_all(db)
    .await?;
    convert(rows)
}

/// The relationships of several customers (for channel maps).
pub async fn for_customers(db: impl PgExecutor<'_>, customer_ids: &[Uuid]) -> AppResult<Vec<Relationship>> {
    let rows = select_relationships!(
        "where d.customer_id = any($1) order by d.created_at, d.relationship_id",
        customer_ids
    )
    .fetch_all(db)
    .await?;
    convert(rows)
}

/// A current exclusive holder of one of the customer's services.
#[derive(Debug, Clone)]
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
    Ok(sqlx::query_as!(
        Holder,
        "select ds.relationship_id, d.partner_id, o.name as partner_name, ds.service_id
         from delegated_admin_service ds
         join delegated_admin_relationship d using (relationship_id)
         join organization o on o.organization_id = d.partner_id
         where ds.customer_id = $1 and ds.service_id = any($2) and ds.holds_exclusive_role
           and ds.relationship_id <> $3
         for update of ds",
        customer_id,
        service_ids,
        except,
    )
    .fetch_all(db)
    .await?)
}

/// Relationships still running between a partner and a customer (for removal previews).
pub async fn running_between(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Vec<Relationship>> {
    let rows = select_relationships!(
        "where d.customer_id = $1 and d.partner_id = $2
           and (d.status in ('CREATED', 'APPROVAL_PENDING', 'CONSENT_PENDING')
                or delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, $3))
         order by d.created_at",
        customer_id,
        partner_id,
        now,
    )
    .fetch_all(db)
    .await?;
    convert(rows)
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Relationship>> {
    let row = select_relationships!("where d.relationship_id = $1", id).fetch_optional(db).await?;
    Ok(row.map(Relationship::from))
}

/// `base`, or `base (2)`, `base (3)`, … : the first display name the partner does not use yet
/// (display names are unique per partner; generated names must never collide).
pub async fn free_display_name(db: impl PgExecutor<'_>, partner_id: Uuid, base: &str) -> AppResult<String> {
    let taken = sqlx::query_scalar!(
        "select display_name from delegated_admin_relationship where partner_id = $1 and left(display_name, $3) = $2",
        partner_id,
        base,
        base.chars().count() as i32,
    )
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
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from delegated_admin_relationship d where d.customer_id = $1
               and d.partner_id = $2 and delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, $3))
               as "in_force!""#,
        customer_id,
        partner_id,
        now,
    )
    .fetch_one(db)
    .await?)
}
