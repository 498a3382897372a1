//! The audit log in the API.

use super::context::RequestContext;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use super::organizations::Organization;
use crate::db::audit_query as db;
use crate::domain::AppError;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::{DateTime, Utc};

/// One recorded change.
pub struct AuditEvent(pub db::AuditEvent);

/// An append-only record of one change: who, when, what, to what.
#[Object]
impl AuditEvent {
    /// The event's sequence number (newer is larger).
    async fn sequence(&self) -> i64 {
        self.0.audit_event_id
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// What happened, e.g. `invitation.accepted`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The kind of object changed, e.g. `Invitation`.
    async fn subject_type(&self) -> &str {
        &self.0.subject_type
    }
    /// The changed object's id (raw uuid).
    async fn subject_id(&self) -> String {
        self.0.subject_id.to_string()
    }
    /// The acting user's id, if a person acted.
    async fn actor_user_id(&self) -> Option<ID> {
        self.0.actor_user_id.map(|u| ids::encode(NodeType::User, u))
    }
    /// The acting organization, if any (none for the system's own jobs).
    async fn actor_organization(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        let Some(id) = self.0.actor_organization_id else { return Ok(None) };
        Ok(ctx.data_unchecked::<Loaders>().organizations.load_one(id).await?.map(Organization::from_record))
    }
    /// The customer concerned.
    async fn customer_id(&self) -> Option<ID> {
        self.0.customer_id.map(|c| ids::encode(NodeType::Customer, c))
    }
    /// The partner concerned.
    async fn partner_id(&self) -> Option<ID> {
        self.0.partner_id.map(|p| ids::encode(NodeType::Partner, p))
    }
    /// Details of the change.
    async fn details(&self) -> Json<serde_json::Value> {
        Json(self.0.details.clone())
    }
}

/// Narrows the audit log.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// Only events about this customer.
    pub customer_id: Option<ID>,
    /// Only events about this partner.
    pub partner_id: Option<ID>,
    /// Only this action, e.g. `invitation.accepted`.
    pub action: Option<String>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive).
    pub to: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first: everything for the operator, the events a partner took part
    /// in, the events about a customer.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the log; all conditions must hold.")] filter: Option<AuditEventFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<super::connection::Described<Connection<String, AuditEvent>>> {
        let scope = ctx.scope()?;
        let first = i64::from(first.unwrap_or(20));
        if !(1..=100).contains(&first) {
            return Err(AppError::bad_input("first must be between 1 and 100").into());
        }
        let before = after
            .as_deref()
            .map(|a| a.parse::<i64>().map_err(|_| AppError::bad_input("the cursor is not valid")))
            .transpose()?;
        let f = filter.unwrap_or_default();
        let filter = db::Filter {
            customer_id: ids::decode_opt(f.customer_id.as_ref(), &[NodeType::Customer])?,
            partner_id: ids::decode_opt(f.partner_id.as_ref(), &[NodeType::Partner])?,
            action: f.action,
            from: f.from,
            to: f.to,
        };
        let mut rows = db::page(&ctx.state().pool, scope, &filter, before, first + 1).await?;
        let has_next = rows.len() as i64 > first;
        rows.truncate(first as usize);
        let mut connection = Connection::new(before.is_some(), has_next);
        connection.edges =
            rows.into_iter().map(|e| Edge::new(e.audit_event_id.to_string(), AuditEvent(e))).collect();
        Ok(super::connection::Described(connection))
    }
}
