//! Why the API refuses an action (`viewerCan`'s `reason`), shown where the action would be.

use yew::prelude::*;

pub fn reason(code: Option<&str>, reason: Option<&str>) -> Html {
    html! { <span class="reason">{ refusal_words(code, reason) }</span> }
}

/// Why an action is refused, in the viewer's language: the API's reason in English (it names
/// the specifics), else the reason when the API wrote it in that language, else the catalog's
/// words for its code (`error-<CODE>`).
pub fn refusal_words(code: Option<&str>, reason: Option<&str>) -> String {
    let english = crate::i18n::lang() == crate::i18n::Lang::En;
    if let Some(r) = reason.filter(|r| !r.trim().is_empty())
        && (english || crate::api::in_viewers_language(r).is_some())
    {
        return r.to_owned();
    }
    match code.map(|c| format!("error-{c}")) {
        Some(key) if crate::i18n::has(&key) => crate::t!(&key),
        _ if reason.is_some() || code.is_some() => crate::t!("error-FORBIDDEN"),
        _ => String::new(),
    }
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
    let mut reasons: Vec<String> = Vec::new();
    for o in offers.iter().filter(|o| !o.allowed) {
        let about_side_or_state = matches!(o.code, Some("FORBIDDEN" | "INVALID_STATE_TRANSITION"));
        if o.reason.is_some() && (none_allowed || !about_side_or_state) {
            let r = refusal_words(o.code, o.reason);
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
    }
    if reasons.is_empty() {
        return html! {};
    }
    html! { <span class="reason">{ reasons.join(&crate::t!("reason-separator")) }</span> }
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
