//! An organization's people: its admin creates users, changes their roles, deactivates and
//! reactivates them, and requires multi-factor sign-in; every user changes their own password
//! and enrols in (or leaves) multi-factor sign-in. Each change is one transaction with its audit
//! event; the organization's row is locked first, so concurrent changes are decided in turn.

use crate::AppState;
use crate::db::{audit, users};
use crate::domain::credentials::{check_password_strength, hash_password_blocking, new_secret};
use crate::domain::inputs::{Email, Name};
use crate::domain::people::{self, Target, admin_role};
use crate::domain::{AppError, AppResult, Code, OrganizationKind, Role, Viewer, mfa};
use crate::workflows::auth;
use uuid::Uuid;

/// The event, filed under the viewer's organization so its audit log shows it.
fn in_organization<'a>(viewer: &Viewer, event: audit::Event<'a>) -> audit::Event<'a> {
    match viewer.organization_kind {
        OrganizationKind::Customer => event.customer(viewer.organization_id),
        OrganizationKind::Partner => event.partner(viewer.organization_id),
        OrganizationKind::Operator => event,
    }
}

fn role_names(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.as_str()).collect()
}

pub struct NewUser {
    pub email: String,
    pub display_name: String,
    /// The first password; when absent one is generated and returned once.
    pub password: Option<String>,
    pub roles: Vec<Role>,
}

/// A user just created, with the generated first password if there is one (shown once).
pub struct CreatedUser {
    pub id: Uuid,
    pub generated_password: Option<String>,
}

/// An admin adds a user to its own organization.
pub async fn create_user(state: &AppState, viewer: &Viewer, input: NewUser) -> AppResult<CreatedUser> {
    people::ensure_may_manage_users(viewer)?;
    let roles = people::parse_roles(viewer.organization_kind, &input.roles)?;
    let email = Email::parse(&input.email)?;
    let display_name = Name::parse(&input.display_name, "display name")?;
    // A generated password is 256 random bits, so the admin never picks a weak one and never
    // has to invent one; the user changes it on the account page.
    let generated = input.password.is_none().then(|| new_secret("mcp"));
    let password = input.password.as_deref().or(generated.as_deref()).unwrap_or_default();
    if password.contains('\0') {
        return Err(AppError::bad_input("the password contains a character it cannot have (NUL)"));
    }
    check_password_strength(password).map_err(AppError::bad_input)?;
    let hash = hash_password_blocking(password).await?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    users::lock_organization(&mut *tx, viewer.organization_id).await?;
    ensure_still_admin(&mut tx, viewer).await?;
    let id =
        users::insert(&mut tx, viewer.organization_id, email.as_str(), display_name.as_str(), &hash, &roles)
            .await?;
    let event = audit::Event::new("user.created", "User", id).details(serde_json::json!({
        "email": email.as_str(),
        "displayName": display_name.as_str(),
        "roles": role_names(&roles),
    }));
    audit::append(&mut *tx, viewer.into(), now, in_organization(viewer, event)).await?;
    tx.commit().await?;
    Ok(CreatedUser { id, generated_password: generated })
}

/// The viewer's roles were read when its request began; a concurrent change may have taken
/// them (or deactivated it) since. Read again under the organization's lock.
async fn ensure_still_admin(tx: &mut sqlx::PgConnection, viewer: &Viewer) -> AppResult<()> {
    let me = users::in_organization_for_update(&mut *tx, viewer.organization_id, viewer.user_id).await?;
    if me.is_some_and(|m| {
        m.deactivated_at.is_none() && m.roles.contains(&admin_role(viewer.organization_kind))
    }) {
        return Ok(());
    }
    Err(AppError::refused(Code::Forbidden, "you are no longer an admin of your organization"))
}

/// Locks the organization and the user (of the viewer's organization, else NOT_FOUND) and
/// tells the rules what they need.
async fn target(
    tx: &mut sqlx::PgConnection,
    viewer: &Viewer,
    user_id: Uuid,
) -> AppResult<(users::User, Target)> {
    users::lock_organization(&mut *tx, viewer.organization_id).await?;
    ensure_still_admin(tx, viewer).await?;
    let user = users::in_organization_for_update(&mut *tx, viewer.organization_id, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    let admin = admin_role(viewer.organization_kind);
    let others = users::other_active_with_role(&mut *tx, viewer.organization_id, admin, user_id).await?;
    let t = Target {
        user_id,
        active: user.deactivated_at.is_none(),
        is_admin: user.roles.contains(&admin),
        other_active_admins: others,
    };
    Ok((user, t))
}

pub async fn set_roles(state: &AppState, viewer: &Viewer, user_id: Uuid, roles: &[Role]) -> AppResult<()> {
    people::ensure_may_manage_users(viewer)?;
    let roles = people::parse_roles(viewer.organization_kind, roles)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let (user, target) = target(&mut tx, viewer, user_id).await?;
    people::ensure_may_set_roles(viewer, target, &roles)?;
    if user.roles == roles {
        return Ok(());
    }
    users::set_roles(&mut tx, user_id, &roles).await?;
    let event = audit::Event::new("user.roles_changed", "User", user_id).details(serde_json::json!({
        "email": user.email,
        "from": role_names(&user.roles),
        "to": role_names(&roles),
    }));
    audit::append(&mut *tx, viewer.into(), now, in_organization(viewer, event)).await?;
    tx.commit().await?;
    state.tokens.forget_all();
    Ok(())
}

/// Deactivates a user: it can no longer sign in, and its sessions and API tokens end in the
/// same transaction (every instance's token cache hears it from the database's triggers).
pub async fn deactivate(state: &AppState, viewer: &Viewer, user_id: Uuid) -> AppResult<()> {
    people::ensure_may_manage_users(viewer)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let (user, target) = target(&mut tx, viewer, user_id).await?;
    people::ensure_may_deactivate(viewer, target)?;
    users::set_deactivated(&mut *tx, user_id, Some(now)).await?;
    let ended = users::revoke_tokens(&mut *tx, user_id, false, None, now).await?;
    let event = audit::Event::new("user.deactivated", "User", user_id)
        .details(serde_json::json!({ "email": user.email, "tokensEnded": ended }));
    audit::append(&mut *tx, viewer.into(), now, in_organization(viewer, event)).await?;
    tx.commit().await?;
    state.tokens.forget_all();
    Ok(())
}

/// Reactivates a user; its old tokens stay revoked (it signs in again).
pub async fn reactivate(state: &AppState, viewer: &Viewer, user_id: Uuid) -> AppResult<()> {
    people::ensure_may_manage_users(viewer)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let (user, target) = target(&mut tx, viewer, user_id).await?;
    people::ensure_may_reactivate(viewer, target)?;
    users::set_deactivated(&mut *tx, user_id, None).await?;
    let event = audit::Event::new("user.reactivated", "User", user_id)
        .details(serde_json::json!({ "email": user.email }));
    audit::append(&mut *tx, viewer.into(), now, in_organization(viewer, event)).await?;
    tx.commit().await?;
    Ok(())
}

fn user_key(viewer: &Viewer) -> String {
    format!("user:{}", viewer.user_id)
}

/// Checks the viewer's password (throttled like sign-in, so a stolen session cannot guess it).
async fn verify_own_password(state: &AppState, viewer: &Viewer, password: &str) -> AppResult<()> {
    let wrong = || AppError::refused(Code::Forbidden, "the current password is not right");
    if password.len() > 1024 || password.contains('\0') {
        return Err(wrong());
    }
    let now = state.clock.now();
    let user = users::by_id(&state.pool, viewer.user_id).await?.ok_or_else(|| AppError::not_found("user"))?;
    // Counted under the account's email (as sign-in is) and under the user, not a shared "no
    // address" bucket that one user's mistakes would fill for everyone.
    let attempt = auth::throttled_attempt(state, &user.email, &user_key(viewer), now).await?;
    let hash = users::password_hash(&state.pool, viewer.user_id).await?;
    if !auth::verify_password(state, password, &hash, attempt).await? {
        return Err(wrong());
    }
    users::forget_sign_in_attempt(&state.pool, attempt).await?;
    Ok(())
}

/// A user changes its own password (the current one is required); its other sessions end.
pub async fn change_password(state: &AppState, viewer: &Viewer, current: &str, new: &str) -> AppResult<()> {
    crate::domain::access::ensure_may_write(viewer)?;
    if new.contains('\0') {
        return Err(AppError::bad_input("the new password contains a character it cannot have (NUL)"));
    }
    check_password_strength(new).map_err(AppError::bad_input)?;
    verify_own_password(state, viewer, current).await?;
    let hash = hash_password_blocking(new).await?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    users::set_password_hash(&mut *tx, viewer.user_id, &hash).await?;
    let ended = users::revoke_tokens(&mut *tx, viewer.user_id, true, Some(viewer.token_id), now).await?;
    let event = audit::Event::new("user.password_changed", "User", viewer.user_id)
        .details(serde_json::json!({ "sessionsEnded": ended }));
    audit::append(&mut *tx, viewer.into(), now, in_organization(viewer, event)).await?;
    tx.commit().await?;
    state.tokens.forget_all();
    Ok(())
}

/// Starts enrolment: a new secret, kept pending until a code from it is confirmed.
pub async fn begin_mfa_enrolment(state: &AppState, viewer: &Viewer) -> AppResult<mfa::Enrolment> {
    crate::domain::access::ensure_may_write(viewer)?;
    let mut tx = state.pool.begin().await?;
    let current = users::mfa(&mut *tx, viewer.user_id).await?;
    if current.secret.is_some() {
        return Err(AppError::refused(
            Code::InvalidStateTransition,
            "multi-factor sign-in is already on; turn it off first to enrol another app",
        ));
    }
    let secret = mfa::new_secret();
    users::set_pending_totp(&mut *tx, viewer.user_id, &secret).await?;
    tx.commit().await?;
    mfa::enrolment(&secret, &current.email)
}

/// Confirms enrolment with a code from the app: multi-factor sign-in is on from now, and the
/// recovery codes are returned this once (only their hashes are kept). An enrol-only session
/// becomes a normal one.
pub async fn confirm_mfa_enrolment(state: &AppState, viewer: &Viewer, code: &str) -> AppResult<Vec<String>> {
    crate::domain::access::ensure_may_write(viewer)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let current = users::mfa(&mut *tx, viewer.user_id).await?;
    let Some(pending) = current.pending_secret.filter(|_| current.secret.is_none()) else {
        return Err(AppError::refused(Code::InvalidStateTransition, "start enrolment first"));
    };
    let step = mfa::accepted_step(&pending, code, now.timestamp(), current.last_step)?.ok_or_else(|| {
        AppError::bad_input("that code does not match; check the app's clock and enter the newest code")
    })?;
    if !users::confirm_totp(&mut *tx, viewer.user_id, step, &pending).await? {
        return Err(AppError::refused(Code::Conflict, "enrolment changed meanwhile; start again"));
    }
    let codes = mfa::new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| mfa::recovery_code_hash(c)).collect();
    users::replace_recovery_codes(&mut tx, viewer.user_id, &hashes).await?;
    users::clear_enrol_only(&mut *tx, viewer.user_id).await?;
    let event = audit::Event::new("user.mfa_enabled", "User", viewer.user_id);
    audit::append(&mut *tx, viewer.into(), now, in_organization(viewer, event)).await?;
    tx.commit().await?;
    state.tokens.forget_all();
    Ok(codes)
}

/// Turns multi-factor sign-in off; needs the password or a current code, and is refused while
/// the organization requires it.
pub async fn disable_mfa(
    state: &AppState,
    viewer: &Viewer,
    password: Option<&str>,
    code: Option<&str>,
) -> AppResult<()> {
    crate::domain::access::ensure_may_write(viewer)?;
    let now = state.clock.now();
    let current = users::mfa(&state.pool, viewer.user_id).await?;
    let Some(secret) = current.secret.clone() else {
        return Err(AppError::refused(Code::InvalidStateTransition, "multi-factor sign-in is not on"));
    };
    if current.organization_requires {
        return Err(AppError::refused(
            Code::Forbidden,
            "your organization requires multi-factor sign-in; it cannot be turned off",
        ));
    }
    let mut tx = state.pool.begin().await?;
    match (password.filter(|p| !p.is_empty()), code.map(str::trim).filter(|c| !c.is_empty())) {
        (Some(p), _) => verify_own_password(state, viewer, p).await?,
        (None, Some(c)) => {
            let attempt = auth::throttled_attempt(state, &current.email, &user_key(viewer), now).await?;
            auth::check_second_factor(&mut tx, viewer.user_id, &secret, current.last_step, c, now).await?;
            users::forget_sign_in_attempt(&state.pool, attempt).await?;
        }
        (None, None) => return Err(AppError::bad_input("give your password or a current code")),
    }
    users::remove_totp(&mut tx, viewer.user_id).await?;
    let event = audit::Event::new("user.mfa_disabled", "User", viewer.user_id);
    audit::append(&mut *tx, viewer.into(), now, in_organization(viewer, event)).await?;
    tx.commit().await?;
    Ok(())
}

/// The admin requires (or stops requiring) multi-factor sign-in for the whole organization.
/// Requiring it ends the sessions of users without it: they enrol at their next sign-in.
pub async fn set_mfa_required(state: &AppState, viewer: &Viewer, required: bool) -> AppResult<()> {
    people::ensure_may_manage_users(viewer)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let was = users::lock_organization(&mut *tx, viewer.organization_id).await?;
    let own = users::mfa(&mut *tx, viewer.user_id).await?;
    people::ensure_may_require_mfa(viewer, required, own.secret.is_some())?;
    if was == required {
        return Ok(());
    }
    users::set_mfa_required(&mut *tx, viewer.organization_id, required).await?;
    let ended = if required {
        users::revoke_sessions_without_mfa(&mut *tx, viewer.organization_id, now).await?
    } else {
        0
    };
    let action = if required { "organization.mfa_required" } else { "organization.mfa_optional" };
    let event = audit::Event::new(action, "Organization", viewer.organization_id)
        .details(serde_json::json!({ "sessionsEnded": ended }));
    audit::append(&mut *tx, viewer.into(), now, in_organization(viewer, event)).await?;
    tx.commit().await?;
    state.tokens.forget_all();
    Ok(())
}
