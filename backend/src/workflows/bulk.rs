//! Bulk operations: starting one (once per idempotency key), cancelling, retrying the failures,
//! and the worker. The worker claims one pending item per transaction with SKIP LOCKED and runs
//! the single mutation's own workflow inside it, so the change, its audit events and the item's
//! outcome commit together: a crash leaves the item pending for the next claim, on any instance.

use crate::AppState;
use crate::db::organizations::CustomerFilter;
use crate::db::{audit, bulk as db};
use crate::domain::access::Scope;
use crate::domain::bulk::{self as rules, BulkTerms, ItemOutcome};
use crate::domain::delegated_admin::Transition;
use crate::domain::*;
use crate::workflows::delegated_admin::{self as delegated_admin, Terms};
use crate::workflows::invitations::{self, NewInvitation};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{Acquire, PgConnection};
use std::time::Duration;
use uuid::Uuid;

/// Without a notification, the worker looks for pending items this often.
const POLL: Duration = Duration::from_secs(2);

/// Which customers: named, or all the book's search matches (resolved when it starts).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Selection {
    CustomerIds(Vec<Uuid>),
    Search(Option<String>),
}

pub struct Start {
    pub kind: BulkKind,
    pub selection: Selection,
    pub terms: BulkTerms,
    pub idempotency_key: String,
}

/// The digest of everything asked, in canonical form (only the terms the kind uses), so a reused
/// key with other input is refused and the same input in another shape is not.
fn input_hash(s: &Start) -> Vec<u8> {
    let canonical =
        serde_json::json!({ "kind": s.kind.as_str(), "selection": s.selection, "terms": s.terms });
    Sha256::digest(canonical.to_string().as_bytes()).to_vec()
}

fn same_or_conflict(existing: db::Operation, hash: &[u8]) -> AppResult<Uuid> {
    if existing.input_hash == hash {
        Ok(existing.id)
    } else {
        Err(AppError::refused(
            Code::Conflict,
            "this idempotency key was used for a different bulk operation; use a new key",
        ))
    }
}

/// Starts an operation, or answers the one this key already started with the same input.
pub async fn start(state: &AppState, viewer: &Viewer, mut s: Start) -> AppResult<Uuid> {
    rules::ensure_may_start(viewer, s.kind)?;
    rules::check_idempotency_key(&s.idempotency_key)?;
    s.terms = std::mem::take(&mut s.terms).canonical(s.kind);
    rules::validate_terms(s.kind, &s.terms)?;
    match &mut s.selection {
        Selection::CustomerIds(ids) => rules::check_customer_ids(ids)?,
        Selection::Search(Some(q)) => {
            crate::domain::inputs::check_text(q, "filter.search", 0, 200, false)?;
            // A blank search is every customer, as no search is.
            if q.trim().is_empty() {
                s.selection = Selection::Search(None);
            }
        }
        Selection::Search(None) => {}
    }
    let hash = input_hash(&s);
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    if let Some(existing) = db::by_key(&mut *tx, viewer.organization_id, &s.idempotency_key).await? {
        return same_or_conflict(existing, &hash);
    }
    check_terms_at_start(&mut tx, viewer, s.kind, &s.terms, now).await?;
    let scope = Scope::of(viewer);
    let customers = match &s.selection {
        Selection::CustomerIds(ids) => {
            let visible = db::visible_customers(&mut *tx, scope, ids, now).await?;
            if visible.len() != ids.len() {
                let missing: Vec<String> =
                    ids.iter().filter(|id| !visible.contains(id)).take(20).map(Uuid::to_string).collect();
                return Err(AppError::not_found(&format!("{} of the customers", ids.len() - visible.len()))
                    .with_details(serde_json::json!({ "customerIds": missing })));
            }
            ids.clone()
        }
        Selection::Search(search) => {
            let filter = CustomerFilter { search: search.clone() };
            let found =
                db::customers_matching(&mut *tx, scope, &filter, rules::MAX_ITEMS as i64 + 1, now).await?;
            let mut found = found;
            rules::check_customer_ids(&mut found)?;
            found
        }
    };
    let new = db::NewOperation {
        organization_id: viewer.organization_id,
        created_by: viewer.user_id,
        kind: s.kind,
        terms: &s.terms,
        idempotency_key: &s.idempotency_key,
        input_hash: &hash,
        created_at: now,
    };
    let Some(id) = db::insert(&mut *tx, &new).await? else {
        // Another start with this key committed meanwhile: answer with it.
        tx.rollback().await?;
        let existing = db::by_key(&state.pool, viewer.organization_id, &s.idempotency_key)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the bulk operation holding the key vanished"))?;
        return same_or_conflict(existing, &hash);
    };
    db::insert_items(&mut *tx, id, &customers).await?;
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new("bulk_operation.started", "BulkOperation", id)
            .partner(viewer.organization_id)
            .details(serde_json::json!({ "kind": s.kind.as_str(), "items": customers.len() })),
    )
    .await?;
    db::notify_started(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Everything the single mutation checks that does not depend on the customer, asked once
/// with the single mutation's own checks: bad terms are one refusal here, not a FAILED item
/// per customer.
async fn check_terms_at_start(
    tx: &mut PgConnection,
    viewer: &Viewer,
    kind: BulkKind,
    t: &BulkTerms,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match kind {
        BulkKind::DelegatedAdminRequest => {
            // The longest name an item can make (a cut name with its mark).
            let prefix = t.display_name.as_deref().unwrap_or("");
            let sample = rules::item_display_name(prefix, &"x".repeat(60), Uuid::nil(), true);
            delegated_admin::check_draft_in(tx, viewer, &delegated_terms(t, sample)?).await?;
        }
        BulkKind::Invitation => {
            invitations::check_terms_in(tx, viewer, &invitation_input(t, None)?, now).await?;
        }
        BulkKind::TerminateDelegatedAdmin | BulkKind::SetAutoExtend => {}
    }
    Ok(())
}

/// The single mutation's delegated admin terms from the bulk terms.
fn delegated_terms(t: &BulkTerms, display_name: String) -> AppResult<Terms> {
    Ok(Terms {
        display_name,
        roles: t.roles()?,
        service_ids: t.service_ids.clone(),
        duration: t.duration.clone().unwrap_or_default(),
        auto_extend: t.auto_extend.clone().unwrap_or_else(|| "P0D".into()),
    })
}

/// The single mutation's invitation from the bulk terms, for one customer.
fn invitation_input(t: &BulkTerms, customer: Option<Uuid>) -> AppResult<NewInvitation> {
    let asked = if t.roles.is_empty() { None } else { Some(delegated_terms(t, String::new())?) };
    Ok(NewInvitation {
        customer_id: customer,
        indirect_reseller_id: t.indirect_reseller_id,
        delegated_admin: asked,
        message: t.message.clone().unwrap_or_default(),
        expires_at: t.expires_at,
        // Settled at the start (the terms' or the request's language); operations started
        // before the terms had one write English.
        language: t
            .language
            .as_deref()
            .and_then(|l| l.parse().ok())
            .unwrap_or(crate::domain::InvitationLanguage::En),
    })
}

/// The operation, if the viewer's organization started it (else NOT_FOUND).
pub async fn visible(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<db::Operation> {
    db::by_id(&state.pool, id)
        .await?
        .filter(|o| rules::may_read(viewer, o.organization_id))
        .ok_or_else(|| AppError::not_found("bulk operation"))
}

/// Pending items become SKIPPED; items already done keep their outcome.
pub async fn cancel(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let check = |p: &rules::Progress, _: &db::Operation| rules::ensure_may_cancel(p);
    change(state, viewer, id, "bulk_operation.cancelled", check, |tx, now| Box::pin(db::cancel(tx, id, now)))
        .await
}

/// FAILED items go back to PENDING for one more attempt each.
pub async fn retry_failed(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let check = |p: &rules::Progress, o: &db::Operation| rules::ensure_may_retry(p, o.cancelled_at.is_some());
    change(state, viewer, id, "bulk_operation.retried", check, |tx, _| Box::pin(db::retry_failed(tx, id)))
        .await
}

type Changed<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = AppResult<u64>> + Send + 'a>>;

async fn change(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    action: &str,
    check: impl FnOnce(&rules::Progress, &db::Operation) -> AppResult<()>,
    f: impl for<'a> FnOnce(&'a mut PgConnection, DateTime<Utc>) -> Changed<'a>,
) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let op = db::for_update(&mut *tx, id).await?.ok_or_else(|| AppError::not_found("bulk operation"))?;
    rules::ensure_may_manage(viewer, op.organization_id, op.created_by)?;
    let progress = db::progress(&mut *tx, &[id]).await?.first().map(|(_, p)| *p).unwrap_or_default();
    check(&progress, &op)?;
    let n = f(&mut tx, now).await?;
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new(action, "BulkOperation", id)
            .partner(op.organization_id)
            .details(serde_json::json!({ "items": n })),
    )
    .await?;
    db::notify_started(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Works on pending items whenever told of new ones, and every [`POLL`] in case a notification
/// was missed (or another instance died holding items).
pub async fn run_forever(state: AppState) {
    // The listener's connection is its own, not one of the request pool's.
    let options =
        state.pool.connect_options().as_ref().clone().application_name("multichannel bulk listener");
    let listener_pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_lazy_with(options);
    let mut listener = None;
    loop {
        if listener.is_none() {
            match sqlx::postgres::PgListener::connect_with(&listener_pool).await {
                Ok(mut l) => match l.listen("bulk_operation").await {
                    Ok(()) => listener = Some(l),
                    Err(e) => tracing::warn!(error = %e, "bulk: cannot listen"),
                },
                Err(e) => tracing::warn!(error = %e, "bulk: cannot connect the listener"),
            }
        }
        if let Err(e) = drain(&state).await {
            tracing::warn!(error = %e.describe(), "bulk: run failed");
        }
        match listener.as_mut() {
            Some(l) => {
                tokio::select! {
                    r = l.recv() => if r.is_err() { listener = None; },
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
            None => tokio::time::sleep(POLL).await,
        }
    }
}

/// Works until no item is due; answers how many were finished or put off. One item's error
/// never stops the others: it is logged, and the item records it (or waits to try again).
pub async fn drain(state: &AppState) -> AppResult<usize> {
    let mut done = 0;
    loop {
        let batch =
            futures_util::future::join_all((0..rules::CONCURRENT_ITEMS).map(|_| process_one(state))).await;
        let mut claimed = 0;
        for r in batch {
            match r {
                Ok(true) => claimed += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e.describe(), "bulk: an item could not be worked on"),
            }
        }
        done += claimed;
        // Nothing claimed: nothing is due, or the database is away (the caller waits either way).
        if claimed == 0 {
            return Ok(done);
        }
    }
}

/// What an item did.
enum Applied {
    Done {
        result_type: &'static str,
        result_id: Uuid,
    },
    NothingToDo(String),
    /// Some of the customer's relationships changed (kept) and one was refused: the item fails
    /// with that refusal, and a retry finds the changed ones already done.
    PartlyRefused {
        code: Code,
        reason: String,
    },
}

/// Claims one due pending item and finishes it (or puts it off) in one transaction; false when
/// none was free. When that transaction cannot end (the connection lost mid-item), the outcome
/// is recorded in a new one, so the item never comes straight back.
pub async fn process_one(state: &AppState) -> AppResult<bool> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let Some(item) = db::claim_next(&mut *tx, now).await? else { return Ok(false) };
    let ended = match run_item(&mut tx, &item, now).await {
        Ok(status) => tx.commit().await.map(|()| status).map_err(AppError::from),
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
    };
    let status = match ended {
        Ok(status) => status,
        Err(e) => {
            tracing::warn!(error = %e.describe(), "bulk: an item's transaction failed; recording it apart");
            let mut conn = state.pool.acquire().await?;
            record(&mut conn, &item, rules::outcome_of(&e), None, now).await?
        }
    };
    metrics::counter!("multichannel_bulk_items_total", "kind" => item.kind.as_str(), "status" => status.as_str())
        .increment(1);
    Ok(true)
}

/// The item's work in a savepoint (a refusal, even a violated constraint, undoes it alone) and
/// its outcome, in the claim's transaction.
async fn run_item(
    tx: &mut PgConnection,
    item: &db::Claimed,
    now: DateTime<Utc>,
) -> AppResult<BulkItemStatus> {
    db::limit_lock_waits(&mut *tx, rules::ITEM_LOCK_TIMEOUT_MS).await?;
    // Cancelled while this item was held (or put back) by a worker: it is skipped, not run.
    if item.cancelled {
        let cancelled = ItemOutcome::Skipped { reason: "cancelled".into() };
        return record(tx, item, cancelled, None, now).await;
    }
    let viewer = db::creator_viewer(&mut *tx, item.created_by).await?;
    let mut work = tx.begin().await?;
    let applied = match &viewer {
        Some(v) => apply(&mut work, v, item, now).await,
        None => Err(AppError::refused(Code::Forbidden, "the user who started it can no longer act")),
    };
    let (outcome, result) = match applied {
        Ok(a) => {
            work.commit().await?;
            match a {
                Applied::Done { result_type, result_id } => {
                    (ItemOutcome::Succeeded, Some((result_type, result_id)))
                }
                Applied::NothingToDo(reason) => (ItemOutcome::Skipped { reason }, None),
                Applied::PartlyRefused { code, reason } => (ItemOutcome::Failed { code, reason }, None),
            }
        }
        Err(e) => {
            work.rollback().await?;
            if e.code() == Code::Internal {
                tracing::error!(error = %e.describe(), "bulk: an item failed");
            }
            (rules::outcome_of(&e), None)
        }
    };
    record(tx, item, outcome, result, now).await
}

/// Writes an item's outcome; a transient one puts it off (or, at the last try, fails it).
async fn record(
    db: &mut PgConnection,
    item: &db::Claimed,
    outcome: ItemOutcome,
    result: Option<(&'static str, Uuid)>,
    now: DateTime<Utc>,
) -> AppResult<BulkItemStatus> {
    let (status, code, reason, tries) = match outcome {
        ItemOutcome::Succeeded => (BulkItemStatus::Succeeded, None, None, item.tries),
        ItemOutcome::Skipped { reason } => (BulkItemStatus::Skipped, None, Some(reason), item.tries),
        ItemOutcome::Failed { code, reason } => {
            (BulkItemStatus::Failed, Some(code), Some(reason), item.tries)
        }
        ItemOutcome::TryAgain { code, reason } => {
            let tries = item.tries + 1;
            match rules::after_transient(tries, now) {
                Some(not_before) => {
                    db::put_off(&mut *db, item, tries, code.as_str(), &reason, not_before).await?;
                    return Ok(BulkItemStatus::Pending);
                }
                None => {
                    let reason = format!("{reason} (tried {tries} times)");
                    (BulkItemStatus::Failed, Some(code), Some(reason), tries)
                }
            }
        }
    };
    let finished = db::Finished {
        status,
        code: code.map(Code::as_str),
        reason: reason.as_deref(),
        result_type: result.map(|r| r.0),
        result_id: result.map(|r| r.1),
        tries,
    };
    db::finish_item(&mut *db, item, &finished, now).await?;
    Ok(status)
}

/// One customer's change: the single mutation's own workflow, in the item's transaction.
async fn apply(
    tx: &mut PgConnection,
    viewer: &Viewer,
    item: &db::Claimed,
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    let t: BulkTerms = serde_json::from_value(item.terms.clone()).map_err(anyhow::Error::from)?;
    let customer = item.customer_id;
    match item.kind {
        BulkKind::DelegatedAdminRequest => {
            let name = db::customer_name(&mut *tx, customer).await?.unwrap_or_default();
            let prefix = t.display_name.as_deref().unwrap_or("");
            let plain = rules::item_display_name(prefix, &name, customer, false);
            // Another customer with the same name got it first: this one's name carries its mark.
            let taken =
                db::display_name_held_by_other(&mut *tx, viewer.organization_id, &plain, customer).await?;
            let display_name =
                if taken { rules::item_display_name(prefix, &name, customer, true) } else { plain };
            let terms = delegated_terms(&t, display_name)?;
            let id = delegated_admin::create_draft_in(tx, viewer, customer, &terms, now).await?;
            delegated_admin::transition_in(
                tx,
                viewer,
                id,
                Transition::RequestApproval,
                false,
                None,
                None,
                now,
            )
            .await?;
            Ok(Applied::Done { result_type: "DelegatedAdminRelationship", result_id: id })
        }
        BulkKind::Invitation => {
            let id = invitations::create_in(tx, viewer, invitation_input(&t, Some(customer))?, now).await?;
            Ok(Applied::Done { result_type: "Invitation", result_id: id })
        }
        BulkKind::TerminateDelegatedAdmin | BulkKind::SetAutoExtend => {
            each_relationship(tx, viewer, item.kind, &t, customer, now).await
        }
    }
}

/// Terminate or set auto-extension on each of the customer's active relationships on its own:
/// each locked, a no-op passed over, each change in its own savepoint, so one relationship's
/// refusal neither undoes nor decides the others.
async fn each_relationship(
    tx: &mut PgConnection,
    viewer: &Viewer,
    kind: BulkKind,
    t: &BulkTerms,
    customer: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    let held = db::active_relationships_for_update(&mut *tx, viewer.organization_id, customer, now).await?;
    if held.is_empty() {
        return Ok(Applied::NothingToDo("no active delegated admin relationship with this customer".into()));
    }
    let (transition, value) = match kind {
        BulkKind::TerminateDelegatedAdmin => (Transition::Terminate, None),
        _ => (Transition::SetAutoExtend, t.auto_extend.as_deref()),
    };
    let mut changed = Vec::new();
    let mut refused: Option<(Code, String)> = None;
    let mut unchanged = Vec::new();
    for r in &held {
        if value.is_some_and(|v| v == r.auto_extend) {
            unchanged.push(format!("{}: auto-extension is already {}", r.display_name, r.auto_extend));
            continue;
        }
        let mut one = tx.begin().await?;
        match delegated_admin::transition_in(&mut one, viewer, r.id, transition, false, None, value, now)
            .await
        {
            Ok(_) => {
                one.commit().await?;
                changed.push(r.id);
            }
            Err(e) => {
                one.rollback().await?;
                match rules::outcome_of(&e) {
                    // Later, for the whole item (what changed is undone with it).
                    ItemOutcome::TryAgain { .. } => return Err(e),
                    ItemOutcome::Skipped { reason } => {
                        unchanged.push(format!("{}: {reason}", r.display_name))
                    }
                    ItemOutcome::Failed { code, reason } => {
                        refused.get_or_insert((code, format!("{}: {reason}", r.display_name)));
                    }
                    ItemOutcome::Succeeded => changed.push(r.id),
                }
            }
        }
    }
    match (refused, changed.first()) {
        (Some((code, reason)), _) => {
            let reason = if changed.is_empty() {
                reason
            } else {
                format!("{reason} ({} other relationship(s) of this customer changed)", changed.len())
            };
            Ok(Applied::PartlyRefused { code, reason })
        }
        (None, Some(first)) => {
            Ok(Applied::Done { result_type: "DelegatedAdminRelationship", result_id: *first })
        }
        (None, None) => Ok(Applied::NothingToDo(unchanged.join("; "))),
    }
}
