//! "Export CSV" on a list: downloads `/export/<list>.csv` with the list's current filters (the
//! page's own URL parameters, which the export reads by the same names).
//!
//! The session token lives in localStorage and goes in an `Authorization` header, which a plain
//! link cannot send; so the button fetches the file with the header and saves it from a blob
//! URL. That keeps one way of authenticating (no cookie, no signed URL that could leak through
//! logs or history); the browser holds the file while saving it, the server streams it.

use crate::api::Session;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    /// `book`, `subscriptions` or `audit`.
    pub list: &'static str,
}

#[function_component(ExportButton)]
pub fn export_button(props: &ExportProps) -> Html {
    // None: idle; Some(None): downloading; Some(Some(e)): failed with these words.
    let state = use_state(|| None::<Option<String>>);
    let onclick = {
        let (list, state) = (props.list, state.clone());
        Callback::from(move |_| {
            let state = state.clone();
            state.set(Some(None));
            wasm_bindgen_futures::spawn_local(async move {
                match download(list).await {
                    Ok(()) => state.set(None),
                    Err(()) => state.set(Some(Some(crate::t!("export-failed")))),
                }
            });
        })
    };
    let busy = matches!(*state, Some(None));
    html! {
        <span class="export">
            <button class="secondary" {onclick} disabled={busy} aria-busy={busy.to_string()}>
                { if busy { crate::t!("export-running") } else { crate::t!("export-button") } }
            </button>
            if let Some(Some(e)) = &*state { <span role="alert" class="error">{ format!(" {e}") }</span> }
        </span>
    }
}

/// Fetches the export with the session's token and the page's filters, and saves it.
async fn download(list: &str) -> Result<(), ()> {
    let window = web_sys::window().ok_or(())?;
    let search = window.location().search().map_err(|_| ())?;
    let file = format!("{list}.csv");
    let mut request = gloo_net::http::Request::get(&format!("/export/{file}{search}"))
        .header("Accept-Language", crate::i18n::lang().code());
    if let Some(session) = Session::load() {
        request = request.header("Authorization", &format!("Bearer {}", session.token));
    }
    let response = request.send().await.map_err(|_| ())?;
    if !response.ok() {
        return Err(());
    }
    let bytes = response.binary().await.map_err(|_| ())?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|_| ())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ())?;
    let document = window.document().ok_or(())?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|_| ())?.unchecked_into();
    link.set_href(&url);
    link.set_download(&file);
    link.click();
    // The browser has taken the file once the click is handled.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
