//! API tokens, the audit log and a partner's invitations.

use super::{checked, date, field_value, load, next_reload, or_default, session_token, use_node_refs};
use crate::SessionHandle;
use crate::api::{self, ApiError};
use crate::components::{CopyButton, Load, SignInForm, show, words};
use crate::queries::*;
use yew::prelude::*;

/// API tokens: create (the secret is shown once), list, revoke.
#[function_component(TokensPage)]
pub fn tokens_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<api_tokens::ResponseData>::Loading);
    let secret = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let name = use_node_ref();
    let read_only = use_node_ref();
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((*reload, session.is_some()), move |(_, signed_in)| {
            if *signed_in {
                load::<ApiTokens>(session, api_tokens::Variables {}, state);
            }
        });
    }
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let token = session_token(&session);
    let create = {
        let (token, secret, error, reload, name, read_only) =
            (token.clone(), secret.clone(), error.clone(), reload.clone(), name.clone(), read_only.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let n = name.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let ro = read_only.cast::<web_sys::HtmlInputElement>().map(|i| i.checked()).unwrap_or(false);
            let (token, secret, error, reload) =
                (token.clone(), secret.clone(), error.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let input =
                    create_api_token::CreateApiTokenInput { name: n, expires_at: None, read_only: ro };
                match api::run::<CreateApiToken>(token.as_deref(), create_api_token::Variables { input })
                    .await
                {
                    Ok(d) => {
                        secret.set(Some(d.create_api_token.secret));
                        error.set(None);
                        reload.set(next_reload());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let revoke = |id: String| {
        let (token, error, reload) = (token.clone(), error.clone(), reload.clone());
        Callback::from(move |_| {
            let (token, error, reload, id) = (token.clone(), error.clone(), reload.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let input = revoke_api_token::RevokeApiTokenInput { id };
                if let Err(e) =
                    api::run_unit::<RevokeApiToken>(token.as_deref(), revoke_api_token::Variables { input })
                        .await
                {
                    error.set(Some(e));
                }
                reload.set(next_reload());
            });
        })
    };
    html! {
        <section aria-labelledby="tokens-title">
            <h1 id="tokens-title">{ "API tokens" }</h1>
            <p class="muted">{ "Third parties call the API with a token carrying your roles: send it as " }<code>{ "Authorization: Bearer <token>" }</code>{ "." }</p>
            <form class="card narrow" onsubmit={create} aria-label="New API token">
                <label for="token-name">{ "Name" }</label>
                <input id="token-name" required=true maxlength="100" ref={name} />
                <label><input type="checkbox" ref={read_only} class="check" />{ " Read-only" }</label>
                <button type="submit">{ "Create token" }</button>
            </form>
            if let Some(s) = &*secret {
                <div class="card" role="status">
                    <p><strong>{ "Copy this secret now; it is not shown again:" }</strong></p>
                    <p><code id="token-secret">{ s }</code></p>
                    <CopyButton text={s.clone()} label="Copy secret" />
                </div>
            }
            if let Some(e) = &*error { <p class="error" role="alert">{ e.words() }</p> }
            { show(&*state, |d| html! {
                if d.api_tokens.is_empty() { <p class="muted">{ "No API tokens yet." }</p> } else {
                <table>
                    <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Access" }</th><th scope="col">{ "Created" }</th><th scope="col">{ "Last used" }</th><th scope="col">{ "Status" }</th><th scope="col"></th></tr></thead>
                    <tbody>{ for d.api_tokens.iter().map(|t| html! {
                        <tr>
                            <td>{ t.name.clone().unwrap_or_default() }</td>
                            <td>{ if t.read_only { "read-only" } else { "read and write" } }</td>
                            <td>{ date(&t.created_at) }</td>
                            <td>{ t.last_used_at.as_deref().map(date).unwrap_or("never") }</td>
                            <td>{ if t.active { "active" } else if t.revoked_at.is_some() { "revoked" } else { "expired" } }</td>
                            <td>if t.active { <button class="secondary" onclick={revoke(t.id.clone())}>{ "Revoke" }</button> }</td>
                        </tr>
                    }) }</tbody>
                </table>
                }
            }) }
        </section>
    }
}

/// The audit log, newest first, filtered by action.
#[function_component(AuditPage)]
pub fn audit_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<audit_log::ResponseData>::Loading);
    let action = use_state(String::new);
    let after = use_state(|| None::<String>);
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with(
            ((*action).clone(), (*after).clone(), session.is_some()),
            move |(action, after, signed_in)| {
                if *signed_in {
                    let action = (!action.is_empty()).then(|| action.clone());
                    load::<AuditLog>(session, audit_log::Variables { action, after: after.clone() }, state);
                }
            },
        );
    }
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

/// A partner's invitations: create one (with copy buttons for the link and email), list, revoke.
#[function_component(InvitationsPage)]
pub fn invitations_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<invitations::ResponseData>::Loading);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let [
        customer,
        reseller,
        message,
        duration,
        roles_provisioning,
        roles_support,
        service,
        auto_extend,
        expires,
    ] = use_node_refs();
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((*reload, session.is_some()), move |(_, signed_in)| {
            if *signed_in {
                load::<Invitations>(session, invitations::Variables {}, state);
            }
        });
    }
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let token = session_token(&session);
    let create = {
        let (token, error, reload) = (token.clone(), error.clone(), reload.clone());
        let refs = (
            customer.clone(),
            reseller.clone(),
            message.clone(),
            duration.clone(),
            roles_provisioning.clone(),
            roles_support.clone(),
            service.clone(),
            auto_extend.clone(),
            expires.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let form = e.target_dyn_into::<web_sys::HtmlFormElement>();
            let (customer, reseller, message, duration, prov, sup, service, auto_extend, expires) = &refs;
            let customer_id = Some(field_value(customer)).filter(|v| !v.trim().is_empty());
            let mut roles = Vec::new();
            if checked(prov) {
                roles.push(create_invitation::DelegatedRole::PROVISIONING);
            }
            if checked(sup) {
                roles.push(create_invitation::DelegatedRole::SUPPORT);
            }
            let delegated_admin =
                (!roles.is_empty()).then(|| create_invitation::InvitationDelegatedAdminInput {
                    roles,
                    service_ids: vec![field_value(service)],
                    duration: or_default(field_value(duration), "P1Y"),
                    auto_extend: if checked(auto_extend) { "P180D" } else { "P0D" }.to_owned(),
                });
            // The link expires at the end of the chosen day (UTC); empty: the default 90 days.
            let expires_at =
                Some(field_value(expires)).filter(|d| !d.is_empty()).map(|d| format!("{d}T23:59:59Z"));
            let input = create_invitation::CreateInvitationInput {
                audience: if customer_id.is_some() {
                    create_invitation::InvitationAudience::CUSTOMER
                } else {
                    create_invitation::InvitationAudience::ANY_CUSTOMER
                },
                customer_id,
                indirect_reseller_id: Some(field_value(reseller)).filter(|v| !v.is_empty()),
                delegated_admin,
                message: field_value(message),
                expires_at,
            };
            let (token, error, reload) = (token.clone(), error.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::run_unit::<CreateInvitation>(
                    token.as_deref(),
                    create_invitation::Variables { input },
                )
                .await
                {
                    Ok(_) => {
                        if let Some(f) = form {
                            f.reset();
                        }
                        error.set(None);
                        reload.set(next_reload());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let revoke = |id: String| {
        let (token, error, reload) = (token.clone(), error.clone(), reload.clone());
        Callback::from(move |_| {
            let (token, error, reload, id) = (token.clone(), error.clone(), reload.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let input = revoke_invitation::InvitationIdInput { id };
                if let Err(e) = api::run_unit::<RevokeInvitation>(
                    token.as_deref(),
                    revoke_invitation::Variables { input },
                )
                .await
                {
                    error.set(Some(e));
                }
                reload.set(next_reload());
            });
        })
    };
    // Only the creator changes or revokes an invitation; a named reseller sees it to pass it on.
    let own_id = session.as_ref().map(|s| s.organization_id.clone()).unwrap_or_default();
    let mine = |partner_id: &str| partner_id == own_id;
    let on_saved = {
        let (error, reload) = (error.clone(), reload.clone());
        Callback::from(move |r: Result<(), ApiError>| {
            error.set(r.err());
            reload.set(next_reload());
        })
    };
    html! {
        <section aria-labelledby="inv-list-title">
            <h1 id="inv-list-title">{ "Invitations" }</h1>
            { show(&*state, |d| html! {
                <>
                <form class="card" onsubmit={create.clone()} aria-label="New invitation">
                    <h2>{ "New invitation" }</h2>
                    <label for="inv-customer">{ "Customer" }</label>
                    <select id="inv-customer" ref={customer.clone()}>
                        <option value="" selected=true>{ "Any customer (a link to send)" }</option>
                        { for d.customers.edges.iter().map(|e| html! { <option value={e.node.id.clone()}>{ &e.node.name }</option> }) }
                    </select>
                    <label for="inv-reseller">{ "Indirect reseller (indirect providers)" }</label>
                    <select id="inv-reseller" ref={reseller.clone()}>
                        <option value="" selected=true>{ "None" }</option>
                        { for d.partnerships.iter().filter(|p| p.status == "ACTIVE").filter_map(|p| p.reseller.as_ref()).map(|r| html! { <option value={r.id.clone()}>{ &r.name }</option> }) }
                    </select>
                    <fieldset>
                        <legend>{ "Delegated admin to ask for" }</legend>
                        <label><input type="checkbox" ref={roles_provisioning.clone()} class="check" />{ " Provisioning" }</label>
                        <label><input type="checkbox" ref={roles_support.clone()} class="check" />{ " Support" }</label>
                        <label for="inv-service">{ "Service" }</label>
                        <select id="inv-service" ref={service.clone()}>
                            { for d.catalog.services.iter().enumerate().map(|(i, s)| html! { <option value={s.id.clone()} selected={i == 0}>{ &s.name }</option> }) }
                        </select>
                        <label for="inv-duration">{ "Duration (ISO-8601, P1D to P2Y)" }</label>
                        <input id="inv-duration" placeholder="P1Y" ref={duration.clone()} />
                        <label><input type="checkbox" ref={auto_extend.clone()} class="check" />{ " Auto-extend by 180 days" }</label>
                    </fieldset>
                    <label for="inv-expires">{ "Link expires on (at most 90 days; empty: in 90 days)" }</label>
                    <input id="inv-expires" type="date" ref={expires.clone()} />
                    <label for="inv-message">{ "Message" }</label>
                    <textarea id="inv-message" ref={message.clone()} />
                    <button type="submit">{ "Create invitation" }</button>
                </form>
                if d.invitations.is_empty() { <p class="muted">{ "No invitations yet." }</p> }
                <table>
                    <thead><tr><th scope="col">{ "Created" }</th><th scope="col">{ "For" }</th><th scope="col">{ "Asks" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Link" }</th></tr></thead>
                    <tbody>{ for d.invitations.iter().map(|i| html! {
                        <tr>
                            <td>{ date(&i.created_at) }<br/><span class="muted">{ format!("by {}", i.partner.name) }</span></td>
                            <td>{ i.customer.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "any customer".into()) }
                                { i.indirect_reseller.as_ref().map(|r| format!(" · via {}", r.name)).unwrap_or_default() }
                                if !i.message.is_empty() { <br/><span class="muted">{ format!("“{}”", i.message) }</span> }</td>
                            <td>{ if i.delegated_roles.is_empty() { "relationship".to_owned() } else {
                                format!("relationship + {} for {}", i.delegated_roles.iter().map(words).collect::<Vec<_>>().join(", "), i.delegated_duration.clone().unwrap_or_default()) } }</td>
                            <td>{ format!("{} · {} accepted · expires {}", i.status.to_ascii_lowercase(), i.acceptance_count, date(&i.expires_at)) }</td>
                            <td>
                                <code class="link">{ &i.url }</code><br/>
                                <CopyButton text={i.url.clone()} label="Copy link" />
                                { " " }<CopyButton text={i.email_text.clone()} label="Copy email" />
                                if i.status == "PENDING" && mine(&i.partner.id) {
                                    { " " }<button class="secondary" onclick={revoke(i.id.clone())}>{ "Revoke" }</button>
                                    <MessageEditor id={i.id.clone()} message={i.message.clone()} on_saved={on_saved.clone()} />
                                }
                            </td>
                        </tr>
                    }) }</tbody>
                </table>
                </>
            }) }
            if let Some(e) = &*error { <p class="error" role="alert">{ e.words() }</p> }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct MessageProps {
    id: String,
    message: String,
    on_saved: Callback<Result<(), ApiError>>,
}

/// Changes a pending invitation's message (the link stays the same); the email text follows.
#[function_component(MessageEditor)]
fn message_editor(props: &MessageProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let text = use_node_ref();
    let save = {
        let (token, id, text, done) =
            (session_token(&session), props.id.clone(), text.clone(), props.on_saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = update_invitation_message::UpdateInvitationMessageInput {
                id: id.clone(),
                message: field_value(&text),
            };
            let (token, done) = (token.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let vars = update_invitation_message::Variables { input };
                done.emit(api::run_unit::<UpdateInvitationMessage>(token.as_deref(), vars).await);
            });
        })
    };
    let field = format!("message-{}", props.id);
    html! {
        <details>
            <summary>{ "Edit message" }</summary>
            <form onsubmit={save}>
                <label for={field.clone()}>{ "Message (the link stays the same)" }</label>
                <textarea id={field} ref={text} value={props.message.clone()} />
                <button type="submit">{ "Save message" }</button>
            </form>
        </details>
    }
}
