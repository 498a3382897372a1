//! `/users`: an organization's people, for its admin: create a user (a first password is
//! generated and shown once), change roles, deactivate or reactivate, and require multi-factor
//! sign-in for everyone.

use crate::components::{CopyButton, SignInForm, show};
use crate::form::{checked, field_value};
use crate::hooks::{use_mutation, use_node_refs, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::text::{date, name, words};
use yew::prelude::*;

/// The roles of an organization of this kind, with what each may do (the admin first).
pub fn roles_of(kind: &str) -> &'static [(&'static str, &'static str)] {
    match kind {
        "OPERATOR" => &[("OPERATOR_ADMIN", "runs the platform and manages the operator's people")],
        "PARTNER" => &[
            ("ADMIN_AGENT", "everything, including people and API tokens"),
            ("SALES_AGENT", "customers, orders and invitations"),
            ("HELPDESK_AGENT", "support requests and delegated admin work"),
        ],
        _ => &[
            ("GLOBAL_ADMIN", "everything, including people and partners' rights"),
            ("BILLING_ADMIN", "subscriptions and billing, read and buy"),
            ("USER", "the organization's basics only"),
        ],
    }
}

/// A role of the API's enum from its name (any operation's `Role` type).
fn role<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

#[function_component(UsersPage)]
pub fn users_page() -> Html {
    let session = use_session();
    let (state, reload) = use_query::<Users>(users::Variables {});
    let create = use_mutation::<CreateUser>();
    let set_roles = use_mutation::<SetUserRoles>();
    let deactivate = use_mutation::<DeactivateUser>();
    let reactivate = use_mutation::<ReactivateUser>();
    let require = use_mutation::<SetOrganizationMfaRequired>();
    let outcome = use_outcome();
    let created = use_state(|| None::<(String, String)>);
    let [email, display_name] = use_node_refs::<2>();
    let role_boxes = use_node_refs::<3>();
    let Some(s) = (*session).clone() else { return html! { <SignInForm /> } };
    let kind_roles = roles_of(&s.kind);

    let on_create = {
        let (create, outcome, reload, created) =
            (create.clone(), outcome.clone(), reload.clone(), created.clone());
        let (email, display_name, role_boxes) = (email.clone(), display_name.clone(), role_boxes.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let roles: Vec<create_user::Role> = kind_roles
                .iter()
                .zip(role_boxes.iter())
                .filter(|(_, b)| checked(b))
                .filter_map(|((code, _), _)| role(code))
                .collect();
            let input = create_user::CreateUserInput {
                email: field_value(&email),
                display_name: field_value(&display_name),
                password: None,
                roles,
            };
            let form: Option<web_sys::HtmlFormElement> = e.target_dyn_into();
            let (outcome, reload, created) = (outcome.clone(), reload.clone(), created.clone());
            create.run(create_user::Variables { input }, move |answer| match answer {
                Ok(d) => {
                    if let Some(f) = form {
                        f.reset();
                    }
                    let who = d.create_user.user.email;
                    created.set(d.create_user.generated_password.map(|p| (who.clone(), p)));
                    outcome.set(Ok(format!("Created {who}.")));
                    reload.emit(());
                }
                Err(e) => {
                    created.set(None);
                    outcome.set(Err(e));
                }
            });
        })
    };

    let body = show(&*state, |d| {
        let me = d.viewer.user.id.clone();
        let required = d.viewer.organization_requires_mfa;
        let toggle_required = {
            let (require, outcome, reload) = (require.clone(), outcome.clone(), reload.clone());
            Callback::from(move |_| {
                let input =
                    set_organization_mfa_required::SetOrganizationMfaRequiredInput { required: !required };
                let done = if required {
                    "Multi-factor sign-in is optional again."
                } else {
                    "Multi-factor sign-in is now required: people without it set it up at their next sign-in."
                };
                require.send(
                    set_organization_mfa_required::Variables { input },
                    outcome.then_reload(done, &reload),
                );
            })
        };
        html! {
            <>
            <section class="card" aria-labelledby="mfa-policy-title">
                <h2 id="mfa-policy-title">{ "Multi-factor sign-in" }</h2>
                <p id="mfa-policy">{ if required {
                    "Required for everyone in your organization: a person without it must set it up before doing anything else."
                } else {
                    "Optional: each person decides on their account page."
                } }</p>
                <button class="secondary" onclick={toggle_required}>
                    { if required { "Stop requiring multi-factor sign-in" } else { "Require multi-factor sign-in for everyone" } }
                </button>
            </section>
            <table>
                <caption class="sr-only">{ "People of your organization" }</caption>
                <thead><tr>
                    <th scope="col">{ "Name" }</th><th scope="col">{ "Email" }</th><th scope="col">{ "Roles" }</th>
                    <th scope="col">{ "Status" }</th><th scope="col">{ "Multi-factor" }</th><th scope="col">{ "Since" }</th><th scope="col">{ "Actions" }</th>
                </tr></thead>
                <tbody>{ for d.users.nodes.iter().map(|u| {
                    let itself = u.id == me;
                    let current: Vec<String> = u.roles.iter().map(name).collect();
                    let boxes: Vec<(String, NodeRef)> =
                        kind_roles.iter().map(|(code, _)| ((*code).to_owned(), NodeRef::default())).collect();
                    let save = {
                        let (set_roles, outcome, reload, id, who, boxes) =
                            (set_roles.clone(), outcome.clone(), reload.clone(), u.id.clone(), u.email.clone(), boxes.clone());
                        Callback::from(move |e: SubmitEvent| {
                            e.prevent_default();
                            let roles = boxes.iter().filter(|(_, b)| checked(b)).filter_map(|(c, _)| role(c)).collect();
                            let input = set_user_roles::SetUserRolesInput { user_id: id.clone(), roles };
                            set_roles.send(
                                set_user_roles::Variables { input },
                                outcome.then_reload(format!("Saved the roles of {who}."), &reload),
                            );
                        })
                    };
                    let toggle = {
                        let (deactivate, reactivate, outcome, reload, id, who, active) = (
                            deactivate.clone(), reactivate.clone(), outcome.clone(), reload.clone(),
                            u.id.clone(), u.email.clone(), u.active,
                        );
                        Callback::from(move |_| {
                            if active {
                                let input = deactivate_user::UserInput { user_id: id.clone() };
                                deactivate.send(
                                    deactivate_user::Variables { input },
                                    outcome.then_reload(format!("Deactivated {who}: their sessions and API tokens have ended."), &reload),
                                );
                            } else {
                                let input = reactivate_user::UserInput { user_id: id.clone() };
                                reactivate.send(
                                    reactivate_user::Variables { input },
                                    outcome.then_reload(format!("Reactivated {who}: they can sign in again."), &reload),
                                );
                            }
                        })
                    };
                    html! {
                        <tr key={u.id.clone()}>
                            <td>{ &u.display_name }{ if itself { " (you)" } else { "" } }</td>
                            <td>{ &u.email }</td>
                            <td>
                                <form class="roles" onsubmit={save} aria-label={format!("Roles of {}", u.email)}>
                                    { for boxes.iter().map(|(code, r)| html! {
                                        <label><input type="checkbox" class="check" ref={r.clone()} checked={current.contains(code)} />
                                            { format!(" {}", words(code)) }</label>
                                    }) }
                                    <button type="submit" class="secondary">{ "Save roles" }</button>
                                </form>
                            </td>
                            <td>{ if u.active { "active" } else { "deactivated" } }</td>
                            <td>{ if u.mfa_enabled { "on" } else { "off" } }</td>
                            <td>{ date(&u.created_at) }</td>
                            <td>
                                if itself {
                                    <span class="muted">{ "Another admin can deactivate you." }</span>
                                } else {
                                    <button class="secondary" onclick={toggle}>{ if u.active { "Deactivate" } else { "Reactivate" } }</button>
                                }
                            </td>
                        </tr>
                    }
                }) }</tbody>
            </table>
            </>
        }
    });

    html! {
        <section aria-labelledby="users-title">
            <h1 id="users-title">{ "People" }</h1>
            <p class="muted">{ "Who works in your organization, with which roles. Deactivating someone ends their sessions and API tokens at once." }</p>
            <form class="card narrow" onsubmit={on_create} aria-label="New user">
                <h2>{ "Add a person" }</h2>
                <label for="user-email">{ "Email" }</label>
                <input id="user-email" type="email" required=true maxlength="254" ref={email} />
                <label for="user-name">{ "Display name" }</label>
                <input id="user-name" required=true maxlength="200" ref={display_name} />
                <fieldset>
                    <legend>{ "Roles" }</legend>
                    { for kind_roles.iter().zip(role_boxes.iter()).map(|((code, what), r)| html! {
                        <label><input type="checkbox" class="check" ref={r.clone()} />{ format!(" {}: {what}", words(code)) }</label>
                    }) }
                </fieldset>
                <p class="muted">{ "A first password is generated and shown once; they change it on their account page." }</p>
                <button type="submit" disabled={create.pending()}>{ "Create user" }</button>
            </form>
            <div aria-live="polite">
                { outcome.view() }
                if let Some((who, password)) = &*created {
                    <div class="card" role="status">
                        <p><strong>{ format!("First password for {who}, shown only now: hand it over safely.") }</strong></p>
                        <p><code id="generated-password" style="word-break: break-all">{ password }</code></p>
                        <CopyButton text={password.clone()} label="Copy password" />
                    </div>
                }
            </div>
            { body }
        </section>
    }
}
