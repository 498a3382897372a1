//! Services and their offers.

use crate::domain::{AppResult, BillingModel};
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Service {
    pub service_id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Offer {
    pub offer_id: Uuid,
    pub service_id: Uuid,
    pub name: String,
    pub billing: BillingModel,
}

pub async fn services(db: impl PgExecutor<'_>) -> AppResult<Vec<Service>> {
    Ok(sqlx::query_as!(Service, "select service_id, name from service order by name").fetch_all(db).await?)
}

pub async fn services_by_ids(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<Vec<Service>> {
    Ok(sqlx::query_as!(Service, "select service_id, name from service where service_id = any($1)", ids)
        .fetch_all(db)
        .await?)
}

pub async fn offers_by_ids(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<Vec<Offer>> {
    Ok(sqlx::query_as!(
        Offer,
        r#"select offer_id, service_id, name, billing as "billing: BillingModel" from offer where offer_id = any($1)"#,
        ids,
    )
    .fetch_all(db)
    .await?)
}

pub async fn offers_by_services(db: impl PgExecutor<'_>, service_ids: &[Uuid]) -> AppResult<Vec<Offer>> {
    Ok(sqlx::query_as!(
        Offer,
        r#"select offer_id, service_id, name, billing as "billing: BillingModel"
           from offer where service_id = any($1) order by name"#,
        service_ids,
    )
    .fetch_all(db)
    .await?)
}

pub async fn insert_service(db: impl PgExecutor<'_>, name: &str) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar!("insert into service (name) values ($1) returning service_id", name)
        .fetch_one(db)
        .await?)
}

pub async fn insert_offer(
    db: impl PgExecutor<'_>,
    service_id: Uuid,
    name: &str,
    billing: BillingModel,
) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar!(
        "insert into offer (service_id, name, billing) values ($1, $2, $3) returning offer_id",
        service_id,
        name,
        billing as _,
    )
    .fetch_one(db)
    .await?)
}

/// Refuses service ids that name no service, so nothing is stored that could never be used
/// (an invitation or a request for rights over a service that does not exist).
pub async fn ensure_services_exist(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<()> {
    let missing = sqlx::query_scalar!(
        r#"select id as "id!" from unnest($1::uuid[]) as k(id) where not exists
               (select 1 from service s where s.service_id = k.id)"#,
        ids,
    )
    .fetch_all(db)
    .await?;
    if let Some(id) = missing.first() {
        return Err(crate::domain::AppError::bad_input(format!("serviceIds: no service has the id {id}")));
    }
    Ok(())
}
