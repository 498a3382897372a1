//! An organization admin's webhook endpoints: create (the secret is answered once), update,
//! delete, rotate the secret, send a test, redeliver. Each is one transaction with its audit
//! event. Another organization's endpoint or delivery is NOT_FOUND. Sending is in
//! `webhook_delivery`.

use crate::AppState;
use crate::db::{audit, webhooks as db};
use crate::domain::feed::EventType;
use crate::domain::webhook::{self as rules, Host, WebhookUrl};
use crate::domain::{AppError, AppResult, Code, OrganizationKind, Viewer, WebhookDeliveryStatus};
use uuid::Uuid;

/// The event, filed under the organization so its audit log (and feed) shows it.
pub(crate) fn in_organization<'a>(
    kind: OrganizationKind,
    organization_id: Uuid,
    event: audit::Event<'a>,
) -> audit::Event<'a> {
    match kind {
        OrganizationKind::Customer => event.customer(organization_id),
        OrganizationKind::Partner => event.partner(organization_id),
        OrganizationKind::Operator => event,
    }
}

fn event_for<'a>(viewer: &Viewer, action: &'a str, endpoint_id: Uuid) -> audit::Event<'a> {
    in_organization(
        viewer.organization_kind,
        viewer.organization_id,
        audit::Event::new(action, "WebhookEndpoint", endpoint_id),
    )
}

fn not_found() -> AppError {
    AppError::not_found("webhook endpoint")
}

/// The URL, checked where it leads: an IP literal or every address its name resolves to must be
/// outside our own networks (unless private URLs are allowed, for tests and demos).
pub async fn check_url(value: &str, allow_private: bool) -> AppResult<WebhookUrl> {
    let url = WebhookUrl::parse(value, allow_private)?;
    if allow_private {
        return Ok(url);
    }
    if let Some(Host::Name(name)) = url.host() {
        let bad = |m: String| {
            AppError::bad_input(m)
                .with_details(serde_json::json!({ "field": "url", "reason": "UNRESOLVABLE" }))
        };
        let lookup = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            tokio::net::lookup_host((name.as_str(), url.port())),
        )
        .await
        .map_err(|_| bad(format!("looking up {name} took too long")))?
        .map_err(|_| bad(format!("{name} does not resolve to an address")))?;
        let addrs: Vec<_> = lookup.map(|a| a.ip()).collect();
        if addrs.is_empty() {
            return Err(bad(format!("{name} does not resolve to an address")));
        }
        if let Some(ip) = addrs.into_iter().find(|ip| rules::is_forbidden_ip(*ip)) {
            return Err(rules::forbidden_address(ip));
        }
    }
    Ok(url)
}

/// Event type codes, each once, in a stable order (empty: every type).
fn type_codes(types: &[EventType]) -> Vec<String> {
    let mut types = types.to_vec();
    types.sort();
    types.dedup();
    types.into_iter().map(|t| t.code().to_owned()).collect()
}

pub struct NewEndpoint {
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: Option<String>,
}

/// Creates an endpoint; answers its id and its secret (shown this once).
pub async fn create(state: &AppState, viewer: &Viewer, input: NewEndpoint) -> AppResult<(Uuid, String)> {
    rules::ensure_may_manage(viewer)?;
    let description = rules::parse_description(input.description.as_deref())?;
    let url = check_url(&input.url, state.webhook_allow_private_urls).await?;
    let types = type_codes(&input.event_types);
    let secret = rules::new_secret();
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    // In turn per organization, so the limit holds under concurrent creates.
    crate::db::users::lock_organization(&mut *tx, viewer.organization_id).await?;
    if db::count_in_organization(&mut *tx, viewer.organization_id).await? >= rules::MAX_ENDPOINTS {
        return Err(AppError::refused(
            Code::Conflict,
            format!(
                "an organization has at most {} webhook endpoints; delete one first",
                rules::MAX_ENDPOINTS
            ),
        ));
    }
    let id = db::insert_endpoint(
        &mut *tx,
        db::NewEndpoint {
            organization_id: viewer.organization_id,
            url: url.as_str(),
            description: description.as_deref(),
            event_types: &types,
            secret: &secret,
            now,
        },
    )
    .await?;
    let event = event_for(viewer, "webhook_endpoint.created", id).details(serde_json::json!({
        "host": rules::recorded_url(url.as_str()), "eventTypes": types, "description": description,
    }));
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok((id, secret))
}

pub struct EndpointChange {
    pub id: Uuid,
    pub url: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// Changes an endpoint's URL, types, description, or turns it off or on again.
pub async fn update(state: &AppState, viewer: &Viewer, input: EndpointChange) -> AppResult<Uuid> {
    rules::ensure_may_manage(viewer)?;
    let url = match &input.url {
        Some(u) => Some(check_url(u, state.webhook_allow_private_urls).await?),
        None => None,
    };
    let description = match &input.description {
        Some(d) => Some(rules::parse_description(Some(d))?),
        None => None,
    };
    let types = input.event_types.as_deref().map(type_codes);
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let e =
        db::endpoint_for_update(&mut *tx, viewer.organization_id, input.id).await?.ok_or_else(not_found)?;
    let enabled = input.enabled.unwrap_or(e.enabled);
    let (disabled_at, disabled_reason) = match (e.enabled, enabled) {
        (_, true) => (None, None),
        (true, false) => (Some(now), Some(rules::DISABLED_BY_ADMIN.to_owned())),
        (false, false) => (e.disabled_at, e.disabled_reason.clone()),
    };
    let new_url = url.as_ref().map(|u| u.as_str().to_owned()).unwrap_or(e.url.clone());
    let new_description = description.clone().unwrap_or(e.description.clone());
    let new_types = types.clone().unwrap_or(e.event_types.clone());
    db::update_endpoint(
        &mut *tx,
        e.id,
        db::EndpointChange {
            url: &new_url,
            description: new_description.as_deref(),
            event_types: &new_types,
            enabled,
            disabled_at,
            disabled_reason: disabled_reason.as_deref(),
        },
    )
    .await?;
    if e.enabled && !enabled {
        db::fail_pending(&mut *tx, e.id).await?;
    }
    let mut details = serde_json::Map::new();
    if url.is_some() {
        details.insert("host".into(), rules::recorded_url(&new_url).into());
    }
    if types.is_some() {
        details.insert("eventTypes".into(), new_types.into());
    }
    if description.is_some() {
        details.insert("description".into(), new_description.into());
    }
    if enabled != e.enabled {
        details.insert("enabled".into(), enabled.into());
    }
    let event = event_for(viewer, "webhook_endpoint.updated", e.id).details(details.into());
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok(e.id)
}

/// Deletes an endpoint with its deliveries.
pub async fn delete(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    rules::ensure_may_manage(viewer)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let e = db::endpoint_for_update(&mut *tx, viewer.organization_id, id).await?.ok_or_else(not_found)?;
    db::delete_endpoint(&mut *tx, id).await?;
    let event = event_for(viewer, "webhook_endpoint.deleted", id)
        .details(serde_json::json!({ "host": rules::recorded_url(&e.url) }));
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok(())
}

/// A new signing secret (answered once); the old one keeps signing for 24 hours.
pub async fn rotate_secret(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<String> {
    rules::ensure_may_manage(viewer)?;
    let now = state.clock.now();
    let secret = rules::new_secret();
    let mut tx = state.pool.begin().await?;
    let e = db::endpoint_for_update(&mut *tx, viewer.organization_id, id).await?.ok_or_else(not_found)?;
    rules::ensure_may_rotate(e.secret_rotated_at.map(|at| at + rules::ROTATION_OVERLAP), now)?;
    let until = now + rules::ROTATION_OVERLAP;
    db::rotate_secret(&mut *tx, id, &secret, until, now).await?;
    let event = event_for(viewer, "webhook_endpoint.secret_rotated", id)
        .details(serde_json::json!({ "previousSecretSignsUntil": until }));
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok(secret)
}

fn ensure_enabled(e: &db::Endpoint) -> AppResult<()> {
    if e.enabled {
        return Ok(());
    }
    Err(AppError::refused(Code::InvalidStateTransition, "the endpoint is disabled; enable it first")
        .with_details(serde_json::json!({ "state": "DISABLED" })))
}

/// Refuses a manual send beyond the endpoint's limit, or records it. The endpoint is locked,
/// so concurrent requests (on any instance) count one after the other.
async fn within_limit(
    tx: &mut sqlx::PgConnection,
    endpoint_id: Uuid,
    kind: rules::ManualSend,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let since = now - rules::MANUAL_SEND_WINDOW;
    let recent = db::recent_manual_sends(&mut *tx, endpoint_id, kind.code(), since, kind.limit()).await?;
    rules::ensure_may_send(kind, &recent, now)?;
    db::record_manual_send(&mut *tx, endpoint_id, kind.code(), now).await
}

/// Queues a `webhook.test` delivery to the endpoint now; answers the delivery's id.
pub async fn send_test(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<Uuid> {
    rules::ensure_may_manage(viewer)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let e = db::endpoint_for_update(&mut *tx, viewer.organization_id, id).await?.ok_or_else(not_found)?;
    ensure_enabled(&e)?;
    within_limit(&mut tx, id, rules::ManualSend::Test, now).await?;
    let message_id = format!("msg_test_{}", Uuid::new_v4().simple());
    let payload = serde_json::json!({
        "type": rules::TEST_EVENT_TYPE,
        "version": crate::domain::feed::PAYLOAD_VERSION,
        "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": { "endpointId": crate::feed::global_id("WebhookEndpoint", id) },
    });
    let delivery =
        db::insert_delivery(&mut *tx, id, None, &message_id, rules::TEST_EVENT_TYPE, &payload, now)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a fresh test message id was taken")))?;
    let event = event_for(viewer, "webhook_endpoint.test_sent", id)
        .details(serde_json::json!({ "messageId": message_id }));
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok(delivery)
}

/// Queues another attempt of a finished delivery (succeeded or failed) now; a pending one is
/// CONFLICT (it is sent at its next attempt anyway).
pub async fn redeliver(state: &AppState, viewer: &Viewer, delivery_id: Uuid) -> AppResult<Uuid> {
    rules::ensure_may_manage(viewer)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let d = db::delivery_by_id(&mut *tx, delivery_id)
        .await?
        .filter(|d| d.organization_id == viewer.organization_id)
        .ok_or_else(|| AppError::not_found("webhook delivery"))?;
    let e = db::endpoint_for_update(&mut *tx, viewer.organization_id, d.endpoint_id)
        .await?
        .ok_or_else(|| AppError::not_found("webhook delivery"))?;
    ensure_enabled(&e)?;
    if d.status == WebhookDeliveryStatus::Pending {
        return Err(AppError::refused(
            Code::Conflict,
            "the delivery is already waiting for its next attempt; it is sent then",
        )
        .with_details(serde_json::json!({ "state": "PENDING" })));
    }
    within_limit(&mut tx, e.id, rules::ManualSend::Redelivery, now).await?;
    db::redeliver(&mut *tx, delivery_id, now).await?;
    let event = event_for(viewer, "webhook_endpoint.redelivered", e.id)
        .details(serde_json::json!({ "messageId": d.message_id }));
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    tx.commit().await?;
    Ok(delivery_id)
}
