//! Changes to delegated admin relationships: insert, draft edits, status moves, activation,
//! auto-extend, and releasing or dropping exclusive roles.

use crate::domain::{AppResult, DelegatedAdminOrigin, DelegatedAdminStatus, DelegatedRole};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

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
    let id = sqlx::query_scalar!(
        "insert into delegated_admin_relationship (display_name, partner_id, customer_id, roles,
            duration, duration_days, auto_extend, status, origin, created_at, activated_at, ends_at,
            invitation_id, replace_existing, approval_requested_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz, $11, $12, $13, $14,
            case when $8 in ('APPROVAL_PENDING', 'CONSENT_PENDING') then $10::timestamptz end)
         returning relationship_id",
        r.display_name,
        r.partner_id,
        r.customer_id,
        r.roles as _,
        r.duration,
        r.duration_days,
        r.auto_extend,
        r.status as _,
        r.origin as _,
        r.created_at,
        r.activated_at,
        r.ends_at,
        r.invitation_id,
        r.replace_existing,
    )
    .fetch_one(&mut *db)
    .await?;
    let exclusive = r.status == DelegatedAdminStatus::Active
        && r.roles.iter().any(|x| matches!(x, DelegatedRole::Provisioning | DelegatedRole::GlobalAdmin));
    sqlx::query!(
        "insert into delegated_admin_service (relationship_id, service_id, customer_id, holds_exclusive_role, partner_id)
         select $1, unnest($2::uuid[]), $3, $4, $5",
        id,
        r.service_ids,
        r.customer_id,
        exclusive,
        r.partner_id,
    )
    .execute(&mut *db)
    .await?;
    Ok(id)
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
    sqlx::query!(
        "update delegated_admin_relationship set display_name = $2, roles = $3, duration = $4, duration_days = $5,
            auto_extend = $6
         where relationship_id = $1",
        id,
        t.display_name,
        t.roles as _,
        t.duration,
        t.duration_days,
        t.auto_extend,
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!("delete from delegated_admin_service where relationship_id = $1", id)
        .execute(&mut *db)
        .await?;
    sqlx::query!(
        "insert into delegated_admin_service (relationship_id, service_id, customer_id, partner_id)
         select $1, unnest($2::uuid[]), customer_id, partner_id from delegated_admin_relationship
         where relationship_id = $1",
        id,
        t.service_ids,
    )
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn delete(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<()> {
    sqlx::query!("delete from delegated_admin_relationship where relationship_id = $1", id)
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
    sqlx::query!(
        "update delegated_admin_relationship set status = $2,
            approval_requested_at = case when $2 = 'APPROVAL_PENDING' then $3 else approval_requested_at end,
            terminated_at = case when $2 = 'TERMINATED' then $3 else terminated_at end,
            terminated_by_organization_id = case when $2 = 'TERMINATED' then $4 else terminated_by_organization_id end
         where relationship_id = $1",
        id,
        status as _,
        now,
        by,
    )
    .execute(&mut *db)
    .await?;
    if !matches!(status, DelegatedAdminStatus::Active) {
        sqlx::query!(
            "update delegated_admin_service set holds_exclusive_role = false where relationship_id = $1",
            id
        )
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
    sqlx::query!(
        "update delegated_admin_relationship set status = 'ACTIVE', activated_at = $2::timestamptz,
            ends_at = $2::timestamptz + make_interval(days => duration_days)
         where relationship_id = $1",
        id,
        now,
    )
    .execute(&mut *db)
    .await?;
    if exclusive {
        sqlx::query!(
            "update delegated_admin_service set holds_exclusive_role = true where relationship_id = $1",
            id
        )
        .execute(&mut *db)
        .await?;
    }
    Ok(())
}

pub async fn set_auto_extend(db: impl PgExecutor<'_>, id: Uuid, auto_extend: &str) -> AppResult<()> {
    sqlx::query!(
        "update delegated_admin_relationship set auto_extend = $2 where relationship_id = $1",
        id,
        auto_extend
    )
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
    sqlx::query!(
        "update delegated_admin_service ds set holds_exclusive_role = false
         from delegated_admin_relationship d
         where ds.relationship_id = d.relationship_id and ds.customer_id = $1 and ds.holds_exclusive_role
           and not delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, $2)",
        customer_id,
        now,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Ends a holder's role for one service; returns how many services the relationship keeps.
pub async fn drop_service(
    db: &mut sqlx::PgConnection,
    relationship_id: Uuid,
    service_id: Uuid,
) -> AppResult<i64> {
    sqlx::query!(
        "delete from delegated_admin_service where relationship_id = $1 and service_id = $2",
        relationship_id,
        service_id,
    )
    .execute(&mut *db)
    .await?;
    Ok(sqlx::query_scalar!(
        r#"select count(*) as "kept!" from delegated_admin_service where relationship_id = $1"#,
        relationship_id,
    )
    .fetch_one(&mut *db)
    .await?)
}

/// Takes PROVISIONING and GLOBAL_ADMIN away from a relationship, keeping its other roles;
/// returns the roles left.
pub async fn drop_exclusive_roles(
    db: &mut sqlx::PgConnection,
    relationship_id: Uuid,
) -> AppResult<Vec<String>> {
    sqlx::query!(
        "update delegated_admin_service set holds_exclusive_role = false where relationship_id = $1",
        relationship_id,
    )
    .execute(&mut *db)
    .await?;
    Ok(sqlx::query_scalar!(
        "update delegated_admin_relationship set roles = array_remove(array_remove(roles, 'PROVISIONING'), 'GLOBAL_ADMIN')
         where relationship_id = $1 and roles <> array['PROVISIONING', 'GLOBAL_ADMIN']
           and cardinality(array_remove(array_remove(roles, 'PROVISIONING'), 'GLOBAL_ADMIN')) > 0
         returning roles",
        relationship_id,
    )
    .fetch_optional(&mut *db)
    .await?
    .unwrap_or_default())
}
