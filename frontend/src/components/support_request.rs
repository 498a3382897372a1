//! One support request: what it is about, its comments, and the form that works it; and the
//! statuses a request goes through.

use crate::components::TextField;
use crate::form::field_value;
use crate::hooks::{Outcome, use_mutation};
use crate::queries::*;
use crate::route::Route;
use crate::t;
use crate::text::{date, limits};
use yew::prelude::*;
use yew_router::prelude::*;

/// Each status with its catalog key.
pub const STATUSES: [(&str, &str); 4] = [
    ("OPEN", "support-status-open"),
    ("IN_PROGRESS", "support-status-in-progress"),
    ("ESCALATED", "support-status-escalated"),
    ("RESOLVED", "support-status-resolved"),
];

fn status_words(status: &str) -> String {
    STATUSES.iter().find(|(v, _)| *v == status).map(|(_, k)| t!(k)).unwrap_or_else(|| status.to_owned())
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
            let done = outcome.then_reload(t!("support-updated"), &reload);
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
            let done = outcome.then_reload(t!("support-escalated"), &reload);
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
                { format!(" · {} · {}", r.customer.name, t!("support-opened-on", date = date(&r.created_at))) }
                { " · " }
                if let Some(s) = &r.subscription {
                    <Link<Route> to={Route::Subscription { id: s.id.clone() }}>{ &s.friendly_name }</Link<Route>>
                } else {
                    <span class="muted">{ t!("support-hidden-subscription") }</span>
                }
                { format!(" · {}", t!("support-worked-by", name = r.support_partner.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| t!("support-operator")))) }
            </p>
            if !r.description.is_empty() { <blockquote>{ &r.description }</blockquote> }
            if !comments.is_empty() {
                <ul class="comments">{ for comments.iter().map(|c| html! {
                    <li>{ format!("{} ({}): {}", text(c, "by"), date(&text(c, "at")), text(c, "body")) }</li>
                }) }</ul>
            }
            if r.status != "RESOLVED" {
                <form onsubmit={update}>
                    <TextField id={field("comment")} label={t!("support-comment")} max={limits::COMMENT} multiline=true node_ref={comment} />
                    <label for={field("status")}>{ t!("support-status") }</label>
                    <select id={field("status")} ref={status}>
                        <option value="" selected=true>{ t!("support-keep") }</option>
                        <option value="IN_PROGRESS">{ t!("support-status-in-progress") }</option>
                        <option value="RESOLVED">{ t!("support-status-resolved") }</option>
                    </select>
                    <div class="actions">
                        <button type="submit">{ t!("support-update") }</button>
                        if r.status != "ESCALATED" {
                            <button type="button" class="secondary" onclick={escalate}>{ t!("support-escalate") }</button>
                        }
                    </div>
                </form>
            }
        </article>
    }
}
