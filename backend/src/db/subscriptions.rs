//! Subscriptions, read through the viewer's scope with time-dependent state computed at "now".
//! This module owns the row shape and the shared select; its children own the scoped reads and
//! pages, the writes, the term jobs, and the partner ties.

mod partner_ties;
mod reads;
mod terms;
mod writes;

pub use partner_ties::*;
pub use reads::*;
pub use terms::*;
pub use writes::*;

use crate::domain::subscription::SubscriptionFacts;
use crate::domain::{AppResult, BillingCycle, PurchaseChannel, SubscriptionStatus, TermDuration};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, Postgres, QueryBuilder};
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
    status: SubscriptionStatus,
    billing_cycle: BillingCycle,
    term_duration: TermDuration,
    effective_start: NaiveDate,
    commitment_end: NaiveDate,
    auto_renew: bool,
    suspended_at: Option<DateTime<Utc>>,
    lapsed_on: Option<NaiveDate>,
    purchase_channel: PurchaseChannel,
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
            billing_cycle: r.billing_cycle,
            term_duration: r.term_duration,
            effective_start: r.effective_start,
            commitment_end: r.commitment_end,
            auto_renew: r.auto_renew,
            created_at: r.created_at,
            updated_at: r.updated_at,
            facts: SubscriptionFacts {
                customer_id: r.customer_id,
                service_id: r.service_id,
                status: r.status,
                purchase_channel: r.purchase_channel,
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
