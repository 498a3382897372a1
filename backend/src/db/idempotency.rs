//! Idempotency keys: claimed by an insert before the mutation runs (the primary key decides
//! between concurrent requests), completed with the response, swept after a day. The rules
//! (retention, abandonment, what a retry gets) are in `domain::idempotency`.

use crate::domain::AppResult;
use crate::domain::idempotency::Stored;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Claims the key for this request: inserts it, or takes over a row that expired (created
/// before `expired_before`) or whose request was abandoned while running. `false`: another
/// request holds it; read it with [`stored`].
#[allow(clippy::too_many_arguments)]
pub async fn claim(
    db: impl PgExecutor<'_>,
    principal_id: Uuid,
    key: &str,
    request_hash: &[u8],
    now: DateTime<Utc>,
    expired_before: DateTime<Utc>,
    abandoned_before: DateTime<Utc>,
) -> AppResult<bool> {
    let claimed = sqlx::query_scalar!(
        r#"insert into idempotency_key (principal_id, idempotency_key, request_hash, created_at)
           values ($1, $2, $3, $4)
           on conflict (principal_id, idempotency_key) do update
             set request_hash = excluded.request_hash, response_status = null, response_body = null,
                 created_at = excluded.created_at
             where idempotency_key.created_at < $5
                or (idempotency_key.response_status is null and idempotency_key.created_at < $6)
           returning true as "claimed!""#,
        principal_id,
        key,
        request_hash,
        now,
        expired_before,
        abandoned_before,
    )
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}

/// The row another request claimed (None if it was swept in between).
pub async fn stored(db: impl PgExecutor<'_>, principal_id: Uuid, key: &str) -> AppResult<Option<Stored>> {
    let row = sqlx::query!(
        "select request_hash, response_status, response_body from idempotency_key \
         where principal_id = $1 and idempotency_key = $2",
        principal_id,
        key,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Stored {
        request_hash: r.request_hash,
        response: match (r.response_status, r.response_body) {
            (Some(status), Some(body)) => Some((status as u16, body)),
            _ => None,
        },
    }))
}

/// Records the first response, if this request's claim still holds the key (claimed at
/// `claimed_at` for this request; a takeover by another request is never overwritten).
#[allow(clippy::too_many_arguments)]
pub async fn complete(
    db: impl PgExecutor<'_>,
    principal_id: Uuid,
    key: &str,
    claimed_at: DateTime<Utc>,
    request_hash: &[u8],
    status: u16,
    body: &[u8],
) -> AppResult<()> {
    sqlx::query!(
        "update idempotency_key set response_status = $5, response_body = $6 \
         where principal_id = $1 and idempotency_key = $2 and created_at = $3 and request_hash = $4 \
           and response_status is null",
        principal_id,
        key,
        claimed_at,
        request_hash,
        status as i16,
        body,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes keys created before `before`; returns how many.
pub async fn sweep(db: impl PgExecutor<'_>, before: DateTime<Utc>) -> AppResult<usize> {
    let done = sqlx::query!("delete from idempotency_key where created_at < $1", before).execute(db).await?;
    Ok(done.rows_affected() as usize)
}
