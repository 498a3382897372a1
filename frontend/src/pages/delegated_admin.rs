//! `/delegated-admin`: the delegated admin relationships the viewer takes part in, with the
//! actions the API's `viewerCan` allows (and, where it allows none, why); a partner's draft
//! form; a customer's grant form (with the conflict and the explicit replace); and what ends
//! within 30 or 90 days beside subscription commitment ends.

use crate::api::ApiError;
use crate::components::{
    ConfirmButton, DraftForm, GrantForm, Offer, Pager, SignInForm, offer, refusals, show, terms, use_pages,
};
use crate::hooks::{Mutation, use_mutation, use_outcome, use_query, use_session};
use crate::live::use_refetch_on;
use crate::queries::*;
use crate::route::Route;
use crate::text::{date, date_after, duration, iso_day, name, words};
use yew::prelude::*;
use yew_router::prelude::*;

/// One mutation handle per relationship action.
#[derive(Clone)]
struct Actions {
    approve: Mutation<ApproveDelegatedAdmin>,
    auto_extend: Mutation<SetDelegatedAdminAutoExtend>,
    reject: Mutation<RejectDelegatedAdmin>,
    consent: Mutation<ConsentDelegatedAdmin>,
    request_approval: Mutation<RequestDelegatedAdminApproval>,
    delete: Mutation<DeleteDelegatedAdmin>,
    terminate: Mutation<TerminateDelegatedAdmin>,
}

#[hook]
fn use_actions() -> Actions {
    Actions {
        approve: use_mutation(),
        auto_extend: use_mutation(),
        reject: use_mutation(),
        consent: use_mutation(),
        request_approval: use_mutation(),
        delete: use_mutation(),
        terminate: use_mutation(),
    }
}

impl Actions {
    /// Runs one relationship action, by name.
    fn send(&self, action: &str, id: String, then: impl FnOnce(Result<(), ApiError>) + 'static) {
        macro_rules! by_id {
            ($handle:ident, $m:ident) => {
                self.$handle.send($m::Variables { input: $m::DelegatedAdminRelationshipIdInput { id } }, then)
            };
        }
        match action {
            "Approve" => self.approve.send(
                approve_delegated_admin::Variables {
                    input: approve_delegated_admin::ApproveDelegatedAdminRelationshipInput {
                        id,
                        replace_existing: false,
                    },
                },
                then,
            ),
            "Auto-extend on" | "Auto-extend off" => self.auto_extend.send(
                set_delegated_admin_auto_extend::Variables {
                    input: set_delegated_admin_auto_extend::SetDelegatedAdminAutoExtendInput {
                        id,
                        auto_extend: if action == "Auto-extend on" { "P180D" } else { "P0D" }.to_owned(),
                    },
                },
                then,
            ),
            "Reject" => by_id!(reject, reject_delegated_admin),
            "Consent" => by_id!(consent, consent_delegated_admin),
            "Request approval" => by_id!(request_approval, request_delegated_admin_approval),
            "Delete" => by_id!(delete, delete_delegated_admin),
            _ => by_id!(terminate, terminate_delegated_admin),
        }
    }
}

/// The actions the API lets the viewer take on a relationship, in the order they are offered.
fn offers(r: &delegated_admin::DelegatedAdminDelegatedAdminRelationshipsNodes) -> [Offer<'_>; 7] {
    let c = &r.viewer_can;
    let auto_extend = if r.auto_extend == "P180D" { "Auto-extend off" } else { "Auto-extend on" };
    [
        offer!("Request approval", c.request_approval),
        offer!("Approve", c.approve),
        offer!("Consent", c.consent),
        offer!(auto_extend, c.set_auto_extend),
        offer!("Reject", c.reject),
        offer!("Delete", c.delete),
        offer!("Terminate", c.terminate),
    ]
}

type Relationship = delegated_admin::DelegatedAdminDelegatedAdminRelationshipsNodes;

/// The actions that need a confirmation, and what the dialog says: the question, the
/// consequence in words, and the confirming button.
fn drastic(label: &str, r: &Relationship, is_customer: bool) -> Option<(String, String, &'static str)> {
    let roles = r.roles.iter().map(words).collect::<Vec<_>>().join(", ");
    let services = r.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ");
    match label {
        "Approve" => Some((
            format!("Approve \"{}\"?", r.display_name),
            format!(
                "{} gets {roles} rights for {services} in your organization until {} ({} from today){}.",
                r.partner.name,
                date_after(&r.duration),
                duration(&r.duration),
                if r.auto_extend == "P180D" {
                    ", then extends itself by 180 days at a time until turned off"
                } else {
                    ""
                }
            ),
            "Yes, approve",
        )),
        "Terminate" => Some((
            format!("Terminate \"{}\"?", r.display_name),
            if is_customer {
                format!(
                    "The {roles} rights of {} for {services} end now: it can no longer act on these services, and any stage it served falls back to the partner of record. This cannot be undone.",
                    r.partner.name
                )
            } else {
                format!(
                    "Your {roles} rights for {services} at {} end now: you can no longer act on these services there. This cannot be undone.",
                    r.customer.name
                )
            },
            "Yes, terminate",
        )),
        _ => None,
    }
}

/// When the relationship ends (or ended), in words.
fn ends(r: &Relationship) -> String {
    match name(&r.status).as_str() {
        "TERMINATED" => format!("ended {}", r.terminated_at.as_deref().map(date).unwrap_or_default()),
        "REJECTED" => "never started (rejected)".to_owned(),
        "EXPIRED" => format!("ended {}", r.ends_at.as_deref().map(date).unwrap_or_default()),
        _ => match r.ends_at.as_deref() {
            Some(end) => {
                // Where a deadline matters, how far away it is too: "Dec 3, 2026 (in 6 days)".
                format!(
                    "{} ({}){}",
                    date(end),
                    crate::i18n::relative(end),
                    if r.auto_extend == "P180D" { " (auto-extends)" } else { "" }
                )
            }
            None => format!(
                "{} after approval{}",
                duration(&r.duration),
                if r.auto_extend == "P180D" { " (auto-extends)" } else { "" }
            ),
        },
    }
}

#[function_component(DelegatedAdminPage)]
pub fn delegated_admin_page() -> Html {
    let session = use_session();
    let pages = use_pages();
    let within = if pages.list().get("within") == "30" { 30i64 } else { 90 };
    let (state, reload) =
        use_query::<DelegatedAdmin>(delegated_admin::Variables { within_days: within, after: pages.after() });
    // The other side's approvals, consents and terminations show up without a reload.
    use_refetch_on(&["delegated_admin"], &reload);
    let actions = use_actions();
    let outcome = use_outcome();
    let Some(s) = (*session).clone() else { return html! { <SignInForm /> } };
    let is_customer = s.kind == "CUSTOMER";
    let run = |action: &str, id: String| {
        let action = action.to_owned();
        let (actions, outcome, reload) = (actions.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            actions.send(&action, id.clone(), outcome.then_reload(format!("{action}: done."), &reload));
        })
    };
    let on_within = {
        let list = pages.list().clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            list.set("within", &select.value());
        })
    };
    let body = show(&*state, |d| {
        // A role that reads no records (a customer's user) is told so, not shown an empty list.
        if !d.viewer.reads_records {
            return html! {
                <div class="card">
                    <p>{ "Your role (user) does not show delegated admin relationships: it reads only your organization's basics. A global admin or billing admin sees them, and only a global admin grants or ends them." }</p>
                    <p><Link<Route> to={Route::Customer { id: d.viewer.organization.id.clone() }}>{ format!("The channel map of {}", d.viewer.organization.name) }</Link<Route>>{ " shows which partners hold rights today." }</p>
                </div>
            };
        }
        // Commitment ends inside the window, beside the relationships that end.
        let today = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
        let horizon = {
            let t = js_sys::Date::new_0();
            t.set_time(t.get_time() + within as f64 * 86_400_000.0);
            t.to_iso_string().as_string().unwrap_or_default()
        };
        let ending_subscriptions = d.subscriptions.edges.iter().map(|e| &e.node).filter(|n| {
            n.commitment_end.as_str() >= iso_day(&today) && n.commitment_end.as_str() <= iso_day(&horizon)
        });
        // Relationships and commitment ends together, soonest first.
        let mut ending: Vec<(String, String, bool)> = d
            .expiring_delegated_admin_relationships
            .nodes
            .iter()
            .map(|r| {
                let end = iso_day(r.ends_at.as_deref().unwrap_or("")).to_owned();
                let extends =
                    if r.auto_extend == "P180D" { ", extends by 180 days unless turned off" } else { "" };
                let soon = if r.expires_soon { " — expires soon" } else { "" };
                let text = format!(
                    "{end} — delegated admin \"{}\" ({} / {}){extends}{soon}",
                    r.display_name, r.partner.name, r.customer.name
                );
                (end, text, r.expires_soon)
            })
            .chain(ending_subscriptions.map(|n| {
                let renews = if n.auto_renew { ", renews" } else { ", does not renew" };
                let text = format!(
                    "{} — commitment end of {} ({}){renews}",
                    n.commitment_end, n.friendly_name, n.customer.name
                );
                (n.commitment_end.clone(), text, false)
            }))
            .collect();
        ending.sort();
        html! {
            <>
            if d.delegated_admin_relationships.nodes.is_empty() { <p class="muted">{ "No delegated admin relationships." }</p> }
            <table>
                <caption class="sr-only">{ "Delegated admin relationships" }</caption>
                <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ if is_customer { "Partner" } else { "Customer" } }</th><th scope="col">{ "Roles" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Ends" }</th><th scope="col">{ "Actions" }</th></tr></thead>
                <tbody>{ for d.delegated_admin_relationships.nodes.iter().map(|r| {
                    let offers = offers(r);
                    html! {
                        <tr key={r.id.clone()} class={classes!(r.expires_soon.then_some("expiring"))}>
                            <td>{ &r.display_name }<br/><span class="muted">{ words(&r.origin) }</span></td>
                            <td>{ if is_customer { r.partner.name.clone() } else { r.customer.name.clone() } }</td>
                            <td>{ terms(r.roles.iter().map(name).collect::<Vec<_>>().iter().map(String::as_str)) }{ format!(" · {}", r.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")) }</td>
                            <td>{ words(&r.status) }if r.expires_soon { <strong class="expiring-note">{ " ⚠ expires soon" }</strong> }</td>
                            <td>{ ends(r) }</td>
                            <td>
                                { for offers.iter().filter(|o| o.allowed).map(|o| match drastic(o.label, r, is_customer) {
                                    Some((ask, consequence, confirm)) => html! {
                                        <ConfirmButton class={classes!("secondary")} label={o.label.to_owned()} title={ask} {consequence} confirm={confirm}
                                            onconfirm={run(o.label, r.id.clone())} aria_label={AttrValue::from(format!("{}: {}", o.label, r.display_name))} />
                                    },
                                    None => html! { <button class="secondary" onclick={run(o.label, r.id.clone())} aria-label={format!("{}: {}", o.label, r.display_name)}>{ o.label }</button> },
                                }) }
                                { refusals(&offers) }
                            </td>
                        </tr>
                    }
                }) }</tbody>
            </table>
            <Pager pages={pages.clone()} has_next={d.delegated_admin_relationships.page_info.has_next_page} end_cursor={d.delegated_admin_relationships.page_info.end_cursor.clone()} />
            <h2 id="ending-title">{ format!("Ending within {} days", within) }</h2>
            <label for="ending-window">{ "Window" }</label>
            <select id="ending-window" onchange={on_within.clone()}>
                <option value="30" selected={within == 30}>{ "30 days" }</option>
                <option value="90" selected={within == 90}>{ "90 days" }</option>
            </select>
            <ul aria-labelledby="ending-title" class="ending">
                { for ending.into_iter().map(|(_, text, soon)| html! { <li class={classes!(soon.then_some("expiring"))}>if soon { <span aria-hidden="true">{ "⚠ " }</span> }{ text }</li> }) }
            </ul>
            if is_customer {
                if d.viewer.can.grant_delegated_admin.allowed {
                    <GrantForm data={d.clone()} outcome={outcome.clone()} reload={reload.clone()} />
                } else {
                    <p class="muted">{ format!("Granting rights to a partner is not offered here: {}.", d.viewer.can.grant_delegated_admin.reason.clone().unwrap_or_default()) }</p>
                }
            } else {
                <DraftForm data={d.clone()} outcome={outcome.clone()} reload={reload.clone()} />
            }
            </>
        }
    });
    html! {
        <section aria-labelledby="dap-title">
            <h1 id="dap-title">{ "Delegated admin" }</h1>
            { outcome.view() }
            { body }
        </section>
    }
}
