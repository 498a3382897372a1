//! Delegated admin relationships in the API: the type, the filter and the queries; the mutations
//! live in `mutation`.

mod mutation;

pub use mutation::*;

use super::catalog::Service;
use super::connection::{CountQuery, CountedConnection};
use super::context::RequestContext;
use super::error::GqlResult;
use super::ids::NodeType;
use super::loaders::Loaders;
use super::organizations::{Customer, Partner};
use super::{connection, enums, ids};
use crate::db::delegated_admin as db;
use crate::domain;
use crate::domain::AppError;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Duration, Utc};

/// Rights a customer delegates to a partner: roles, for some services, for a time.
pub struct DelegatedAdminRelationship(pub db::Relationship);

/// A granular, time-bound delegated admin relationship between a customer and a partner.
#[Object]
impl DelegatedAdminRelationship {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::DelegatedAdminRelationship, self.0.id)
    }
    /// Its name, unique per partner.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// The partner holding (or asking for) the rights.
    async fn partner(&self, ctx: &Context<'_>) -> GqlResult<Partner> {
        let org = ctx.data_unchecked::<Loaders>().organizations.load_one(self.0.stored.partner_id).await?;
        Ok(Partner(org.ok_or_else(|| AppError::not_found("partner"))?))
    }
    /// The customer giving them.
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Customer> {
        let org = ctx.data_unchecked::<Loaders>().organizations.load_one(self.0.stored.customer_id).await?;
        Ok(Customer(org.ok_or_else(|| AppError::not_found("customer"))?))
    }
    /// The delegated roles.
    async fn roles(&self) -> Vec<enums::DelegatedRole> {
        self.0.roles.iter().map(|r| (*r).into()).collect()
    }
    /// The services covered.
    async fn services(&self, ctx: &Context<'_>) -> GqlResult<Vec<Service>> {
        let found =
            ctx.data_unchecked::<Loaders>().services.load_many(self.0.service_ids.iter().copied()).await?;
        Ok(self.0.service_ids.iter().filter_map(|id| found.get(id).cloned()).map(Service).collect())
    }
    /// How long it runs once active (ISO-8601, P1D to P2Y).
    async fn duration(&self) -> &str {
        &self.0.duration
    }
    /// P180D when it extends itself by 180 days at each end, else P0D.
    async fn auto_extend(&self) -> &str {
        &self.0.stored.auto_extend
    }
    /// The status now (time-bound transitions show before any job writes them down).
    async fn status(&self, ctx: &Context<'_>) -> enums::DelegatedAdminStatus {
        self.0.stored.status_at(ctx.now()).into()
    }
    /// How it came about.
    async fn origin(&self) -> enums::DelegatedAdminOrigin {
        self.0.origin.into()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.stored.created_at
    }
    /// When it became active.
    async fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.0.activated_at
    }
    /// When it ends (moved on by auto-extension).
    async fn ends_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.0.stored.ends_at(ctx.now())
    }
    /// When it was terminated.
    async fn terminated_at(&self) -> Option<DateTime<Utc>> {
        self.0.terminated_at
    }
    /// Active and ending within 30 days.
    async fn expires_soon(&self, ctx: &Context<'_>) -> bool {
        self.0.stored.expires_soon(ctx.now())
    }
    /// What the signed-in user may do to this relationship, and why not where it may not.
    async fn viewer_can(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<super::permissions::DelegatedAdminPermissions> {
        super::permissions::delegated_admin(ctx, &self.0)
    }
}

/// Narrows the delegated admin relationships list.
#[derive(InputObject, Default)]
pub struct DelegatedAdminFilter {
    /// Only this customer's.
    pub customer_id: Option<ID>,
    /// Only this partner's.
    pub partner_id: Option<ID>,
    /// Only those in this status (now).
    pub status: Option<enums::DelegatedAdminStatus>,
}

/// One page of the relationships the viewer may see (`may_see_delegated_admin`: the SQL
/// applies the party and draft rule; a role that reads no records sees none).
async fn page(
    ctx: &Context<'_>,
    mut filter: crate::db::delegated_admin_list::ListFilter,
    first: Option<i32>,
    after: Option<String>,
) -> GqlResult<CountedConnection<DelegatedAdminRelationship>> {
    let viewer = ctx.viewer()?;
    let request = connection::page_request(first, after)?;
    if !domain::access::reads_records(viewer) {
        return Ok(connection::empty());
    }
    filter.party = viewer.party();
    let now = ctx.now();
    let pool = ctx.state().pool.clone();
    let page = crate::db::delegated_admin_list::page(&pool, &filter, &request, now).await?;
    let by_end = filter.ending_by.is_some();
    let counted = filter.clone();
    Ok(connection::build(
        page,
        &request,
        CountQuery::deferred(move |pool| {
            let f = counted.clone();
            async move { crate::db::delegated_admin_list::count(&pool, &f, now).await }
        }),
        |r| {
            let at = if by_end {
                r.stored.ends_at(now).unwrap_or(r.stored.created_at)
            } else {
                r.stored.created_at
            };
            (crate::db::page::time_key(at), r.id)
        },
        DelegatedAdminRelationship,
    ))
}

#[derive(Default)]
pub struct DelegatedAdminQuery;

#[Object]
impl DelegatedAdminQuery {
    /// The delegated admin relationships the viewer takes part in (all, for the operator), newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn delegated_admin_relationships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<DelegatedAdminFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<DelegatedAdminRelationship>> {
        let f = filter.unwrap_or_default();
        let filter = crate::db::delegated_admin_list::ListFilter {
            customer_id: ids::decode_opt(f.customer_id.as_ref(), &[NodeType::Customer])?,
            partner_id: ids::decode_opt(f.partner_id.as_ref(), &[NodeType::Partner])?,
            status: f.status.map(Into::into),
            ..Default::default()
        };
        page(ctx, filter, first, after).await
    }

    /// Active relationships ending within `withinDays` days (default 30), soonest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn expiring_delegated_admin_relationships(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The window, in days from now (1 to 730).",
            default = 30,
            validator(minimum = 1, maximum = 730)
        )]
        within_days: i64,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<DelegatedAdminRelationship>> {
        let filter = crate::db::delegated_admin_list::ListFilter {
            ending_by: Some(ctx.now() + Duration::days(within_days)),
            ..Default::default()
        };
        page(ctx, filter, first, after).await
    }
}
