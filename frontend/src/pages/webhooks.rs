//! `/settings/webhooks`: the organization's webhook endpoints, for its admin: create one (its
//! signing secret shown once), send a test, read the deliveries and their attempts, redeliver,
//! disable or enable, rotate the secret, delete.

use crate::components::{ConfirmButton, CopyButton, SignInForm, TextField, show};
use crate::form::field_value;
use crate::hooks::{Load, Outcome, use_mutation, use_outcome, use_query, use_session};
use crate::i18n::date_time;
use crate::live::use_refetch_on;
use crate::queries::*;
use crate::t;
use crate::text::{code_words, date, name};
use std::collections::BTreeSet;
use webhooks::WebhooksWebhookEndpointsNodes as Endpoint;
use webhooks::WebhooksWebhookEndpointsNodesDeliveriesNodes as Delivery;
use yew::prelude::*;

/// The API's limits on an endpoint's fields (`domain::webhook`).
const MAX_URL: usize = 2000;
const MAX_DESCRIPTION: usize = 500;

/// Every event type an endpoint may ask for, as the API names them.
const EVENT_TYPES: &[&str] = &[
    "INVITATION_CREATED",
    "INVITATION_ACCEPTED",
    "INVITATION_DECLINED",
    "INVITATION_EXPIRED",
    "INVITATION_REVOKED",
    "RESELLER_RELATIONSHIP_CREATED",
    "RESELLER_RELATIONSHIP_REMOVED",
    "PARTNERSHIP_ACCEPTED",
    "PARTNERSHIP_REMOVED",
    "DELEGATED_ADMIN_APPROVAL_REQUESTED",
    "DELEGATED_ADMIN_APPROVED",
    "DELEGATED_ADMIN_REJECTED",
    "DELEGATED_ADMIN_ACTIVATED",
    "DELEGATED_ADMIN_EXPIRING",
    "DELEGATED_ADMIN_EXTENDED",
    "DELEGATED_ADMIN_EXPIRED",
    "DELEGATED_ADMIN_TERMINATED",
    "SUBSCRIPTION_CREATED",
    "SUBSCRIPTION_UPDATED",
    "SUBSCRIPTION_SUSPENDED",
    "SUBSCRIPTION_REACTIVATED",
    "SUBSCRIPTION_CANCELLED",
    "SUBSCRIPTION_SERVICE_PARTNER_ASSIGNED",
    "SUPPORT_REQUEST_OPENED",
    "SUPPORT_REQUEST_COMMENTED",
    "SUPPORT_REQUEST_STATUS_CHANGED",
    "SUPPORT_REQUEST_ESCALATED",
    "WEBHOOK_ENDPOINT_DISABLED",
];

/// A secret shown once: for which endpoint, and whether it replaced another.
#[derive(Clone, PartialEq)]
struct Secret {
    url: String,
    secret: String,
    rotated: bool,
}

#[function_component(WebhooksPage)]
pub fn webhooks_page() -> Html {
    let session = use_session();
    let (state, reload) = use_query::<Webhooks>(webhooks::Variables {});
    use_refetch_on(&["webhook_endpoint"], &reload);
    let create_endpoint = use_mutation::<CreateWebhookEndpoint>();
    let outcome = use_outcome();
    let secret = use_state_eq(|| None::<Secret>);
    let types = use_state_eq(BTreeSet::<&'static str>::new);
    let (url, description) = (use_node_ref(), use_node_ref());
    // While a delivery waits for an attempt, its outcome is read again every few seconds.
    let waiting = match &*state {
        Load::Ready(d) => d
            .webhook_endpoints
            .nodes
            .iter()
            .any(|e| e.deliveries.nodes.iter().any(|x| name(&x.status) == "PENDING")),
        _ => false,
    };
    {
        let reload = reload.clone();
        use_effect_with(waiting, move |waiting| {
            let poll = waiting.then(|| gloo_timers::callback::Interval::new(3000, move || reload.emit(())));
            move || drop(poll)
        });
    }
    if session.is_none() {
        return html! { <SignInForm /> };
    }
    let create = {
        let (create_endpoint, outcome, reload, secret, types) =
            (create_endpoint.clone(), outcome.clone(), reload.clone(), secret.clone(), types.clone());
        let (url, description) = (url.clone(), description.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let address = field_value(&url).trim().to_owned();
            let text = field_value(&description);
            let input = create_webhook_endpoint::CreateWebhookEndpointInput {
                url: address.clone(),
                event_types: Some(
                    types
                        .iter()
                        .map(|t| create_webhook_endpoint::EventType::Other((*t).to_owned()))
                        .collect(),
                ),
                description: (!text.trim().is_empty()).then_some(text),
            };
            let (outcome, reload, secret, types) =
                (outcome.clone(), reload.clone(), secret.clone(), types.clone());
            let form: Option<web_sys::HtmlFormElement> = e.target_dyn_into();
            create_endpoint.run(create_webhook_endpoint::Variables { input }, move |answer| match answer {
                Ok(d) => {
                    if let Some(f) = form {
                        f.reset();
                    }
                    types.set(BTreeSet::new());
                    secret.set(Some(Secret {
                        url: address,
                        secret: d.create_webhook_endpoint.secret,
                        rotated: false,
                    }));
                    outcome.set(Ok(t!("hooks-added")));
                    reload.emit(());
                }
                Err(e) => outcome.set(Err(e)),
            });
        })
    };
    let tick = |t: &'static str| {
        let types = types.clone();
        Callback::from(move |_: Event| {
            let mut next = (*types).clone();
            if !next.remove(t) {
                next.insert(t);
            }
            types.set(next);
        })
    };
    let dismiss = {
        let secret = secret.clone();
        Callback::from(move |_| secret.set(None))
    };
    let body = show(&*state, |d| {
        if !d.viewer.manages_users {
            return html! { <p class="card">{ t!("hooks-admin-only") }</p> };
        }
        html! {
            <>
            <form class="card" onsubmit={create.clone()} aria-label={t!("hooks-new-label")}>
                <h2>{ t!("hooks-new") }</h2>
                <TextField id="hook-url" label={t!("hooks-url")} max={MAX_URL} required=true node_ref={url.clone()} />
                <TextField id="hook-description" label={t!("hooks-description")} max={MAX_DESCRIPTION} node_ref={description.clone()} />
                <fieldset class="event-types">
                    <legend>{ t!("hooks-events") }</legend>
                    { for EVENT_TYPES.iter().map(|t| html! {
                        <label><input type="checkbox" class="check" checked={types.contains(t)} onchange={tick(t)} />{ " " }{ code_words(t) }</label>
                    }) }
                </fieldset>
                <button type="submit">{ t!("hooks-add") }</button>
            </form>
            if d.webhook_endpoints.nodes.is_empty() { <p class="muted">{ t!("hooks-none") }</p> }
            { for d.webhook_endpoints.nodes.iter().map(|e| html! {
                <EndpointCard key={e.id.clone()} endpoint={e.clone()} reload={reload.clone()} outcome={outcome.clone()} secret={secret.clone()} />
            }) }
            </>
        }
    });
    html! {
        <section aria-labelledby="hooks-title">
            <h1 id="hooks-title">{ t!("hooks-title") }</h1>
            <p class="muted">{ t!("hooks-intro") }</p>
            { outcome.view() }
            if let Some(s) = &*secret {
                <div class="card secret" role="status">
                    <p><strong>{ if s.rotated { t!("hooks-new-secret-for") } else { t!("hooks-secret-for") } }{ " " }<span class="link">{ &s.url }</span>{ t!("hooks-colon") }</strong></p>
                    <p><code id="hook-secret" class="link">{ &s.secret }</code></p>
                    <p class="warning">{ t!("hooks-copy-now") }
                        if s.rotated { { " " }{ t!("hooks-old-secret") } }</p>
                    <div class="actions">
                        <CopyButton text={s.secret.clone()} label={t!("hooks-copy-secret")} />
                        <button class="secondary" onclick={dismiss}>{ t!("hooks-saved-it") }</button>
                    </div>
                </div>
            }
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct EndpointProps {
    endpoint: Endpoint,
    reload: Callback<()>,
    outcome: Outcome,
    secret: UseStateHandle<Option<Secret>>,
}

/// One endpoint: what it receives, its state, its actions and its latest deliveries.
#[function_component(EndpointCard)]
fn endpoint_card(props: &EndpointProps) -> Html {
    let update = use_mutation::<UpdateWebhookEndpoint>();
    let delete = use_mutation::<DeleteWebhookEndpoint>();
    let rotate = use_mutation::<RotateWebhookSecret>();
    let test = use_mutation::<SendTestWebhook>();
    let redeliver = use_mutation::<RedeliverWebhook>();
    let e = &props.endpoint;
    let (outcome, reload) = (props.outcome.clone(), props.reload.clone());
    let send_test = {
        let (id, outcome, reload) = (e.id.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            let done = outcome.then_reload(t!("hooks-test-queued"), &reload);
            test.send(send_test_webhook::Variables { id: id.clone() }, done);
        })
    };
    let set_enabled = |enabled: bool| {
        let (id, update, outcome, reload) = (e.id.clone(), update.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            let input = update_webhook_endpoint::UpdateWebhookEndpointInput {
                id: id.clone(),
                url: None,
                event_types: None,
                description: None,
                enabled: Some(enabled),
            };
            let done = outcome.then_reload(
                if enabled { t!("hooks-enabled-done") } else { t!("hooks-disabled-done") },
                &reload,
            );
            update.send(update_webhook_endpoint::Variables { input }, done);
        })
    };
    let remove = {
        let (id, outcome, reload) = (e.id.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            let done = outcome.then_reload(t!("hooks-deleted"), &reload);
            delete.send(delete_webhook_endpoint::Variables { id: id.clone() }, done);
        })
    };
    let rotate_secret = {
        let (id, url, outcome, reload, secret) =
            (e.id.clone(), e.url.clone(), outcome.clone(), reload.clone(), props.secret.clone());
        Callback::from(move |_| {
            let (url, outcome, reload, secret) =
                (url.clone(), outcome.clone(), reload.clone(), secret.clone());
            rotate.run(rotate_webhook_secret::Variables { id: id.clone() }, move |answer| match answer {
                Ok(d) => {
                    secret.set(Some(Secret { url, secret: d.rotate_webhook_secret.secret, rotated: true }));
                    outcome.set(Ok(t!("hooks-rotated")));
                    reload.emit(());
                }
                Err(e) => outcome.set(Err(e)),
            });
        })
    };
    let again = |delivery: String| {
        let (redeliver, outcome, reload) = (redeliver.clone(), outcome.clone(), reload.clone());
        Callback::from(move |_| {
            let done = outcome.then_reload(t!("hooks-redelivered"), &reload);
            redeliver.send(redeliver_webhook::Variables { delivery_id: delivery.clone() }, done);
        })
    };
    let types = if e.event_types.is_empty() {
        t!("hooks-every-event")
    } else {
        e.event_types
            .iter()
            .map(|t| code_words(&name(t)))
            .collect::<Vec<_>>()
            .join(&t!("hooks-list-separator"))
    };
    let heading = format!("hook-{}", e.id);
    html! {
        <article class="card endpoint" aria-labelledby={heading.clone()}>
            <h2 id={heading}><code class="link">{ &e.url }</code></h2>
            if let Some(d) = &e.description { <p>{ d }</p> }
            <dl class="facts">
                <dt>{ t!("hooks-sends") }</dt><dd>{ types }</dd>
                <dt>{ t!("hooks-state") }</dt>
                <dd>if e.enabled { { t!("hooks-state-enabled") } } else {
                    <strong class="warning">{ t!("hooks-state-disabled") }</strong>
                    { e.disabled_reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default() }
                    { e.disabled_at.as_deref().map(|at| format!(" ({})", date(at))).unwrap_or_default() }
                }</dd>
                <dt>{ t!("hooks-added-on") }</dt><dd>{ date(&e.created_at) }</dd>
                if let Some(r) = &e.secret_rotated_at { <dt>{ t!("hooks-secret-rotated") }</dt><dd>{ date(r) }</dd> }
            </dl>
            <div class="actions">
                <button class="secondary" onclick={send_test} disabled={!e.enabled}>{ t!("hooks-send-test") }</button>
                if e.enabled {
                    <ConfirmButton class={classes!("secondary")} label={t!("hooks-disable")} title={t!("hooks-disable-title")}
                        consequence={t!("hooks-disable-consequence")}
                        confirm={t!("hooks-disable-confirm")} onconfirm={set_enabled(false)} />
                } else {
                    <button class="secondary" onclick={set_enabled(true)}>{ t!("hooks-enable") }</button>
                }
                <ConfirmButton class={classes!("secondary")} label={t!("hooks-rotate")} title={t!("hooks-rotate-title")}
                    consequence={t!("hooks-rotate-consequence")}
                    confirm={t!("hooks-rotate-confirm")} onconfirm={rotate_secret} />
                <ConfirmButton class={classes!("secondary")} label={t!("hooks-delete")} title={t!("hooks-delete-title")}
                    consequence={t!("hooks-delete-consequence")}
                    confirm={t!("hooks-delete-confirm")} onconfirm={remove} />
            </div>
            <h3>{ t!("hooks-deliveries") }</h3>
            if e.deliveries.nodes.is_empty() { <p class="muted">{ t!("hooks-nothing-sent") }</p> } else {
                <table>
                    <thead><tr><th scope="col">{ t!("hooks-created") }</th><th scope="col">{ t!("hooks-event") }</th><th scope="col">{ t!("hooks-status") }</th><th scope="col">{ t!("hooks-last-answer") }</th><th scope="col">{ t!("hooks-next-retry") }</th><th scope="col">{ t!("hooks-attempts") }</th><th scope="col"><span class="sr-only">{ t!("hooks-actions") }</span></th></tr></thead>
                    <tbody>{ for e.deliveries.nodes.iter().map(|x| delivery(x, again(x.id.clone()))) }</tbody>
                </table>
            }
        </article>
    }
}

/// A delivery's row: its state, its last answer and each attempt.
fn delivery(x: &Delivery, again: Callback<MouseEvent>) -> Html {
    let when = date_time;
    let answer = match (x.last_response_status, x.last_latency_ms) {
        (Some(s), Some(ms)) => t!("hooks-answer-in", status = s.to_string(), ms = ms.to_string()),
        (Some(s), None) => format!("HTTP {s}"),
        (None, _) if x.attempt_count > 0 => t!("hooks-no-answer"),
        _ => "—".to_owned(),
    };
    html! {
        <tr key={x.id.clone()}>
            <td data-label={t!("hooks-created")}>{ when(&x.created_at) }</td>
            <td data-label={t!("hooks-event")}><code>{ &x.event_type }</code></td>
            <td data-label={t!("hooks-status")}>{ code_words(&name(&x.status)) }</td>
            <td data-label={t!("hooks-last-answer")}>{ answer }</td>
            <td data-label={t!("hooks-next-retry")}>{ x.next_attempt_at.as_deref().map(when).unwrap_or_else(|| "—".to_owned()) }</td>
            <td data-label={t!("hooks-attempts")}>
                <details>
                    <summary>{ x.attempt_count }</summary>
                    <ul>{ for x.attempts.iter().map(|a| html! {
                        <li>{ format!("{}: {}{}", when(&a.attempted_at),
                            t!("hooks-attempt", answer = a.response_status.map(|s| format!("HTTP {s}")).unwrap_or_else(|| t!("hooks-no-answer")), ms = a.latency_ms),
                            a.error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()) }</li>
                    }) }</ul>
                </details>
            </td>
            <td data-label={t!("hooks-actions")}><button class="secondary" onclick={again} aria-label={t!("hooks-redeliver-label", id = x.message_id.clone())}>{ t!("hooks-redeliver") }</button></td>
        </tr>
    }
}
