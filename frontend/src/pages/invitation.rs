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
        html! {
            <section class="card" aria-labelledby="inv-title">
                <h1 id="inv-title">{ format!("{} invites you", i.partner.name) }</h1>
                if !i.message.is_empty() { <blockquote>{ &i.message }</blockquote> }
                <h2>{ "Accepting will" }</h2>
                <ul>{ for i.changes.iter().map(|c| html! { <li>{ c }</li> }) }</ul>
                <p class="muted">{ format!("Status: {} · expires {}", i.status.to_ascii_lowercase(), date(&i.expires_at)) }</p>
                if can.accept.allowed || can.decline.allowed {
                    <div class="actions">
                        if can.accept.allowed { <button onclick={on_accept}>{ "Accept" }</button> }
                        if can.decline.allowed {
                            <button class="secondary" onclick={on_decline}>{ "Decline" }</button>
                        }
                    </div>
                }
                { refusals(&[offer!("Accept", can.accept), offer!("Decline", can.decline)]) }
                { outcome.view() }
            </section>
        }
    })
}
