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

/// The digest of everything asked, so a reused key with other input is refused.
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
    rules::validate_terms(s.kind, &s.terms)?;
    match &mut s.selection {
        Selection::CustomerIds(ids) => rules::check_customer_ids(ids)?,
        Selection::Search(Some(q)) => crate::domain::inputs::check_text(q, "filter.search", 0, 200, false)?,
        Selection::Search(None) => {}
    }
    let hash = input_hash(&s);
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    if let Some(existing) = db::by_key(&mut *tx, viewer.organization_id, &s.idempotency_key).await? {
        return same_or_conflict(existing, &hash);
    }
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

/// Works until no item is pending; answers how many were finished.
pub async fn drain(state: &AppState) -> AppResult<usize> {
    let mut done = 0;
    loop {
        let batch =
            futures_util::future::join_all((0..rules::CONCURRENT_ITEMS).map(|_| process_one(state))).await;
        let mut claimed = 0;
        for r in batch {
            if r? {
                claimed += 1;
            }
        }
        done += claimed;
        if claimed == 0 {
            return Ok(done);
        }
    }
}

/// What an item did.
enum Applied {
    Done { result_type: &'static str, result_id: Uuid },
    NothingToDo(&'static str),
}

/// Claims one pending item and finishes it in one transaction; false when none was free.
pub async fn process_one(state: &AppState) -> AppResult<bool> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let Some(item) = db::claim_next(&mut *tx).await? else { return Ok(false) };
    // Cancelled while this item was held (or put back) by a worker: it is skipped, not run.
    if item.cancelled {
        let skipped = db::Finished {
            status: BulkItemStatus::Skipped,
            code: None,
            reason: Some("cancelled"),
            result_type: None,
            result_id: None,
        };
        db::finish_item(&mut *tx, item.operation_id, item.seq, &skipped, now).await?;
        tx.commit().await?;
        return Ok(true);
    }
    let viewer = db::creator_viewer(&mut *tx, item.created_by).await?;
    // The work runs in a savepoint: a refusal (even a violated constraint) undoes it alone and
    // the item still records why, in the same transaction.
    let mut work = tx.begin().await?;
    let applied = match &viewer {
        Some(v) => apply(&mut work, v, &item, now).await,
        None => Err(AppError::refused(Code::Forbidden, "the user who started it can no longer act")),
    };
    let outcome = match applied {
        Ok(a) => {
            work.commit().await?;
            Ok(a)
        }
        Err(e) => {
            work.rollback().await?;
            Err(e)
        }
    };
    let (status, code, reason, result): (_, Option<Code>, Option<String>, _) = match outcome {
        Ok(Applied::Done { result_type, result_id }) => {
            (BulkItemStatus::Succeeded, None, None, Some((result_type, result_id)))
        }
        Ok(Applied::NothingToDo(why)) => (BulkItemStatus::Skipped, None, Some(why.to_owned()), None),
        Err(e) => match rules::outcome_of(&e) {
            ItemOutcome::TryAgain => return Err(e),
            ItemOutcome::Skipped { reason } => (BulkItemStatus::Skipped, None, Some(reason), None),
            ItemOutcome::Failed { code, reason } => {
                if code == Code::Internal {
                    tracing::error!(error = %e.describe(), "bulk: an item failed");
                }
                (BulkItemStatus::Failed, Some(code), Some(reason), None)
            }
            ItemOutcome::Succeeded => (BulkItemStatus::Succeeded, None, None, None),
        },
    };
    let finished = db::Finished {
        status,
        code: code.map(Code::as_str),
        reason: reason.as_deref(),
        result_type: result.map(|r| r.0),
        result_id: result.map(|r| r.1),
    };
    db::finish_item(&mut *tx, item.operation_id, item.seq, &finished, now).await?;
    tx.commit().await?;
    metrics::counter!("multichannel_bulk_items_total", "kind" => item.kind.as_str(), "status" => status.as_str())
        .increment(1);
    Ok(true)
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
    let delegated = |display_name: String| -> AppResult<Terms> {
        Ok(Terms {
            display_name,
            roles: t.roles()?,
            service_ids: t.service_ids.clone(),
            duration: t.duration.clone().unwrap_or_default(),
            auto_extend: t.auto_extend.clone().unwrap_or_else(|| "P0D".into()),
        })
    };
    match item.kind {
        BulkKind::DelegatedAdminRequest => {
            let name = db::customer_name(&mut *tx, customer).await?.unwrap_or_default();
            let terms = delegated(rules::item_display_name(t.display_name.as_deref().unwrap_or(""), &name))?;
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
            let asked = if t.roles.is_empty() { None } else { Some(delegated(String::new())?) };
            let input = NewInvitation {
                customer_id: Some(customer),
                indirect_reseller_id: t.indirect_reseller_id,
                delegated_admin: asked,
                message: t.message.clone().unwrap_or_default(),
                expires_at: t.expires_at,
                language: t
                    .language
                    .as_deref()
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(crate::domain::InvitationLanguage::En),
            };
            let id = invitations::create_in(tx, viewer, input, now).await?;
            Ok(Applied::Done { result_type: "Invitation", result_id: id })
        }
        BulkKind::TerminateDelegatedAdmin | BulkKind::SetAutoExtend => {
            let active = db::active_relationships(&mut *tx, viewer.organization_id, customer, now).await?;
            let Some(first) = active.first().copied() else {
                return Ok(Applied::NothingToDo("no active delegated admin relationship with this customer"));
            };
            let (transition, value) = match item.kind {
                BulkKind::TerminateDelegatedAdmin => (Transition::Terminate, None),
                _ => (Transition::SetAutoExtend, t.auto_extend.as_deref()),
            };
            for id in active {
                delegated_admin::transition_in(tx, viewer, id, transition, false, None, value, now).await?;
            }
            Ok(Applied::Done { result_type: "DelegatedAdminRelationship", result_id: first })
        }
    }
}
