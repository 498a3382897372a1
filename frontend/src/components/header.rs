//! The app's header: its name, who is signed in, the main navigation and the notifications menu.

use crate::LangHandle;
use crate::api::Session;
use crate::components::NotificationsMenu;
use crate::hooks::{use_mutation, use_session};
use crate::i18n::{Lang, set_lang};
use crate::queries::{SignOut, sign_out};
use crate::route::Route;
use crate::t;
use crate::text::code_words;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(Header)]
pub fn header() -> Html {
    let session = use_session();
    let end = use_mutation::<SignOut>();
    let navigator = use_navigator();
    let sign_out = {
        let session = session.clone();
        Callback::from(move |_| {
            if session.is_some() {
                end.send(sign_out::Variables {}, |_| ());
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
            <a class="skip" href="#main">{ t!("header-skip") }</a>
            <LanguageSwitch />
            <Link<Route> to={Route::Home} classes="brand">{ "Multichannel" }</Link<Route>>
            if let Some(s) = &*session {
                <span class="who" aria-label={t!("header-signed-in-as")}>
                    { &s.email }{ " · " }<strong>{ &s.organization }</strong>{ format!(" ({})", code_words(&s.kind)) }
                </span>
                if s.enrol_only {
                <nav aria-label={t!("header-main")}>
                    <Link<Route> to={Route::Account}>{ t!("nav-account") }</Link<Route>>
                    <button class="secondary" onclick={sign_out.clone()}>{ t!("nav-sign-out") }</button>
                </nav>
                } else {
                <nav aria-label={t!("header-main")}>
                    <Link<Route> to={Route::Home}>{ if s.is_partner() { t!("nav-my-book") } else { t!("nav-home") } }</Link<Route>>
                    <Link<Route> to={Route::Subscriptions}>{ t!("nav-subscriptions") }</Link<Route>>
                    if s.is_partner() { <Link<Route> to={Route::Invitations}>{ t!("nav-invitations") }</Link<Route>> }
                    if s.is_partner() { <Link<Route> to={Route::Partnerships}>{ t!("nav-partnerships") }</Link<Route>> }
                    <Link<Route> to={Route::Relationships}>{ t!("nav-relationships") }</Link<Route>>
                    <Link<Route> to={Route::DelegatedAdmin}>{ t!("nav-delegated-admin") }</Link<Route>>
                    <Link<Route> to={Route::Support}>{ t!("nav-support") }</Link<Route>>
                    <Link<Route> to={Route::Audit}>{ t!("nav-audit") }</Link<Route>>
                    <Link<Route> to={Route::Tokens}>{ t!("nav-tokens") }</Link<Route>>
                    if s.manages_users { <Link<Route> to={Route::Users}>{ t!("nav-people") }</Link<Route>> }
                    if s.manages_users { <Link<Route> to={Route::Webhooks}>{ t!("nav-webhooks") }</Link<Route>> }
                    <Link<Route> to={Route::Account}>{ t!("nav-account") }</Link<Route>>
                    <a href="/graphiql">{ "GraphiQL" }</a>
                    <button class="secondary" onclick={sign_out}>{ t!("nav-sign-out") }</button>
                    <NotificationsMenu />
                </nav>
                }
            }
        </header>
    }
}

/// The language switch: each language named in itself, so anyone finds their own.
#[function_component(LanguageSwitch)]
fn language_switch() -> Html {
    let lang = use_context::<LangHandle>().expect("App provides the language");
    let onchange = {
        let lang = lang.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Some(l) = Lang::from_tag(&value) {
                set_lang(l);
                lang.set(l);
            }
        })
    };
    html! {
        <label class="language">
            <span class="sr-only">{ t!("header-language") }</span>
            <select {onchange} aria-label={t!("header-language")}>
                { for Lang::ALL.iter().map(|l| html! { <option value={l.code()} lang={l.code()} selected={*l == *lang}>{ l.native_name() }</option> }) }
            </select>
        </label>
    }
}
