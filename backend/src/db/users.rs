//! Users, their roles, and the bearer tokens they sign in with.

use super::parse;
use crate::domain::{AppResult, Role, TokenKind, Viewer};
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, FromRow, PgExecutor};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct UserRow {
    user_id: Uuid,
    organization_id: Uuid,
    email: String,
    display_name: String,
    roles: Vec<String>,
    created_at: DateTime<Utc>,
}

fn roles(texts: &[String]) -> AppResult<Vec<Role>> {
    texts.iter().map(|r| parse(r)).collect()
}

impl TryFrom<UserRow> for User {
    type Error = crate::domain::AppError;
    fn try_from(r: UserRow) -> AppResult<User> {
        Ok(User {
            id: r.user_id,
            organization_id: r.organization_id,
            email: r.email,
            display_name: r.display_name,
            roles: roles(&r.roles)?,
            created_at: r.created_at,
        })
    }
}

const SELECT_USER: &str = "select u.user_id, u.organization_id, u.email, u.display_name, u.created_at, \
    array(select role from user_role r where r.user_id = u.user_id order by role) as roles \
    from app_user u ";

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(AssertSqlSafe(format!("{SELECT_USER} where u.user_id = $1")))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(User::try_from).transpose()
}

pub async fn in_organization(db: impl PgExecutor<'_>, organization_id: Uuid) -> AppResult<Vec<User>> {
    let rows: Vec<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
        "{SELECT_USER} where u.organization_id = $1 order by lower(u.email)"
    )))
    .bind(organization_id)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(User::try_from).collect()
}

pub async fn insert(
    db: &mut sqlx::PgConnection,
    organization_id: Uuid,
    email: &str,
    display_name: &str,
    password_hash: &str,
    roles: &[Role],
) -> AppResult<Uuid> {
    let user_id: Uuid = sqlx::query_scalar(
        "insert into app_user (organization_id, email, display_name, password_hash) \
         values ($1, $2, $3, $4) returning user_id",
    )
    .bind(organization_id)
    .bind(email)
    .bind(display_name)
    .bind(password_hash)
    .fetch_one(&mut *db)
    .await?;
    let role_texts: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    sqlx::query("insert into user_role (user_id, role) select $1, unnest($2::text[])")
        .bind(user_id)
        .bind(&role_texts)
        .execute(&mut *db)
        .await?;
    Ok(user_id)
}

/// The accounts of an email (one per organization at most), oldest first, at most `limit`:
/// user id and password hash, to check a sign-in.
pub async fn credentials(db: impl PgExecutor<'_>, email: &str, limit: i64) -> AppResult<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "select user_id, password_hash from app_user where lower(email) = lower($1) \
         order by created_at, user_id limit $2",
    )
    .bind(email)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct Token {
    pub token_id: Uuid,
    pub user_id: Uuid,
    pub name: Option<String>,
    pub read_only: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

pub struct NewToken<'a> {
    pub user_id: Uuid,
    pub kind: TokenKind,
    pub name: Option<&'a str>,
    pub secret_hash: &'a [u8],
    pub read_only: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const TOKEN_COLUMNS: &str =
    "token_id, user_id, name, read_only, created_at, expires_at, revoked_at, last_used_at";

pub async fn insert_token(db: impl PgExecutor<'_>, t: NewToken<'_>) -> AppResult<Token> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "insert into auth_token (user_id, kind, name, secret_hash, read_only, expires_at, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7) returning {TOKEN_COLUMNS}"
    )))
    .bind(t.user_id)
    .bind(t.kind.as_str())
    .bind(t.name)
    .bind(t.secret_hash)
    .bind(t.read_only)
    .bind(t.expires_at)
    .bind(t.created_at)
    .fetch_one(db)
    .await?)
}

#[derive(FromRow)]
struct ViewerRow {
    token_id: Uuid,
    kind: String,
    read_only: bool,
    last_used_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    user_id: Uuid,
    organization_id: Uuid,
    organization_kind: String,
    program: Option<String>,
    roles: Vec<String>,
}

/// The viewer a secret stands for, if the token is known, unrevoked and unexpired at `now`.
/// Also returns when the token was last used, so the caller can decide to record this use.
pub async fn viewer_by_secret_hash(
    db: impl PgExecutor<'_>,
    secret_hash: &[u8],
    now: DateTime<Utc>,
) -> AppResult<Option<(Viewer, Option<DateTime<Utc>>)>> {
    let row: Option<ViewerRow> = sqlx::query_as(
        "select t.token_id, t.kind, t.read_only, t.last_used_at, t.expires_at, u.user_id, u.organization_id, \
                o.kind as organization_kind, p.program, \
                array(select role from user_role r where r.user_id = u.user_id order by role) as roles \
         from auth_token t \
         join app_user u using (user_id) \
         join organization o using (organization_id) \
         left join partner p on p.partner_id = o.organization_id \
         where t.secret_hash = $1 and t.revoked_at is null \
           and (t.expires_at is null or t.expires_at > $2)",
    )
    .bind(secret_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let viewer = Viewer {
        user_id: r.user_id,
        organization_id: r.organization_id,
        organization_kind: parse(&r.organization_kind)?,
        partner_program: r.program.as_deref().map(parse).transpose()?,
        roles: roles(&r.roles)?,
        token_id: r.token_id,
        token_kind: parse(&r.kind)?,
        read_only: r.read_only,
        token_expires_at: r.expires_at,
    };
    Ok(Some((viewer, r.last_used_at)))
}

pub async fn record_token_use(db: impl PgExecutor<'_>, token_id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query("update auth_token set last_used_at = $2 where token_id = $1")
        .bind(token_id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Revokes a token of the user; false when it has no such live token.
pub async fn revoke_token(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    token_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<Token>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "update auth_token set revoked_at = $3 \
         where token_id = $1 and user_id = $2 and revoked_at is null returning {TOKEN_COLUMNS}"
    )))
    .bind(token_id)
    .bind(user_id)
    .bind(now)
    .fetch_optional(db)
    .await?)
}

pub async fn api_tokens(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<Vec<Token>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "select {TOKEN_COLUMNS} from auth_token where user_id = $1 and kind = 'API' \
         order by created_at desc, token_id"
    )))
    .bind(user_id)
    .fetch_all(db)
    .await?)
}

/// One page of [`api_tokens`], newest first.
pub async fn api_tokens_page(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    page: &super::page::PageRequest,
) -> AppResult<super::page::Page<Token>> {
    let after = page.after.as_ref().map(|a| super::page::parse_time_key(&a.key)).transpose()?;
    let rows = sqlx::query_as(AssertSqlSafe(format!(
        "select {TOKEN_COLUMNS} from auth_token where user_id = $1 and kind = 'API' \
           and ($2::timestamptz is null or created_at < $2 or (created_at = $2 and token_id > $3)) \
         order by created_at desc, token_id limit $4"
    )))
    .bind(user_id)
    .bind(after)
    .bind(page.after.as_ref().map(|a| a.id))
    .bind(page.fetch_limit())
    .fetch_all(db)
    .await?;
    Ok(super::page::Page::from_rows(rows, page))
}

/// How many API tokens the user has, counted up to `COUNT_LIMIT`.
pub async fn api_tokens_count(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<super::page::Count> {
    let n: i64 = sqlx::query_scalar(
        "select count(*) from (select 1 from auth_token where user_id = $1 and kind = 'API' limit $2) n",
    )
    .bind(user_id)
    .bind(super::page::COUNT_LIMIT + 1)
    .fetch_one(db)
    .await?;
    Ok(super::page::Count::from_bounded(n))
}

/// Failed sign-ins since `since`, for one email and for one client address.
pub async fn sign_in_failures(
    db: impl PgExecutor<'_>,
    email: &str,
    client: &str,
    since: DateTime<Utc>,
) -> AppResult<(i64, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>)> {
    Ok(sqlx::query_as(
        "select (select count(*) from sign_in_failure where email = $1 and failed_at > $3), \
                (select min(failed_at) from sign_in_failure where email = $1 and failed_at > $3), \
                (select count(*) from sign_in_failure where client = $2 and failed_at > $3), \
                (select min(failed_at) from sign_in_failure where client = $2 and failed_at > $3)",
    )
    .bind(email)
    .bind(client)
    .bind(since)
    .fetch_one(db)
    .await?)
}

pub async fn record_sign_in_failure(
    db: impl PgExecutor<'_>,
    email: &str,
    client: &str,
    at: DateTime<Utc>,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "insert into sign_in_failure (email, client, failed_at) values ($1, $2, $3) returning sign_in_failure_id",
    )
    .bind(email)
    .bind(client)
    .bind(at)
    .fetch_one(db)
    .await?)
}

/// Takes back one attempt (it succeeded, or was refused before it was tried).
pub async fn forget_sign_in_attempt(db: impl PgExecutor<'_>, id: i64) -> AppResult<()> {
    sqlx::query("delete from sign_in_failure where sign_in_failure_id = $1").bind(id).execute(db).await?;
    Ok(())
}

/// Forgets failed sign-ins older than `before` (they no longer count); returns how many.
pub async fn prune_sign_in_failures(db: impl PgExecutor<'_>, before: DateTime<Utc>) -> AppResult<usize> {
    let done =
        sqlx::query("delete from sign_in_failure where failed_at < $1").bind(before).execute(db).await?;
    Ok(done.rows_affected() as usize)
}
