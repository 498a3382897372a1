//! `/account`: the signed-in person's own account: change the password, and turn multi-factor
//! sign-in on (scan a QR code, confirm a code, keep the recovery codes) or off. A session of an
//! organization that requires multi-factor sign-in lands here and may do nothing else first.

use crate::components::{CopyButton, SignInForm, show};
use crate::form::field_value;
use crate::hooks::{use_mutation, use_node_refs, use_outcome, use_query, use_session};
use crate::queries::*;
use crate::t;
use yew::prelude::*;

#[function_component(AccountPage)]
pub fn account_page() -> Html {
    let session = use_session();
    let (state, reload) = use_query::<Account>(account::Variables {});
    let change = use_mutation::<ChangePassword>();
    let begin = use_mutation::<BeginMfaEnrolment>();
    let confirm = use_mutation::<ConfirmMfaEnrolment>();
    let disable = use_mutation::<DisableMfa>();
    let password_outcome = use_outcome();
    let mfa_outcome = use_outcome();
    let enrolment = use_state(|| None::<begin_mfa_enrolment::BeginMfaEnrolmentBeginMfaEnrolment>);
    let recovery = use_state(|| None::<Vec<String>>);
    let [current, new, code, disable_password] = use_node_refs::<4>();
    if session.is_none() {
        return html! { <SignInForm /> };
    }

    let on_change = {
        let (change, outcome, current, new) =
            (change.clone(), password_outcome.clone(), current.clone(), new.clone());
        Callback::from(move |e: SubmitEvent| {
            let input = change_password::ChangePasswordInput {
                current_password: field_value(&current),
                new_password: field_value(&new),
            };
            let outcome = outcome.clone();
            change.submit(&e, change_password::Variables { input }, move |r| {
                outcome.set(r.map(|_| t!("account-password-changed")))
            });
        })
    };
    let on_begin = {
        let (begin, enrolment, outcome) = (begin.clone(), enrolment.clone(), mfa_outcome.clone());
        Callback::from(move |_| {
            let (enrolment, outcome) = (enrolment.clone(), outcome.clone());
            begin.run(begin_mfa_enrolment::Variables {}, move |answer| match answer {
                Ok(d) => {
                    outcome.set_error(None);
                    enrolment.set(Some(d.begin_mfa_enrolment));
                }
                Err(e) => outcome.set_error(Some(e)),
            });
        })
    };
    let on_confirm = {
        let (confirm, enrolment, recovery, outcome, reload, code, session) = (
            confirm.clone(),
            enrolment.clone(),
            recovery.clone(),
            mfa_outcome.clone(),
            reload.clone(),
            code.clone(),
            session.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = confirm_mfa_enrolment::ConfirmMfaEnrolmentInput { code: field_value(&code) };
            let (enrolment, recovery, outcome, reload, session) =
                (enrolment.clone(), recovery.clone(), outcome.clone(), reload.clone(), session.clone());
            confirm.run(confirm_mfa_enrolment::Variables { input }, move |answer| match answer {
                Ok(d) => {
                    enrolment.set(None);
                    recovery.set(Some(d.confirm_mfa_enrolment.recovery_codes));
                    outcome.set(Ok(t!("account-mfa-turned-on")));
                    // An enrol-only session is a normal one from now on.
                    if let Some(mut s) = (*session).clone().filter(|s| s.enrol_only) {
                        s.enrol_only = false;
                        s.store();
                        session.set(Some(s));
                    }
                    reload.emit(());
                }
                Err(e) => outcome.set_error(Some(e)),
            });
        })
    };
    let on_disable = {
        let (disable, outcome, reload, password, recovery) = (
            disable.clone(),
            mfa_outcome.clone(),
            reload.clone(),
            disable_password.clone(),
            recovery.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            let input = disable_mfa::DisableMfaInput { password: Some(field_value(&password)), code: None };
            recovery.set(None);
            disable.submit(
                &e,
                disable_mfa::Variables { input },
                outcome.then_reload(t!("account-mfa-turned-off"), &reload),
            );
        })
    };

    let mfa = show(&*state, |d| {
        let v = &d.viewer;
        html! {
            <section class="card" aria-labelledby="mfa-title">
                <h2 id="mfa-title">{ t!("account-mfa-title") }</h2>
                if v.mfa_enrolment_required {
                    <p class="error" role="alert" id="mfa-needed">{ t!("account-mfa-needed") }</p>
                }
                if v.user.mfa_enabled {
                    <p id="mfa-state">{ t!("account-mfa-on", n = v.recovery_codes_left) }</p>
                    if v.organization_requires_mfa {
                        <p class="muted">{ t!("account-mfa-required") }</p>
                    } else {
                        <form onsubmit={on_disable.clone()} aria-label={t!("account-mfa-turn-off")}>
                            <label for="mfa-off-password">{ t!("account-mfa-off-password") }</label>
                            <input id="mfa-off-password" type="password" autocomplete="current-password" required=true ref={disable_password.clone()} />
                            <button type="submit" class="secondary">{ t!("account-mfa-turn-off") }</button>
                        </form>
                    }
                } else if let Some(en) = &*enrolment {
                    <p>{ t!("account-mfa-scan") }</p>
                    <img src={en.qr_code.clone()} alt={t!("account-mfa-qr")} width="200" height="200" />
                    <p>{ t!("account-mfa-key") }{ " " }<code id="mfa-secret" style="word-break: break-all">{ &en.secret }</code></p>
                    <form onsubmit={on_confirm.clone()} aria-label={t!("account-mfa-confirm")}>
                        <label for="mfa-code">{ t!("account-mfa-code") }</label>
                        <input id="mfa-code" inputmode="numeric" autocomplete="one-time-code" maxlength="10" required=true ref={code.clone()} />
                        <button type="submit" disabled={confirm.pending()}>{ t!("account-mfa-turn-on") }</button>
                    </form>
                } else {
                    <p id="mfa-state">{ t!("account-mfa-off") }</p>
                    <button onclick={on_begin.clone()} disabled={begin.pending()}>{ t!("account-mfa-set-up") }</button>
                }
            </section>
        }
    });

    html! {
        <section aria-labelledby="account-title">
            <h1 id="account-title">{ t!("account-title") }</h1>
            { show(&*state, |d| html! {
                <p>{ format!("{} · {}", d.viewer.user.display_name, d.viewer.user.email) }</p>
            }) }
            <div aria-live="polite">
                { mfa_outcome.view() }
                if let Some(codes) = &*recovery {
                    <div class="card" role="status">
                        <p><strong>{ t!("account-recovery-codes") }</strong></p>
                        <ul id="recovery-codes">{ for codes.iter().map(|c| html! { <li><code>{ c }</code></li> }) }</ul>
                        <CopyButton text={codes.join("\n")} label={t!("account-copy-recovery")} />
                    </div>
                }
            </div>
            { mfa }
            <form class="card narrow" onsubmit={on_change} aria-labelledby="password-title">
                <h2 id="password-title">{ t!("account-password-title") }</h2>
                <label for="current-password">{ t!("account-current-password") }</label>
                <input id="current-password" type="password" autocomplete="current-password" required=true maxlength="1024" ref={current} />
                <label for="new-password">{ t!("account-new-password") }</label>
                <input id="new-password" type="password" autocomplete="new-password" required=true minlength="12" maxlength="1024" ref={new} />
                <button type="submit" disabled={change.pending()}>{ t!("account-change-password") }</button>
                <div aria-live="polite">{ password_outcome.view() }</div>
            </form>
        </section>
    }
}
