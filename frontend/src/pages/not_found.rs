//! Any other address.

use crate::route::Route;
use crate::t;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(NotFound)]
pub fn not_found() -> Html {
    html! { <section class="card"><h1>{ t!("not-found") }</h1><Link<Route> to={Route::Home}>{ t!("not-found-home") }</Link<Route>></section> }
}
