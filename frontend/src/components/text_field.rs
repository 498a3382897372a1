//! A free-text field with its limit in sight: a live counter ("123 / 4000"), and, past the
//! limit, the words next to the field and a form that will not submit (the field's custom
//! validity), so nothing is cut silently and nothing too long reaches the API.

use crate::t;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    /// The API's limit, in characters (`text::limits`).
    pub max: usize,
    pub node_ref: NodeRef,
    /// A textarea (several lines) rather than a one-line input.
    #[prop_or_default]
    pub multiline: bool,
    #[prop_or_default]
    pub required: bool,
    #[prop_or_default]
    pub value: Option<AttrValue>,
}

#[function_component(TextField)]
pub fn text_field(props: &TextFieldProps) -> Html {
    let length = use_state_eq(|| props.value.as_ref().map(|v| v.chars().count()).unwrap_or(0));
    let over = *length > props.max;
    let oninput = {
        let (length, max) = (length.clone(), props.max);
        Callback::from(move |e: InputEvent| {
            let (value, target) = match e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                Some(t) => (t.value(), Validity::Area(t)),
                None => {
                    let i: web_sys::HtmlInputElement = e.target_unchecked_into();
                    (i.value(), Validity::Input(i))
                }
            };
            let n = value.chars().count();
            target.set(if n > max { t!("field-at-most", max = max, over = n - max) } else { String::new() });
            length.set(n);
        })
    };
    // The starting value is written once (and again when it changes), not on every render: a
    // value given at each render would undo what the person is typing.
    {
        let (length, node) = (length.clone(), props.node_ref.clone());
        use_effect_with(props.value.clone(), move |value| {
            if let Some(v) = value {
                if let Some(t) = node.cast::<web_sys::HtmlTextAreaElement>() {
                    t.set_value(v);
                } else if let Some(i) = node.cast::<web_sys::HtmlInputElement>() {
                    i.set_value(v);
                }
                length.set(v.chars().count());
            }
        });
    }
    // A reset form empties the field: the counter follows.
    {
        let (length, node) = (length.clone(), props.node_ref.clone());
        use_effect_with((), move |_| {
            let form = node.cast::<web_sys::HtmlElement>().and_then(|e| e.closest("form").ok().flatten());
            let listener = form.map(|f| gloo_events_listener(&f, move || length.set(0)));
            move || drop(listener)
        });
    }
    let id = props.id.to_string();
    let (count_id, error_id) = (format!("{id}-count"), format!("{id}-too-long"));
    let described = if over { format!("{count_id} {error_id}") } else { count_id.clone() };
    html! {
        <>
        <label for={id.clone()}>{ &props.label }</label>
        if props.multiline {
            <textarea id={id.clone()} ref={props.node_ref.clone()} required={props.required} {oninput}
                aria-describedby={described} aria-invalid={over.then_some("true")} />
        } else {
            <input id={id.clone()} ref={props.node_ref.clone()} required={props.required} {oninput}
                aria-describedby={described} aria-invalid={over.then_some("true")} />
        }
        <span id={count_id} class={classes!("counter", over.then_some("error"))}>{ format!("{} / {}", *length, props.max) }</span>
        if over {
            <p id={error_id} class="error field-error" role="alert">{ t!("field-too-long", n = *length, max = props.max, over = *length - props.max) }</p>
        }
        </>
    }
}

/// The field whose validity the counter sets (a textarea or an input).
enum Validity {
    Area(web_sys::HtmlTextAreaElement),
    Input(web_sys::HtmlInputElement),
}

impl Validity {
    fn set(&self, message: String) {
        match self {
            Validity::Area(t) => t.set_custom_validity(&message),
            Validity::Input(i) => i.set_custom_validity(&message),
        }
    }
}

/// Calls `then` on each `reset` of `form`; the listener ends when dropped.
fn gloo_events_listener(form: &web_sys::Element, then: impl Fn() + 'static) -> ListenerGuard {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let closure = Closure::<dyn Fn()>::new(then);
    let _ = form.add_event_listener_with_callback("reset", closure.as_ref().unchecked_ref());
    ListenerGuard { form: form.clone(), closure }
}

struct ListenerGuard {
    form: web_sys::Element,
    closure: wasm_bindgen::closure::Closure<dyn Fn()>,
}

impl Drop for ListenerGuard {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = self.form.remove_event_listener_with_callback("reset", self.closure.as_ref().unchecked_ref());
    }
}
