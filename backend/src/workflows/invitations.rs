//! Invitations: a partner asks a customer for a reseller relationship (and maybe delegated
//! admin rights); the customer's global admin accepts, in one transaction, with one winner.

use super::delegated_admin::{ParsedTerms, Terms, activate, parse_terms};
use crate::AppState;
use crate::db::{audit, catalog, delegated_admin, invitations as db, organizations, relationships};
use crate::domain::credentials::{LINK_CODE_ATTEMPTS, new_link_code};
use crate::domain::invitation::{
    Answer, accepting_customer, ensure_may_answer, ensure_may_change, ensure_may_invite, ensure_pending,
    expiry, relationship_kind,
};
use crate::domain::*;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub struct NewInvitation {
    pub customer_id: Option<Uuid>,
    pub indirect_reseller_id: Option<Uuid>,
    /// Roles, services, duration and auto-extension asked for; the display name is made on acceptance.
    pub delegated_admin: Option<Terms>,
    pub message: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// The language of its ready-made email.
    pub language: InvitationLanguage,
}

fn check_message(message: &str) -> AppResult<()> {
    crate::domain::inputs::check_text(message, "message", 0, crate::domain::inputs::limits::MESSAGE, true)
}

pub async fn create(state: &AppState, viewer: &Viewer, input: NewInvitation) -> AppResult<Uuid> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let id = create_in(&mut tx, viewer, input, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Everything about an invitation that does not depend on the customer: whether the viewer's
/// program may invite (through this reseller, in an active partnership), the expiry, the
/// message, the delegated admin terms and their services. Answers the expiry and the terms. A
/// bulk invitation asks this once when it starts.
pub async fn check_terms_in(
    tx: &mut sqlx::PgConnection,
    viewer: &Viewer,
    input: &NewInvitation,
    now: DateTime<Utc>,
) -> AppResult<(DateTime<Utc>, Option<ParsedTerms>)> {
    let partnered = match (viewer.partner_id(), input.indirect_reseller_id) {
        (Some(p), Some(r)) => organizations::is_active_partnership(&mut *tx, p, r).await?,
        _ => false,
    };
    ensure_may_invite(viewer, input.indirect_reseller_id, partnered)?;
    let expires_at = expiry(now, input.expires_at)?;
    check_message(&input.message)?;
    let asked: Option<ParsedTerms> = input
        .delegated_admin
        .as_ref()
        .map(|t| parse_terms(&Terms { display_name: "invitation".into(), ..t.clone() }))
        .transpose()?;
    if let Some(a) = &asked {
        catalog::ensure_services_exist(&mut *tx, &a.service_ids).await?;
    }
    Ok((expires_at, asked))
}

/// [`create`] inside the caller's transaction (a bulk item commits it with its own status).
pub async fn create_in(
    tx: &mut sqlx::PgConnection,
    viewer: &Viewer,
    input: NewInvitation,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let (expires_at, asked) = check_terms_in(tx, viewer, &input, now).await?;
    // The named customer must exist; what the partner may read of it is decided where it is
    // read (`Invitation.customer` shows it only to those who may see the customer).
    if let Some(c) = input.customer_id {
        let found = organizations::by_ids(&mut *tx, &[c]).await?;
        if !found.iter().any(|o| o.kind == OrganizationKind::Customer) {
            return Err(AppError::not_found("customer"));
        }
    }
    let mut inserted = None;
    // A fresh code on a collision with an existing one (128 random bits: in practice never).
    for _ in 0..LINK_CODE_ATTEMPTS {
        let code = new_link_code();
        inserted = db::insert(
            &mut *tx,
            &db::NewInvitation {
                code: &code,
                partner_id: viewer.organization_id,
                created_by: viewer.user_id,
                audience: if input.customer_id.is_some() { "CUSTOMER" } else { "ANY_CUSTOMER" },
                customer_id: input.customer_id,
                indirect_reseller_id: input.indirect_reseller_id,
                message: &input.message,
                delegated_roles: asked.as_ref().map(|a| a.roles.as_slice()).unwrap_or(&[]),
                delegated_service_ids: asked.as_ref().map(|a| a.service_ids.as_slice()).unwrap_or(&[]),
                delegated_duration: asked.as_ref().map(|a| a.duration.text.as_str()),
                delegated_auto_extend: asked.as_ref().map(|a| a.auto_extend),
                created_at: now,
                expires_at,
                language: input.language,
            },
        )
        .await?;
        if inserted.is_some() {
            break;
        }
    }
    let id =
        inserted.ok_or_else(|| anyhow::anyhow!("no free invitation code in {LINK_CODE_ATTEMPTS} draws"))?;
    let mut event = audit::Event::new("invitation.created", "Invitation", id).partner(viewer.organization_id);
    if let Some(c) = input.customer_id {
        event = event.customer(c);
    }
    if let Some(r) = input.indirect_reseller_id {
        event = event.also_partner(r);
    }
    audit::append(&mut *tx, viewer.into(), now, event).await?;
    Ok(id)
}

/// An invitation as a customer's global admin may see it by its code; anyone else learns nothing.
pub async fn by_code_for_customer(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> AppResult<db::Invitation> {
    let customer = viewer
        .customer_id()
        .filter(|_| viewer.has_role(Role::GlobalAdmin))
        .ok_or_else(|| AppError::not_found("invitation"))?;
    let inv = db::by_code(&state.pool, code).await?.ok_or_else(|| AppError::not_found("invitation"))?;
    if inv.customer_id.is_some_and(|c| c != customer) {
        return Err(AppError::not_found("invitation"));
    }
    Ok(inv)
}

/// The invitation behind a code, locked, with the customer answering it, if the domain's rule
/// lets the viewer answer; anything else about it stays hidden or is refused with its state.
async fn open_for_response(
    tx: &mut sqlx::PgConnection,
    viewer: &Viewer,
    code: &str,
    accepting: bool,
    now: DateTime<Utc>,
) -> AppResult<(Uuid, db::Invitation)> {
    // Only a customer's global admin learns whether the code exists.
    accepting_customer(viewer)?;
    let inv =
        db::by_code_for_update(&mut *tx, code).await?.ok_or_else(|| AppError::not_found("invitation"))?;
    let customer = answer(&mut *tx, viewer, &inv, accepting, now).await?;
    Ok((customer, inv))
}

/// Whether the viewer may accept (or decline) the invitation now, by the domain's rule; the
/// mutations and `viewerCan` both ask this.
pub async fn answer(
    db: &mut sqlx::PgConnection,
    viewer: &Viewer,
    inv: &db::Invitation,
    accepting: bool,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let customer = accepting_customer(viewer)?;
    let (mut reseller_still_partnered, mut accepted_already) = (true, false);
    // Only a pending invitation is worth the reads (viewerCan asks this for every listed one).
    if accepting && inv.status_at(now) == InvitationStatus::Pending {
        if let Some(reseller) = inv.indirect_reseller_id {
            reseller_still_partnered =
                organizations::is_active_partnership(&mut *db, inv.partner_id, reseller).await?;
        }
        accepted_already = db::has_accepted(&mut *db, inv.invitation_id, customer).await?;
    }
    ensure_may_answer(
        viewer,
        Answer {
            addressed_to: inv.customer_id,
            status: inv.status_at(now),
            accepting,
            reseller_still_partnered,
            accepted_already,
        },
    )
}

fn not_pending(state: InvitationStatus) -> AppError {
    match ensure_pending(state) {
        Err(e) => e,
        Ok(()) => AppError::refused(Code::InvitationNotPending, "this invitation is not pending"),
    }
}

/// Accepting: the relationship(s), the delegated rights asked for, the acceptance and the audit
/// events, in one transaction. The invitation row is locked first, so concurrent accepts run
/// one after the other and only the first finds it still open.
pub async fn accept(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    replace_existing: bool,
) -> AppResult<Uuid> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let (customer, inv) = open_for_response(&mut tx, viewer, code, true, now).await?;
    if !db::record_acceptance(&mut *tx, inv.invitation_id, customer, viewer.user_id, now).await? {
        return Err(not_pending(InvitationStatus::Accepted));
    }
    if inv.customer_id.is_some() {
        db::set_status(&mut *tx, inv.invitation_id, InvitationStatus::Accepted, now).await?;
    }
    let inviter = organizations::by_ids(&mut *tx, &[inv.partner_id]).await?.pop().and_then(|o| o.partner);
    let inviter = inviter.ok_or_else(|| AppError::not_found("partner"))?;
    let relationship = |partner_id, kind, indirect_provider_id| relationships::NewRelationship {
        customer_id: customer,
        partner_id,
        kind,
        indirect_provider_id,
        origin: RelationshipOrigin::Invitation,
        invitation_id: Some(inv.invitation_id),
        at: now,
    };
    let kind = relationship_kind(inviter.program);
    super::relationships::make_active(&mut tx, viewer.into(), &relationship(inv.partner_id, kind, None))
        .await?;
    let mut event = audit::Event::new("invitation.accepted", "Invitation", inv.invitation_id)
        .customer(customer)
        .partner(inv.partner_id)
        .details(serde_json::json!({ "relationshipKind": kind.as_str() }));
    if let Some(reseller) = inv.indirect_reseller_id {
        super::relationships::make_active(
            &mut tx,
            viewer.into(),
            &relationship(reseller, RelationshipKind::IndirectReseller, Some(inv.partner_id)),
        )
        .await?;
        event = event.also_partner(reseller);
    }
    audit::append(&mut *tx, viewer.into(), now, event).await?;

    let roles = inv.delegated_roles.clone();
    if !roles.is_empty() {
        let holder = inv.indirect_reseller_id.unwrap_or(inv.partner_id);
        let customer_name =
            organizations::by_ids(&mut *tx, &[customer]).await?.pop().map(|o| o.name).unwrap_or_default();
        let name = delegated_admin::free_display_name(
            &mut *tx,
            holder,
            &format!("{} · {}", customer_name.chars().take(32).collect::<String>(), &inv.code[..6]),
        )
        .await?;
        let duration = delegated_admin_duration(&inv)?;
        let id = delegated_admin::insert(
            &mut tx,
            &delegated_admin::NewRelationship {
                invitation_id: Some(inv.invitation_id),
                replace_existing,
                display_name: &name,
                partner_id: holder,
                customer_id: customer,
                roles: &roles,
                service_ids: &inv.delegated_service_ids,
                duration: &duration.text,
                duration_days: duration.days,
                auto_extend: inv.delegated_auto_extend.as_deref().unwrap_or("P0D"),
                status: DelegatedAdminStatus::ApprovalPending,
                origin: DelegatedAdminOrigin::Invitation,
                created_at: now,
                activated_at: None,
                ends_at: None,
            },
        )
        .await?;
        let r = delegated_admin::for_update(&mut *tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("relationship"))?;
        activate(&mut tx, Some(viewer), &r, replace_existing, now).await?;
    }
    tx.commit().await?;
    Ok(inv.invitation_id)
}

fn delegated_admin_duration(
    inv: &db::Invitation,
) -> AppResult<crate::domain::delegated_admin::RelationshipDuration> {
    crate::domain::delegated_admin::RelationshipDuration::parse(
        inv.delegated_duration.as_deref().unwrap_or("P90D"),
    )
}

pub async fn decline(state: &AppState, viewer: &Viewer, code: &str) -> AppResult<Uuid> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let (customer, inv) = open_for_response(&mut tx, viewer, code, false, now).await?;
    // A link for any customer stays open for others; declining it is recorded, not final.
    if inv.customer_id.is_some() {
        db::set_status(&mut *tx, inv.invitation_id, InvitationStatus::Declined, now).await?;
    }
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new("invitation.declined", "Invitation", inv.invitation_id)
            .customer(customer)
            .partner(inv.partner_id),
    )
    .await?;
    tx.commit().await?;
    Ok(inv.invitation_id)
}

/// The creator revokes, or edits the message; the link itself never changes.
pub async fn revoke_or_edit(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    new_message: Option<&str>,
) -> AppResult<()> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let inv = db::by_id_for_update(&mut *tx, id).await?.ok_or_else(|| AppError::not_found("invitation"))?;
    // Who does not take part in it learns nothing; a named reseller is told it may not change it.
    if viewer.partner_id() != Some(inv.partner_id) && viewer.partner_id() != inv.indirect_reseller_id {
        return Err(AppError::not_found("invitation"));
    }
    ensure_may_change(viewer, inv.partner_id, inv.status_at(now))?;
    let action = match new_message {
        Some(m) => {
            check_message(m)?;
            db::set_message(&mut *tx, id, m).await?;
            "invitation.message_changed"
        }
        None => {
            db::set_status(&mut *tx, id, InvitationStatus::Revoked, now).await?;
            "invitation.revoked"
        }
    };
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new(action, "Invitation", id).partner(inv.partner_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
