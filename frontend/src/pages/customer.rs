//! `/customers/:id`: a customer's channel map, and the order form (or why the viewer may not
//! order).

use crate::components::{OrderForm, SignInForm, channel_badge, show, stage, terms};
use crate::hooks::{use_outcome, use_query, use_session};
use crate::queries::{ChannelMap, channel_map};
use crate::route::IdProps;
use crate::route::Route;
use crate::t;
use crate::text::{date, name, words};
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(CustomerPage)]
pub fn customer_page(props: &IdProps) -> Html {
    let session = use_session();
    let (state, reload) = use_query::<ChannelMap>(channel_map::Variables { customer_id: props.id.clone() });
    let outcome = use_outcome();
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let on_ordered = {
        let (outcome, reload) = (outcome.clone(), reload.clone());
        Callback::from(move |name: String| {
            outcome.set(Ok(t!("map-ordered", name = name)));
            reload.emit(());
        })
    };
    show(&*state, |data| {
        let m = &data.channel_map;
        html! {
            <section aria-labelledby="map-title">
                <h1 id="map-title">{ &m.customer.name }</h1>
                <p class="muted">{ format!("{} · {}", m.customer.primary_domain, m.customer.country) }</p>
                <h2>{ t!("map-title") }</h2>
                { outcome.view() }
                <OrderForm customer_id={m.customer.id.clone()} on_ordered={on_ordered.clone()} />
                if m.services.is_empty() { <p class="muted">{ t!("map-no-subscriptions") }</p> }
                { for m.services.iter().map(|s| html! {
                    <div class="service">
                        <h3>{ &s.service.name }</h3>
                        <table>
                            <thead><tr><th scope="col">{ t!("map-col-subscription") }</th><th scope="col">{ t!("map-col-channel") }</th><th scope="col">{ t!("map-col-partner-of-record") }</th><th scope="col">{ t!("map-col-reseller") }</th><th scope="col">{ t!("map-col-provisioning") }</th><th scope="col">{ t!("map-col-support") }</th></tr></thead>
                            <tbody>{ for s.subscriptions.iter().map(|x| html! {
                                <tr>
                                    <td data-label={t!("map-col-subscription")}><Link<Route> to={Route::Subscription { id: x.id.clone() }}>{ &x.friendly_name }</Link<Route>><br/><span class="muted">{ t!("map-status-seats", status = words(&x.status), assigned = x.assigned_seats, quantity = x.quantity) }</span></td>
                                    <td data-label={t!("map-col-channel")}>{ channel_badge(&name(&x.purchase_channel)) }</td>
                                    <td data-label={t!("map-col-partner-of-record")}>{ x.partner_of_record.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| t!("badge-operator")) }</td>
                                    <td data-label={t!("map-col-reseller")}>{ x.indirect_reseller.as_ref().map(|p| p.name.clone()).unwrap_or_default() }</td>
                                    <td data-label={t!("map-col-provisioning")}>{ stage(&x.provisioning.partner.as_ref().map(|p| p.name.clone()), x.provisioning.served_by_operator, x.provisioning.delegated) }</td>
                                    <td data-label={t!("map-col-support")}>{ stage(&x.support.partner.as_ref().map(|p| p.name.clone()), x.support.served_by_operator, x.support.delegated) }</td>
                                </tr>
                            }) }</tbody>
                        </table>
                    </div>
                }) }
                <h2>{ t!("map-partners") }</h2>
                <p><Link<Route> to={Route::Relationships}>{ t!("map-manage-relationships") }</Link<Route>></p>
                if m.partners.is_empty() { <p class="muted">{ t!("map-no-partners") }</p> }
                <ul class="partners">{ for m.partners.iter().map(|p| html! {
                    <li>
                        <strong>{ &p.partner.name }</strong>
                        if p.relationship_kinds.is_empty() { { t!("map-delegated-only") } } else { { " · " }{ terms(p.relationship_kinds.iter().map(name).collect::<Vec<_>>().iter().map(String::as_str)) } }
                        <ul>{ for p.delegated_admin_relationships.iter().map(|d| html! {
                            <li class={classes!(d.expires_soon.then_some("expiring"))}>
                                { format!("{} — ", d.display_name) }{ terms(d.roles.iter().map(name).collect::<Vec<_>>().iter().map(String::as_str)) }
                                { t!("map-rights-for", services = d.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", "), status = words(&d.status)) }
                                { match (name(&d.status).as_str(), &d.terminated_at, &d.ends_at) {
                                    ("TERMINATED", Some(t), _) => t!("map-ended", date = date(t)),
                                    ("EXPIRED", _, Some(e)) => t!("map-ended", date = date(e)),
                                    (_, _, Some(e)) => t!("map-ends", date = date(e), relative = crate::i18n::relative(e)),
                                    _ => String::new(),
                                } }
                                if d.expires_soon { <strong class="expiring-note">{ format!(" ⚠ {}", t!("dap-expires-soon")) }</strong> }
                            </li>
                        }) }</ul>
                    </li>
                }) }</ul>
            </section>
        }
    })
}
