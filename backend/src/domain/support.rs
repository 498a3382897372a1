//! Support requests: who works them and how their status moves.

pub use super::enums::SupportStatus;
use super::error::{AppError, AppResult, Code};
use super::{Role, Viewer};
use uuid::Uuid;

/// The parties of a request.
#[derive(Debug, Clone)]
pub struct Parties {
    pub customer_id: Uuid,
    /// The partner working it; `None`: the operator.
    pub support_partner_id: Option<Uuid>,
    pub status: SupportStatus,
    /// The support partner still serves support on the subscription now (it is the stage's
    /// partner or holds delegated SUPPORT for the service); when its role ends, so does its work.
    pub support_partner_serves: bool,
}

/// Who is acting on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Customer,
    SupportPartner,
    Operator,
}

fn side(viewer: &Viewer, p: &Parties) -> AppResult<Side> {
    if viewer.customer_id() == Some(p.customer_id) && viewer.has_role(Role::GlobalAdmin) {
        return Ok(Side::Customer);
    }
    if viewer.partner_id().is_some() && viewer.partner_id() == p.support_partner_id {
        if !p.support_partner_serves {
            return Err(AppError::refused(
                Code::DelegatedRoleRequired,
                "you no longer serve support on this subscription (your delegated support rights ended)",
            ));
        }
        return if viewer.has_any_role(crate::domain::subscription::SUPPORT_ROLES) {
            Ok(Side::SupportPartner)
        } else {
            Err(AppError::refused(
                Code::Forbidden,
                "working support requests needs the admin agent or helpdesk agent role",
            ))
        };
    }
    // The operator works what is escalated to it, and what it supports itself (online direct).
    if viewer.is_operator() && (p.status == SupportStatus::Escalated || p.support_partner_id.is_none()) {
        return Ok(Side::Operator);
    }
    Err(AppError::not_found("support request"))
}

/// Decides a status change (or a comment, when `to` is `None`).
pub fn decide(viewer: &Viewer, p: &Parties, to: Option<SupportStatus>) -> AppResult<()> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    use SupportStatus as S;
    let who = side(viewer, p)?;
    let Some(to) = to else {
        return if p.status == S::Resolved { Err(transition(p.status)) } else { Ok(()) };
    };
    let ok = match (p.status, to, who) {
        (S::Open, S::InProgress, Side::SupportPartner | Side::Operator) => true,
        (S::Escalated, S::InProgress, Side::Operator) => true,
        (S::Open | S::InProgress, S::Escalated, Side::SupportPartner | Side::Customer) => true,
        (S::Open | S::InProgress | S::Escalated, S::Resolved, _) => {
            who != Side::SupportPartner || p.status != S::Escalated
        }
        _ => false,
    };
    if ok { Ok(()) } else { Err(transition(p.status)) }
}

fn transition(from: SupportStatus) -> AppError {
    AppError::refused(
        Code::InvalidStateTransition,
        format!("not possible while the request is {}", from.words()),
    )
    .with_details(serde_json::json!({ "state": from.as_str() }))
}
