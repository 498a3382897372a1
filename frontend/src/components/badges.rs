//! Small marks shown beside names: a subscription's channel, and who serves a lifecycle stage.

use crate::t;
use yew::prelude::*;

/// A channel as a coloured badge.
pub fn channel_badge(channel: &str) -> Html {
    let class = match channel {
        "ONLINE_DIRECT" => "badge online",
        "ADVISOR" => "badge advisor",
        "CSP_DIRECT" => "badge direct",
        "CSP_INDIRECT" => "badge indirect",
        _ => "badge",
    };
    let text = crate::text::capitalized(&crate::text::code_words(channel));
    html! { <span class={class}>{ text }</span> }
}

/// Who serves a stage (provisioning or support), marked when the customer handed it over.
pub fn stage(p: &Option<String>, operator: bool, delegated: bool) -> Html {
    let name = if operator { t!("badge-operator") } else { p.clone().unwrap_or_default() };
    html! { <>{ name }if delegated { <span class="badge multi" title={t!("badge-multi-title")}>{ t!("badge-multi") }</span> }</> }
}
