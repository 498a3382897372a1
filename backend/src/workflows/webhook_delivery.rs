//! The webhook worker: dispatch turns feed events into deliveries for the endpoints whose
//! organizations may receive them; deliver claims due deliveries, POSTs them signed, and records
//! each attempt, its retry, and the endpoint's disabling. Any number of instances run it: the
//! dispatch cursor is locked by one at a time, deliveries are claimed with SKIP LOCKED and a
//! lease, and no transaction stays open while a receiver answers (an open transaction would hold
//! back the feed's readers, which stop below the oldest running one).

use crate::AppState;
use crate::db::feed::{self as feed_db, Query};
use crate::db::{audit, webhooks as db};
use crate::domain::access::Scope;
use crate::domain::feed::{MAX_BATCH, may_receive};
use crate::domain::webhook::{self as rules, Host, Outcome, WebhookUrl};
use crate::domain::{AppError, AppResult, OrganizationKind, WebhookDeliveryStatus};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use rand::Rng;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use uuid::Uuid;

/// Without events, the worker looks for due retries this often.
const TICK: Duration = Duration::from_secs(1);
/// Dispatch batches one run reads at most, so delivering is never starved by a backlog.
const MAX_DISPATCH_BATCHES: usize = 20;

/// What an organization's endpoints may receive: what its admin may read in the feed.
fn scope_of(kind: OrganizationKind, organization_id: Uuid) -> Scope {
    match kind {
        OrganizationKind::Operator => Scope::Everything,
        OrganizationKind::Partner => Scope::Partner { partner_id: organization_id },
        OrganizationKind::Customer => Scope::Customer { customer_id: organization_id, subscriptions: true },
    }
}

/// Dispatches and delivers every second, and at once when this instance sees new events.
pub async fn run_forever(state: AppState) {
    let mut events = state.feed.wake_on_events();
    loop {
        let started = std::time::Instant::now();
        let run = run_once(&state).await;
        crate::telemetry::job_step("webhooks", "dispatch_and_deliver", started.elapsed(), run.is_err());
        match run {
            // A round that found work: more may be due (a claim takes at most a few per
            // endpoint); go on at once. Deliveries that failed wait for their retry time, so
            // this ends when nothing is due.
            Ok((dispatched, attempted)) if dispatched > 0 || attempted > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.describe(), "webhooks: run failed"),
        }
        tokio::select! {
            woke = events.recv() => {
                if matches!(woke, Err(RecvError::Closed)) {
                    // No more wake-ups (the hub is gone): the tick alone drives the worker.
                    tokio::time::sleep(TICK).await;
                }
                // One run for everything that arrived together.
                while !matches!(events.try_recv(), Err(TryRecvError::Empty | TryRecvError::Closed)) {}
            }
            _ = tokio::time::sleep(TICK) => {}
        }
    }
}

/// One dispatch and one delivery round: answers (deliveries created, attempts made).
pub async fn run_once(state: &AppState) -> AppResult<(usize, usize)> {
    let dispatched = dispatch(state).await?;
    let attempted = deliver(state).await?;
    Ok((dispatched, attempted))
}

/// Reads the feed after the dispatch cursor and queues a delivery per event and matching
/// endpoint, in short transactions; does nothing while another instance dispatches.
pub async fn dispatch(state: &AppState) -> AppResult<usize> {
    let mut total = 0;
    for _ in 0..MAX_DISPATCH_BATCHES {
        let mut tx = state.pool.begin().await?;
        let Some(cursor) = db::lock_dispatch_cursor(&mut *tx).await? else { return Ok(total) };
        let q = Query { after: Some(cursor), limit: MAX_BATCH, ..Default::default() };
        let events = feed_db::read(&mut *tx, None, &q).await?;
        let Some(last) = events.last().map(|e| e.cursor) else { return Ok(total) };
        let targets = db::enabled_targets(&mut *tx).await?;
        let mut new = db::NewDeliveries {
            endpoint_ids: vec![],
            audit_event_ids: vec![],
            message_ids: vec![],
            event_types: vec![],
            payloads: vec![],
        };
        for e in &events {
            let code = e.event_type.code();
            let mut payload = None;
            for t in &targets {
                // An endpoint is not told about itself (it was disabled when that happened).
                let about_itself = e.subject_type == "WebhookEndpoint" && e.subject_id == t.id;
                let wanted = !about_itself
                    && e.cursor.xid > t.created_xid
                    && (t.event_types.is_empty() || t.event_types.iter().any(|c| c == code))
                    && may_receive(&scope_of(t.kind, t.organization_id), &e.concerns);
                if !wanted {
                    continue;
                }
                let payload = payload.get_or_insert_with(|| crate::feed::payload(e));
                new.endpoint_ids.push(t.id);
                new.audit_event_ids.push(e.cursor.id);
                new.message_ids.push(format!("msg_{}_{}", e.cursor.id, t.id.simple()));
                new.event_types.push(code.to_owned());
                new.payloads.push(payload.clone());
            }
        }
        total += db::insert_deliveries(&mut *tx, &new, state.clock.now()).await? as usize;
        db::set_dispatch_cursor(&mut *tx, last).await?;
        tx.commit().await?;
        if (events.len() as i64) < MAX_BATCH {
            break;
        }
    }
    Ok(total)
}

/// Claims due deliveries, sends them a few at a time, and records each; answers how many
/// attempts were made.
pub async fn deliver(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let lease = now + rules::LEASE;
    let claimed =
        db::claim_due(&mut *tx, now, lease, rules::CLAIM_BATCH, rules::MAX_IN_FLIGHT_PER_ENDPOINT).await?;
    tx.commit().await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let client = client(state.webhook_allow_private_urls)?;
    let n = claimed.len();
    let results: Vec<AppResult<()>> = futures_util::stream::iter(claimed)
        .map(|c| {
            let client = client.clone();
            async move {
                let sent = send(state, &client, &c).await;
                record(state, &c, lease, sent).await
            }
        })
        .buffer_unordered(rules::CONCURRENT_SENDS)
        .collect()
        .await;
    for r in results {
        if let Err(e) = r {
            // The claim lapses and the delivery is tried again.
            tracing::error!(error = %e.describe(), "webhooks: recording an attempt failed");
        }
    }
    Ok(n)
}

/// What one POST came to.
#[derive(Debug)]
struct Sent {
    status: Option<u16>,
    retry_after: Option<chrono::Duration>,
    latency_ms: i32,
    error: Option<String>,
}

async fn send(state: &AppState, client: &reqwest::Client, c: &db::Claimed) -> Sent {
    let started = Instant::now();
    let failed = |error: String| Sent {
        status: None,
        retry_after: None,
        latency_ms: elapsed_ms(started),
        error: Some(truncate(error)),
    };
    let allow_private = state.webhook_allow_private_urls;
    // Checked again: the rules may have tightened since the URL was stored, and an IP literal
    // never meets the resolver.
    let url = match WebhookUrl::parse(&c.url, allow_private) {
        Ok(u) => u,
        Err(e) => return failed(format!("blocked: {}", refusal_words(&e))),
    };
    if let (false, Some(Host::Ip(ip))) = (allow_private, url.host())
        && rules::is_forbidden_ip(ip)
    {
        return failed(format!("blocked: {ip} is an internal address"));
    }
    let body = match serde_json::to_vec(&c.payload) {
        Ok(b) => b,
        Err(e) => return failed(format!("the payload cannot be serialized: {e}")),
    };
    // The receiver compares the timestamp with its own clock: it is the moment of sending.
    let timestamp = Utc::now().timestamp();
    let previous = c.previous_secret.as_deref().zip(c.previous_secret_until);
    let secrets = rules::signing_secrets(&c.secret, previous, state.clock.now());
    let signature = match rules::signature_header(&secrets, &c.message_id, timestamp, &body) {
        Ok(s) => s,
        Err(e) => return failed(e.describe()),
    };
    let response = client
        .post(url.as_str())
        .header("content-type", "application/json")
        .header("webhook-id", &c.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    match response {
        Ok(r) => {
            let status = r.status().as_u16();
            let retry_after = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| rules::parse_retry_after(v, Utc::now()));
            let ok = (200..300).contains(&status);
            Sent {
                status: Some(status),
                retry_after,
                latency_ms: elapsed_ms(started),
                error: (!ok).then(|| format!("answered HTTP {status}")),
            }
        }
        Err(e) if e.is_timeout() => failed(format!("no answer within {} s", rules::TIMEOUT.as_secs())),
        Err(e) => failed(error_chain(&e)),
    }
}

fn elapsed_ms(started: Instant) -> i32 {
    started.elapsed().as_millis().min(i32::MAX as u128) as i32
}

fn truncate(s: String) -> String {
    if s.chars().count() <= rules::MAX_ERROR { s } else { s.chars().take(rules::MAX_ERROR).collect() }
}

fn refusal_words(e: &AppError) -> String {
    match e {
        AppError::Refused(r) => r.message.clone(),
        AppError::Internal(_) => e.describe(),
    }
}

/// An error with its causes ("error sending request: … : connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut words = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        words.push_str(": ");
        words.push_str(&s.to_string());
        source = s.source();
    }
    words
}

/// Writes an attempt down with its consequences, in one transaction: the delivery succeeds,
/// waits for its retry, or fails; the endpoint stops failing, or starts, or is disabled (a 410,
/// or 5 days of continuous failures), which raises `webhook_endpoint.disabled`.
async fn record(state: &AppState, c: &db::Claimed, lease: DateTime<Utc>, sent: Sent) -> AppResult<()> {
    let now = state.clock.now();
    let outcome = rules::outcome(sent.status);
    let label = match outcome {
        Outcome::Delivered => "delivered",
        Outcome::Gone => "gone",
        Outcome::Failed => "failed",
    };
    metrics::counter!(crate::telemetry::WEBHOOK_DELIVERIES, "outcome" => label).increment(1);
    let attempt = db::AttemptRecord {
        at: now,
        response_status: sent.status.map(i32::from),
        latency_ms: sent.latency_ms,
        error: sent.error.as_deref(),
    };
    let attempts = u32::try_from(c.attempt_count).unwrap_or(0) + 1;
    let mut tx = state.pool.begin().await?;
    // Only while this worker's claim stands: a delivery redelivered, failed by disabling its
    // endpoint, or claimed again after the lease lapsed is no longer this attempt's to write.
    if !db::hold_claim(&mut *tx, c.id, lease).await? {
        return Ok(());
    }
    db::insert_attempt(&mut *tx, c.id, &attempt).await?;
    if outcome == Outcome::Delivered {
        db::finish_attempt(&mut *tx, c.id, WebhookDeliveryStatus::Succeeded, None, &attempt).await?;
        db::mark_succeeding(&mut *tx, c.endpoint_id).await?;
        tx.commit().await?;
        return Ok(());
    }
    // A failure continues the endpoint's failure period only if it has been failing all along
    // (its previous failure recent); otherwise a new period starts now.
    let failing_since = match db::failure_state(&mut *tx, c.endpoint_id).await? {
        Some((since, last_failed_at)) => {
            let since = rules::failure_period_start(since, last_failed_at, now);
            db::mark_failing(&mut *tx, c.endpoint_id, since, now).await?;
            Some(since)
        }
        None => None,
    };
    if let Some(reason) = rules::disables_after_failure(outcome, failing_since, now) {
        db::finish_attempt(&mut *tx, c.id, WebhookDeliveryStatus::Failed, None, &attempt).await?;
        if let Some((organization_id, kind)) = db::disable(&mut *tx, c.endpoint_id, now, &reason).await? {
            db::fail_pending(&mut *tx, c.endpoint_id).await?;
            let event = super::webhooks::in_organization(
                kind,
                organization_id,
                audit::Event::new("webhook_endpoint.disabled", "WebhookEndpoint", c.endpoint_id),
            )
            .details(serde_json::json!({ "reason": reason, "host": rules::recorded_url(&c.url) }));
            audit::append(&mut *tx, audit::Actor::SYSTEM, now, event).await?;
        }
        tx.commit().await?;
        return Ok(());
    }
    let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
    match rules::next_retry(attempts, sent.retry_after, jitter) {
        Some(delay) => {
            db::finish_attempt(&mut *tx, c.id, WebhookDeliveryStatus::Pending, Some(now + delay), &attempt)
                .await?
        }
        None => db::finish_attempt(&mut *tx, c.id, WebhookDeliveryStatus::Failed, None, &attempt).await?,
    }
    tx.commit().await?;
    Ok(())
}

/// Resolves names to the addresses webhooks may reach, dropping internal ones; a name with no
/// other address fails to resolve. (IP literals never come here: `send` checks them.)
struct PublicAddressesOnly;

impl reqwest::dns::Resolve for PublicAddressesOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> =
                all.into_iter().filter(|a| !rules::is_forbidden_ip(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("blocked: {host} resolves only to internal addresses").into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client: no redirects (a redirect could lead inside), no proxies from the
/// environment, the attempt's timeout, and (unless private URLs are allowed) the resolver
/// that refuses internal addresses. Built once per setting.
fn client(allow_private: bool) -> AppResult<reqwest::Client> {
    static STRICT: OnceLock<reqwest::Client> = OnceLock::new();
    static PRIVATE: OnceLock<reqwest::Client> = OnceLock::new();
    let cell = if allow_private { &PRIVATE } else { &STRICT };
    if let Some(c) = cell.get() {
        return Ok(c.clone());
    }
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(rules::TIMEOUT)
        .user_agent(concat!("Multichannel-Webhooks/", env!("CARGO_PKG_VERSION")));
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(PublicAddressesOnly));
    }
    let client = builder.build().map_err(|e| AppError::Internal(anyhow::anyhow!("webhook client: {e}")))?;
    Ok(cell.get_or_init(|| client).clone())
}
