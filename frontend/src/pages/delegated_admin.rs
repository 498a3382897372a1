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
use crate::t;
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

/// An action's name on screen (the English name is also how the page tells actions apart).
fn shown(label: &str) -> String {
    match label {
        "Request approval" => t!("dap-action-request-approval"),
        "Approve" => t!("dap-action-approve"),
        "Consent" => t!("dap-action-consent"),
        "Auto-extend on" => t!("dap-action-auto-extend-on"),
        "Auto-extend off" => t!("dap-action-auto-extend-off"),
        "Reject" => t!("dap-action-reject"),
        "Delete" => t!("dap-action-delete"),
        "Terminate" => t!("dap-action-terminate"),
        other => other.to_owned(),
    }
}

/// The actions that need a confirmation, and what the dialog says: the question, the
/// consequence in words, and the confirming button.
fn drastic(label: &str, r: &Relationship, is_customer: bool) -> Option<(String, String, String)> {
    let roles = r.roles.iter().map(words).collect::<Vec<_>>().join(", ");
    let services = r.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ");
    match label {
        "Approve" => Some((
            t!("dap-approve-title", name = r.display_name.clone()),
            t!(
                "dap-approve-consequence",
                partner = r.partner.name.clone(),
                roles = roles,
                services = services,
                date = date(&date_after(&r.duration)),
                length = duration(&r.duration),
                extends = if r.auto_extend == "P180D" { t!("dap-approve-extends") } else { String::new() }
            ),
            t!("dap-approve-yes"),
        )),
        "Terminate" => Some((
            t!("dap-terminate-title", name = r.display_name.clone()),
            if is_customer {
                t!(
                    "dap-terminate-customer",
                    roles = roles,
                    partner = r.partner.name.clone(),
                    services = services
                )
            } else {
                t!(
                    "dap-terminate-partner",
                    roles = roles,
                    customer = r.customer.name.clone(),
                    services = services
                )
            },
            t!("dap-terminate-yes"),
        )),
        _ => None,
    }
}

/// When the relationship ends (or ended), in words.
fn ends(r: &Relationship) -> String {
    match name(&r.status).as_str() {
        "TERMINATED" => t!("dap-ended", date = r.terminated_at.as_deref().map(date).unwrap_or_default()),
        "REJECTED" => t!("dap-never-started"),
        "EXPIRED" => t!("dap-ended", date = r.ends_at.as_deref().map(date).unwrap_or_default()),
        _ => match r.ends_at.as_deref() {
            Some(end) => {
                // Where a deadline matters, how far away it is too: "Dec 3, 2026 (in 6 days)".
                t!(
                    "dap-ends",
                    date = date(end),
                    relative = crate::i18n::relative(end),
                    extends = if r.auto_extend == "P180D" { t!("dap-auto-extends") } else { String::new() }
                )
            }
            None => t!(
                "dap-after-approval",
                length = duration(&r.duration),
                extends = if r.auto_extend == "P180D" { t!("dap-auto-extends") } else { String::new() }
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
            actions.send(
                &action,
                id.clone(),
                outcome.then_reload(t!("dap-done", action = shown(&action)), &reload),
            );
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
                    <p>{ t!("dap-user-role") }</p>
                    <p><Link<Route> to={Route::Customer { id: d.viewer.organization.id.clone() }}>{ t!("dap-channel-map", name = d.viewer.organization.name.clone()) }</Link<Route>>{ t!("dap-channel-map-shows") }</p>
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
                let extends = if r.auto_extend == "P180D" { t!("dap-ending-extends") } else { String::new() };
                let soon = if r.expires_soon { t!("dap-ending-soon") } else { String::new() };
                let at = r.ends_at.as_deref().unwrap_or("");
                let text = t!(
                    "dap-ending-relationship",
                    date = date(at),
                    relative = crate::i18n::relative(at),
                    name = r.display_name.clone(),
                    partner = r.partner.name.clone(),
                    customer = r.customer.name.clone(),
                    extends = extends,
                    soon = soon
                );
                (end, text, r.expires_soon)
            })
            .chain(ending_subscriptions.map(|n| {
                let renews = if n.auto_renew { t!("dap-renews") } else { t!("dap-does-not-renew") };
                let text = t!(
                    "dap-ending-commitment",
                    date = date(&n.commitment_end),
                    relative = crate::i18n::relative(&format!("{}T00:00:00Z", n.commitment_end)),
                    name = n.friendly_name.clone(),
                    customer = n.customer.name.clone(),
                    renews = renews
                );
                (n.commitment_end.clone(), text, false)
            }))
            .collect();
        ending.sort();
        html! {
            <>
            if d.delegated_admin_relationships.nodes.is_empty() { <p class="muted">{ t!("dap-none") }</p> }
            <table>
                <caption class="sr-only">{ t!("dap-caption") }</caption>
                <thead><tr><th scope="col">{ t!("dap-col-name") }</th><th scope="col">{ if is_customer { t!("dap-col-partner") } else { t!("dap-col-customer") } }</th><th scope="col">{ t!("dap-col-roles") }</th><th scope="col">{ t!("dap-col-status") }</th><th scope="col">{ t!("dap-col-ends") }</th><th scope="col">{ t!("dap-col-actions") }</th></tr></thead>
                <tbody>{ for d.delegated_admin_relationships.nodes.iter().map(|r| {
                    let offers = offers(r);
                    html! {
                        <tr key={r.id.clone()} class={classes!(r.expires_soon.then_some("expiring"))}>
                            <td data-label={t!("dap-col-name")}>{ &r.display_name }<br/><span class="muted">{ words(&r.origin) }</span></td>
                            <td data-label={if is_customer { t!("dap-col-partner") } else { t!("dap-col-customer") }}>{ if is_customer { r.partner.name.clone() } else { r.customer.name.clone() } }</td>
                            <td data-label={t!("dap-col-roles")}>{ terms(r.roles.iter().map(name).collect::<Vec<_>>().iter().map(String::as_str)) }{ format!(" · {}", r.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")) }</td>
                            <td data-label={t!("dap-col-status")}>{ words(&r.status) }if r.expires_soon { <strong class="expiring-note">{ format!(" ⚠ {}", t!("dap-expires-soon")) }</strong> }</td>
                            <td data-label={t!("dap-col-ends")}>{ ends(r) }</td>
                            <td data-label={t!("dap-col-actions")}>
                                { for offers.iter().filter(|o| o.allowed).map(|o| match drastic(o.label, r, is_customer) {
                                    Some((ask, consequence, confirm)) => html! {
                                        <ConfirmButton class={classes!("secondary")} label={shown(o.label)} title={ask} {consequence} confirm={confirm}
                                            onconfirm={run(o.label, r.id.clone())} aria_label={AttrValue::from(format!("{}: {}", shown(o.label), r.display_name))} />
                                    },
                                    None => html! { <button class="secondary" onclick={run(o.label, r.id.clone())} aria-label={format!("{}: {}", shown(o.label), r.display_name)}>{ shown(o.label) }</button> },
                                }) }
                                { refusals(&offers) }
                            </td>
                        </tr>
                    }
                }) }</tbody>
            </table>
            <Pager pages={pages.clone()} has_next={d.delegated_admin_relationships.page_info.has_next_page} end_cursor={d.delegated_admin_relationships.page_info.end_cursor.clone()} />
            <h2 id="ending-title">{ t!("dap-ending-within", n = within) }</h2>
            <label for="ending-window">{ t!("dap-window") }</label>
            <select id="ending-window" onchange={on_within.clone()}>
                <option value="30" selected={within == 30}>{ crate::text::duration("P30D") }</option>
                <option value="90" selected={within == 90}>{ crate::text::duration("P90D") }</option>
            </select>
            <ul aria-labelledby="ending-title" class="ending">
                { for ending.into_iter().map(|(_, text, soon)| html! { <li class={classes!(soon.then_some("expiring"))}>if soon { <span aria-hidden="true">{ "⚠ " }</span> }{ text }</li> }) }
            </ul>
            if is_customer {
                if d.viewer.can.grant_delegated_admin.allowed {
                    <GrantForm data={d.clone()} outcome={outcome.clone()} reload={reload.clone()} />
                } else {
                    <p class="muted">{ t!("dap-grant-not-offered", reason = crate::components::refusal_words(d.viewer.can.grant_delegated_admin.reason_code.as_deref(), d.viewer.can.grant_delegated_admin.reason.as_deref())) }</p>
                }
            } else {
                <DraftForm data={d.clone()} outcome={outcome.clone()} reload={reload.clone()} />
            }
            </>
        }
    });
    html! {
        <section aria-labelledby="dap-title">
            <h1 id="dap-title">{ t!("dap-title") }</h1>
            { outcome.view() }
            { body }
        </section>
    }
}
