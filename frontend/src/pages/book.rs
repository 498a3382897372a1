//! The multi-channel book, shown at `/` to partners and the operator: every customer served
//! through any channel. A partner may pick customers (one by one, the whole page, or all that
//! match the search) and start one change for all of them (`components/bulk_bar.rs`).

use crate::components::bulk_bar::{BulkBar, Picked};
use crate::components::{Pager, SearchBox, channel_badge, show, use_pages};
use crate::hooks::{use_query, use_session};
use crate::queries::{Book, book};
use crate::route::Route;
use crate::t;
use crate::text::{name, words};
use std::collections::BTreeSet;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(BookPage)]
pub fn book_page() -> Html {
    let pages = use_pages();
    let search = pages.list().get_opt("q");
    let (state, _) =
        use_query::<Book>(book::Variables { search: search.clone(), first: Some(20), after: pages.after() });
    let session = use_session();
    let partner = session.as_ref().is_some_and(|s| s.is_partner());
    // Picked customers (ids), or every one matching the search.
    let picked = use_state(BTreeSet::<String>::new);
    let all_matching = use_state(|| false);
    {
        // Another search is another set of customers: start over.
        let (picked, all_matching) = (picked.clone(), all_matching.clone());
        use_effect_with(search.clone(), move |_| {
            picked.set(BTreeSet::new());
            all_matching.set(false);
        });
    }
    let body = show(&*state, |data| {
        let c = &data.customers;
        if c.edges.is_empty() {
            return html! { <p class="muted">{ t!("book-none") }</p> };
        }
        let page_ids: Vec<String> = c.edges.iter().map(|e| e.node.id.clone()).collect();
        let whole_page = page_ids.iter().all(|id| picked.contains(id));
        let toggle_page = {
            let (picked, all_matching, page_ids) = (picked.clone(), all_matching.clone(), page_ids.clone());
            Callback::from(move |_| {
                let mut next = (*picked).clone();
                if whole_page {
                    page_ids.iter().for_each(|id| {
                        next.remove(id);
                    });
                } else {
                    next.extend(page_ids.iter().cloned());
                }
                all_matching.set(false);
                picked.set(next);
            })
        };
        let bar = if partner && (!picked.is_empty() || *all_matching) {
            let chosen = if *all_matching {
                Picked::AllMatching { search: search.clone(), total: c.total_count }
            } else {
                Picked::Ids(picked.iter().cloned().collect())
            };
            let pick_all = {
                let all_matching = all_matching.clone();
                Callback::from(move |_| all_matching.set(true))
            };
            let clear = {
                let (picked, all_matching) = (picked.clone(), all_matching.clone());
                Callback::from(move |_| {
                    picked.set(BTreeSet::new());
                    all_matching.set(false);
                })
            };
            html! {
                <>
                <div class="bulk-pick" role="status">
                    if *all_matching {
                        <span>{ t!("book-all-matching-picked", n = c.total_count) }</span>
                    } else {
                        <span>{ t!("book-picked", n = picked.len()) }</span>
                        if whole_page && c.total_count > page_ids.len() as i64 {
                            { " " }<button type="button" class="secondary" onclick={pick_all}>{ t!("book-pick-all-matching", n = c.total_count) }</button>
                        }
                    }
                    { " " }<button type="button" class="secondary" onclick={clear}>{ t!("book-clear-selection") }</button>
                </div>
                <BulkBar picked={chosen} />
                </>
            }
        } else {
            html! {}
        };
        html! {
            <>
            <p class="muted">{ t!("count-customers", n = c.total_count) }</p>
            if partner {
                <label class="check"><input type="checkbox" checked={whole_page || *all_matching} onchange={toggle_page} />{ " " }{ t!("book-pick-page") }</label>
            }
            { bar }
            <table>
                <caption class="sr-only">{ t!("book-caption") }</caption>
                <thead><tr>
                    if partner { <th scope="col"><span class="sr-only">{ t!("book-pick") }</span></th> }
                    <th scope="col">{ t!("book-customer") }</th><th scope="col">{ t!("book-relationship") }</th><th scope="col">{ t!("book-delegated-roles") }</th><th scope="col">{ t!("book-subscriptions-by-channel") }</th>
                </tr></thead>
                <tbody>
                { for c.edges.iter().map(|e| {
                    let n = &e.node;
                    let on = *all_matching || picked.contains(&n.id);
                    let toggle = {
                        let (picked, all_matching, id) = (picked.clone(), all_matching.clone(), n.id.clone());
                        Callback::from(move |_| {
                            let mut next = (*picked).clone();
                            if !next.remove(&id) {
                                next.insert(id.clone());
                            }
                            all_matching.set(false);
                            picked.set(next);
                        })
                    };
                    html! {
                        <tr>
                            if partner {
                                <td data-label={t!("book-pick")}><label class="pick"><input type="checkbox" checked={on} onchange={toggle} /><span class="sr-only">{ t!("book-pick-customer", name = n.name.clone()) }</span></label></td>
                            }
                            <td data-label={t!("book-customer")}><Link<Route> to={Route::Customer { id: n.id.clone() }}>{ &n.name }</Link<Route>><br/><span class="muted">{ &n.primary_domain }</span></td>
                            <td data-label={t!("book-relationship")}>{ n.viewer_relationship_kinds.iter().map(words).collect::<Vec<_>>().join(", ") }</td>
                            <td data-label={t!("book-delegated-roles")}>{ for n.viewer_delegated_admin_relationships.iter().map(|d| html! {
                                <div class={classes!(d.expires_soon.then_some("expiring"))}>
                                    { crate::components::terms(d.roles.iter().map(name).collect::<Vec<_>>().iter().map(String::as_str)) }
                                    { format!(" · {}", d.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")) }
                                    if d.expires_soon { <strong class="expiring-note">{ format!(" · ⚠ {}", t!("book-expires-soon")) }</strong> }
                                </div>
                            }) }</td>
                            <td data-label={t!("book-subscriptions-by-channel")}>{ for n.subscription_counts.iter().map(|c| html! { <span class="count">{ channel_badge(&name(&c.channel)) }{ format!(" {}", c.count) }</span> }) }</td>
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
            <h1 id="book-title">{ t!("book-title") }</h1>
            <SearchBox list={pages.list().clone()} id="search" label={t!("book-search")} />
            <crate::components::export_button::ExportButton list="book" />
            { body }
            if partner { <crate::pages::bulk::RecentBulkOperations /> }
        </section>
    }
}
