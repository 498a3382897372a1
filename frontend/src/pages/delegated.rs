//! Delegated admin: the relationships the viewer takes part in, with the actions its side may
//! take in their state; a partner's draft form; a customer's grant form (with the conflict and
//! the explicit replace); and what ends within 30 or 90 days beside subscription commitment ends.

use super::{
    Outcome, checked, date, field_value, load, next_reload, or_default, outcome_view, session_token, submit,
    use_node_refs,
};
use crate::SessionHandle;
use crate::api::{self, ApiError};
use crate::components::{Load, SignInForm, name, show, words};
use crate::queries::*;
use yew::prelude::*;

/// One relationship action, by name: runs its mutation.
async fn act(token: Option<String>, action: &'static str, id: String, replace: bool) -> Result<(), ApiError> {
    let t = token.as_deref();
    macro_rules! by_id {
        ($q:ident, $m:ident) => {
            api::run_unit::<$q>(t, $m::Variables { input: $m::DelegatedAdminRelationshipIdInput { id } })
                .await
        };
    }
    match action {
        "Approve" => {
            api::run_unit::<ApproveDelegatedAdmin>(
                t,
                approve_delegated_admin::Variables {
                    input: approve_delegated_admin::ApproveDelegatedAdminRelationshipInput {
                        id,
                        replace_existing: replace,
                    },
                },
            )
            .await
        }
        "Auto-extend on" | "Auto-extend off" => {
            api::run_unit::<SetDelegatedAdminAutoExtend>(
                t,
                set_delegated_admin_auto_extend::Variables {
                    input: set_delegated_admin_auto_extend::SetDelegatedAdminAutoExtendInput {
                        id,
                        auto_extend: if action == "Auto-extend on" { "P180D" } else { "P0D" }.to_owned(),
                    },
                },
            )
            .await
        }
        "Reject" => by_id!(RejectDelegatedAdmin, reject_delegated_admin),
        "Consent" => by_id!(ConsentDelegatedAdmin, consent_delegated_admin),
        "Request approval" => by_id!(RequestDelegatedAdminApproval, request_delegated_admin_approval),
        "Delete" => by_id!(DeleteDelegatedAdmin, delete_delegated_admin),
        _ => by_id!(TerminateDelegatedAdmin, terminate_delegated_admin),
    }
}

/// The actions the viewer's side may take on a relationship in its state.
fn actions_for(
    status: &str,
    own_partner: bool,
    is_customer: bool,
    auto_extend: bool,
    global_admin: bool,
) -> Vec<&'static str> {
    match status {
        "CREATED" if own_partner => {
            vec!["Request approval", if auto_extend { "Auto-extend off" } else { "Auto-extend on" }, "Delete"]
        }
        "APPROVAL_PENDING" if is_customer => vec!["Approve", "Reject"],
        "CONSENT_PENDING" if own_partner => vec!["Consent", "Reject"],
        "ACTIVE" if own_partner && !global_admin => {
            vec![if auto_extend { "Auto-extend off" } else { "Auto-extend on" }, "Terminate"]
        }
        "ACTIVE" | "APPROVAL_PENDING" | "CONSENT_PENDING" => vec!["Terminate"],
        _ => vec![],
    }
}

#[function_component(DelegatedAdminPage)]
pub fn delegated_admin_page() -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let state = use_state(|| Load::<delegated_admin::ResponseData>::Loading);
    let outcome: Outcome = use_state(|| None);
    let reload = use_state(|| 0u32);
    let within = use_state(|| 90i64);
    {
        let (session, state) = (session.clone(), state.clone());
        use_effect_with((*reload, *within, session.is_some()), move |(_, within, signed_in)| {
            if *signed_in {
                load::<DelegatedAdmin>(session, delegated_admin::Variables { within_days: *within }, state);
            }
        });
    }
    let Some(s) = (*session).clone() else { return html! { <SignInForm /> } };
    let is_customer = s.kind == "CUSTOMER";
    let token = session_token(&session);
    let run = |action: &'static str, id: String| {
        let (token, outcome, reload) = (token.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            let (token, outcome, reload, id) = (token.clone(), outcome.clone(), reload.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let r = act(token, action, id, false).await;
                outcome.set(Some(r.map(|_| format!("{action}: done."))));
                reload.set(next_reload());
            });
        })
    };
    let on_within = {
        let within = within.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            within.set(select.value().parse().unwrap_or(90));
        })
    };
    let body = show(&*state, |d| {
        let own_partner = |partner_id: &str| !is_customer && s.organization_id == partner_id;
        // Commitment ends inside the window, beside the relationships that end.
        let today = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
        let horizon = {
            let t = js_sys::Date::new_0();
            t.set_time(t.get_time() + *within as f64 * 86_400_000.0);
            t.to_iso_string().as_string().unwrap_or_default()
        };
        let ending_subscriptions = d.subscriptions.edges.iter().map(|e| &e.node).filter(|n| {
            n.commitment_end.as_str() >= date(&today) && n.commitment_end.as_str() <= date(&horizon)
        });
        // Relationships and commitment ends together, soonest first.
        let mut ending: Vec<(String, String, bool)> = d
            .expiring_delegated_admin_relationships
            .iter()
            .map(|r| {
                let end = date(r.ends_at.as_deref().unwrap_or("")).to_owned();
                let extends =
                    if r.auto_extend == "P180D" { ", extends by 180 days unless turned off" } else { "" };
                let text = format!(
                    "{end} — delegated admin \"{}\" ({} / {}){extends}",
                    r.display_name, r.partner.name, r.customer.name
                );
                (end, text, r.expires_soon)
            })
            .chain(ending_subscriptions.map(|n| {
                let renews = if n.auto_renew { ", renews" } else { ", does not renew" };
                let text = format!(
                    "{} — commitment end of {} ({}){renews}",
                    n.commitment_end, n.friendly_name, n.customer.name
                );
                (n.commitment_end.clone(), text, false)
            }))
            .collect();
        ending.sort();
        html! {
            <>
            if d.delegated_admin_relationships.is_empty() { <p class="muted">{ "No delegated admin relationships." }</p> }
            <table>
                <caption class="sr-only">{ "Delegated admin relationships" }</caption>
                <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ if is_customer { "Partner" } else { "Customer" } }</th><th scope="col">{ "Roles" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Ends" }</th><th scope="col">{ "Actions" }</th></tr></thead>
                <tbody>{ for d.delegated_admin_relationships.iter().map(|r| {
                    let status = name(&r.status);
                    let global_admin = r.roles.iter().any(|x| matches!(x, delegated_admin::DelegatedRole::GLOBAL_ADMIN));
                    let actions = actions_for(&status, own_partner(&r.partner.id), is_customer, r.auto_extend == "P180D", global_admin);
                    html! {
                        <tr class={classes!(r.expires_soon.then_some("expiring"))}>
                            <td>{ &r.display_name }<br/><span class="muted">{ words(&r.origin) }</span></td>
                            <td>{ if is_customer { r.partner.name.clone() } else { r.customer.name.clone() } }</td>
                            <td>{ format!("{} · {}", r.roles.iter().map(words).collect::<Vec<_>>().join(", "), r.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")) }</td>
                            <td>{ words(&r.status) }if r.expires_soon { <strong>{ " · expires soon" }</strong> }</td>
                            <td>{ r.ends_at.as_deref().map(date).unwrap_or_else(|| r.duration.as_str()) }{ if r.auto_extend == "P180D" { " (auto-extends)" } else { "" } }</td>
                            <td>{ for actions.into_iter().map(|a| html! { <button class="secondary" onclick={run(a, r.id.clone())} aria-label={format!("{a}: {}", r.display_name)}>{ a }</button> }) }</td>
                        </tr>
                    }
                }) }</tbody>
            </table>
            <h2 id="ending-title">{ format!("Ending within {} days", *within) }</h2>
            <label for="ending-window">{ "Window" }</label>
            <select id="ending-window" onchange={on_within.clone()}>
                <option value="30" selected={*within == 30}>{ "30 days" }</option>
                <option value="90" selected={*within == 90}>{ "90 days" }</option>
            </select>
            <ul aria-labelledby="ending-title" class="ending">
                { for ending.into_iter().map(|(_, text, soon)| html! { <li class={classes!(soon.then_some("expiring"))}>{ text }</li> }) }
            </ul>
            if is_customer {
                <GrantForm data={d.clone()} outcome={outcome.clone()} reload={reload.clone()} />
            } else if s.roles.iter().any(|r| r == "ADMIN_AGENT") {
                <DraftForm data={d.clone()} outcome={outcome.clone()} reload={reload.clone()} />
            }
            </>
        }
    });
    html! {
        <section aria-labelledby="dap-title">
            <h1 id="dap-title">{ "Delegated admin" }</h1>
            { outcome_view(&outcome) }
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct FormProps {
    data: delegated_admin::ResponseData,
    outcome: Outcome,
    reload: UseStateHandle<u32>,
}

/// The customer grants delegated admin to another partner; it waits for the partner's consent.
#[function_component(GrantForm)]
fn grant_form(props: &FormProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let [partner, service, duration, provisioning, support, replace, name] = use_node_refs();
    let grant = {
        let (token, outcome, reload) = (session_token(&session), props.outcome.clone(), props.reload.clone());
        let refs = (
            partner.clone(),
            service.clone(),
            duration.clone(),
            provisioning.clone(),
            support.clone(),
            replace.clone(),
            name.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            let (partner, service, duration, provisioning, support, replace, name) = &refs;
            let mut roles = Vec::new();
            if checked(provisioning) {
                roles.push(grant_delegated_admin::DelegatedRole::PROVISIONING);
            }
            if checked(support) {
                roles.push(grant_delegated_admin::DelegatedRole::SUPPORT);
            }
            let input = grant_delegated_admin::GrantDelegatedAdminInput {
                partner_id: field_value(partner),
                replace_existing: checked(replace),
                terms: grant_delegated_admin::DelegatedAdminTermsInput {
                    display_name: field_value(name),
                    roles,
                    service_ids: vec![field_value(service)],
                    duration: or_default(field_value(duration), "P180D"),
                    auto_extend: "P0D".to_owned(),
                },
            };
            submit::<GrantDelegatedAdmin>(
                &e,
                token.clone(),
                grant_delegated_admin::Variables { input },
                outcome.clone(),
                reload.clone(),
                "Granted: waiting for the partner's consent.".into(),
            );
        })
    };
    let d = &props.data;
    html! {
        <form class="card" onsubmit={grant} aria-label="Grant delegated admin">
            <h2>{ "Grant delegated admin to a partner" }</h2>
            <label for="grant-partner">{ "Partner" }</label>
            <select id="grant-partner" ref={partner}>
                { for d.partners.edges.iter().enumerate().map(|(i, e)| html! { <option value={e.node.id.clone()} selected={i == 0}>{ &e.node.name }</option> }) }
            </select>
            <label for="grant-name">{ "Name" }</label>
            <input id="grant-name" required=true maxlength="50" ref={name} />
            <fieldset>
                <legend>{ "Roles" }</legend>
                <label><input type="checkbox" ref={provisioning} class="check" />{ " Provisioning" }</label>
                <label><input type="checkbox" ref={support} class="check" />{ " Support" }</label>
            </fieldset>
            <label for="grant-service">{ "Service" }</label>
            <select id="grant-service" ref={service}>
                { for d.catalog.services.iter().enumerate().map(|(i, s)| html! { <option value={s.id.clone()} selected={i == 0}>{ &s.name }</option> }) }
            </select>
            <label for="grant-duration">{ "Duration (ISO-8601, P1D to P2Y)" }</label>
            <input id="grant-duration" placeholder="P180D" ref={duration} />
            <label><input type="checkbox" ref={replace} class="check" />{ " Replace the current provisioning partner for this service" }</label>
            <button type="submit">{ "Grant" }</button>
        </form>
    }
}

/// A partner's admin agent drafts a relationship for one of its customers, then requests approval.
#[function_component(DraftForm)]
fn draft_form(props: &FormProps) -> Html {
    let session = use_context::<SessionHandle>().expect("session context");
    let [customer, name, duration, auto_extend] = use_node_refs();
    let roles = [("GLOBAL_ADMIN", "Global admin"), ("PROVISIONING", "Provisioning"), ("SUPPORT", "Support")];
    let role_refs = use_node_refs::<3>();
    let service_refs = {
        let n = props.data.catalog.services.len();
        use_memo(n, |n| (0..*n).map(|_| NodeRef::default()).collect::<Vec<NodeRef>>())
    };
    let create = {
        let (token, outcome, reload) = (session_token(&session), props.outcome.clone(), props.reload.clone());
        let (customer, name, duration, auto_extend) =
            (customer.clone(), name.clone(), duration.clone(), auto_extend.clone());
        let (role_refs, service_refs) = (role_refs.clone(), (*service_refs).clone());
        let services: Vec<String> = props.data.catalog.services.iter().map(|s| s.id.clone()).collect();
        Callback::from(move |e: SubmitEvent| {
            use create_delegated_admin::DelegatedRole as R;
            let all = [R::GLOBAL_ADMIN, R::PROVISIONING, R::SUPPORT];
            let roles =
                all.into_iter().zip(&role_refs).filter(|(_, r)| checked(r)).map(|(role, _)| role).collect();
            let service_ids = services
                .iter()
                .zip(&service_refs)
                .filter(|(_, r)| checked(r))
                .map(|(id, _)| id.clone())
                .collect();
            let input = create_delegated_admin::CreateDelegatedAdminRelationshipInput {
                customer_id: field_value(&customer),
                terms: create_delegated_admin::DelegatedAdminTermsInput {
                    display_name: field_value(&name),
                    roles,
                    service_ids,
                    duration: or_default(field_value(&duration), "P1Y"),
                    auto_extend: if checked(&auto_extend) { "P180D" } else { "P0D" }.to_owned(),
                },
            };
            submit::<CreateDelegatedAdmin>(
                &e,
                token.clone(),
                create_delegated_admin::Variables { input },
                outcome.clone(),
                reload.clone(),
                "Draft saved: request approval when it is ready.".into(),
            );
        })
    };
    let d = &props.data;
    html! {
        <form class="card" onsubmit={create} aria-label="Draft a delegated admin relationship">
            <h2>{ "Draft a delegated admin relationship" }</h2>
            <label for="draft-customer">{ "Customer" }</label>
            <select id="draft-customer" ref={customer}>
                { for d.customers.edges.iter().enumerate().map(|(i, e)| html! { <option value={e.node.id.clone()} selected={i == 0}>{ &e.node.name }</option> }) }
            </select>
            <label for="draft-name">{ "Name (unique among yours, up to 50 characters)" }</label>
            <input id="draft-name" required=true maxlength="50" ref={name} />
            <fieldset>
                <legend>{ "Roles" }</legend>
                { for roles.iter().zip(role_refs.iter()).map(|((_, label), r)| html! {
                    <label><input type="checkbox" ref={r.clone()} class="check" />{ format!(" {label}") }</label>
                }) }
            </fieldset>
            <fieldset>
                <legend>{ "Services" }</legend>
                { for d.catalog.services.iter().zip(service_refs.iter()).map(|(s, r)| html! {
                    <label><input type="checkbox" ref={r.clone()} class="check" />{ format!(" {}", s.name) }</label>
                }) }
            </fieldset>
            <label for="draft-duration">{ "Duration (ISO-8601, P1D to P2Y)" }</label>
            <input id="draft-duration" placeholder="P1Y" ref={duration} />
            <label><input type="checkbox" ref={auto_extend} class="check" />{ " Auto-extend by 180 days (not with global admin)" }</label>
            <button type="submit">{ "Save draft" }</button>
        </form>
    }
}
