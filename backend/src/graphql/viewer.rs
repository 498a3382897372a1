//! Who is signed in, signing in and out, and API tokens.

use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::enums;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use super::organizations::Organization;
use crate::db::users;
use crate::domain::{self, AppError};
use crate::workflows::auth;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// A person with a sign-in.
pub struct User(pub users::User);

/// A person with a sign-in.
#[Object]
impl User {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::User, self.0.id)
    }
    /// Email, used to sign in.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Display name.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Roles within the user's organization.
    async fn roles(&self) -> Vec<enums::Role> {
        self.0.roles.iter().map(|r| (*r).into()).collect()
    }
    /// The organization the user belongs to.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        load_organization(ctx, self.0.organization_id).await
    }
    /// When the user was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Whether the user may sign in (false once deactivated).
    async fn active(&self) -> bool {
        self.0.deactivated_at.is_none()
    }
    /// When the user was deactivated, if it is.
    async fn deactivated_at(&self) -> Option<DateTime<Utc>> {
        self.0.deactivated_at
    }
    /// Whether the user signs in with a second factor (an authenticator app's code).
    async fn mfa_enabled(&self) -> bool {
        self.0.mfa_enabled
    }
}

pub async fn load_organization(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<Organization> {
    let org = ctx.data_unchecked::<Loaders>().organizations.load_one(id).await?;
    Ok(Organization::from_record(org.ok_or_else(|| AppError::not_found("organization"))?))
}

/// The signed-in user and how it signed in.
pub struct Viewer(pub domain::Viewer);

/// The signed-in user and how it signed in.
#[Object]
impl Viewer {
    /// The user.
    async fn user(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let user = users::by_id(&ctx.state().pool, self.0.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        Ok(User(user))
    }
    /// The user's organization.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        load_organization(ctx, self.0.organization_id).await
    }
    /// The user's roles.
    async fn roles(&self) -> Vec<enums::Role> {
        self.0.roles.iter().map(|r| (*r).into()).collect()
    }
    /// The kind of token this request came with.
    async fn token_kind(&self) -> enums::TokenKind {
        self.0.token_kind.into()
    }
    /// Whether the token may only read.
    async fn read_only(&self) -> bool {
        self.0.read_only
    }
    /// True for a session that may only enrol in multi-factor sign-in (the organization
    /// requires it): every other field and mutation answers MFA_ENROLMENT_REQUIRED until then.
    async fn mfa_enrolment_required(&self) -> bool {
        self.0.enrol_only
    }
    /// Whether the organization requires multi-factor sign-in of everyone.
    async fn organization_requires_mfa(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        Ok(users::mfa(&ctx.state().pool, self.0.user_id).await?.organization_requires)
    }
    /// Unused recovery codes left (0 without multi-factor sign-in).
    async fn recovery_codes_left(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        Ok(users::mfa(&ctx.state().pool, self.0.user_id).await?.unused_recovery_codes as i32)
    }
    /// Whether the viewer manages its organization's people (its admin).
    async fn manages_users(&self) -> bool {
        crate::domain::people::manages_users(&self.0)
    }
    /// Whether the viewer's role reads its organization's records (subscriptions,
    /// relationships, delegated admin, invitations, support requests, audit events). A
    /// customer's USER reads only its organization's basics.
    async fn reads_records(&self) -> bool {
        domain::access::reads_records(&self.0)
    }
    /// What the viewer may do that concerns no one object yet, and why not where it may not.
    async fn can(&self) -> GqlResult<super::permissions::ViewerPermissions> {
        super::permissions::viewer(&self.0)
    }
}

/// A token for a third party calling the API as its owner.
pub struct ApiToken(pub users::Token);

/// A token for a third party calling the API as its owner.
#[Object]
impl ApiToken {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ApiToken, self.0.token_id)
    }
    /// What the token is for.
    pub async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// Whether it may only read (mutations are refused with FORBIDDEN).
    async fn read_only(&self) -> bool {
        self.0.read_only
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it stops working, if ever.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// When it was revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When it was last used (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// Whether it works now: not revoked and not expired.
    async fn active(&self, ctx: &Context<'_>) -> bool {
        self.0.revoked_at.is_none() && self.0.expires_at.is_none_or(|at| at > ctx.now())
    }
}

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The signed-in user, its organization and roles.
    async fn viewer(&self, ctx: &Context<'_>) -> GqlResult<Viewer> {
        Ok(Viewer(ctx.enrolling_viewer()?.clone()))
    }

    /// The viewer's API tokens, newest first (secrets are never shown again).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<ApiToken>> {
        let user = ctx.viewer()?.user_id;
        let request = connection::page_request(first, after)?;
        let page = users::api_tokens_page(&ctx.state().pool, user, &request).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| async move { users::api_tokens_count(&pool, user).await }),
            |t| (crate::db::page::time_key(t.created_at), t.token_id),
            ApiToken,
        ))
    }
}

/// Credentials to sign in with.
#[derive(InputObject)]
pub struct SignInInput {
    /// The user's email.
    pub email: String,
    /// The user's password.
    pub password: String,
    /// With multi-factor sign-in: the authenticator app's 6-digit code or a recovery code.
    /// Without it, when the account needs one, signIn answers MFA_CODE_REQUIRED.
    pub code: Option<String>,
}

/// A new session.
#[derive(SimpleObject)]
pub struct SignInPayload {
    /// The session token: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session ends.
    pub expires_at: Option<DateTime<Utc>>,
    /// Who signed in.
    pub viewer: Viewer,
}

/// The session ended.
#[derive(SimpleObject)]
pub struct SignOutPayload {
    /// True once the token no longer works.
    pub signed_out: bool,
}

/// A new API token.
#[derive(InputObject)]
pub struct CreateApiTokenInput {
    /// What it is for, e.g. "billing export".
    pub name: String,
    /// When it stops working; never, if absent.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether it may only read.
    #[graphql(default)]
    pub read_only: bool,
}

/// The token created; its secret is shown only here.
#[derive(SimpleObject)]
pub struct CreateApiTokenPayload {
    /// The secret: send it as `Authorization: Bearer <secret>`. It cannot be shown again.
    pub secret: String,
    /// The token.
    pub api_token: ApiToken,
}

/// Which token to revoke.
#[derive(InputObject)]
pub struct RevokeApiTokenInput {
    /// The token's id.
    pub id: ID,
}

/// The revoked token.
#[derive(SimpleObject)]
pub struct RevokeApiTokenPayload {
    /// The token, now revoked.
    pub api_token: ApiToken,
}

#[derive(Default)]
pub struct ViewerMutation;

#[Object]
impl ViewerMutation {
    /// Sign in with email and password; the only operation that needs no token.
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Credentials to sign in with.")] input: SignInInput,
    ) -> GqlResult<SignInPayload> {
        let state = ctx.state();
        // One password per request: aliases must not multiply the guesses a request makes.
        if let Some(budget) = ctx.data_opt::<crate::graphql::context::SignInBudget>()
            && budget.0.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(AppError::refused(crate::domain::Code::RateLimited, "one signIn per request").into());
        }
        let client =
            ctx.data_opt::<crate::graphql::context::ClientAddress>().map(|c| c.0.as_str()).unwrap_or("");
        let issued =
            auth::sign_in(state, &input.email, &input.password, input.code.as_deref(), client).await?;
        let viewer = auth::authenticate(state, &issued.secret, state.clock.now())
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a new session did not authenticate")))?;
        Ok(SignInPayload {
            token: issued.secret,
            expires_at: issued.token.expires_at,
            viewer: Viewer(viewer),
        })
    }

    /// End the session (or API token) this request is made with.
    async fn sign_out(&self, ctx: &Context<'_>) -> GqlResult<SignOutPayload> {
        let viewer = ctx.enrolling_viewer()?;
        auth::sign_out(ctx.state(), viewer).await?;
        Ok(SignOutPayload { signed_out: true })
    }

    /// Create an API token carrying your roles; the secret is shown once.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A new API token.")] input: CreateApiTokenInput,
    ) -> GqlResult<CreateApiTokenPayload> {
        let viewer = ctx.writer()?;
        let issued = auth::create_api_token(
            ctx.state(),
            viewer,
            auth::NewApiToken { name: input.name, expires_at: input.expires_at, read_only: input.read_only },
        )
        .await?;
        Ok(CreateApiTokenPayload { secret: issued.secret, api_token: ApiToken(issued.token) })
    }

    /// Revoke one of your API tokens; it stops working at once.
    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which token to revoke.")] input: RevokeApiTokenInput,
    ) -> GqlResult<RevokeApiTokenPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.id, &[NodeType::ApiToken])?;
        let token = auth::revoke_api_token(ctx.state(), viewer, id).await?;
        Ok(RevokeApiTokenPayload { api_token: ApiToken(token) })
    }
}
