//! Delegated admin relationships: granular, time-bound rights. Validation, the state machine
//! and time (expiry, auto-extension) live here; the SQL layer only stores the outcome.

#[cfg(test)]
mod tests;

use super::error::{AppError, AppResult, Code};
use super::{DelegatedAdminStatus as S, DelegatedRole, Role, Viewer};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

pub const MAX_DAYS: i32 = 730;
pub const AUTO_EXTEND_DAYS: i64 = 180;
pub const APPROVAL_WINDOW_DAYS: i64 = 90;
pub const EXPIRING_WITHIN_DAYS: i64 = 30;
/// Notices before the end of a relationship that does not auto-extend, each sent once.
pub const EXPIRY_NOTICE_DAYS: [i32; 3] = [EXPIRING_WITHIN_DAYS as i32, 7, 1];
/// The stored `autoExtend` of a relationship that renews itself.
pub const AUTO_EXTENDING: &str = "P180D";
/// The states that lapse when the approval window passes.
pub const AWAITING_APPROVAL: [S; 2] = [S::ApprovalPending, S::ConsentPending];

/// Approvals asked for at or before this time have lapsed at `now`.
pub fn approval_lapsed_if_asked_by(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(APPROVAL_WINDOW_DAYS)
}

/// The end at `now` of an auto-extending relationship that ended at `end`: 180 days more each
/// time it ends.
pub fn extended_end(mut end: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    while end <= now {
        end += Duration::days(AUTO_EXTEND_DAYS);
    }
    end
}

/// The expiry notice due at `now` for a relationship ending at `end` (the closest of 30, 7 and
/// 1 days it is within), unless that notice or a closer one went out already.
pub fn expiry_notice_due(end: DateTime<Utc>, now: DateTime<Utc>, last_sent: Option<i32>) -> Option<i32> {
    if end <= now {
        return None;
    }
    let due =
        EXPIRY_NOTICE_DAYS.into_iter().rev().find(|days| end - now <= Duration::days(i64::from(*days)))?;
    match last_sent {
        Some(sent) if sent <= due => None,
        _ => Some(due),
    }
}

/// An ISO-8601 duration of whole days, weeks, months (30 days) or years (365 days), P1D to P2Y.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationshipDuration {
    pub text: String,
    pub days: i32,
}

impl RelationshipDuration {
    pub fn parse(value: &str) -> AppResult<RelationshipDuration> {
        let bad = || {
            AppError::bad_input(format!(
                "{value:?} is not a duration from 1 day to 2 years (ISO-8601, e.g. P90D, P1Y)"
            ))
        };
        let v = value.trim().to_ascii_uppercase();
        let rest = v.strip_prefix('P').ok_or_else(bad)?;
        if rest.is_empty() || rest.contains('T') {
            return Err(bad());
        }
        let (mut days, mut number, mut last_unit) = (0i64, String::new(), 0);
        for c in rest.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let (order, factor) = match c {
                'Y' => (1, 365),
                'M' => (2, 30),
                'W' => (3, 7),
                'D' => (4, 1),
                _ => return Err(bad()),
            };
            if number.is_empty() || order <= last_unit || number.len() > 4 {
                return Err(bad());
            }
            days += number.parse::<i64>().map_err(|_| bad())? * factor;
            number.clear();
            last_unit = order;
        }
        if !number.is_empty() || !(1..=i64::from(MAX_DAYS)).contains(&days) {
            return Err(bad());
        }
        Ok(RelationshipDuration { text: v, days: days as i32 })
    }
}

/// `P0D` (no auto-extension) or `P180D`.
pub fn parse_auto_extend(value: &str, roles: &[DelegatedRole]) -> AppResult<&'static str> {
    let v = match value.trim().to_ascii_uppercase().as_str() {
        "P0D" => "P0D",
        AUTO_EXTENDING => AUTO_EXTENDING,
        _ => return Err(AppError::bad_input("autoExtend is P0D or P180D")),
    };
    if v == AUTO_EXTENDING && roles.contains(&DelegatedRole::GlobalAdmin) {
        return Err(AppError::bad_input("relationships with the global admin role cannot auto-extend"));
    }
    Ok(v)
}

/// A customer grants rights to a partner directly: its global admin only (through a token that
/// may write). Answers the customer. The grant mutation and `viewer.can.grantDelegatedAdmin`
/// both ask this.
pub fn ensure_may_grant(viewer: &Viewer) -> AppResult<Uuid> {
    super::access::ensure_may_write(viewer)?;
    viewer.customer_id().filter(|_| viewer.has_role(Role::GlobalAdmin)).ok_or_else(|| {
        AppError::refused(
            Code::CustomerGlobalAdminRequired,
            "only the customer's global admin grants delegated admin rights",
        )
    })
}

pub fn parse_display_name(value: &str) -> AppResult<String> {
    super::inputs::parse_line(value, "displayName", super::inputs::limits::DISPLAY_NAME)
}

pub fn parse_roles(roles: &[DelegatedRole]) -> AppResult<Vec<DelegatedRole>> {
    let mut r = roles.to_vec();
    r.sort();
    r.dedup();
    if r.is_empty() {
        return Err(AppError::bad_input("ask for at least one role"));
    }
    Ok(r)
}

/// Whether the roles make the holder the one provisioning partner for its services.
pub fn is_exclusive(roles: &[DelegatedRole]) -> bool {
    roles.iter().any(|r| matches!(r, DelegatedRole::Provisioning | DelegatedRole::GlobalAdmin))
}

/// What the rules need to know of a stored relationship.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: S,
    pub partner_id: Uuid,
    pub customer_id: Uuid,
    pub auto_extend: String,
    pub approval_requested_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

impl Stored {
    /// The status at `now`, before any job has written the change down.
    pub fn status_at(&self, now: DateTime<Utc>) -> S {
        match self.status {
            S::Active => match self.ends_at {
                Some(end) if end <= now && self.auto_extend != AUTO_EXTENDING => S::Expired,
                _ => S::Active,
            },
            s if AWAITING_APPROVAL.contains(&s) => {
                let since = self.approval_requested_at.unwrap_or(self.created_at);
                if since <= approval_lapsed_if_asked_by(now) { S::Expired } else { self.status }
            }
            other => other,
        }
    }

    /// The end at `now`: an auto-extending relationship moves on by 180 days each time it ends.
    pub fn ends_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let end = self.ends_at?;
        if self.status == S::Active && self.auto_extend == AUTO_EXTENDING {
            return Some(extended_end(end, now));
        }
        Some(end)
    }

    pub fn expires_soon(&self, now: DateTime<Utc>) -> bool {
        self.status_at(now) == S::Active
            && self.ends_at(now).is_some_and(|end| end - now <= Duration::days(EXPIRING_WITHIN_DAYS))
    }
}

/// The things that can happen to a relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Update,
    Delete,
    RequestApproval,
    Approve,
    Reject,
    Consent,
    Terminate,
    SetAutoExtend,
}

impl Transition {
    pub fn audit_action(self) -> &'static str {
        match self {
            Transition::Update => "delegated_admin.updated",
            Transition::Delete => "delegated_admin.deleted",
            Transition::RequestApproval => "delegated_admin.approval_requested",
            Transition::Approve => "delegated_admin.approved",
            Transition::Reject => "delegated_admin.rejected",
            Transition::Consent => "delegated_admin.consented",
            Transition::Terminate => "delegated_admin.terminated",
            Transition::SetAutoExtend => "delegated_admin.auto_extend_changed",
        }
    }
}

/// Which side acts.
fn is_partner_admin(viewer: &Viewer, r: &Stored) -> bool {
    viewer.partner_id() == Some(r.partner_id) && viewer.has_role(Role::AdminAgent)
}

fn is_customer_admin(viewer: &Viewer, r: &Stored) -> bool {
    viewer.customer_id() == Some(r.customer_id) && viewer.has_role(Role::GlobalAdmin)
}

/// Decides a transition: who may make it from the current state, and the state it leads to.
pub fn decide(viewer: &Viewer, r: &Stored, t: Transition, now: DateTime<Utc>) -> AppResult<S> {
    if viewer.read_only {
        return Err(AppError::refused(Code::Forbidden, "this API token is read-only"));
    }
    let (partner, customer) = (is_partner_admin(viewer, r), is_customer_admin(viewer, r));
    let side_ok = match t {
        Transition::Update | Transition::Delete | Transition::RequestApproval | Transition::SetAutoExtend => {
            partner
        }
        Transition::Approve => customer,
        Transition::Consent => partner,
        Transition::Reject => customer || partner,
        Transition::Terminate => customer || partner,
    };
    if !side_ok {
        let who = match t {
            Transition::Approve => "the customer's global admin",
            Transition::Reject | Transition::Terminate => {
                "the customer's global admin or the partner's admin agent"
            }
            _ => "the partner's admin agent",
        };
        return Err(AppError::refused(Code::Forbidden, format!("only {who} may do this")));
    }
    let state = r.status_at(now);
    let next = match (t, state) {
        (Transition::Update, S::Created) => Some(S::Created),
        (Transition::Delete, S::Created) => Some(S::Created),
        (Transition::RequestApproval, S::Created) => Some(S::ApprovalPending),
        (Transition::Approve, S::ApprovalPending) => Some(S::Active),
        (Transition::Reject, S::ApprovalPending) if customer => Some(S::Rejected),
        (Transition::Reject, S::ConsentPending) if partner => Some(S::Rejected),
        (Transition::Consent, S::ConsentPending) => Some(S::Active),
        (Transition::Terminate, S::Active | S::ApprovalPending | S::ConsentPending) => Some(S::Terminated),
        (Transition::SetAutoExtend, S::Created | S::Active) => Some(state),
        _ => None,
    };
    next.ok_or_else(|| {
        AppError::refused(
            Code::InvalidStateTransition,
            format!("not possible while the relationship is {}", state.words()),
        )
        .with_details(serde_json::json!({ "state": state.as_str() }))
    })
}

/// Turning auto-extension on or off: the transition first, then the value (never on while the
/// relationship carries GLOBAL_ADMIN). The mutation and `viewerCan.setAutoExtend` both ask this.
pub fn decide_auto_extend(
    viewer: &Viewer,
    r: &Stored,
    roles: &[DelegatedRole],
    value: &str,
    now: DateTime<Utc>,
) -> AppResult<&'static str> {
    decide(viewer, r, Transition::SetAutoExtend, now)?;
    parse_auto_extend(value, roles)
}

/// The value a toggle of auto-extension would set: the other one.
pub fn toggled_auto_extend(current: &str) -> &'static str {
    if current == "P180D" { "P0D" } else { "P180D" }
}
