//! The customer's global admin hands provisioning or support to a partner holding the role.

use crate::components::show;
use crate::hooks::{use_mutation, use_outcome, use_query};
use crate::queries::*;
use crate::t;
use crate::text::name;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub subscription_id: String,
    pub customer_id: String,
    pub service: String,
    pub on_done: Callback<()>,
}

#[function_component(StageAssignment)]
pub fn stage_assignment(props: &StageProps) -> Html {
    let (state, _) =
        use_query::<StageHolders>(stage_holders::Variables { customer_id: props.customer_id.clone() });
    let assign = use_mutation::<AssignStage>();
    let outcome = use_outcome();
    let stage = use_node_ref();
    let partner = use_node_ref();
    let submit = {
        let (assign, outcome, stage, partner, id, done) = (
            assign.clone(),
            outcome.clone(),
            stage.clone(),
            partner.clone(),
            props.subscription_id.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value =
                |r: &NodeRef| r.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            let stage_value = if value(&stage) == "SUPPORT" {
                assign_stage::LifecycleStage::SUPPORT
            } else {
                assign_stage::LifecycleStage::PROVISIONING
            };
            let partner_id = Some(value(&partner)).filter(|p| !p.is_empty());
            let input = assign_stage::AssignServicePartnerInput {
                subscription_id: id.clone(),
                stage: stage_value,
                partner_id,
            };
            let (outcome, done) = (outcome.clone(), done.clone());
            assign.send(assign_stage::Variables { input }, move |r| {
                let ok = r.is_ok();
                outcome.set(r.map(|_| t!("stage-done")));
                if ok {
                    done.emit(());
                }
            });
        })
    };
    html! {
        <form class="card" onsubmit={submit} aria-label={t!("stage-form")}>
            <h2>{ t!("stage-title") }</h2>
            <label for="stage">{ t!("stage-stage") }</label>
            <select id="stage" ref={stage}><option value="PROVISIONING" selected=true>{ crate::text::capitalized(&crate::text::code_words("PROVISIONING")) }</option><option value="SUPPORT">{ crate::text::capitalized(&crate::text::code_words("SUPPORT")) }</option></select>
            <label for="stage-partner">{ t!("stage-partner", service = props.service.clone()) }</label>
            <select id="stage-partner" ref={partner}>
                <option value="" selected=true>{ t!("stage-back") }</option>
                { show(&*state, |d| {
                    let holders = d.channel_map.partners.iter().filter(|p| {
                        p.delegated_admin_relationships
                            .iter()
                            .any(|r| name(&r.status) == "ACTIVE" && r.services.iter().any(|s| s.name == props.service))
                    });
                    html! { { for holders.map(|p| html! { <option value={p.partner.id.clone()}>{ &p.partner.name }</option> }) } }
                }) }
            </select>
            <button type="submit">{ t!("stage-assign") }</button>
            { outcome.view() }
        </form>
    }
}
