//! Relay cursor connections over keyset pages, with a lazily counted `totalCount`.

use super::context::RequestContext;
use super::ids::{decode_cursor, encode_cursor};
use crate::db::page::{Count, Page, PageRequest};
use crate::db::{organizations, subscriptions};
use crate::domain::AppResult;
use crate::domain::access::Scope;
use async_graphql::connection::{Connection, Edge};
use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{Context, ContextSelectionSet, Object, OutputType, Positioned, ServerResult, Value};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sqlx::PgPool;
use std::borrow::Cow;
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Reads `first`/`after` into a page request.
pub fn page_request(first: Option<i32>, after: Option<String>) -> AppResult<PageRequest> {
    let after = after.as_deref().map(decode_cursor).transpose()?;
    PageRequest::new(first, after)
}

/// What `totalCount` counts; only run when the field is asked for.
pub enum CountQuery {
    Customers {
        scope: Scope,
        filter: organizations::CustomerFilter,
        now: DateTime<Utc>,
    },
    Partners {
        filter: organizations::PartnerFilter,
    },
    Subscriptions {
        scope: Scope,
        filter: subscriptions::SubscriptionFilter,
        now: DateTime<Utc>,
    },
    /// Any other list: its own count statement, run on the pool when asked for.
    Deferred(DeferredCount),
}

/// A count statement to run later, owning what it needs.
pub type DeferredCount = Box<dyn Fn(PgPool) -> BoxFuture<'static, AppResult<Count>> + Send + Sync>;

impl CountQuery {
    /// A count from any `db` function over the pool.
    pub fn deferred<F, Fut>(count: F) -> CountQuery
    where
        F: Fn(PgPool) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = AppResult<Count>> + Send + 'static,
    {
        CountQuery::Deferred(Box::new(move |pool| Box::pin(count(pool))))
    }

    /// The count of a list known in full (an empty one, say).
    pub fn known(n: usize) -> CountQuery {
        let count = Count::from_bounded(n as i64);
        CountQuery::deferred(move |_| async move { Ok(count) })
    }
}

/// Fields every connection has beside its edges. The count runs at most once per connection,
/// whichever of its fields are asked for.
pub struct ConnectionTotals {
    query: CountQuery,
    count: OnceCell<Count>,
}

impl ConnectionTotals {
    async fn count(&self, ctx: &Context<'_>) -> AppResult<Count> {
        let pool = &ctx.state().pool;
        let count = self
            .count
            .get_or_try_init(|| async {
                match &self.query {
                    CountQuery::Customers { scope, filter, now } => {
                        organizations::customers_count(pool, *scope, filter, *now).await
                    }
                    CountQuery::Partners { filter } => organizations::partners_count(pool, filter).await,
                    CountQuery::Subscriptions { scope, filter, now } => {
                        subscriptions::count(pool, *scope, filter, *now).await
                    }
                    CountQuery::Deferred(count) => count(pool.clone()).await,
                }
            })
            .await?;
        Ok(*count)
    }
}

/// Fields every connection has beside its edges.
#[Object]
impl ConnectionTotals {
    /// How many items match over all pages: exact up to 1,000; past that, 1,000 with
    /// `totalCountPrecision: AT_LEAST` (counting everything a viewer sees at that size would
    /// cost more than the page itself).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.count(ctx).await?.value)
    }

    /// Whether `totalCount` is exact or a lower bound.
    async fn total_count_precision(&self, ctx: &Context<'_>) -> async_graphql::Result<CountPrecision> {
        Ok(if self.count(ctx).await?.exact { CountPrecision::Exact } else { CountPrecision::AtLeast })
    }
}

/// Whether a count is exact or a lower bound.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum CountPrecision {
    /// Exactly this many.
    Exact,
    /// At least this many; there are more.
    AtLeast,
}

pub type CountedConnection<N> = Described<Connection<String, N, ConnectionTotals>>;

/// A connection type with a description in the schema: async-graphql's own `Connection` carries
/// none, and every type of this API is described. Resolves exactly as the connection inside.
pub struct Described<C>(pub C);

impl<C: OutputType> OutputType for Described<C> {
    fn type_name() -> Cow<'static, str> {
        C::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        let qualified = C::create_type_info(registry);
        let name = C::type_name();
        let items = name.strip_suffix("Connection").unwrap_or(&name);
        if let Some(MetaType::Object { description, .. }) = registry.types.get_mut(name.as_ref()) {
            description.get_or_insert_with(|| {
                format!("A page of {items} items: the edges, where the page ends (`pageInfo`) and, where counted, how many match over all pages.")
            });
        }
        qualified
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        self.0.resolve(ctx, field).await
    }
}

/// Builds a connection from a page; `key` gives each item's sort key and id for its cursor.
pub fn build<T, N: OutputType>(
    page: Page<T>,
    request: &PageRequest,
    totals: CountQuery,
    key: impl Fn(&T) -> (String, Uuid),
    node: impl Fn(T) -> N,
) -> CountedConnection<N> {
    let mut connection = Connection::with_additional_fields(
        request.after.is_some(),
        page.has_next,
        ConnectionTotals { query: totals, count: OnceCell::new() },
    );
    connection.edges = page
        .items
        .into_iter()
        .map(|item| {
            let (k, id) = key(&item);
            Edge::new(encode_cursor(&k, id), node(item))
        })
        .collect();
    Described(connection)
}

/// An empty connection (a viewer whose role reads none of these records).
pub fn empty<N: OutputType>() -> CountedConnection<N> {
    Described(Connection::with_additional_fields(
        false,
        false,
        ConnectionTotals { query: CountQuery::known(0), count: OnceCell::new() },
    ))
}
