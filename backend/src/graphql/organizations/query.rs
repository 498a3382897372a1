//! Reading organizations: the customer and partner filters, the lists, and one by id.

use super::{Customer, Organization, Partner};
use crate::db::organizations;
use crate::domain::AppError;
use crate::graphql::connection::{CountQuery, CountedConnection};
use crate::graphql::context::RequestContext;
use crate::graphql::error::GqlResult;
use crate::graphql::ids::NodeType;
use crate::graphql::{connection, enums, ids};
use async_graphql::{Context, ID, InputObject, Object};

/// Narrows the customers list.
#[derive(InputObject, Default)]
pub struct CustomerFilter {
    /// Matches part of the name or primary domain, ignoring case.
    pub search: Option<String>,
}

/// Narrows the partners list.
#[derive(InputObject, Default)]
pub struct PartnerFilter {
    /// Only partners in this program.
    pub program: Option<enums::PartnerProgram>,
    /// Matches part of the name, ignoring case.
    pub search: Option<String>,
    /// Exactly this MPN id.
    pub mpn_id: Option<String>,
}

#[derive(Default)]
pub struct OrganizationsQuery;

#[Object]
impl OrganizationsQuery {
    /// One organization by id, if the viewer may see it (else NOT_FOUND).
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's global id.")] id: ID,
    ) -> GqlResult<Organization> {
        let uuid = ids::decode(&id, &[NodeType::Operator, NodeType::Partner, NodeType::Customer])?;
        Ok(Organization::from_record(visible_organization(ctx, uuid).await?))
    }

    /// One customer by id, if the viewer may see it (else NOT_FOUND).
    async fn customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's global id.")] id: ID,
    ) -> GqlResult<Customer> {
        let uuid = ids::decode(&id, &[NodeType::Customer])?;
        Ok(Customer(visible_organization(ctx, uuid).await?))
    }

    /// The customers the viewer may see: all for the operator; for a partner, those it has a
    /// reseller relationship or delegated rights with; for a customer, itself. Ordered by name.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<CustomerFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<Customer>> {
        let scope = ctx.scope()?;
        let now = ctx.now();
        let request = connection::page_request(first, after)?;
        let filter = organizations::CustomerFilter { search: filter.unwrap_or_default().search };
        let page = organizations::customers_page(&ctx.state().pool, scope, &filter, &request, now).await?;
        let ids: Vec<uuid::Uuid> = page.items.iter().map(|o| o.id).collect();
        let node = ctx.look_ahead().field("edges").field("node");
        crate::graphql::prefetch::for_customers(
            ctx.data_unchecked::<crate::graphql::loaders::Loaders>(),
            node,
            &ids,
        )
        .await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::Customers { scope, filter, now },
            |o| (o.name.clone(), o.id),
            Customer,
        ))
    }

    /// The partner directory, ordered by name.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<PartnerFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<Partner>> {
        ctx.viewer()?;
        let request = connection::page_request(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = organizations::PartnerFilter {
            program: f.program.map(Into::into),
            search: f.search,
            mpn_id: f.mpn_id,
        };
        let page = organizations::partners_page(&ctx.state().pool, &filter, &request).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::Partners { filter },
            |o| (o.name.clone(), o.id),
            Partner,
        ))
    }
}

pub async fn visible_organization(
    ctx: &Context<'_>,
    id: uuid::Uuid,
) -> GqlResult<organizations::Organization> {
    let viewer = ctx.viewer()?;
    let found =
        organizations::visible_by_id(&ctx.state().pool, ctx.scope()?, viewer.organization_id, id, ctx.now())
            .await?;
    Ok(found.ok_or_else(|| AppError::not_found("organization"))?)
}
