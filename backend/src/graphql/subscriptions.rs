//! Multi-channel subscriptions in the API.

use super::catalog::{Offer, Service};
use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::enums;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use super::organizations::{Customer, Partner};
use super::permissions::Permission;
use crate::db::subscriptions as db;
use crate::domain::subscription::{SubscriptionAction, ViewerStanding, decide};
use crate::domain::{self, AppError, LifecycleStage};
use crate::workflows::subscriptions::{self as workflows, Change};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

/// A subscription to an offer, with the channel it was bought through and who serves each stage.
pub struct Subscription(pub db::Subscription);

async fn load_partner(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> GqlResult<Option<Partner>> {
    let Some(id) = id else { return Ok(None) };
    let org = ctx.data_unchecked::<Loaders>().organizations.load_one(id).await?;
    Ok(org.map(Partner))
}

/// A subscription to an offer, with the channel it was bought through and who serves each stage.
#[Object]
impl Subscription {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Subscription, self.0.id)
    }
    /// The name the customer knows it by.
    async fn friendly_name(&self) -> &str {
        &self.0.friendly_name
    }
    /// The customer that owns it.
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Customer> {
        let org = ctx.data_unchecked::<Loaders>().organizations.load_one(self.0.facts.customer_id).await?;
        Ok(Customer(org.ok_or_else(|| AppError::not_found("customer"))?))
    }
    /// The offer subscribed to.
    async fn offer(&self, ctx: &Context<'_>) -> GqlResult<Offer> {
        let offer = ctx.data_unchecked::<Loaders>().offers.load_one(self.0.offer_id).await?;
        Ok(Offer(offer.ok_or_else(|| AppError::not_found("offer"))?))
    }
    /// The offer's service (Office 365, Dynamics 365, ...).
    async fn service(&self, ctx: &Context<'_>) -> GqlResult<Service> {
        let service = ctx.data_unchecked::<Loaders>().services.load_one(self.0.facts.service_id).await?;
        Ok(Service(service.ok_or_else(|| AppError::not_found("service"))?))
    }
    /// Seats bought.
    async fn quantity(&self) -> i32 {
        self.0.facts.quantity
    }
    /// Seats assigned to users (never above quantity).
    async fn assigned_seats(&self) -> i32 {
        self.0.facts.assigned_seats
    }
    /// Seats still free to assign.
    async fn available_seats(&self) -> i32 {
        self.0.facts.quantity - self.0.facts.assigned_seats
    }
    /// The status now (a suspended subscription past its data-deletion date is DELETED).
    async fn status(&self) -> enums::SubscriptionStatus {
        self.0.facts.status.into()
    }
    /// How often it is billed.
    async fn billing_cycle(&self) -> enums::BillingCycle {
        self.0.billing_cycle.into()
    }
    /// The commitment term.
    async fn term_duration(&self) -> enums::TermDuration {
        self.0.term_duration.into()
    }
    /// When the current term started.
    async fn effective_start(&self) -> NaiveDate {
        self.0.effective_start
    }
    /// When the current commitment ends.
    async fn commitment_end(&self) -> NaiveDate {
        self.0.commitment_end
    }
    /// Whether it renews at the end of the term.
    async fn auto_renew(&self) -> bool {
        self.0.auto_renew
    }
    /// When it was suspended, if it is.
    async fn suspended_at(&self) -> Option<DateTime<Utc>> {
        match self.0.facts.status {
            domain::SubscriptionStatus::Suspended => self.0.facts.suspended_at,
            _ => None,
        }
    }
    /// For a suspended subscription: when its data is deleted (60 days after suspension)
    /// unless it is reactivated first; for an expired one, 60 days after its term ended unless
    /// it is renewed first.
    async fn data_deletion_date(&self) -> Option<DateTime<Utc>> {
        self.0.facts.data_deletion_date()
    }
    /// The channel it was bought through.
    async fn purchase_channel(&self) -> enums::PurchaseChannel {
        self.0.facts.purchase_channel.into()
    }
    /// The transacting partner; null when bought online direct from the operator.
    async fn partner_of_record(&self, ctx: &Context<'_>) -> GqlResult<Option<Partner>> {
        load_partner(ctx, self.0.facts.partner_of_record_id).await
    }
    /// For CSP_INDIRECT: the indirect reseller that sold it through the provider.
    async fn indirect_reseller(&self, ctx: &Context<'_>) -> GqlResult<Option<Partner>> {
        load_partner(ctx, self.0.facts.indirect_reseller_id).await
    }
    /// Who serves each lifecycle stage: sales, provisioning, support, renewal.
    async fn service_partners(&self) -> Vec<StageServicePartner> {
        domain::LifecycleStage::ALL.iter().map(|s| self.stage(*s)).collect()
    }
    /// Who serves one lifecycle stage.
    async fn service_partner(
        &self,
        #[graphql(desc = "The lifecycle stage.")] stage: enums::LifecycleStage,
    ) -> StageServicePartner {
        self.stage(stage.into())
    }
    /// Whether some stage is served by a partner other than the partner of record: the
    /// multi-channel case.
    async fn is_multi_channel(&self) -> bool {
        [LifecycleStage::Provisioning, LifecycleStage::Support]
            .iter()
            .any(|s| self.0.facts.is_stage_delegated(*s))
    }
    /// What the signed-in user may do to this subscription, and why not where it may not.
    async fn viewer_can(&self, ctx: &Context<'_>) -> GqlResult<SubscriptionPermissions> {
        let viewer = ctx.viewer()?;
        let delegated_roles = match &ctx.data_unchecked::<Loaders>().viewer_delegated_roles {
            Some(loader) => loader
                .load_one((self.0.facts.customer_id, self.0.facts.service_id))
                .await?
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let has_reseller_relationship = match viewer.partner_id() {
            Some(me) => ctx
                .data_unchecked::<Loaders>()
                .customer_relationships
                .load_one(self.0.facts.customer_id)
                .await?
                .unwrap_or_default()
                .iter()
                .any(|r| r.partner_id == me),
            None => false,
        };
        let standing = ViewerStanding {
            delegated_roles,
            partner_program: viewer.partner_program,
            has_reseller_relationship,
        };
        let p = |action| Permission::from(decide(viewer, &standing, &self.0.facts, action));
        use SubscriptionAction as A;
        Ok(SubscriptionPermissions {
            change_quantity: p(A::ChangeQuantity),
            set_auto_renew: p(A::SetAutoRenew),
            suspend: p(A::Suspend),
            reactivate: p(A::Reactivate),
            cancel: p(A::Cancel),
            assign_seats: p(A::AssignSeats),
            unassign_seats: p(A::UnassignSeats),
            open_support_request: p(A::OpenSupportRequest),
            assign_service_partner: p(A::AssignServicePartner),
            renew: p(A::Renew),
        })
    }
    /// When it was created here.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

impl Subscription {
    fn stage(&self, stage: LifecycleStage) -> StageServicePartner {
        StageServicePartner {
            stage,
            partner_id: self.0.facts.service_partner(stage),
            delegated: self.0.facts.is_stage_delegated(stage),
        }
    }
}

/// The service partner of one lifecycle stage.
pub struct StageServicePartner {
    stage: LifecycleStage,
    partner_id: Option<uuid::Uuid>,
    delegated: bool,
}

/// The service partner of one lifecycle stage.
#[Object]
impl StageServicePartner {
    /// The stage.
    async fn stage(&self) -> enums::LifecycleStage {
        self.stage.into()
    }
    /// The partner serving it; null when the operator serves it.
    async fn partner(&self, ctx: &Context<'_>) -> GqlResult<Option<Partner>> {
        load_partner(ctx, self.partner_id).await
    }
    /// Whether the operator serves it (online direct, not handed to a partner).
    async fn served_by_operator(&self) -> bool {
        self.partner_id.is_none()
    }
    /// Whether the customer handed this stage to a partner other than the partner of record.
    async fn delegated(&self) -> bool {
        self.delegated
    }
}

/// What the viewer may do to a subscription; each answer agrees with the matching mutation.
#[derive(SimpleObject)]
pub struct SubscriptionPermissions {
    /// Change the number of seats (partner of record; operator for online direct).
    pub change_quantity: Permission,
    /// Turn auto-renew on or off (partner of record; operator for online direct).
    pub set_auto_renew: Permission,
    /// Suspend (partner of record; operator for online direct).
    pub suspend: Permission,
    /// Reactivate a suspended subscription (partner of record; operator for online direct).
    pub reactivate: Permission,
    /// Cancel (partner of record; operator for online direct).
    pub cancel: Permission,
    /// Assign seats (partner of record, or a partner holding delegated PROVISIONING).
    pub assign_seats: Permission,
    /// Unassign seats (partner of record, or a partner holding delegated PROVISIONING).
    pub unassign_seats: Permission,
    /// Open a support request (customer's global admin, or a partner holding SUPPORT).
    pub open_support_request: Permission,
    /// Choose the provisioning or support partner (customer's global admin).
    pub assign_service_partner: Permission,
    /// Renew an expired subscription for a new term (partner of record; operator for online
    /// direct), until its data-deletion date.
    pub renew: Permission,
}

/// Narrows the subscriptions list. All given conditions must hold.
#[derive(InputObject, Default)]
pub struct SubscriptionFilter {
    /// Only this customer's.
    pub customer_id: Option<ID>,
    /// Only those bought through this channel.
    pub channel: Option<enums::PurchaseChannel>,
    /// Only those in this status.
    pub status: Option<enums::SubscriptionStatus>,
    /// Only those of this service.
    pub service_id: Option<ID>,
    /// With `stage`: those where this partner serves the stage. Alone: those where it plays any
    /// part (partner of record, indirect reseller, provisioning or support partner).
    pub partner_id: Option<ID>,
    /// Alone: those whose stage is served by someone other than the partner of record (the
    /// multi-channel ones).
    pub stage: Option<enums::LifecycleStage>,
}

impl SubscriptionFilter {
    fn into_db(self) -> GqlResult<db::SubscriptionFilter> {
        Ok(db::SubscriptionFilter {
            customer_id: ids::decode_opt(self.customer_id.as_ref(), &[NodeType::Customer])?,
            channel: self.channel.map(Into::into),
            status: self.status.map(Into::into),
            service_id: ids::decode_opt(self.service_id.as_ref(), &[NodeType::Service])?,
            partner_id: ids::decode_opt(self.partner_id.as_ref(), &[NodeType::Partner])?,
            stage: self.stage.map(Into::into),
        })
    }
}

#[derive(Default)]
pub struct SubscriptionsQuery;

#[Object]
impl SubscriptionsQuery {
    /// The subscriptions the viewer may see, from every channel, by name. The operator sees
    /// all; a partner those it transacts, resells, or holds delegated rights for; a customer's
    /// global or billing admin its own.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn subscriptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all conditions must hold.")] filter: Option<SubscriptionFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<Subscription>> {
        let scope = ctx.scope()?;
        let now = ctx.now();
        let request = connection::page_request(first, after)?;
        let filter = filter.unwrap_or_default().into_db()?;
        let page = db::page(&ctx.state().pool, scope, &filter, &request, now).await?;
        let items: Vec<&db::Subscription> = page.items.iter().collect();
        let node = ctx.look_ahead().field("edges").field("node");
        super::prefetch::for_subscriptions(ctx.data_unchecked::<Loaders>(), node, &items).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::Subscriptions { scope, filter, now },
            |s| (s.friendly_name.clone(), s.id),
            Subscription,
        ))
    }

    /// One subscription by id, if the viewer may see it (else NOT_FOUND).
    async fn subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription's global id.")] id: ID,
    ) -> GqlResult<Subscription> {
        let uuid = ids::decode(&id, &[NodeType::Subscription])?;
        Ok(Subscription(visible_subscription(ctx, uuid).await?))
    }
}

pub async fn visible_subscription(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<db::Subscription> {
    let found = db::visible_by_id(&ctx.state().pool, ctx.scope()?, id, ctx.now()).await?;
    Ok(found.ok_or_else(|| AppError::not_found("subscription"))?)
}

/// The subscription after a change.
#[derive(SimpleObject)]
pub struct SubscriptionPayload {
    /// The subscription as it is now.
    pub subscription: Subscription,
}

/// Order a subscription as its partner of record (or, for the operator, online direct).
#[derive(InputObject)]
pub struct CreateSubscriptionInput {
    /// The customer it is for.
    pub customer_id: ID,
    /// The offer.
    pub offer_id: ID,
    /// The name the customer knows it by.
    pub friendly_name: String,
    /// Seats (1 to 1,000,000).
    pub quantity: i32,
    /// The commitment term.
    pub term_duration: enums::TermDuration,
    /// How often it is billed.
    pub billing_cycle: enums::BillingCycle,
    /// Whether it renews at the end of the term.
    #[graphql(default = true)]
    pub auto_renew: bool,
    /// For an indirect provider: the reseller it is sold through.
    pub indirect_reseller_id: Option<ID>,
}

/// Change the number of seats.
#[derive(InputObject)]
pub struct ChangeSubscriptionQuantityInput {
    /// The subscription.
    pub subscription_id: ID,
    /// The new number of seats (never below the assigned seats).
    pub quantity: i32,
}

/// Turn auto-renew on or off.
#[derive(InputObject)]
pub struct SetSubscriptionAutoRenewInput {
    /// The subscription.
    pub subscription_id: ID,
    /// Whether it renews at the end of the term.
    pub auto_renew: bool,
}

/// Which subscription to suspend, reactivate or cancel.
#[derive(InputObject)]
pub struct SubscriptionIdInput {
    /// The subscription.
    pub subscription_id: ID,
}

/// Assign or unassign seats.
#[derive(InputObject)]
pub struct SeatsInput {
    /// The subscription.
    pub subscription_id: ID,
    /// How many seats (at least 1).
    pub seats: i32,
}

/// Hand the provisioning or support stage to a partner holding the matching delegated role.
#[derive(InputObject)]
pub struct AssignServicePartnerInput {
    /// The subscription.
    pub subscription_id: ID,
    /// PROVISIONING or SUPPORT (sales and renewal stay with the channel).
    pub stage: enums::LifecycleStage,
    /// The partner; null gives the stage back to the partner of record (or the operator).
    pub partner_id: Option<ID>,
}

#[derive(Default)]
pub struct SubscriptionsMutation;

async fn changed(ctx: &Context<'_>, id: &ID, change: Change) -> GqlResult<SubscriptionPayload> {
    let viewer = ctx.writer()?;
    let uuid = ids::decode(id, &[NodeType::Subscription])?;
    workflows::change(ctx.state(), viewer, uuid, change).await?;
    Ok(SubscriptionPayload { subscription: Subscription(visible_subscription(ctx, uuid).await?) })
}

#[Object]
impl SubscriptionsMutation {
    /// Order a subscription: a CSP direct partner for its customer, an indirect provider
    /// through one of its resellers, the operator online direct.
    async fn create_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Order a subscription as its partner of record (or, for the operator, online direct)."
        )]
        input: CreateSubscriptionInput,
    ) -> GqlResult<SubscriptionPayload> {
        let viewer = ctx.writer()?;
        let id = workflows::create(
            ctx.state(),
            viewer,
            workflows::NewOrder {
                customer_id: ids::decode(&input.customer_id, &[NodeType::Customer])?,
                offer_id: ids::decode(&input.offer_id, &[NodeType::Offer])?,
                friendly_name: input.friendly_name,
                quantity: input.quantity,
                term_duration: input.term_duration.into(),
                billing_cycle: input.billing_cycle.into(),
                auto_renew: input.auto_renew,
                indirect_reseller_id: ids::decode_opt(
                    input.indirect_reseller_id.as_ref(),
                    &[NodeType::Partner],
                )?,
            },
        )
        .await?;
        Ok(SubscriptionPayload { subscription: Subscription(visible_subscription(ctx, id).await?) })
    }

    /// Change the number of seats (partner of record; operator for online direct).
    async fn change_subscription_quantity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Change the number of seats.")] input: ChangeSubscriptionQuantityInput,
    ) -> GqlResult<SubscriptionPayload> {
        changed(ctx, &input.subscription_id, Change::Quantity(input.quantity)).await
    }

    /// Turn auto-renew on or off (partner of record; operator for online direct).
    async fn set_subscription_auto_renew(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Turn auto-renew on or off.")] input: SetSubscriptionAutoRenewInput,
    ) -> GqlResult<SubscriptionPayload> {
        changed(ctx, &input.subscription_id, Change::AutoRenew(input.auto_renew)).await
    }

    /// Suspend an active subscription; its data is deleted 60 days later unless reactivated.
    async fn suspend_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which subscription to suspend, reactivate or cancel.")] input: SubscriptionIdInput,
    ) -> GqlResult<SubscriptionPayload> {
        changed(ctx, &input.subscription_id, Change::Suspend).await
    }

    /// Reactivate a suspended subscription.
    async fn reactivate_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which subscription to suspend, reactivate or cancel.")] input: SubscriptionIdInput,
    ) -> GqlResult<SubscriptionPayload> {
        changed(ctx, &input.subscription_id, Change::Reactivate).await
    }

    /// Renew a subscription whose term ended without auto-renew: a new term of the same length
    /// starts today. Possible until its data-deletion date (60 days after the term ended).
    async fn renew_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which subscription to suspend, reactivate or cancel.")] input: SubscriptionIdInput,
    ) -> GqlResult<SubscriptionPayload> {
        changed(ctx, &input.subscription_id, Change::Renew).await
    }

    /// Cancel a subscription.
    async fn cancel_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which subscription to suspend, reactivate or cancel.")] input: SubscriptionIdInput,
    ) -> GqlResult<SubscriptionPayload> {
        changed(ctx, &input.subscription_id, Change::Cancel).await
    }

    /// Assign seats (never above quantity): the partner of record, or a partner holding
    /// delegated PROVISIONING for the service.
    async fn assign_seats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Assign or unassign seats.")] input: SeatsInput,
    ) -> GqlResult<SubscriptionPayload> {
        changed(ctx, &input.subscription_id, Change::AssignSeats(input.seats)).await
    }

    /// Unassign seats: the partner of record, or a partner holding delegated PROVISIONING.
    async fn unassign_seats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Assign or unassign seats.")] input: SeatsInput,
    ) -> GqlResult<SubscriptionPayload> {
        changed(ctx, &input.subscription_id, Change::UnassignSeats(input.seats)).await
    }

    /// The customer's global admin hands provisioning or support to a partner holding the
    /// matching delegated role for the service (or back to the default with a null partner).
    async fn assign_service_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Hand the provisioning or support stage to a partner holding the matching delegated role."
        )]
        input: AssignServicePartnerInput,
    ) -> GqlResult<SubscriptionPayload> {
        let partner = ids::decode_opt(input.partner_id.as_ref(), &[NodeType::Partner])?;
        changed(ctx, &input.subscription_id, Change::ServicePartner(input.stage.into(), partner)).await
    }
}
