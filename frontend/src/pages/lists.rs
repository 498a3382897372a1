//! The subscriptions list with filters, and the customer's choice of provisioning and support
//! partner on a subscription.

use super::{load, session_token};
use crate::SessionHandle;
use crate::api::{self, ApiError};
use crate::components::{Load, SignInForm, channel_badge, name, show, words};
use crate::queries::*;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(SubscriptionsPage)]
pub fn subscriptions_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<subscriptions_list::ResponseData>::Loading);
    let channel = use_state(String::new);
    let status = use_state(String::new);
    let service = use_state(String::new);
    let customer = use_state(String::new);
    let after = use_state(|| None::<String>);
    // The filters' choices, kept while the list reloads.
    let choices = use_state(|| (Vec::new(), Vec::new()));
    {
        let (session, state) = (session.clone(), state.clone());
        let deps = (
            ((*channel).clone(), (*status).clone(), (*service).clone(), (*customer).clone()),
            (*after).clone(),
            session.is_some(),
        );
        use_effect_with(deps, move |((channel, status, service, customer), after, signed_in)| {
            if *signed_in {
                use subscriptions_list::{PurchaseChannel as C, SubscriptionStatus as S};
                let filter = subscriptions_list::SubscriptionFilter {
                    customer_id: (!customer.is_empty()).then(|| customer.clone()),
                    partner_id: None,
                    stage: None,
                    service_id: (!service.is_empty()).then(|| service.clone()),
                    channel: match channel.as_str() {
                        "ONLINE_DIRECT" => Some(C::ONLINE_DIRECT),
                        "ADVISOR" => Some(C::ADVISOR),
                        "CSP_DIRECT" => Some(C::CSP_DIRECT),
                        "CSP_INDIRECT" => Some(C::CSP_INDIRECT),
                        _ => None,
                    },
                    status: match status.as_str() {
                        "PENDING" => Some(S::PENDING),
                        "ACTIVE" => Some(S::ACTIVE),
                        "SUSPENDED" => Some(S::SUSPENDED),
                        "DELETED" => Some(S::DELETED),
                        "EXPIRED" => Some(S::EXPIRED),
                        _ => None,
                    },
                };
                load::<SubscriptionsList>(
                    session,
                    subscriptions_list::Variables { filter: Some(filter), after: after.clone() },
                    state,
                );
            }
        });
    }
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let pick = |handle: UseStateHandle<String>| {
        let after = after.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            after.set(None);
            handle.set(select.value());
        })
    };
    if let Load::Ready(d) = &*state {
        let now = (
            d.catalog.services.iter().map(|s| (s.id.clone(), s.name.clone())).collect::<Vec<_>>(),
            d.customers.edges.iter().map(|e| (e.node.id.clone(), e.node.name.clone())).collect::<Vec<_>>(),
        );
        if *choices != now {
            choices.set(now);
        }
    }
    let (services, customers) = &*choices;
    html! {
        <section aria-labelledby="subs-title">
            <h1 id="subs-title">{ "Subscriptions" }</h1>
            <div class="filters">
                <div><label for="f-channel">{ "Channel" }</label>
                <select id="f-channel" onchange={pick(channel.clone())}>
                    <option value="" selected={channel.is_empty()}>{ "All" }</option><option value="ONLINE_DIRECT">{ "Online direct" }</option><option value="ADVISOR">{ "Advisor" }</option>
                    <option value="CSP_DIRECT">{ "CSP direct" }</option><option value="CSP_INDIRECT">{ "CSP indirect" }</option>
                </select></div>
                <div><label for="f-status">{ "Status" }</label>
                <select id="f-status" onchange={pick(status.clone())}>
                    <option value="" selected={status.is_empty()}>{ "All" }</option><option value="ACTIVE">{ "Active" }</option><option value="SUSPENDED">{ "Suspended" }</option>
                    <option value="PENDING">{ "Pending" }</option><option value="EXPIRED">{ "Expired" }</option><option value="DELETED">{ "Deleted" }</option>
                </select></div>
                <div><label for="f-service">{ "Service" }</label>
                <select id="f-service" onchange={pick(service.clone())}>
                    <option value="" selected={service.is_empty()}>{ "All" }</option>
                    { for services.iter().map(|(id, name)| html! { <option value={id.clone()} selected={*service == *id}>{ name }</option> }) }
                </select></div>
                if customers.len() > 1 || !customer.is_empty() {
                    <div><label for="f-customer">{ "Customer" }</label>
                    <select id="f-customer" onchange={pick(customer.clone())}>
                        <option value="" selected={customer.is_empty()}>{ "All" }</option>
                        { for customers.iter().map(|(id, name)| html! { <option value={id.clone()} selected={*customer == *id}>{ name }</option> }) }
                    </select></div>
                }
            </div>
            { show(&*state, |d| {
                let c = &d.subscriptions;
                let next = { let (after, end) = (after.clone(), c.page_info.end_cursor.clone()); Callback::from(move |_| after.set(end.clone())) };
                let first = { let after = after.clone(); Callback::from(move |_| after.set(None)) };
                html! {
                    <>
                    <p class="muted">{ format!("{} subscriptions", c.total_count) }</p>
                    if c.edges.is_empty() { <p class="muted">{ "No subscriptions match." }</p> }
                    <table>
                        <thead><tr><th scope="col">{ "Subscription" }</th><th scope="col">{ "Customer" }</th><th scope="col">{ "Channel" }</th><th scope="col">{ "Partner of record" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Seats" }</th><th scope="col">{ "Commitment end" }</th></tr></thead>
                        <tbody>{ for c.edges.iter().map(|e| { let n = &e.node; html! {
                            <tr>
                                <td><Link<Route> to={Route::Subscription { id: n.id.clone() }}>{ &n.friendly_name }</Link<Route>><br/><span class="muted">{ &n.service.name }</span>
                                    if n.is_multi_channel { <span class="badge multi">{ "multi-channel" }</span> }</td>
                                <td>{ &n.customer.name }</td>
                                <td>{ channel_badge(&name(&n.purchase_channel)) }</td>
                                <td>{ n.partner_of_record.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "21Vianet (operator)".into()) }</td>
                                <td>{ words(&n.status) }</td>
                                <td>{ format!("{}/{}", n.assigned_seats, n.quantity) }</td>
                                <td>{ &n.commitment_end }</td>
                            </tr>
                        } }) }</tbody>
                    </table>
                    <div class="pager">
                        <button class="secondary" disabled={after.is_none()} onclick={first}>{ "First page" }</button>
                        <button class="secondary" disabled={!c.page_info.has_next_page} onclick={next}>{ "Next" }</button>
                    </div>
                    </>
                }
            }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub subscription_id: String,
    pub customer_id: String,
    pub service: String,
    pub on_done: Callback<()>,
}

/// The customer's global admin hands provisioning or support to a partner holding the role.
#[function_component(StageAssignment)]
pub fn stage_assignment(props: &StageProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<stage_holders::ResponseData>::Loading);
    let outcome = use_state(|| None::<Result<String, ApiError>>);
    let stage = use_node_ref();
    let partner = use_node_ref();
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with(props.customer_id.clone(), move |id| {
            load::<StageHolders>(session, stage_holders::Variables { customer_id: id.clone() }, state);
        });
    }
    let submit = {
        let (token, outcome, stage, partner, id, done) = (
            session_token(&session),
            outcome.clone(),
            stage.clone(),
            partner.clone(),
            props.subscription_id.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value =
                |r: &NodeRef| r.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            let stage_value = if value(&stage) == "SUPPORT" {
                assign_stage::LifecycleStage::SUPPORT
            } else {
                assign_stage::LifecycleStage::PROVISIONING
            };
            let partner_id = Some(value(&partner)).filter(|p| !p.is_empty());
            let input = assign_stage::AssignServicePartnerInput {
                subscription_id: id.clone(),
                stage: stage_value,
                partner_id,
            };
            let (token, outcome, done) = (token.clone(), outcome.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let r =
                    api::run_unit::<AssignStage>(token.as_deref(), assign_stage::Variables { input }).await;
                let ok = r.is_ok();
                outcome.set(Some(r.map(|_| "Service partner assigned.".to_owned())));
                if ok {
                    done.emit(());
                }
            });
        })
    };
    html! {
        <form class="card" onsubmit={submit} aria-label="Choose the provisioning or support partner">
            <h2>{ "Provisioning and support partner" }</h2>
            <label for="stage">{ "Stage" }</label>
            <select id="stage" ref={stage}><option value="PROVISIONING" selected=true>{ "Provisioning" }</option><option value="SUPPORT">{ "Support" }</option></select>
            <label for="stage-partner">{ format!("Partner (holding delegated rights for {})", props.service) }</label>
            <select id="stage-partner" ref={partner}>
                <option value="" selected=true>{ "Back to the partner of record (or the operator)" }</option>
                { show(&*state, |d| {
                    let holders = d.channel_map.partners.iter().filter(|p| {
                        p.delegated_admin_relationships
                            .iter()
                            .any(|r| name(&r.status) == "ACTIVE" && r.services.iter().any(|s| s.name == props.service))
                    });
                    html! { { for holders.map(|p| html! { <option value={p.partner.id.clone()}>{ &p.partner.name }</option> }) } }
                }) }
            </select>
            <button type="submit">{ "Assign" }</button>
            { match &*outcome {
                Some(Ok(m)) => html! { <p class="ok" role="status">{ m }</p> },
                Some(Err(e)) => html! { <p class="error" role="alert">{ e.words() }</p> },
                None => html! {},
            } }
        </form>
    }
}
