//! A partner's admin agent drafts a delegated admin relationship for one of its customers,
//! then requests approval.

use crate::components::grant_form::FormProps;
use crate::components::{DurationPicker, term_title};
use crate::form::{checked, field_value, or_default};
use crate::hooks::{use_mutation, use_node_refs};
use crate::queries::*;
use crate::t;
use yew::prelude::*;

#[function_component(DraftForm)]
pub fn draft_form(props: &FormProps) -> Html {
    let save = use_mutation::<CreateDelegatedAdmin>();
    let [customer, name, duration, auto_extend] = use_node_refs();
    let roles = ["GLOBAL_ADMIN", "PROVISIONING", "SUPPORT"]
        .map(|c| (c, crate::text::capitalized(&crate::text::code_words(c))));
    let role_refs = use_node_refs::<3>();
    let service_refs = {
        let n = props.data.catalog.services.len();
        use_memo(n, |n| (0..*n).map(|_| NodeRef::default()).collect::<Vec<NodeRef>>())
    };
    let create = {
        let (save, outcome, reload) = (save.clone(), props.outcome.clone(), props.reload.clone());
        let (customer, name, duration, auto_extend) =
            (customer.clone(), name.clone(), duration.clone(), auto_extend.clone());
        let (role_refs, service_refs) = (role_refs.clone(), (*service_refs).clone());
        let services: Vec<String> = props.data.catalog.services.iter().map(|s| s.id.clone()).collect();
        Callback::from(move |e: SubmitEvent| {
            use create_delegated_admin::DelegatedRole as R;
            let all = [R::GLOBAL_ADMIN, R::PROVISIONING, R::SUPPORT];
            let roles =
                all.into_iter().zip(&role_refs).filter(|(_, r)| checked(r)).map(|(role, _)| role).collect();
            let service_ids = services
                .iter()
                .zip(&service_refs)
                .filter(|(_, r)| checked(r))
                .map(|(id, _)| id.clone())
                .collect();
            let input = create_delegated_admin::CreateDelegatedAdminRelationshipInput {
                customer_id: field_value(&customer),
                terms: create_delegated_admin::DelegatedAdminTermsInput {
                    display_name: field_value(&name),
                    roles,
                    service_ids,
                    duration: or_default(field_value(&duration), "P1Y"),
                    auto_extend: if checked(&auto_extend) { "P180D" } else { "P0D" }.to_owned(),
                },
            };
            save.submit(
                &e,
                create_delegated_admin::Variables { input },
                outcome.then_reload(t!("draft-done"), &reload),
            );
        })
    };
    let d = &props.data;
    html! {
        <form class="card" onsubmit={create} aria-label={t!("draft-title")}>
            <h2>{ t!("draft-title") }</h2>
            <label for="draft-customer">{ t!("draft-customer") }</label>
            <select id="draft-customer" ref={customer}>
                { for d.customers.edges.iter().enumerate().map(|(i, e)| html! { <option value={e.node.id.clone()} selected={i == 0}>{ &e.node.name }</option> }) }
            </select>
            <label for="draft-name">{ t!("draft-name") }</label>
            <input id="draft-name" required=true maxlength={crate::text::limits::DISPLAY_NAME.to_string()} ref={name} />
            <fieldset>
                <legend>{ t!("form-roles") }</legend>
                { for roles.iter().zip(role_refs.iter()).map(|((_, label), r)| html! {
                    <label><input type="checkbox" ref={r.clone()} class="check" />{ format!(" {label}") }</label>
                }) }
                <div class="terms-help">{ for roles.iter().map(|(code, _)| term_title(code)) }</div>
            </fieldset>
            <fieldset>
                <legend>{ t!("draft-services") }</legend>
                { for d.catalog.services.iter().zip(service_refs.iter()).map(|(s, r)| html! {
                    <label><input type="checkbox" ref={r.clone()} class="check" />{ format!(" {}", s.name) }</label>
                }) }
            </fieldset>
            <DurationPicker id="draft-duration" label={t!("form-how-long")} default="P1Y" node_ref={duration} />
            <label><input type="checkbox" ref={auto_extend} class="check" />{ format!(" {}", t!("draft-auto-extend")) }</label>
            <button type="submit">{ t!("draft-save") }</button>
        </form>
    }
}
