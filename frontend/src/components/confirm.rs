//! A button for a drastic action (suspend, cancel, terminate, revoke, approve): it acts only
//! after a confirmation that says what will happen, in words. The confirmation is a native
//! modal `<dialog>` (`showModal`): the browser moves keyboard focus into it, keeps it there, and
//! closes it on Escape; focus starts on "Go back", so a stray Enter changes nothing.

use crate::t;
use std::sync::atomic::{AtomicUsize, Ordering};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConfirmProps {
    /// The button that asks: "Suspend".
    pub label: AttrValue,
    /// The question the dialog asks: "Suspend Woodgrove Office 365 E3?".
    pub title: AttrValue,
    /// What happens, in words: "Its data will be deleted on 2027-01-26 unless …".
    pub consequence: AttrValue,
    /// The button that acts: "Yes, suspend".
    pub confirm: AttrValue,
    /// Runs once confirmed.
    pub onconfirm: Callback<MouseEvent>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub disabled: bool,
    #[prop_or_default]
    pub aria_label: Option<AttrValue>,
    #[prop_or_default]
    pub aria_describedby: Option<AttrValue>,
}

#[function_component(ConfirmButton)]
pub fn confirm_button(props: &ConfirmProps) -> Html {
    let dialog = use_node_ref();
    let open = use_state_eq(|| false);
    let id = *use_memo((), |_| {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    });
    // The dialog's content exists only while it is open, so its buttons are the only ones of
    // their kind on the page; once rendered, it opens as a modal (focus moves into it).
    {
        let dialog = dialog.clone();
        use_effect_with(*open, move |open| {
            if let Some(d) = dialog.cast::<web_sys::HtmlDialogElement>() {
                if *open && !d.open() {
                    let _ = d.show_modal();
                } else if !*open && d.open() {
                    d.close();
                }
            }
        });
    }
    let ask = {
        let open = open.clone();
        Callback::from(move |_| open.set(true))
    };
    // Escape, "Go back" and the action all end in the dialog's `close` event.
    let closed = {
        let open = open.clone();
        Callback::from(move |_: Event| open.set(false))
    };
    let back = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(false))
    };
    let act = {
        let (open, then) = (open.clone(), props.onconfirm.clone());
        Callback::from(move |e: MouseEvent| {
            open.set(false);
            then.emit(e);
        })
    };
    let (title_id, text_id) = (format!("confirm-title-{id}"), format!("confirm-text-{id}"));
    html! {
        <>
        <button class={props.class.clone()} onclick={ask} disabled={props.disabled}
            aria-haspopup="dialog" aria-label={props.aria_label.clone()} aria-describedby={props.aria_describedby.clone()}>{ &props.label }</button>
        <dialog ref={dialog} class="confirm" onclose={closed} aria-labelledby={title_id.clone()} aria-describedby={text_id.clone()}>
            if *open {
                <h2 id={title_id}>{ &props.title }</h2>
                <p id={text_id}>{ &props.consequence }</p>
                <div class="actions">
                    <button class="secondary" autofocus=true onclick={back}>{ t!("confirm-back") }</button>
                    <button class="danger" onclick={act}>{ &props.confirm }</button>
                </div>
            }
        </dialog>
        </>
    }
}
