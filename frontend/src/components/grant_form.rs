//! The customer grants delegated admin to another partner; it waits for the partner's consent.

use crate::components::{DurationPicker, term_title};
use crate::form::{checked, field_value, or_default};
use crate::hooks::{Outcome, use_mutation, use_node_refs};
use crate::queries::*;
use crate::t;
use yew::prelude::*;

/// The props of the grant and draft forms: the page's data, and where they report.
#[derive(Properties, PartialEq)]
pub struct FormProps {
    pub data: delegated_admin::ResponseData,
    pub outcome: Outcome,
    pub reload: Callback<()>,
}

#[function_component(GrantForm)]
pub fn grant_form(props: &FormProps) -> Html {
    let save = use_mutation::<GrantDelegatedAdmin>();
    let [partner, service, duration, provisioning, support, replace, name] = use_node_refs();
    let grant = {
        let (save, outcome, reload) = (save.clone(), props.outcome.clone(), props.reload.clone());
        let refs = (
            partner.clone(),
            service.clone(),
            duration.clone(),
            provisioning.clone(),
            support.clone(),
            replace.clone(),
            name.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            let (partner, service, duration, provisioning, support, replace, name) = &refs;
            let mut roles = Vec::new();
            if checked(provisioning) {
                roles.push(grant_delegated_admin::DelegatedRole::PROVISIONING);
            }
            if checked(support) {
                roles.push(grant_delegated_admin::DelegatedRole::SUPPORT);
            }
            let input = grant_delegated_admin::GrantDelegatedAdminInput {
                partner_id: field_value(partner),
                replace_existing: checked(replace),
                terms: grant_delegated_admin::DelegatedAdminTermsInput {
                    display_name: field_value(name),
                    roles,
                    service_ids: vec![field_value(service)],
                    duration: or_default(field_value(duration), "P180D"),
                    auto_extend: "P0D".to_owned(),
                },
            };
            save.submit(
                &e,
                grant_delegated_admin::Variables { input },
                outcome.then_reload(t!("grant-done"), &reload),
            );
        })
    };
    let d = &props.data;
    // Only partners that may hold rights are offered; the others are named, with why.
    let (able, unable): (Vec<_>, Vec<_>) =
        d.partners.edges.iter().map(|e| &e.node).partition(|p| p.can_hold_delegated_admin);
    html! {
        <form class="card" onsubmit={grant} aria-label={t!("grant-form")}>
            <h2>{ t!("grant-title") }</h2>
            <label for="grant-partner">{ t!("grant-partner") }</label>
            <select id="grant-partner" ref={partner}>
                { for able.iter().enumerate().map(|(i, p)| html! { <option value={p.id.clone()} selected={i == 0}>{ &p.name }</option> }) }
            </select>
            if !unable.is_empty() {
                <p class="muted" id="grant-partner-note">{ t!("grant-not-offered",
                    names = unable.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ")) }</p>
            }
            <label for="grant-name">{ t!("grant-name") }</label>
            <input id="grant-name" required=true maxlength={crate::text::limits::DISPLAY_NAME.to_string()} ref={name} />
            <fieldset>
                <legend>{ t!("form-roles") }</legend>
                <label><input type="checkbox" ref={provisioning} class="check" />{ format!(" {}", crate::text::capitalized(&crate::text::code_words("PROVISIONING"))) }</label>
                <label><input type="checkbox" ref={support} class="check" />{ format!(" {}", crate::text::capitalized(&crate::text::code_words("SUPPORT"))) }</label>
                <div class="terms-help">{ term_title("PROVISIONING") }{ term_title("SUPPORT") }</div>
            </fieldset>
            <label for="grant-service">{ t!("grant-service") }</label>
            <select id="grant-service" ref={service}>
                { for d.catalog.services.iter().enumerate().map(|(i, s)| html! { <option value={s.id.clone()} selected={i == 0}>{ &s.name }</option> }) }
            </select>
            <DurationPicker id="grant-duration" label={t!("form-how-long")} default="P180D" node_ref={duration} />
            <label><input type="checkbox" ref={replace} class="check" />{ format!(" {}", t!("grant-replace")) }</label>
            <button type="submit">{ t!("grant-submit") }</button>
        </form>
    }
}
