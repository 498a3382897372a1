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
    pub deactivated_at: Option<DateTime<Utc>>,
    pub mfa_enabled: bool,
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<User>> {
    Ok(sqlx::query_as!(
        User,
        r#"select u.user_id as id, u.organization_id, u.email, u.display_name, u.created_at,
               u.deactivated_at, u.totp_secret is not null as "mfa_enabled!",
               array(select role from user_role r where r.user_id = u.user_id order by role)
                   as "roles!: Vec<Role>"
           from app_user u where u.user_id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await?)
}

/// [`by_id`] for many ids at once (the creators of a page of bulk operations).
pub async fn by_ids(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<Vec<User>> {
    Ok(sqlx::query_as!(
        User,
        r#"select u.user_id as id, u.organization_id, u.email, u.display_name, u.created_at,
               u.deactivated_at, u.totp_secret is not null as "mfa_enabled!",
               array(select role from user_role r where r.user_id = u.user_id order by role)
                   as "roles!: Vec<Role>"
           from app_user u where u.user_id = any($1)"#,
        ids,
    )
    .fetch_all(db)
    .await?)
}

/// A user of the organization, locked for a change; `None` when it is not one of its users
/// (another tenant's user is "not found").
pub async fn in_organization_for_update(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    id: Uuid,
) -> AppResult<Option<User>> {
    Ok(sqlx::query_as!(
        User,
        r#"select u.user_id as id, u.organization_id, u.email, u.display_name, u.created_at,
               u.deactivated_at, u.totp_secret is not null as "mfa_enabled!",
               array(select role from user_role r where r.user_id = u.user_id order by role)
                   as "roles!: Vec<Role>"
           from app_user u where u.user_id = $1 and u.organization_id = $2 for update"#,
        id,
        organization_id,
    )
    .fetch_optional(db)
    .await?)
}

pub async fn in_organization(db: impl PgExecutor<'_>, organization_id: Uuid) -> AppResult<Vec<User>> {
    Ok(sqlx::query_as!(
        User,
        r#"select u.user_id as id, u.organization_id, u.email, u.display_name, u.created_at,
               u.deactivated_at, u.totp_secret is not null as "mfa_enabled!",
               array(select role from user_role r where r.user_id = u.user_id order by role)
                   as "roles!: Vec<Role>"
           from app_user u where u.organization_id = $1 order by lower(u.email)"#,
        organization_id,
    )
    .fetch_all(db)
    .await?)
}

/// One page of an organization's users, oldest first.
pub async fn page_in_organization(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    page: &super::page::PageRequest,
) -> AppResult<super::page::Page<User>> {
    let after = page.after.as_ref().map(|a| super::page::parse_time_key(&a.key)).transpose()?;
    let rows = sqlx::query_as!(
        User,
        r#"select u.user_id as id, u.organization_id, u.email, u.display_name, u.created_at,
               u.deactivated_at, u.totp_secret is not null as "mfa_enabled!",
               array(select role from user_role r where r.user_id = u.user_id order by role)
                   as "roles!: Vec<Role>"
           from app_user u where u.organization_id = $1
             and ($2::timestamptz is null or u.created_at > $2 or (u.created_at = $2 and u.user_id > $3))
           order by u.created_at, u.user_id limit $4"#,
        organization_id,
        after,
        page.after.as_ref().map(|a| a.id),
        page.fetch_limit(),
    )
    .fetch_all(db)
    .await?;
    Ok(super::page::Page::from_rows(rows, page))
}

/// How many users the organization has, counted up to `COUNT_LIMIT`.
pub async fn count_in_organization(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
) -> AppResult<super::page::Count> {
    let n = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (select 1 from app_user where organization_id = $1 limit $2) n"#,
        organization_id,
        super::page::COUNT_LIMIT + 1,
    )
    .fetch_one(db)
    .await?;
    Ok(super::page::Count::from_bounded(n))
}

/// Locks the organization for a change of its people (so two admins changing roles or
/// deactivating at once are decided one after the other, and never both remove the last
/// admin); answers whether it requires multi-factor sign-in.
pub async fn lock_organization(db: impl PgExecutor<'_>, organization_id: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        "select mfa_required from organization where organization_id = $1 for update",
        organization_id
    )
    .fetch_one(db)
    .await?)
}

/// Active users of the organization holding `role`, other than `except`.
pub async fn other_active_with_role(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    role: Role,
    except: Uuid,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"select count(*) as "n!" from app_user u join user_role r using (user_id)
           where u.organization_id = $1 and r.role = $2 and u.deactivated_at is null and u.user_id <> $3"#,
        organization_id,
        role as _,
        except,
    )
    .fetch_one(db)
    .await?)
}

/// Replaces a user's roles.
pub async fn set_roles(db: &mut sqlx::PgConnection, user_id: Uuid, roles: &[Role]) -> AppResult<()> {
    sqlx::query!("delete from user_role where user_id = $1", user_id).execute(&mut *db).await?;
    sqlx::query!("insert into user_role (user_id, role) select $1, unnest($2::text[])", user_id, roles as _)
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Deactivates (`Some(at)`) or reactivates (`None`) a user.
pub async fn set_deactivated(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    at: Option<DateTime<Utc>>,
) -> AppResult<()> {
    sqlx::query!("update app_user set deactivated_at = $2 where user_id = $1", user_id, at)
        .execute(db)
        .await?;
    Ok(())
}

/// Revokes a user's live tokens: all of them, or only sessions, always sparing `except`.
/// Returns how many.
pub async fn revoke_tokens(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    sessions_only: bool,
    except: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let done = sqlx::query!(
        "update auth_token set revoked_at = $4
         where user_id = $1 and revoked_at is null and (not $2 or kind = 'SESSION')
           and token_id is distinct from $3",
        user_id,
        sessions_only,
        except,
        now,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

pub async fn password_hash(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<String> {
    Ok(sqlx::query_scalar!("select password_hash from app_user where user_id = $1", user_id)
        .fetch_one(db)
        .await?)
}

pub async fn set_password_hash(db: impl PgExecutor<'_>, user_id: Uuid, hash: &str) -> AppResult<()> {
    sqlx::query!("update app_user set password_hash = $2 where user_id = $1", user_id, hash)
        .execute(db)
        .await?;
    Ok(())
}

/// A user's multi-factor state.
#[derive(Debug, Clone)]
pub struct Mfa {
    pub email: String,
    pub secret: Option<Vec<u8>>,
    pub pending_secret: Option<Vec<u8>>,
    pub last_step: i64,
    pub organization_requires: bool,
    pub unused_recovery_codes: i64,
}

pub async fn mfa(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<Mfa> {
    Ok(sqlx::query_as!(
        Mfa,
        r#"select u.email, u.totp_secret as secret, u.totp_pending_secret as pending_secret,
               u.totp_last_step as last_step, o.mfa_required as organization_requires,
               (select count(*) from recovery_code c where c.user_id = u.user_id and c.used_at is null)
                   as "unused_recovery_codes!"
           from app_user u join organization o using (organization_id) where u.user_id = $1"#,
        user_id,
    )
    .fetch_one(db)
    .await?)
}

pub async fn set_pending_totp(db: impl PgExecutor<'_>, user_id: Uuid, secret: &[u8]) -> AppResult<()> {
    sqlx::query!("update app_user set totp_pending_secret = $2 where user_id = $1", user_id, secret)
        .execute(db)
        .await?;
    Ok(())
}

/// Makes the pending secret the user's, with `step` as the last code used; false when there
/// was no pending enrolment (or one was confirmed meanwhile).
/// Only the secret the code was checked against is installed: a second enrolment begun meanwhile
/// makes this one fail rather than switch secrets under it.
pub async fn confirm_totp(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    step: i64,
    checked: &[u8],
) -> AppResult<bool> {
    let done = sqlx::query!(
        "update app_user set totp_secret = totp_pending_secret, totp_pending_secret = null, totp_last_step = $2
         where user_id = $1 and totp_pending_secret = $3 and totp_secret is null",
        user_id,
        step,
        checked,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that the code of `step` was used; false when it (or a later one) already was, so
/// of two sign-ins with one code at once only one succeeds.
pub async fn claim_totp_step(db: impl PgExecutor<'_>, user_id: Uuid, step: i64) -> AppResult<bool> {
    let done = sqlx::query!(
        "update app_user set totp_last_step = $2 where user_id = $1 and totp_last_step < $2",
        user_id,
        step,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn replace_recovery_codes(
    db: &mut sqlx::PgConnection,
    user_id: Uuid,
    hashes: &[Vec<u8>],
) -> AppResult<()> {
    sqlx::query!("delete from recovery_code where user_id = $1", user_id).execute(&mut *db).await?;
    sqlx::query!(
        "insert into recovery_code (user_id, code_hash) select $1, unnest($2::bytea[])",
        user_id,
        hashes,
    )
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Uses up a recovery code; false when it is not one of the user's unused codes.
pub async fn use_recovery_code(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    hash: &[u8],
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let done = sqlx::query!(
        "update recovery_code set used_at = $3 where user_id = $1 and code_hash = $2 and used_at is null",
        user_id,
        hash,
        now,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns multi-factor sign-in off for a user: secrets and recovery codes go.
pub async fn remove_totp(db: &mut sqlx::PgConnection, user_id: Uuid) -> AppResult<()> {
    sqlx::query!(
        "update app_user set totp_secret = null, totp_pending_secret = null where user_id = $1",
        user_id
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!("delete from recovery_code where user_id = $1", user_id).execute(&mut *db).await?;
    Ok(())
}

/// The user's enrol-only sessions become normal ones (enrolment is done).
pub async fn clear_enrol_only(db: impl PgExecutor<'_>, user_id: Uuid) -> AppResult<()> {
    sqlx::query!("update auth_token set enrol_only = false where user_id = $1 and enrol_only", user_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_mfa_required(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    required: bool,
) -> AppResult<()> {
    sqlx::query!(
        "update organization set mfa_required = $2 where organization_id = $1",
        organization_id,
        required
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Ends the sessions of the organization's users who have no second factor (they enrol at
/// their next sign-in); returns how many.
pub async fn revoke_sessions_without_mfa(
    db: impl PgExecutor<'_>,
    organization_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let done = sqlx::query!(
        "update auth_token t set revoked_at = $2 from app_user u
         where t.user_id = u.user_id and u.organization_id = $1 and u.totp_secret is null
           and t.kind = 'SESSION' and t.revoked_at is null",
        organization_id,
        now,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
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
/// Also says whether each account is deactivated.
pub async fn credentials(
    db: impl PgExecutor<'_>,
    email: &str,
    limit: i64,
) -> AppResult<Vec<(Uuid, String, bool)>> {
    let rows = sqlx::query!(
        r#"select user_id, password_hash, deactivated_at is not null as "deactivated!"
           from app_user where lower(email) = lower($1)
           order by created_at, user_id limit $2"#,
        email,
        limit,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.password_hash, r.deactivated)).collect())
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
    /// A session that may only enrol in multi-factor sign-in.
    pub enrol_only: bool,
}

pub async fn insert_token(db: impl PgExecutor<'_>, t: NewToken<'_>) -> AppResult<Token> {
    Ok(sqlx::query_as!(
        Token,
        r#"insert into auth_token (user_id, kind, name, secret_hash, read_only, expires_at, created_at, enrol_only)
           values ($1, $2, $3, $4, $5, $6, $7, $8)
           returning token_id, user_id, name, read_only, created_at, expires_at as "expires_at?",
               revoked_at, last_used_at"#,
        t.user_id,
        t.kind as _,
        t.name,
        t.secret_hash,
        t.read_only,
        t.expires_at,
        t.created_at,
        t.enrol_only,
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
        // Enrol-only is decided at every check too, so a token issued before (or while) the
        // organization came to require multi-factor sign-in cannot outlive that rule.
        r#"select t.token_id, t.kind as "kind: TokenKind", t.read_only, t.last_used_at,
               (t.enrol_only or (o.mfa_required and u.totp_secret is null)) as "enrol_only!",
               t.expires_at as "expires_at?", u.user_id, u.organization_id,
               o.kind as "organization_kind: OrganizationKind", p.program as "program?: PartnerProgram",
               array(select role from user_role r where r.user_id = u.user_id order by role)
                   as "roles!: Vec<Role>"
           from auth_token t
           join app_user u using (user_id)
           join organization o using (organization_id)
           left join partner p on p.partner_id = o.organization_id
           where t.secret_hash = $1 and t.revoked_at is null and u.deactivated_at is null
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
        enrol_only: r.enrol_only,
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
