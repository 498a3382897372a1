//! Multi-channel subscriptions in the API: the `Subscription` type, who serves each stage, and
//! what the viewer may do; the queries and mutations live in the child modules.

mod mutation;
mod query;

pub use mutation::*;
pub use query::*;

use super::catalog::{Offer, Service};
use super::context::RequestContext;
use super::error::GqlResult;
use super::ids::NodeType;
use super::loaders::Loaders;
use super::organizations::{Customer, Partner};
use super::permissions::Permission;
use super::{enums, ids};
use crate::db::subscriptions as db;
use crate::domain;
use crate::domain::subscription::{SubscriptionAction, ViewerStanding, decide};
use crate::domain::{AppError, LifecycleStage};
use async_graphql::{Context, ID, Object, SimpleObject};
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
