//! `/relationships`: the reseller relationships the viewer is party to; removal always goes
//! through its preview, offered where the API's `viewerCan.previewRemoval` allows it.

use crate::components::{
    Pager, RemovalPreview, SearchBox, SignInForm, offer, refusals, show, term, use_pages,
};
use crate::hooks::{use_outcome, use_query, use_session};
use crate::queries::{ResellerRelationships, reseller_relationships};
use crate::route::Route;
use crate::t;
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
            return html! { <p class="card">{ t!("rel-user-role") }</p> };
        }
        let list = &d.reseller_relationships;
        if list.nodes.is_empty() {
            return html! { <p class="muted">{ t!("rel-none") }</p> };
        }
        html! {
            <>
            <table>
                <caption class="sr-only">{ t!("rel-caption") }</caption>
                <thead><tr><th scope="col">{ t!("rel-col-customer") }</th><th scope="col">{ t!("rel-col-partner") }</th><th scope="col">{ t!("rel-col-kind") }</th><th scope="col">{ t!("rel-col-since") }</th><th scope="col">{ t!("rel-col-actions") }</th></tr></thead>
                <tbody>{ for list.nodes.iter().map(|r| {
                    let open = { let (removing, id) = (removing.clone(), r.id.clone()); Callback::from(move |_| removing.set(Some(id.clone()))) };
                    let can = [offer!("Remove…", r.viewer_can.preview_removal)];
                    html! {
                        <tr>
                            <td data-label={t!("rel-col-customer")}>{ match &r.customer {
                                Some(c) => html! { <Link<Route> to={Route::Customer { id: c.id.clone() }}>{ &c.name }</Link<Route>> },
                                // A removed relationship no longer shows its customer to the partner.
                                None => html! { <span class="muted">{ t!("rel-former-customer") }</span> },
                            } }</td>
                            <td data-label={t!("rel-col-partner")}>{ &r.partner.name }</td>
                            <td data-label={t!("rel-col-kind")}>{ term(&name(&r.kind)) }{ r.indirect_provider.as_ref().map(|p| t!("rel-through", name = p.name.clone())).unwrap_or_default() }</td>
                            <td data-label={t!("rel-col-since")}>{ date(&r.created_at) }</td>
                            <td data-label={t!("rel-col-actions")}>
                                if can[0].allowed {
                                    <button class="secondary" onclick={open} aria-label={t!("rel-remove-label", partner = r.partner.name.clone(), customer = r.customer.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| t!("removal-the-customer")))}>{ t!("rel-remove") }</button>
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
            <h1 id="rel-title">{ t!("rel-title") }</h1>
            <p class="muted">{ if s.kind == "CUSTOMER" { t!("rel-intro-customer") } else { t!("rel-intro-partner") } }</p>
            { outcome.view() }
            if let Some(id) = &*removing {
                <RemovalPreview key={id.clone()} id={id.clone()} {on_done} {on_cancel} />
            }
            <SearchBox list={pages.list().clone()} id="rel-search" label={t!("rel-search")} />
            { body }
        </section>
    }
}
