//! The multi-channel book, shown at `/` to partners and the operator: every customer served
//! through any channel.

use crate::components::{Pager, SearchBox, channel_badge, show, use_pages};
use crate::hooks::use_query;
use crate::queries::{Book, book};
use crate::route::Route;
use crate::text::{name, words};
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(BookPage)]
pub fn book_page() -> Html {
    let pages = use_pages();
    let (state, _) = use_query::<Book>(book::Variables {
        search: pages.list().get_opt("q"),
        first: Some(20),
        after: pages.after(),
    });
    let body = show(&*state, |data| {
        let c = &data.customers;
        if c.edges.is_empty() {
            return html! { <p class="muted">{ "No customers match." }</p> };
        }
        html! {
            <>
            <p class="muted">{ crate::t!("count-customers", n = c.total_count) }</p>
            <table>
                <caption class="sr-only">{ "Customers" }</caption>
                <thead><tr><th scope="col">{ "Customer" }</th><th scope="col">{ "Relationship" }</th><th scope="col">{ "Delegated roles" }</th><th scope="col">{ "Subscriptions by channel" }</th></tr></thead>
                <tbody>
                { for c.edges.iter().map(|e| {
                    let n = &e.node;
                    html! {
                        <tr>
                            <td><Link<Route> to={Route::Customer { id: n.id.clone() }}>{ &n.name }</Link<Route>><br/><span class="muted">{ &n.primary_domain }</span></td>
                            <td>{ n.viewer_relationship_kinds.iter().map(words).collect::<Vec<_>>().join(", ") }</td>
                            <td>{ for n.viewer_delegated_admin_relationships.iter().map(|d| html! {
                                <div class={classes!(d.expires_soon.then_some("expiring"))}>
                                    { crate::components::terms(d.roles.iter().map(name).collect::<Vec<_>>().iter().map(String::as_str)) }
                                    { format!(" · {}", d.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")) }
                                    if d.expires_soon { <strong class="expiring-note">{ " · ⚠ expires soon" }</strong> }
                                </div>
                            }) }</td>
                            <td>{ for n.subscription_counts.iter().map(|c| html! { <span class="count">{ channel_badge(&name(&c.channel)) }{ format!(" {}", c.count) }</span> }) }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            <Pager pages={pages.clone()} has_next={c.page_info.has_next_page} end_cursor={c.page_info.end_cursor.clone()} />
            </>
        }
    });
    html! {
        <section aria-labelledby="book-title">
            <h1 id="book-title">{ "Customers" }</h1>
            <SearchBox list={pages.list().clone()} id="search" label="Search by name or domain" />
            <crate::components::export_button::ExportButton list="book" />
            { body }
        </section>
    }
}
