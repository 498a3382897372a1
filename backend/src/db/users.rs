//! Users, their roles, and the bearer tokens they sign in with.

use crate::domain::{AppResult, OrganizationKind, PartnerProgram, Role, TokenKind, Viewer};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
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

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<User>> {
    Ok(sqlx::query_as!(
        User,
        r#"select u.user_id as id, u.organization_id, u.email, u.display_name, u.created_at,
               array(select role from user_role r where r.user_id = u.user_id order by role)
                   as "roles!: Vec<Role>"
           from app_user u where u.user_id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await?)
}

pub async fn in_organization(db: impl PgExecutor<'_>, organization_id: Uuid) -> AppResult<Vec<User>> {
    Ok(sqlx::query_as!(
        User,
        r#"select u.user_id as id, u.organization_id, u.email, u.display_name, u.created_at,
               array(select role from user_role r where r.user_id = u.user_id order by role)
                   as "roles!: Vec<Role>"
           from app_user u where u.organization_id = $1 order by lower(u.email)"#,
        organization_id,
    )
    .fetch_all(db)
    .await?)
}

pub async fn insert(
    db: &mut sqlx::PgConnection,
    organization_id: Uuid,
    email: &str,
    display_name: &str,
    password_hash: &str,
    roles: &[Role],
) -> AppResult<Uuid> {
    let user_id = sqlx::query_scalar!(
        "insert into app_user (organization_id, email, display_name, password_hash)
         values ($1, $2, $3, $4) returning user_id",
        organization_id,
        email,
        display_name,
        password_hash,
    )
    .fetch_one(&mut *db)
    .await?;
    sqlx::query!("insert into user_role (user_id, role) select $1, unnest($2::text[])", user_id, roles as _,)
        .execute(&mut *db)
        .await?;
    Ok(user_id)
}

/// The accounts of an email (one per organization at most), oldest first, at most `limit`:
/// user id and password hash, to check a sign-in.
pub async fn credentials(db: impl PgExecutor<'_>, email: &str, limit: i64) -> AppResult<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        "select user_id, password_hash from app_user where lower(email) = lower($1)
         order by created_at, user_id limit $2",
        email,
        limit,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.password_hash)).collect())
}

#[derive(Debug, Clone)]
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

pub async fn insert_token(db: impl PgExecutor<'_>, t: NewToken<'_>) -> AppResult<Token> {
    Ok(sqlx::query_as!(
        Token,
        r#"insert into auth_token (user_id, kind, name, secret_hash, read_only, expires_at, created_at)
           values ($1, $2, $3, $4, $5, $6, $7)
           returning token_id, user_id, name, read_only, created_at, expires_at as "expires_at?",
               revoked_at, last_used_at"#,
        t.user_id,
        t.kind as _,
        t.name,
        t.secret_hash,
        t.read_only,
        t.expires_at,
        t.created_at,
    )
    .fetch_one(db)
    .await?)
}

/// The viewer a secret stands for, if the token is known, unrevoked and unexpired at `now`.
/// Also returns when the token was last used, so the caller can decide to record this use.
pub async fn viewer_by_secret_hash(
    db: impl PgExecutor<'_>,
    secret_hash: &[u8],
    now: DateTime<Utc>,
) -> AppResult<Option<(Viewer, Option<DateTime<Utc>>)>> {
    let row = sqlx::query!(
        r#"select t.token_id, t.kind as "kind: TokenKind", t.read_only, t.last_used_at,
               t.expires_at as "expires_at?", u.user_id, u.organization_id,
               o.kind as "organization_kind: OrganizationKind", p.program as "program?: PartnerProgram",
               array(select role from user_role r where r.user_id = u.user_id order by role)
                   as "roles!: Vec<Role>"
           from auth_token t
           join app_user u using (user_id)
           join organization o using (organization_id)
           left join partner p on p.partner_id = o.organization_id
           where t.secret_hash = $1 and t.revoked_at is null
             and (t.expires_at is null or t.expires_at > $2)"#,
        secret_hash,
        now,
    )
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let viewer = Viewer {
        user_id: r.user_id,
        organization_id: r.organization_id,
        organization_kind: r.organization_kind,
        partner_program: r.program,
        roles: r.roles,
        token_id: r.token_id,
        token_kind: r.kind,
        read_only: r.read_only,
        token_expires_at: r.expires_at,
    };
    Ok(Some((viewer, r.last_used_at)))
}

pub async fn record_token_use(db: impl PgExecutor<'_>, token_id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!("update auth_token set last_used_at = $2 where token_id = $1", token_id, now)
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
    Ok(sqlx::query_as!(
        Token,
        r#"update auth_token set revoked_at = $3
           where token_id = $1 and user_id = $2 and revoked_at is null
           returning token_id, user_id, name, read_only, created_at, expires_at as "expires_at?",
               revoked_at, last_used_at"#,
        token_id,
        user_id,
        now,
    )
    .fetch_optional(db)
    .await?)
}

pub async fn api_tokens(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<Vec<Token>> {
    Ok(sqlx::query_as!(
        Token,
        r#"select token_id, user_id, name, read_only, created_at, expires_at as "expires_at?",
               revoked_at, last_used_at
           from auth_token where user_id = $1 and kind = 'API'
           order by created_at desc, token_id"#,
        user_id,
    )
    .fetch_all(db)
    .await?)
}

/// One page of the user's API tokens, newest first.
pub async fn api_tokens_page(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    page: &super::page::PageRequest,
) -> AppResult<super::page::Page<Token>> {
    let after = page.after.as_ref().map(|a| super::page::parse_time_key(&a.key)).transpose()?;
    let rows = sqlx::query_as!(
        Token,
        r#"select token_id, user_id, name, read_only, created_at, expires_at as "expires_at?",
               revoked_at, last_used_at
           from auth_token where user_id = $1 and kind = 'API'
             and ($2::timestamptz is null or created_at < $2 or (created_at = $2 and token_id > $3))
           order by created_at desc, token_id limit $4"#,
        user_id,
        after,
        page.after.as_ref().map(|a| a.id),
        page.fetch_limit(),
    )
    .fetch_all(db)
    .await?;
    Ok(super::page::Page::from_rows(rows, page))
}

/// How many API tokens the user has, counted up to `COUNT_LIMIT`.
pub async fn api_tokens_count(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<super::page::Count> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (select 1 from auth_token where user_id = $1 and kind = 'API' limit $2) n"#,
        user_id,
        super::page::COUNT_LIMIT + 1,
    )
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
    let r = sqlx::query!(
        r#"select (select count(*) from sign_in_failure where email = $1 and failed_at > $3) as "by_email!",
                  (select min(failed_at) from sign_in_failure where email = $1 and failed_at > $3) as email_since,
                  (select count(*) from sign_in_failure where client = $2 and failed_at > $3) as "by_client!",
                  (select min(failed_at) from sign_in_failure where client = $2 and failed_at > $3) as client_since"#,
        email,
        client,
        since,
    )
    .fetch_one(db)
    .await?;
    Ok((r.by_email, r.email_since, r.by_client, r.client_since))
}

pub async fn record_sign_in_failure(
    db: impl PgExecutor<'_>,
    email: &str,
    client: &str,
    at: DateTime<Utc>,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        "insert into sign_in_failure (email, client, failed_at) values ($1, $2, $3) returning sign_in_failure_id",
        email,
        client,
        at,
    )
    .fetch_one(db)
    .await?)
}

/// Takes back one attempt (it succeeded, or was refused before it was tried).
pub async fn forget_sign_in_attempt(db: impl PgExecutor<'_>, id: i64) -> AppResult<()> {
    sqlx::query!("delete from sign_in_failure where sign_in_failure_id = $1", id).execute(db).await?;
    Ok(())
}

/// Forgets failed sign-ins older than `before` (they no longer count); returns how many.
pub async fn prune_sign_in_failures(db: impl PgExecutor<'_>, before: DateTime<Utc>) -> AppResult<usize> {
    let done = sqlx::query!("delete from sign_in_failure where failed_at < $1", before).execute(db).await?;
    Ok(done.rows_affected() as usize)
}

/// The organization a user belongs to.
pub async fn organization_of(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!("select organization_id from app_user where user_id = $1", user_id)
        .fetch_optional(db)
        .await?)
}
