//! The multi-channel book, shown at `/` to partners and the operator: every customer served
//! through any channel.

use crate::components::{channel_badge, show};
use crate::hooks::use_query;
use crate::queries::{Book, book};
use crate::route::Route;
use crate::text::{name, words};
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(BookPage)]
pub fn book_page() -> Html {
    let search = use_state(String::new);
    // Cursors of the pages before the current one, for "Previous".
    let cursors = use_state(Vec::<Option<String>>::new);
    let after = use_state(|| None::<String>);
    let (state, _) = use_query::<Book>(book::Variables {
        search: (!search.is_empty()).then(|| (*search).clone()),
        first: Some(20),
        after: (*after).clone(),
    });
    let on_search = {
        let (search, after, cursors) = (search.clone(), after.clone(), cursors.clone());
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            cursors.set(Vec::new());
            after.set(None);
            search.set(input.value());
        })
    };
    let body = show(&*state, |data| {
        let c = &data.customers;
        let next = {
            let (after, cursors, end) = (after.clone(), cursors.clone(), c.page_info.end_cursor.clone());
            Callback::from(move |_| {
                let mut stack = (*cursors).clone();
                stack.push((*after).clone());
                cursors.set(stack);
                after.set(end.clone());
            })
        };
        let previous = {
            let (after, cursors) = (after.clone(), cursors.clone());
            Callback::from(move |_| {
                let mut stack = (*cursors).clone();
                let prev = stack.pop().flatten();
                cursors.set(stack);
                after.set(prev);
            })
        };
        if c.edges.is_empty() {
            return html! { <p class="muted">{ "No customers match." }</p> };
        }
        html! {
            <>
            <p class="muted">{ format!("{} customers", c.total_count) }</p>
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
                                    { d.roles.iter().map(words).collect::<Vec<_>>().join(", ") }
                                    { format!(" · {}", d.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")) }
                                    if d.expires_soon { <strong>{ " · expires soon" }</strong> }
                                </div>
                            }) }</td>
                            <td>{ for n.subscription_counts.iter().map(|c| html! { <span class="count">{ channel_badge(&name(&c.channel)) }{ format!(" {}", c.count) }</span> }) }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            <div class="pager">
                <button class="secondary" disabled={cursors.is_empty()} onclick={previous}>{ "Previous" }</button>
                <button class="secondary" disabled={!c.page_info.has_next_page} onclick={next}>{ "Next" }</button>
            </div>
            </>
        }
    });
    html! {
        <section aria-labelledby="book-title">
            <h1 id="book-title">{ "Customers" }</h1>
            <label for="search">{ "Search by name or domain" }</label>
            <input id="search" type="search" value={(*search).clone()} oninput={on_search} />
            { body }
        </section>
    }
}
