//! The notifications menu in the header: a bell with the viewer's unread count (kept current
//! by the live feed), opening the newest events in words, each linking to the thing it
//! happened to. Opening it marks what it shows as seen.

use crate::api::Session;
use crate::hooks::{Load, use_mutation, use_query, use_session};
use crate::i18n::{date_time, relative};
use crate::live::use_refetch_on;
use crate::queries::{MarkEventsSeen, Notifications, mark_events_seen, notifications};
use crate::route::Route;
use crate::t;
use notifications::NotificationsEventsEdgesNode as Event;
use notifications::NotificationsEventsEdgesNodeSubjectOn as On;
use yew::prelude::*;
use yew_router::prelude::*;

/// Where an event's subject opens (its own page where it has one, else its list), and its name.
fn target(e: &Event, session: Option<&Session>) -> (Option<Route>, Option<String>) {
    let partner = session.is_some_and(Session::is_partner);
    let Some(s) = &e.subject else {
        // Not readable (any more): its list, where there is one the viewer sees.
        return (list_of(&e.subject_type, partner), None);
    };
    let id = s.id.clone();
    match &s.on {
        On::SupportRequest(r) => (Some(Route::Support), Some(r.title.clone())),
        On::Subscription(x) => (Some(Route::Subscription { id }), Some(x.friendly_name.clone())),
        On::Customer(c) => (Some(Route::Customer { id }), Some(c.name.clone())),
        On::Invitation(i) => {
            let route = match (&i.code, partner) {
                (_, true) => Some(Route::Invitations),
                (Some(code), false) => Some(Route::Invitation { code: code.clone() }),
                (None, false) => Some(Route::Relationships),
            };
            (route, i.customer.as_ref().map(|c| c.name.clone()))
        }
        On::DelegatedAdminRelationship(d) => (Some(Route::DelegatedAdmin), Some(d.display_name.clone())),
        On::ResellerRelationship(r) => {
            let name = if partner {
                r.customer.as_ref().map(|c| c.name.clone())
            } else {
                Some(r.partner.name.clone())
            };
            (Some(Route::Relationships), name)
        }
        On::ResellerPartnership(p) => {
            let name = p
                .reseller
                .as_ref()
                .map(|r| t!("notifications-pair", a = p.provider.name.clone(), b = r.name.clone()));
            (Some(Route::Partnerships), name.or_else(|| Some(p.provider.name.clone())))
        }
        _ => (list_of(&e.subject_type, partner), None),
    }
}

/// The list a kind of thing is shown in.
fn list_of(kind: &str, partner: bool) -> Option<Route> {
    Some(match kind {
        "SupportRequest" => Route::Support,
        "DelegatedAdminRelationship" => Route::DelegatedAdmin,
        "Subscription" => Route::Subscriptions,
        "ResellerRelationship" => Route::Relationships,
        "Invitation" | "ResellerPartnership" if !partner => Route::Relationships,
        "Invitation" => Route::Invitations,
        "ResellerPartnership" => Route::Partnerships,
        _ => return None,
    })
}

/// How long ago, in the viewer's words ("just now", "5 minutes ago", "3小时前"), else the day and
/// time once a day has passed.
fn ago(iso: &str) -> String {
    let then = js_sys::Date::parse(iso);
    let age = js_sys::Date::now() - then;
    if then.is_nan() || age >= 86_400_000.0 {
        return date_time(iso);
    }
    if age < 60_000.0 {
        return t!("notifications-just-now");
    }
    relative(iso)
}

fn item(e: &Event, session: Option<&Session>) -> Html {
    let (route, name) = target(e, session);
    let what = html! {
        <>
            <strong>{ &e.label }</strong>
            if let Some(n) = name { { ": " }{ n } }
        </>
    };
    let by = e
        .actor
        .as_ref()
        .map(|a| format!(" · {}", t!("notifications-by", name = a.display_name.clone())))
        .unwrap_or_default();
    html! {
        <li>
            { match route {
                Some(to) => html! { <Link<Route> {to}>{ what }</Link<Route>> },
                None => what,
            } }
            <span class="muted when">{ ago(&e.occurred_at) }{ by }</span>
        </li>
    }
}

const BELL: &str = "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z";

#[function_component(NotificationsMenu)]
pub fn notifications_menu() -> Html {
    let session = use_session();
    let (state, reload) = use_query::<Notifications>(notifications::Variables {});
    use_refetch_on(&[], &reload);
    let open = use_state_eq(|| false);
    let mark = use_mutation::<MarkEventsSeen>();
    let button = use_node_ref();
    let data = match &*state {
        Load::Ready(d) => Some(d),
        _ => None,
    };
    let unread = data.map(|d| d.unread_event_count).unwrap_or(0);
    let newest = data.and_then(|d| d.events.edges.last()).map(|e| e.node.cursor.clone());
    // What the open menu shows is seen: through the newest event shown, so whatever comes
    // after it still counts.
    {
        let (mark, reload) = (mark.clone(), reload.clone());
        use_effect_with((*open, newest, unread), move |(open, newest, unread)| {
            if let (true, Some(through), true) = (*open, newest.clone(), *unread > 0) {
                mark.send(mark_events_seen::Variables { through }, move |_| reload.emit(()));
            }
        });
    }
    let toggle = {
        let (open, reload) = (open.clone(), reload.clone());
        Callback::from(move |_| {
            if !*open {
                reload.emit(());
            }
            open.set(!*open);
        })
    };
    let on_key = {
        let (open, button) = (open.clone(), button.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && *open {
                open.set(false);
                if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        })
    };
    // Following a link closes the menu.
    let close = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(false))
    };
    let (badge, label) = match unread {
        0 => (None, t!("notifications-title")),
        n if n > 99 => (Some("99+".to_owned()), t!("notifications-many-unread")),
        n => (Some(n.to_string()), t!("notifications-unread", n = n)),
    };
    let events = data.map(|d| d.events.edges.iter().rev().map(|e| &e.node).collect::<Vec<_>>());
    html! {
        <div class="notifications" onkeydown={on_key}>
            <button ref={button} type="button" id="notifications-button" class="bell secondary"
                aria-expanded={open.to_string()} aria-controls="notifications-panel" aria-label={label}
                onclick={toggle}>
                <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"><path d={BELL} fill="currentColor" /></svg>
                if let Some(b) = badge { <span class="unread" aria-hidden="true">{ b }</span> }
            </button>
            <div id="notifications-panel" class="panel card" role="region" aria-label={t!("notifications-title")} hidden={!*open}>
                <h2>{ t!("notifications-title") }</h2>
                { match events {
                    None => html! { <p class="muted">{ t!("notifications-loading") }</p> },
                    Some(list) if list.is_empty() => html! { <p class="muted">{ t!("notifications-empty") }</p> },
                    Some(list) => html! {
                        <ul onclick={close}>{ for list.into_iter().map(|e| item(e, session.as_ref())) }</ul>
                    },
                } }
            </div>
        </div>
    }
}
