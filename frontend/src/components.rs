//! Pieces shared by pages.

use crate::SessionHandle;
use crate::api::{self, ApiError, Session};
use crate::queries::{self, SignIn as SignInOp, SignOut as SignOutOp};
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// What a page's data is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(ApiError),
}

#[function_component(Header)]
pub fn header() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let navigator = use_navigator();
    let sign_out = {
        let session = session.clone();
        Callback::from(move |_| {
            if let Some(s) = (*session).clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = api::run_unit::<SignOutOp>(Some(&s.token), queries::sign_out::Variables {}).await;
                });
            }
            Session::forget();
            session.set(None);
            if let Some(n) = &navigator {
                n.push(&Route::Home);
            }
        })
    };
    html! {
        <header>
            <a class="skip" href="#main">{ "Skip to content" }</a>
            <Link<Route> to={Route::Home} classes="brand">{ "Multichannel" }</Link<Route>>
            if let Some(s) = &*session {
                <span class="who" aria-label="Signed in as">
                    { &s.email }{ " · " }<strong>{ &s.organization }</strong>{ format!(" ({})", s.kind.to_ascii_lowercase()) }
                </span>
                <nav aria-label="Main">
                    <Link<Route> to={Route::Home}>{ if s.is_partner() { "My book" } else { "Home" } }</Link<Route>>
                    <Link<Route> to={Route::Subscriptions}>{ "Subscriptions" }</Link<Route>>
                    if s.is_partner() { <Link<Route> to={Route::Invitations}>{ "Invitations" }</Link<Route>> }
                    if s.is_partner() { <Link<Route> to={Route::Partnerships}>{ "Partnerships" }</Link<Route>> }
                    <Link<Route> to={Route::Relationships}>{ "Relationships" }</Link<Route>>
                    <Link<Route> to={Route::DelegatedAdmin}>{ "Delegated admin" }</Link<Route>>
                    <Link<Route> to={Route::Support}>{ "Support" }</Link<Route>>
                    <Link<Route> to={Route::Audit}>{ "Audit log" }</Link<Route>>
                    <Link<Route> to={Route::Tokens}>{ "API tokens" }</Link<Route>>
                    <a href="/graphiql">{ "GraphiQL" }</a>
                    <button class="secondary" onclick={sign_out}>{ "Sign out" }</button>
                </nav>
            }
        </header>
    }
}

#[derive(Properties, PartialEq)]
pub struct SignInFormProps {
    /// Called once signed in.
    #[prop_or_default]
    pub on_signed_in: Callback<()>,
}

/// The sign-in form; stores the session in the shared handle.
#[function_component(SignInForm)]
pub fn sign_in_form(props: &SignInFormProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let email = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let onsubmit = {
        let (email, password, error, busy, session, done) = (
            email.clone(),
            password.clone(),
            error.clone(),
            busy.clone(),
            session.clone(),
            props.on_signed_in.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value =
                |r: &NodeRef| r.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let variables = queries::sign_in::Variables {
                input: queries::sign_in::SignInInput { email: value(&email), password: value(&password) },
            };
            let (error, busy, session, done) = (error.clone(), busy.clone(), session.clone(), done.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::run::<SignInOp>(None, variables).await {
                    Ok(data) => {
                        let v = data.sign_in.viewer;
                        let s = Session {
                            token: data.sign_in.token,
                            email: v.user.email,
                            organization: v.organization.name.clone(),
                            organization_id: v.organization.id.clone(),
                            kind: name(&v.organization.kind).to_ascii_uppercase(),
                            roles: v.roles.iter().map(name).collect(),
                        };
                        s.store();
                        session.set(Some(s));
                        error.set(None);
                        done.emit(());
                    }
                    Err(e) => error.set(Some(e.words())),
                }
                busy.set(false);
            });
        })
    };
    html! {
        <form class="card narrow" {onsubmit} aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{ "Sign in" }</h1>
            <label for="email">{ "Email" }</label>
            <input id="email" type="email" autocomplete="username" required=true ref={email} />
            <label for="password">{ "Password" }</label>
            <input id="password" type="password" autocomplete="current-password" required=true ref={password} />
            if let Some(e) = &*error { <p class="error" role="alert">{ e }</p> }
            <button type="submit" disabled={*busy}>{ if *busy { "Signing in…" } else { "Sign in" } }</button>
        </form>
    }
}

/// A loading, error or ready view of a `Load`.
pub fn show<T>(load: &Load<T>, ready: impl FnOnce(&T) -> Html) -> Html {
    match load {
        Load::Loading => html! { <p class="muted" role="status">{ "Loading…" }</p> },
        Load::Failed(e) => html! { <p class="error" role="alert">{ e.words() }</p> },
        Load::Ready(t) => ready(t),
    }
}

/// A channel as a coloured badge.
pub fn channel_badge(channel: &str) -> Html {
    let (class, text) = match channel {
        "ONLINE_DIRECT" => ("badge online", "Online direct"),
        "ADVISOR" => ("badge advisor", "Advisor"),
        "CSP_DIRECT" => ("badge direct", "CSP direct"),
        "CSP_INDIRECT" => ("badge indirect", "CSP indirect"),
        other => ("badge", other),
    };
    html! { <span class={class}>{ text }</span> }
}

/// A GraphQL enum value as the API spells it: `INDIRECT_PROVIDER` (serde writes what the API
/// sent; `Debug` only happens to match).
pub fn name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A GraphQL enum value as words: `INDIRECT_PROVIDER` → "indirect provider". (GraphQL names are
/// ASCII, so ASCII lowercasing is exact; it also keeps Unicode's case tables out of the app.)
pub fn words<T: serde::Serialize>(value: &T) -> String {
    name(value).to_ascii_lowercase().replace('_', " ")
}

/// A button that copies `text` to the clipboard.
#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub text: String,
    pub label: String,
}

#[function_component(CopyButton)]
pub fn copy_button(props: &CopyProps) -> Html {
    let copied = use_state(|| false);
    let onclick = {
        let (text, copied) = (props.text.clone(), copied.clone());
        Callback::from(move |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
                copied.set(true);
            }
        })
    };
    html! { <button class="secondary" {onclick}>{ if *copied { "Copied" } else { props.label.as_str() } }</button> }
}
