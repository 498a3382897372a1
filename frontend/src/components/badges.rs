//! Small marks shown beside names: a subscription's channel, and who serves a lifecycle stage.

use yew::prelude::*;

/// A channel as a coloured badge.
pub fn channel_badge(channel: &str) -> Html {
    let (class, text) = match channel {
        "ONLINE_DIRECT" => ("badge online", "Online direct"),
        "ADVISOR" => ("badge advisor", "Advisor"),
        "CSP_DIRECT" => ("badge direct", "CSP direct"),
        "CSP_INDIRECT" => ("badge indirect", "CSP indirect"),
        other => ("badge", other),
    };
    html! { <span class={class}>{ text }</span> }
}

/// Who serves a stage (provisioning or support), marked when the customer handed it over.
pub fn stage(p: &Option<String>, operator: bool, delegated: bool) -> Html {
    let name = if operator { "21Vianet (operator)".to_owned() } else { p.clone().unwrap_or_default() };
    html! { <>{ name }if delegated { <span class="badge multi" title="Handed to this partner by the customer">{ "multi-channel" }</span> }</> }
}
