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
            duration, duration_days, auto_extend, status, origin, created_at, activated_at, ends_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning relationship_id",
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
    .fetch_one(&mut *db)
    .await?;
    let exclusive = r.status == DelegatedAdminStatus::Active
        && r.roles.iter().any(|x| matches!(x, DelegatedRole::Provisioning | DelegatedRole::GlobalAdmin));
    sqlx::query(
        "insert into delegated_admin_service (relationship_id, service_id, customer_id, holds_exclusive_role) \
         select $1, unnest($2::uuid[]), $3, $4",
    )
    .bind(id)
    .bind(r.service_ids)
    .bind(r.customer_id)
    .bind(exclusive)
    .execute(&mut *db)
    .await?;
    Ok(id)
}
