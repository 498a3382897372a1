//! The sign-in form; stores the session in the shared handle.

use crate::api::Session;
use crate::hooks::{use_mutation, use_session};
use crate::queries::{SignIn, sign_in};
use crate::text::name;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SignInFormProps {
    /// Called once signed in.
    #[prop_or_default]
    pub on_signed_in: Callback<()>,
}

/// The sign-in form; stores the session in the shared handle.
#[function_component(SignInForm)]
pub fn sign_in_form(props: &SignInFormProps) -> Html {
    let session = use_session();
    let sign_in = use_mutation::<SignIn>();
    let email = use_node_ref();
    let password = use_node_ref();
    let onsubmit = {
        let (email, password, sign_in, done) =
            (email.clone(), password.clone(), sign_in.clone(), props.on_signed_in.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value =
                |r: &NodeRef| r.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let variables = sign_in::Variables {
                input: sign_in::SignInInput { email: value(&email), password: value(&password) },
            };
            let (session, done) = (session.clone(), done.clone());
            sign_in.run(variables, move |answer| {
                if let Ok(data) = answer {
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
                    done.emit(());
                }
            });
        })
    };
    let busy = sign_in.pending();
    html! {
        <form class="card narrow" {onsubmit} aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{ "Sign in" }</h1>
            <label for="email">{ "Email" }</label>
            <input id="email" type="email" autocomplete="username" required=true ref={email} />
            <label for="password">{ "Password" }</label>
            <input id="password" type="password" autocomplete="current-password" required=true ref={password} />
            if let Some(e) = sign_in.error() { <p class="error" role="alert">{ e.words() }</p> }
            <button type="submit" disabled={busy}>{ if busy { "Signing in…" } else { "Sign in" } }</button>
        </form>
    }
}

/// The sign-in form under a line that says why to sign in (the landing pages).
pub fn sign_in_for(why: &'static str) -> Html {
    html! {
        <>
        <p class="card narrow">{ why }</p>
        <SignInForm />
        </>
    }
}
