//! The Multichannel web app. This first version signs in and shows who you are; the full app
//! (book, channel maps, invitations, delegated admin) grows on the same API helper.

mod api;

use api::Session;
use yew::prelude::*;

#[function_component(App)]
fn app() -> Html {
    let session = use_state(Session::load);
    let on_signed_in = {
        let session = session.clone();
        Callback::from(move |s: Session| {
            s.store();
            session.set(Some(s));
        })
    };
    let on_sign_out = {
        let session = session.clone();
        Callback::from(move |_| {
            Session::forget();
            session.set(None);
        })
    };
    html! {
        <>
            <header>
                <span class="brand">{ "Multichannel" }</span>
                if let Some(s) = &*session {
                    <span>{ format!("{} · {} ({})", s.email, s.organization, s.kind) }</span>
                    <button onclick={on_sign_out}>{ "Sign out" }</button>
                }
            </header>
            <main>
                if let Some(s) = &*session {
                    <section class="card" aria-label="Signed in">
                        <h1>{ format!("Welcome, {}", s.email) }</h1>
                        <p class="muted">{ "Explore the API in " }<a href="/graphiql">{ "GraphiQL" }</a>{ "." }</p>
                    </section>
                } else {
                    <SignIn on_signed_in={on_signed_in} />
                }
            </main>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SignInProps {
    on_signed_in: Callback<Session>,
}

#[function_component(SignIn)]
fn sign_in(props: &SignInProps) -> Html {
    let email = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<String>);
    let onsubmit = {
        let (email, password, error, done) =
            (email.clone(), password.clone(), error.clone(), props.on_signed_in.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value =
                |r: &NodeRef| r.cast::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (em, pw) = (value(&email), value(&password));
            let (error, done) = (error.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::sign_in(&em, &pw).await {
                    Ok(s) => done.emit(s),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <form class="card" {onsubmit} aria-label="Sign in">
            <h1>{ "Sign in" }</h1>
            <label for="email">{ "Email" }</label>
            <input id="email" type="email" autocomplete="username" required=true ref={email} />
            <label for="password">{ "Password" }</label>
            <input id="password" type="password" autocomplete="current-password" required=true ref={password} />
            if let Some(e) = &*error { <p class="error" role="alert">{ e }</p> }
            <button type="submit">{ "Sign in" }</button>
        </form>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
