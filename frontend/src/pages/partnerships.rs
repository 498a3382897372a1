//! `/partnerships`: provider–reseller partnerships (invite, accept, remove as the API's
//! `viewerCan` allows), for indirect providers and indirect resellers.

use crate::components::{
    CopyButton, ListState, Pager, SignInForm, SortHeader, offer, refusals, show, use_pages,
};
use crate::form::field_value;
use crate::hooks::{use_mutation, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::t;
use crate::text::{date, name};
use yew::prelude::*;

/// The code in a partnership link (or the code itself, pasted alone).
fn link_code(text: &str) -> String {
    text.trim().trim_end_matches('/').rsplit('/').next().unwrap_or("").to_owned()
}

/// The list's filter and order, from the URL.
fn variables(list: &ListState, after: Option<String>) -> partnerships::Variables {
    use partnerships::{OrderDirection as D, PartnershipOrderField as F, PartnershipStatus as S};
    let status = match list.get("status").as_str() {
        "ACTIVE" => Some(S::ACTIVE),
        "PENDING" => Some(S::PENDING),
        "EXPIRED" => Some(S::EXPIRED),
        "REMOVED" => Some(S::REMOVED),
        _ => None,
    };
    let order_by = list.sort().map(|(field, desc)| partnerships::PartnershipOrder {
        field: if field == "created" { F::CREATED_AT } else { F::STATUS },
        direction: if desc { D::DESC } else { D::ASC },
    });
    partnerships::Variables { after, filter: Some(partnerships::PartnershipFilter { status }), order_by }
}

/// A count as words ("1 partnership", "at least 1000 partnerships").
fn counted(n: i64, exact: bool) -> String {
    if exact { t!("ps-count", n = n) } else { t!("ps-count-at-least", n = n) }
}

#[function_component(PartnershipsPage)]
pub fn partnerships_page() -> Html {
    let session = use_session();
    let pages = use_pages();
    let (state, reload) = use_query::<Partnerships>(variables(pages.list(), pages.after()));
    let invite_reseller = use_mutation::<InvitePartnerReseller>();
    let accept_partnership = use_mutation::<AcceptResellerPartnership>();
    let remove_partnership = use_mutation::<RemoveResellerPartnership>();
    let outcome = use_outcome();
    let code = use_node_ref();
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let invite = {
        let (outcome, reload) = (outcome.clone(), reload.clone());
        Callback::from(move |_| {
            let done = outcome.then_reload(t!("ps-link-created"), &reload);
            invite_reseller.send(invite_partner_reseller::Variables {}, done)
        })
    };
    let accept = {
        let (outcome, reload, code) = (outcome.clone(), reload.clone(), code.clone());
        Callback::from(move |e: SubmitEvent| {
            let input = accept_reseller_partnership::AcceptResellerPartnershipInput {
                code: link_code(&field_value(&code)),
            };
            let done = outcome.then_reload(t!("ps-accepted"), &reload);
            accept_partnership.submit(&e, accept_reseller_partnership::Variables { input }, done)
        })
    };
    let remove = |id: String| {
        let (remove_partnership, outcome, reload) =
            (remove_partnership.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            let input = remove_reseller_partnership::RemoveResellerPartnershipInput { id: id.clone() };
            let done = outcome.then_reload(t!("ps-removed"), &reload);
            remove_partnership.send(remove_reseller_partnership::Variables { input }, done)
        })
    };
    let list = pages.list().clone();
    let status = list.get("status");
    let pick_status = {
        let list = list.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            list.set("status", &select.value());
        })
    };
    let body = show(&*state, |d| {
        let program = match &d.viewer.organization {
            partnerships::PartnershipsViewerOrganization::Partner(p) => name(&p.program),
            _ => String::new(),
        };
        let (provider, reseller) = (program == "CSP_INDIRECT_PROVIDER", program == "CSP_INDIRECT_RESELLER");
        if !provider && !reseller {
            return html! { <p class="muted">{ t!("ps-only") }</p> };
        }
        html! {
            <>
            if provider {
                <p>{ t!("ps-invite") }</p>
                <button onclick={invite.clone()}>{ t!("ps-create-link") }</button>
            }
            if reseller {
                <form class="card" onsubmit={accept.clone()} aria-label={t!("ps-accept-form")}>
                    <h2>{ t!("ps-accept-title") }</h2>
                    <label for="partnership-code">{ t!("ps-link-or-code") }</label>
                    <input id="partnership-code" required=true ref={code.clone()} />
                    <button type="submit">{ t!("pl-accept") }</button>
                </form>
            }
            <div class="filters">
                <div><label for="f-partnership-status">{ t!("ps-status") }</label>
                <select id="f-partnership-status" onchange={pick_status.clone()}>
                    { for [("", t!("ps-all")), ("ACTIVE", t!("ps-active")), ("PENDING", t!("ps-pending")), ("EXPIRED", t!("ps-expired")), ("REMOVED", t!("ps-removed-status"))].into_iter().map(|(v, l)| html! {
                        <option value={v} selected={status == v}>{ l }</option>
                    }) }
                </select></div>
            </div>
            <p class="muted">{ counted(d.partnerships.total_count, d.partnerships.total_count_precision == partnerships::CountPrecision::EXACT) }</p>
            if d.partnerships.nodes.is_empty() { <p class="muted">{ t!("ps-none") }</p> }
            <table>
                <caption class="sr-only">{ t!("ps-title") }</caption>
                <thead><tr><th scope="col">{ t!("ps-col-provider") }</th><th scope="col">{ t!("ps-col-reseller") }</th>
                    <SortHeader list={list.clone()} label={t!("ps-col-status")} field="status" default=true />
                    <SortHeader list={list.clone()} label={t!("ps-col-since")} field="created" />
                    <th scope="col">{ t!("ps-col-actions") }</th></tr></thead>
                <tbody>{ for d.partnerships.nodes.iter().map(|p| { let can = [offer!(if p.status == "PENDING" { "Withdraw" } else { "Remove" }, p.viewer_can.remove)]; html! {
                    <tr>
                        <td data-label={t!("ps-col-provider")}>{ &p.provider.name }</td>
                        <td data-label={t!("ps-col-reseller")}>{ p.reseller.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| t!("ps-not-used")) }</td>
                        <td data-label={t!("ps-col-status")}>{ crate::text::code_words(&p.status) }</td>
                        <td data-label={t!("ps-col-since")}>{ date(p.accepted_at.as_deref().unwrap_or(&p.created_at)) }{ p.removed_at.as_deref().map(|r| t!("ps-removed-on", date = date(r))).unwrap_or_default() }</td>
                        <td data-label={t!("ps-col-actions")}>
                            if let Some(url) = &p.url {
                                <code class="link">{ url }</code>{ " " }<CopyButton text={url.clone()} label={t!("inv-copy-link")} />{ " " }
                            }
                            if can[0].allowed {
                                <button class="secondary" onclick={remove(p.id.clone())}>{ if p.status == "PENDING" { t!("ps-withdraw") } else { t!("ps-remove") } }</button>
                            }
                            { refusals(&can) }
                        </td>
                    </tr>
                } }) }</tbody>
            </table>
            <Pager pages={pages.clone()} has_next={d.partnerships.page_info.has_next_page} end_cursor={d.partnerships.page_info.end_cursor.clone()} />
            </>
        }
    });
    html! {
        <section aria-labelledby="partnerships-title">
            <h1 id="partnerships-title">{ t!("ps-title") }</h1>
            { outcome.view() }
            { body }
        </section>
    }
}
