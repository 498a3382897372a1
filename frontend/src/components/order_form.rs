//! Ordering a subscription for a customer: a direct partner for its own customer, an indirect
//! provider tagging one of its resellers, the operator online direct. Who may is the API's
//! decision (`Customer.viewerCan.orderSubscription`); a refusal is shown in its words.

use crate::components::show;
use crate::form::{checked, field_value};
use crate::hooks::{use_mutation, use_node_refs, use_query};
use crate::queries::*;
use crate::t;
use yew::prelude::*;

/// The most seats one order may have (the API takes 32-bit numbers; no order is near this).
const MAX_QUANTITY: i64 = 1_000_000;

/// The quantity typed, or what is wrong with it, in words.
fn quantity(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(t!("order-quantity-missing"));
    }
    match text.parse::<i64>() {
        Ok(n) if (1..=MAX_QUANTITY).contains(&n) => Ok(n),
        _ => Err(t!("order-quantity-range", max = MAX_QUANTITY)),
    }
}

#[derive(Properties, PartialEq)]
pub struct OrderProps {
    pub customer_id: String,
    /// Called with the new subscription's name once ordered.
    pub on_ordered: Callback<String>,
}

#[function_component(OrderForm)]
pub fn order_form(props: &OrderProps) -> Html {
    let (state, _) =
        use_query::<OrderOptions>(order_options::Variables { customer_id: props.customer_id.clone() });
    let create = use_mutation::<CreateSubscription>();
    let [offer, name, quantity_field, term, cycle, reseller, no_renewal] = use_node_refs();
    let quantity_error = use_state_eq(|| None::<String>);
    let order = {
        let (create, done, customer_id, quantity_error) =
            (create.clone(), props.on_ordered.clone(), props.customer_id.clone(), quantity_error.clone());
        let refs = (
            offer.clone(),
            name.clone(),
            quantity_field.clone(),
            term.clone(),
            cycle.clone(),
            reseller.clone(),
            no_renewal.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let form = e.target_dyn_into::<web_sys::HtmlFormElement>();
            let (offer, name, quantity_field, term, cycle, reseller, no_renewal) = &refs;
            // A bad quantity is said next to the field; nothing is sent.
            let seats = match quantity(&field_value(quantity_field)) {
                Ok(n) => n,
                Err(why) => {
                    quantity_error.set(Some(why));
                    if let Some(i) = quantity_field.cast::<web_sys::HtmlElement>() {
                        let _ = i.focus();
                    }
                    return;
                }
            };
            quantity_error.set(None);
            use create_subscription::{BillingCycle as B, TermDuration as T};
            let input = create_subscription::CreateSubscriptionInput {
                customer_id: customer_id.clone(),
                offer_id: field_value(offer),
                friendly_name: field_value(name),
                quantity: seats,
                term_duration: match field_value(term).as_str() {
                    "P1M" => T::P1M,
                    "P3Y" => T::P3Y,
                    _ => T::P1Y,
                },
                billing_cycle: match field_value(cycle).as_str() {
                    "ANNUAL" => B::ANNUAL,
                    "NONE" => B::NONE,
                    _ => B::MONTHLY,
                },
                auto_renew: !checked(no_renewal),
                indirect_reseller_id: Some(field_value(reseller)).filter(|r| !r.is_empty()),
            };
            let done = done.clone();
            create.run(create_subscription::Variables { input }, move |answer| {
                if let Ok(d) = answer {
                    if let Some(f) = form {
                        f.reset();
                    }
                    done.emit(d.create_subscription.subscription.friendly_name);
                }
            });
        })
    };
    let body = show(&*state, |d| {
        let can = &d.customer.viewer_can.order_subscription;
        if !can.allowed {
            return html! { <p class="muted">{ crate::components::refusal_words(can.reason_code.as_deref(), can.reason.as_deref()) }</p> };
        }
        let resellers: Vec<_> = d
            .partnerships
            .nodes
            .iter()
            .filter(|p| p.status == "ACTIVE")
            .filter_map(|p| p.reseller.as_ref())
            .collect();
        html! {
            <form onsubmit={order.clone()} aria-label={t!("order-form")}>
                <label for="order-offer">{ t!("order-offer") }</label>
                <select id="order-offer" ref={offer.clone()}>
                    { for d.catalog.services.iter().flat_map(|s| s.offers.iter().map(move |o| (s, o))).enumerate().map(|(i, (s, o))| html! {
                        <option value={o.id.clone()} selected={i == 0}>{ format!("{} — {}", s.name, o.name) }</option>
                    }) }
                </select>
                <label for="order-name">{ t!("order-name") }</label>
                <input id="order-name" required=true maxlength={crate::text::limits::FRIENDLY_NAME.to_string()} ref={name.clone()} />
                <label for="order-quantity">{ t!("order-quantity") }</label>
                <input id="order-quantity" type="number" inputmode="numeric" ref={quantity_field.clone()}
                    aria-invalid={quantity_error.is_some().then_some("true")} aria-describedby={quantity_error.is_some().then_some("order-quantity-error")} />
                if let Some(e) = &*quantity_error { <p class="error field-error" id="order-quantity-error" role="alert">{ e }</p> }
                <label for="order-term">{ t!("order-term") }</label>
                <select id="order-term" ref={term.clone()}>
                    <option value="P1M">{ crate::text::duration("P1M") }</option>
                    <option value="P1Y" selected=true>{ crate::text::duration("P1Y") }</option>
                    <option value="P3Y">{ crate::text::duration("P3Y") }</option>
                </select>
                <label for="order-cycle">{ t!("order-billing") }</label>
                <select id="order-cycle" ref={cycle.clone()}>
                    <option value="MONTHLY" selected=true>{ t!("order-monthly") }</option>
                    <option value="ANNUAL">{ t!("order-annual") }</option>
                    <option value="NONE">{ t!("order-usage") }</option>
                </select>
                if !resellers.is_empty() {
                    <label for="order-reseller">{ t!("order-reseller") }</label>
                    <select id="order-reseller" ref={reseller.clone()}>
                        { for resellers.iter().enumerate().map(|(i, r)| html! { <option value={r.id.clone()} selected={i == 0}>{ &r.name }</option> }) }
                    </select>
                }
                <label><input type="checkbox" class="check" ref={no_renewal.clone()} />{ format!(" {}", t!("order-no-renewal")) }</label>
                <button type="submit">{ t!("order-submit") }</button>
            </form>
        }
    });
    html! {
        <details class="card">
            <summary>{ t!("order-title") }</summary>
            { body }
            if let Some(e) = create.error() { <p class="error" role="alert">{ e.words() }</p> }
        </details>
    }
}
