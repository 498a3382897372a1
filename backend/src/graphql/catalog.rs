//! The catalogue: services and their offers.

use super::context::RequestContext;
use super::enums;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use crate::db::catalog as db;
use crate::domain::AppError;
use async_graphql::{Context, ID, Object};

/// A cloud service as operated by 21Vianet (Office 365, Dynamics 365, Power BI, Azure).
pub struct Service(pub db::Service);

/// A cloud service as operated by 21Vianet (Office 365, Dynamics 365, Power BI, Azure).
#[Object]
impl Service {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Service, self.0.service_id)
    }
    /// The service's name.
    pub async fn name(&self) -> &str {
        &self.0.name
    }
    /// Its offers, by name.
    #[graphql(complexity = "5 * child_complexity")]
    async fn offers(&self, ctx: &Context<'_>) -> GqlResult<Vec<Offer>> {
        let offers = ctx.data_unchecked::<Loaders>().service_offers.load_one(self.0.service_id).await?;
        Ok(offers.unwrap_or_default().into_iter().map(Offer).collect())
    }
}

/// Something a customer can subscribe to, e.g. "Office 365 E3".
pub struct Offer(pub db::Offer);

/// Something a customer can subscribe to, e.g. "Office 365 E3".
#[Object]
impl Offer {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Offer, self.0.offer_id)
    }
    /// The offer's name.
    pub async fn name(&self) -> &str {
        &self.0.name
    }
    /// Licence-based or usage-based billing.
    async fn billing(&self) -> enums::BillingModel {
        self.0.billing.into()
    }
    /// The service it belongs to.
    async fn service(&self, ctx: &Context<'_>) -> GqlResult<Service> {
        let s = ctx.data_unchecked::<Loaders>().services.load_one(self.0.service_id).await?;
        Ok(Service(s.ok_or_else(|| AppError::not_found("service"))?))
    }
}

/// The catalogue.
pub struct Catalog;

/// The catalogue.
#[Object]
impl Catalog {
    /// Every service, by name.
    async fn services(&self, ctx: &Context<'_>) -> GqlResult<Vec<Service>> {
        Ok(db::services(&ctx.state().pool).await?.into_iter().map(Service).collect())
    }
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// The catalogue of services and offers.
    async fn catalog(&self, ctx: &Context<'_>) -> GqlResult<Catalog> {
        ctx.viewer()?;
        Ok(Catalog)
    }
}
