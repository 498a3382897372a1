//! `/subscriptions/:id`: a subscription with the actions the viewer may take, each enabled or
//! disabled with the API's reason.

use crate::api::ApiError;
use crate::components::{ConfirmButton, SignInForm, StageAssignment, channel_badge, show, stage};
use crate::hooks::{Mutation, use_mutation, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::route::IdProps;
use crate::route::Route;
use crate::text::{date, date_in_days, duration, name, words};
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
    let id = why_id(label);
    html! {
        <div class="action">
            <button {onclick} disabled={!allowed} aria-describedby={(!allowed).then(|| id.clone())}>{ label }</button>
            if !allowed { <span class="reason" id={id}>{ reason.clone().unwrap_or_default() }</span> }
        </div>
    }
}

fn why_id(label: &str) -> String {
    format!("why-{}", label.to_ascii_lowercase().replace(' ', "-"))
}

/// A drastic action: as [`action`], acting only once confirmed; `ask` is the dialog's question,
/// `consequence` what will happen, `confirm` its button.
fn drastic(
    label: &str,
    allowed: bool,
    reason: &Option<String>,
    (ask, consequence, confirm): (String, String, &str),
    onconfirm: Callback<MouseEvent>,
) -> Html {
    let id = why_id(label);
    html! {
        <div class="action">
            <ConfirmButton label={label.to_owned()} title={ask} consequence={consequence} confirm={confirm.to_owned()}
                {onconfirm} disabled={!allowed} aria_describedby={(!allowed).then(|| AttrValue::from(id.clone()))} />
            if !allowed { <span class="reason" id={id}>{ reason.clone().unwrap_or_default() }</span> }
        </div>
    }
}

/// The number in the seats field for a change that takes one, or what is wrong with it.
fn seats_for(change: Change, field: &NodeRef) -> Result<i64, String> {
    if !matches!(change, Change::AssignSeats | Change::UnassignSeats | Change::Quantity) {
        return Ok(0);
    }
    let text = field.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        return Err(if matches!(change, Change::Quantity) {
            "Enter the new quantity in the Seats field.".to_owned()
        } else {
            "Enter the number of seats.".to_owned()
        });
    }
    match text.parse::<i64>() {
        Ok(n) if (1..=MAX_SEATS).contains(&n) => Ok(n),
        _ => Err(format!("Enter a whole number of seats from 1 to {MAX_SEATS}.")),
    }
}

/// The most seats one change may name (the API takes 32-bit numbers; no subscription is near).
const MAX_SEATS: i64 = 1_000_000;

#[function_component(SubscriptionPage)]
pub fn subscription_page(props: &IdProps) -> Html {
    let session = use_session();
    let (state, reload) =
        use_query::<crate::queries::SubscriptionPage>(subscription_page::Variables { id: props.id.clone() });
    let changes = use_changes();
    let outcome = use_outcome();
    let seats = use_node_ref();
    let seats_error = use_state_eq(|| None::<String>);
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    // Runs one change, then shows what happened and reloads.
    let act = |label: &'static str, change: Change| {
        let (changes, id, outcome, reload, seats, seats_error) = (
            changes.clone(),
            props.id.clone(),
            outcome.clone(),
            reload.clone(),
            seats.clone(),
            seats_error.clone(),
        );
        Callback::from(move |_| {
            // A bad number is said next to the field, and nothing is sent.
            let n = match seats_for(change, &seats) {
                Ok(n) => n,
                Err(why) => {
                    seats_error.set(Some(why));
                    if let Some(i) = seats.cast::<web_sys::HtmlElement>() {
                        let _ = i.focus();
                    }
                    return;
                }
            };
            seats_error.set(None);
            changes.send(change, id.clone(), n, outcome.then_reload(format!("{label}: done."), &reload));
        })
    };
    let body = show(&*state, |data| {
        let s = &data.subscription;
        let can = &s.viewer_can;
        let seat_count = html! {
            <>
            <label for="seats">{ "Seats" }</label>
            <input id="seats" type="number" inputmode="numeric" ref={seats.clone()}
                aria-invalid={seats_error.is_some().then_some("true")} aria-describedby={seats_error.is_some().then_some("seats-error")} />
            if let Some(e) = &*seats_error { <p class="error field-error" id="seats-error" role="alert">{ e }</p> }
            </>
        };
        let suspend_words = (
            format!("Suspend {}?", s.friendly_name),
            format!(
                "The customer's users lose access now, and its data will be deleted on {} (in 60 days) unless the subscription is reactivated before then.",
                date_in_days(60)
            ),
            "Yes, suspend",
        );
        let cancel_words = (
            format!("Cancel {}?", s.friendly_name),
            "It is cancelled now: it becomes deleted at once, and it cannot be reactivated. This cannot be undone.".to_owned(),
            "Yes, cancel the subscription",
        );
        html! {
            <section aria-labelledby="sub-title">
                <p><Link<Route> to={Route::Customer { id: s.customer.id.clone() }}>{ format!("← {}", s.customer.name) }</Link<Route>></p>
                <h1 id="sub-title">{ &s.friendly_name }</h1>
                <p>{ channel_badge(&name(&s.purchase_channel)) }{ format!(" {} · {} · {}", s.offer.service.name, s.offer.name, words(&s.status)) }</p>
                <dl class="facts">
                    <dt>{ "Partner of record" }</dt><dd>{ s.partner_of_record.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "21Vianet (operator)".into()) }</dd>
                    if let Some(r) = &s.indirect_reseller { <dt>{ "Indirect reseller" }</dt><dd>{ &r.name }</dd> }
                    <dt>{ "Seats" }</dt><dd>{ format!("{} assigned of {} ({} free)", s.assigned_seats, s.quantity, s.available_seats) }</dd>
                    <dt>{ "Term" }</dt><dd>{ format!("{}, {} to {}, auto-renew {}", duration(&name(&s.term_duration)), s.effective_start, s.commitment_end, if s.auto_renew { "on" } else { "off" }) }</dd>
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
                    { drastic("Suspend", can.suspend.allowed, &can.suspend.reason, suspend_words, act("Suspend", Change::Suspend)) }
                    { action("Reactivate", can.reactivate.allowed, &can.reactivate.reason, act("Reactivate", Change::Reactivate)) }
                    { drastic("Cancel subscription", can.cancel.allowed, &can.cancel.reason, cancel_words, act("Cancel subscription", Change::Cancel)) }
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
