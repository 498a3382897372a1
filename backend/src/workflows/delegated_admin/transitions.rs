//! Moving a delegated admin relationship between statuses (approve, consent, terminate, ...).

use super::{Terms, activate, append, parse_terms};
use crate::AppState;
use crate::db::{catalog, delegated_admin as db, subscriptions};
use crate::domain::delegated_admin::Transition;
use crate::domain::{access, delegated_admin as rules, *};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Everything after creation: one transition, decided by the domain's state machine.
pub async fn transition(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    t: Transition,
    replace_existing: bool,
    new_terms: Option<&Terms>,
    auto_extend: Option<&str>,
) -> AppResult<bool> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let kept = transition_in(&mut tx, viewer, id, t, replace_existing, new_terms, auto_extend, now).await?;
    tx.commit().await?;
    Ok(kept)
}

/// [`transition`] inside the caller's transaction (a bulk item commits it with its own status).
#[allow(clippy::too_many_arguments)]
pub async fn transition_in(
    tx: &mut PgConnection,
    viewer: &Viewer,
    id: Uuid,
    t: Transition,
    replace_existing: bool,
    new_terms: Option<&Terms>,
    auto_extend: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let r = db::for_update(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("delegated admin relationship"))?;
    // What the viewer may not see is NOT_FOUND, like a missing one.
    let is_draft = r.stored.status == DelegatedAdminStatus::Created;
    if !access::may_see_delegated_admin(viewer, r.stored.partner_id, r.stored.customer_id, is_draft) {
        return Err(AppError::not_found("delegated admin relationship"));
    }
    let next = rules::decide(viewer, &r.stored, t, now)?;
    let mut deleted = false;
    match t {
        Transition::Update => {
            let terms = new_terms.ok_or_else(|| AppError::bad_input("give the new terms"))?;
            let p = parse_terms(terms)?;
            catalog::ensure_services_exist(&mut *tx, &p.service_ids).await?;
            let draft = db::DraftTerms {
                display_name: &p.display_name,
                roles: &p.roles,
                service_ids: &p.service_ids,
                duration: &p.duration.text,
                duration_days: p.duration.days,
                auto_extend: p.auto_extend,
            };
            db::update_draft(tx, id, &draft).await?;
        }
        Transition::Delete => {
            append(tx, Some(viewer), now, t.audit_action(), &r, serde_json::json!({})).await?;
            db::delete(&mut *tx, id).await?;
            deleted = true;
        }
        Transition::Approve | Transition::Consent => {
            let replace = if t == Transition::Consent { r.replace_existing } else { replace_existing };
            activate(tx, Some(viewer), &r, replace, now).await?;
        }
        Transition::SetAutoExtend => {
            let value =
                rules::decide_auto_extend(viewer, &r.stored, &r.roles, auto_extend.unwrap_or("P0D"), now)?;
            db::set_auto_extend(&mut *tx, id, value).await?;
        }
        Transition::Terminate => {
            db::set_status(tx, id, next, now, Some(viewer.organization_id)).await?;
            // Only the stages this partner no longer holds a role for fall back.
            subscriptions::release_stages_without_role(
                &mut *tx,
                r.stored.customer_id,
                r.stored.partner_id,
                now,
            )
            .await?;
        }
        Transition::RequestApproval | Transition::Reject => {
            db::set_status(tx, id, next, now, Some(viewer.organization_id)).await?;
        }
    }
    if !deleted {
        append(
            tx,
            Some(viewer),
            now,
            t.audit_action(),
            &r,
            serde_json::json!({ "from": r.stored.status_at(now).as_str(), "to": next.as_str() }),
        )
        .await?;
    }
    Ok(!deleted)
}
