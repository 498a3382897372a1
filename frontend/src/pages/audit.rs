//! `/audit`: the audit log, newest first, filtered by action.

use crate::components::{SignInForm, show};
use crate::hooks::{use_query, use_session};
use crate::queries::{AuditLog, audit_log};
use yew::prelude::*;

#[function_component(AuditPage)]
pub fn audit_page() -> Html {
    let session = use_session();
    let action = use_state(String::new);
    let after = use_state(|| None::<String>);
    let (state, _) = use_query::<AuditLog>(audit_log::Variables {
        action: (!action.is_empty()).then(|| (*action).clone()),
        after: (*after).clone(),
    });
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let on_action = {
        let (action, after) = (action.clone(), after.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            after.set(None);
            action.set(input.value().trim().to_owned());
        })
    };
    html! {
        <section aria-labelledby="audit-title">
            <h1 id="audit-title">{ "Audit log" }</h1>
            <label for="audit-action">{ "Action (e.g. invitation.accepted)" }</label>
            <input id="audit-action" onchange={on_action} value={(*action).clone()} />
            { show(&*state, |d| {
                let c = &d.audit_events;
                let next = { let (after, end) = (after.clone(), c.page_info.end_cursor.clone()); Callback::from(move |_| after.set(end.clone())) };
                html! {
                    <>
                    if c.edges.is_empty() { <p class="muted">{ "No events." }</p> }
                    <table>
                        <thead><tr><th scope="col">{ "When" }</th><th scope="col">{ "Action" }</th><th scope="col">{ "By" }</th><th scope="col">{ "Details" }</th></tr></thead>
                        <tbody>{ for c.edges.iter().map(|e| html! {
                            <tr>
                                <td>{ e.node.occurred_at.replace('T', " ").chars().take(19).collect::<String>() }</td>
                                <td><code>{ &e.node.action }</code></td>
                                <td>{ e.node.actor_organization.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "system".into()) }</td>
                                <td><code class="details">{ e.node.details.to_string() }</code></td>
                            </tr>
                        }) }</tbody>
                    </table>
                    <button class="secondary" disabled={!c.page_info.has_next_page} onclick={next}>{ "Older" }</button>
                    </>
                }
            }) }
        </section>
    }
}
