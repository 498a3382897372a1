//! `/invitations/:code`: the page a customer opens from an invitation link.

use crate::api::ApiError;
use crate::components::{offer, refusals, show, sign_in_for};
use crate::hooks::{use_mutation, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::route::CodeProps;
use crate::route::Route;
use crate::t;
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
        return sign_in_for(t!("landing-sign-in"));
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
        let ask_again = html! { <p>{ t!("landing-ask-again", partner = partner.clone()) }</p> };
        let when = |at: &Option<String>| at.as_deref().map(date).unwrap_or_else(|| t!("landing-earlier"));
        match i.status.as_str() {
            "ACCEPTED" => closed(
                t!("landing-accepted"),
                t!("landing-accepted-what", partner = partner.clone(), date = when(&i.accepted_at)),
                html! { <p><Link<Route> to={Route::Relationships}>{ t!("landing-see-relationship", partner = partner.clone()) }</Link<Route>></p> },
            ),
            "DECLINED" => closed(
                t!("landing-declined"),
                t!("landing-declined-what", partner = partner.clone(), date = when(&i.declined_at)),
                ask_again,
            ),
            "REVOKED" => closed(
                t!("landing-revoked"),
                t!("landing-revoked-what", partner = partner.clone(), date = when(&i.revoked_at)),
                ask_again,
            ),
            "EXPIRED" => closed(
                t!("landing-expired"),
                t!("landing-expired-what", partner = partner.clone(), date = date(&i.expires_at)),
                ask_again,
            ),
            _ => html! {
                <section class="card" aria-labelledby="inv-title">
                    <h1 id="inv-title">{ t!("landing-invites", partner = partner.clone()) }</h1>
                    if !i.message.is_empty() { <blockquote>{ &i.message }</blockquote> }
                    <h2>{ t!("landing-accepting-will") }</h2>
                    <ul>{ for changes(i).iter().map(|c| html! { <li>{ c }</li> }) }</ul>
                    <p>{ t!("landing-waiting", date = date(&i.expires_at), relative = crate::i18n::relative(&i.expires_at)) }</p>
                    if can.accept.allowed || can.decline.allowed {
                        <div class="actions">
                            if can.accept.allowed { <button onclick={on_accept.clone()}>{ t!("landing-accept") }</button> }
                            if can.decline.allowed {
                                <button class="secondary" onclick={on_decline.clone()}>{ t!("landing-decline") }</button>
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

/// What accepting will change: the API's sentences in English; in another language, the same
/// facts in the catalog's words (the API writes these sentences in English only).
fn changes(i: &invitation_preview::InvitationPreviewInvitationByCode) -> Vec<String> {
    if crate::i18n::lang() == crate::i18n::Lang::En {
        return i.changes.clone();
    }
    let partner = i.partner.name.clone();
    let kind = crate::text::name(&i.relationship_kind);
    let mut out = vec![if kind == "DIRECT" {
        t!("landing-change-direct", partner = partner.clone())
    } else {
        t!("landing-change-provider", partner = partner.clone())
    }];
    if let Some(r) = &i.indirect_reseller {
        out.push(t!("landing-change-reseller", reseller = r.name.clone(), partner = partner.clone()));
    }
    if !i.delegated_roles.is_empty() {
        let holder = i.delegated_admin_holder.as_ref().map(|h| h.name.clone()).unwrap_or(partner);
        out.push(t!(
            "landing-change-rights",
            holder = holder,
            roles = i
                .delegated_roles
                .iter()
                .map(crate::text::words)
                .collect::<Vec<_>>()
                .join(t!("list-separator").as_str()),
            services = i
                .delegated_services
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
                .join(t!("list-separator").as_str()),
            length = i.delegated_duration.as_deref().map(crate::text::duration).unwrap_or_default()
        ));
    }
    out
}
