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
//! - `i18n.rs`: the two languages; every string on screen is `t!("key")` from
//!   `locales/<en|zh-CN>/<area>.ftl`, every date goes through `Intl`.
//! - `text.rs` and `form.rs`: how values read on screen, and reading a form's fields.
//!
//! A new page: a file in `pages/`, a variant in `Route`, a line in `switch`.

mod api;
mod components;
mod form;
mod hooks;
mod i18n;
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

/// The language on screen; the header's switch sets it (after `i18n::set_lang`).
pub type LangHandle = UseStateHandle<i18n::Lang>;

#[function_component(App)]
fn app() -> Html {
    let session = use_state(Session::load);
    let lang = use_state(i18n::lang);
    html! {
        <ContextProvider<SessionHandle> context={session}>
          <ContextProvider<LangHandle> context={lang.clone()}>
            <live::LiveProvider>
                // Keyed on the language, so a switch re-renders every page in the new one.
                <BrowserRouter key={lang.code()}>
                    <components::Header />
                    <main id="main">
                        <Switch<Route> render={switch} />
                    </main>
                </BrowserRouter>
            </live::LiveProvider>
          </ContextProvider<LangHandle>>
        </ContextProvider<SessionHandle>>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
