//! Multi-factor sign-in: TOTP codes (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of
//! clock skew either way) and single-use recovery codes.

use super::error::{AppError, AppResult};
use base64::Engine;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Totp};

/// The name authenticator apps show above the code.
pub const ISSUER: &str = "Multichannel";
/// Recovery codes issued at enrolment, each usable once.
pub const RECOVERY_CODES: usize = 10;

/// A new TOTP secret: 160 random bits, as RFC 4226 recommends.
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

fn totp(secret: &[u8], account: &str) -> AppResult<Totp> {
    // An authenticator's label is "issuer:account"; a colon in the account would break it.
    let account = account.replace(':', " ");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("building a TOTP: {e:?}")))
}

/// What the user scans or types to enrol an authenticator app.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32, for typing it in.
    pub secret: String,
    /// The `otpauth://` URL the QR code holds.
    pub url: String,
    /// The QR code as an SVG image, in a `data:` URL.
    pub qr_code: String,
}

pub fn enrolment(secret: &[u8], account: &str) -> AppResult<Enrolment> {
    let t = totp(secret, account)?;
    let url = t.to_url().map_err(|e| AppError::Internal(anyhow::anyhow!("a TOTP URL: {e:?}")))?;
    let code = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a QR code: {e}")))?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build();
    let qr_code = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg.as_bytes())
    );
    Ok(Enrolment { secret: t.secret().to_base32(), url, qr_code })
}

/// Whether `code` is six digits (spaces allowed), the shape of a TOTP code.
pub fn looks_like_totp(code: &str) -> bool {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The time step a TOTP code is valid for at `unix_seconds` (within one step of skew), if it is
/// valid and newer than `last_step`: a code is accepted once, never again within its window.
pub fn accepted_step(secret: &[u8], code: &str, unix_seconds: i64, last_step: i64) -> AppResult<Option<i64>> {
    if !looks_like_totp(code) || unix_seconds < 0 {
        return Ok(None);
    }
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let t = totp(secret, "")?;
    Ok(t.check(&code, unix_seconds as u64).map(|s| s as i64).filter(|s| *s > last_step))
}

/// The current code for a secret (tests and the e2e compute it the same way an app does).
pub fn current_code(secret: &[u8], unix_seconds: i64) -> AppResult<String> {
    Ok(totp(secret, "")?.generate(unix_seconds.max(0) as u64).to_string())
}

/// The current code for a secret written in base32, as shown at enrolment.
pub fn current_code_base32(secret: &str, unix_seconds: i64) -> AppResult<String> {
    let bytes = totp_rs::Secret::try_from_base32(secret.trim())
        .map_err(|_| AppError::bad_input("not a base32 secret"))?;
    current_code(bytes.as_ref(), unix_seconds)
}

/// New recovery codes: 80 random bits each, written as two groups of 8 base32 letters.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            OsRng.fill_bytes(&mut bytes);
            let text = totp_rs::Secret::from(bytes.to_vec()).to_base32().to_ascii_lowercase();
            format!("{}-{}", &text[..8], &text[8..16])
        })
        .collect()
}

/// A recovery code as typed: lower case, without spaces or dashes, so "ABCD EFGH-…" matches.
fn normalised(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// What is stored for a recovery code (high entropy: a fast hash suffices, as for tokens).
pub fn recovery_code_hash(code: &str) -> Vec<u8> {
    Sha256::digest(normalised(code).as_bytes()).to_vec()
}

/// Whether `code` has the shape of a recovery code (16 base32 letters once normalised).
pub fn looks_like_recovery_code(code: &str) -> bool {
    code.len() <= 64 && normalised(code).len() == 16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vector() {
        // RFC 6238 appendix B: "12345678901234567890", T = 59 s → 94287082 (8 digits); its
        // last six digits are the 6-digit code.
        let secret = b"12345678901234567890";
        assert_eq!(current_code(secret, 59).unwrap(), "287082");
    }

    #[test]
    fn a_code_is_accepted_once_and_within_its_window() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = current_code(&secret, now).unwrap();
        let step = accepted_step(&secret, &code, now, 0).unwrap().unwrap();
        assert_eq!(step, now / 30);
        assert_eq!(accepted_step(&secret, &code, now, step).unwrap(), None, "reused");
        assert!(accepted_step(&secret, &code, now + 30, 0).unwrap().is_some(), "one step of skew");
        assert_eq!(accepted_step(&secret, &code, now + 95, 0).unwrap(), None, "too late");
        assert_eq!(accepted_step(&secret, "12345", now, 0).unwrap(), None);
        assert_eq!(accepted_step(&secret, "abcdef", now, 0).unwrap(), None);
    }

    #[test]
    fn recovery_codes_are_random_and_forgiving_to_type() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_ne!(codes[0], codes[1]);
        assert!(looks_like_recovery_code(&codes[0]));
        assert_eq!(
            recovery_code_hash(&codes[0]),
            recovery_code_hash(&codes[0].to_uppercase().replace('-', " "))
        );
        assert!(!looks_like_recovery_code("123456"));
    }

    #[test]
    fn enrolment_shows_a_qr_code_and_the_secret() {
        let e = enrolment(&new_secret(), "admin@contoso.demo").unwrap();
        assert!(e.url.starts_with("otpauth://totp/Multichannel:admin%40contoso.demo?"), "{}", e.url);
        assert!(e.qr_code.starts_with("data:image/svg+xml;base64,"));
        assert_eq!(e.secret.len(), 32);
    }
}
