//! Services and their offers.

use super::parse;
use crate::domain::{AppResult, BillingModel};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
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

#[derive(FromRow)]
struct OfferRow {
    offer_id: Uuid,
    service_id: Uuid,
    name: String,
    billing: String,
}

fn offers(rows: Vec<OfferRow>) -> AppResult<Vec<Offer>> {
    rows.into_iter()
        .map(|r| {
            Ok(Offer {
                offer_id: r.offer_id,
                service_id: r.service_id,
                name: r.name,
                billing: parse(&r.billing)?,
            })
        })
        .collect()
}

pub async fn services(db: impl PgExecutor<'_>) -> AppResult<Vec<Service>> {
    Ok(sqlx::query_as("select service_id, name from service order by name").fetch_all(db).await?)
}

pub async fn services_by_ids(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<Vec<Service>> {
    Ok(sqlx::query_as("select service_id, name from service where service_id = any($1)")
        .bind(ids)
        .fetch_all(db)
        .await?)
}

pub async fn offers_by_ids(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<Vec<Offer>> {
    let rows =
        sqlx::query_as("select offer_id, service_id, name, billing from offer where offer_id = any($1)")
            .bind(ids)
            .fetch_all(db)
            .await?;
    offers(rows)
}

pub async fn offers_by_services(db: impl PgExecutor<'_>, service_ids: &[Uuid]) -> AppResult<Vec<Offer>> {
    let rows = sqlx::query_as(
        "select offer_id, service_id, name, billing from offer where service_id = any($1) order by name",
    )
    .bind(service_ids)
    .fetch_all(db)
    .await?;
    offers(rows)
}

pub async fn insert_service(db: impl PgExecutor<'_>, name: &str) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar("insert into service (name) values ($1) returning service_id")
        .bind(name)
        .fetch_one(db)
        .await?)
}

pub async fn insert_offer(
    db: impl PgExecutor<'_>,
    service_id: Uuid,
    name: &str,
    billing: BillingModel,
) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar(
        "insert into offer (service_id, name, billing) values ($1, $2, $3) returning offer_id",
    )
    .bind(service_id)
    .bind(name)
    .bind(billing.as_str())
    .fetch_one(db)
    .await?)
}

/// Refuses service ids that name no service, so nothing is stored that could never be used
/// (an invitation or a request for rights over a service that does not exist).
pub async fn ensure_services_exist(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<()> {
    let missing: Vec<Uuid> = sqlx::query_scalar(
        "select id from unnest($1::uuid[]) as k(id) where not exists \
            (select 1 from service s where s.service_id = k.id)",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    if let Some(id) = missing.first() {
        return Err(crate::domain::AppError::bad_input(format!("serviceIds: no service has the id {id}")));
    }
    Ok(())
}
