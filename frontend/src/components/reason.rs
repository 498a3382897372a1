//! Why the API refuses an action (`viewerCan`'s `reason`), shown where the action would be.

use yew::prelude::*;

pub fn reason(reason: Option<&str>) -> Html {
    html! { <span class="reason">{ reason.unwrap_or_default() }</span> }
}

/// One action a list row may offer, as its `viewerCan` answers.
pub struct Offer<'a> {
    pub label: &'a str,
    pub allowed: bool,
    pub code: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// What a row says about the actions it does not offer: every distinct reason when it offers
/// none; otherwise only reasons about the action itself (not "only … may do this" or "not
/// possible in this state", which the actions offered already answer).
pub fn refusals(offers: &[Offer]) -> Html {
    let none_allowed = !offers.iter().any(|o| o.allowed);
    let mut reasons: Vec<&str> = Vec::new();
    for o in offers.iter().filter(|o| !o.allowed) {
        let about_side_or_state = matches!(o.code, Some("FORBIDDEN" | "INVALID_STATE_TRANSITION"));
        if let Some(r) = o.reason
            && (none_allowed || !about_side_or_state)
            && !reasons.contains(&r)
        {
            reasons.push(r);
        }
    }
    if reasons.is_empty() {
        return html! {};
    }
    reason(Some(&reasons.join("; ")))
}

/// The [`Offer`] for `label` from one `viewerCan` answer (`{ allowed reasonCode reason }`;
/// each query has its own type for it, hence a macro).
macro_rules! offer {
    ($label:expr, $permission:expr) => {{
        let p = &$permission;
        $crate::components::Offer {
            label: $label,
            allowed: p.allowed,
            code: p.reason_code.as_deref(),
            reason: p.reason.as_deref(),
        }
    }};
}
pub(crate) use offer;
