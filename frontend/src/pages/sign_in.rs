//! `/sign-in`: the sign-in form, then home.

use crate::components::SignInForm;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(SignInPage)]
pub fn sign_in_page() -> Html {
    let navigator = use_navigator().expect("router");
    let done = Callback::from(move |_| navigator.push(&Route::Home));
    html! { <SignInForm on_signed_in={done} /> }
}
