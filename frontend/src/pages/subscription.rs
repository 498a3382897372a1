//! `/subscriptions/:id`: a subscription with the actions the viewer may take, each enabled or
//! disabled with the API's reason.

use crate::api::ApiError;
use crate::components::{ConfirmButton, SignInForm, StageAssignment, channel_badge, show, stage};
use crate::hooks::{Mutation, use_mutation, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::route::IdProps;
use crate::route::Route;
use crate::t;
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

/// An action's name on screen (the English name also names its reason's element and outcome).
fn shown(label: &str) -> String {
    match label {
        "Assign seats" => t!("sub-action-assign"),
        "Unassign seats" => t!("sub-action-unassign"),
        "Set quantity" => t!("sub-action-quantity"),
        "Turn auto-renew off" => t!("sub-action-renew-off"),
        "Turn auto-renew on" => t!("sub-action-renew-on"),
        "Auto-renew" => t!("sub-action-renew"),
        "Suspend" => t!("sub-action-suspend"),
        "Reactivate" => t!("sub-action-reactivate"),
        "Cancel subscription" => t!("sub-action-cancel"),
        other => other.to_owned(),
    }
}

/// Why a `viewerCan` answer refuses, in the viewer's language.
macro_rules! why {
    ($p:expr) => {
        crate::components::refusal_words($p.reason_code.as_deref(), $p.reason.as_deref())
    };
}

/// One action button: enabled when `viewerCan` allows it, else disabled with its reason shown.
fn action(label: &str, allowed: bool, reason: String, onclick: Callback<MouseEvent>) -> Html {
    let id = why_id(label);
    html! {
        <div class="action">
            <button {onclick} disabled={!allowed} aria-describedby={(!allowed).then(|| id.clone())}>{ shown(label) }</button>
            if !allowed { <span class="reason" id={id}>{ reason }</span> }
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
    reason: String,
    (ask, consequence, confirm): (String, String, String),
    onconfirm: Callback<MouseEvent>,
) -> Html {
    let id = why_id(label);
    html! {
        <div class="action">
            <ConfirmButton label={shown(label)} title={ask} consequence={consequence} confirm={confirm}
                {onconfirm} disabled={!allowed} aria_describedby={(!allowed).then(|| AttrValue::from(id.clone()))} />
            if !allowed { <span class="reason" id={id}>{ reason }</span> }
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
            t!("sub-seats-quantity-missing")
        } else {
            t!("sub-seats-missing")
        });
    }
    match text.parse::<i64>() {
        Ok(n) if (1..=MAX_SEATS).contains(&n) => Ok(n),
        _ => Err(t!("order-quantity-range", max = MAX_SEATS)),
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
            changes.send(
                change,
                id.clone(),
                n,
                outcome.then_reload(t!("dap-done", action = shown(label)), &reload),
            );
        })
    };
    let body = show(&*state, |data| {
        let s = &data.subscription;
        let can = &s.viewer_can;
        let seat_count = html! {
            <>
            <label for="seats">{ t!("sub-seats") }</label>
            <input id="seats" type="number" inputmode="numeric" ref={seats.clone()}
                aria-invalid={seats_error.is_some().then_some("true")} aria-describedby={seats_error.is_some().then_some("seats-error")} />
            if let Some(e) = &*seats_error { <p class="error field-error" id="seats-error" role="alert">{ e }</p> }
            </>
        };
        let suspend_words = (
            t!("sub-suspend-title", name = s.friendly_name.clone()),
            t!("sub-suspend-consequence", date = date(&date_in_days(60))),
            t!("sub-suspend-yes"),
        );
        let cancel_words = (
            t!("sub-cancel-title", name = s.friendly_name.clone()),
            t!("sub-cancel-consequence"),
            t!("sub-cancel-yes"),
        );
        html! {
            <section aria-labelledby="sub-title">
                <p><Link<Route> to={Route::Customer { id: s.customer.id.clone() }}>{ format!("← {}", s.customer.name) }</Link<Route>></p>
                <h1 id="sub-title">{ &s.friendly_name }</h1>
                <p>{ channel_badge(&name(&s.purchase_channel)) }{ format!(" {} · {} · {}", s.offer.service.name, s.offer.name, words(&s.status)) }</p>
                <dl class="facts">
                    <dt>{ t!("map-col-partner-of-record") }</dt><dd>{ s.partner_of_record.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| t!("badge-operator")) }</dd>
                    if let Some(r) = &s.indirect_reseller { <dt>{ t!("sub-indirect-reseller") }</dt><dd>{ &r.name }</dd> }
                    <dt>{ t!("sub-seats") }</dt><dd>{ t!("sub-seats-fact", assigned = s.assigned_seats, quantity = s.quantity, free = s.available_seats) }</dd>
                    <dt>{ t!("sub-term") }</dt><dd>{ t!("sub-term-fact", length = duration(&name(&s.term_duration)), start = date(&s.effective_start), end = date(&s.commitment_end), relative = crate::i18n::relative(&format!("{}T00:00:00Z", s.commitment_end)), renew = if s.auto_renew { t!("sub-on") } else { t!("sub-off") }) }</dd>
                    if let Some(d) = &s.data_deletion_date { <dt>{ t!("sub-data-deleted") }</dt><dd class="warning">{ format!("{} ({})", date(d), crate::i18n::relative(d)) }</dd> }
                    { for s.service_partners.iter().map(|p| html! { <><dt>{ t!("sub-stage-partner", stage = words(&p.stage)) }</dt><dd>{ stage(&p.partner.as_ref().map(|x| x.name.clone()), p.served_by_operator, p.delegated) }</dd></> }) }
                </dl>
                <h2>{ t!("sub-actions") }</h2>
                { seat_count }
                <div class="actions">
                    { action("Assign seats", can.assign_seats.allowed, why!(can.assign_seats), act("Assign seats", Change::AssignSeats)) }
                    { action("Unassign seats", can.unassign_seats.allowed, why!(can.unassign_seats), act("Unassign seats", Change::UnassignSeats)) }
                    { action("Set quantity", can.change_quantity.allowed, why!(can.change_quantity), act("Set quantity", Change::Quantity)) }
                    { action(if s.auto_renew { "Turn auto-renew off" } else { "Turn auto-renew on" }, can.set_auto_renew.allowed, why!(can.set_auto_renew), act("Auto-renew", Change::AutoRenew(!s.auto_renew))) }
                    { drastic("Suspend", can.suspend.allowed, why!(can.suspend), suspend_words, act("Suspend", Change::Suspend)) }
                    { action("Reactivate", can.reactivate.allowed, why!(can.reactivate), act("Reactivate", Change::Reactivate)) }
                    { drastic("Cancel subscription", can.cancel.allowed, why!(can.cancel), cancel_words, act("Cancel subscription", Change::Cancel)) }
                </div>
                if can.open_support_request.allowed {
                    <p><Link<Route> to={Route::Support}>{ t!("sub-open-support") }</Link<Route>></p>
                } else {
                    <p class="muted">{ t!("sub-support-refused", reason = why!(can.open_support_request)) }</p>
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
