//! The customer's channel map: who serves which service through which channel, and the
//! per-channel subscription counts.

use crate::domain;
use crate::domain::{AppError, Viewer};
use crate::graphql::catalog::Service;
use crate::graphql::context::RequestContext;
use crate::graphql::delegated_admin::DelegatedAdminRelationship;
use crate::graphql::enums;
use crate::graphql::error::GqlResult;
use crate::graphql::loaders::Loaders;
use crate::graphql::organizations::{Customer, Partner, visible_organization};
use crate::graphql::subscriptions::Subscription;
use async_graphql::{Context, Object, SimpleObject};
use std::collections::BTreeMap;
use uuid::Uuid;

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
            partners.entry(r.partner_id).or_default().0.push(r.kind.into());
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
    Ok(all.into_iter().filter(|r| r.partner_id == p).map(|r| r.kind.into()).collect())
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
    ctx.viewer()?;
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
