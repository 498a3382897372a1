//! Provider–reseller partnerships: who may invite, accept and remove them. The mutations and
//! `viewerCan` both ask these rules.

use super::error::{AppError, AppResult, Code};
use super::{PartnerProgram, Role, Viewer};
use uuid::Uuid;

/// The viewer's partner, if the viewer is the admin agent of a partner in `program`.
pub fn admin_of(viewer: &Viewer, program: PartnerProgram, what: &str) -> AppResult<Uuid> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    match (viewer.partner_id(), viewer.partner_program) {
        (Some(p), Some(prog)) if prog == program && viewer.has_role(Role::AdminAgent) => Ok(p),
        (Some(_), Some(prog)) if prog == program => {
            Err(AppError::refused(Code::Forbidden, format!("{what} needs the role ADMIN_AGENT")))
        }
        _ => {
            Err(AppError::refused(Code::Forbidden, format!("only a {program} partner's admin agent {what}")))
        }
    }
}

/// Accepting a provider's link: an indirect reseller's admin agent, while the link is pending
/// and the two are not already partnered.
pub fn ensure_may_accept(viewer: &Viewer, status: &str, already_partnered: bool) -> AppResult<Uuid> {
    let reseller = admin_of(viewer, PartnerProgram::CspIndirectReseller, "accepts partnerships")?;
    if status != "PENDING" {
        return Err(AppError::refused(
            Code::InvalidStateTransition,
            format!("this partnership link is {status}"),
        )
        .with_details(serde_json::json!({ "state": status })));
    }
    if already_partnered {
        return Err(AppError::refused(
            Code::Conflict,
            "you are already in an active partnership with this provider",
        ));
    }
    Ok(reseller)
}

/// Removing: the admin agent of either side, while the partnership is pending or active.
/// Callers hide partnerships the viewer is no party to before asking.
pub fn ensure_may_remove(
    viewer: &Viewer,
    provider_id: Uuid,
    reseller_id: Option<Uuid>,
    status: &str,
) -> AppResult<()> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    let party = viewer.partner_id().is_some_and(|me| me == provider_id || Some(me) == reseller_id);
    if !party {
        return Err(AppError::refused(
            Code::Forbidden,
            "only the provider or the reseller removes a partnership",
        ));
    }
    if !viewer.has_role(Role::AdminAgent) {
        return Err(AppError::refused(Code::Forbidden, "removing a partnership needs the role ADMIN_AGENT"));
    }
    if status == "REMOVED" || status == "EXPIRED" {
        return Err(AppError::refused(Code::InvalidStateTransition, format!("the partnership is {status}"))
            .with_details(serde_json::json!({ "state": status })));
    }
    Ok(())
}
