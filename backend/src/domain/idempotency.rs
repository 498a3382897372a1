//! Idempotency-Key, following Stripe's rules: a mutation request carrying a key is run once per
//! principal and key; for 24 hours a retry with the same request gets the first response again,
//! the same key with another request is refused, and a retry while the first still runs is
//! refused too (it may be retried after). Queries ignore the key; anonymous requests (signing
//! in) ignore it too, so a stored session token is never handed to whoever guesses a key.

use super::{AppError, Code};
use chrono::{DateTime, Duration, Utc};

/// How long a key's first response is answered again.
pub const RETENTION_HOURS: i64 = 24;
/// The longest key accepted (Stripe: 255).
pub const MAX_KEY_CHARS: usize = 255;
/// A request still marked as running after this long died with its server: its key may be
/// taken again. At least this, and never less than the request deadline plus a minute, so a
/// slow request that is still running is never taken over ([`abandoned_before`]).
pub const ABANDONED_AFTER_SECS: i64 = 120;

/// Mutations whose answer holds a secret shown once (a token, a password, recovery codes, a
/// signing or TOTP secret). Their answer is never stored: a retry is told the mutation ran and
/// its secret is not kept, rather than getting the secret from the database a day later.
pub const SECRET_BEARING: &[&str] = &[
    "signIn",
    "createApiToken",
    "createUser",
    "beginMfaEnrolment",
    "confirmMfaEnrolment",
    "createWebhookEndpoint",
    "rotateWebhookSecret",
];

/// Whether a mutation with these root fields may have its answer stored for retries.
pub fn keeps_answer<'a>(mut root_fields: impl Iterator<Item = &'a str>) -> bool {
    !root_fields.any(|f| SECRET_BEARING.contains(&f))
}

/// What a retry of a secret-bearing mutation gets (as `CONFLICT`, 409).
pub const SECRET_NOT_KEPT: &str = "the first request with this Idempotency-Key ran; its answer held a secret that is shown only once, so it was not kept (read the result with a query)";

/// A key as sent: 1 to 255 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(text: &str) -> Result<IdempotencyKey, AppError> {
        let ok =
            !text.is_empty() && text.len() <= MAX_KEY_CHARS && text.bytes().all(|b| b.is_ascii_graphic());
        if !ok {
            return Err(AppError::bad_input(format!(
                "the Idempotency-Key must be 1 to {MAX_KEY_CHARS} printable ASCII characters (a UUID is a good key)"
            )));
        }
        Ok(IdempotencyKey(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Keys created before this are forgotten (and swept).
pub fn expired_before(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(RETENTION_HOURS)
}

/// A request still running since before this is abandoned: [`ABANDONED_AFTER_SECS`], or the
/// request deadline plus a minute when that is longer.
pub fn abandoned_before(now: DateTime<Utc>, request_deadline: std::time::Duration) -> DateTime<Utc> {
    let deadline = Duration::from_std(request_deadline).unwrap_or(Duration::days(1)) + Duration::minutes(1);
    now - Duration::seconds(ABANDONED_AFTER_SECS).max(deadline)
}

/// What the stored row says about a request that did not get to claim the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub request_hash: Vec<u8>,
    /// The first response (status, body), once it finished.
    pub response: Option<(u16, Vec<u8>)>,
}

/// The code every refusal carries.
pub const REFUSAL_CODE: Code = Code::Conflict;

/// What to answer a request whose key was claimed already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The first response, again.
    Replay { status: u16, body: Vec<u8> },
    /// Refused with `CONFLICT`, this HTTP status and these words.
    Refuse { status: u16, message: &'static str },
}

/// Stripe: another request under the same key is a client error (here 422 with `CONFLICT`); the
/// same request while the first still runs is 409 `CONFLICT`; once finished, the first response.
pub fn answer(stored: Stored, request_hash: &[u8]) -> Answer {
    if stored.request_hash != request_hash {
        return Answer::Refuse {
            status: 422,
            message: "this Idempotency-Key was used with another request; use a new key for a new request",
        };
    }
    match stored.response {
        Some((status, body)) => Answer::Replay { status, body },
        None => Answer::Refuse {
            status: 409,
            message: "a request with this Idempotency-Key is still running; retry after it finishes",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_and_printable() {
        assert!(IdempotencyKey::parse("3f0c9a6e-8d8b-4a55-9a7b-8e1f0c7d2b11").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("a b").is_err());
        assert!(IdempotencyKey::parse("a\0b").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
    }

    #[test]
    fn stripe_rules() {
        let done = Stored { request_hash: vec![1], response: Some((200, b"{}".to_vec())) };
        assert_eq!(answer(done.clone(), &[1]), Answer::Replay { status: 200, body: b"{}".to_vec() });
        assert!(matches!(answer(done, &[2]), Answer::Refuse { status: 422, .. }));
        let running = Stored { request_hash: vec![1], response: None };
        assert!(matches!(answer(running.clone(), &[1]), Answer::Refuse { status: 409, .. }));
        assert!(matches!(answer(running, &[2]), Answer::Refuse { status: 422, .. }));
    }

    #[test]
    fn a_day_of_retention() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z").unwrap().to_utc();
        assert_eq!(expired_before(now), now - Duration::hours(24));
        assert_eq!(abandoned_before(now, std::time::Duration::from_secs(15)), now - Duration::seconds(120));
        // A long deadline: a request still within it is never taken over.
        assert_eq!(abandoned_before(now, std::time::Duration::from_secs(300)), now - Duration::seconds(360));
    }

    #[test]
    fn secrets_are_not_kept() {
        assert!(!keeps_answer(["createApiToken"].into_iter()));
        assert!(!keeps_answer(["createInvitation", "rotateWebhookSecret"].into_iter()));
        assert!(keeps_answer(["createInvitation"].into_iter()));
    }
}
