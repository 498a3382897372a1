//! Subscriptions, read through the viewer's scope with time-dependent state computed at "now".

use super::page::{Page, PageRequest};
use super::{parse, visibility};
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
const STATUS: &str = "subscription_effective_status(s.status, s.suspended_at, clock.now)";

/// Starts a query over `subscription s` with `clock.now` bound, so time-dependent expressions
/// share one parameter.
fn select(now: DateTime<Utc>) -> QueryBuilder<Postgres> {
    let mut qb = QueryBuilder::new("with clock(now) as (select ");
    qb.push_bind(now).push(format!(
        "::timestamptz) select s.subscription_id, s.customer_id, s.offer_id, s.service_id, \
         s.friendly_name, s.quantity, s.assigned_seats, {STATUS} as status, s.billing_cycle, \
         s.term_duration, s.effective_start, s.commitment_end, s.auto_renew, s.suspended_at, \
         s.purchase_channel, s.partner_of_record_id, s.indirect_reseller_id, \
         {PROVISIONING_OVERRIDE} as provisioning_override, {SUPPORT_OVERRIDE} as support_override, \
         s.created_at, s.updated_at \
         from subscription s cross join clock where "
    ));
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
    visibility::push_subscription_visible(qb, scope, now);
    if let Some(id) = f.customer_id {
        qb.push(" and s.customer_id = ").push_bind(id);
    }
    if let Some(channel) = f.channel {
        qb.push(" and s.purchase_channel = ").push_bind(channel.as_str());
    }
    if let Some(status) = f.status {
        qb.push(format!(" and {STATUS} = ")).push_bind(status.as_str());
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

pub async fn page(
    db: impl PgExecutor<'_>,
    scope: Scope,
    filter: &SubscriptionFilter,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> AppResult<Page<Subscription>> {
    let mut qb = select(now);
    push_filter(&mut qb, scope, filter, now);
    if let Some(after) = &page.after {
        qb.push(" and (s.friendly_name, s.subscription_id) > (")
            .push_bind(after.key.clone())
            .push(", ")
            .push_bind(after.id)
            .push(")");
    }
    qb.push(" order by s.friendly_name, s.subscription_id limit ").push_bind(page.fetch_limit());
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    Ok(Page::from_rows(convert(rows)?, page))
}

pub async fn count(
    db: impl PgExecutor<'_>,
    scope: Scope,
    filter: &SubscriptionFilter,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let mut qb = QueryBuilder::new("with clock(now) as (select ");
    qb.push_bind(now).push("::timestamptz) select count(*) from subscription s cross join clock where ");
    push_filter(&mut qb, scope, filter, now);
    Ok(qb.build_query_scalar().fetch_one(db).await?)
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
    visibility::push_subscription_visible(&mut qb, scope, now);
    qb.push(" order by s.customer_id, s.friendly_name, s.subscription_id");
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    convert(rows)
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

pub async fn reactivate(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<()> {
    sqlx::query("update subscription set status = 'ACTIVE', suspended_at = null where subscription_id = $1")
        .bind(id)
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

/// Suspended subscriptions past their data-deletion date, written down as DELETED (the
/// background job; reads already show them DELETED). Safe with several instances running.
pub async fn delete_expired_suspensions(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, Uuid)>> {
    Ok(sqlx::query_as(
        "with due as (select subscription_id from subscription \
            where status = 'SUSPENDED' and suspended_at + interval '60 days' <= $1 \
            for update skip locked) \
         update subscription s set status = 'DELETED', deleted_at = s.suspended_at + interval '60 days', \
            suspended_at = null, auto_renew = false \
         from due where s.subscription_id = due.subscription_id \
         returning s.subscription_id, s.customer_id",
    )
    .bind(now)
    .fetch_all(db)
    .await?)
}

/// A partner stops serving provisioning (and, unless `provisioning_only`, support) on a
/// customer's subscriptions (of one service, or all); returns the subscriptions affected.
pub async fn clear_partner_stages(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
    service_id: Option<Uuid>,
    provisioning_only: bool,
) -> AppResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "update subscription set \
            provisioning_partner_id = case when provisioning_partner_id = $2 then null else provisioning_partner_id end, \
            support_partner_id = case when support_partner_id = $2 and not $4 then null else support_partner_id end \
         where customer_id = $1 and ($3::uuid is null or service_id = $3) \
           and (provisioning_partner_id = $2 or (support_partner_id = $2 and not $4)) \
         returning subscription_id",
    )
    .bind(customer_id)
    .bind(partner_id)
    .bind(service_id)
    .bind(provisioning_only)
    .fetch_all(db)
    .await?)
}

/// A customer's ACTIVE subscriptions of which the partner is partner of record.
pub async fn active_of_record(
    db: impl PgExecutor<'_>,
    customer_id: Uuid,
    partner_id: Uuid,
) -> AppResult<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "select subscription_id, friendly_name from subscription \
         where customer_id = $1 and partner_of_record_id = $2 and status = 'ACTIVE' order by friendly_name",
    )
    .bind(customer_id)
    .bind(partner_id)
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
