//! The bulk action bar under the book's picked customers: what to do (a delegated admin
//! request, an invitation, ending delegated admin, auto-extension on or off), its terms, a
//! confirmation in words, then the operation's own page (`/bulk/:id`) to watch it.

use crate::components::{ConfirmButton, DurationPicker};
use crate::form::{checked, field_value, or_default};
use crate::hooks::{Load, use_mutation, use_node_refs, use_query};
use crate::queries::*;
use crate::route::Route;
use crate::t;
use start_bulk_operation::{
    BulkCustomerFilter, BulkKind, BulkTermsInput, DelegatedRole, InvitationLanguage, StartBulkOperationInput,
};
use yew::prelude::*;
use yew_router::prelude::*;

/// Which customers: these ids, or all matching the book's search.
#[derive(Clone, PartialEq)]
pub enum Picked {
    Ids(Vec<String>),
    AllMatching { search: Option<String>, total: i64 },
}

impl Picked {
    fn count(&self) -> i64 {
        match self {
            Picked::Ids(ids) => ids.len() as i64,
            Picked::AllMatching { total, .. } => *total,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct BulkBarProps {
    pub picked: Picked,
}

const KINDS: [&str; 4] =
    ["DELEGATED_ADMIN_REQUEST", "INVITATION", "TERMINATE_DELEGATED_ADMIN", "SET_AUTO_EXTEND"];

fn kind_of(code: &str) -> BulkKind {
    match code {
        "INVITATION" => BulkKind::INVITATION,
        "TERMINATE_DELEGATED_ADMIN" => BulkKind::TERMINATE_DELEGATED_ADMIN,
        "SET_AUTO_EXTEND" => BulkKind::SET_AUTO_EXTEND,
        _ => BulkKind::DELEGATED_ADMIN_REQUEST,
    }
}

fn kind_words(code: &str) -> String {
    match code {
        "INVITATION" => t!("bulk-kind-invitation"),
        "TERMINATE_DELEGATED_ADMIN" => t!("bulk-kind-terminate"),
        "SET_AUTO_EXTEND" => t!("bulk-kind-auto-extend"),
        _ => t!("bulk-kind-request"),
    }
}

/// A fresh idempotency key for one start: a retried click of the same form sends the same key.
fn new_key() -> String {
    format!("web-{:x}-{:x}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e15) as u64)
}

#[function_component(BulkBar)]
pub fn bulk_bar(props: &BulkBarProps) -> Html {
    let kind = use_state(|| KINDS[0].to_owned());
    let key = use_state(new_key);
    let (options, _) = use_query::<BulkOptions>(bulk_options::Variables {});
    let start = use_mutation::<StartBulkOperation>();
    let navigator = use_navigator();
    let [name, service, duration, provisioning, support, message, auto_extend, language] = use_node_refs();
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            kind.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value())
        })
    };
    let go = {
        let (start, picked, kind, key) = (start.clone(), props.picked.clone(), kind.clone(), key.clone());
        let refs = (
            name.clone(),
            service.clone(),
            duration.clone(),
            provisioning.clone(),
            support.clone(),
            message.clone(),
            auto_extend.clone(),
            language.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (name, service, duration, provisioning, support, message, auto_extend, language) = &refs;
            let k = kind_of(&kind);
            let mut roles = Vec::new();
            if checked(provisioning) {
                roles.push(DelegatedRole::PROVISIONING);
            }
            if checked(support) {
                roles.push(DelegatedRole::SUPPORT);
            }
            let delegated = matches!(k, BulkKind::DELEGATED_ADMIN_REQUEST);
            let terms = BulkTermsInput {
                display_name: delegated.then(|| field_value(name)),
                service_ids: if delegated { vec![field_value(service)] } else { vec![] },
                duration: delegated.then(|| or_default(field_value(duration), "P90D")),
                roles: if delegated { roles } else { vec![] },
                auto_extend: matches!(k, BulkKind::SET_AUTO_EXTEND).then(|| field_value(auto_extend)),
                message: matches!(k, BulkKind::INVITATION).then(|| field_value(message)),
                indirect_reseller_id: None,
                expires_at: None,
                // The invitations' emails: the language picked, like the create form's.
                language: matches!(k, BulkKind::INVITATION).then(|| {
                    if field_value(language) == "ZH_CN" {
                        InvitationLanguage::ZH_CN
                    } else {
                        InvitationLanguage::EN
                    }
                }),
            };
            let (customer_ids, filter) = match &picked {
                Picked::Ids(ids) => (Some(ids.clone()), None),
                Picked::AllMatching { search, .. } => {
                    (None, Some(BulkCustomerFilter { search: search.clone() }))
                }
            };
            let input = StartBulkOperationInput {
                kind: k,
                customer_ids,
                filter,
                terms,
                idempotency_key: (*key).clone(),
            };
            let navigator = navigator.clone();
            let key = key.clone();
            start.run(start_bulk_operation::Variables { input }, move |answer| {
                if let Ok(data) = answer {
                    key.set(new_key());
                    if let Some(n) = navigator {
                        n.push(&Route::Bulk { id: data.start_bulk_operation.bulk_operation.id });
                    }
                }
            });
        })
    };
    let services = match &*options {
        Load::Ready(d) => d.catalog.services.iter().map(|s| (s.id.clone(), s.name.clone())).collect(),
        _ => Vec::new(),
    };
    let n = props.picked.count();
    html! {
        <div class="card bulk-bar" role="group" aria-label={t!("bulk-bar")}>
            <label for="bulk-kind">{ t!("bulk-kind") }</label>
            <select id="bulk-kind" onchange={on_kind}>
                { for KINDS.iter().map(|k| html! { <option value={*k} selected={*kind == *k}>{ kind_words(k) }</option> }) }
            </select>
            if *kind == "DELEGATED_ADMIN_REQUEST" {
                <label for="bulk-name">{ t!("bulk-name") }</label>
                <input id="bulk-name" required=true maxlength="30" ref={name} aria-describedby="bulk-name-help" />
                <p class="muted" id="bulk-name-help">{ t!("bulk-name-help") }</p>
                <fieldset>
                    <legend>{ t!("bulk-roles") }</legend>
                    <label><input type="checkbox" ref={provisioning} class="check" />{ " " }{ t!("bulk-role-provisioning") }</label>
                    <label><input type="checkbox" ref={support} class="check" checked=true />{ " " }{ t!("bulk-role-support") }</label>
                </fieldset>
                <label for="bulk-service">{ t!("bulk-service") }</label>
                <select id="bulk-service" ref={service}>
                    { for services.iter().enumerate().map(|(i, (id, name))| html! { <option value={id.clone()} selected={i == 0}>{ name }</option> }) }
                </select>
                <DurationPicker id="bulk-duration" label={t!("bulk-duration")} default="P90D" node_ref={duration} />
            }
            if *kind == "INVITATION" {
                <label for="bulk-message">{ t!("bulk-message") }</label>
                <textarea id="bulk-message" maxlength="2000" ref={message} />
                <label for="bulk-language">{ t!("inv-language") }</label>
                <select id="bulk-language" ref={language}>
                    <option value="EN" selected={crate::i18n::lang() == crate::i18n::Lang::En}>{ "English" }</option>
                    <option value="ZH_CN" selected={crate::i18n::lang() == crate::i18n::Lang::ZhCn}>{ "简体中文" }</option>
                </select>
            }
            if *kind == "SET_AUTO_EXTEND" {
                <label for="bulk-auto-extend">{ t!("bulk-auto-extend") }</label>
                <select id="bulk-auto-extend" ref={auto_extend}>
                    <option value="P180D" selected=true>{ t!("bulk-auto-extend-on") }</option>
                    <option value="P0D">{ t!("bulk-auto-extend-off") }</option>
                </select>
            }
            if let Some(e) = start.error() {
                <p class="error" role="alert">{ crate::pages::bulk::failure_words(Some(&e.code), Some(&e.words())) }</p>
            }
            <ConfirmButton label={t!("bulk-start")} title={t!("bulk-start-title", kind = kind_words(&kind), n = n)}
                consequence={t!("bulk-start-consequence")} confirm={t!("bulk-start-confirm")}
                onconfirm={go} disabled={start.pending()} />
        </div>
    }
}
