//! Signing in and out, and API tokens for third parties.

use crate::AppState;
use crate::auth_cache::CachedViewer;
use crate::db::{audit, users};
use crate::domain::access::ensure_may_write;
use crate::domain::credentials::{
    Failures, SIGN_IN_WINDOW_MINUTES, dummy_password_hash, ensure_sign_in_allowed, new_secret, secret_hash,
};
use crate::domain::mfa;
use crate::domain::{AppError, AppResult, Code, TokenKind, Viewer};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// A token just issued: the secret is shown this once and never stored.
pub struct IssuedToken {
    pub secret: String,
    pub token: users::Token,
}

/// Accounts of one address tried at sign-in (one per organization it belongs to).
const MAX_ACCOUNTS_PER_EMAIL: i64 = 5;

/// Record a token's use at most this often, so reads do not become writes.
const TOKEN_USE_RESOLUTION_SECONDS: i64 = 60;

/// The viewer behind a bearer secret, or `None` when it is unknown, revoked or expired.
/// Served from the token cache when it can be (it is emptied on every instance when a token
/// is revoked); expiry is checked against `now` either way.
pub async fn authenticate(state: &AppState, secret: &str, now: DateTime<Utc>) -> AppResult<Option<Viewer>> {
    let hash = secret_hash(secret);
    let generation = state.tokens.generation();
    let (viewer, last_used) = match state.tokens.get(&hash) {
        Some(cached) => (cached.viewer, cached.last_used),
        None => match users::viewer_by_secret_hash(&state.pool, &hash, now).await? {
            Some(found) => found,
            None => return Ok(None),
        },
    };
    if viewer.token_expires_at.is_some_and(|end| end <= now) {
        return Ok(None);
    }
    let last_used = if last_used.is_none_or(|t| now - t > Duration::seconds(TOKEN_USE_RESOLUTION_SECONDS)) {
        users::record_token_use(&state.pool, viewer.token_id, now).await?;
        Some(now)
    } else {
        last_used
    };
    state.tokens.keep(hash, CachedViewer { viewer: viewer.clone(), last_used }, generation);
    Ok(Some(viewer))
}

/// Signs in with email and password from `client` (the caller's address), and with a TOTP or
/// recovery code when the account has multi-factor sign-in. Failed attempts (a wrong password
/// or a wrong code) are throttled per email and per address (kept in the database, so every
/// instance counts them), which bounds guesses of the 6 digits as it bounds passwords; and
/// passwords are verified a few at a time in fixed memory.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    code: Option<&str>,
    client: &str,
) -> AppResult<IssuedToken> {
    let now = state.clock.now();
    let email = email.trim().to_lowercase();
    if password.len() > 1024 || email.len() > 254 || email.contains('\0') || password.contains('\0') {
        return Err(AppError::refused(Code::Unauthenticated, "wrong email or password"));
    }
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    if code.is_some_and(|c| c.len() > 64 || c.contains('\0')) {
        return Err(AppError::refused(Code::Unauthenticated, "wrong code"));
    }
    // The attempt counts as a failure before it is verified, so attempts made in parallel see
    // each other; a success takes back only its own row. Nothing else clears failures: an
    // address may be used by accounts of different people in different organizations.
    let attempt = throttled_attempt(state, &email, client, now).await?;
    // One address may have an account in several organizations (emails are unique per
    // organization): the first, oldest account whose password matches signs in. An unknown
    // address is verified against a stand-in hash: the same work as a wrong password.
    let accounts = users::credentials(&state.pool, &email, MAX_ACCOUNTS_PER_EMAIL).await?;
    let candidates: Vec<(Option<(Uuid, bool)>, &str)> = if accounts.is_empty() {
        vec![(None, dummy_password_hash())]
    } else {
        accounts.iter().map(|(id, hash, off)| (Some((*id, *off)), hash.as_str())).collect()
    };
    let mut found = None;
    for (id, hash) in candidates {
        if verify_password(state, password, hash, attempt).await? && id.is_some() {
            // A deactivated account with the same email and password must not hide an active one.
            let active = id.is_some_and(|(_, off)| !off);
            if found.is_none() || active {
                found = id;
            }
            if active {
                break;
            }
        }
    }
    let Some((user_id, deactivated)) = found else {
        return Err(AppError::refused(Code::Unauthenticated, "wrong email or password"));
    };
    if deactivated {
        // Said only to whoever knows the password: the account exists but may not sign in.
        users::forget_sign_in_attempt(&state.pool, attempt).await?;
        return Err(AppError::refused(
            Code::Unauthenticated,
            "this account is deactivated; an admin of your organization can reactivate it",
        ));
    }
    let mut tx = state.pool.begin().await?;
    let mfa = users::mfa(&mut *tx, user_id).await?;
    let mut second_factor = None;
    if let Some(secret) = &mfa.secret {
        let Some(code) = code else {
            // Not a failed guess: the client asks for the code and tries again.
            users::forget_sign_in_attempt(&state.pool, attempt).await?;
            return Err(AppError::refused(
                Code::MfaCodeRequired,
                "enter the 6-digit code from your authenticator app, or one of your recovery codes",
            ));
        };
        // A wrong code keeps the attempt as a failure: the throttle bounds guesses.
        second_factor = Some(check_second_factor(&mut tx, user_id, secret, mfa.last_step, code, now).await?);
    }
    users::forget_sign_in_attempt(&state.pool, attempt).await?;
    let enrol_only = mfa.organization_requires && mfa.secret.is_none();
    let secret = new_secret("mcs");
    let token = users::insert_token(
        &mut *tx,
        users::NewToken {
            user_id,
            kind: TokenKind::Session,
            name: None,
            secret_hash: &secret_hash(&secret),
            read_only: false,
            expires_at: Some(now + Duration::hours(state.limits.session_hours)),
            created_at: now,
            enrol_only,
        },
    )
    .await?;
    let org = users::organization_of(&mut *tx, user_id).await?;
    audit::append(
        &mut *tx,
        audit::Actor { user_id: Some(user_id), organization_id: org },
        now,
        audit::Event::new("session.created", "User", user_id).details(serde_json::json!({
            "secondFactor": second_factor.map(|f: SecondFactor| f.as_str()),
            "enrolOnly": enrol_only,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedToken { secret, token })
}

/// Records an attempt as a failure before it is checked, refusing it with RATE_LIMITED when
/// the email or the client address has failed too often lately. The caller takes the row back
/// (`forget_sign_in_attempt`) when the attempt succeeds.
pub async fn throttled_attempt(
    state: &AppState,
    email: &str,
    client: &str,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let attempt = users::record_sign_in_failure(&state.pool, email, client, now).await?;
    let since = now - Duration::minutes(SIGN_IN_WINDOW_MINUTES);
    let (by_email, email_oldest, by_client, client_oldest) =
        users::sign_in_failures(&state.pool, email, client, since).await?;
    let allowed = ensure_sign_in_allowed(
        Failures { count: by_email - 1, oldest: email_oldest },
        Failures { count: by_client - 1, oldest: client_oldest },
        now,
    );
    if let Err(refused) = allowed {
        users::forget_sign_in_attempt(&state.pool, attempt).await?;
        return Err(refused);
    }
    Ok(attempt)
}

/// Verifies a password on the hashing pool; when it is too busy, the attempt does not count
/// against anyone and the caller is told to retry.
pub async fn verify_password(state: &AppState, password: &str, hash: &str, attempt: i64) -> AppResult<bool> {
    match state.passwords.verify(password, hash).await {
        Ok(ok) => Ok(ok),
        Err(_) => {
            users::forget_sign_in_attempt(&state.pool, attempt).await?;
            Err(AppError::refused(Code::RateLimited, "too many sign-ins at once; try again in a second")
                .with_details(serde_json::json!({ "retryAfterSeconds": 1 })))
        }
    }
}

/// Which second factor a sign-in used.
#[derive(Debug, Clone, Copy)]
pub enum SecondFactor {
    Totp,
    RecoveryCode,
}

impl SecondFactor {
    fn as_str(self) -> &'static str {
        match self {
            SecondFactor::Totp => "TOTP",
            SecondFactor::RecoveryCode => "RECOVERY_CODE",
        }
    }
}

/// Accepts a TOTP code once (its step is claimed atomically, so a code replayed, even at the
/// same moment, fails) or an unused recovery code (used up here). Refuses anything else.
pub async fn check_second_factor(
    tx: &mut sqlx::PgConnection,
    user_id: Uuid,
    secret: &[u8],
    last_step: i64,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<SecondFactor> {
    let wrong = || AppError::refused(Code::Unauthenticated, "wrong code, or a code that was already used");
    if mfa::looks_like_totp(code) {
        let step = mfa::accepted_step(secret, code, now.timestamp(), last_step)?.ok_or_else(wrong)?;
        if !users::claim_totp_step(&mut *tx, user_id, step).await? {
            return Err(wrong());
        }
        return Ok(SecondFactor::Totp);
    }
    if mfa::looks_like_recovery_code(code)
        && users::use_recovery_code(&mut *tx, user_id, &mfa::recovery_code_hash(code), now).await?
    {
        let org = users::organization_of(&mut *tx, user_id).await?;
        audit::append(
            &mut *tx,
            audit::Actor { user_id: Some(user_id), organization_id: org },
            now,
            audit::Event::new("user.recovery_code_used", "User", user_id),
        )
        .await?;
        return Ok(SecondFactor::RecoveryCode);
    }
    Err(wrong())
}

/// Ends the session (or revokes the API token) the request came with.
pub async fn sign_out(state: &AppState, viewer: &Viewer) -> AppResult<()> {
    ensure_may_write(viewer)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    users::revoke_token(&mut *tx, viewer.user_id, viewer.token_id, now).await?;
    audit::append(&mut *tx, viewer.into(), now, audit::Event::new("session.ended", "User", viewer.user_id))
        .await?;
    tx.commit().await?;
    // Other instances hear it from the trigger; this one forgets at once.
    state.tokens.forget_all();
    Ok(())
}

/// API tokens live at most a year (90 days when no end is asked for), and a token minted with
/// another API token never outlives it.
pub const API_TOKEN_MAX_DAYS: i64 = 365;
pub const API_TOKEN_DEFAULT_DAYS: i64 = 90;

fn api_token_expiry(
    viewer: &Viewer,
    asked: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<DateTime<Utc>> {
    let latest = now + Duration::days(API_TOKEN_MAX_DAYS);
    let latest = match (viewer.token_kind, viewer.token_expires_at) {
        (TokenKind::Api, Some(parent)) => latest.min(parent),
        _ => latest,
    };
    let at = asked.unwrap_or_else(|| (now + Duration::days(API_TOKEN_DEFAULT_DAYS)).min(latest));
    if at <= now {
        return Err(AppError::bad_input("expiresAt must be in the future"));
    }
    if at > latest {
        return Err(AppError::bad_input(format!(
            "expiresAt may be at most {} (a year from now, and never after the token you are using)",
            latest.to_rfc3339()
        )));
    }
    Ok(at)
}

pub struct NewApiToken {
    pub name: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub read_only: bool,
}

pub async fn create_api_token(
    state: &AppState,
    viewer: &Viewer,
    input: NewApiToken,
) -> AppResult<IssuedToken> {
    ensure_may_write(viewer)?;
    let now = state.clock.now();
    let name =
        crate::domain::inputs::parse_line(&input.name, "name", crate::domain::inputs::limits::TOKEN_NAME)?;
    let name = name.as_str();
    let expires_at = api_token_expiry(viewer, input.expires_at, now)?;
    let secret = new_secret("mct");
    let mut tx = state.pool.begin().await?;
    let token = users::insert_token(
        &mut *tx,
        users::NewToken {
            user_id: viewer.user_id,
            kind: TokenKind::Api,
            name: Some(name),
            secret_hash: &secret_hash(&secret),
            read_only: input.read_only,
            expires_at: Some(expires_at),
            created_at: now,
            enrol_only: false,
        },
    )
    .await?;
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new("api_token.created", "ApiToken", token.token_id).details(
            serde_json::json!({ "name": name, "readOnly": input.read_only, "expiresAt": expires_at }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedToken { secret, token })
}

/// Revokes one of the viewer's own API tokens.
pub async fn revoke_api_token(state: &AppState, viewer: &Viewer, token_id: Uuid) -> AppResult<users::Token> {
    ensure_may_write(viewer)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let token = users::revoke_token(&mut *tx, viewer.user_id, token_id, now)
        .await?
        .ok_or_else(|| AppError::not_found("API token"))?;
    audit::append(&mut *tx, viewer.into(), now, audit::Event::new("api_token.revoked", "ApiToken", token_id))
        .await?;
    tx.commit().await?;
    state.tokens.forget_all();
    Ok(token)
}
