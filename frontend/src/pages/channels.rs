//! The channel's structure: provider–reseller partnerships (invite, accept, remove) and
//! reseller relationships, whose removal is always previewed first.

use super::{Outcome, date, field_value, load, mutate, next_reload, outcome_view, session_token, submit};
use crate::SessionHandle;
use crate::components::{CopyButton, Load, SignInForm, name, show, words};
use crate::queries::*;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// The code in a partnership link (or the code itself, pasted alone).
fn link_code(text: &str) -> String {
    text.trim().trim_end_matches('/').rsplit('/').next().unwrap_or("").to_owned()
}

/// Provider–reseller partnerships, for indirect providers and indirect resellers.
#[function_component(PartnershipsPage)]
pub fn partnerships_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<partnerships::ResponseData>::Loading);
    let outcome: Outcome = use_state(|| None);
    let reload = use_state(|| 0u32);
    let code = use_node_ref();
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((*reload, session.is_some()), move |(_, signed_in)| {
            if *signed_in {
                load::<Partnerships>(session, partnerships::Variables {}, state);
            }
        });
    }
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let token = session_token(&session);
    let invite = {
        let (token, outcome, reload) = (token.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            mutate::<InvitePartnerReseller>(
                token.clone(),
                invite_partner_reseller::Variables {},
                outcome.clone(),
                reload.clone(),
                "Partnership link created: send it to the reseller.".into(),
            )
        })
    };
    let accept = {
        let (token, outcome, reload, code) = (token.clone(), outcome.clone(), reload.clone(), code.clone());
        Callback::from(move |e: SubmitEvent| {
            let input = accept_reseller_partnership::AcceptResellerPartnershipInput {
                code: link_code(&field_value(&code)),
            };
            submit::<AcceptResellerPartnership>(
                &e,
                token.clone(),
                accept_reseller_partnership::Variables { input },
                outcome.clone(),
                reload.clone(),
                "Partnership accepted.".into(),
            )
        })
    };
    let remove = |id: String| {
        let (token, outcome, reload) = (token.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            let input = remove_reseller_partnership::RemoveResellerPartnershipInput { id: id.clone() };
            mutate::<RemoveResellerPartnership>(
                token.clone(),
                remove_reseller_partnership::Variables { input },
                outcome.clone(),
                reload.clone(),
                "Partnership removed; customers and delegated rights stay as they are.".into(),
            )
        })
    };
    let body = show(&*state, |d| {
        let program = match &d.viewer.organization {
            partnerships::PartnershipsViewerOrganization::Partner(p) => name(&p.program),
            _ => String::new(),
        };
        let (provider, reseller) = (program == "CSP_INDIRECT_PROVIDER", program == "CSP_INDIRECT_RESELLER");
        if !provider && !reseller {
            return html! { <p class="muted">{ "Only indirect providers and indirect resellers have partnerships." }</p> };
        }
        html! {
            <>
            if provider {
                <p>{ "Invite a reseller: create a link and send it to the reseller's admin agent." }</p>
                <button onclick={invite.clone()}>{ "Create a partnership link" }</button>
            }
            if reseller {
                <form class="card" onsubmit={accept.clone()} aria-label="Accept a partnership link">
                    <h2>{ "Accept a provider's link" }</h2>
                    <label for="partnership-code">{ "Link or code" }</label>
                    <input id="partnership-code" required=true ref={code.clone()} />
                    <button type="submit">{ "Accept partnership" }</button>
                </form>
            }
            if d.partnerships.is_empty() { <p class="muted">{ "No partnerships yet." }</p> }
            <table>
                <caption class="sr-only">{ "Partnerships" }</caption>
                <thead><tr><th scope="col">{ "Provider" }</th><th scope="col">{ "Reseller" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Since" }</th><th scope="col">{ "Actions" }</th></tr></thead>
                <tbody>{ for d.partnerships.iter().map(|p| html! {
                    <tr>
                        <td>{ &p.provider.name }</td>
                        <td>{ p.reseller.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| "(link not used yet)".into()) }</td>
                        <td>{ p.status.to_ascii_lowercase() }</td>
                        <td>{ date(p.accepted_at.as_deref().unwrap_or(&p.created_at)) }{ p.removed_at.as_deref().map(|r| format!(", removed {}", date(r))).unwrap_or_default() }</td>
                        <td>
                            if let Some(url) = &p.url {
                                <code class="link">{ url }</code>{ " " }<CopyButton text={url.clone()} label="Copy link" />{ " " }
                            }
                            if p.status != "REMOVED" {
                                <button class="secondary" onclick={remove(p.id.clone())}>{ if p.status == "PENDING" { "Withdraw" } else { "Remove" } }</button>
                            }
                        </td>
                    </tr>
                }) }</tbody>
            </table>
            </>
        }
    });
    html! {
        <section aria-labelledby="partnerships-title">
            <h1 id="partnerships-title">{ "Partnerships" }</h1>
            { outcome_view(&outcome) }
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct CodeProps {
    pub code: String,
}

/// The page an indirect reseller opens from a provider's partnership link.
#[function_component(PartnershipLanding)]
pub fn partnership_landing(props: &CodeProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let outcome: Outcome = use_state(|| None);
    let accepted = use_state(|| None::<String>);
    if session.is_none() {
        return html! {
            <>
            <p class="card narrow">{ "An indirect provider invites your organization to resell through it. Sign in as your organization's admin agent to accept." }</p>
            <SignInForm />
            </>
        };
    }
    let accept = {
        let (token, code, outcome, accepted) =
            (session_token(&session), props.code.clone(), outcome.clone(), accepted.clone());
        Callback::from(move |_| {
            let (token, code, outcome, accepted) =
                (token.clone(), code.clone(), outcome.clone(), accepted.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let input = accept_reseller_partnership::AcceptResellerPartnershipInput { code };
                match crate::api::run::<AcceptResellerPartnership>(
                    token.as_deref(),
                    accept_reseller_partnership::Variables { input },
                )
                .await
                {
                    Ok(d) => accepted.set(Some(d.accept_reseller_partnership.partnership.provider.name)),
                    Err(e) => outcome.set(Some(Err(e))),
                }
            });
        })
    };
    html! {
        <section class="card" aria-labelledby="pl-title">
            <h1 id="pl-title">{ "Partnership invitation" }</h1>
            if let Some(provider) = &*accepted {
                <p class="ok" role="status">{ format!("You now resell through {provider}.") }</p>
                <Link<Route> to={Route::Partnerships}>{ "Your partnerships" }</Link<Route>>
            } else {
                <p>{ "Accepting makes your organization an indirect reseller of the provider that sent this link: it can then name you on its invitations and tag you on the subscriptions it orders." }</p>
                <button onclick={accept}>{ "Accept partnership" }</button>
            }
            { outcome_view(&outcome) }
        </section>
    }
}

/// Reseller relationships the viewer is party to; removal goes through its preview.
#[function_component(RelationshipsPage)]
pub fn relationships_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<reseller_relationships::ResponseData>::Loading);
    let outcome: Outcome = use_state(|| None);
    let reload = use_state(|| 0u32);
    let removing = use_state(|| None::<String>);
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((*reload, session.is_some()), move |(_, signed_in)| {
            if *signed_in {
                let filter = reseller_relationships::ResellerRelationshipFilter {
                    customer_id: None,
                    partner_id: None,
                    status: Some("ACTIVE".into()),
                };
                load::<ResellerRelationships>(
                    session,
                    reseller_relationships::Variables { filter: Some(filter) },
                    state,
                );
            }
        });
    }
    let Some(s) = (*session).clone() else { return html! { <SignInForm /> } };
    let body = show(&*state, |d| {
        if d.reseller_relationships.is_empty() {
            return html! { <p class="muted">{ "No active relationships." }</p> };
        }
        html! {
            <table>
                <caption class="sr-only">{ "Active reseller relationships" }</caption>
                <thead><tr><th scope="col">{ "Customer" }</th><th scope="col">{ "Partner" }</th><th scope="col">{ "Kind" }</th><th scope="col">{ "Since" }</th><th scope="col">{ "Actions" }</th></tr></thead>
                <tbody>{ for d.reseller_relationships.iter().map(|r| {
                    let open = { let (removing, id) = (removing.clone(), r.id.clone()); Callback::from(move |_| removing.set(Some(id.clone()))) };
                    html! {
                        <tr>
                            <td><Link<Route> to={Route::Customer { id: r.customer.id.clone() }}>{ &r.customer.name }</Link<Route>></td>
                            <td>{ &r.partner.name }</td>
                            <td>{ words(&r.kind) }{ r.indirect_provider.as_ref().map(|p| format!(" (through {})", p.name)).unwrap_or_default() }</td>
                            <td>{ date(&r.created_at) }</td>
                            <td><button class="secondary" onclick={open} aria-label={format!("Remove {} from {}", r.partner.name, r.customer.name)}>{ "Remove…" }</button></td>
                        </tr>
                    }
                }) }</tbody>
            </table>
        }
    });
    let on_done = {
        let (removing, outcome, reload) = (removing.clone(), outcome.clone(), reload.clone());
        Callback::from(move |message: String| {
            removing.set(None);
            outcome.set(Some(Ok(message)));
            reload.set(next_reload());
        })
    };
    let on_cancel = {
        let removing = removing.clone();
        Callback::from(move |_| removing.set(None))
    };
    html! {
        <section aria-labelledby="rel-title">
            <h1 id="rel-title">{ "Reseller relationships" }</h1>
            <p class="muted">{ if s.kind == "CUSTOMER" { "The partners your organization works with." } else { "The customers your organization has a relationship with." } }</p>
            { outcome_view(&outcome) }
            if let Some(id) = &*removing {
                <RemovalPanel key={id.clone()} id={id.clone()} {on_done} {on_cancel} />
            }
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct RemovalProps {
    pub id: String,
    pub on_done: Callback<String>,
    pub on_cancel: Callback<()>,
}

/// What removing a relationship would end, and what blocks it; removal only from here.
#[function_component(RemovalPanel)]
pub fn removal_panel(props: &RemovalProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<removal_preview::ResponseData>::Loading);
    let error: Outcome = use_state(|| None);
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with(props.id.clone(), move |id| {
            load::<RemovalPreview>(session, removal_preview::Variables { id: id.clone() }, state);
        });
    }
    let remove = {
        let (token, id, error, done) =
            (session_token(&session), props.id.clone(), error.clone(), props.on_done.clone());
        Callback::from(move |_| {
            let (token, id, error, done) = (token.clone(), id.clone(), error.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let input = remove_reseller_relationship::RemoveResellerRelationshipInput { id };
                match crate::api::run::<RemoveResellerRelationship>(
                    token.as_deref(),
                    remove_reseller_relationship::Variables { input },
                )
                .await
                {
                    Ok(d) => {
                        let r = d.remove_reseller_relationship.removed;
                        done.emit(format!(
                            "Relationship removed: {} delegated admin relationship(s) ended, {} subscription(s) released.",
                            r.ending_delegated_admin_relationships.len(),
                            r.released_subscriptions.len()
                        ))
                    }
                    Err(e) => error.set(Some(Err(e))),
                }
            });
        })
    };
    // Keyboard and screen-reader users land on the question, not at the top of the page.
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        let ready = matches!(*state, Load::Ready(_));
        use_effect_with(ready, move |ready| {
            if *ready && let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        });
    }
    let cancel = {
        let c = props.on_cancel.clone();
        Callback::from(move |_| c.emit(()))
    };
    let body = show(&*state, |d| {
        let p = &d.reseller_relationship_removal_preview;
        let names = |subs: &[String]| {
            if subs.is_empty() {
                html! { <p class="muted">{ "None." }</p> }
            } else {
                html! { <ul>{ for subs.iter().map(|n| html! { <li>{ n }</li> }) }</ul> }
            }
        };
        html! {
            <>
            <h2 id="removal-title" tabindex="-1" ref={heading.clone()}>{ format!("Remove {} ({}) from {}?", p.relationship.partner.name, words(&p.relationship.kind), p.relationship.customer.name) }</h2>
            if p.blocked {
                <p class="error" role="alert">{ "Removal is blocked: the partner is partner of record on active subscriptions. Cancel them or move them first." }</p>
                { names(&p.blocking_subscriptions.iter().map(|s| s.friendly_name.clone()).collect::<Vec<_>>()) }
            } else {
                <h3>{ "Delegated admin relationships that end" }</h3>
                { names(&p.ending_delegated_admin_relationships.iter().map(|r| format!("{} — {} for {}", r.display_name,
                    r.roles.iter().map(words).collect::<Vec<_>>().join(", "), r.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", "))).collect::<Vec<_>>()) }
                <h3>{ "Subscriptions it stops provisioning or supporting" }</h3>
                { names(&p.released_subscriptions.iter().map(|s| s.friendly_name.clone()).collect::<Vec<_>>()) }
            }
            <div class="actions">
                <div class="action">
                    <button onclick={remove.clone()} disabled={p.blocked} aria-describedby={p.blocked.then_some("removal-title")}>{ "Remove relationship" }</button>
                </div>
                <div class="action"><button class="secondary" onclick={cancel.clone()}>{ "Keep it" }</button></div>
            </div>
            </>
        }
    });
    html! {
        <div class="card" role="region" aria-label="Removal preview">
            { body }
            { outcome_view(&error) }
        </div>
    }
}
