//! Client-side routes; the server answers index.html for each, so deep links and reloads work.
//! Pages with an id are keyed by it: another id is a fresh page, never the last one reloading.

use crate::pages;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Clone, Routable, PartialEq, Debug)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/sign-in")]
    SignIn,
    #[at("/customers/:id")]
    Customer { id: String },
    #[at("/subscriptions")]
    Subscriptions,
    #[at("/subscriptions/:id")]
    Subscription { id: String },
    #[at("/invitations/:code")]
    Invitation { code: String },
    #[at("/tokens")]
    Tokens,
    #[at("/audit")]
    Audit,
    #[at("/invitations")]
    Invitations,
    #[at("/delegated-admin")]
    DelegatedAdmin,
    #[at("/partnerships")]
    Partnerships,
    #[at("/partnerships/:code")]
    Partnership { code: String },
    #[at("/relationships")]
    Relationships,
    #[at("/support")]
    Support,
    #[not_found]
    #[at("/not-found")]
    NotFound,
}

pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <pages::Home /> },
        Route::SignIn => html! { <pages::SignInPage /> },
        Route::Customer { id } => html! { <pages::CustomerPage id={id.clone()} key={id} /> },
        Route::Subscriptions => html! { <pages::lists::SubscriptionsPage /> },
        Route::Subscription { id } => html! { <pages::SubscriptionPage id={id.clone()} key={id} /> },
        Route::Invitation { code } => html! { <pages::InvitationLanding code={code.clone()} key={code} /> },
        Route::Tokens => html! { <pages::more::TokensPage /> },
        Route::Audit => html! { <pages::more::AuditPage /> },
        Route::Invitations => html! { <pages::more::InvitationsPage /> },
        Route::DelegatedAdmin => html! { <pages::delegated::DelegatedAdminPage /> },
        Route::Partnerships => html! { <pages::channels::PartnershipsPage /> },
        Route::Partnership { code } => {
            html! { <pages::channels::PartnershipLanding code={code.clone()} key={code} /> }
        }
        Route::Relationships => html! { <pages::channels::RelationshipsPage /> },
        Route::Support => html! { <pages::support::SupportPage /> },
        Route::NotFound => {
            html! { <section class="card"><h1>{ "Page not found" }</h1><Link<Route> to={Route::Home}>{ "Home" }</Link<Route>></section> }
        }
    }
}
