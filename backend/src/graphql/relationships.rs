//! Reseller relationships in the API and their removal preview. The customer's channel map, the
//! queries and the removal mutation live in the child modules.

mod channels;
mod query;
mod removal;

pub use channels::*;
pub use query::*;
pub use removal::*;

use super::context::RequestContext;
use super::delegated_admin::DelegatedAdminRelationship;
use super::error::GqlResult;
use super::ids::NodeType;
use super::loaders::Loaders;
use super::organizations::{Customer, Partner};
use super::{enums, ids};
use crate::db::relationships as db;
use crate::domain;
use crate::domain::AppError;
use crate::workflows::relationships::RemovalPreview;
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

async fn partner(ctx: &Context<'_>, id: Uuid) -> GqlResult<Partner> {
    let org = ctx.data_unchecked::<Loaders>().organizations.load_one(id).await?;
    Ok(Partner(org.ok_or_else(|| AppError::not_found("partner"))?))
}

/// A customer's relationship with a partner that may sell to it.
pub struct ResellerRelationship(pub db::Relationship);

/// A reseller relationship between a customer and a partner.
#[Object]
impl ResellerRelationship {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ResellerRelationship, self.0.relationship_id)
    }
    /// The customer, if the viewer may still see it: a partner whose relationship was removed
    /// keeps the relationship in its history but no longer sees the customer (null).
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Option<Customer>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let Some(visible) = &loaders.visible_customers else { return Ok(None) };
        if visible.load_one(self.0.customer_id).await?.is_none() {
            return Ok(None);
        }
        Ok(loaders.organizations.load_one(self.0.customer_id).await?.map(Customer))
    }
    /// The partner.
    async fn partner(&self, ctx: &Context<'_>) -> GqlResult<Partner> {
        partner(ctx, self.0.partner_id).await
    }
    /// DIRECT, INDIRECT_PROVIDER or INDIRECT_RESELLER.
    async fn kind(&self) -> GqlResult<enums::RelationshipKind> {
        Ok(self.0.kind.into())
    }
    /// For an indirect reseller: the provider that transacts for it.
    async fn indirect_provider(&self, ctx: &Context<'_>) -> GqlResult<Option<Partner>> {
        match self.0.indirect_provider_id {
            Some(id) => Ok(Some(partner(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// ACTIVE or REMOVED.
    async fn status(&self) -> &str {
        self.0.status.as_str()
    }
    /// INVITATION, TENANT_CREATED or IMPORTED.
    async fn origin(&self) -> &str {
        self.0.origin.as_str()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was removed.
    async fn removed_at(&self) -> Option<DateTime<Utc>> {
        self.0.removed_at
    }
    /// What the signed-in user may do to this relationship, and why not where it may not.
    #[graphql(complexity = "super::permissions::READS_COST + child_complexity")]
    async fn viewer_can(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<super::permissions::ResellerRelationshipPermissions> {
        super::permissions::reseller_relationship(ctx, &self.0).await
    }
}

/// A subscription named in a preview.
#[derive(SimpleObject)]
pub struct SubscriptionRef {
    /// The subscription's global id.
    pub id: ID,
    /// Its name.
    pub friendly_name: String,
}

fn refs(list: &[(Uuid, String)]) -> Vec<SubscriptionRef> {
    list.iter()
        .map(|(id, name)| SubscriptionRef {
            id: ids::encode(NodeType::Subscription, *id),
            friendly_name: name.clone(),
        })
        .collect()
}

/// What removing a reseller relationship would do, or what blocks it.
pub struct ResellerRelationshipRemovalPreview(pub RemovalPreview);

/// The effects of removing a reseller relationship, shown before acting.
#[Object]
impl ResellerRelationshipRemovalPreview {
    /// The relationship.
    async fn relationship(&self) -> ResellerRelationship {
        ResellerRelationship(self.0.relationship.clone())
    }
    /// Whether removal is refused now (ACTIVE_SUBSCRIPTIONS_EXIST).
    async fn blocked(&self) -> bool {
        !self.0.blocking_subscriptions.is_empty()
    }
    /// ACTIVE subscriptions of which the partner is partner of record; they block removal.
    async fn blocking_subscriptions(&self) -> Vec<SubscriptionRef> {
        refs(&self.0.blocking_subscriptions)
    }
    /// The partner's delegated admin relationships with the customer that end.
    async fn ending_delegated_admin_relationships(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<DelegatedAdminRelationship>> {
        // Removal also ends the partner's drafts; only the partner (and the operator) see those.
        let viewer = ctx.viewer()?;
        Ok(self
            .0
            .ending_delegated_admin
            .iter()
            .filter(|d| {
                let draft = d.stored.status == domain::DelegatedAdminStatus::Created;
                domain::access::may_see_delegated_admin(
                    viewer,
                    d.stored.partner_id,
                    d.stored.customer_id,
                    draft,
                )
            })
            .cloned()
            .map(DelegatedAdminRelationship)
            .collect())
    }
    /// Subscriptions whose provisioning or support the partner stops serving (they fall back
    /// to the partner of record, or the operator).
    async fn released_subscriptions(&self) -> Vec<SubscriptionRef> {
        refs(&self.0.released_subscriptions)
    }
}
