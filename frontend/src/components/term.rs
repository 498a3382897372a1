//! A role or program name with its one-line explanation a click away (`text::TERMS`): a
//! `<details>`, so it works with the keyboard and a screen reader without any script.

use crate::t;
use crate::text::{capitalized, code_words, term as explanation};
use yew::prelude::*;

/// `code` (`PROVISIONING`, `CSP_INDIRECT_RESELLER`) in words, explained when opened.
pub fn term(code: &str) -> Html {
    term_as(code, &code_words(code))
}

/// As [`term`], shown as `label`.
pub fn term_as(code: &str, label: &str) -> Html {
    match explanation(code) {
        Some(text) => html! {
            <details class="term">
                <summary title={t!("term-what-this-means")}>{ label }</summary>
                <span class="term-text">{ text }</span>
            </details>
        },
        None => html! { <>{ label.to_owned() }</> },
    }
}

/// Several codes, each explained, separated by commas.
pub fn terms<'a>(codes: impl IntoIterator<Item = &'a str>) -> Html {
    let items: Vec<Html> = codes.into_iter().map(term).collect();
    let n = items.len();
    html! { { for items.into_iter().enumerate().map(|(i, t)| html! { <>{ t }{ if i + 1 < n { ", " } else { "" } }</> }) } }
}

/// A role's name with a capital first letter, explained: "Provisioning".
pub fn term_title(code: &str) -> Html {
    term_as(code, &capitalized(&code_words(code)))
}
