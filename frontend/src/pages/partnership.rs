//! `/partnerships/:code`: the page an indirect reseller opens from a provider's partnership link.

use crate::components::sign_in_for;
use crate::hooks::{use_mutation, use_outcome, use_session};
use crate::queries::*;
use crate::route::CodeProps;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(PartnershipLanding)]
pub fn partnership_landing(props: &CodeProps) -> Html {
    let session = use_session();
    let accept_partnership = use_mutation::<AcceptResellerPartnership>();
    let outcome = use_outcome();
    let accepted = use_state(|| None::<String>);
    // A link that expired, was used or was removed cannot be accepted: once the API says so, the
    // page stops offering it.
    let closed = use_state(|| false);
    if session.is_none() {
        return sign_in_for(
            "An indirect provider invites your organization to resell through it. Sign in as your organization's admin agent to accept.",
        );
    }
    let accept = {
        let (code, outcome, accepted, closed) =
            (props.code.clone(), outcome.clone(), accepted.clone(), closed.clone());
        Callback::from(move |_| {
            let input = accept_reseller_partnership::AcceptResellerPartnershipInput { code: code.clone() };
            let (outcome, accepted, closed) = (outcome.clone(), accepted.clone(), closed.clone());
            accept_partnership.run(accept_reseller_partnership::Variables { input }, move |answer| {
                match answer {
                    Ok(d) => accepted.set(Some(d.accept_reseller_partnership.partnership.provider.name)),
                    Err(e) => {
                        closed.set(e.code == "INVALID_STATE_TRANSITION");
                        outcome.set(Err(e))
                    }
                }
            });
        })
    };
    html! {
        <section class="card" aria-labelledby="pl-title">
            <h1 id="pl-title">{ "Partnership invitation" }</h1>
            if let Some(provider) = &*accepted {
                <p class="ok" role="status">{ format!("You now resell through {provider}.") }</p>
                <Link<Route> to={Route::Partnerships}>{ "Your partnerships" }</Link<Route>>
            } else if *closed {
                <p>{ "This link can no longer be accepted." }</p>
            } else {
                <p>{ "Accepting makes your organization an indirect reseller of the provider that sent this link: it can then name you on its invitations and tag you on the subscriptions it orders." }</p>
                <button onclick={accept}>{ "Accept partnership" }</button>
            }
            <div aria-live="polite">{ outcome.view() }</div>
        </section>
    }
}
