//! A button that copies a text to the clipboard.

use crate::t;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    pub text: String,
    pub label: String,
}

#[function_component(CopyButton)]
pub fn copy_button(props: &CopyProps) -> Html {
    let copied = use_state(|| false);
    let onclick = {
        let (text, copied) = (props.text.clone(), copied.clone());
        Callback::from(move |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
                copied.set(true);
            }
        })
    };
    html! { <button class="secondary" {onclick}>{ if *copied { t!("copy-copied") } else { props.label.clone() } }</button> }
}
