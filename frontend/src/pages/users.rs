//! `/users`: an organization's people, for its admin: create a user (a first password is
//! generated and shown once), change roles, deactivate or reactivate, and require multi-factor
//! sign-in for everyone.

use crate::components::{CopyButton, SignInForm, show};
use crate::form::{checked, field_value};
use crate::hooks::{use_mutation, use_node_refs, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::t;
use crate::text::{date, name, words};
use yew::prelude::*;

/// The roles of an organization of this kind, with the catalog key of what each may do (the
/// admin first).
pub fn roles_of(kind: &str) -> &'static [(&'static str, &'static str)] {
    match kind {
        "OPERATOR" => &[("OPERATOR_ADMIN", "users-role-OPERATOR_ADMIN")],
        "PARTNER" => &[
            ("ADMIN_AGENT", "users-role-ADMIN_AGENT"),
            ("SALES_AGENT", "users-role-SALES_AGENT"),
            ("HELPDESK_AGENT", "users-role-HELPDESK_AGENT"),
        ],
        _ => &[
            ("GLOBAL_ADMIN", "users-role-GLOBAL_ADMIN"),
            ("BILLING_ADMIN", "users-role-BILLING_ADMIN"),
            ("USER", "users-role-USER"),
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
                    outcome.set(Ok(t!("users-created", who = who.clone())));
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
                let done =
                    if required { t!("users-mfa-optional-again") } else { t!("users-mfa-now-required") };
                require.send(
                    set_organization_mfa_required::Variables { input },
                    outcome.then_reload(done, &reload),
                );
            })
        };
        html! {
            <>
            <section class="card" aria-labelledby="mfa-policy-title">
                <h2 id="mfa-policy-title">{ t!("users-mfa-title") }</h2>
                <p id="mfa-policy">{ if required { t!("users-mfa-required") } else { t!("users-mfa-optional") } }</p>
                <button class="secondary" onclick={toggle_required}>
                    { if required { t!("users-mfa-stop-requiring") } else { t!("users-mfa-require") } }
                </button>
            </section>
            <table>
                <caption class="sr-only">{ t!("users-caption") }</caption>
                <thead><tr>
                    <th scope="col">{ t!("users-name") }</th><th scope="col">{ t!("users-email") }</th><th scope="col">{ t!("users-roles") }</th>
                    <th scope="col">{ t!("users-status") }</th><th scope="col">{ t!("users-mfa") }</th><th scope="col">{ t!("users-since") }</th><th scope="col">{ t!("users-actions") }</th>
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
                                outcome.then_reload(t!("users-roles-saved", who = who.clone()), &reload),
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
                                    outcome.then_reload(t!("users-deactivated", who = who.clone()), &reload),
                                );
                            } else {
                                let input = reactivate_user::UserInput { user_id: id.clone() };
                                reactivate.send(
                                    reactivate_user::Variables { input },
                                    outcome.then_reload(t!("users-reactivated", who = who.clone()), &reload),
                                );
                            }
                        })
                    };
                    html! {
                        <tr key={u.id.clone()}>
                            <td data-label={t!("users-name")}>{ &u.display_name }{ if itself { format!(" {}", t!("users-you")) } else { String::new() } }</td>
                            <td data-label={t!("users-email")}>{ &u.email }</td>
                            <td data-label={t!("users-roles")}>
                                <form class="roles" onsubmit={save} aria-label={t!("users-roles-of", who = u.email.clone())}>
                                    { for boxes.iter().map(|(code, r)| html! {
                                        <label><input type="checkbox" class="check" ref={r.clone()} checked={current.contains(code)} />
                                            { format!(" {}", words(code)) }</label>
                                    }) }
                                    <button type="submit" class="secondary">{ t!("users-save-roles") }</button>
                                </form>
                            </td>
                            <td data-label={t!("users-status")}>{ if u.active { t!("users-active") } else { t!("users-deactivated-state") } }</td>
                            <td data-label={t!("users-mfa")}>{ if u.mfa_enabled { t!("users-mfa-on") } else { t!("users-mfa-off") } }</td>
                            <td data-label={t!("users-since")}>{ date(&u.created_at) }</td>
                            <td data-label={t!("users-actions")}>
                                if itself {
                                    <span class="muted">{ t!("users-another-admin") }</span>
                                } else {
                                    <button class="secondary" onclick={toggle}>{ if u.active { t!("users-deactivate") } else { t!("users-reactivate") } }</button>
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
            <h1 id="users-title">{ t!("users-title") }</h1>
            <p class="muted">{ t!("users-intro") }</p>
            <form class="card narrow" onsubmit={on_create} aria-label={t!("users-new")}>
                <h2>{ t!("users-add") }</h2>
                <label for="user-email">{ t!("users-email") }</label>
                <input id="user-email" type="email" required=true maxlength="254" ref={email} />
                <label for="user-name">{ t!("users-display-name") }</label>
                <input id="user-name" required=true maxlength="200" ref={display_name} />
                <fieldset>
                    <legend>{ t!("users-roles") }</legend>
                    { for kind_roles.iter().zip(role_boxes.iter()).map(|((code, what), r)| html! {
                        <label><input type="checkbox" class="check" ref={r.clone()} />{ format!(" {}: {}", words(code), t!(what)) }</label>
                    }) }
                </fieldset>
                <p class="muted">{ t!("users-first-password-note") }</p>
                <button type="submit" disabled={create.pending()}>{ t!("users-create") }</button>
            </form>
            <div aria-live="polite">
                { outcome.view() }
                if let Some((who, password)) = &*created {
                    <div class="card" role="status">
                        <p><strong>{ t!("users-first-password", who = who.clone()) }</strong></p>
                        <p><code id="generated-password" style="word-break: break-all">{ password }</code></p>
                        <CopyButton text={password.clone()} label={t!("users-copy-password")} />
                    </div>
                }
            </div>
            { body }
        </section>
    }
}
