//! What removing a reseller relationship would end, and what blocks it; removal only from here.

use crate::components::{reason, show};
use crate::hooks::{Load, use_mutation, use_query};
use crate::queries::*;
use crate::t;
use crate::text::words;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RemovalProps {
    pub id: String,
    pub on_done: Callback<String>,
    pub on_cancel: Callback<()>,
}

#[function_component(RemovalPreview)]
pub fn removal_preview(props: &RemovalProps) -> Html {
    let (state, _) =
        use_query::<crate::queries::RemovalPreview>(removal_preview::Variables { id: props.id.clone() });
    let removal = use_mutation::<RemoveResellerRelationship>();
    let remove = {
        let (removal, id, done) = (removal.clone(), props.id.clone(), props.on_done.clone());
        Callback::from(move |_| {
            let input = remove_reseller_relationship::RemoveResellerRelationshipInput { id: id.clone() };
            let done = done.clone();
            removal.run(remove_reseller_relationship::Variables { input }, move |answer| {
                if let Ok(d) = answer {
                    let r = d.remove_reseller_relationship.removed;
                    done.emit(t!(
                        "removal-done",
                        ended = r.ending_delegated_admin_relationships.len(),
                        released = r.released_subscriptions.len()
                    ))
                }
            });
        })
    };
    // Keyboard and screen-reader users land on the question, not at the top of the page.
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        let ready = matches!(*state, Load::Ready(_));
        use_effect_with(ready, move |ready| {
            if *ready && let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        });
    }
    let cancel = {
        let c = props.on_cancel.clone();
        Callback::from(move |_| c.emit(()))
    };
    let body = show(&*state, |d| {
        let p = &d.reseller_relationship_removal_preview;
        let can = &p.relationship.viewer_can.remove;
        let names = |subs: &[String]| {
            if subs.is_empty() {
                html! { <p class="muted">{ t!("removal-none") }</p> }
            } else {
                html! { <ul>{ for subs.iter().map(|n| html! { <li>{ n }</li> }) }</ul> }
            }
        };
        html! {
            <>
            <h2 id="removal-title" tabindex="-1" ref={heading.clone()}>{ t!("removal-title", partner = p.relationship.partner.name.clone(), kind = words(&p.relationship.kind), customer = p.relationship.customer.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| t!("removal-the-customer"))) }</h2>
            if p.blocked {
                <p class="error" role="alert">{ t!("removal-blocked") }</p>
                { names(&p.blocking_subscriptions.iter().map(|s| s.friendly_name.clone()).collect::<Vec<_>>()) }
            } else {
                <h3>{ t!("removal-ending") }</h3>
                { names(&p.ending_delegated_admin_relationships.iter().map(|r| t!("removal-ending-item", name = r.display_name.clone(), roles =
                    r.roles.iter().map(words).collect::<Vec<_>>().join(", "), services = r.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", "))).collect::<Vec<_>>()) }
                <h3>{ t!("removal-released") }</h3>
                { names(&p.released_subscriptions.iter().map(|s| s.friendly_name.clone()).collect::<Vec<_>>()) }
            }
            <div class="actions">
                <div class="action">
                    <button onclick={remove.clone()} disabled={!can.allowed} aria-describedby={(!can.allowed).then_some(if p.blocked { "removal-title" } else { "removal-why" })}>{ t!("removal-remove") }</button>
                    if !can.allowed && !p.blocked { <span id="removal-why">{ reason(can.reason_code.as_deref(), can.reason.as_deref()) }</span> }
                </div>
                <div class="action"><button class="secondary" onclick={cancel.clone()}>{ t!("removal-keep") }</button></div>
            </div>
            </>
        }
    });
    html! {
        <div class="card" role="region" aria-label={t!("removal-preview")}>
            { body }
            if let Some(e) = removal.error() { <p class="error" role="alert">{ e.words() }</p> }
        </div>
    }
}
