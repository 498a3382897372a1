//! Picking how long delegated admin rights last: common choices in words, plus a custom number
//! of days, months or years. The form reads the ISO-8601 value (`P180D`) from the hidden field
//! behind `node_ref`, so a person never types ISO strings.

use crate::t;
use crate::text::duration;
use yew::prelude::*;

/// The usual choices, 1 day to 2 years as the API allows.
pub const CHOICES: [&str; 6] = ["P30D", "P90D", "P180D", "P1Y", "P18M", "P2Y"];

#[derive(Properties, PartialEq)]
pub struct DurationProps {
    /// The select's id (the label points to it).
    pub id: AttrValue,
    pub label: AttrValue,
    /// The choice selected at first.
    pub default: AttrValue,
    /// The hidden field holding the chosen ISO-8601 duration, for the form to read.
    pub node_ref: NodeRef,
    /// Marks the choice invalid (the form found a problem with it).
    #[prop_or_default]
    pub invalid: bool,
}

#[function_component(DurationPicker)]
pub fn duration_picker(props: &DurationProps) -> Html {
    let choice = use_state(|| props.default.to_string());
    let amount = use_state(|| 1u32);
    let unit = use_state(|| "M".to_owned());
    let custom = *choice == "custom";
    let iso = if custom { format!("P{}{}", *amount, *unit) } else { (*choice).clone() };
    let on_choice = {
        let choice = choice.clone();
        Callback::from(move |e: Event| {
            choice.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value())
        })
    };
    let on_amount = {
        let amount = amount.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
            amount.set(v.parse().unwrap_or(0));
        })
    };
    let on_unit = {
        let unit = unit.clone();
        Callback::from(move |e: Event| {
            unit.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value())
        })
    };
    let id = props.id.to_string();
    let invalid = props.invalid.then_some("true");
    html! {
        <div class="duration">
            <label for={id.clone()}>{ &props.label }</label>
            <select id={id.clone()} onchange={on_choice} aria-invalid={invalid}>
                { for CHOICES.iter().map(|c| html! { <option value={*c} selected={*choice == *c}>{ duration(c) }</option> }) }
                <option value="custom" selected={custom}>{ t!("duration-another") }</option>
            </select>
            if custom {
                <div class="custom-duration">
                    <label for={format!("{id}-amount")} class="sr-only">{ t!("duration-how-many") }</label>
                    <input id={format!("{id}-amount")} type="number" min="1" max="730" value={amount.to_string()} oninput={on_amount} aria-invalid={invalid} />
                    <label for={format!("{id}-unit")} class="sr-only">{ t!("duration-unit") }</label>
                    <select id={format!("{id}-unit")} onchange={on_unit}>
                        <option value="D" selected={*unit == "D"}>{ t!("duration-unit-days") }</option>
                        <option value="M" selected={*unit == "M"}>{ t!("duration-unit-months") }</option>
                        <option value="Y" selected={*unit == "Y"}>{ t!("duration-unit-years") }</option>
                    </select>
                    <span class="muted" aria-live="polite">{ format!(" {}", t!("duration-range", length = duration(&iso))) }</span>
                </div>
            }
            <input type="hidden" ref={props.node_ref.clone()} value={iso} />
        </div>
    }
}
