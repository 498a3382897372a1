//! Passwords and bearer secrets.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// Argon2id with the crate's defaults (19 MiB, 2 passes), the OWASP baseline.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Hashing off the async executor: argon2 takes tens of milliseconds of CPU on purpose.
pub async fn hash_password_blocking(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}

/// A stand-in hash verified when the email is unknown, so a wrong email costs the same time
/// as a wrong password and sign-in does not reveal which accounts exist.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

/// Sign-in throttling: failed attempts counted over a sliding window, per email (guessing one
/// account's password) and per client address (trying many accounts).
pub const SIGN_IN_WINDOW_MINUTES: i64 = 15;
pub const SIGN_IN_FAILURES_PER_EMAIL: i64 = 5;
pub const SIGN_IN_FAILURES_PER_CLIENT: i64 = 30;

/// Failed attempts within the window: how many, and the oldest (when the first slot frees up).
#[derive(Debug, Clone, Copy, Default)]
pub struct Failures {
    pub count: i64,
    pub oldest: Option<chrono::DateTime<chrono::Utc>>,
}

/// Refuses a sign-in with RATE_LIMITED, saying when to retry, once either limit is reached.
pub fn ensure_sign_in_allowed(
    by_email: Failures,
    by_client: Failures,
    now: chrono::DateTime<chrono::Utc>,
) -> super::AppResult<()> {
    let window = chrono::Duration::minutes(SIGN_IN_WINDOW_MINUTES);
    let limited = [(by_email, SIGN_IN_FAILURES_PER_EMAIL), (by_client, SIGN_IN_FAILURES_PER_CLIENT)]
        .into_iter()
        .filter(|(f, limit)| f.count >= *limit)
        .filter_map(|(f, _)| f.oldest.map(|o| o + window))
        .max();
    match limited {
        None => Ok(()),
        Some(retry_at) => {
            let seconds = (retry_at - now).num_seconds().max(1);
            Err(super::AppError::refused(
                super::Code::RateLimited,
                format!("too many failed sign-ins; try again in {} minute(s)", (seconds + 59) / 60),
            )
            .with_details(serde_json::json!({ "retryAfterSeconds": seconds, "retryAt": retry_at })))
        }
    }
}

pub fn check_password_strength(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 12 {
        return Err("a password needs at least 12 characters");
    }
    if password.len() > 1024 {
        return Err("a password may have at most 1024 bytes");
    }
    Ok(())
}

/// A new bearer secret: 256 random bits, with a prefix that tells its kind at a glance
/// (and lets secret scanners find leaked API tokens).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored for a secret: enough to recognise it, useless to replay.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Draws of a link code before giving up: a collision is all but impossible, two in a row a bug.
pub const LINK_CODE_ATTEMPTS: usize = 3;

/// A random code for links (invitations, partnerships): 128 bits, URL-safe.
pub fn new_link_code() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_a_salt() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert_ne!(h, hash_password("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn secrets_are_long_random_and_hashed() {
        let a = new_secret("mcs");
        let b = new_secret("mcs");
        assert_ne!(a, b);
        assert!(a.starts_with("mcs_") && a.len() >= 4 + 43);
        assert_eq!(secret_hash(&a), secret_hash(&a));
        assert_ne!(secret_hash(&a), secret_hash(&b));
    }

    #[test]
    fn sign_ins_are_throttled_per_email_and_per_client() {
        let now = chrono::Utc::now();
        let few = Failures { count: 4, oldest: Some(now) };
        assert!(ensure_sign_in_allowed(few, few, now).is_ok());
        let oldest = now - chrono::Duration::minutes(5);
        let many = Failures { count: 5, oldest: Some(oldest) };
        let e = ensure_sign_in_allowed(many, few, now).unwrap_err();
        assert_eq!(e.code(), super::super::Code::RateLimited);
        let crate::domain::AppError::Refused(r) = e else { panic!() };
        assert_eq!(r.details.unwrap()["retryAfterSeconds"], 600);
        let client = Failures { count: 30, oldest: Some(oldest) };
        assert!(ensure_sign_in_allowed(few, client, now).is_err());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_password_strength("short").is_err());
        assert!(check_password_strength("long enough password").is_ok());
    }
}
