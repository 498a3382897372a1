//! `/subscriptions`: every subscription the viewer can see, filtered by channel, status,
//! service and customer.

use crate::components::SignInForm;
use crate::components::{ListState, Pager, SearchBox, SortHeader, channel_badge, show, use_pages};
use crate::hooks::{Load, use_query, use_session};
use crate::queries::{SubscriptionsList, subscriptions_list};
use crate::route::Route;
use crate::t;
use crate::text::{name, words};
use yew::prelude::*;
use yew_router::prelude::*;

/// The list's filter from the choices made (an empty choice is "all").
fn filter(
    channel: &str,
    status: &str,
    service: &str,
    customer: &str,
    search: Option<String>,
) -> subscriptions_list::SubscriptionFilter {
    use subscriptions_list::{PurchaseChannel as C, SubscriptionStatus as S};
    subscriptions_list::SubscriptionFilter {
        customer_id: (!customer.is_empty()).then(|| customer.to_owned()),
        search,
        partner_id: None,
        stage: None,
        service_id: (!service.is_empty()).then(|| service.to_owned()),
        channel: match channel {
            "ONLINE_DIRECT" => Some(C::ONLINE_DIRECT),
            "ADVISOR" => Some(C::ADVISOR),
            "CSP_DIRECT" => Some(C::CSP_DIRECT),
            "CSP_INDIRECT" => Some(C::CSP_INDIRECT),
            _ => None,
        },
        status: match status {
            "PENDING" => Some(S::PENDING),
            "ACTIVE" => Some(S::ACTIVE),
            "SUSPENDED" => Some(S::SUSPENDED),
            "DELETED" => Some(S::DELETED),
            "EXPIRED" => Some(S::EXPIRED),
            _ => None,
        },
    }
}

/// A select's options, the current value selected (so a reloaded URL shows its filter).
fn options(current: &str, choices: &[(&'static str, String)]) -> Html {
    choices
        .iter()
        .map(|(v, l)| html! { <option value={*v} selected={current == *v}>{ l }</option> })
        .collect()
}

/// A code as capitalized words, for a filter's choice: "Online direct".
fn cap(code: &str) -> String {
    crate::text::capitalized(&crate::text::code_words(code))
}

/// The order asked for in the URL (by name when none).
fn order(list: &ListState) -> Option<subscriptions_list::SubscriptionOrder> {
    use subscriptions_list::{OrderDirection as D, SubscriptionOrderField as F};
    let (field, desc) = list.sort()?;
    let field = match field.as_str() {
        "seats" => F::QUANTITY,
        "ordered" => F::CREATED_AT,
        _ => F::NAME,
    };
    Some(subscriptions_list::SubscriptionOrder { field, direction: if desc { D::DESC } else { D::ASC } })
}

#[function_component(SubscriptionsPage)]
pub fn subscriptions_page() -> Html {
    let session = use_session();
    let pages = use_pages();
    let list = pages.list().clone();
    let (channel, status, service, customer) =
        (list.get("channel"), list.get("status"), list.get("service"), list.get("customer"));
    // The filters' choices, kept while the list reloads.
    let choices = use_state(|| (Vec::new(), Vec::new()));
    let (state, _) = use_query::<SubscriptionsList>(subscriptions_list::Variables {
        filter: Some(filter(&channel, &status, &service, &customer, list.get_opt("q"))),
        order_by: order(&list),
        after: pages.after(),
    });
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let pick = |key: &'static str| {
        let list = list.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            list.set(key, &select.value());
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
            <h1 id="subs-title">{ t!("subs-title") }</h1>
            <SearchBox list={list.clone()} id="subs-search" label={t!("subs-search")} />
            <crate::components::export_button::ExportButton list="subscriptions" />
            <div class="filters">
                <div><label for="f-channel">{ t!("subs-channel") }</label>
                <select id="f-channel" onchange={pick("channel")}>
                    { options(&channel, &[("", t!("subs-all")), ("ONLINE_DIRECT", cap("ONLINE_DIRECT")), ("ADVISOR", cap("ADVISOR")), ("CSP_DIRECT", cap("CSP_DIRECT")), ("CSP_INDIRECT", cap("CSP_INDIRECT"))]) }
                </select></div>
                <div><label for="f-status">{ t!("subs-status") }</label>
                <select id="f-status" onchange={pick("status")}>
                    { options(&status, &[("", t!("subs-all")), ("ACTIVE", cap("ACTIVE")), ("SUSPENDED", cap("SUSPENDED")), ("PENDING", cap("PENDING")), ("EXPIRED", cap("EXPIRED")), ("DELETED", cap("DELETED"))]) }
                </select></div>
                <div><label for="f-service">{ t!("subs-service") }</label>
                <select id="f-service" onchange={pick("service")}>
                    <option value="" selected={service.is_empty()}>{ t!("subs-all") }</option>
                    { for services.iter().map(|(id, name)| html! { <option value={id.clone()} selected={service == *id}>{ name }</option> }) }
                </select></div>
                if customers.len() > 1 || !customer.is_empty() {
                    <div><label for="f-customer">{ t!("subs-customer") }</label>
                    <select id="f-customer" onchange={pick("customer")}>
                        <option value="" selected={customer.is_empty()}>{ t!("subs-all") }</option>
                        { for customers.iter().map(|(id, name)| html! { <option value={id.clone()} selected={customer == *id}>{ name }</option> }) }
                    </select></div>
                }
            </div>
            { show(&*state, |d| {
                let c = &d.subscriptions;
                html! {
                    <>
                    <p class="muted">{ crate::t!("count-subscriptions", n = c.total_count) }</p>
                    if c.edges.is_empty() { <p class="muted">{ t!("subs-none") }</p> }
                    <table>
                        <thead><tr><SortHeader list={list.clone()} label={t!("subs-col-subscription")} field="name" default=true /><th scope="col">{ t!("subs-col-customer") }</th><th scope="col">{ t!("subs-col-channel") }</th><th scope="col">{ t!("subs-col-partner-of-record") }</th><th scope="col">{ t!("subs-col-status") }</th><SortHeader list={list.clone()} label={t!("subs-col-seats")} field="seats" /><th scope="col">{ t!("subs-col-commitment-end") }</th></tr></thead>
                        <tbody>{ for c.edges.iter().map(|e| { let n = &e.node; html! {
                            <tr>
                                <td data-label={t!("subs-col-subscription")}><Link<Route> to={Route::Subscription { id: n.id.clone() }}>{ &n.friendly_name }</Link<Route>><br/><span class="muted">{ &n.service.name }</span>
                                    if n.is_multi_channel { <span class="badge multi">{ t!("badge-multi") }</span> }</td>
                                <td data-label={t!("subs-col-customer")}>{ &n.customer.name }</td>
                                <td data-label={t!("subs-col-channel")}>{ channel_badge(&name(&n.purchase_channel)) }</td>
                                <td data-label={t!("subs-col-partner-of-record")}>{ n.partner_of_record.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| t!("badge-operator")) }</td>
                                <td data-label={t!("subs-col-status")}>{ words(&n.status) }</td>
                                <td data-label={t!("subs-col-seats")}>{ format!("{}/{}", n.assigned_seats, n.quantity) }</td>
                                <td data-label={t!("subs-col-commitment-end")}>{ crate::text::date(&n.commitment_end) }</td>
                            </tr>
                        } }) }</tbody>
                    </table>
                    <Pager pages={pages.clone()} has_next={c.page_info.has_next_page} end_cursor={c.page_info.end_cursor.clone()} />
                    </>
                }
            }) }
        </section>
    }
}
