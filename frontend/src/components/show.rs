//! A page's data as it loads.

use crate::hooks::Load;
use crate::t;
use yew::prelude::*;

/// A loading, error or ready view of a `Load`.
pub fn show<T>(load: &Load<T>, ready: impl FnOnce(&T) -> Html) -> Html {
    match load {
        Load::Loading => html! { <p class="muted" role="status">{ t!("loading") }</p> },
        Load::Failed(e) => html! { <p class="error" role="alert">{ e.words() }</p> },
        Load::Ready(t) => ready(t),
    }
}
