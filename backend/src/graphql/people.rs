//! An organization's people (its admin's), the viewer's own account (password, multi-factor
//! sign-in), and the organization's demand for multi-factor sign-in.

use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::enums;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::viewer::User;
use crate::db::users;
use crate::domain::people::ensure_may_list_users;
use crate::domain::{AppError, access::ensure_may_write};
use crate::workflows::people;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

async fn load_user(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<User> {
    let user = users::by_id(&ctx.state().pool, id).await?.ok_or_else(|| AppError::not_found("user"))?;
    Ok(User(user))
}

#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// The people of your organization, oldest first, deactivated ones included (its admin:
    /// ADMIN_AGENT, GLOBAL_ADMIN or OPERATOR_ADMIN).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<User>> {
        let viewer = ctx.viewer()?;
        ensure_may_list_users(viewer)?;
        let org = viewer.organization_id;
        let request = connection::page_request(first, after)?;
        let page = users::page_in_organization(&ctx.state().pool, org, &request).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| async move { users::count_in_organization(&pool, org).await }),
            |u| (crate::db::page::time_key(u.created_at), u.id),
            User,
        ))
    }
}

/// Add a user to your own organization.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Email, used to sign in (unique within your organization).
    pub email: String,
    /// Display name (1 to 200 characters).
    pub display_name: String,
    /// First password (at least 12 characters). Leave it out to have one generated and
    /// returned once in the payload.
    pub password: Option<String>,
    /// Roles, all of your organization's kind.
    pub roles: Vec<enums::Role>,
}

/// The user created.
#[derive(SimpleObject)]
pub struct CreateUserPayload {
    /// The new user.
    pub user: User,
    /// The generated first password, when none was given: shown only here; hand it over safely.
    pub generated_password: Option<String>,
}

/// Which user, and the roles it should have.
#[derive(InputObject)]
pub struct SetUserRolesInput {
    /// The user's id.
    pub user_id: ID,
    /// Its roles from now on (at least one, of your organization's kind).
    pub roles: Vec<enums::Role>,
}

/// Which user.
#[derive(InputObject)]
pub struct UserInput {
    /// The user's id.
    pub user_id: ID,
}

/// The user changed.
#[derive(SimpleObject)]
pub struct UserPayload {
    /// The user, as it is now.
    pub user: User,
}

/// A new password for yourself.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// Your current password.
    pub current_password: String,
    /// The new one (at least 12 characters).
    pub new_password: String,
}

/// The password changed.
#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    /// True once the new password works; your other sessions have ended.
    pub changed: bool,
}

/// What to put in an authenticator app.
#[derive(SimpleObject)]
pub struct BeginMfaEnrolmentPayload {
    /// The secret in base32, to type in when the QR code cannot be scanned.
    pub secret: String,
    /// The `otpauth://` URL the QR code holds.
    pub otpauth_url: String,
    /// The QR code, an SVG image as a `data:` URL.
    pub qr_code: String,
}

/// A code from the authenticator app.
#[derive(InputObject)]
pub struct ConfirmMfaEnrolmentInput {
    /// The app's current 6-digit code.
    pub code: String,
}

/// Multi-factor sign-in is on.
#[derive(SimpleObject)]
pub struct ConfirmMfaEnrolmentPayload {
    /// Single-use recovery codes, shown only here: each signs in once without the app.
    pub recovery_codes: Vec<String>,
}

/// Proof it is you: your password or a current code.
#[derive(InputObject)]
pub struct DisableMfaInput {
    /// Your password.
    pub password: Option<String>,
    /// A current 6-digit code or an unused recovery code.
    pub code: Option<String>,
}

/// Multi-factor sign-in is off.
#[derive(SimpleObject)]
pub struct DisableMfaPayload {
    /// True once it is off.
    pub disabled: bool,
}

/// Whether your organization requires multi-factor sign-in.
#[derive(InputObject)]
pub struct SetOrganizationMfaRequiredInput {
    /// True to require it of everyone.
    pub required: bool,
}

/// The organization's demand.
#[derive(SimpleObject)]
pub struct SetOrganizationMfaRequiredPayload {
    /// Whether multi-factor sign-in is required now.
    pub required: bool,
}

#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// Add a user to your own organization (its admin).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Add a user to your own organization.")] input: CreateUserInput,
    ) -> GqlResult<CreateUserPayload> {
        let viewer = ctx.writer()?;
        let created = people::create_user(
            ctx.state(),
            viewer,
            people::NewUser {
                email: input.email,
                display_name: input.display_name,
                password: input.password,
                roles: input.roles.into_iter().map(Into::into).collect(),
            },
        )
        .await?;
        Ok(CreateUserPayload {
            user: load_user(ctx, created.id).await?,
            generated_password: created.generated_password,
        })
    }

    /// Change a user's roles (its organization's admin; the last admin keeps the admin role).
    async fn set_user_roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which user, and the roles it should have.")] input: SetUserRolesInput,
    ) -> GqlResult<UserPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.user_id, &[NodeType::User])?;
        let roles: Vec<crate::domain::Role> = input.roles.into_iter().map(Into::into).collect();
        people::set_roles(ctx.state(), viewer, id, &roles).await?;
        Ok(UserPayload { user: load_user(ctx, id).await? })
    }

    /// Deactivate a user: it cannot sign in, and its sessions and API tokens stop working at once.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which user.")] input: UserInput,
    ) -> GqlResult<UserPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.user_id, &[NodeType::User])?;
        people::deactivate(ctx.state(), viewer, id).await?;
        Ok(UserPayload { user: load_user(ctx, id).await? })
    }

    /// Reactivate a user: it may sign in again (its old tokens stay revoked).
    async fn reactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which user.")] input: UserInput,
    ) -> GqlResult<UserPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.user_id, &[NodeType::User])?;
        people::reactivate(ctx.state(), viewer, id).await?;
        Ok(UserPayload { user: load_user(ctx, id).await? })
    }

    /// Change your own password; your other sessions end.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A new password for yourself.")] input: ChangePasswordInput,
    ) -> GqlResult<ChangePasswordPayload> {
        let viewer = ctx.writer()?;
        people::change_password(ctx.state(), viewer, &input.current_password, &input.new_password).await?;
        Ok(ChangePasswordPayload { changed: true })
    }

    /// Start multi-factor sign-in: a new secret for an authenticator app (confirm it with a code).
    async fn begin_mfa_enrolment(&self, ctx: &Context<'_>) -> GqlResult<BeginMfaEnrolmentPayload> {
        let viewer = ctx.enrolling_viewer()?;
        ensure_may_write(viewer)?;
        let e = people::begin_mfa_enrolment(ctx.state(), viewer).await?;
        Ok(BeginMfaEnrolmentPayload { secret: e.secret, otpauth_url: e.url, qr_code: e.qr_code })
    }

    /// Confirm multi-factor sign-in with the app's code; returns the recovery codes once.
    async fn confirm_mfa_enrolment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A code from the authenticator app.")] input: ConfirmMfaEnrolmentInput,
    ) -> GqlResult<ConfirmMfaEnrolmentPayload> {
        let viewer = ctx.enrolling_viewer()?;
        ensure_may_write(viewer)?;
        let codes = people::confirm_mfa_enrolment(ctx.state(), viewer, &input.code).await?;
        Ok(ConfirmMfaEnrolmentPayload { recovery_codes: codes })
    }

    /// Turn multi-factor sign-in off (needs your password or a current code; refused while
    /// your organization requires it).
    async fn disable_mfa(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Proof it is you.")] input: DisableMfaInput,
    ) -> GqlResult<DisableMfaPayload> {
        let viewer = ctx.writer()?;
        people::disable_mfa(ctx.state(), viewer, input.password.as_deref(), input.code.as_deref()).await?;
        Ok(DisableMfaPayload { disabled: true })
    }

    /// Require (or stop requiring) multi-factor sign-in for your whole organization (its admin,
    /// who must use it already). Sessions of users without it end; they enrol at next sign-in.
    async fn set_organization_mfa_required(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whether to require it.")] input: SetOrganizationMfaRequiredInput,
    ) -> GqlResult<SetOrganizationMfaRequiredPayload> {
        let viewer = ctx.writer()?;
        people::set_mfa_required(ctx.state(), viewer, input.required).await?;
        Ok(SetOrganizationMfaRequiredPayload { required: input.required })
    }
}
