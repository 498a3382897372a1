//! Orders and changes to subscriptions. Whether the viewer may do it is decided by
//! `domain::subscription::decide`, the same rule `viewerCan` shows.

use crate::AppState;
use crate::db::{audit, catalog, delegated_admin, organizations, relationships, subscriptions};
use crate::domain::access::Scope;
use crate::domain::inputs::Name;
use crate::domain::subscription::{
    OrderTies, SubscriptionAction, ViewerStanding, decide, order_channel, roles_serving,
};
use crate::domain::*;
use chrono::{Months, NaiveDate};
use uuid::Uuid;

/// One change to a subscription.
#[derive(Debug, Clone, Copy)]
pub enum Change {
    Quantity(i32),
    AutoRenew(bool),
    Suspend,
    Reactivate,
    Cancel,
    AssignSeats(i32),
    UnassignSeats(i32),
    ServicePartner(LifecycleStage, Option<Uuid>),
    Renew,
}

impl Change {
    fn action(self) -> SubscriptionAction {
        match self {
            Change::Quantity(_) => SubscriptionAction::ChangeQuantity,
            Change::AutoRenew(_) => SubscriptionAction::SetAutoRenew,
            Change::Suspend => SubscriptionAction::Suspend,
            Change::Reactivate => SubscriptionAction::Reactivate,
            Change::Cancel => SubscriptionAction::Cancel,
            Change::AssignSeats(_) => SubscriptionAction::AssignSeats,
            Change::UnassignSeats(_) => SubscriptionAction::UnassignSeats,
            Change::ServicePartner(..) => SubscriptionAction::AssignServicePartner,
            Change::Renew => SubscriptionAction::Renew,
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            Change::Quantity(_) => "subscription.quantity_changed",
            Change::AutoRenew(_) => "subscription.auto_renew_changed",
            Change::Suspend => "subscription.suspended",
            Change::Reactivate => "subscription.reactivated",
            Change::Cancel => "subscription.cancelled",
            Change::AssignSeats(_) => "subscription.seats_assigned",
            Change::UnassignSeats(_) => "subscription.seats_unassigned",
            Change::ServicePartner(..) => "subscription.service_partner_assigned",
            Change::Renew => "subscription.renewed",
        }
    }
}

/// The viewer's standing on a subscription: its delegated roles for the customer and service,
/// and whether its partner has an active reseller relationship with the customer (read under a
/// share lock, so a concurrent removal of that relationship cannot slip between).
pub async fn standing(
    db: &mut sqlx::PgConnection,
    viewer: &Viewer,
    facts: &subscription::SubscriptionFacts,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<ViewerStanding> {
    let Some(p) = viewer.partner_id() else {
        return Ok(ViewerStanding {
            delegated_roles: Vec::new(),
            partner_program: None,
            has_reseller_relationship: false,
        });
    };
    let key = (facts.customer_id, facts.service_id);
    let delegated_roles =
        delegated_admin::roles_held(&mut *db, p, &[key], now).await?.remove(&key).unwrap_or_default();
    let has_reseller_relationship = relationships::has_active_locked(&mut *db, facts.customer_id, p).await?;
    Ok(ViewerStanding { delegated_roles, partner_program: viewer.partner_program, has_reseller_relationship })
}

/// Writes down renewals that reads already show (all due ones, or one subscription's), with
/// their audit events: the background job calls it, and so does every change to a subscription
/// first, so the change applies to the term in force.
pub async fn write_down_renewals(
    tx: &mut sqlx::PgConnection,
    now: chrono::DateTime<chrono::Utc>,
    only: Option<Uuid>,
) -> AppResult<usize> {
    let renewed = subscriptions::renew_due(&mut *tx, now, only).await?;
    for t in &renewed {
        let mut e = audit::Event::new("subscription.renewed", "Subscription", t.subscription_id)
            .customer(t.customer_id)
            .details(serde_json::json!({
                "effectiveStart": t.effective_start, "commitmentEnd": t.commitment_end, "automatic": true }));
        if let Some(p) = t.partner_of_record_id {
            e = e.partner(p);
        }
        audit::append(&mut *tx, audit::Actor::SYSTEM, now, e).await?;
    }
    Ok(renewed.len())
}

/// The end of a term of `term` starting on `start`.
pub fn term_end(start: NaiveDate, term: TermDuration) -> AppResult<NaiveDate> {
    let months = match term {
        TermDuration::P1M => 1,
        TermDuration::P1Y => 12,
        TermDuration::P3Y => 36,
    };
    start.checked_add_months(Months::new(months)).ok_or_else(|| AppError::bad_input("term out of range"))
}

pub async fn change(state: &AppState, viewer: &Viewer, id: Uuid, change: Change) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let sub = subscriptions::visible_for_update(&mut *tx, Scope::of(viewer), id, now)
        .await?
        .ok_or_else(|| AppError::not_found("subscription"))?;
    write_down_renewals(&mut tx, now, Some(id)).await?;
    let facts = &sub.facts;
    let standing = standing(&mut tx, viewer, facts, now).await?;
    decide(viewer, &standing, facts, change.action())?;

    let mut details = serde_json::json!({ "friendlyName": sub.friendly_name });
    match change {
        Change::Quantity(q) => {
            if !(1..=1_000_000).contains(&q) {
                return Err(AppError::bad_input("the quantity must be between 1 and 1,000,000"));
            }
            if q < facts.assigned_seats {
                return Err(AppError::refused(
                    Code::QuantityBelowAssignedSeats,
                    format!(
                        "{} seats are assigned; unassign some before going down to {q}",
                        facts.assigned_seats
                    ),
                ));
            }
            subscriptions::set_quantity(&mut *tx, id, q).await?;
            details["from"] = facts.quantity.into();
            details["to"] = q.into();
        }
        Change::AutoRenew(on) => {
            subscriptions::set_auto_renew(&mut *tx, id, on).await?;
            details["autoRenew"] = on.into();
        }
        Change::Suspend => subscriptions::suspend(&mut *tx, id, now).await?,
        Change::Reactivate => subscriptions::reactivate(&mut *tx, id, now).await?,
        Change::Cancel => subscriptions::cancel(&mut *tx, id, now).await?,
        Change::Renew => {
            let start = now.date_naive();
            let end = term_end(start, sub.term_duration)?;
            subscriptions::renew(&mut *tx, id, start, end).await?;
            details["effectiveStart"] = serde_json::json!(start);
            details["commitmentEnd"] = serde_json::json!(end);
        }
        Change::AssignSeats(n) | Change::UnassignSeats(n) => {
            if n < 1 {
                return Err(AppError::bad_input("give a number of seats of at least 1"));
            }
            let assigned = if matches!(change, Change::AssignSeats(_)) {
                let to = facts.assigned_seats.saturating_add(n);
                if to > facts.quantity {
                    return Err(AppError::refused(
                        Code::NoSeatsAvailable,
                        format!(
                            "only {} of {} seats are free",
                            facts.quantity - facts.assigned_seats,
                            facts.quantity
                        ),
                    ));
                }
                to
            } else {
                let to = facts.assigned_seats.saturating_sub(n);
                if to < 0 {
                    return Err(AppError::refused(
                        Code::NoAssignedSeats,
                        format!("only {} seats are assigned", facts.assigned_seats),
                    ));
                }
                to
            };
            subscriptions::set_assigned_seats(&mut *tx, id, assigned).await?;
            details["assignedSeats"] = assigned.into();
        }
        Change::ServicePartner(stage, partner) => {
            let wanted = roles_serving(stage);
            if wanted.is_empty() {
                return Err(AppError::bad_input("sales and renewal stay with the channel"));
            }
            if let Some(p) = partner {
                let key = (facts.customer_id, facts.service_id);
                let held = delegated_admin::roles_held(&mut *tx, p, &[key], now)
                    .await?
                    .remove(&key)
                    .unwrap_or_default();
                if !held.iter().any(|r| wanted.contains(r)) {
                    let names: Vec<&str> = wanted.iter().map(|r| r.as_str()).collect();
                    return Err(AppError::refused(
                        Code::DelegatedRoleRequired,
                        format!(
                            "that partner holds no active delegated {} role for this service",
                            names.join(" or ")
                        ),
                    ));
                }
            }
            subscriptions::set_stage_override(&mut *tx, id, stage, partner).await?;
            details["stage"] = stage.as_str().into();
            details["partnerId"] = serde_json::json!(partner);
        }
    }
    let mut event = audit::Event::new(change.audit_action(), "Subscription", id)
        .customer(facts.customer_id)
        .details(details);
    if let Some(p) = facts.partner_of_record_id {
        event = event.partner(p);
    }
    if let Some(r) = facts.indirect_reseller_id {
        event = event.also_partner(r);
    }
    if let Change::ServicePartner(_, Some(p)) = change {
        event = event.also_partner(p);
    }
    if let Some(p) = viewer.partner_id().filter(|p| Some(*p) != facts.partner_of_record_id) {
        event = event.also_partner(p);
    }
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok(())
}

pub struct NewOrder {
    pub customer_id: Uuid,
    pub offer_id: Uuid,
    pub friendly_name: String,
    pub quantity: i32,
    pub term_duration: TermDuration,
    pub billing_cycle: BillingCycle,
    pub auto_renew: bool,
    pub indirect_reseller_id: Option<Uuid>,
}

/// An order by the partner of record (or the operator, online direct).
pub async fn create(state: &AppState, viewer: &Viewer, order: NewOrder) -> AppResult<Uuid> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let mut ties = OrderTies::default();
    if let Some(partner) = viewer.partner_id() {
        ties.has_relationship =
            relationships::has_active_locked(&mut *tx, order.customer_id, partner).await?;
        if let Some(reseller) = order.indirect_reseller_id {
            ties.reseller_partnered =
                organizations::is_active_partnership(&mut *tx, partner, reseller).await?;
            ties.reseller_serves_customer =
                relationships::resells_for_locked(&mut *tx, order.customer_id, reseller, partner).await?
                    || delegated_admin::in_force_between(&mut *tx, order.customer_id, reseller, now).await?;
        }
    }
    let channel = order_channel(viewer, order.indirect_reseller_id, ties)?;
    let customer = organizations::visible_by_id(
        &mut *tx,
        Scope::of(viewer),
        viewer.organization_id,
        order.customer_id,
        now,
    )
    .await?
    .filter(|o| o.kind == OrganizationKind::Customer)
    .ok_or_else(|| AppError::not_found("customer"))?;
    let offer = catalog::offers_by_ids(&mut *tx, &[order.offer_id])
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found("offer"))?;
    let name = Name::parse(&order.friendly_name, "friendly name")?;
    let most = crate::domain::inputs::limits::FRIENDLY_NAME;
    if name.as_str().chars().count() > most {
        return Err(AppError::bad_input(format!("a friendly name has at most {most} characters")));
    }
    if !(1..=1_000_000).contains(&order.quantity) {
        return Err(AppError::bad_input("the quantity must be between 1 and 1,000,000"));
    }
    let start: NaiveDate = now.date_naive();
    let end = term_end(start, order.term_duration)?;
    let id = subscriptions::insert(
        &mut *tx,
        &subscriptions::NewSubscription {
            customer_id: customer.id,
            offer_id: offer.offer_id,
            friendly_name: name.as_str(),
            quantity: order.quantity,
            assigned_seats: 0,
            status: SubscriptionStatus::Active,
            billing_cycle: order.billing_cycle,
            term_duration: order.term_duration,
            effective_start: start,
            commitment_end: end,
            auto_renew: order.auto_renew,
            suspended_at: None,
            purchase_channel: channel.channel,
            partner_of_record_id: channel.partner_of_record_id,
            indirect_reseller_id: channel.indirect_reseller_id,
            provisioning_partner_id: None,
            support_partner_id: None,
        },
    )
    .await?;
    let mut event = audit::Event::new("subscription.created", "Subscription", id).customer(customer.id).details(
        serde_json::json!({ "offer": offer.name, "quantity": order.quantity, "channel": channel.channel.as_str() }),
    );
    if let Some(p) = channel.partner_of_record_id {
        event = event.partner(p);
    }
    if let Some(r) = channel.indirect_reseller_id {
        event = event.also_partner(r);
    }
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok(id)
}
