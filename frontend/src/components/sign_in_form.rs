//! The sign-in form; stores the session in the shared handle.

use crate::api::Session;
use crate::hooks::{use_mutation, use_session};
use crate::queries::{SignIn, sign_in};
use crate::route::Route;
use crate::t;
use crate::text::name;
use yew::prelude::*;
use yew_router::prelude::*;

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
    let code = use_node_ref();
    // Set once the API answered MFA_CODE_REQUIRED: the form asks for the second factor too.
    let needs_code = use_state_eq(|| false);
    let navigator = use_navigator();
    let onsubmit = {
        let (email, password, code, sign_in, done, needs_code) = (
            email.clone(),
            password.clone(),
            code.clone(),
            sign_in.clone(),
            props.on_signed_in.clone(),
            needs_code.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value =
                |r: &NodeRef| r.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let second = value(&code);
            let variables = sign_in::Variables {
                input: sign_in::SignInInput {
                    email: value(&email),
                    password: value(&password),
                    code: (!second.trim().is_empty()).then_some(second),
                },
            };
            let (session, done, needs_code, navigator) =
                (session.clone(), done.clone(), needs_code.clone(), navigator.clone());
            sign_in.run(variables, move |answer| {
                if matches!(&answer, Err(e) if e.code == "MFA_CODE_REQUIRED") {
                    needs_code.set(true);
                }
                if let Ok(data) = answer {
                    let v = data.sign_in.viewer;
                    let s = Session {
                        token: data.sign_in.token,
                        email: v.user.email,
                        organization: v.organization.name.clone(),
                        organization_id: v.organization.id.clone(),
                        kind: name(&v.organization.kind).to_ascii_uppercase(),
                        roles: v.roles.iter().map(name).collect(),
                        enrol_only: v.mfa_enrolment_required,
                        manages_users: v.manages_users,
                    };
                    let enrol = s.enrol_only;
                    s.store();
                    session.set(Some(s));
                    match navigator.filter(|_| enrol) {
                        // Nothing else works until multi-factor sign-in is set up.
                        Some(n) => n.push(&Route::Account),
                        None => done.emit(()),
                    }
                }
            });
        })
    };
    let busy = sign_in.pending();
    html! {
        <form class="card narrow" {onsubmit} aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{ t!("sign-in-title") }</h1>
            <label for="email">{ t!("sign-in-email") }</label>
            <input id="email" type="email" autocomplete="username" required=true ref={email} />
            <label for="password">{ t!("sign-in-password") }</label>
            <input id="password" type="password" autocomplete="current-password" required=true ref={password} />
            if *needs_code {
                <label for="sign-in-code">{ t!("sign-in-code") }</label>
                <input id="sign-in-code" autocomplete="one-time-code" maxlength="64" required=true ref={code} />
            }
            if let Some(e) = sign_in.error().filter(|e| !(*needs_code && e.code == "MFA_CODE_REQUIRED")) {
                <p class="error" role="alert">{ e.words() }</p>
            }
            <button type="submit" disabled={busy}>{ if busy { t!("sign-in-busy") } else { t!("sign-in-submit") } }</button>
        </form>
    }
}

/// The sign-in form under a line that says why to sign in (the landing pages).
pub fn sign_in_for(why: String) -> Html {
    html! {
        <>
        <p class="card narrow">{ why }</p>
        <SignInForm />
        </>
    }
}
