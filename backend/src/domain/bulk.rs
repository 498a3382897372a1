//! Bulk operations: one change asked for many customers. The rules here are the limits, which
//! terms each kind needs, how an item's refusal is recorded (FAILED with the single mutation's
//! code, or SKIPPED when there was nothing left to do), and the operation's status from its
//! items. The change itself is the single mutation's own workflow, run once per item.

use super::access::ensure_may_write;
use super::delegated_admin::{RelationshipDuration, parse_auto_extend, parse_roles};
use super::inputs::{check_text, limits};
use super::{AppError, AppResult, Code, DelegatedRole, Role, Viewer};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Customers one operation may name (or a search may match).
pub const MAX_ITEMS: usize = 5_000;
/// An idempotency key's length, in characters.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;
/// The display name a bulk delegated admin request starts each relationship's name with; the
/// customer's name fills the rest of the 50 characters (names are unique per partner).
pub const MAX_DISPLAY_PREFIX: usize = 30;
/// Items one worker works on at once (each in its own transaction).
pub const CONCURRENT_ITEMS: usize = 4;
/// Runs of one attempt that may end in a transient failure (timeout, lock held too long,
/// deadlock, database away): after that many, the item is FAILED with the last code.
pub const MAX_TRIES: i32 = 5;
/// The wait after the first transient failure; it doubles after each further one, up to
/// [`RETRY_CAP_SECONDS`].
pub const RETRY_BASE_SECONDS: i64 = 5;
pub const RETRY_CAP_SECONDS: i64 = 300;
/// How long an item waits for a row another transaction holds before giving way (and trying
/// again later) instead of holding up the worker.
pub const ITEM_LOCK_TIMEOUT_MS: u32 = 1_000;

pub use super::enums::{BulkItemStatus, BulkKind, BulkStatus};

/// What each item applies, as given (kept with the operation, so any instance can resume it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkTerms {
    /// DELEGATED_ADMIN_REQUEST: the start of each relationship's display name.
    pub display_name: Option<String>,
    /// DELEGATED_ADMIN_REQUEST, and INVITATION when it asks for delegated admin.
    pub roles: Vec<String>,
    pub service_ids: Vec<Uuid>,
    pub duration: Option<String>,
    /// P0D or P180D (SET_AUTO_EXTEND: the value to set).
    pub auto_extend: Option<String>,
    /// INVITATION only.
    pub message: Option<String>,
    pub indirect_reseller_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
    /// INVITATION only: the emails' language (`InvitationLanguage` code), settled at the start
    /// from the terms or the request's language. Absent in operations started before it existed
    /// (their emails are English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl BulkTerms {
    /// Only what `kind` uses, in one form: roles and services sorted and once each, blank texts
    /// and an empty delegated admin ask as absent, auto-extension P0D when not given. This is
    /// what is kept and hashed, so a client sending fields the kind ignores (or the same lists
    /// in another order) asks for the same operation.
    pub fn canonical(self, kind: BulkKind) -> BulkTerms {
        let text = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        let mut roles = self.roles;
        roles.sort();
        roles.dedup();
        let mut service_ids = self.service_ids;
        service_ids.sort();
        service_ids.dedup();
        let asks_rights = !roles.is_empty() || !service_ids.is_empty() || self.duration.is_some();
        let rights = |display_name: Option<String>| BulkTerms {
            display_name,
            roles: roles.clone(),
            service_ids: service_ids.clone(),
            duration: text(self.duration.clone()),
            auto_extend: Some(text(self.auto_extend.clone()).unwrap_or_else(|| "P0D".into())),
            ..Default::default()
        };
        match kind {
            BulkKind::DelegatedAdminRequest => rights(text(self.display_name.map(|n| n.trim().to_owned()))),
            BulkKind::Invitation => BulkTerms {
                message: text(self.message),
                indirect_reseller_id: self.indirect_reseller_id,
                expires_at: self.expires_at,
                language: self.language,
                ..if asks_rights { rights(None) } else { BulkTerms::default() }
            },
            BulkKind::TerminateDelegatedAdmin => BulkTerms::default(),
            BulkKind::SetAutoExtend => {
                BulkTerms { auto_extend: text(self.auto_extend), ..Default::default() }
            }
        }
    }

    pub fn roles(&self) -> AppResult<Vec<DelegatedRole>> {
        self.roles
            .iter()
            .map(|r| r.parse().map_err(|_| AppError::bad_input(format!("unknown role {r:?}"))))
            .collect()
    }
}

fn missing(field: &str, kind: BulkKind) -> AppError {
    AppError::bad_input(format!("terms.{field} is required for {kind}"))
        .with_details(serde_json::json!({ "field": format!("terms.{field}"), "reason": "REQUIRED" }))
}

/// Checks once, before any item runs, that the terms are what the kind needs; each item's
/// workflow checks them again (with everything else) as the single mutation does.
pub fn validate_terms(kind: BulkKind, t: &BulkTerms) -> AppResult<()> {
    if let Some(m) = &t.message {
        check_text(m, "terms.message", 0, limits::MESSAGE, true)?;
    }
    let delegated = |required: bool| -> AppResult<()> {
        if t.roles.is_empty() && !required && t.service_ids.is_empty() && t.duration.is_none() {
            return Ok(());
        }
        let roles = parse_roles(&t.roles()?)?;
        if t.service_ids.is_empty() {
            return Err(AppError::bad_input("name at least one service"));
        }
        if t.service_ids.len() > 100 {
            return Err(AppError::bad_input("name at most 100 services"));
        }
        RelationshipDuration::parse(t.duration.as_deref().ok_or_else(|| missing("duration", kind))?)?;
        parse_auto_extend(t.auto_extend.as_deref().unwrap_or("P0D"), &roles)?;
        Ok(())
    };
    match kind {
        BulkKind::DelegatedAdminRequest => {
            let prefix = t.display_name.as_deref().ok_or_else(|| missing("displayName", kind))?;
            check_text(prefix.trim(), "terms.displayName", 1, MAX_DISPLAY_PREFIX, false)?;
            delegated(true)
        }
        BulkKind::Invitation => delegated(false),
        BulkKind::TerminateDelegatedAdmin => Ok(()),
        BulkKind::SetAutoExtend => {
            parse_auto_extend(t.auto_extend.as_deref().ok_or_else(|| missing("autoExtend", kind))?, &[])?;
            Ok(())
        }
    }
}

/// The idempotency key: 1 to 200 visible characters, no control characters.
pub fn check_idempotency_key(key: &str) -> AppResult<()> {
    check_text(key, "idempotencyKey", 1, MAX_IDEMPOTENCY_KEY, false)
}

/// The customers named: at least one, at most [`MAX_ITEMS`], each once (in the order given).
pub fn check_customer_ids(ids: &mut Vec<Uuid>) -> AppResult<()> {
    if ids.len() > MAX_ITEMS {
        return Err(AppError::bad_input(format!("at most {MAX_ITEMS} customers per bulk operation"))
            .with_details(
                serde_json::json!({ "field": "customerIds", "reason": "TOO_MANY", "max": MAX_ITEMS }),
            ));
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    if ids.is_empty() {
        return Err(AppError::bad_input("choose at least one customer"));
    }
    Ok(())
}

/// Each relationship's display name: `<prefix> · <customer's name>` in at most 50 characters.
/// Display names are unique per partner, so when the customer's name had to be cut, or
/// `distinguish` says another customer already holds the plain name, the name ends with a
/// short mark of the customer (`#` and 8 hex digits of a digest of its id): two customers
/// whose names start alike get two names, and the same customer always gets the same one (so a
/// retry still meets its own earlier relationship as the single mutation would).
pub fn item_display_name(prefix: &str, customer_name: &str, customer: Uuid, distinguish: bool) -> String {
    use sha2::{Digest, Sha256};
    let prefix = prefix.trim();
    let customer_name = customer_name.trim();
    let room = limits::DISPLAY_NAME.saturating_sub(prefix.chars().count() + 3);
    if !distinguish && customer_name.chars().count() <= room {
        return format!("{prefix} · {customer_name}");
    }
    let digest = Sha256::digest(customer.as_bytes());
    let mark = format!(" #{:02x}{:02x}{:02x}{:02x}", digest[0], digest[1], digest[2], digest[3]);
    let name: String = customer_name.chars().take(room.saturating_sub(mark.len())).collect();
    format!("{prefix} · {}{mark}", name.trim_end())
}

/// How a finished item is recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemOutcome {
    Succeeded,
    /// The single mutation's refusal, with its code and reason.
    Failed {
        code: Code,
        reason: String,
    },
    /// Nothing left to do for this customer (e.g. no active relationship to end).
    Skipped {
        reason: String,
    },
    /// A transient refusal ([`Code::is_transient`]): the item waits and runs again, up to
    /// [`MAX_TRIES`] times (see [`after_transient`]).
    TryAgain {
        code: Code,
        reason: String,
    },
}

/// A refusal from the item's workflow: a state that no longer allows the change means there is
/// nothing left to do (SKIPPED); the database being away means later; anything else is the
/// item's failure with the same code the single mutation would answer.
pub fn outcome_of(e: &AppError) -> ItemOutcome {
    match e {
        AppError::Internal(_) => {
            ItemOutcome::Failed { code: Code::Internal, reason: "an internal error occurred".into() }
        }
        AppError::Refused(r) => match r.code {
            code if code.is_transient() => ItemOutcome::TryAgain { code, reason: r.message.clone() },
            Code::InvalidStateTransition => ItemOutcome::Skipped { reason: r.message.clone() },
            code => ItemOutcome::Failed { code, reason: r.message.clone() },
        },
    }
}

/// After an item's run ended in its `tries`-th transient failure (counting this one): when it
/// may run again, or `None` when that was the last try (then it is FAILED with that code).
/// The waits double from [`RETRY_BASE_SECONDS`] up to [`RETRY_CAP_SECONDS`].
pub fn after_transient(tries: i32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if tries >= MAX_TRIES {
        return None;
    }
    let doublings = tries.clamp(1, 30) - 1;
    let wait = RETRY_BASE_SECONDS.saturating_mul(1_i64 << doublings).min(RETRY_CAP_SECONDS);
    Some(now + chrono::Duration::seconds(wait))
}

/// Who may start one: a partner's admin agent (a sales agent too, for invitations), through a
/// token that may write. Each item then asks the single mutation's own rule again.
pub fn ensure_may_start(viewer: &Viewer, kind: BulkKind) -> AppResult<()> {
    ensure_may_write(viewer)?;
    let roles: &[Role] = match kind {
        BulkKind::Invitation => &[Role::AdminAgent, Role::SalesAgent],
        _ => &[Role::AdminAgent],
    };
    if viewer.partner_id().is_none() || !viewer.has_any_role(roles) {
        return Err(AppError::refused(
            Code::Forbidden,
            "only a partner's admin agent (or, for invitations, sales agent) starts bulk operations",
        ));
    }
    Ok(())
}

/// Who may cancel or retry: the creator, or an admin agent of the creator's organization.
/// Anyone outside that organization is told it does not exist.
pub fn ensure_may_manage(viewer: &Viewer, organization_id: Uuid, created_by: Uuid) -> AppResult<()> {
    if viewer.organization_id != organization_id {
        return Err(AppError::not_found("bulk operation"));
    }
    ensure_may_write(viewer)?;
    if viewer.user_id != created_by && !viewer.has_role(Role::AdminAgent) {
        return Err(AppError::refused(
            Code::Forbidden,
            "only its creator or an admin agent of the organization manages a bulk operation",
        ));
    }
    Ok(())
}

/// Who may read one: anyone of the organization that started it.
pub fn may_read(viewer: &Viewer, organization_id: Uuid) -> bool {
    viewer.organization_id == organization_id
}

/// The items of an operation, counted by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: i64,
    pub pending: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub skipped: i64,
}

/// Cancelling needs something left to cancel (a finished operation keeps its outcome).
pub fn ensure_may_cancel(p: &Progress) -> AppResult<()> {
    if p.pending == 0 {
        return Err(AppError::refused(
            Code::InvalidStateTransition,
            "nothing is left to cancel: every item of this bulk operation has finished",
        ));
    }
    Ok(())
}

/// Retrying needs a failure, in an operation that was not cancelled (its skipped customers
/// would stay untouched while it read as done).
pub fn ensure_may_retry(p: &Progress, cancelled: bool) -> AppResult<()> {
    if cancelled {
        return Err(AppError::refused(
            Code::InvalidStateTransition,
            "a cancelled bulk operation is not retried; start a new one for the customers it did not reach",
        ));
    }
    if p.failed == 0 {
        return Err(AppError::refused(Code::InvalidStateTransition, "no item of this bulk operation failed"));
    }
    Ok(())
}

/// The operation's status from its items: running while any is pending; then cancelled if it
/// was; succeeded without failures; failed when nothing succeeded; partially failed otherwise.
pub fn operation_status(cancelled: bool, p: &Progress) -> BulkStatus {
    if p.pending > 0 {
        BulkStatus::Running
    } else if cancelled {
        BulkStatus::Cancelled
    } else if p.failed == 0 {
        BulkStatus::Succeeded
    } else if p.succeeded == 0 {
        BulkStatus::Failed
    } else {
        BulkStatus::PartiallyFailed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> BulkTerms {
        BulkTerms {
            display_name: Some("Q3 rights".into()),
            roles: vec!["SUPPORT".into()],
            service_ids: vec![Uuid::nil()],
            duration: Some("P90D".into()),
            ..Default::default()
        }
    }

    #[test]
    fn cancel_and_retry_need_something_to_do() {
        let running = Progress { total: 3, pending: 2, failed: 1, ..Default::default() };
        let done = Progress { total: 3, succeeded: 2, failed: 1, ..Default::default() };
        assert!(ensure_may_cancel(&running).is_ok());
        assert_eq!(ensure_may_cancel(&done).unwrap_err().code(), Code::InvalidStateTransition);
        assert!(ensure_may_retry(&done, false).is_ok());
        assert_eq!(ensure_may_retry(&done, true).unwrap_err().code(), Code::InvalidStateTransition);
        let clean = Progress { total: 3, succeeded: 3, ..Default::default() };
        assert_eq!(ensure_may_retry(&clean, false).unwrap_err().code(), Code::InvalidStateTransition);
    }

    #[test]
    fn terms_each_kind_needs() {
        assert!(validate_terms(BulkKind::DelegatedAdminRequest, &request()).is_ok());
        let no_name = BulkTerms { display_name: None, ..request() };
        assert_eq!(
            validate_terms(BulkKind::DelegatedAdminRequest, &no_name).unwrap_err().code(),
            Code::BadUserInput
        );
        let nul = BulkTerms { display_name: Some("a\0b".into()), ..request() };
        assert_eq!(
            validate_terms(BulkKind::DelegatedAdminRequest, &nul).unwrap_err().code(),
            Code::BadUserInput
        );
        let long = BulkTerms { display_name: Some("x".repeat(31)), ..request() };
        assert!(validate_terms(BulkKind::DelegatedAdminRequest, &long).is_err());
        let role = BulkTerms { roles: vec!["ROOT".into()], ..request() };
        assert!(validate_terms(BulkKind::DelegatedAdminRequest, &role).is_err());
        assert!(validate_terms(BulkKind::Invitation, &BulkTerms::default()).is_ok());
        assert!(validate_terms(BulkKind::SetAutoExtend, &BulkTerms::default()).is_err());
        let on = BulkTerms { auto_extend: Some("P180D".into()), ..Default::default() };
        assert!(validate_terms(BulkKind::SetAutoExtend, &on).is_ok());
        assert!(validate_terms(BulkKind::TerminateDelegatedAdmin, &BulkTerms::default()).is_ok());
    }

    #[test]
    fn customers_are_bounded_and_deduplicated() {
        let a = Uuid::from_u128(1);
        let mut ids = vec![a, a, Uuid::from_u128(2)];
        check_customer_ids(&mut ids).unwrap();
        assert_eq!(ids, vec![a, Uuid::from_u128(2)]);
        assert!(check_customer_ids(&mut vec![]).is_err());
        let mut many: Vec<Uuid> = (0..=MAX_ITEMS as u128).map(Uuid::from_u128).collect();
        assert!(check_customer_ids(&mut many).is_err());
        assert!(check_idempotency_key("").is_err());
        assert!(check_idempotency_key(&"k".repeat(201)).is_err());
        assert!(check_idempotency_key("run-1").is_ok());
    }

    #[test]
    fn display_names_fit_and_differ_when_cut() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let long = "Contoso ".repeat(20);
        let n = item_display_name("Q3 rights", &long, a, false);
        assert!(n.chars().count() <= limits::DISPLAY_NAME, "{n}");
        assert!(n.starts_with("Q3 rights · Contoso"));
        assert_ne!(n, item_display_name("Q3 rights", &long, b, false));
        assert_eq!(n, item_display_name("Q3 rights", &long, a, false), "the same customer, the same name");
        assert_eq!(item_display_name("Q3", "Fabrikam", a, false), "Q3 · Fabrikam");
        let marked = item_display_name("Q3", "Fabrikam", a, true);
        assert!(marked.starts_with("Q3 · Fabrikam #") && marked.len() == "Q3 · Fabrikam #".len() + 8);
        let widest = item_display_name(&"p".repeat(MAX_DISPLAY_PREFIX), &"名".repeat(60), b, false);
        assert!(widest.chars().count() <= limits::DISPLAY_NAME, "{widest}");
    }

    #[test]
    fn transient_failures_wait_longer_then_fail() {
        let now = Utc::now();
        let waits: Vec<i64> =
            (1..MAX_TRIES).map(|t| (after_transient(t, now).unwrap() - now).num_seconds()).collect();
        assert_eq!(waits[0], RETRY_BASE_SECONDS);
        assert!(waits.windows(2).all(|w| w[1] >= w[0]));
        assert_eq!(after_transient(MAX_TRIES, now), None);
        assert_eq!((after_transient(1, now).unwrap() - now).num_seconds(), RETRY_BASE_SECONDS);
    }

    #[test]
    fn only_used_terms_count() {
        let with_extras = BulkTerms {
            message: Some("hello".into()),
            expires_at: Some(Utc::now()),
            roles: vec!["SUPPORT".into(), "SUPPORT".into()],
            ..request()
        };
        assert_eq!(
            with_extras.canonical(BulkKind::DelegatedAdminRequest),
            request().canonical(BulkKind::DelegatedAdminRequest)
        );
        assert_eq!(request().canonical(BulkKind::TerminateDelegatedAdmin), BulkTerms::default());
        let invite =
            BulkTerms { message: Some(" ".into()), display_name: Some("x".into()), ..Default::default() };
        assert_eq!(invite.canonical(BulkKind::Invitation), BulkTerms::default());
    }

    #[test]
    fn status_follows_items() {
        let p = |pending, succeeded, failed, skipped| Progress {
            total: pending + succeeded + failed + skipped,
            pending,
            succeeded,
            failed,
            skipped,
        };
        assert_eq!(operation_status(false, &p(1, 5, 0, 0)), BulkStatus::Running);
        assert_eq!(operation_status(false, &p(0, 5, 0, 1)), BulkStatus::Succeeded);
        assert_eq!(operation_status(false, &p(0, 5, 1, 0)), BulkStatus::PartiallyFailed);
        assert_eq!(operation_status(false, &p(0, 0, 2, 1)), BulkStatus::Failed);
        assert_eq!(operation_status(true, &p(0, 1, 0, 4)), BulkStatus::Cancelled);
    }

    #[test]
    fn refusals_become_outcomes() {
        let conflict = AppError::refused(Code::DelegatedAdminConflict, "held");
        assert!(matches!(
            outcome_of(&conflict),
            ItemOutcome::Failed { code: Code::DelegatedAdminConflict, .. }
        ));
        let gone = AppError::refused(Code::InvalidStateTransition, "ended");
        assert!(matches!(outcome_of(&gone), ItemOutcome::Skipped { .. }));
        let away = AppError::refused(Code::ServiceUnavailable, "away");
        assert!(matches!(outcome_of(&away), ItemOutcome::TryAgain { code: Code::ServiceUnavailable, .. }));
    }
}
