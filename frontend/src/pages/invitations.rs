//! `/invitations`: a partner's invitations: create one (with copy buttons for the link and
//! email), list, revoke, change the message (as the API's `viewerCan` allows).

use crate::api::ApiError;
use crate::components::{CopyButton, MessageEditor, Pager, SignInForm, offer, refusals, show, use_pages};
use crate::form::{checked, field_value, or_default};
use crate::hooks::{use_mutation, use_node_refs, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::text::{date, words};
use yew::prelude::*;

#[function_component(InvitationsPage)]
pub fn invitations_page() -> Html {
    let session = use_session();
    let pages = use_pages();
    let (state, reload) = use_query::<Invitations>(invitations::Variables { after: pages.after() });
    let create_invitation = use_mutation::<CreateInvitation>();
    let revoke_invitation = use_mutation::<RevokeInvitation>();
    let error = use_outcome();
    let [
        customer,
        reseller,
        message,
        duration,
        roles_provisioning,
        roles_support,
        service,
        auto_extend,
        expires,
    ] = use_node_refs();
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let create = {
        let (create_invitation, error, reload) = (create_invitation.clone(), error.clone(), reload.clone());
        let refs = (
            customer.clone(),
            reseller.clone(),
            message.clone(),
            duration.clone(),
            roles_provisioning.clone(),
            roles_support.clone(),
            service.clone(),
            auto_extend.clone(),
            expires.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            let (customer, reseller, message, duration, prov, sup, service, auto_extend, expires) = &refs;
            let customer_id = Some(field_value(customer)).filter(|v| !v.trim().is_empty());
            let mut roles = Vec::new();
            if checked(prov) {
                roles.push(create_invitation::DelegatedRole::PROVISIONING);
            }
            if checked(sup) {
                roles.push(create_invitation::DelegatedRole::SUPPORT);
            }
            let delegated_admin =
                (!roles.is_empty()).then(|| create_invitation::InvitationDelegatedAdminInput {
                    roles,
                    service_ids: vec![field_value(service)],
                    duration: or_default(field_value(duration), "P1Y"),
                    auto_extend: if checked(auto_extend) { "P180D" } else { "P0D" }.to_owned(),
                });
            // The link expires at the end of the chosen day (UTC); empty: the default 90 days.
            let expires_at =
                Some(field_value(expires)).filter(|d| !d.is_empty()).map(|d| format!("{d}T23:59:59Z"));
            let input = create_invitation::CreateInvitationInput {
                audience: if customer_id.is_some() {
                    create_invitation::InvitationAudience::CUSTOMER
                } else {
                    create_invitation::InvitationAudience::ANY_CUSTOMER
                },
                customer_id,
                indirect_reseller_id: Some(field_value(reseller)).filter(|v| !v.is_empty()),
                delegated_admin,
                message: field_value(message),
                expires_at,
            };
            let (error, reload) = (error.clone(), reload.clone());
            let done = move |r: Result<(), ApiError>| {
                if r.is_ok() {
                    reload.emit(());
                }
                error.set_error(r.err());
            };
            create_invitation.submit(&e, create_invitation::Variables { input }, done);
        })
    };
    let revoke = |id: String| {
        let (revoke_invitation, error, reload) = (revoke_invitation.clone(), error.clone(), reload.clone());
        Callback::from(move |_| {
            let input = revoke_invitation::InvitationIdInput { id: id.clone() };
            revoke_invitation.send(revoke_invitation::Variables { input }, error.error_then_reload(&reload));
        })
    };
    let on_saved = {
        let (error, reload) = (error.clone(), reload.clone());
        Callback::from(move |r: Result<(), ApiError>| {
            error.set_error(r.err());
            reload.emit(());
        })
    };
    html! {
        <section aria-labelledby="inv-list-title">
            <h1 id="inv-list-title">{ "Invitations" }</h1>
            { show(&*state, |d| html! {
                <>
                <form class="card" onsubmit={create.clone()} aria-label="New invitation">
                    <h2>{ "New invitation" }</h2>
                    <label for="inv-customer">{ "Customer" }</label>
                    <select id="inv-customer" ref={customer.clone()}>
                        <option value="" selected=true>{ "Any customer (a link to send)" }</option>
                        { for d.customers.edges.iter().map(|e| html! { <option value={e.node.id.clone()}>{ &e.node.name }</option> }) }
                    </select>
                    <label for="inv-reseller">{ "Indirect reseller (indirect providers)" }</label>
                    <select id="inv-reseller" ref={reseller.clone()}>
                        <option value="" selected=true>{ "None" }</option>
                        { for d.partnerships.nodes.iter().filter(|p| p.status == "ACTIVE").filter_map(|p| p.reseller.as_ref()).map(|r| html! { <option value={r.id.clone()}>{ &r.name }</option> }) }
                    </select>
                    <fieldset>
                        <legend>{ "Delegated admin to ask for" }</legend>
                        <label><input type="checkbox" ref={roles_provisioning.clone()} class="check" />{ " Provisioning" }</label>
                        <label><input type="checkbox" ref={roles_support.clone()} class="check" />{ " Support" }</label>
                        <label for="inv-service">{ "Service" }</label>
                        <select id="inv-service" ref={service.clone()}>
                            { for d.catalog.services.iter().enumerate().map(|(i, s)| html! { <option value={s.id.clone()} selected={i == 0}>{ &s.name }</option> }) }
                        </select>
                        <label for="inv-duration">{ "Duration (ISO-8601, P1D to P2Y)" }</label>
                        <input id="inv-duration" placeholder="P1Y" ref={duration.clone()} />
                        <label><input type="checkbox" ref={auto_extend.clone()} class="check" />{ " Auto-extend by 180 days" }</label>
                    </fieldset>
                    <label for="inv-expires">{ "Link expires on (at most 90 days; empty: in 90 days)" }</label>
                    <input id="inv-expires" type="date" ref={expires.clone()} />
                    <label for="inv-message">{ "Message" }</label>
                    <textarea id="inv-message" ref={message.clone()} />
                    <button type="submit">{ "Create invitation" }</button>
                </form>
                if d.invitations.nodes.is_empty() { <p class="muted">{ "No invitations yet." }</p> }
                <table>
                    <thead><tr><th scope="col">{ "Created" }</th><th scope="col">{ "For" }</th><th scope="col">{ "Asks" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Link" }</th></tr></thead>
                    <tbody>{ for d.invitations.nodes.iter().map(|i| { let can = [offer!("Revoke", i.viewer_can.revoke), offer!("Edit message", i.viewer_can.update_message)]; html! {
                        <tr>
                            <td>{ date(&i.created_at) }<br/><span class="muted">{ format!("by {}", i.partner.name) }</span></td>
                            <td>{ i.customer.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "any customer".into()) }
                                { i.indirect_reseller.as_ref().map(|r| format!(" · via {}", r.name)).unwrap_or_default() }
                                if !i.message.is_empty() { <br/><span class="muted">{ format!("“{}”", i.message) }</span> }</td>
                            <td>{ if i.delegated_roles.is_empty() { "relationship".to_owned() } else {
                                format!("relationship + {} for {}", i.delegated_roles.iter().map(words).collect::<Vec<_>>().join(", "), i.delegated_duration.clone().unwrap_or_default()) } }</td>
                            <td>{ format!("{} · {} accepted · expires {}", i.status.to_ascii_lowercase(), i.acceptance_count, date(&i.expires_at)) }</td>
                            <td>
                                <code class="link">{ &i.url }</code><br/>
                                <CopyButton text={i.url.clone()} label="Copy link" />
                                { " " }<CopyButton text={i.email_text.clone()} label="Copy email" />
                                if can[0].allowed {
                                    { " " }<crate::components::ConfirmButton class={classes!("secondary")} label="Revoke" title="Revoke this invitation?"
                                        consequence={format!("The link stops working now: {} Relationships already accepted through it stay. This cannot be undone.", i.customer.as_ref().map(|c| format!("{} can no longer accept it.", c.name)).unwrap_or_else(|| "no customer can accept it any more.".into()))}
                                        confirm="Yes, revoke" onconfirm={revoke(i.id.clone())} />
                                }
                                if can[1].allowed {
                                    <MessageEditor id={i.id.clone()} message={i.message.clone()} on_saved={on_saved.clone()} />
                                }
                                { refusals(&can) }
                            </td>
                        </tr>
                    } }) }</tbody>
                </table>
                <Pager pages={pages.clone()} has_next={d.invitations.page_info.has_next_page} end_cursor={d.invitations.page_info.end_cursor.clone()} />
                </>
            }) }
            { error.view() }
        </section>
    }
}
