//! Delegated admin: the relationships the viewer takes part in, with the actions its side may
//! take in their state; a customer's grant form (with the conflict and the explicit replace);
//! and what ends within 90 days beside subscription commitment ends.

use super::{load, session_token};
use crate::SessionHandle;
use crate::api::{self, ApiError};
use crate::components::{Load, SignInForm, show, words};
use crate::queries::*;
use yew::prelude::*;

fn date(s: &str) -> &str {
    &s[..10.min(s.len())]
}

/// One relationship action, by name: runs its mutation.
async fn act(token: Option<String>, action: &'static str, id: String, replace: bool) -> Result<(), ApiError> {
    let t = token.as_deref();
    match action {
        "Approve" => api::run::<ApproveDelegatedAdmin>(
            t,
            approve_delegated_admin::Variables {
                input: approve_delegated_admin::ApproveDelegatedAdminRelationshipInput {
                    id,
                    replace_existing: replace,
                },
            },
        )
        .await
        .map(|_| ()),
        "Reject" => api::run::<RejectDelegatedAdmin>(
            t,
            reject_delegated_admin::Variables {
                input: reject_delegated_admin::DelegatedAdminRelationshipIdInput { id },
            },
        )
        .await
        .map(|_| ()),
        "Consent" => api::run::<ConsentDelegatedAdmin>(
            t,
            consent_delegated_admin::Variables {
                input: consent_delegated_admin::DelegatedAdminRelationshipIdInput { id },
            },
        )
        .await
        .map(|_| ()),
        "Request approval" => api::run::<RequestDelegatedAdminApproval>(
            t,
            request_delegated_admin_approval::Variables {
                input: request_delegated_admin_approval::DelegatedAdminRelationshipIdInput { id },
            },
        )
        .await
        .map(|_| ()),
        _ => api::run::<TerminateDelegatedAdmin>(
            t,
            terminate_delegated_admin::Variables {
                input: terminate_delegated_admin::DelegatedAdminRelationshipIdInput { id },
            },
        )
        .await
        .map(|_| ()),
    }
}

#[function_component(DelegatedAdminPage)]
pub fn delegated_admin_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<delegated_admin::ResponseData>::Loading);
    let outcome = use_state(|| None::<Result<String, ApiError>>);
    let reload = use_state(|| 0u32);
    let (partner, service, duration, provisioning, support, replace, name) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((*reload, session.is_some()), move |(_, signed_in)| {
            if *signed_in {
                load::<DelegatedAdmin>(session, delegated_admin::Variables {}, state);
            }
        });
    }
    let Some(s) = (*session).clone() else { return html! { <SignInForm /> } };
    let is_customer = s.kind == "CUSTOMER";
    let token = session_token(&session);
    let run = |action: &'static str, id: String, replace: bool| {
        let (token, outcome, reload) = (token.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            let (token, outcome, reload, id) = (token.clone(), outcome.clone(), reload.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let r = act(token, action, id, replace).await;
                outcome.set(Some(r.map(|_| format!("{action}: done."))));
                reload.set(*reload + 1);
            });
        })
    };
    let grant = {
        let (token, outcome, reload) = (token.clone(), outcome.clone(), reload.clone());
        let refs = (
            partner.clone(),
            service.clone(),
            duration.clone(),
            provisioning.clone(),
            support.clone(),
            replace.clone(),
            name.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (partner, service, duration, provisioning, support, replace, name) = &refs;
            let input_value =
                |r: &NodeRef| r.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let select_value =
                |r: &NodeRef| r.cast::<web_sys::HtmlSelectElement>().map(|i| i.value()).unwrap_or_default();
            let checked =
                |r: &NodeRef| r.cast::<web_sys::HtmlInputElement>().map(|i| i.checked()).unwrap_or(false);
            let mut roles = Vec::new();
            if checked(provisioning) {
                roles.push(grant_delegated_admin::DelegatedRole::PROVISIONING);
            }
            if checked(support) {
                roles.push(grant_delegated_admin::DelegatedRole::SUPPORT);
            }
            let input = grant_delegated_admin::GrantDelegatedAdminInput {
                partner_id: select_value(partner),
                replace_existing: checked(replace),
                terms: grant_delegated_admin::DelegatedAdminTermsInput {
                    display_name: input_value(name),
                    roles,
                    service_ids: vec![select_value(service)],
                    duration: input_value(duration),
                    auto_extend: "P0D".to_owned(),
                },
            };
            let (token, outcome, reload) = (token.clone(), outcome.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let r = api::run::<GrantDelegatedAdmin>(
                    token.as_deref(),
                    grant_delegated_admin::Variables { input },
                )
                .await;
                outcome.set(Some(r.map(|_| "Granted: waiting for the partner's consent.".to_owned())));
                reload.set(*reload + 1);
            });
        })
    };
    let body = show(&*state, |d| {
        let mine_as_partner = |partner_id: &str| !is_customer && s.organization_id == partner_id;
        html! {
            <>
            <table>
                <caption class="sr-only">{ "Delegated admin relationships" }</caption>
                <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ if is_customer { "Partner" } else { "Customer" } }</th><th scope="col">{ "Roles" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Ends" }</th><th scope="col">{ "Actions" }</th></tr></thead>
                <tbody>{ for d.delegated_admin_relationships.iter().map(|r| {
                    let status = format!("{:?}", r.status);
                    let mut actions: Vec<&'static str> = Vec::new();
                    match status.as_str() {
                        "CREATED" if mine_as_partner(&r.partner.id) => actions.push("Request approval"),
                        "APPROVAL_PENDING" if is_customer => { actions.push("Approve"); actions.push("Reject"); }
                        "CONSENT_PENDING" if mine_as_partner(&r.partner.id) => { actions.push("Consent"); actions.push("Reject"); }
                        "ACTIVE" | "APPROVAL_PENDING" | "CONSENT_PENDING" => actions.push("Terminate"),
                        _ => {}
                    }
                    html! {
                        <tr class={classes!(r.expires_soon.then_some("expiring"))}>
                            <td>{ &r.display_name }<br/><span class="muted">{ words(&r.origin) }</span></td>
                            <td>{ if is_customer { r.partner.name.clone() } else { r.customer.name.clone() } }</td>
                            <td>{ format!("{} · {}", r.roles.iter().map(words).collect::<Vec<_>>().join(", "), r.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")) }</td>
                            <td>{ words(&r.status) }if r.expires_soon { <strong>{ " · expires soon" }</strong> }</td>
                            <td>{ r.ends_at.as_deref().map(date).unwrap_or("—") }{ if r.auto_extend == "P180D" { " (auto-extends)" } else { "" } }</td>
                            <td>{ for actions.into_iter().map(|a| html! { <button class="secondary" onclick={run(a, r.id.clone(), false)}>{ a }</button> }) }</td>
                        </tr>
                    }
                }) }</tbody>
            </table>
            <h2>{ "Ending within 90 days" }</h2>
            <ul>
                { for d.expiring_delegated_admin_relationships.iter().map(|r| html! {
                    <li class={classes!(r.expires_soon.then_some("expiring"))}>{ format!("{} — delegated admin \"{}\" ({} / {})", date(r.ends_at.as_deref().unwrap_or("")), r.display_name, r.partner.name, r.customer.name) }</li>
                }) }
                { for d.subscriptions.edges.iter().map(|e| &e.node).map(|n| html! {
                    <li>{ format!("{} — commitment end of {} ({}){}", n.commitment_end, n.friendly_name, n.customer.name, if n.auto_renew { ", renews" } else { "" }) }</li>
                }) }
            </ul>
            if is_customer {
                <form class="card" onsubmit={grant.clone()} aria-label="Grant delegated admin">
                    <h2>{ "Grant delegated admin to a partner" }</h2>
                    <label for="grant-partner">{ "Partner" }</label>
                    <select id="grant-partner" ref={partner.clone()}>
                        { for d.partners.edges.iter().enumerate().map(|(i, e)| html! { <option value={e.node.id.clone()} selected={i == 0}>{ &e.node.name }</option> }) }
                    </select>
                    <label for="grant-name">{ "Name" }</label>
                    <input id="grant-name" required=true maxlength="50" ref={name.clone()} />
                    <fieldset>
                        <legend>{ "Roles" }</legend>
                        <label><input type="checkbox" ref={provisioning.clone()} style="width:auto" />{ " Provisioning" }</label>
                        <label><input type="checkbox" ref={support.clone()} style="width:auto" />{ " Support" }</label>
                    </fieldset>
                    <label for="grant-service">{ "Service" }</label>
                    <select id="grant-service" ref={service.clone()}>
                        { for d.catalog.services.iter().enumerate().map(|(i, s)| html! { <option value={s.id.clone()} selected={i == 0}>{ &s.name }</option> }) }
                    </select>
                    <label for="grant-duration">{ "Duration (ISO-8601, P1D to P2Y)" }</label>
                    <input id="grant-duration" value="P180D" ref={duration.clone()} />
                    <label><input type="checkbox" ref={replace.clone()} style="width:auto" />{ " Replace the current provisioning partner for this service" }</label>
                    <button type="submit">{ "Grant" }</button>
                </form>
            }
            </>
        }
    });
    html! {
        <section aria-labelledby="dap-title">
            <h1 id="dap-title">{ "Delegated admin" }</h1>
            { match &*outcome {
                Some(Ok(m)) => html! { <p class="ok" role="status">{ m }</p> },
                Some(Err(e)) => html! { <p class="error" role="alert">{ e.words() }</p> },
                None => html! {},
            } }
            { body }
        </section>
    }
}
