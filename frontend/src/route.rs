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
    #[at("/users")]
    Users,
    #[at("/account")]
    Account,
    #[at("/settings/webhooks")]
    Webhooks,
    #[at("/bulk/:id")]
    Bulk { id: String },
    #[not_found]
    #[at("/not-found")]
    NotFound,
}

pub fn switch(route: Route) -> Html {
    use pages::*;
    match route {
        Route::Home => html! { <home::Home /> },
        Route::SignIn => html! { <sign_in::SignInPage /> },
        Route::Customer { id } => html! { <customer::CustomerPage id={id.clone()} key={id} /> },
        Route::Subscriptions => html! { <subscriptions::SubscriptionsPage /> },
        Route::Subscription { id } => html! { <subscription::SubscriptionPage id={id.clone()} key={id} /> },
        Route::Invitation { code } => {
            html! { <invitation::InvitationLanding code={code.clone()} key={code} /> }
        }
        Route::Tokens => html! { <tokens::TokensPage /> },
        Route::Audit => html! { <audit::AuditPage /> },
        Route::Invitations => html! { <invitations::InvitationsPage /> },
        Route::DelegatedAdmin => html! { <delegated_admin::DelegatedAdminPage /> },
        Route::Partnerships => html! { <partnerships::PartnershipsPage /> },
        Route::Partnership { code } => {
            html! { <partnership::PartnershipLanding code={code.clone()} key={code} /> }
        }
        Route::Relationships => html! { <relationships::RelationshipsPage /> },
        Route::Support => html! { <support::SupportPage /> },
        Route::Users => html! { <users::UsersPage /> },
        Route::Account => html! { <account::AccountPage /> },
        Route::Webhooks => html! { <webhooks::WebhooksPage /> },
        Route::Bulk { id } => html! { <bulk::BulkPage id={id.clone()} key={id} /> },
        Route::NotFound => html! { <not_found::NotFound /> },
    }
}

/// The props of a page addressed by an id (`/customers/:id`, `/subscriptions/:id`).
#[derive(Properties, PartialEq)]
pub struct IdProps {
    pub id: String,
}

/// The props of a landing page addressed by a code (`/invitations/:code`, `/partnerships/:code`).
#[derive(Properties, PartialEq)]
pub struct CodeProps {
    pub code: String,
}
