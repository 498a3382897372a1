//! Signing in and out, and API tokens for third parties.

use crate::AppState;
use crate::db::{audit, users};
use crate::domain::access::ensure_may_write;
use crate::domain::credentials::{dummy_password_hash, new_secret, secret_hash, verify_password};
use crate::domain::{AppError, AppResult, Code, TokenKind, Viewer};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// A token just issued: the secret is shown this once and never stored.
pub struct IssuedToken {
    pub secret: String,
    pub token: users::Token,
}

/// Record a token's use at most this often, so reads do not become writes.
const TOKEN_USE_RESOLUTION_SECONDS: i64 = 60;

/// The viewer behind a bearer secret, or `None` when it is unknown, revoked or expired.
pub async fn authenticate(state: &AppState, secret: &str, now: DateTime<Utc>) -> AppResult<Option<Viewer>> {
    let Some((viewer, last_used)) =
        users::viewer_by_secret_hash(&state.pool, &secret_hash(secret), now).await?
    else {
        return Ok(None);
    };
    if last_used.is_none_or(|t| now - t > Duration::seconds(TOKEN_USE_RESOLUTION_SECONDS)) {
        users::record_token_use(&state.pool, viewer.token_id, now).await?;
    }
    Ok(Some(viewer))
}

pub async fn sign_in(state: &AppState, email: &str, password: &str) -> AppResult<IssuedToken> {
    let now = state.clock.now();
    let found = users::credentials(&state.pool, email.trim()).await?;
    // Verify against a stand-in hash when the email is unknown: the same work either way.
    let (user_id, hash) = match &found {
        Some((id, hash)) => (Some(*id), hash.as_str()),
        None => (None, dummy_password_hash()),
    };
    let password = password.to_owned();
    let hash_owned = hash.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash_owned))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let user_id = match (ok, user_id) {
        (true, Some(id)) => id,
        _ => return Err(AppError::refused(Code::Unauthenticated, "wrong email or password")),
    };
    let secret = new_secret("mcs");
    let mut tx = state.pool.begin().await?;
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
        },
    )
    .await?;
    let org: Option<Uuid> = sqlx::query_scalar("select organization_id from app_user where user_id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    audit::append(
        &mut *tx,
        audit::Actor { user_id: Some(user_id), organization_id: org },
        now,
        audit::Event::new("session.created", "User", user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedToken { secret, token })
}

/// Ends the session (or revokes the API token) the request came with.
pub async fn sign_out(state: &AppState, viewer: &Viewer) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    users::revoke_token(&mut *tx, viewer.user_id, viewer.token_id, now).await?;
    audit::append(&mut *tx, viewer.into(), now, audit::Event::new("session.ended", "User", viewer.user_id))
        .await?;
    tx.commit().await?;
    Ok(())
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
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::bad_input("a token name has 1 to 100 characters"));
    }
    if input.expires_at.is_some_and(|at| at <= now) {
        return Err(AppError::bad_input("expiresAt must be in the future"));
    }
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
            expires_at: input.expires_at,
            created_at: now,
        },
    )
    .await?;
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new("api_token.created", "ApiToken", token.token_id).details(
            serde_json::json!({ "name": name, "readOnly": input.read_only, "expiresAt": input.expires_at }),
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
    Ok(token)
}
