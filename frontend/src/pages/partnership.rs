//! `/partnerships/:code`: the page an indirect reseller opens from a provider's partnership link.

use crate::components::sign_in_for;
use crate::hooks::{use_mutation, use_outcome, use_session};
use crate::queries::*;
use crate::route::CodeProps;
use crate::route::Route;
use crate::t;
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
        return sign_in_for(t!("pl-sign-in"));
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
            <h1 id="pl-title">{ t!("pl-title") }</h1>
            if let Some(provider) = &*accepted {
                <p class="ok" role="status">{ t!("pl-accepted", provider = provider.clone()) }</p>
                <Link<Route> to={Route::Partnerships}>{ t!("pl-yours") }</Link<Route>>
            } else if *closed {
                <p>{ t!("pl-closed") }</p>
            } else {
                <p>{ t!("pl-explain") }</p>
                <button onclick={accept}>{ t!("pl-accept") }</button>
            }
            <div aria-live="polite">{ outcome.view() }</div>
        </section>
    }
}
