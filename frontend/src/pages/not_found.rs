//! Any other address.

use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(NotFound)]
pub fn not_found() -> Html {
    html! { <section class="card"><h1>{ "Page not found" }</h1><Link<Route> to={Route::Home}>{ "Home" }</Link<Route>></section> }
}
