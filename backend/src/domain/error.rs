//! The one error type of the application. A refusal carries a stable code that clients branch
//! on; anything else is internal, logged with its cause and never shown.

use std::fmt;

/// Stable codes that clients see in `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    InvalidStateTransition,
    AdvisorNotInCsp,
    AdvisorProgramClosed,
    IndirectResellerCannotCreateCustomer,
    ResellerNotPartnered,
    NotPartnerOfRecord,
    DelegatedRoleRequired,
    QuantityBelowAssignedSeats,
    NoSeatsAvailable,
    NoAssignedSeats,
    SubscriptionNotActive,
    CustomerGlobalAdminRequired,
    IndirectResellerCannotInvite,
    IndirectResellerCannotTransact,
    NoResellerRelationship,
    InvitationNotPending,
    DelegatedAdminConflict,
    ActiveSubscriptionsExist,
    /// The password was right; the account also needs a TOTP or recovery code.
    MfaCodeRequired,
    /// The organization requires multi-factor sign-in and this session may only enrol.
    MfaEnrolmentRequired,
    RateLimited,
    ServiceUnavailable,
    Timeout,
    /// The request is not valid GraphQL for this schema (syntax, unknown fields, wrong types).
    GraphqlValidationFailed,
    /// The query is nested deeper or costs more than the server's limits.
    QueryTooComplex,
    Internal,
}

impl Code {
    /// Every code (for checks that each has its words in every language).
    pub const ALL: [Code; 31] = [
        Code::Unauthenticated,
        Code::Forbidden,
        Code::NotFound,
        Code::BadUserInput,
        Code::Conflict,
        Code::InvalidStateTransition,
        Code::AdvisorNotInCsp,
        Code::AdvisorProgramClosed,
        Code::IndirectResellerCannotCreateCustomer,
        Code::ResellerNotPartnered,
        Code::NotPartnerOfRecord,
        Code::DelegatedRoleRequired,
        Code::QuantityBelowAssignedSeats,
        Code::NoSeatsAvailable,
        Code::NoAssignedSeats,
        Code::SubscriptionNotActive,
        Code::CustomerGlobalAdminRequired,
        Code::IndirectResellerCannotInvite,
        Code::IndirectResellerCannotTransact,
        Code::NoResellerRelationship,
        Code::InvitationNotPending,
        Code::DelegatedAdminConflict,
        Code::ActiveSubscriptionsExist,
        Code::MfaCodeRequired,
        Code::MfaEnrolmentRequired,
        Code::RateLimited,
        Code::ServiceUnavailable,
        Code::Timeout,
        Code::GraphqlValidationFailed,
        Code::QueryTooComplex,
        Code::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::Conflict => "CONFLICT",
            Code::InvalidStateTransition => "INVALID_STATE_TRANSITION",
            Code::AdvisorNotInCsp => "ADVISOR_NOT_IN_CSP",
            Code::AdvisorProgramClosed => "ADVISOR_PROGRAM_CLOSED",
            Code::IndirectResellerCannotCreateCustomer => "INDIRECT_RESELLER_CANNOT_CREATE_CUSTOMER",
            Code::ResellerNotPartnered => "RESELLER_NOT_PARTNERED",
            Code::NotPartnerOfRecord => "NOT_PARTNER_OF_RECORD",
            Code::DelegatedRoleRequired => "DELEGATED_ROLE_REQUIRED",
            Code::QuantityBelowAssignedSeats => "QUANTITY_BELOW_ASSIGNED_SEATS",
            Code::NoSeatsAvailable => "NO_SEATS_AVAILABLE",
            Code::NoAssignedSeats => "NO_ASSIGNED_SEATS",
            Code::SubscriptionNotActive => "SUBSCRIPTION_NOT_ACTIVE",
            Code::CustomerGlobalAdminRequired => "CUSTOMER_GLOBAL_ADMIN_REQUIRED",
            Code::IndirectResellerCannotInvite => "INDIRECT_RESELLER_CANNOT_INVITE",
            Code::IndirectResellerCannotTransact => "INDIRECT_RESELLER_CANNOT_TRANSACT",
            Code::NoResellerRelationship => "NO_RESELLER_RELATIONSHIP",
            Code::InvitationNotPending => "INVITATION_NOT_PENDING",
            Code::DelegatedAdminConflict => "DELEGATED_ADMIN_CONFLICT",
            Code::ActiveSubscriptionsExist => "ACTIVE_SUBSCRIPTIONS_EXIST",
            Code::MfaCodeRequired => "MFA_CODE_REQUIRED",
            Code::MfaEnrolmentRequired => "MFA_ENROLMENT_REQUIRED",
            Code::RateLimited => "RATE_LIMITED",
            Code::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Code::Timeout => "TIMEOUT",
            Code::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Code::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Code::Internal => "INTERNAL",
        }
    }
}

impl Code {
    /// Refusals that say "not now" rather than "no": the same request may pass if tried again
    /// later (a timeout, the database away or busy). Bulk items wait and retry these.
    pub fn is_transient(self) -> bool {
        matches!(self, Code::Timeout | Code::ServiceUnavailable)
    }
}

/// The PostgreSQL errors a retry may pass, as the code each is refused with: a statement or
/// lock wait that took too long (57014, 55P03), a serialization failure or deadlock
/// (40001, 40P01: one of two concurrent transactions was chosen to give way), a server
/// shutting down or a connection lost (57P0x, class 08). Every such code is transient.
pub fn transient_sqlstate(sqlstate: &str) -> Option<Code> {
    match sqlstate {
        "57014" | "55P03" => Some(Code::Timeout),
        "40001" | "40P01" | "57P01" | "57P02" | "57P03" => Some(Code::ServiceUnavailable),
        c if c.starts_with("08") => Some(Code::ServiceUnavailable),
        _ => None,
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal that a client can act on: code, human message and optional structured details.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: Code,
    pub message: String,
    pub details: Option<serde_json::Value>,
}

impl Refusal {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Refusal { code, message: message.into(), details: None }
    }
}

/// Deliberately not `Display`: async-graphql converts any `Display` error into a GraphQL error
/// without a code, so this type must go through our own conversion (see `graphql::error`).
#[derive(Debug)]
pub enum AppError {
    Refused(Refusal),
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

impl AppError {
    pub fn refused(code: Code, message: impl Into<String>) -> Self {
        AppError::Refused(Refusal::new(code, message))
    }

    pub fn with_details(self, details: serde_json::Value) -> Self {
        match self {
            AppError::Refused(r) => AppError::Refused(Refusal { details: Some(details), ..r }),
            other => other,
        }
    }

    pub fn not_found(what: &str) -> Self {
        AppError::refused(Code::NotFound, format!("{what} not found"))
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        AppError::refused(Code::BadUserInput, message)
    }

    /// A one-line description for logs and command-line output.
    pub fn describe(&self) -> String {
        match self {
            AppError::Refused(r) => format!("{}: {}", r.code, r.message),
            AppError::Internal(e) => format!("internal error: {e:#}"),
        }
    }

    pub fn code(&self) -> Code {
        match self {
            AppError::Refused(r) => r.code,
            AppError::Internal(_) => Code::Internal,
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused(r)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// For command-line paths (bootstrap, demo loading) that report with anyhow.
impl From<AppError> for anyhow::Error {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Internal(cause) => cause,
            refused => anyhow::anyhow!(refused.describe()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_sqlstates_are_transient_codes() {
        for s in ["57014", "55P03", "40001", "40P01", "57P01", "08006"] {
            assert!(transient_sqlstate(s).is_some_and(Code::is_transient), "{s}");
        }
        for s in ["23505", "22021", "42P01"] {
            assert_eq!(transient_sqlstate(s), None, "{s}");
        }
        assert!(!Code::Conflict.is_transient());
    }
}
