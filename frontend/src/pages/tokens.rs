//! `/tokens`: API tokens: create (with an expiry and read-only; the secret is shown once),
//! list, revoke (a revoked token's secret leaves the screen).

use crate::components::{CopyButton, SignInForm, show};
use crate::form::{checked, field_value};
use crate::hooks::{Load, use_mutation, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::t;
use crate::text::date;
use yew::prelude::*;

#[function_component(TokensPage)]
pub fn tokens_page() -> Html {
    let session = use_session();
    let (state, reload) = use_query::<ApiTokens>(api_tokens::Variables {});
    let create_token = use_mutation::<CreateApiToken>();
    let revoke_token = use_mutation::<RevokeApiToken>();
    // The secret just shown, with its token's id: it goes once that token is revoked.
    let secret = use_state(|| None::<(String, String)>);
    let error = use_outcome();
    let name = use_node_ref();
    let read_only = use_node_ref();
    let lifetime = use_node_ref();
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let create = {
        let (create_token, secret, error, reload, name, read_only, lifetime) = (
            create_token.clone(),
            secret.clone(),
            error.clone(),
            reload.clone(),
            name.clone(),
            read_only.clone(),
            lifetime.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = create_api_token::CreateApiTokenInput {
                name: field_value(&name),
                expires_at: expiry(&field_value(&lifetime)),
                read_only: checked(&read_only),
            };
            let (secret, error, reload) = (secret.clone(), error.clone(), reload.clone());
            create_token.run(create_api_token::Variables { input }, move |answer| match answer {
                Ok(d) => {
                    secret.set(Some((d.create_api_token.api_token.id, d.create_api_token.secret)));
                    error.set_error(None);
                    reload.emit(());
                }
                Err(e) => error.set_error(Some(e)),
            });
        })
    };
    let revoke = |id: String| {
        let (revoke_token, error, reload, secret) =
            (revoke_token.clone(), error.clone(), reload.clone(), secret.clone());
        Callback::from(move |_| {
            if (*secret).as_ref().is_some_and(|(shown, _)| *shown == id) {
                secret.set(None);
            }
            let input = revoke_api_token::RevokeApiTokenInput { id: id.clone() };
            revoke_token.send(revoke_api_token::Variables { input }, error.error_then_reload(&reload));
        })
    };
    // Also gone when the list shows that token no longer active (revoked elsewhere).
    let shown = (*secret).as_ref().filter(|(id, _)| match &*state {
        Load::Ready(d) => d.api_tokens.nodes.iter().all(|t| t.id != *id || t.active),
        _ => true,
    });
    html! {
        <section aria-labelledby="tokens-title">
            <h1 id="tokens-title">{ t!("tokens-title") }</h1>
            <p class="muted">{ t!("tokens-intro-before") }<code>{ "Authorization: Bearer <token>" }</code>{ t!("tokens-intro-after") }</p>
            <form class="card narrow" onsubmit={create} aria-label={t!("tokens-new")}>
                <label for="token-name">{ t!("tokens-name") }</label>
                <input id="token-name" required=true maxlength="100" ref={name} />
                <label for="token-expiry">{ t!("tokens-expires-after") }</label>
                <select id="token-expiry" ref={lifetime}>
                    { for LIFETIMES.iter().map(|days| html! {
                        <option value={days.to_string()} selected={*days == DEFAULT_DAYS}>{ lifetime_words(*days) }</option>
                    }) }
                </select>
                <label><input type="checkbox" ref={read_only} class="check" />{ " " }{ t!("tokens-read-only") }</label>
                <button type="submit">{ t!("tokens-create") }</button>
            </form>
            if let Some((_, s)) = shown {
                <div class="card" role="status">
                    <p><strong>{ t!("tokens-copy-now") }</strong></p>
                    <p><code id="token-secret">{ s }</code></p>
                    <CopyButton text={s.clone()} label={t!("tokens-copy-secret")} />
                </div>
            }
            { error.view() }
            { show(&*state, |d| html! {
                if d.api_tokens.nodes.is_empty() { <p class="muted">{ t!("tokens-none") }</p> } else {
                <table>
                    <thead><tr><th scope="col">{ t!("tokens-name") }</th><th scope="col">{ t!("tokens-access") }</th><th scope="col">{ t!("tokens-created") }</th><th scope="col">{ t!("tokens-expires") }</th><th scope="col">{ t!("tokens-last-used") }</th><th scope="col">{ t!("tokens-status") }</th><th scope="col"><span class="sr-only">{ t!("tokens-actions") }</span></th></tr></thead>
                    <tbody>{ for d.api_tokens.nodes.iter().map(|t| html! {
                        <tr>
                            <td data-label={t!("tokens-name")}>{ t.name.clone().unwrap_or_default() }</td>
                            <td data-label={t!("tokens-access")}>{ if t.read_only { t!("tokens-access-read") } else { t!("tokens-access-write") } }</td>
                            <td data-label={t!("tokens-created")}>{ date(&t.created_at) }</td>
                            <td data-label={t!("tokens-expires")}>{ t.expires_at.as_deref().map(date).unwrap_or_else(|| t!("tokens-never")) }</td>
                            <td data-label={t!("tokens-last-used")}>{ t.last_used_at.as_deref().map(date).unwrap_or_else(|| t!("tokens-never")) }</td>
                            <td data-label={t!("tokens-status")}>{ if t.active { t!("code-ACTIVE") } else if t.revoked_at.is_some() { t!("code-REVOKED") } else { t!("code-EXPIRED") } }</td>
                            <td data-label={t!("tokens-actions")}>if t.active { <crate::components::ConfirmButton class={classes!("secondary")} label={t!("tokens-revoke")} title={t!("tokens-revoke-title", name = t.name.clone().unwrap_or_default())}
                                consequence={t!("tokens-revoke-consequence")}
                                confirm={t!("tokens-revoke-confirm")} onconfirm={revoke(t.id.clone())} /> }</td>
                        </tr>
                    }) }</tbody>
                </table>
                }
            }) }
        </section>
    }
}

/// The lifetimes offered, in days (the API allows up to a year).
const LIFETIMES: [u32; 5] = [7, 30, 90, 180, 365];

/// A lifetime in words: "7 days", "1 year".
fn lifetime_words(days: u32) -> String {
    if days == 365 { t!("duration-years", n = 1) } else { t!("duration-days", n = days) }
}
const DEFAULT_DAYS: u32 = 90;

/// When a token of `days` (as the select's value) expires, as RFC 3339; `None` leaves the
/// API's default. A year is a few minutes short of 365 days, so a slow clock or request never
/// asks for more than the API allows.
fn expiry(days: &str) -> Option<String> {
    let days: f64 = days.parse().ok()?;
    let margin = if days >= 365.0 { 10.0 * 60_000.0 } else { 0.0 };
    let at = js_sys::Date::now() + days * 86_400_000.0 - margin;
    Some(String::from(js_sys::Date::new(&at.into()).to_iso_string()))
}
