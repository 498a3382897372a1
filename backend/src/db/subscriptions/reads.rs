//! Scoped reads of subscriptions: filters, pages, counts, reads by id and per-customer lists.

use super::{PROVISIONING_OVERRIDE, Row, SUPPORT_OVERRIDE, Subscription, columns, convert, select};
use crate::db::page::{
    COUNT_LIMIT, Count, Page, PageRequest, SortKey, push_after_keys, push_order_by, time_key,
};
use crate::db::visibility;
use crate::db::visibility::PartnerWay;
use crate::domain::access::Scope;
use crate::domain::{AppResult, LifecycleStage, PurchaseChannel, SubscriptionStatus};
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct SubscriptionFilter {
    pub customer_id: Option<Uuid>,
    pub channel: Option<PurchaseChannel>,
    pub status: Option<SubscriptionStatus>,
    pub service_id: Option<Uuid>,
    /// With `stage`: the partner serving that stage. Alone: any part the partner plays
    /// (partner of record, indirect reseller, provisioning or support partner).
    pub partner_id: Option<Uuid>,
    /// Alone: subscriptions whose stage is served by someone other than the channel's default.
    pub stage: Option<LifecycleStage>,
    /// Part of the friendly name, ignoring case.
    pub search: Option<String>,
}

/// What the subscriptions list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubscriptionOrder {
    #[default]
    Name,
    Quantity,
    CreatedAt,
}

impl SubscriptionOrder {
    fn key(self, descending: bool) -> SortKey {
        let (expr, cast) = match self {
            SubscriptionOrder::Name => ("s.friendly_name", "text"),
            SubscriptionOrder::Quantity => ("s.quantity", "int"),
            SubscriptionOrder::CreatedAt => ("s.created_at", "timestamptz"),
        };
        SortKey { expr, cast, descending }
    }

    /// The cursor key of a row in this order.
    pub fn cursor_key(self, s: &Subscription) -> String {
        match self {
            SubscriptionOrder::Name => s.friendly_name.clone(),
            SubscriptionOrder::Quantity => s.facts.quantity.to_string(),
            SubscriptionOrder::CreatedAt => time_key(s.created_at),
        }
    }
}

fn stage_partner_expr(stage: LifecycleStage) -> String {
    match stage {
        LifecycleStage::Sales | LifecycleStage::Renewal => "s.partner_of_record_id".to_owned(),
        LifecycleStage::Provisioning => format!("coalesce({PROVISIONING_OVERRIDE}, s.partner_of_record_id)"),
        LifecycleStage::Support => format!("coalesce({SUPPORT_OVERRIDE}, s.partner_of_record_id)"),
    }
}

fn push_filter(qb: &mut QueryBuilder<Postgres>, scope: Scope, f: &SubscriptionFilter, now: DateTime<Utc>) {
    // One customer's subscriptions are few: probe each. Otherwise read the partner's set.
    if let Some(customer) = f.customer_id {
        visibility::push_subscription_visible_among(qb, scope, Some(&[customer]), now);
    } else {
        visibility::push_subscription_visible_set(qb, scope, now);
    }
    push_narrowing(qb, f);
}

/// The filter's conditions beside visibility, each starting with `and`.
fn push_narrowing(qb: &mut QueryBuilder<Postgres>, f: &SubscriptionFilter) {
    if let Some(id) = f.customer_id {
        qb.push(" and s.customer_id = ").push_bind(id);
    }
    if let Some(channel) = f.channel {
        qb.push(" and s.purchase_channel = ").push_bind(channel.as_str());
    }
    if let Some(status) = f.status {
        // subscription_reads_as is the status rule as a predicate PostgreSQL can estimate.
        qb.push(" and subscription_reads_as(")
            .push_bind(status.as_str())
            .push(", s.status, s.suspended_at, s.auto_renew, s.commitment_end, s.lapsed_on, clock.now)");
    }
    if let Some(id) = f.service_id {
        qb.push(" and s.service_id = ").push_bind(id);
    }
    if let Some(search) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        qb.push(" and s.friendly_name ilike ").push_bind(format!("%{}%", crate::db::escape_like(search)));
    }
    match (f.partner_id, f.stage) {
        (Some(partner), Some(stage)) => {
            qb.push(format!(" and {} = ", stage_partner_expr(stage))).push_bind(partner);
        }
        (Some(partner), None) => {
            qb.push(" and (s.partner_of_record_id = ")
                .push_bind(partner)
                .push(" or s.indirect_reseller_id = ")
                .push_bind(partner)
                .push(format!(" or {PROVISIONING_OVERRIDE} = "))
                .push_bind(partner)
                .push(format!(" or {SUPPORT_OVERRIDE} = "))
                .push_bind(partner)
                .push(")");
        }
        (None, Some(stage)) => {
            qb.push(format!(" and {} is distinct from s.partner_of_record_id", stage_partner_expr(stage)));
        }
        (None, None) => {}
    }
}

/// The page's order: its key, then the id.
type Order = (SubscriptionOrder, bool);

fn push_after(qb: &mut QueryBuilder<Postgres>, page: &PageRequest) {
    if let Some(after) = &page.after {
        qb.push(" and (s.friendly_name, s.subscription_id) > (")
            .push_bind(after.key.clone())
            .push(", ")
            .push_bind(after.id)
            .push(")");
    }
}

/// A partner's page over all its customers: the first rows of each way it sees subscriptions,
/// each walked in index order, then the first rows of their union. Cost follows the page size,
/// not how many subscriptions the partner sees (a provider may see 50,000).
fn partner_page(
    partner_id: Uuid,
    filter: &SubscriptionFilter,
    page: &PageRequest,
    (order, descending): Order,
    now: DateTime<Utc>,
) -> AppResult<QueryBuilder<Postgres>> {
    let keys = [order.key(descending)];
    let mut qb = QueryBuilder::new("with clock(now) as (select ");
    qb.push_bind(now).push("::timestamptz) select * from (");
    for (i, way) in PartnerWay::ALL.into_iter().enumerate() {
        if i > 0 {
            qb.push(" union ");
        }
        qb.push(format!("(select {} from subscription s cross join clock where ", columns()));
        push_way(&mut qb, way, partner_id, now);
        push_narrowing(&mut qb, filter);
        push_after_keys(&mut qb, &keys, "s.subscription_id", page)?;
        push_order_by(&mut qb, &keys, "s.subscription_id");
        qb.push(" limit ").push_bind(page.fetch_limit()).push(")");
    }
    qb.push(") page");
    // The union's columns are the row's, without the table alias.
    let outer = [SortKey { expr: keys[0].expr.trim_start_matches("s."), ..keys[0] }];
    push_order_by(&mut qb, &outer, "subscription_id");
    qb.push(" limit ").push_bind(page.fetch_limit());
    Ok(qb)
}

pub async fn page(
    db: impl PgExecutor<'_>,
    scope: Scope,
    filter: &SubscriptionFilter,
    page: &PageRequest,
    order: Order,
    now: DateTime<Utc>,
) -> AppResult<Page<Subscription>> {
    let mut qb = match scope {
        Scope::Partner { partner_id } if filter.customer_id.is_none() => {
            partner_page(partner_id, filter, page, order, now)?
        }
        _ => {
            let keys = [order.0.key(order.1)];
            let mut qb = select(now);
            push_filter(&mut qb, scope, filter, now);
            push_after_keys(&mut qb, &keys, "s.subscription_id", page)?;
            push_order_by(&mut qb, &keys, "s.subscription_id");
            qb.push(" limit ").push_bind(page.fetch_limit());
            qb
        }
    };
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    Ok(Page::from_rows(convert(rows)?, page))
}

/// How many match, counted up to [`COUNT_LIMIT`]. For a partner, each way it sees
/// subscriptions is counted only up to the bound, so the count costs the same for a provider
/// with 50,000 subscriptions as for one with 5,000.
pub async fn count(
    db: impl PgExecutor<'_>,
    scope: Scope,
    filter: &SubscriptionFilter,
    now: DateTime<Utc>,
) -> AppResult<Count> {
    let mut qb = QueryBuilder::new("with clock(now) as (select ");
    qb.push_bind(now).push("::timestamptz) select count(*) from (");
    match scope {
        Scope::Partner { partner_id } if filter.customer_id.is_none() => {
            for (i, way) in PartnerWay::ALL.into_iter().enumerate() {
                if i > 0 {
                    qb.push(" union ");
                }
                qb.push("(select s.subscription_id from subscription s cross join clock where ");
                push_way(&mut qb, way, partner_id, now);
                push_narrowing(&mut qb, filter);
                qb.push(" limit ").push_bind(COUNT_LIMIT + 1).push(")");
            }
        }
        _ => {
            qb.push("select from subscription s cross join clock where ");
            push_filter(&mut qb, scope, filter, now);
            qb.push(" limit ").push_bind(COUNT_LIMIT + 1);
        }
    }
    qb.push(") c");
    Ok(Count::from_bounded(qb.build_query_scalar().fetch_one(db).await?))
}

/// One way a partner sees `s`, as the page and the count walk it.
fn push_way(qb: &mut QueryBuilder<Postgres>, way: PartnerWay, partner_id: Uuid, now: DateTime<Utc>) {
    match way {
        PartnerWay::Delegated => {
            qb.push(" s.subscription_id in (");
            visibility::push_partner_way_ids(qb, way, partner_id, now);
            qb.push(")");
        }
        PartnerWay::OfRecord | PartnerWay::Resold => {
            visibility::push_partner_way(qb, way, "s", partner_id, None, now);
        }
    }
}

pub async fn visible_by_id(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<Subscription>> {
    one_visible(db, scope, id, now, "").await
}

/// One subscription by id within the scope, with `suffix` (a lock clause) after the filter.
pub(super) async fn one_visible(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
    now: DateTime<Utc>,
    suffix: &'static str,
) -> AppResult<Option<Subscription>> {
    let mut qb = select(now);
    qb.push(" s.subscription_id = ").push_bind(id).push(" and ");
    visibility::push_subscription_visible(&mut qb, scope, now);
    qb.push(suffix);
    let row: Option<Row> = qb.build_query_as().fetch_optional(db).await?;
    row.map(Subscription::try_from).transpose()
}

/// The visible subscriptions of several customers at once (for a DataLoader).
pub async fn visible_for_customers(
    db: impl PgExecutor<'_>,
    scope: Scope,
    customer_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Vec<Subscription>> {
    let mut qb = select(now);
    qb.push(" s.customer_id = any(").push_bind(customer_ids.to_vec()).push(") and ");
    visibility::push_subscription_visible_among(&mut qb, scope, Some(customer_ids), now);
    qb.push(" order by s.customer_id, s.friendly_name, s.subscription_id");
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    convert(rows)
}

/// One page of each customer's visible subscriptions, by name: up to `page.fetch_limit()` rows
/// per customer after the same cursor, numbered per customer in the database.
pub async fn page_for_customers(
    db: impl PgExecutor<'_>,
    scope: Scope,
    customer_ids: &[Uuid],
    page: &PageRequest,
    now: DateTime<Utc>,
) -> AppResult<Vec<Subscription>> {
    let mut qb = QueryBuilder::new("select * from (");
    qb.push("with clock(now) as (select ").push_bind(now).push(format!(
        "::timestamptz) select {}, row_number() over (partition by s.customer_id order by s.friendly_name, s.subscription_id) as nth \
         from subscription s cross join clock where ",
        columns()
    ));
    qb.push(" s.customer_id = any(").push_bind(customer_ids.to_vec()).push(") and ");
    visibility::push_subscription_visible_among(&mut qb, scope, Some(customer_ids), now);
    push_after(&mut qb, page);
    qb.push(") paged where nth <= ").push_bind(page.fetch_limit());
    qb.push(" order by customer_id, friendly_name, subscription_id");
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    convert(rows)
}

/// How many subscriptions of each customer the viewer sees, per purchase channel (counted in
/// the database: a customer may have thousands).
pub async fn channel_counts(
    db: impl PgExecutor<'_>,
    scope: Scope,
    customer_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, PurchaseChannel, i64)>> {
    let mut qb = QueryBuilder::new(
        "select s.customer_id, s.purchase_channel, count(*) from subscription s where s.customer_id = any(",
    );
    qb.push_bind(customer_ids.to_vec()).push(") and ");
    visibility::push_subscription_visible_among(&mut qb, scope, Some(customer_ids), now);
    qb.push(" group by s.customer_id, s.purchase_channel");
    Ok(qb.build_query_as().fetch_all(db).await?)
}
