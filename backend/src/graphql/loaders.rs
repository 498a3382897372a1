//! DataLoaders: nested lists cost one statement per kind of object, whatever the page size.
//! They are built per request (the scope and "now" are the request's), so no state outlives it;
//! a WebSocket connection's loaders read the clock at each load instead (see [`Now`]).

use crate::db::page::{After, PageRequest};
use crate::db::{catalog, delegated_admin, organizations, subscriptions};
use crate::domain::access::Scope;
use crate::domain::clock::Clock;
use crate::domain::{AppError, DelegatedRole, PurchaseChannel};
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// The "now" time-bound visibility (delegated admin end dates) is judged at.
#[derive(Clone)]
pub enum Now {
    /// One instant for a whole HTTP request, so its parts agree with each other.
    At(DateTime<Utc>),
    /// The clock, read at each load: a WebSocket connection lives for hours, and access that
    /// ended while it was open must not still show.
    Live(Arc<dyn Clock>),
}

impl Now {
    fn get(&self) -> DateTime<Utc> {
        match self {
            Now::At(t) => *t,
            Now::Live(clock) => clock.now(),
        }
    }
}

type LoadResult<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

fn gql(e: AppError) -> async_graphql::Error {
    e.into()
}

pub struct OrganizationLoader(PgPool);

impl Loader<Uuid> for OrganizationLoader {
    type Value = organizations::Organization;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[Uuid]) -> LoadResult<Uuid, Self::Value> {
        let rows = organizations::by_ids(&self.0, keys).await.map_err(gql)?;
        Ok(rows.into_iter().map(|o| (o.id, o)).collect())
    }
}

pub struct ServiceLoader(PgPool);

impl Loader<Uuid> for ServiceLoader {
    type Value = catalog::Service;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[Uuid]) -> LoadResult<Uuid, Self::Value> {
        let rows = catalog::services_by_ids(&self.0, keys).await.map_err(gql)?;
        Ok(rows.into_iter().map(|s| (s.service_id, s)).collect())
    }
}

pub struct OfferLoader(PgPool);

impl Loader<Uuid> for OfferLoader {
    type Value = catalog::Offer;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[Uuid]) -> LoadResult<Uuid, Self::Value> {
        let rows = catalog::offers_by_ids(&self.0, keys).await.map_err(gql)?;
        Ok(rows.into_iter().map(|o| (o.offer_id, o)).collect())
    }
}

/// The offers of each service.
pub struct ServiceOffersLoader(PgPool);

impl Loader<Uuid> for ServiceOffersLoader {
    type Value = Vec<catalog::Offer>;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[Uuid]) -> LoadResult<Uuid, Self::Value> {
        let mut map: HashMap<Uuid, Vec<catalog::Offer>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for offer in catalog::offers_by_services(&self.0, keys).await.map_err(gql)? {
            map.entry(offer.service_id).or_default().push(offer);
        }
        Ok(map)
    }
}

/// The subscriptions of each customer that the viewer may see.
pub struct CustomerSubscriptionsLoader {
    pool: PgPool,
    scope: Scope,
    now: Now,
}

impl Loader<Uuid> for CustomerSubscriptionsLoader {
    type Value = Vec<subscriptions::Subscription>;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[Uuid]) -> LoadResult<Uuid, Self::Value> {
        let mut map: HashMap<Uuid, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        let rows = subscriptions::visible_for_customers(&self.pool, self.scope, keys, self.now.get())
            .await
            .map_err(gql)?;
        for s in rows {
            map.entry(s.facts.customer_id).or_default().push(s);
        }
        Ok(map)
    }
}

/// One customer's page of subscriptions: the customer, the page size and the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomerPageKey {
    pub customer_id: Uuid,
    pub first: i64,
    pub after: Option<After>,
}

/// Pages of customers' subscriptions; keys asking for the same page shape go in one statement.
pub struct CustomerSubscriptionPagesLoader {
    pool: PgPool,
    scope: Scope,
    now: Now,
}

impl Loader<CustomerPageKey> for CustomerSubscriptionPagesLoader {
    type Value = Vec<subscriptions::Subscription>;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[CustomerPageKey]) -> LoadResult<CustomerPageKey, Self::Value> {
        let mut shapes: HashMap<(i64, Option<After>), Vec<Uuid>> = HashMap::new();
        for k in keys {
            shapes.entry((k.first, k.after.clone())).or_default().push(k.customer_id);
        }
        let mut map: HashMap<CustomerPageKey, Vec<_>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for ((first, after), customers) in shapes {
            let page = PageRequest { first, after: after.clone() };
            for s in
                subscriptions::page_for_customers(&self.pool, self.scope, &customers, &page, self.now.get())
                    .await
                    .map_err(gql)?
            {
                let key = CustomerPageKey { customer_id: s.facts.customer_id, first, after: after.clone() };
                map.entry(key).or_default().push(s);
            }
        }
        Ok(map)
    }
}

/// How many subscriptions of each customer the viewer sees, per purchase channel.
pub struct CustomerChannelCountsLoader {
    pool: PgPool,
    scope: Scope,
    now: Now,
}

impl Loader<Uuid> for CustomerChannelCountsLoader {
    type Value = Vec<(PurchaseChannel, i64)>;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[Uuid]) -> LoadResult<Uuid, Self::Value> {
        let mut map: HashMap<Uuid, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (customer, channel, n) in
            subscriptions::channel_counts(&self.pool, self.scope, keys, self.now.get()).await.map_err(gql)?
        {
            map.entry(customer).or_default().push((channel, n));
        }
        Ok(map)
    }
}

/// The delegated roles the viewer's partner holds now, per (customer, service).
pub struct ViewerDelegatedRolesLoader {
    pool: PgPool,
    partner_id: Uuid,
    now: Now,
}

impl Loader<(Uuid, Uuid)> for ViewerDelegatedRolesLoader {
    type Value = Vec<DelegatedRole>;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[(Uuid, Uuid)]) -> LoadResult<(Uuid, Uuid), Self::Value> {
        let held = delegated_admin::roles_held(&self.pool, self.partner_id, keys, self.now.get())
            .await
            .map_err(gql)?;
        Ok(keys.iter().map(|k| (*k, held.get(k).cloned().unwrap_or_default())).collect())
    }
}

/// Active reseller relationships per customer (resolvers filter by who may see them).
pub struct CustomerRelationshipsLoader(PgPool);

impl Loader<Uuid> for CustomerRelationshipsLoader {
    type Value = Vec<crate::db::relationships::Relationship>;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[Uuid]) -> LoadResult<Uuid, Self::Value> {
        let mut map: HashMap<Uuid, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in crate::db::relationships::active_for_customers(&self.0, keys).await.map_err(gql)? {
            map.entry(r.customer_id).or_default().push(r);
        }
        Ok(map)
    }
}

/// Delegated admin relationships per customer (resolvers filter by who may see them).
pub struct CustomerDelegatedAdminLoader(PgPool);

impl Loader<Uuid> for CustomerDelegatedAdminLoader {
    type Value = Vec<delegated_admin::Relationship>;
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[Uuid]) -> LoadResult<Uuid, Self::Value> {
        let mut map: HashMap<Uuid, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in delegated_admin::for_customers(&self.0, keys).await.map_err(gql)? {
            map.entry(r.stored.customer_id).or_default().push(r);
        }
        Ok(map)
    }
}

/// Which customers the viewer may see (its scope), so an object reached through another that
/// stays visible (a removed relationship, say) does not show the customer behind it.
pub struct VisibleCustomersLoader {
    pool: PgPool,
    scope: Scope,
    now: Now,
}

impl Loader<Uuid> for VisibleCustomersLoader {
    type Value = ();
    type Error = async_graphql::Error;
    async fn load(&self, keys: &[Uuid]) -> LoadResult<Uuid, Self::Value> {
        let ids = organizations::visible_customer_ids(&self.pool, self.scope, keys, self.now.get())
            .await
            .map_err(gql)?;
        Ok(ids.into_iter().map(|id| (id, ())).collect())
    }
}

/// All loaders of one request. They cache for the request's lifetime: prefetching relies on
/// it, and one request must not see an object twice in two states.
pub struct Loaders {
    pub organizations: DataLoader<OrganizationLoader, HashMapCache>,
    pub services: DataLoader<ServiceLoader, HashMapCache>,
    pub offers: DataLoader<OfferLoader, HashMapCache>,
    pub service_offers: DataLoader<ServiceOffersLoader, HashMapCache>,
    pub customer_relationships: DataLoader<CustomerRelationshipsLoader, HashMapCache>,
    pub customer_delegated_admin: DataLoader<CustomerDelegatedAdminLoader, HashMapCache>,
    /// Absent for anonymous requests.
    pub customer_subscriptions: Option<DataLoader<CustomerSubscriptionsLoader, HashMapCache>>,
    /// Absent for anonymous requests.
    pub customer_subscription_pages: Option<DataLoader<CustomerSubscriptionPagesLoader, HashMapCache>>,
    /// Absent for anonymous requests.
    pub customer_channel_counts: Option<DataLoader<CustomerChannelCountsLoader, HashMapCache>>,
    /// Absent for anonymous requests.
    pub visible_customers: Option<DataLoader<VisibleCustomersLoader, HashMapCache>>,
    /// Present when the viewer is a partner.
    pub viewer_delegated_roles: Option<DataLoader<ViewerDelegatedRolesLoader, HashMapCache>>,
}

impl Loaders {
    pub fn new(pool: &PgPool, scope: Option<Scope>, now: Now) -> Loaders {
        let spawn = |f| tokio::spawn(f);
        Loaders {
            organizations: DataLoader::with_cache(
                OrganizationLoader(pool.clone()),
                spawn,
                HashMapCache::default(),
            ),
            services: DataLoader::with_cache(ServiceLoader(pool.clone()), spawn, HashMapCache::default()),
            offers: DataLoader::with_cache(OfferLoader(pool.clone()), spawn, HashMapCache::default()),
            service_offers: DataLoader::with_cache(
                ServiceOffersLoader(pool.clone()),
                spawn,
                HashMapCache::default(),
            ),
            customer_relationships: DataLoader::with_cache(
                CustomerRelationshipsLoader(pool.clone()),
                spawn,
                HashMapCache::default(),
            ),
            customer_delegated_admin: DataLoader::with_cache(
                CustomerDelegatedAdminLoader(pool.clone()),
                spawn,
                HashMapCache::default(),
            ),
            customer_subscriptions: scope.map(|scope| {
                DataLoader::with_cache(
                    CustomerSubscriptionsLoader { pool: pool.clone(), scope, now: now.clone() },
                    spawn,
                    HashMapCache::default(),
                )
            }),
            customer_subscription_pages: scope.map(|scope| {
                DataLoader::with_cache(
                    CustomerSubscriptionPagesLoader { pool: pool.clone(), scope, now: now.clone() },
                    spawn,
                    HashMapCache::default(),
                )
            }),
            customer_channel_counts: scope.map(|scope| {
                DataLoader::with_cache(
                    CustomerChannelCountsLoader { pool: pool.clone(), scope, now: now.clone() },
                    spawn,
                    HashMapCache::default(),
                )
            }),
            visible_customers: scope.map(|scope| {
                DataLoader::with_cache(
                    VisibleCustomersLoader { pool: pool.clone(), scope, now: now.clone() },
                    spawn,
                    HashMapCache::default(),
                )
            }),
            viewer_delegated_roles: match scope {
                Some(Scope::Partner { partner_id }) => Some(DataLoader::with_cache(
                    ViewerDelegatedRolesLoader { pool: pool.clone(), partner_id, now: now.clone() },
                    spawn,
                    HashMapCache::default(),
                )),
                _ => None,
            },
        }
    }

    /// The same loaders, caching nothing: for a WebSocket connection, whose requests must not
    /// see what an earlier one read.
    pub fn without_cache(self) -> Loaders {
        self.organizations.enable_all_cache(false);
        self.services.enable_all_cache(false);
        self.offers.enable_all_cache(false);
        self.service_offers.enable_all_cache(false);
        self.customer_relationships.enable_all_cache(false);
        self.customer_delegated_admin.enable_all_cache(false);
        if let Some(l) = &self.customer_subscriptions {
            l.enable_all_cache(false);
        }
        if let Some(l) = &self.customer_subscription_pages {
            l.enable_all_cache(false);
        }
        if let Some(l) = &self.customer_channel_counts {
            l.enable_all_cache(false);
        }
        if let Some(l) = &self.visible_customers {
            l.enable_all_cache(false);
        }
        if let Some(l) = &self.viewer_delegated_roles {
            l.enable_all_cache(false);
        }
        self
    }
}
