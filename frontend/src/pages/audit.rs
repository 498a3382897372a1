//! `/audit`: the audit log, newest first, searched by what happened in words; each event's
//! details as labelled fields, linking to the things they name.

use crate::components::{Pager, SearchBox, SignInForm, show, use_pages};
use crate::hooks::{use_query, use_session};
use crate::i18n::date_time;
use crate::queries::{AuditLog, audit_log};
use crate::route::Route;
use crate::t;
use yew::prelude::*;
use yew_router::prelude::*;

/// Where a thing the log names opens, if it has a page.
fn route_of(kind: &str, id: &str) -> Option<Route> {
    Some(match kind {
        "Subscription" => Route::Subscription { id: id.to_owned() },
        "Customer" => Route::Customer { id: id.to_owned() },
        "Invitation" => Route::Invitations,
        "DelegatedAdminRelationship" => Route::DelegatedAdmin,
        "ResellerRelationship" => Route::Relationships,
        "ResellerPartnership" => Route::Partnerships,
        "SupportRequest" => Route::Support,
        "ApiToken" => Route::Tokens,
        _ => return None,
    })
}

/// A thing's name, as a link to its page when it has one.
fn named(kind: &str, id: &str, name: &str) -> Html {
    match route_of(kind, id) {
        Some(route) => html! { <Link<Route> to={route}>{ name }</Link<Route>> },
        None => html! { { name } },
    }
}

fn details(e: &audit_log::AuditLogAuditEventsEdgesNode) -> Html {
    html! {
        <dl class="details">
            <dt>{ &e.subject_label }</dt>
            <dd>{ match &e.subject {
                Some(s) => named(&s.kind, &s.id, &s.name),
                None => html! { <span class="muted">{ t!("audit-not-visible") }</span> },
            } }</dd>
            if let Some(c) = &e.customer {
                if e.subject.as_ref().map(|s| s.id != c.id).unwrap_or(true) {
                    <dt>{ t!("audit-customer") }</dt><dd>{ named(&c.kind, &c.id, &c.name) }</dd>
                }
            }
            { for e.fields.iter().map(|f| html! {
                <>
                <dt>{ &f.label }</dt>
                <dd>{ match &f.target {
                    Some(t) => named(&t.kind, &t.id, &f.value),
                    None => html! { { &f.value } },
                } }</dd>
                </>
            }) }
        </dl>
    }
}

#[function_component(AuditPage)]
pub fn audit_page() -> Html {
    let session = use_session();
    let pages = use_pages();
    let (state, _) = use_query::<AuditLog>(audit_log::Variables {
        search: pages.list().get_opt("q"),
        after: pages.after(),
    });
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    html! {
        <section aria-labelledby="audit-title">
            <h1 id="audit-title">{ t!("audit-title") }</h1>
            <SearchBox list={pages.list().clone()} id="audit-search" label={t!("audit-search")} />
            <crate::components::export_button::ExportButton list="audit" />
            { show(&*state, |d| {
                let c = &d.audit_events;
                html! {
                    <>
                    if c.edges.is_empty() { <p class="muted">{ t!("audit-none") }</p> }
                    <table>
                        <thead><tr><th scope="col">{ t!("audit-when") }</th><th scope="col">{ t!("audit-what") }</th><th scope="col">{ t!("audit-by") }</th><th scope="col">{ t!("audit-details") }</th></tr></thead>
                        <tbody>{ for c.edges.iter().map(|e| { let n = &e.node; html! {
                            <tr>
                                <td data-label={t!("audit-when")}>{ date_time(&n.occurred_at) }</td>
                                <td data-label={t!("audit-what")}>{ &n.action_label }<br/><span class="muted"><code>{ &n.action }</code></span></td>
                                <td data-label={t!("audit-by")}>{ match (&n.actor, &n.actor_organization) {
                                    (Some(p), Some(o)) => html! { <>{ &p.display_name }<br/><span class="muted">{ &o.name }</span></> },
                                    (None, Some(o)) => html! { { &o.name } },
                                    (Some(p), None) => html! { { &p.display_name } },
                                    (None, None) => html! { <span class="muted">{ t!("audit-the-system") }</span> },
                                } }</td>
                                <td data-label={t!("audit-details")}>{ details(n) }</td>
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
