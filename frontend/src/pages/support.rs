//! Support requests: the customer or its support partner opens one on a subscription; the
//! support partner works it (status, comments) and may escalate it to the operator.

use super::{Outcome, date, field_value, load, mutate, outcome_view, session_token, submit};
use crate::SessionHandle;
use crate::components::{Load, SignInForm, show};
use crate::queries::*;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

const STATUSES: [(&str, &str); 4] =
    [("OPEN", "Open"), ("IN_PROGRESS", "In progress"), ("ESCALATED", "Escalated"), ("RESOLVED", "Resolved")];

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

fn status_words(status: &str) -> &str {
    STATUSES.iter().find(|(v, _)| *v == status).map(|(_, w)| *w).unwrap_or(status)
}

#[function_component(SupportPage)]
pub fn support_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<support_requests::ResponseData>::Loading);
    let outcome: Outcome = use_state(|| None);
    let reload = use_state(|| 0u32);
    let filter = use_state(String::new);
    let (subscription, title, description) = (use_node_ref(), use_node_ref(), use_node_ref());
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with(((*filter).clone(), *reload, session.is_some()), move |(f, _, signed_in)| {
            if *signed_in {
                load::<SupportRequests>(
                    session,
                    support_requests::Variables { status: status_filter(f) },
                    state,
                );
            }
        });
    }
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let token = session_token(&session);
    let open = {
        let (token, outcome, reload) = (token.clone(), outcome.clone(), reload.clone());
        let (subscription, title, description) = (subscription.clone(), title.clone(), description.clone());
        Callback::from(move |e: SubmitEvent| {
            let input = open_support_request::OpenSupportRequestInput {
                subscription_id: field_value(&subscription),
                title: field_value(&title),
                description: field_value(&description),
            };
            submit::<OpenSupportRequest>(
                &e,
                token.clone(),
                open_support_request::Variables { input },
                outcome.clone(),
                reload.clone(),
                "Support request opened.".into(),
            );
        })
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            filter.set(select.value());
        })
    };
    let body = show(&*state, |d| {
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
                <form class="card" onsubmit={open.clone()} aria-label="Open a support request">
                    <h2>{ "Open a support request" }</h2>
                    <label for="support-subscription">{ "Subscription" }</label>
                    <select id="support-subscription" ref={subscription.clone()}>
                        { for openable.iter().enumerate().map(|(i, n)| html! { <option value={n.id.clone()} selected={i == 0}>{ format!("{} ({})", n.friendly_name, n.customer.name) }</option> }) }
                    </select>
                    <label for="support-title">{ "Title" }</label>
                    <input id="support-title" required=true maxlength="200" ref={title.clone()} />
                    <label for="support-description">{ "What is wrong" }</label>
                    <textarea id="support-description" ref={description.clone()} />
                    <button type="submit">{ "Open request" }</button>
                </form>
            }
            if d.support_requests.is_empty() { <p class="muted">{ "No support requests." }</p> }
            { for d.support_requests.iter().map(|r| html! { <RequestCard request={r.clone()} reload={reload.clone()} outcome={outcome.clone()} /> }) }
            </>
        }
    });
    html! {
        <section aria-labelledby="support-title-h">
            <h1 id="support-title-h">{ "Support requests" }</h1>
            { outcome_view(&outcome) }
            <div class="filters">
                <div>
                    <label for="support-filter">{ "Status" }</label>
                    <select id="support-filter" onchange={on_filter}>
                        <option value="" selected={filter.is_empty()}>{ "All" }</option>
                        { for STATUSES.iter().map(|(v, w)| html! { <option value={*v} selected={*filter == *v}>{ *w }</option> }) }
                    </select>
                </div>
            </div>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RequestProps {
    request: support_requests::SupportRequestsSupportRequests,
    reload: UseStateHandle<u32>,
    outcome: Outcome,
}

/// One request: what it is about, its comments, and the form that works it.
#[function_component(RequestCard)]
fn request_card(props: &RequestProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let (status, comment) = (use_node_ref(), use_node_ref());
    let r = &props.request;
    let token = session_token(&session);
    let update = {
        let (token, id, outcome, reload) =
            (token.clone(), r.id.clone(), props.outcome.clone(), props.reload.clone());
        let (status, comment) = (status.clone(), comment.clone());
        Callback::from(move |e: SubmitEvent| {
            use update_support_request::SupportRequestStatus as S;
            let to = match field_value(&status).as_str() {
                "OPEN" => Some(S::OPEN),
                "IN_PROGRESS" => Some(S::IN_PROGRESS),
                "RESOLVED" => Some(S::RESOLVED),
                _ => None,
            };
            let text = field_value(&comment);
            let input = update_support_request::UpdateSupportRequestInput {
                id: id.clone(),
                status: to,
                comment: (!text.trim().is_empty()).then_some(text),
            };
            submit::<UpdateSupportRequest>(
                &e,
                token.clone(),
                update_support_request::Variables { input },
                outcome.clone(),
                reload.clone(),
                "Support request updated.".into(),
            );
        })
    };
    let escalate = {
        let (token, id, outcome, reload) =
            (token.clone(), r.id.clone(), props.outcome.clone(), props.reload.clone());
        let comment = comment.clone();
        Callback::from(move |_| {
            let text = field_value(&comment);
            let input = escalate_support_request::EscalateSupportRequestInput {
                id: id.clone(),
                comment: (!text.trim().is_empty()).then_some(text),
            };
            mutate::<EscalateSupportRequest>(
                token.clone(),
                escalate_support_request::Variables { input },
                outcome.clone(),
                reload.clone(),
                "Escalated to the operator.".into(),
            );
        })
    };
    let comments = r.comments.as_array().cloned().unwrap_or_default();
    let text = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    let field = |name: &str| format!("{name}-{}", r.id);
    html! {
        <article class="card request" aria-labelledby={field("req")}>
            <h2 id={field("req")}>{ &r.title }</h2>
            <p>
                <strong>{ status_words(&r.status) }</strong>
                { format!(" · {} · opened {}", r.customer.name, date(&r.created_at)) }
                { " · " }
                if let Some(s) = &r.subscription {
                    <Link<Route> to={Route::Subscription { id: s.id.clone() }}>{ &s.friendly_name }</Link<Route>>
                }
                { format!(" · worked by {}", r.support_partner.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "21Vianet (operator)".into())) }
            </p>
            if !r.description.is_empty() { <blockquote>{ &r.description }</blockquote> }
            if !comments.is_empty() {
                <ul class="comments">{ for comments.iter().map(|c| html! {
                    <li>{ format!("{} ({}): {}", text(c, "by"), date(&text(c, "at")), text(c, "body")) }</li>
                }) }</ul>
            }
            if r.status != "RESOLVED" {
                <form onsubmit={update}>
                    <label for={field("comment")}>{ "Comment" }</label>
                    <textarea id={field("comment")} ref={comment} />
                    <label for={field("status")}>{ "Status" }</label>
                    <select id={field("status")} ref={status}>
                        <option value="" selected=true>{ "Keep as it is" }</option>
                        <option value="IN_PROGRESS">{ "In progress" }</option>
                        <option value="RESOLVED">{ "Resolved" }</option>
                    </select>
                    <div class="actions">
                        <button type="submit">{ "Update" }</button>
                        if r.status != "ESCALATED" {
                            <button type="button" class="secondary" onclick={escalate}>{ "Escalate to operator" }</button>
                        }
                    </div>
                </form>
            }
        </article>
    }
}
