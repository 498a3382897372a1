//! `/invitations/:code`: the page a customer opens from an invitation link.

use crate::api::ApiError;
use crate::components::{offer, refusals, show, sign_in_for};
use crate::hooks::{use_mutation, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::route::CodeProps;
use crate::route::Route;
use crate::text::date;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(InvitationLanding)]
pub fn invitation_landing(props: &CodeProps) -> Html {
    let session = use_session();
    let (state, _) =
        use_query::<InvitationPreview>(invitation_preview::Variables { code: props.code.clone() });
    let accept = use_mutation::<AcceptInvitation>();
    let decline = use_mutation::<DeclineInvitation>();
    let outcome = use_outcome();
    let navigator = use_navigator().expect("router");
    if session.is_none() {
        return sign_in_for(
            "You were sent an invitation. Sign in as your organization's global admin to review it.",
        );
    }
    // Either answer leads to the customer's channel map; a refusal is shown in words.
    let open_customer = {
        let outcome = outcome.clone();
        move |answer: Result<String, ApiError>| match answer {
            Ok(id) => navigator.push(&Route::Customer { id }),
            Err(e) => outcome.set(Err(e)),
        }
    };
    let on_accept = {
        let (accept, code, open_customer) = (accept.clone(), props.code.clone(), open_customer.clone());
        Callback::from(move |_| {
            let open_customer = open_customer.clone();
            let input =
                accept_invitation::InvitationCodeInput { code: code.clone(), replace_existing: false };
            accept.run(accept_invitation::Variables { input }, move |answer| {
                open_customer(answer.map(|d| d.accept_invitation.customer.id))
            });
        })
    };
    let on_decline = {
        let (decline, code) = (decline.clone(), props.code.clone());
        Callback::from(move |_| {
            let open_customer = open_customer.clone();
            let input =
                decline_invitation::InvitationCodeInput { code: code.clone(), replace_existing: false };
            decline.run(decline_invitation::Variables { input }, move |answer| {
                open_customer(answer.map(|d| d.decline_invitation.customer.id))
            });
        })
    };
    show(&*state, |data| {
        let i = &data.invitation_by_code;
        let can = &i.viewer_can;
        let partner = &i.partner.name;
        // A closed invitation does not read like one: its state, when, and what is left to do.
        let closed = |title: String, what: String, next: Html| {
            html! {
                <section class="card" aria-labelledby="inv-title">
                    <h1 id="inv-title">{ title }</h1>
                    <p role="status">{ what }</p>
                    { next }
                </section>
            }
        };
        let ask_again = html! { <p>{ format!("If you still want to work with {partner}, ask them for a new invitation.") }</p> };
        let when =
            |at: &Option<String>| at.as_deref().map(date).unwrap_or_else(|| "an earlier date".to_owned());
        match i.status.as_str() {
            "ACCEPTED" => closed(
                "Invitation accepted".into(),
                format!("You accepted this invitation from {partner} on {}.", when(&i.accepted_at)),
                html! { <p><Link<Route> to={Route::Relationships}>{ format!("See your relationship with {partner}") }</Link<Route>></p> },
            ),
            "DECLINED" => closed(
                "Invitation declined".into(),
                format!(
                    "Your organization declined this invitation from {partner} on {}.",
                    when(&i.declined_at)
                ),
                ask_again,
            ),
            "REVOKED" => closed(
                "Invitation revoked".into(),
                format!(
                    "This invitation was revoked by {partner} on {}; it can no longer be accepted.",
                    when(&i.revoked_at)
                ),
                ask_again,
            ),
            "EXPIRED" => closed(
                "Invitation expired".into(),
                format!(
                    "This invitation from {partner} expired on {}; it can no longer be accepted.",
                    date(&i.expires_at)
                ),
                ask_again,
            ),
            _ => html! {
                <section class="card" aria-labelledby="inv-title">
                    <h1 id="inv-title">{ format!("{partner} invites you") }</h1>
                    if !i.message.is_empty() { <blockquote>{ &i.message }</blockquote> }
                    <h2>{ "Accepting will" }</h2>
                    <ul>{ for i.changes.iter().map(|c| html! { <li>{ c }</li> }) }</ul>
                    <p>{ format!("Waiting for your answer · the link works until {}", date(&i.expires_at)) }</p>
                    if can.accept.allowed || can.decline.allowed {
                        <div class="actions">
                            if can.accept.allowed { <button onclick={on_accept.clone()}>{ "Accept" }</button> }
                            if can.decline.allowed {
                                <button class="secondary" onclick={on_decline.clone()}>{ "Decline" }</button>
                            }
                        </div>
                    }
                    { refusals(&[offer!("Accept", can.accept), offer!("Decline", can.decline)]) }
                    { outcome.view() }
                </section>
            },
        }
    })
}
