//! One support request: what it is about, its comments, and the form that works it; and the
//! statuses a request goes through.

use crate::components::TextField;
use crate::form::field_value;
use crate::hooks::{Outcome, use_mutation};
use crate::queries::*;
use crate::route::Route;
use crate::text::{date, limits};
use yew::prelude::*;
use yew_router::prelude::*;

pub const STATUSES: [(&str, &str); 4] =
    [("OPEN", "Open"), ("IN_PROGRESS", "In progress"), ("ESCALATED", "Escalated"), ("RESOLVED", "Resolved")];

fn status_words(status: &str) -> &str {
    STATUSES.iter().find(|(v, _)| *v == status).map(|(_, w)| *w).unwrap_or(status)
}

#[derive(Properties, PartialEq)]
pub struct RequestProps {
    pub request: support_requests::SupportRequestsSupportRequestsNodes,
    pub reload: Callback<()>,
    pub outcome: Outcome,
}

/// One request: what it is about, its comments, and the form that works it.
#[function_component(SupportRequest)]
pub fn support_request(props: &RequestProps) -> Html {
    let update_request = use_mutation::<UpdateSupportRequest>();
    let escalate_request = use_mutation::<EscalateSupportRequest>();
    let (status, comment) = (use_node_ref(), use_node_ref());
    let r = &props.request;
    let update = {
        let (update_request, id, outcome, reload) =
            (update_request.clone(), r.id.clone(), props.outcome.clone(), props.reload.clone());
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
            let done = outcome.then_reload("Support request updated.", &reload);
            update_request.submit(&e, update_support_request::Variables { input }, done);
        })
    };
    let escalate = {
        let (escalate_request, id, outcome, reload) =
            (escalate_request.clone(), r.id.clone(), props.outcome.clone(), props.reload.clone());
        let comment = comment.clone();
        Callback::from(move |_| {
            let text = field_value(&comment);
            let input = escalate_support_request::EscalateSupportRequestInput {
                id: id.clone(),
                comment: (!text.trim().is_empty()).then_some(text),
            };
            let done = outcome.then_reload("Escalated to the operator.", &reload);
            escalate_request.send(escalate_support_request::Variables { input }, done);
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
                } else {
                    <span class="muted">{ "a subscription you cannot see" }</span>
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
                    <TextField id={field("comment")} label="Comment" max={limits::COMMENT} multiline=true node_ref={comment} />
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
