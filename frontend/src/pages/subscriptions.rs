//! `/subscriptions`: every subscription the viewer can see, filtered by channel, status,
//! service and customer.

use crate::components::SignInForm;
use crate::components::{ListState, Pager, SearchBox, SortHeader, channel_badge, show, use_pages};
use crate::hooks::{Load, use_query, use_session};
use crate::queries::{SubscriptionsList, subscriptions_list};
use crate::route::Route;
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
fn options(current: &str, choices: &[(&'static str, &'static str)]) -> Html {
    choices
        .iter()
        .map(|(v, l)| html! { <option value={*v} selected={current == *v}>{ *l }</option> })
        .collect()
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
            <h1 id="subs-title">{ "Subscriptions" }</h1>
            <SearchBox list={list.clone()} id="subs-search" label="Search by name" />
            <crate::components::export_button::ExportButton list="subscriptions" />
            <div class="filters">
                <div><label for="f-channel">{ "Channel" }</label>
                <select id="f-channel" onchange={pick("channel")}>
                    { options(&channel, &[("", "All"), ("ONLINE_DIRECT", "Online direct"), ("ADVISOR", "Advisor"), ("CSP_DIRECT", "CSP direct"), ("CSP_INDIRECT", "CSP indirect")]) }
                </select></div>
                <div><label for="f-status">{ "Status" }</label>
                <select id="f-status" onchange={pick("status")}>
                    { options(&status, &[("", "All"), ("ACTIVE", "Active"), ("SUSPENDED", "Suspended"), ("PENDING", "Pending"), ("EXPIRED", "Expired"), ("DELETED", "Deleted")]) }
                </select></div>
                <div><label for="f-service">{ "Service" }</label>
                <select id="f-service" onchange={pick("service")}>
                    <option value="" selected={service.is_empty()}>{ "All" }</option>
                    { for services.iter().map(|(id, name)| html! { <option value={id.clone()} selected={service == *id}>{ name }</option> }) }
                </select></div>
                if customers.len() > 1 || !customer.is_empty() {
                    <div><label for="f-customer">{ "Customer" }</label>
                    <select id="f-customer" onchange={pick("customer")}>
                        <option value="" selected={customer.is_empty()}>{ "All" }</option>
                        { for customers.iter().map(|(id, name)| html! { <option value={id.clone()} selected={customer == *id}>{ name }</option> }) }
                    </select></div>
                }
            </div>
            { show(&*state, |d| {
                let c = &d.subscriptions;
                html! {
                    <>
                    <p class="muted">{ crate::t!("count-subscriptions", n = c.total_count) }</p>
                    if c.edges.is_empty() { <p class="muted">{ "No subscriptions match." }</p> }
                    <table>
                        <thead><tr><SortHeader list={list.clone()} label="Subscription" field="name" default=true /><th scope="col">{ "Customer" }</th><th scope="col">{ "Channel" }</th><th scope="col">{ "Partner of record" }</th><th scope="col">{ "Status" }</th><SortHeader list={list.clone()} label="Seats" field="seats" /><th scope="col">{ "Commitment end" }</th></tr></thead>
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
                    <Pager pages={pages.clone()} has_next={c.page_info.has_next_page} end_cursor={c.page_info.end_cursor.clone()} />
                    </>
                }
            }) }
        </section>
    }
}
