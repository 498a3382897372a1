//! `/support`: support requests. The customer or its support partner opens one on a
//! subscription; the support partner works it (status, comments) and may escalate it to the
//! operator.

use crate::components::support_request::STATUSES;
use crate::components::{Pager, SearchBox, SignInForm, SupportRequest, TextField, show, use_pages};
use crate::form::field_value;
use crate::hooks::{use_mutation, use_outcome, use_query, use_session};
use crate::live::use_refetch_on;
use crate::queries::*;
use crate::t;
use crate::text::limits;
use yew::prelude::*;

fn status_filter(value: &str) -> Option<support_requests::SupportRequestStatus> {
    use support_requests::SupportRequestStatus as S;
    Some(match value {
        "OPEN" => S::OPEN,
        "IN_PROGRESS" => S::IN_PROGRESS,
        "ESCALATED" => S::ESCALATED,
        "RESOLVED" => S::RESOLVED,
        _ => return None,
    })
}

#[function_component(SupportPage)]
pub fn support_page() -> Html {
    let session = use_session();
    let pages = use_pages();
    let filter = pages.list().get("status");
    let (state, reload) = use_query::<SupportRequests>(support_requests::Variables {
        status: status_filter(&filter),
        search: pages.list().get_opt("q"),
        after: pages.after(),
    });
    // The other side's comments and status changes show up without a reload.
    use_refetch_on(&["support_request"], &reload);
    let open_request = use_mutation::<OpenSupportRequest>();
    let outcome = use_outcome();
    let (subscription, title, description) = (use_node_ref(), use_node_ref(), use_node_ref());
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let open = {
        let (outcome, reload) = (outcome.clone(), reload.clone());
        let (subscription, title, description) = (subscription.clone(), title.clone(), description.clone());
        Callback::from(move |e: SubmitEvent| {
            let input = open_support_request::OpenSupportRequestInput {
                subscription_id: field_value(&subscription),
                title: field_value(&title),
                description: field_value(&description),
            };
            let done = outcome.then_reload(t!("support-opened"), &reload);
            open_request.submit(&e, open_support_request::Variables { input }, done);
        })
    };
    let on_filter = {
        let list = pages.list().clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            list.set("status", &select.value());
        })
    };
    let body = show(&*state, |d| {
        if !d.viewer.reads_records {
            return html! {
                <p class="card">{ t!("support-not-for-your-role") }</p>
            };
        }
        let openable: Vec<_> = d
            .subscriptions
            .edges
            .iter()
            .map(|e| &e.node)
            .filter(|n| n.viewer_can.open_support_request.allowed)
            .collect();
        html! {
            <>
            if !openable.is_empty() {
                <form class="card" onsubmit={open.clone()} aria-label={t!("support-open-title")}>
                    <h2>{ t!("support-open-title") }</h2>
                    <label for="support-subscription">{ t!("support-subscription") }</label>
                    <select id="support-subscription" ref={subscription.clone()}>
                        { for openable.iter().enumerate().map(|(i, n)| html! { <option value={n.id.clone()} selected={i == 0}>{ format!("{} ({})", n.friendly_name, n.customer.name) }</option> }) }
                    </select>
                    <TextField id="support-title" label={t!("support-title-label")} max={limits::TITLE} required=true node_ref={title.clone()} />
                    <TextField id="support-description" label={t!("support-what-is-wrong")} max={limits::DESCRIPTION} multiline=true node_ref={description.clone()} />
                    <button type="submit">{ t!("support-open") }</button>
                </form>
            }
            if d.support_requests.nodes.is_empty() { <p class="muted">{ t!("support-none") }</p> }
            { for d.support_requests.nodes.iter().map(|r| html! { <SupportRequest key={r.id.clone()} request={r.clone()} reload={reload.clone()} outcome={outcome.clone()} /> }) }
            <Pager pages={pages.clone()} has_next={d.support_requests.page_info.has_next_page} end_cursor={d.support_requests.page_info.end_cursor.clone()} />
            </>
        }
    });
    html! {
        <section aria-labelledby="support-title-h">
            <h1 id="support-title-h">{ t!("support-page-title") }</h1>
            { outcome.view() }
            <div class="filters">
                <div><SearchBox list={pages.list().clone()} id="support-search" label={t!("support-search")} /></div>
                <div>
                    <label for="support-filter">{ t!("support-status") }</label>
                    <select id="support-filter" onchange={on_filter}>
                        <option value="" selected={filter.is_empty()}>{ t!("support-all") }</option>
                        { for STATUSES.iter().map(|(v, w)| html! { <option value={*v} selected={filter == *v}>{ t!(w) }</option> }) }
                    </select>
                </div>
            </div>
            { body }
        </section>
    }
}
