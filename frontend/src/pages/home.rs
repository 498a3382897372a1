//! `/`: a partner's book, the operator's customers; a customer goes to its channel map.

use crate::components::SignInForm;
use crate::hooks::use_session;
use crate::pages::book::BookPage;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(Home)]
pub fn home() -> Html {
    let session = use_session();
    match &*session {
        None => html! { <SignInForm /> },
        Some(s) if s.kind == "CUSTOMER" => {
            html! { <Redirect<Route> to={Route::Customer { id: s.organization_id.clone() }} /> }
        }
        Some(_) => html! { <BookPage /> },
    }
}
