//! Delegated admin relationships in the API.

use super::catalog::Service;
use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::enums;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use super::organizations::{Customer, Partner};
use crate::db::delegated_admin as db;
use crate::domain::delegated_admin::Transition;
use crate::domain::{self, AppError};
use crate::workflows::delegated_admin::{self as workflows, Terms};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Duration, Utc};

/// Rights a customer delegates to a partner: roles, for some services, for a time.
pub struct DelegatedAdminRelationship(pub db::Relationship);

/// A granular, time-bound delegated admin relationship between a customer and a partner.
#[Object]
impl DelegatedAdminRelationship {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::DelegatedAdminRelationship, self.0.id)
    }
    /// Its name, unique per partner.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// The partner holding (or asking for) the rights.
    async fn partner(&self, ctx: &Context<'_>) -> GqlResult<Partner> {
        let org = ctx.data_unchecked::<Loaders>().organizations.load_one(self.0.stored.partner_id).await?;
        Ok(Partner(org.ok_or_else(|| AppError::not_found("partner"))?))
    }
    /// The customer giving them.
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Customer> {
        let org = ctx.data_unchecked::<Loaders>().organizations.load_one(self.0.stored.customer_id).await?;
        Ok(Customer(org.ok_or_else(|| AppError::not_found("customer"))?))
    }
    /// The delegated roles.
    async fn roles(&self) -> Vec<enums::DelegatedRole> {
        self.0.roles.iter().map(|r| (*r).into()).collect()
    }
    /// The services covered.
    async fn services(&self, ctx: &Context<'_>) -> GqlResult<Vec<Service>> {
        let found =
            ctx.data_unchecked::<Loaders>().services.load_many(self.0.service_ids.iter().copied()).await?;
        Ok(self.0.service_ids.iter().filter_map(|id| found.get(id).cloned()).map(Service).collect())
    }
    /// How long it runs once active (ISO-8601, P1D to P2Y).
    async fn duration(&self) -> &str {
        &self.0.duration
    }
    /// P180D when it extends itself by 180 days at each end, else P0D.
    async fn auto_extend(&self) -> &str {
        &self.0.stored.auto_extend
    }
    /// The status now (time-bound transitions show before any job writes them down).
    async fn status(&self, ctx: &Context<'_>) -> enums::DelegatedAdminStatus {
        self.0.stored.status_at(ctx.now()).into()
    }
    /// How it came about.
    async fn origin(&self) -> enums::DelegatedAdminOrigin {
        self.0.origin.into()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.stored.created_at
    }
    /// When it became active.
    async fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.0.activated_at
    }
    /// When it ends (moved on by auto-extension).
    async fn ends_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.0.stored.ends_at(ctx.now())
    }
    /// When it was terminated.
    async fn terminated_at(&self) -> Option<DateTime<Utc>> {
        self.0.terminated_at
    }
    /// Active and ending within 30 days.
    async fn expires_soon(&self, ctx: &Context<'_>) -> bool {
        self.0.stored.expires_soon(ctx.now())
    }
    /// What the signed-in user may do to this relationship, and why not where it may not.
    async fn viewer_can(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<super::permissions::DelegatedAdminPermissions> {
        super::permissions::delegated_admin(ctx, &self.0)
    }
}

/// Narrows the delegated admin relationships list.
#[derive(InputObject, Default)]
pub struct DelegatedAdminFilter {
    /// Only this customer's.
    pub customer_id: Option<ID>,
    /// Only this partner's.
    pub partner_id: Option<ID>,
    /// Only those in this status (now).
    pub status: Option<enums::DelegatedAdminStatus>,
}

/// One page of the relationships the viewer may see (`may_see_delegated_admin`: the SQL
/// applies the party and draft rule; a role that reads no records sees none).
async fn page(
    ctx: &Context<'_>,
    mut filter: db::ListFilter,
    first: Option<i32>,
    after: Option<String>,
) -> GqlResult<CountedConnection<DelegatedAdminRelationship>> {
    let viewer = ctx.viewer()?;
    let request = connection::page_request(first, after)?;
    if !domain::access::reads_records(viewer) {
        return Ok(connection::empty());
    }
    filter.party = viewer.party();
    let now = ctx.now();
    let pool = ctx.state().pool.clone();
    let page = db::page(&pool, &filter, &request, now).await?;
    let by_end = filter.ending_by.is_some();
    let counted = filter.clone();
    Ok(connection::build(
        page,
        &request,
        CountQuery::deferred(move |pool| {
            let f = counted.clone();
            async move { db::count(&pool, &f, now).await }
        }),
        |r| {
            let at = if by_end {
                r.stored.ends_at(now).unwrap_or(r.stored.created_at)
            } else {
                r.stored.created_at
            };
            (crate::db::page::time_key(at), r.id)
        },
        DelegatedAdminRelationship,
    ))
}

#[derive(Default)]
pub struct DelegatedAdminQuery;

#[Object]
impl DelegatedAdminQuery {
    /// The delegated admin relationships the viewer takes part in (all, for the operator), newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn delegated_admin_relationships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<DelegatedAdminFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<DelegatedAdminRelationship>> {
        let f = filter.unwrap_or_default();
        let filter = db::ListFilter {
            customer_id: ids::decode_opt(f.customer_id.as_ref(), &[NodeType::Customer])?,
            partner_id: ids::decode_opt(f.partner_id.as_ref(), &[NodeType::Partner])?,
            status: f.status.map(Into::into),
            ..Default::default()
        };
        page(ctx, filter, first, after).await
    }

    /// Active relationships ending within `withinDays` days (default 30), soonest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn expiring_delegated_admin_relationships(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The window, in days from now (1 to 730).",
            default = 30,
            validator(minimum = 1, maximum = 730)
        )]
        within_days: i64,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<DelegatedAdminRelationship>> {
        let filter =
            db::ListFilter { ending_by: Some(ctx.now() + Duration::days(within_days)), ..Default::default() };
        page(ctx, filter, first, after).await
    }
}

/// The terms of a relationship.
#[derive(InputObject)]
pub struct DelegatedAdminTermsInput {
    /// A name, unique per partner (1 to 50 characters).
    pub display_name: String,
    /// The roles.
    pub roles: Vec<enums::DelegatedRole>,
    /// The services covered.
    pub service_ids: Vec<ID>,
    /// How long it runs once active, ISO-8601 from P1D to P2Y (e.g. P90D, P1Y).
    pub duration: String,
    /// P0D, or P180D to extend by 180 days at each end (not with GLOBAL_ADMIN).
    #[graphql(default_with = "\"P0D\".to_string()")]
    pub auto_extend: String,
}

impl DelegatedAdminTermsInput {
    fn terms(&self) -> GqlResult<Terms> {
        Ok(Terms {
            display_name: self.display_name.clone(),
            roles: self.roles.iter().map(|r| (*r).into()).collect(),
            service_ids: self
                .service_ids
                .iter()
                .map(|id| ids::decode(id, &[NodeType::Service]))
                .collect::<Result<_, _>>()?,
            duration: self.duration.clone(),
            auto_extend: self.auto_extend.clone(),
        })
    }
}

/// A partner's draft request.
#[derive(InputObject)]
pub struct CreateDelegatedAdminRelationshipInput {
    /// The customer asked.
    pub customer_id: ID,
    /// What is asked for.
    pub terms: DelegatedAdminTermsInput,
}

/// New terms for a draft.
#[derive(InputObject)]
pub struct UpdateDelegatedAdminRelationshipInput {
    /// The draft.
    pub id: ID,
    /// Its new terms.
    pub terms: DelegatedAdminTermsInput,
}

/// A customer's direct grant to a partner (waits for the partner's consent).
#[derive(InputObject)]
pub struct GrantDelegatedAdminInput {
    /// The partner (another reseller, say).
    pub partner_id: ID,
    /// What is granted.
    pub terms: DelegatedAdminTermsInput,
    /// End the current PROVISIONING or GLOBAL_ADMIN holder's role for these services on consent.
    #[graphql(default)]
    pub replace_existing: bool,
}

/// Which relationship.
#[derive(InputObject)]
pub struct DelegatedAdminRelationshipIdInput {
    /// The relationship.
    pub id: ID,
}

/// The customer's approval.
#[derive(InputObject)]
pub struct ApproveDelegatedAdminRelationshipInput {
    /// The relationship.
    pub id: ID,
    /// End the current PROVISIONING or GLOBAL_ADMIN holder's role for these services.
    #[graphql(default)]
    pub replace_existing: bool,
}

/// Auto-extension on or off.
#[derive(InputObject)]
pub struct SetDelegatedAdminAutoExtendInput {
    /// The relationship.
    pub id: ID,
    /// P0D or P180D.
    pub auto_extend: String,
}

/// The relationship after a change (null once a draft is deleted).
#[derive(SimpleObject)]
pub struct DelegatedAdminRelationshipPayload {
    /// The relationship as it is now.
    pub delegated_admin_relationship: Option<DelegatedAdminRelationship>,
}

async fn reload(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<DelegatedAdminRelationshipPayload> {
    let r = db::by_id(&ctx.state().pool, id).await?;
    Ok(DelegatedAdminRelationshipPayload { delegated_admin_relationship: r.map(DelegatedAdminRelationship) })
}

async fn run(
    ctx: &Context<'_>,
    id: &ID,
    t: Transition,
    replace: bool,
    terms: Option<Terms>,
    auto_extend: Option<&str>,
) -> GqlResult<DelegatedAdminRelationshipPayload> {
    let viewer = ctx.writer()?;
    let uuid = ids::decode(id, &[NodeType::DelegatedAdminRelationship])?;
    let kept =
        workflows::transition(ctx.state(), viewer, uuid, t, replace, terms.as_ref(), auto_extend).await?;
    if kept {
        reload(ctx, uuid).await
    } else {
        Ok(DelegatedAdminRelationshipPayload { delegated_admin_relationship: None })
    }
}

#[derive(Default)]
pub struct DelegatedAdminMutation;

#[Object]
impl DelegatedAdminMutation {
    /// A partner drafts a request (editable and deletable until approval is requested).
    async fn create_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A partner's draft request.")] input: CreateDelegatedAdminRelationshipInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        let viewer = ctx.writer()?;
        let customer = ids::decode(&input.customer_id, &[NodeType::Customer])?;
        let id = workflows::create_draft(ctx.state(), viewer, customer, &input.terms.terms()?).await?;
        reload(ctx, id).await
    }
    /// Change a draft's terms.
    async fn update_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "New terms for a draft.")] input: UpdateDelegatedAdminRelationshipInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Update, false, Some(input.terms.terms()?), None).await
    }
    /// Delete a draft.
    async fn delete_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Delete, false, None, None).await
    }
    /// Lock a draft and send it to the customer for approval (expires after 90 days).
    async fn request_delegated_admin_approval(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::RequestApproval, false, None, None).await
    }
    /// The customer's global admin approves; it becomes active for its duration.
    async fn approve_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's approval.")] input: ApproveDelegatedAdminRelationshipInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Approve, input.replace_existing, None, None).await
    }
    /// The customer rejects a request, or the partner declines a customer's grant.
    async fn reject_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Reject, false, None, None).await
    }
    /// The customer's global admin grants rights to a partner directly.
    async fn grant_delegated_admin(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A customer's direct grant to a partner (waits for the partner's consent).")] input: GrantDelegatedAdminInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        let viewer = ctx.writer()?;
        let partner = ids::decode(&input.partner_id, &[NodeType::Partner])?;
        let id =
            workflows::grant(ctx.state(), viewer, partner, &input.terms.terms()?, input.replace_existing)
                .await?;
        reload(ctx, id).await
    }
    /// The partner consents to a customer's grant; it becomes active.
    async fn consent_to_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Consent, false, None, None).await
    }
    /// Either side ends it; the partner stops serving the customer's stages at once.
    async fn terminate_delegated_admin_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship.")] input: DelegatedAdminRelationshipIdInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::Terminate, false, None, None).await
    }
    /// The partner turns auto-extension on (P180D) or off (P0D).
    async fn set_delegated_admin_auto_extend(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Auto-extension on or off.")] input: SetDelegatedAdminAutoExtendInput,
    ) -> GqlResult<DelegatedAdminRelationshipPayload> {
        run(ctx, &input.id, Transition::SetAutoExtend, false, None, Some(&input.auto_extend)).await
    }
}
