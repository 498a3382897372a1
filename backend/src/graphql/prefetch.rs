//! Prefetching by look-ahead: a list resolver loads what its items' selected fields will ask
//! for, in one statement per kind, and primes the request's DataLoaders. Nested resolvers then
//! hit the cache, so a page costs the same number of statements at any size, however the
//! executor happens to interleave sibling resolvers (DataLoader alone batches by a time window).

use super::loaders::Loaders;
use crate::db::subscriptions::Subscription;
use async_graphql::{Lookahead, Result};
use uuid::Uuid;

/// Primes the loaders for what the selection under a `Subscription` (`node`) will need.
pub async fn for_subscriptions(loaders: &Loaders, node: Lookahead<'_>, subs: &[&Subscription]) -> Result<()> {
    if subs.is_empty() {
        return Ok(());
    }
    let wants = |f: &str| node.field(f).exists();
    let organizations = async {
        let wanted = ["customer", "partnerOfRecord", "indirectReseller", "servicePartners", "servicePartner"];
        if wanted.iter().any(|f| wants(f)) {
            let mut ids: Vec<Uuid> = Vec::new();
            for s in subs {
                let f = &s.facts;
                ids.push(f.customer_id);
                ids.extend(
                    [
                        f.partner_of_record_id,
                        f.indirect_reseller_id,
                        f.provisioning_partner_id,
                        f.support_partner_id,
                    ]
                    .into_iter()
                    .flatten(),
                );
            }
            loaders.organizations.load_many(ids).await?;
        }
        Ok::<_, async_graphql::Error>(())
    };
    let catalog = async {
        if wants("offer") || wants("service") {
            let offers = loaders.offers.load_many(subs.iter().map(|s| s.offer_id)).await?;
            let services: Vec<Uuid> = offers.values().map(|o| o.service_id).collect();
            let (a, b) = tokio::join!(
                loaders.services.load_many(services.clone()),
                loaders.service_offers.load_many(services)
            );
            a?;
            b?;
        }
        Ok::<_, async_graphql::Error>(())
    };
    let roles = async {
        if let (true, Some(loader)) = (wants("viewerCan"), &loaders.viewer_delegated_roles) {
            // viewerCan asks for the partner's delegated roles and its reseller relationships.
            let (a, b) = tokio::join!(
                loader.load_many(subs.iter().map(|s| (s.facts.customer_id, s.facts.service_id))),
                loaders.customer_relationships.load_many(subs.iter().map(|s| s.facts.customer_id))
            );
            a?;
            b?;
        }
        Ok::<_, async_graphql::Error>(())
    };
    let (a, b, c) = tokio::join!(organizations, catalog, roles);
    a?;
    b?;
    c?;
    Ok(())
}

/// Primes what a page of customers' selected fields will ask for: each kind in one statement,
/// all at once, so the page costs the same few statements under any load (left to the
/// DataLoaders' time window, busy servers split them into several batches).
pub async fn for_customers(loaders: &Loaders, node: Lookahead<'_>, customer_ids: &[Uuid]) -> Result<()> {
    if customer_ids.is_empty() {
        return Ok(());
    }
    let ids = || customer_ids.iter().copied();
    let wants = |f: &str| node.field(f).exists();
    let subscriptions = async {
        let subs_field = node.field("subscriptions");
        if let (Some(asked), Some(loader)) =
            (subs_field.selection_fields().first(), &loaders.customer_subscription_pages)
        {
            // The same page every customer's `subscriptions(first:, after:)` will ask for.
            let arg = |name: &str| -> Result<Option<async_graphql::Value>> {
                Ok(asked.arguments()?.into_iter().find(|(n, _)| n.as_str() == name).map(|(_, v)| v))
            };
            let first = match arg("first")? {
                Some(async_graphql::Value::Number(n)) => n.as_i64().map(|n| n as i32),
                _ => None,
            };
            let after = match arg("after")? {
                Some(async_graphql::Value::String(s)) => Some(s),
                _ => None,
            };
            if let Ok(request) = super::connection::page_request(first, after) {
                let keys = ids().map(|c| super::organizations::customer_page_key(c, &request));
                let by_customer = loader.load_many(keys).await?;
                let subs: Vec<&Subscription> = by_customer.values().flatten().collect();
                for_subscriptions(loaders, subs_field.field("edges").field("node"), &subs).await?;
            }
        }
        Ok::<_, async_graphql::Error>(())
    };
    let counts = async {
        if let (true, Some(loader)) = (wants("subscriptionCounts"), &loaders.customer_channel_counts) {
            loader.load_many(ids()).await?;
        }
        Ok::<_, async_graphql::Error>(())
    };
    let relationships = async {
        if wants("viewerRelationshipKinds") {
            loaders.customer_relationships.load_many(ids()).await?;
        }
        Ok::<_, async_graphql::Error>(())
    };
    let delegated = async {
        if wants("viewerDelegatedAdminRelationships") {
            loaders.customer_delegated_admin.load_many(ids()).await?;
        }
        Ok::<_, async_graphql::Error>(())
    };
    let (a, b, c, d) = tokio::join!(subscriptions, counts, relationships, delegated);
    a?;
    b?;
    c?;
    d?;
    Ok(())
}
