//! `/subscriptions/:id`: a subscription with the actions the viewer may take, each enabled or
//! disabled with the API's reason.

use crate::api::ApiError;
use crate::components::{SignInForm, StageAssignment, channel_badge, show, stage};
use crate::hooks::{Mutation, use_mutation, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::route::IdProps;
use crate::route::Route;
use crate::text::{date, name, words};
use yew::prelude::*;
use yew_router::prelude::*;

/// A change to the subscription; the seat actions take the number in the seats field.
#[derive(Clone, Copy)]
enum Change {
    AssignSeats,
    UnassignSeats,
    Quantity,
    AutoRenew(bool),
    Suspend,
    Reactivate,
    Cancel,
}

/// One mutation handle per change.
#[derive(Clone)]
struct Changes {
    assign: Mutation<AssignSeats>,
    unassign: Mutation<UnassignSeats>,
    quantity: Mutation<ChangeQuantity>,
    auto_renew: Mutation<SetAutoRenew>,
    suspend: Mutation<Suspend>,
    reactivate: Mutation<Reactivate>,
    cancel: Mutation<Cancel>,
}

#[hook]
fn use_changes() -> Changes {
    Changes {
        assign: use_mutation(),
        unassign: use_mutation(),
        quantity: use_mutation(),
        auto_renew: use_mutation(),
        suspend: use_mutation(),
        reactivate: use_mutation(),
        cancel: use_mutation(),
    }
}

impl Changes {
    fn send(&self, change: Change, id: String, n: i64, then: impl FnOnce(Result<(), ApiError>) + 'static) {
        match change {
            Change::AssignSeats => self.assign.send(
                assign_seats::Variables { input: assign_seats::SeatsInput { subscription_id: id, seats: n } },
                then,
            ),
            Change::UnassignSeats => self.unassign.send(
                unassign_seats::Variables {
                    input: unassign_seats::SeatsInput { subscription_id: id, seats: n },
                },
                then,
            ),
            Change::Quantity => self.quantity.send(
                change_quantity::Variables {
                    input: change_quantity::ChangeSubscriptionQuantityInput {
                        subscription_id: id,
                        quantity: n,
                    },
                },
                then,
            ),
            Change::AutoRenew(on) => self.auto_renew.send(
                set_auto_renew::Variables {
                    input: set_auto_renew::SetSubscriptionAutoRenewInput {
                        subscription_id: id,
                        auto_renew: on,
                    },
                },
                then,
            ),
            Change::Suspend => self.suspend.send(
                suspend::Variables { input: suspend::SubscriptionIdInput { subscription_id: id } },
                then,
            ),
            Change::Reactivate => self.reactivate.send(
                reactivate::Variables { input: reactivate::SubscriptionIdInput { subscription_id: id } },
                then,
            ),
            Change::Cancel => self
                .cancel
                .send(cancel::Variables { input: cancel::SubscriptionIdInput { subscription_id: id } }, then),
        }
    }
}

/// One action button: enabled when `viewerCan` allows it, else disabled with its reason shown.
fn action(label: &str, allowed: bool, reason: &Option<String>, onclick: Callback<MouseEvent>) -> Html {
    let id = format!("why-{}", label.to_ascii_lowercase().replace(' ', "-"));
    html! {
        <div class="action">
            <button {onclick} disabled={!allowed} aria-describedby={(!allowed).then(|| id.clone())}>{ label }</button>
            if !allowed { <span class="reason" id={id}>{ reason.clone().unwrap_or_default() }</span> }
        </div>
    }
}

#[function_component(SubscriptionPage)]
pub fn subscription_page(props: &IdProps) -> Html {
    let session = use_session();
    let (state, reload) =
        use_query::<crate::queries::SubscriptionPage>(subscription_page::Variables { id: props.id.clone() });
    let changes = use_changes();
    let outcome = use_outcome();
    let seats = use_node_ref();
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    // Runs one change, then shows what happened and reloads.
    let act = |label: &'static str, change: Change| {
        let (changes, id, outcome, reload, seats) =
            (changes.clone(), props.id.clone(), outcome.clone(), reload.clone(), seats.clone());
        Callback::from(move |_| {
            let n = seats
                .cast::<web_sys::HtmlInputElement>()
                .and_then(|i| i.value().parse::<i64>().ok())
                .unwrap_or(1);
            changes.send(change, id.clone(), n, outcome.then_reload(format!("{label}: done."), &reload));
        })
    };
    let body = show(&*state, |data| {
        let s = &data.subscription;
        let can = &s.viewer_can;
        let seat_count = html! { <><label for="seats">{ "Seats" }</label><input id="seats" type="number" min="1" placeholder="1" ref={seats.clone()} /></> };
        html! {
            <section aria-labelledby="sub-title">
                <p><Link<Route> to={Route::Customer { id: s.customer.id.clone() }}>{ format!("← {}", s.customer.name) }</Link<Route>></p>
                <h1 id="sub-title">{ &s.friendly_name }</h1>
                <p>{ channel_badge(&name(&s.purchase_channel)) }{ format!(" {} · {} · {}", s.offer.service.name, s.offer.name, words(&s.status)) }</p>
                <dl class="facts">
                    <dt>{ "Partner of record" }</dt><dd>{ s.partner_of_record.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "21Vianet (operator)".into()) }</dd>
                    if let Some(r) = &s.indirect_reseller { <dt>{ "Indirect reseller" }</dt><dd>{ &r.name }</dd> }
                    <dt>{ "Seats" }</dt><dd>{ format!("{} assigned of {} ({} free)", s.assigned_seats, s.quantity, s.available_seats) }</dd>
                    <dt>{ "Term" }</dt><dd>{ format!("{}, {} to {}, auto-renew {}", name(&s.term_duration), s.effective_start, s.commitment_end, if s.auto_renew { "on" } else { "off" }) }</dd>
                    if let Some(d) = &s.data_deletion_date { <dt>{ "Data deleted on" }</dt><dd class="warning">{ date(d) }</dd> }
                    { for s.service_partners.iter().map(|p| html! { <><dt>{ format!("{} partner", words(&p.stage)) }</dt><dd>{ stage(&p.partner.as_ref().map(|x| x.name.clone()), p.served_by_operator, p.delegated) }</dd></> }) }
                </dl>
                <h2>{ "Actions" }</h2>
                { seat_count }
                <div class="actions">
                    { action("Assign seats", can.assign_seats.allowed, &can.assign_seats.reason, act("Assign seats", Change::AssignSeats)) }
                    { action("Unassign seats", can.unassign_seats.allowed, &can.unassign_seats.reason, act("Unassign seats", Change::UnassignSeats)) }
                    { action("Set quantity", can.change_quantity.allowed, &can.change_quantity.reason, act("Set quantity", Change::Quantity)) }
                    { action(if s.auto_renew { "Turn auto-renew off" } else { "Turn auto-renew on" }, can.set_auto_renew.allowed, &can.set_auto_renew.reason, act("Auto-renew", Change::AutoRenew(!s.auto_renew))) }
                    { action("Suspend", can.suspend.allowed, &can.suspend.reason, act("Suspend", Change::Suspend)) }
                    { action("Reactivate", can.reactivate.allowed, &can.reactivate.reason, act("Reactivate", Change::Reactivate)) }
                    { action("Cancel", can.cancel.allowed, &can.cancel.reason, act("Cancel", Change::Cancel)) }
                </div>
                if can.open_support_request.allowed {
                    <p><Link<Route> to={Route::Support}>{ "Open a support request" }</Link<Route>></p>
                } else {
                    <p class="muted">{ format!("Support requests: {}", can.open_support_request.reason.clone().unwrap_or_default()) }</p>
                }
                if can.assign_service_partner.allowed {
                    <StageAssignment subscription_id={s.id.clone()} customer_id={s.customer.id.clone()} service={s.offer.service.name.clone()} on_done={reload.clone()} />
                }
            </section>
        }
    });
    html! {
        <>
        { body }
        { outcome.view() }
        </>
    }
}
