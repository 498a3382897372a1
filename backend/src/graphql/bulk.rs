//! Bulk operations over the API: start one, read its progress and items, cancel, retry the
//! failures. Thin: the rules are in `domain::bulk`, the work in `workflows::bulk`.

use super::connection::{self, CountQuery, CountedConnection};
use super::context::RequestContext;
use super::delegated_admin::DelegatedAdminRelationship;
use super::enums::{self, BulkItemStatus, BulkKind, BulkStatus};
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::invitations::Invitation;
use super::loaders::Loaders;
use super::node::{Node, resolve};
use super::organizations::Customer;
use super::viewer::User;
use crate::db::bulk as db;
use crate::db::users;
use crate::domain::bulk::{BulkTerms, Progress, operation_status};
use crate::domain::email::invitation_language;
use crate::domain::{self, AppError, AppResult, Language, access};
use crate::workflows::bulk::{self as workflows, Selection, Start};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// One change applied to many customers, item by item, in the background. A list fills in the
/// progress and the creators of its whole page at once.
pub struct BulkOperation(
    pub db::Operation,
    pub Option<Progress>,
    pub Option<Arc<HashMap<Uuid, users::User>>>,
);

impl BulkOperation {
    async fn progress_of(&self, ctx: &Context<'_>) -> AppResult<Progress> {
        if let Some(p) = self.1 {
            return Ok(p);
        }
        let found = db::progress(&ctx.state().pool, &[self.0.id]).await?;
        Ok(found.into_iter().next().map(|(_, p)| p).unwrap_or_default())
    }
}

/// One change applied to many customers, item by item, in the background.
#[Object]
impl BulkOperation {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::BulkOperation, self.0.id)
    }
    /// What it does for each customer.
    async fn kind(&self) -> BulkKind {
        self.0.kind.into()
    }
    /// Where it stands, from its items.
    async fn status(&self, ctx: &Context<'_>) -> GqlResult<BulkStatus> {
        Ok(operation_status(self.0.cancelled_at.is_some(), &self.progress_of(ctx).await?).into())
    }
    /// When it was started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was cancelled, if it was (a retry clears it).
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }
    /// Who started it (null if that user is gone).
    async fn created_by(&self, ctx: &Context<'_>) -> GqlResult<Option<User>> {
        if let Some(creators) = &self.2 {
            return Ok(creators.get(&self.0.created_by).cloned().map(User));
        }
        Ok(users::by_id(&ctx.state().pool, self.0.created_by).await?.map(User))
    }
    /// The idempotency key it was started with.
    async fn idempotency_key(&self) -> &str {
        &self.0.idempotency_key
    }
    /// Its items counted by status.
    async fn progress(&self, ctx: &Context<'_>) -> GqlResult<BulkProgress> {
        let p = self.progress_of(ctx).await?;
        Ok(BulkProgress {
            total: p.total as i32,
            pending: p.pending as i32,
            succeeded: p.succeeded as i32,
            failed: p.failed as i32,
            skipped: p.skipped as i32,
        })
    }
    /// Its items (one per customer) in the order given, optionally of one status.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only items with this status.")] status: Option<BulkItemStatus>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<BulkItem>> {
        let request = connection::page_request(first, after)?;
        let status = status.map(Into::into);
        let op = self.0.id;
        let page = db::items_page(&ctx.state().pool, op, status, &request).await?;
        // The page's invitations in one read (customers and relationships come through loaders).
        let invited: Vec<Uuid> = page
            .items
            .iter()
            .filter(|i| i.result_type.as_deref() == Some("Invitation"))
            .filter_map(|i| i.result_id)
            .collect();
        let invitations = if invited.is_empty() {
            HashMap::new()
        } else {
            let viewer = ctx.viewer()?;
            crate::db::invitations::visible_by_ids(&ctx.state().pool, viewer.party(), &invited, ctx.now())
                .await?
                .into_iter()
                .filter(|_| access::reads_records(viewer))
                .map(|i| (i.invitation_id, i))
                .collect()
        };
        let invitations = Arc::new(invitations);
        prime(ctx, &page.items).await?;
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| async move { db::items_count(&pool, op, status).await }),
            |i| (i.seq.to_string(), i.customer_id),
            |i| BulkItem(i, invitations.clone()),
        ))
    }
}

/// Loads what the page's selected item fields will ask for, each kind in one statement, so a
/// page costs the same statements at any size (the DataLoaders' time window alone splits a
/// large page into several batches).
async fn prime(ctx: &Context<'_>, items: &[db::Item]) -> GqlResult<()> {
    let look = ctx.look_ahead();
    let (edges, nodes) = (look.field("edges").field("node"), look.field("nodes"));
    let wants = |f: &str| edges.field(f).exists() || nodes.field(f).exists();
    let loaders = ctx.data_unchecked::<Loaders>();
    let customers = || items.iter().map(|i| i.customer_id);
    if wants("customer") || wants("result") {
        if let Some(visible) = &loaders.visible_customers {
            visible.load_many(customers()).await?;
        }
        let mut orgs: Vec<Uuid> = customers().collect();
        orgs.push(ctx.viewer()?.organization_id);
        loaders.organizations.load_many(orgs).await?;
    }
    if wants("result") {
        let related = items
            .iter()
            .filter(|i| i.result_type.as_deref() == Some("DelegatedAdminRelationship"))
            .map(|i| i.customer_id);
        loaders.customer_delegated_admin.load_many(related).await?;
    }
    Ok(())
}

/// A bulk operation's items counted by status.
#[derive(SimpleObject)]
pub struct BulkProgress {
    /// All items.
    pub total: i32,
    /// Not done yet.
    pub pending: i32,
    /// Done.
    pub succeeded: i32,
    /// Refused.
    pub failed: i32,
    /// Nothing to do, or cancelled.
    pub skipped: i32,
}

/// One customer's part of a bulk operation, with its page's invitations read at once.
pub struct BulkItem(pub db::Item, Arc<HashMap<Uuid, crate::db::invitations::Invitation>>);

/// One customer's part of a bulk operation.
#[Object]
impl BulkItem {
    /// The customer (null if the viewer no longer sees it).
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Option<Customer>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let Some(visible) = &loaders.visible_customers else { return Ok(None) };
        if visible.load_one(self.0.customer_id).await?.is_none() {
            return Ok(None);
        }
        Ok(loaders.organizations.load_one(self.0.customer_id).await?.map(Customer))
    }
    /// Where it stands.
    async fn status(&self) -> BulkItemStatus {
        self.0.status.into()
    }
    /// The attempt it is on (retrying failures starts another).
    async fn attempt(&self) -> i32 {
        self.0.attempt
    }
    /// When FAILED: the stable code the single mutation would have answered. When PENDING after
    /// a transient failure (TIMEOUT, SERVICE_UNAVAILABLE): that failure's code, while it waits
    /// to run again.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    /// Why it failed, was skipped or is waiting to run again, in words.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// Transient failures of this attempt so far: each makes the item wait longer and run
    /// again, and at the limit (5) it is FAILED with the last one's code.
    async fn tries(&self) -> i32 {
        self.0.tries
    }
    /// When PENDING after a transient failure: not run again before this time.
    async fn not_before(&self) -> Option<DateTime<Utc>> {
        self.0.not_before
    }
    /// What it created or changed (a DelegatedAdminRelationship or an Invitation), if the
    /// viewer still sees it.
    async fn result(&self, ctx: &Context<'_>) -> GqlResult<Option<Node>> {
        let (Some(t), Some(id)) = (self.0.result_type.as_deref().and_then(NodeType::parse), self.0.result_id)
        else {
            return Ok(None);
        };
        let viewer = ctx.viewer()?;
        Ok(match t {
            // The customer's relationships through the loader, under the node's own rule.
            NodeType::DelegatedAdminRelationship => ctx
                .data_unchecked::<Loaders>()
                .customer_delegated_admin
                .load_one(self.0.customer_id)
                .await?
                .unwrap_or_default()
                .into_iter()
                .find(|r| r.id == id)
                .filter(|r| {
                    let draft = r.stored.status == crate::domain::DelegatedAdminStatus::Created;
                    access::may_see_delegated_admin(viewer, r.stored.partner_id, r.stored.customer_id, draft)
                })
                .map(|r| Node::DelegatedAdminRelationship(DelegatedAdminRelationship(r))),
            NodeType::Invitation => self.1.get(&id).cloned().map(|i| Node::Invitation(Invitation(i))),
            other => resolve(ctx, &ids::encode(other, id)).await.ok(),
        })
    }
    /// When it ended (null while pending).
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

/// What each item applies. Which fields count depends on the kind: DELEGATED_ADMIN_REQUEST
/// needs displayName (the start of each relationship's name; the customer's name follows),
/// roles, serviceIds and duration; INVITATION takes message, indirectResellerId, expiresAt and,
/// to ask for delegated admin, roles, serviceIds and duration; SET_AUTO_EXTEND needs autoExtend;
/// TERMINATE_DELEGATED_ADMIN needs nothing.
#[derive(InputObject, Default)]
pub struct BulkTermsInput {
    /// The start of each delegated admin relationship's display name (1 to 30 characters).
    pub display_name: Option<String>,
    /// Delegated roles asked for.
    #[graphql(default)]
    pub roles: Vec<enums::DelegatedRole>,
    /// Services the rights cover.
    #[graphql(default)]
    pub service_ids: Vec<ID>,
    /// How long the rights last once active, ISO-8601 from P1D to P2Y.
    pub duration: Option<String>,
    /// P0D or P180D (not with GLOBAL_ADMIN); for SET_AUTO_EXTEND, the value to set.
    pub auto_extend: Option<String>,
    /// The invitation's message (at most 2000 characters).
    pub message: Option<String>,
    /// For an indirect provider's invitations: the reseller that passes them on.
    pub indirect_reseller_id: Option<ID>,
    /// When the invitations stop working (at most 90 days from now, the default).
    pub expires_at: Option<DateTime<Utc>>,
    /// INVITATION: the language of the invitations' ready-made emails; by default the
    /// request's (`Accept-Language`).
    pub language: Option<enums::InvitationLanguage>,
}

impl BulkTermsInput {
    /// The terms as kept; an invitation's email language is settled now, from the request's
    /// language when none is given.
    fn terms(self, kind: domain::BulkKind, request: Language) -> AppResult<BulkTerms> {
        let language = (kind == domain::BulkKind::Invitation)
            .then(|| invitation_language(self.language.map(Into::into), request).as_str().to_owned());
        Ok(BulkTerms {
            language,
            display_name: self.display_name,
            roles: self
                .roles
                .into_iter()
                .map(|r| crate::domain::DelegatedRole::from(r).as_str().to_owned())
                .collect(),
            service_ids: self
                .service_ids
                .iter()
                .map(|id| ids::decode(id, &[NodeType::Service]))
                .collect::<AppResult<_>>()?,
            duration: self.duration,
            auto_extend: self.auto_extend,
            message: self.message,
            indirect_reseller_id: ids::decode_opt(self.indirect_reseller_id.as_ref(), &[NodeType::Partner])?,
            expires_at: self.expires_at,
        })
    }
}

/// All customers matching the book's search, resolved when the operation starts.
#[derive(InputObject, Default)]
pub struct BulkCustomerFilter {
    /// As the customers list's `filter.search` (blank: every customer the viewer sees).
    pub search: Option<String>,
}

/// A new bulk operation.
#[derive(InputObject)]
pub struct StartBulkOperationInput {
    /// What to do for each customer.
    pub kind: BulkKind,
    /// The customers (at most 5,000); give these or `filter`, not both.
    pub customer_ids: Option<Vec<ID>>,
    /// Every customer the viewer sees that matches (at most 5,000); instead of `customerIds`.
    pub filter: Option<BulkCustomerFilter>,
    /// What each item applies.
    #[graphql(default)]
    pub terms: BulkTermsInput,
    /// Unique per organization (1 to 200 characters): the same key with the same input answers
    /// the same operation and does the work once; with another input it is a CONFLICT.
    pub idempotency_key: String,
}

/// Which bulk operation.
#[derive(InputObject)]
pub struct BulkOperationIdInput {
    /// The operation.
    pub id: ID,
}

/// The bulk operation after a change.
#[derive(SimpleObject)]
pub struct BulkOperationPayload {
    /// The operation as it is now.
    pub bulk_operation: BulkOperation,
}

async fn payload(ctx: &Context<'_>, id: Uuid) -> GqlResult<BulkOperationPayload> {
    let op = workflows::visible(ctx.state(), ctx.viewer()?, id).await?;
    Ok(BulkOperationPayload { bulk_operation: BulkOperation(op, None, None) })
}

/// A bulk operation by id, for `node`.
pub async fn visible_bulk_operation(ctx: &Context<'_>, id: Uuid) -> GqlResult<BulkOperation> {
    Ok(BulkOperation(workflows::visible(ctx.state(), ctx.viewer()?, id).await?, None, None))
}

#[derive(Default)]
pub struct BulkQuery;

#[Object]
impl BulkQuery {
    /// The bulk operations the viewer's organization started, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn bulk_operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<CountedConnection<BulkOperation>> {
        let org = ctx.viewer()?.organization_id;
        let request = connection::page_request(first, after)?;
        let page = db::page(&ctx.state().pool, org, &request).await?;
        let ids: Vec<Uuid> = page.items.iter().map(|o| o.id).collect();
        let progress: HashMap<Uuid, Progress> =
            db::progress(&ctx.state().pool, &ids).await?.into_iter().collect();
        let mut creators: Vec<Uuid> = page.items.iter().map(|o| o.created_by).collect();
        creators.sort();
        creators.dedup();
        let creators: Arc<HashMap<Uuid, users::User>> = Arc::new(
            users::by_ids(&ctx.state().pool, &creators).await?.into_iter().map(|u| (u.id, u)).collect(),
        );
        Ok(connection::build(
            page,
            &request,
            CountQuery::deferred(move |pool| async move { db::count(&pool, org).await }),
            |o| (crate::db::page::time_key(o.created_at), o.id),
            |o| {
                let p = progress.get(&o.id).copied().unwrap_or_default();
                BulkOperation(o, Some(p), Some(creators.clone()))
            },
        ))
    }
}

#[derive(Default)]
pub struct BulkMutation;

#[Object]
impl BulkMutation {
    /// Starts one change for many customers; a worker applies it item by item, each as the
    /// single mutation would (same checks, same codes, same audit events).
    async fn start_bulk_operation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A new bulk operation.")] input: StartBulkOperationInput,
    ) -> GqlResult<BulkOperationPayload> {
        let viewer = ctx.writer()?;
        let selection = match (input.customer_ids, input.filter) {
            (Some(ids), None) => Selection::CustomerIds(
                ids.iter().map(|id| ids::decode(id, &[NodeType::Customer])).collect::<AppResult<_>>()?,
            ),
            (None, Some(f)) => Selection::Search(f.search),
            _ => return Err(AppError::bad_input("give customerIds or filter, not both").into()),
        };
        let start = Start {
            kind: input.kind.into(),
            selection,
            terms: input.terms.terms(input.kind.into(), ctx.language())?,
            idempotency_key: input.idempotency_key,
        };
        let id = workflows::start(ctx.state(), viewer, start).await?;
        payload(ctx, id).await
    }

    /// Cancels: pending items become SKIPPED (the creator, or an admin agent of its organization).
    async fn cancel_bulk_operation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which bulk operation.")] input: BulkOperationIdInput,
    ) -> GqlResult<BulkOperationPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.id, &[NodeType::BulkOperation])?;
        workflows::cancel(ctx.state(), viewer, id).await?;
        payload(ctx, id).await
    }

    /// Puts the FAILED items back to PENDING for another attempt; the others keep their outcome.
    async fn retry_failed_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which bulk operation.")] input: BulkOperationIdInput,
    ) -> GqlResult<BulkOperationPayload> {
        let viewer = ctx.writer()?;
        let id = ids::decode(&input.id, &[NodeType::BulkOperation])?;
        workflows::retry_failed(ctx.state(), viewer, id).await?;
        payload(ctx, id).await
    }
}
