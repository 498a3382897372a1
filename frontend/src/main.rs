//! The Multichannel web app: a partner's multi-channel book, customers' channel maps,
//! subscriptions with what the viewer may do and why, and the invitation landing page.

mod api;
mod components;
mod form;
mod hooks;
mod pages;
mod queries;
mod route;
mod text;

use api::Session;
use route::{Route, switch};
use yew::prelude::*;
use yew_router::prelude::*;

/// The session, shared by every page; `None` when signed out.
pub type SessionHandle = UseStateHandle<Option<Session>>;

#[function_component(App)]
fn app() -> Html {
    let session = use_state(Session::load);
    html! {
        <ContextProvider<SessionHandle> context={session}>
            <BrowserRouter>
                <components::Header />
                <main id="main">
                    <Switch<Route> render={switch} />
                </main>
            </BrowserRouter>
        </ContextProvider<SessionHandle>>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
