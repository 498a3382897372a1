//! Reading reseller relationships: the filter and the queries.

use super::channels::{ChannelMap, channel_map};
use super::{ResellerRelationship, ResellerRelationshipRemovalPreview};
use crate::db::relationships as db;
use crate::domain;
use crate::graphql::connection::{CountQuery, CountedConnection};
use crate::graphql::context::RequestContext;
use crate::graphql::error::GqlResult;
use crate::graphql::ids::NodeType;
use crate::graphql::{connection, ids};
use crate::workflows::relationships as workflows;
use async_graphql::{Context, ID, InputObject, Object};

/// Narrows the reseller relationships list.
#[derive(InputObject, Default)]
pub struct ResellerRelationshipFilter {
    /// Only this customer's.
    pub customer_id: Option<ID>,
    /// Only this partner's.
    pub partner_id: Option<ID>,
    /// ACTIVE or REMOVED.
    pub status: Option<String>,
    /// Part of the customer's or the partner's name, ignoring case (at most 100 characters).
    pub search: Option<String>,
}

#[derive(Default)]
pub struct RelationshipsQuery;

#[Object]
impl RelationshipsQuery {
    /// Reseller relationships the viewer takes part in (all, for the operator).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn reseller_relationships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<
            ResellerRelationshipFilter,
        >,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<ResellerRelationship>> {
        let viewer = ctx.viewer()?;
        let request = connection::page_request(first, after)?;
        let f = filter.unwrap_or_default();
        let customer = ids::decode_opt(f.customer_id.as_ref(), &[NodeType::Customer])?;
        let partner = ids::decode_opt(f.partner_id.as_ref(), &[NodeType::Partner])?;
        // `may_see_reseller_relationship`: the SQL keeps the party's own; a role that reads no
        // records sees none.
        if !domain::access::reads_records(viewer) {
            return Ok(connection::empty());
        }
        let status = f
            .status
            .as_deref()
            .map(|s| s.parse::<domain::RelationshipStatus>())
            .transpose()
            .map_err(|_| domain::AppError::bad_input("status: ACTIVE or REMOVED"))?;
        let search = f.search;
        if search.as_deref().is_some_and(|s| s.chars().count() > 100 || s.contains('\0')) {
            return Err(domain::AppError::bad_input(
                "the search must be at most 100 characters, without NUL",
            )
            .into());
        }
        let party = viewer.party();
        let page = db::page(&ctx.state().pool, party, customer, partner, status, search.as_deref(), &request)
            .await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| {
                let search = search.clone();
                async move { db::count(&pool, party, customer, partner, status, search.as_deref()).await }
            }),
            |r| (crate::db::page::time_key(r.created_at), r.relationship_id),
            ResellerRelationship,
        ))
    }

    /// What removing a relationship would end, and what blocks it.
    async fn reseller_relationship_removal_preview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The relationship's global id.")] id: ID,
    ) -> GqlResult<ResellerRelationshipRemovalPreview> {
        let viewer = ctx.viewer()?;
        let uuid = ids::decode(&id, &[NodeType::ResellerRelationship])?;
        Ok(ResellerRelationshipRemovalPreview(workflows::preview(ctx.state(), viewer, uuid).await?))
    }

    /// A customer's channel map: per service every subscription with its channel and service
    /// partners; every partner with its relationship kinds and delegated roles.
    async fn channel_map(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's global id.")] customer_id: ID,
    ) -> GqlResult<ChannelMap> {
        let uuid = ids::decode(&customer_id, &[NodeType::Customer])?;
        channel_map(ctx, uuid).await
    }
}
