//! Reading a form's fields (the forms keep their values in the page, not in state).

use yew::NodeRef;

/// The value of an input, select or textarea.
pub fn field_value(r: &NodeRef) -> String {
    r.cast::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| r.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()))
        .or_else(|| r.cast::<web_sys::HtmlTextAreaElement>().map(|t| t.value()))
        .unwrap_or_default()
}

/// A field's value, or what its placeholder promised when left empty.
pub fn or_default(value: String, default: &str) -> String {
    if value.trim().is_empty() { default.to_owned() } else { value }
}

/// Whether a checkbox is ticked.
pub fn checked(r: &NodeRef) -> bool {
    r.cast::<web_sys::HtmlInputElement>().map(|i| i.checked()).unwrap_or(false)
}
