//! `/relationships`: the reseller relationships the viewer is party to; removal always goes
//! through its preview, offered where the API's `viewerCan.previewRemoval` allows it.

use crate::components::{
    Pager, RemovalPreview, SearchBox, SignInForm, offer, refusals, show, term, use_pages,
};
use crate::hooks::{use_outcome, use_query, use_session};
use crate::queries::{ResellerRelationships, reseller_relationships};
use crate::route::Route;
use crate::text::{date, name};
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(RelationshipsPage)]
pub fn relationships_page() -> Html {
    let session = use_session();
    let pages = use_pages();
    let (state, reload) = use_query::<ResellerRelationships>(reseller_relationships::Variables {
        filter: Some(reseller_relationships::ResellerRelationshipFilter {
            customer_id: None,
            partner_id: None,
            status: Some("ACTIVE".into()),
            search: pages.list().get_opt("q"),
        }),
        after: pages.after(),
    });
    let outcome = use_outcome();
    let removing = use_state(|| None::<String>);
    let Some(s) = (*session).clone() else { return html! { <SignInForm /> } };
    let body = show(&*state, |d| {
        if !d.viewer.reads_records {
            return html! { <p class="card">{ "Your role (user) does not show reseller relationships: it reads only your organization's basics. Your organization's global admin sees them and removes them; the channel map shows your partners." }</p> };
        }
        let list = &d.reseller_relationships;
        if list.nodes.is_empty() {
            return html! { <p class="muted">{ "No active relationships match." }</p> };
        }
        html! {
            <>
            <table>
                <caption class="sr-only">{ "Active reseller relationships" }</caption>
                <thead><tr><th scope="col">{ "Customer" }</th><th scope="col">{ "Partner" }</th><th scope="col">{ "Kind" }</th><th scope="col">{ "Since" }</th><th scope="col">{ "Actions" }</th></tr></thead>
                <tbody>{ for list.nodes.iter().map(|r| {
                    let open = { let (removing, id) = (removing.clone(), r.id.clone()); Callback::from(move |_| removing.set(Some(id.clone()))) };
                    let can = [offer!("Remove…", r.viewer_can.preview_removal)];
                    html! {
                        <tr>
                            <td>{ match &r.customer {
                                Some(c) => html! { <Link<Route> to={Route::Customer { id: c.id.clone() }}>{ &c.name }</Link<Route>> },
                                // A removed relationship no longer shows its customer to the partner.
                                None => html! { <span class="muted">{ "a former customer (no longer visible)" }</span> },
                            } }</td>
                            <td>{ &r.partner.name }</td>
                            <td>{ term(&name(&r.kind)) }{ r.indirect_provider.as_ref().map(|p| format!(" (through {})", p.name)).unwrap_or_default() }</td>
                            <td>{ date(&r.created_at) }</td>
                            <td>
                                if can[0].allowed {
                                    <button class="secondary" onclick={open} aria-label={format!("Remove {} from {}", r.partner.name, r.customer.as_ref().map(|c| c.name.as_str()).unwrap_or("the customer"))}>{ can[0].label }</button>
                                }
                                { refusals(&can) }
                            </td>
                        </tr>
                    }
                }) }</tbody>
            </table>
            <Pager pages={pages.clone()} has_next={list.page_info.has_next_page} end_cursor={list.page_info.end_cursor.clone()} />
            </>
        }
    });
    let on_done = {
        let (removing, outcome, reload) = (removing.clone(), outcome.clone(), reload.clone());
        Callback::from(move |message: String| {
            removing.set(None);
            outcome.set(Ok(message));
            reload.emit(());
        })
    };
    let on_cancel = {
        let removing = removing.clone();
        Callback::from(move |_| removing.set(None))
    };
    html! {
        <section aria-labelledby="rel-title">
            <h1 id="rel-title">{ "Reseller relationships" }</h1>
            <p class="muted">{ if s.kind == "CUSTOMER" { "The partners your organization works with." } else { "The customers your organization has a relationship with." } }</p>
            { outcome.view() }
            if let Some(id) = &*removing {
                <RemovalPreview key={id.clone()} id={id.clone()} {on_done} {on_cancel} />
            }
            <SearchBox list={pages.list().clone()} id="rel-search" label="Search by customer or partner name" />
            { body }
        </section>
    }
}
