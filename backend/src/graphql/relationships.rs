//! Reseller relationships, their removal (with preview), and the views built on them: the
//! customer's channel map and the partner's multi-channel book.

use super::catalog::Service;
use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::delegated_admin::DelegatedAdminRelationship;
use super::enums;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use super::organizations::{Customer, Partner, visible_organization};
use super::subscriptions::Subscription;
use crate::db::relationships as db;
use crate::domain::{self, AppError, Viewer};
use crate::workflows::relationships::{self as workflows, RemovalPreview};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
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
    /// The customer.
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Customer> {
        let org = ctx.data_unchecked::<Loaders>().organizations.load_one(self.0.customer_id).await?;
        Ok(Customer(org.ok_or_else(|| AppError::not_found("customer"))?))
    }
    /// The partner.
    async fn partner(&self, ctx: &Context<'_>) -> GqlResult<Partner> {
        partner(ctx, self.0.partner_id).await
    }
    /// DIRECT, INDIRECT_PROVIDER or INDIRECT_RESELLER.
    async fn kind(&self) -> GqlResult<enums::RelationshipKind> {
        Ok(self.0.kind.parse::<domain::RelationshipKind>().map_err(|e| AppError::Internal(e.into()))?.into())
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
        &self.0.status
    }
    /// INVITATION, TENANT_CREATED or IMPORTED.
    async fn origin(&self) -> &str {
        &self.0.origin
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

/// Narrows the reseller relationships list.
#[derive(InputObject, Default)]
pub struct ResellerRelationshipFilter {
    /// Only this customer's.
    pub customer_id: Option<ID>,
    /// Only this partner's.
    pub partner_id: Option<ID>,
    /// ACTIVE or REMOVED.
    pub status: Option<String>,
}

/// One service's subscriptions on a channel map.
#[derive(SimpleObject)]
pub struct ServiceChannels {
    /// The service.
    pub service: Service,
    /// Its subscriptions, from every channel.
    pub subscriptions: Vec<Subscription>,
}

/// A partner of the customer on its channel map.
#[derive(SimpleObject)]
pub struct ChannelPartner {
    /// The partner.
    pub partner: Partner,
    /// Its active reseller relationship kinds with the customer.
    pub relationship_kinds: Vec<enums::RelationshipKind>,
    /// Its delegated admin relationships with the customer that are active or waiting.
    pub delegated_admin_relationships: Vec<DelegatedAdminRelationship>,
}

/// A customer's channel map: who sells, provisions and supports what.
pub struct ChannelMap {
    customer: crate::db::organizations::Organization,
}

fn sees_all_partners(viewer: &Viewer) -> bool {
    viewer.partner_id().is_none()
}

/// A customer's channel map: per service, who sells, provisions and supports each subscription,
/// and every partner with its relationship kinds and delegated roles.
#[Object]
impl ChannelMap {
    /// The customer.
    async fn customer(&self) -> Customer {
        Customer(self.customer.clone())
    }
    /// Per service, every visible subscription with its channel, partner of record, reseller and
    /// provisioning and support partners.
    async fn services(&self, ctx: &Context<'_>) -> GqlResult<Vec<ServiceChannels>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let Some(loader) = &loaders.customer_subscriptions else { return Ok(Vec::new()) };
        let subs = loader.load_one(self.customer.id).await?.unwrap_or_default();
        let mut by_service: BTreeMap<Uuid, Vec<crate::db::subscriptions::Subscription>> = BTreeMap::new();
        for s in subs {
            by_service.entry(s.facts.service_id).or_default().push(s);
        }
        let services = loaders.services.load_many(by_service.keys().copied()).await?;
        let mut out: Vec<ServiceChannels> = by_service
            .into_iter()
            .filter_map(|(id, subs)| {
                services.get(&id).cloned().map(|s| ServiceChannels {
                    service: Service(s),
                    subscriptions: subs.into_iter().map(Subscription).collect(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.service.0.name.cmp(&b.service.0.name));
        Ok(out)
    }
    /// Every partner of the customer with its relationship kinds and delegated roles (a
    /// partner viewing sees only itself here).
    async fn partners(&self, ctx: &Context<'_>) -> GqlResult<Vec<ChannelPartner>> {
        let viewer = ctx.viewer()?;
        let now = ctx.now();
        let loaders = ctx.data_unchecked::<Loaders>();
        let relationships =
            loaders.customer_relationships.load_one(self.customer.id).await?.unwrap_or_default();
        let delegated =
            loaders.customer_delegated_admin.load_one(self.customer.id).await?.unwrap_or_default();
        let mut partners: BTreeMap<Uuid, (Vec<enums::RelationshipKind>, Vec<DelegatedAdminRelationship>)> =
            BTreeMap::new();
        // A customer's USER reads its organization's basics, not who serves it.
        let shown = |p: Uuid| {
            domain::access::reads_records(viewer)
                && (sees_all_partners(viewer) || viewer.partner_id() == Some(p))
        };
        for r in relationships.into_iter().filter(|r| shown(r.partner_id)) {
            if let Ok(kind) = r.kind.parse::<domain::RelationshipKind>() {
                partners.entry(r.partner_id).or_default().0.push(kind.into());
            }
        }
        for d in delegated.into_iter().filter(|d| shown(d.stored.partner_id)) {
            let status = d.stored.status_at(now);
            if matches!(
                status,
                domain::DelegatedAdminStatus::Active
                    | domain::DelegatedAdminStatus::ApprovalPending
                    | domain::DelegatedAdminStatus::ConsentPending
            ) {
                partners.entry(d.stored.partner_id).or_default().1.push(DelegatedAdminRelationship(d));
            }
        }
        let orgs = loaders.organizations.load_many(partners.keys().copied()).await?;
        let mut out: Vec<ChannelPartner> = partners
            .into_iter()
            .filter_map(|(id, (relationship_kinds, delegated_admin_relationships))| {
                orgs.get(&id).cloned().map(|o| ChannelPartner {
                    partner: Partner(o),
                    relationship_kinds,
                    delegated_admin_relationships,
                })
            })
            .collect();
        out.sort_by(|a, b| a.partner.0.name.cmp(&b.partner.0.name));
        Ok(out)
    }
}

/// How many of a customer's visible subscriptions came through one channel.
#[derive(SimpleObject)]
pub struct ChannelCount {
    /// The channel.
    pub channel: enums::PurchaseChannel,
    /// How many subscriptions.
    pub count: i32,
}

/// Fields of `Customer` for the partner's multi-channel book.
pub async fn viewer_relationship_kinds(
    ctx: &Context<'_>,
    customer: Uuid,
) -> GqlResult<Vec<enums::RelationshipKind>> {
    let viewer = ctx.viewer()?;
    let Some(p) = viewer.partner_id() else { return Ok(Vec::new()) };
    let all =
        ctx.data_unchecked::<Loaders>().customer_relationships.load_one(customer).await?.unwrap_or_default();
    Ok(all
        .into_iter()
        .filter(|r| r.partner_id == p)
        .filter_map(|r| r.kind.parse::<domain::RelationshipKind>().ok())
        .map(Into::into)
        .collect())
}

pub async fn viewer_delegated_admin(
    ctx: &Context<'_>,
    customer: Uuid,
) -> GqlResult<Vec<DelegatedAdminRelationship>> {
    let viewer = ctx.viewer()?;
    let Some(p) = viewer.partner_id() else { return Ok(Vec::new()) };
    let now = ctx.now();
    let all = ctx
        .data_unchecked::<Loaders>()
        .customer_delegated_admin
        .load_one(customer)
        .await?
        .unwrap_or_default();
    Ok(all
        .into_iter()
        .filter(|d| {
            d.stored.partner_id == p && d.stored.status_at(now) == domain::DelegatedAdminStatus::Active
        })
        .map(DelegatedAdminRelationship)
        .collect())
}

pub async fn subscription_counts(ctx: &Context<'_>, customer: Uuid) -> GqlResult<Vec<ChannelCount>> {
    let loaders = ctx.data_unchecked::<Loaders>();
    let Some(loader) = &loaders.customer_channel_counts else { return Ok(Vec::new()) };
    let counts = loader.load_one(customer).await?.unwrap_or_default();
    Ok(domain::PurchaseChannel::ALL
        .iter()
        .filter_map(|c| {
            let (_, n) = counts.iter().find(|(channel, _)| channel == c)?;
            Some(ChannelCount { channel: (*c).into(), count: i32::try_from(*n).unwrap_or(i32::MAX) })
        })
        .collect())
}

pub async fn channel_map(ctx: &Context<'_>, customer: Uuid) -> GqlResult<ChannelMap> {
    let org = visible_organization(ctx, customer).await?;
    if org.kind != domain::OrganizationKind::Customer {
        return Err(AppError::not_found("customer").into());
    }
    Ok(ChannelMap { customer: org })
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
        let (party, status) = (viewer.party(), f.status);
        let page = db::page(&ctx.state().pool, party, customer, partner, status.as_deref(), &request).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| {
                let status = status.clone();
                async move { db::count(&pool, party, customer, partner, status.as_deref()).await }
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

/// Which relationship to remove.
#[derive(InputObject)]
pub struct RemoveResellerRelationshipInput {
    /// The relationship.
    pub id: ID,
}

/// What the removal did (exactly what the preview said).
#[derive(SimpleObject)]
pub struct RemoveResellerRelationshipPayload {
    /// The effects.
    pub removed: ResellerRelationshipRemovalPreview,
}

#[derive(Default)]
pub struct RelationshipsMutation;

#[Object]
impl RelationshipsMutation {
    /// The customer's global admin or the partner's admin agent removes a relationship; refused
    /// while the partner is partner of record on ACTIVE subscriptions (ACTIVE_SUBSCRIPTIONS_EXIST).
    async fn remove_reseller_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship to remove.")] input: RemoveResellerRelationshipInput,
    ) -> GqlResult<RemoveResellerRelationshipPayload> {
        let viewer = ctx.writer()?;
        let uuid = ids::decode(&input.id, &[NodeType::ResellerRelationship])?;
        let mut done = workflows::remove(ctx.state(), viewer, uuid).await?;
        if let Some(r) = db::by_id(&ctx.state().pool, uuid).await? {
            done.relationship = r;
        }
        Ok(RemoveResellerRelationshipPayload { removed: ResellerRelationshipRemovalPreview(done) })
    }
}
