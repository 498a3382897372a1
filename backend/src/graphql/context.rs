//! What a resolver knows about its request: the state, the viewer, and the request's "now".

use crate::AppState;
use crate::domain::access::{Scope, ensure_may_write};
use crate::domain::{AppError, AppResult, Code, Language, Viewer};
use async_graphql::Context;
use chrono::{DateTime, Utc};

/// The outcome of reading the `Authorization` header.
#[derive(Debug, Clone)]
pub enum Auth {
    Anonymous,
    /// A token was sent but is unknown, revoked or expired.
    Rejected,
    Viewer(Viewer),
}

/// One instant per request, so every resolver judges time-bound state alike.
#[derive(Debug, Clone, Copy)]
pub struct RequestTime(pub DateTime<Utc>);

pub trait RequestContext {
    fn state(&self) -> &AppState;
    fn now(&self) -> DateTime<Utc>;
    /// The signed-in viewer, or UNAUTHENTICATED (MFA_ENROLMENT_REQUIRED for a session that may
    /// only enrol in multi-factor sign-in).
    fn viewer(&self) -> AppResult<&Viewer>;
    /// The signed-in viewer, an enrol-only session included: for the few fields that session
    /// needs (who it is, enrolment, signing out).
    fn enrolling_viewer(&self) -> AppResult<&Viewer>;
    /// A viewer whose token may write, or FORBIDDEN.
    fn writer(&self) -> AppResult<&Viewer>;
    fn scope(&self) -> AppResult<Scope>;
    /// The viewer's language (the request's `Accept-Language`; English when none was read).
    fn language(&self) -> Language;
}

impl RequestContext for Context<'_> {
    fn state(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn now(&self) -> DateTime<Utc> {
        self.data_opt::<RequestTime>().map(|t| t.0).unwrap_or_else(|| self.state().clock.now())
    }

    fn viewer(&self) -> AppResult<&Viewer> {
        let viewer = self.enrolling_viewer()?;
        if viewer.enrol_only {
            return Err(AppError::refused(
                Code::MfaEnrolmentRequired,
                "your organization requires multi-factor sign-in: set it up on your account page first",
            ));
        }
        Ok(viewer)
    }

    fn enrolling_viewer(&self) -> AppResult<&Viewer> {
        match self.data_opt::<Auth>() {
            Some(Auth::Viewer(v)) => Ok(v),
            Some(Auth::Rejected) => Err(AppError::refused(
                Code::Unauthenticated,
                "the token is unknown, revoked or expired; sign in again",
            )),
            _ => Err(AppError::refused(
                Code::Unauthenticated,
                "sign in first: send Authorization: Bearer <token>",
            )),
        }
    }

    fn writer(&self) -> AppResult<&Viewer> {
        let viewer = self.viewer()?;
        ensure_may_write(viewer)?;
        Ok(viewer)
    }

    fn scope(&self) -> AppResult<Scope> {
        self.viewer().map(Scope::of)
    }

    fn language(&self) -> Language {
        self.data_opt::<Language>().copied().unwrap_or_default()
    }
}

/// Set once the request's `signIn` has run: a second one in the same request is refused.
#[derive(Default)]
pub struct SignInBudget(pub std::sync::atomic::AtomicBool);

/// The caller's network address, for throttling sign-ins per client.
pub struct ClientAddress(pub String);
