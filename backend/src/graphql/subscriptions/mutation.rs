//! Changing subscriptions: ordering, seats, auto-renew, suspend, reactivate, renew, cancel and
//! choosing service partners.

use super::Subscription;
use super::query::visible_subscription;
use crate::graphql::context::RequestContext;
use crate::graphql::error::GqlResult;
use crate::graphql::ids::NodeType;
use crate::graphql::{enums, ids};
use crate::workflows::subscriptions as workflows;
use crate::workflows::subscriptions::Change;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

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
