//! Subscriptions, read through the viewer's scope with time-dependent state computed at "now".

use super::page::{COUNT_LIMIT, Count, Page, PageRequest};
use super::parse;
use super::visibility::{self, PartnerWay};
use crate::domain::access::Scope;
use crate::domain::subscription::SubscriptionFacts;
use crate::domain::{
    AppResult, BillingCycle, LifecycleStage, PurchaseChannel, SubscriptionStatus, TermDuration,
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, FromRow, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: Uuid,
    pub offer_id: Uuid,
    pub friendly_name: String,
    pub billing_cycle: BillingCycle,
    pub term_duration: TermDuration,
    pub effective_start: NaiveDate,
    pub commitment_end: NaiveDate,
    pub auto_renew: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Everything the domain rules look at.
    pub facts: SubscriptionFacts,
}

#[derive(FromRow)]
struct Row {
    subscription_id: Uuid,
    customer_id: Uuid,
    offer_id: Uuid,
    service_id: Uuid,
    friendly_name: String,
    quantity: i32,
    assigned_seats: i32,
    status: String,
    billing_cycle: String,
    term_duration: String,
    effective_start: NaiveDate,
    commitment_end: NaiveDate,
    auto_renew: bool,
    suspended_at: Option<DateTime<Utc>>,
    lapsed_on: Option<NaiveDate>,
    purchase_channel: String,
    partner_of_record_id: Option<Uuid>,
    indirect_reseller_id: Option<Uuid>,
    provisioning_override: Option<Uuid>,
    support_override: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Subscription {
    type Error = crate::domain::AppError;
    fn try_from(r: Row) -> AppResult<Subscription> {
        Ok(Subscription {
            id: r.subscription_id,
            offer_id: r.offer_id,
            friendly_name: r.friendly_name,
            billing_cycle: parse(&r.billing_cycle)?,
            term_duration: parse(&r.term_duration)?,
            effective_start: r.effective_start,
            commitment_end: r.commitment_end,
            auto_renew: r.auto_renew,
            created_at: r.created_at,
            updated_at: r.updated_at,
            facts: SubscriptionFacts {
                customer_id: r.customer_id,
                service_id: r.service_id,
                status: parse(&r.status)?,
                purchase_channel: parse(&r.purchase_channel)?,
                partner_of_record_id: r.partner_of_record_id,
                indirect_reseller_id: r.indirect_reseller_id,
                provisioning_partner_id: r.provisioning_override,
                support_partner_id: r.support_override,
                quantity: r.quantity,
                assigned_seats: r.assigned_seats,
                suspended_at: r.suspended_at,
                commitment_end: r.commitment_end,
                lapsed_on: r.lapsed_on,
            },
        })
    }
}

/// An override counts only while its holder's delegated role is in force: when the role ends,
/// the stage falls back to the channel's default at once, before any job rewrites the row.
const PROVISIONING_OVERRIDE: &str = "(case when s.provisioning_partner_id is not null \
    and partner_holds_delegated_role(s.customer_id, s.service_id, s.provisioning_partner_id, \
        array['PROVISIONING', 'GLOBAL_ADMIN'], clock.now) then s.provisioning_partner_id end)";
const SUPPORT_OVERRIDE: &str = "(case when s.support_partner_id is not null \
    and partner_holds_delegated_role(s.customer_id, s.service_id, s.support_partner_id, \
        array['SUPPORT'], clock.now) then s.support_partner_id end)";
/// Status and term at `clock.now`: renewals, expiry and data deletion are right before the
/// background job writes them down (the SQL functions of migration 5).
const STATUS: &str = "subscription_status_at(s.status, s.suspended_at, s.auto_renew, s.commitment_end, \
    s.lapsed_on, clock.now)";
const EFFECTIVE_START: &str = "subscription_effective_start_at(s.status, s.auto_renew, s.term_duration, \
    s.effective_start, s.commitment_end, clock.now)";
const COMMITMENT_END: &str =
    "subscription_commitment_end_at(s.status, s.auto_renew, s.term_duration, s.commitment_end, clock.now)";

/// The columns a [`Row`] reads, from `subscription s` and `clock`.
fn columns() -> String {
    format!(
        "s.subscription_id, s.customer_id, s.offer_id, s.service_id, \
         s.friendly_name, s.quantity, s.assigned_seats, {STATUS} as status, s.billing_cycle, \
         s.term_duration, {EFFECTIVE_START} as effective_start, {COMMITMENT_END} as commitment_end, \
         (s.auto_renew and {STATUS} <> 'DELETED') as auto_renew, s.suspended_at, s.lapsed_on, \
         s.purchase_channel, s.partner_of_record_id, s.indirect_reseller_id, \
         {PROVISIONING_OVERRIDE} as provisioning_override, {SUPPORT_OVERRIDE} as support_override, \
         s.created_at, s.updated_at"
    )
}

/// Starts a query over `subscription s` with `clock.now` bound, so time-dependent expressions
/// share one parameter.
fn select(now: DateTime<Utc>) -> QueryBuilder<Postgres> {
    let mut qb = QueryBuilder::new("with clock(now) as (select ");
    qb.push_bind(now)
        .push(format!("::timestamptz) select {} from subscription s cross join clock where ", columns()));
    qb
}

fn convert(rows: Vec<Row>) -> AppResult<Vec<Subscription>> {
    rows.into_iter().map(Subscription::try_from).collect()
}

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
    now: DateTime<Utc>,
) -> QueryBuilder<Postgres> {
    let mut qb = QueryBuilder::new("with clock(now) as (select ");
    qb.push_bind(now).push("::timestamptz) select * from (");
    for (i, way) in PartnerWay::ALL.into_iter().enumerate() {
        if i > 0 {
            qb.push(" union ");
        }
        qb.push(format!("(select {} from subscription s cross join clock where ", columns()));
        push_way(&mut qb, way, partner_id, now);
        push_narrowing(&mut qb, filter);
        push_after(&mut qb, page);
        qb.push(" order by s.friendly_name, s.subscription_id limit ")
            .push_bind(page.fetch_limit())
            .push(")");
    }
    qb.push(") page order by friendly_name, subscription_id limit ").push_bind(page.fetch_limit());
    qb
}

pub async fn page(
    db: impl PgExecutor<'_>,
    scope: Scope,
    filter: &SubscriptionFilter,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> AppResult<Page<Subscription>> {
    let mut qb = match scope {
        Scope::Partner { partner_id } if filter.customer_id.is_none() => {
            partner_page(partner_id, filter, page, now)
        }
        _ => {
            let mut qb = select(now);
            push_filter(&mut qb, scope, filter, now);
            push_after(&mut qb, page);
            qb.push(" order by s.friendly_name, s.subscription_id limit ").push_bind(page.fetch_limit());
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
    let mut qb = select(now);
    qb.push(" s.subscription_id = ").push_bind(id).push(" and ");
    visibility::push_subscription_visible(&mut qb, scope, now);
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
    let rows: Vec<(Uuid, String, i64)> = qb.build_query_as().fetch_all(db).await?;
    rows.into_iter().map(|(c, channel, n)| Ok((c, parse(&channel)?, n))).collect()
}

pub struct NewSubscription<'a> {
    pub customer_id: Uuid,
    pub offer_id: Uuid,
    pub friendly_name: &'a str,
    pub quantity: i32,
    pub assigned_seats: i32,
    pub status: SubscriptionStatus,
    pub billing_cycle: BillingCycle,
    pub term_duration: TermDuration,
    pub effective_start: NaiveDate,
    pub commitment_end: NaiveDate,
    pub auto_renew: bool,
    pub suspended_at: Option<DateTime<Utc>>,
    pub purchase_channel: PurchaseChannel,
    pub partner_of_record_id: Option<Uuid>,
    pub indirect_reseller_id: Option<Uuid>,
    pub provisioning_partner_id: Option<Uuid>,
    pub support_partner_id: Option<Uuid>,
}

pub async fn insert(db: impl PgExecutor<'_>, s: &NewSubscription<'_>) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar(
        "insert into subscription (customer_id, offer_id, service_id, friendly_name, quantity, \
            assigned_seats, status, billing_cycle, term_duration, effective_start, commitment_end, \
            auto_renew, suspended_at, purchase_channel, partner_of_record_id, indirect_reseller_id, \
            provisioning_partner_id, support_partner_id) \
         select $1, $2, o.service_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 \
         from offer o where o.offer_id = $2 \
         returning subscription_id",
    )
    .bind(s.customer_id)
    .bind(s.offer_id)
    .bind(s.friendly_name)
    .bind(s.quantity)
    .bind(s.assigned_seats)
    .bind(s.status.as_str())
    .bind(s.billing_cycle.as_str())
    .bind(s.term_duration.as_str())
    .bind(s.effective_start)
    .bind(s.commitment_end)
    .bind(s.auto_renew)
    .bind(s.suspended_at)
    .bind(s.purchase_channel.as_str())
    .bind(s.partner_of_record_id)
    .bind(s.indirect_reseller_id)
    .bind(s.provisioning_partner_id)
    .bind(s.support_partner_id)
    .fetch_one(db)
    .await?)
}

/// Hands a provisioning or support stage to a partner, or back to the default with `None`.
pub async fn set_stage_override(
    db: impl PgExecutor<'_>,
    id: Uuid,
    stage: LifecycleStage,
    partner_id: Option<Uuid>,
) -> AppResult<()> {
    let column = match stage {
        LifecycleStage::Provisioning => "provisioning_partner_id",
        LifecycleStage::Support => "support_partner_id",
        LifecycleStage::Sales | LifecycleStage::Renewal => {
            return Err(crate::domain::AppError::bad_input("sales and renewal stay with the channel"));
        }
    };
    sqlx::query(AssertSqlSafe(format!("update subscription set {column} = $2 where subscription_id = $1")))
        .bind(id)
        .bind(partner_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn suspend(db: impl PgExecutor<'_>, id: Uuid, at: DateTime<Utc>) -> AppResult<()> {
    sqlx::query("update subscription set status = 'SUSPENDED', suspended_at = $2 where subscription_id = $1")
        .bind(id)
        .bind(at)
        .execute(db)
        .await?;
    Ok(())
}

/// Like [`visible_by_id`], locking the row for the rest of the transaction, so concurrent
/// changes to one subscription are decided one after the other on current data.
pub async fn visible_for_update(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<Subscription>> {
    let mut qb = select(now);
    qb.push(" s.subscription_id = ").push_bind(id).push(" and ");
    visibility::push_subscription_visible(&mut qb, scope, now);
    qb.push(" for update of s");
    let row: Option<Row> = qb.build_query_as().fetch_optional(db).await?;
    row.map(Subscription::try_from).transpose()
}

pub async fn set_quantity(db: impl PgExecutor<'_>, id: Uuid, quantity: i32) -> AppResult<()> {
    sqlx::query("update subscription set quantity = $2 where subscription_id = $1")
        .bind(id)
        .bind(quantity)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_assigned_seats(db: impl PgExecutor<'_>, id: Uuid, assigned: i32) -> AppResult<()> {
    sqlx::query("update subscription set assigned_seats = $2 where subscription_id = $1")
        .bind(id)
        .bind(assigned)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_auto_renew(db: impl PgExecutor<'_>, id: Uuid, on: bool) -> AppResult<()> {
    sqlx::query("update subscription set auto_renew = $2 where subscription_id = $1")
        .bind(id)
        .bind(on)
        .execute(db)
        .await?;
    Ok(())
}

/// Back to ACTIVE. A term that ended without renewal while suspended reads EXPIRED from now on,
/// with its 60 days before deletion counted from today (not from the long-past end).
pub async fn reactivate(db: impl PgExecutor<'_>, id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query(
        "update subscription set status = 'ACTIVE', suspended_at = null, \
            lapsed_on = case when not auto_renew and commitment_end <= ($2 at time zone 'UTC')::date \
                             then ($2 at time zone 'UTC')::date end \
         where subscription_id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn cancel(db: impl PgExecutor<'_>, id: Uuid, at: DateTime<Utc>) -> AppResult<()> {
    sqlx::query(
        "update subscription set status = 'DELETED', suspended_at = null, deleted_at = $2, auto_renew = false \
         where subscription_id = $1",
    )
    .bind(id)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

/// A subscription whose term was written down anew, or that ended.
#[derive(Debug, Clone, FromRow)]
pub struct TermChange {
    pub subscription_id: Uuid,
    pub customer_id: Uuid,
    pub partner_of_record_id: Option<Uuid>,
    pub effective_start: NaiveDate,
    pub commitment_end: NaiveDate,
}

/// Writes down the terms of auto-renewing subscriptions whose commitment ended by `now` (all, or
/// only `only`): the term reads already show. Safe with several instances running.
pub async fn renew_due(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    only: Option<Uuid>,
) -> AppResult<Vec<TermChange>> {
    Ok(sqlx::query_as(
        "with due as (select subscription_id from subscription \
            where status = 'ACTIVE' and auto_renew and commitment_end <= ($1 at time zone 'UTC')::date \
              and ($2::uuid is null or subscription_id = $2) \
            for update skip locked) \
         update subscription s set \
            effective_start = subscription_effective_start_at(s.status, s.auto_renew, s.term_duration, \
                s.effective_start, s.commitment_end, $1), \
            commitment_end = subscription_commitment_end_at(s.status, s.auto_renew, s.term_duration, \
                s.commitment_end, $1) \
         from due where s.subscription_id = due.subscription_id \
         returning s.subscription_id, s.customer_id, s.partner_of_record_id, s.effective_start, s.commitment_end",
    )
    .bind(now)
    .bind(only)
    .fetch_all(db)
    .await?)
}

/// Writes down EXPIRED for terms that ended without auto-renew.
pub async fn expire_due(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> AppResult<Vec<TermChange>> {
    Ok(sqlx::query_as(
        "with due as (select subscription_id from subscription \
            where status = 'ACTIVE' and not auto_renew and commitment_end <= ($1 at time zone 'UTC')::date \
            for update skip locked) \
         update subscription s set status = 'EXPIRED' \
         from due where s.subscription_id = due.subscription_id \
         returning s.subscription_id, s.customer_id, s.partner_of_record_id, s.effective_start, s.commitment_end",
    )
    .bind(now)
    .fetch_all(db)
    .await?)
}

/// An expired subscription renewed by hand: a new term from today.
pub async fn renew(db: impl PgExecutor<'_>, id: Uuid, start: NaiveDate, end: NaiveDate) -> AppResult<()> {
    sqlx::query(
        "update subscription set status = 'ACTIVE', effective_start = $2, commitment_end = $3, lapsed_on = null \
         where subscription_id = $1",
    )
    .bind(id)
    .bind(start)
    .bind(end)
    .execute(db)
    .await?;
    Ok(())
}

/// Subscriptions past their data-deletion date (60 days after suspension, or after a term that
/// ended without renewal), written down as DELETED (the background job; reads already show
/// them DELETED). Safe with several instances running.
pub async fn delete_due(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> AppResult<Vec<(Uuid, Uuid)>> {
    Ok(sqlx::query_as(
        "with due as (select subscription_id from subscription \
            where subscription_status_at(status, suspended_at, auto_renew, commitment_end, lapsed_on, $1) = 'DELETED' \
              and status <> 'DELETED' \
            for update skip locked) \
         update subscription s set status = 'DELETED', \
            deleted_at = case when s.status = 'SUSPENDED' then s.suspended_at + interval '60 days' \
                              else (coalesce(s.lapsed_on, s.commitment_end) + 60)::timestamp at time zone 'UTC' end, \
            suspended_at = null, auto_renew = false \
         from due where s.subscription_id = due.subscription_id \
         returning s.subscription_id, s.customer_id",
    )
    .bind(now)
    .fetch_all(db)
    .await?)
}

/// Clears the stored provisioning and support choices of a partner on a customer's
/// subscriptions wherever it no longer holds the matching delegated role at `now`; choices it
/// still holds the role for stay. Returns the subscriptions changed.
pub async fn release_stages_without_role(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "with lost as (select subscription_id, \
                provisioning_partner_id = $2 and not partner_holds_delegated_role(customer_id, service_id, $2, \
                    array['PROVISIONING', 'GLOBAL_ADMIN'], $3) as provisioning, \
                support_partner_id = $2 and not partner_holds_delegated_role(customer_id, service_id, $2, \
                    array['SUPPORT'], $3) as support \
            from subscription where customer_id = $1 and (provisioning_partner_id = $2 or support_partner_id = $2)) \
         update subscription s set \
            provisioning_partner_id = case when lost.provisioning then null else s.provisioning_partner_id end, \
            support_partner_id = case when lost.support then null else s.support_partner_id end \
         from lost where s.subscription_id = lost.subscription_id and (lost.provisioning or lost.support) \
         returning s.subscription_id",
    )
    .bind(customer_id)
    .bind(partner_id)
    .bind(now)
    .fetch_all(db)
    .await?)
}

/// A customer's ACTIVE subscriptions of which the partner is partner of record.
pub async fn active_of_record(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "select subscription_id, friendly_name from subscription \
         where customer_id = $1 and partner_of_record_id = $2 \
           and subscription_status_at(status, suspended_at, auto_renew, commitment_end, lapsed_on, $3) = 'ACTIVE' \
         order by friendly_name",
    )
    .bind(customer_id)
    .bind(partner_id)
    .bind(now)
    .fetch_all(db)
    .await?)
}

/// A customer's subscriptions whose provisioning or support the partner serves by override.
pub async fn served_by(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
) -> AppResult<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "select subscription_id, friendly_name from subscription \
         where customer_id = $1 and (provisioning_partner_id = $2 or support_partner_id = $2) order by friendly_name",
    )
    .bind(customer_id)
    .bind(partner_id)
    .fetch_all(db)
    .await?)
}
