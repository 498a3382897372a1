//! The Multichannel web app: a partner's multi-channel book, customers' channel maps,
//! subscriptions with what the viewer may do and why, and the invitation landing page.
//!
//! Where things are:
//! - `route.rs`: the routes; each renders one page from `pages/`, whose file is named after it.
//! - `pages/`: one file per route; a page reads its data with one `use_query` at its top.
//! - `components/`: the parts pages are built from, one file each.
//! - `hooks.rs`: `use_session`, `use_query`, `use_mutation`, `use_outcome`.
//! - `live.rs`: the session's live feed (WebSocket); `use_refetch_on` reloads a page's data when
//!   the other side acts.
//! - `api.rs`: the one way to the GraphQL API; `queries.rs` and `../queries/*.graphql`: the
//!   typed operations.
//! - `text.rs` and `form.rs`: how values read on screen, and reading a form's fields.
//!
//! A new page: a file in `pages/`, a variant in `Route`, a line in `switch`.

mod api;
mod components;
mod form;
mod hooks;
mod live;
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
            <live::LiveProvider>
                <BrowserRouter>
                    <components::Header />
                    <main id="main">
                        <Switch<Route> render={switch} />
                    </main>
                </BrowserRouter>
            </live::LiveProvider>
        </ContextProvider<SessionHandle>>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
