//! `/invitations`: a partner's invitations: create one (with copy buttons for the link and
//! email), list, revoke, change the message (as the API's `viewerCan` allows).

use crate::api::ApiError;
use crate::components::{
    CopyButton, DurationPicker, MessageEditor, Pager, SearchBox, SignInForm, offer, refusals, show, use_pages,
};
use crate::form::{checked, field_value, or_default};
use crate::hooks::{use_mutation, use_node_refs, use_outcome, use_query, use_session};
use crate::live::use_refetch_on;
use crate::queries::*;
use crate::t;
use crate::text::{date, words};
use yew::prelude::*;

/// What is missing from a partly filled delegated-rights section: it is completed or cleared,
/// never silently dropped.
#[derive(Clone, PartialEq)]
struct FieldError {
    /// The id of the field to fix (it gets focus and `aria-invalid`).
    field: &'static str,
    message: String,
}

/// Days in an ISO-8601 duration of years, months, weeks and days, as the API counts them
/// (`domain::delegated_admin::RelationshipDuration`); `None` when it is not one.
fn duration_days(value: &str) -> Option<i64> {
    let v = value.trim().to_ascii_uppercase();
    let rest = v.strip_prefix('P').filter(|r| !r.is_empty())?;
    let (mut days, mut number, mut last) = (0i64, String::new(), 0);
    for c in rest.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let (order, factor) = match c {
            'Y' => (1, 365),
            'M' => (2, 30),
            'W' => (3, 7),
            'D' => (4, 1),
            _ => return None,
        };
        if number.is_empty() || order <= last || number.len() > 4 {
            return None;
        }
        days += number.parse::<i64>().ok()? * factor;
        number.clear();
        last = order;
    }
    number.is_empty().then_some(days)
}

/// The delegated-rights section's problem, if it is partly filled: auto-extension without a
/// role, or roles with a custom duration the API would refuse.
fn delegated_section_error(roles: usize, duration: &str, auto_extend: bool) -> Option<FieldError> {
    if roles == 0 {
        return auto_extend
            .then(|| FieldError { field: "inv-role-provisioning", message: t!("inv-error-no-role") });
    }
    match duration_days(duration) {
        Some(d) if (1..=730).contains(&d) => None,
        _ => Some(FieldError {
            field: "inv-duration",
            message: t!("inv-error-duration", length = crate::text::duration(duration.trim())),
        }),
    }
}

/// Focuses the field with `id` (the one to fix).
fn focus(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
    if let Some(e) = element {
        let _ = e.focus();
    }
}

#[function_component(InvitationsPage)]
pub fn invitations_page() -> Html {
    let session = use_session();
    let pages = use_pages();
    let (state, reload) = use_query::<Invitations>(invitations::Variables {
        after: pages.after(),
        search: pages.list().get_opt("q"),
    });
    // Customers' answers (accepted, declined) and expiry show up without a reload; the page's
    // own creations and revocations already show (a reload then would undo the highlight and
    // scroll of the row just made).
    use_refetch_on(&["invitation.accepted", "invitation.declined", "invitation.expired"], &reload);
    let create_invitation = use_mutation::<CreateInvitation>();
    let revoke_invitation = use_mutation::<RevokeInvitation>();
    let error = use_outcome();
    let field_error = use_state_eq(|| None::<FieldError>);
    // The invitation just created: its row is highlighted and brought into view once listed.
    let created = use_state_eq(|| None::<String>);
    let new_row = use_node_ref();
    let scrolled = use_mut_ref(|| None::<String>);
    {
        let (created, new_row, scrolled) = (created.clone(), new_row.clone(), scrolled.clone());
        use_effect(move || {
            if let (Some(id), Some(row)) = (&*created, new_row.cast::<web_sys::Element>())
                && scrolled.borrow().as_ref() != Some(id)
            {
                row.scroll_into_view();
                *scrolled.borrow_mut() = Some(id.clone());
            }
        });
    }
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
        language,
    ] = use_node_refs();
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let create = {
        let (create_invitation, error, reload) = (create_invitation.clone(), error.clone(), reload.clone());
        let (field_error, created) = (field_error.clone(), created.clone());
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
            language.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            let (customer, reseller, message, duration, prov, sup, service, auto_extend, expires, language) =
                &refs;
            let customer_id = Some(field_value(customer)).filter(|v| !v.trim().is_empty());
            let mut roles = Vec::new();
            if checked(prov) {
                roles.push(create_invitation::DelegatedRole::PROVISIONING);
            }
            if checked(sup) {
                roles.push(create_invitation::DelegatedRole::SUPPORT);
            }
            e.prevent_default();
            let problem = delegated_section_error(roles.len(), &field_value(duration), checked(auto_extend));
            field_error.set(problem.clone());
            if let Some(p) = problem {
                error.set_error(None);
                focus(p.field);
                return;
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
                language: Some(if field_value(language) == "ZH_CN" {
                    create_invitation::InvitationLanguage::ZH_CN
                } else {
                    create_invitation::InvitationLanguage::EN
                }),
            };
            let (error, reload, created) = (error.clone(), reload.clone(), created.clone());
            let form: Option<web_sys::HtmlFormElement> = e.target_dyn_into();
            create_invitation.run(create_invitation::Variables { input }, move |r| match r {
                Ok(d) => {
                    // A fresh form for the next one; the new row is highlighted below.
                    if let Some(f) = form {
                        f.reset();
                    }
                    created.set(Some(d.create_invitation.invitation.id));
                    error.set(Ok(t!("inv-created")));
                    reload.emit(());
                }
                Err(e) => error.set(Err(e)),
            });
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
    let role_invalid =
        field_error.as_ref().is_some_and(|f| f.field == "inv-role-provisioning").then_some("true");
    let duration_invalid = field_error.as_ref().is_some_and(|f| f.field == "inv-duration");
    html! {
        <section aria-labelledby="inv-list-title">
            <h1 id="inv-list-title">{ t!("inv-title") }</h1>
            { show(&*state, |d| html! {
                <>
                <form class="card" onsubmit={create.clone()} aria-label={t!("inv-new")}>
                    <h2>{ t!("inv-new") }</h2>
                    <label for="inv-customer">{ t!("inv-customer") }</label>
                    <select id="inv-customer" ref={customer.clone()}>
                        <option value="" selected=true>{ t!("inv-any-customer") }</option>
                        { for d.customers.edges.iter().map(|e| html! { <option value={e.node.id.clone()}>{ &e.node.name }</option> }) }
                    </select>
                    <label for="inv-reseller">{ t!("inv-reseller") }</label>
                    <select id="inv-reseller" ref={reseller.clone()}>
                        <option value="" selected=true>{ t!("inv-reseller-none") }</option>
                        { for d.partnerships.nodes.iter().filter(|p| p.status == "ACTIVE").filter_map(|p| p.reseller.as_ref()).map(|r| html! { <option value={r.id.clone()}>{ &r.name }</option> }) }
                    </select>
                    <fieldset aria-describedby={field_error.is_some().then_some("inv-delegated-error")}>
                        <legend>{ t!("inv-delegated") }</legend>
                        <label><input id="inv-role-provisioning" type="checkbox" ref={roles_provisioning.clone()} class="check" aria-invalid={role_invalid} />{ format!(" {}", crate::text::capitalized(&crate::text::code_words("PROVISIONING"))) }</label>
                        <label><input type="checkbox" ref={roles_support.clone()} class="check" aria-invalid={role_invalid} />{ format!(" {}", crate::text::capitalized(&crate::text::code_words("SUPPORT"))) }</label>
                        <label for="inv-service">{ t!("inv-service") }</label>
                        <select id="inv-service" ref={service.clone()}>
                            { for d.catalog.services.iter().enumerate().map(|(i, s)| html! { <option value={s.id.clone()} selected={i == 0}>{ &s.name }</option> }) }
                        </select>
                        <DurationPicker id="inv-duration" label={t!("inv-how-long")} default="P1Y" node_ref={duration.clone()} invalid={duration_invalid} />
                        <label><input type="checkbox" ref={auto_extend.clone()} class="check" />{ format!(" {}", t!("inv-auto-extend")) }</label>
                        if let Some(f) = &*field_error {
                            <p class="error" id="inv-delegated-error" role="alert">{ &f.message }</p>
                        }
                    </fieldset>
                    <label for="inv-expires">{ t!("inv-expires") }</label>
                    <input id="inv-expires" type="date" ref={expires.clone()} />
                    <label for="inv-language">{ t!("inv-language") }</label>
                    <select id="inv-language" ref={language.clone()}>
                        <option value="EN" selected={crate::i18n::lang() == crate::i18n::Lang::En}>{ "English" }</option>
                        <option value="ZH_CN" selected={crate::i18n::lang() == crate::i18n::Lang::ZhCn}>{ "简体中文" }</option>
                    </select>
                    <label for="inv-message">{ t!("inv-message") }</label>
                    <textarea id="inv-message" ref={message.clone()} />
                    <button type="submit">{ t!("inv-create") }</button>
                    // The outcome stays at the form, where the eye is, and is announced.
                    <div class="form-outcome" aria-live="polite">{ error.view() }</div>
                </form>
                <SearchBox list={pages.list().clone()} id="inv-search" label={t!("inv-search")} />
                if d.invitations.nodes.is_empty() { <p class="muted">{ t!("inv-none") }</p> }
                <table>
                    <thead><tr><th scope="col">{ t!("inv-col-created") }</th><th scope="col">{ t!("inv-col-for") }</th><th scope="col">{ t!("inv-col-asks") }</th><th scope="col">{ t!("inv-col-status") }</th><th scope="col">{ t!("inv-col-link") }</th></tr></thead>
                    <tbody>{ for d.invitations.nodes.iter().map(|i| { let can = [offer!("Revoke", i.viewer_can.revoke), offer!("Edit message", i.viewer_can.update_message)]; let is_new = created.as_deref() == Some(i.id.as_str()); html! {
                        <tr key={i.id.clone()} class={classes!(is_new.then_some("highlight"))} ref={if is_new { new_row.clone() } else { NodeRef::default() }} aria-label={is_new.then(|| t!("inv-just-created"))}>
                            <td data-label={t!("inv-col-created")}>{ date(&i.created_at) }<br/><span class="muted">{ t!("inv-by", name = i.partner.name.clone()) }</span></td>
                            <td data-label={t!("inv-col-for")}>{ i.customer.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| crate::text::code_words("ANY_CUSTOMER")) }
                                { i.indirect_reseller.as_ref().map(|r| t!("inv-via", name = r.name.clone())).unwrap_or_default() }
                                if !i.message.is_empty() { <br/><span class="muted">{ t!("inv-quoted", message = i.message.clone()) }</span> }</td>
                            <td data-label={t!("inv-col-asks")}>{ asks(i) }</td>
                            <td data-label={t!("inv-col-status")}>{ status_line(i) }</td>
                            <td data-label={t!("inv-col-link")}>
                                // Only a link that can still be accepted is offered for sending.
                                if let (true, Some(url), Some(email)) = (i.status == "PENDING", &i.url, &i.email_text) {
                                    <code class="link">{ url }</code><br/>
                                    <CopyButton text={url.clone()} label={t!("inv-copy-link")} />
                                    { " " }<CopyButton text={email.clone()} label={t!("inv-copy-email")} />
                                } else if i.status != "PENDING" {
                                    <span class="muted">{ t!("inv-link-dead") }</span>
                                }
                                if can[0].allowed {
                                    { " " }<crate::components::ConfirmButton class={classes!("secondary")} label={t!("inv-revoke")} title={t!("inv-revoke-title")}
                                        consequence={t!("inv-revoke-consequence", who = i.customer.as_ref().map(|c| t!("inv-revoke-customer", name = c.name.clone())).unwrap_or_else(|| t!("inv-revoke-any")))}
                                        confirm={t!("inv-revoke-yes")} onconfirm={revoke(i.id.clone())} />
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
        </section>
    }
}

/// What an invitation asks for, naming the service its delegated rights would cover.
fn asks(i: &invitations::InvitationsInvitationsNodes) -> String {
    if i.delegated_roles.is_empty() {
        return t!("inv-asks-relationship");
    }
    let services: Vec<&str> = i.delegated_services.iter().map(|s| s.name.as_str()).collect();
    t!(
        "inv-asks-rights",
        roles = i.delegated_roles.iter().map(words).collect::<Vec<_>>().join(", "),
        services = services.join(", "),
        length = i.delegated_duration.as_deref().map(crate::text::duration).unwrap_or_default()
    )
}

/// The state in words, with what it depends on: when it ends or ended, and how many accepted.
fn status_line(i: &invitations::InvitationsInvitationsNodes) -> String {
    let accepted = i.acceptance_count.map(|n| t!("inv-accepted-count", n = n)).unwrap_or_default();
    match i.status.as_str() {
        "PENDING" => t!(
            "inv-status-pending",
            accepted = accepted,
            date = date(&i.expires_at),
            relative = crate::i18n::relative(&i.expires_at)
        ),
        "EXPIRED" => t!("inv-status-expired", date = date(&i.expires_at), accepted = accepted),
        other => format!("{}{accepted}", crate::text::code_words(other)),
    }
}
