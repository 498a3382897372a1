//! The append-only audit log: one event per change, written in the change's transaction.

use crate::domain::feed::EventType;
use crate::domain::{AppResult, Viewer};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// One audit event; written in the transaction of the change it records.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    pub other_partner_ids: Vec<Uuid>,
    pub details: serde_json::Value,
}

impl<'a> Event<'a> {
    pub fn new(action: &'a str, subject_type: &'a str, subject_id: Uuid) -> Self {
        Event {
            action,
            subject_type,
            subject_id,
            customer_id: None,
            partner_id: None,
            other_partner_ids: Vec::new(),
            details: serde_json::Value::Object(Default::default()),
        }
    }
    pub fn customer(mut self, id: Uuid) -> Self {
        self.customer_id = Some(id);
        self
    }
    pub fn partner(mut self, id: Uuid) -> Self {
        self.partner_id = Some(id);
        self
    }
    pub fn also_partner(mut self, id: Uuid) -> Self {
        self.other_partner_ids.push(id);
        self
    }
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// Who acted: a signed-in viewer, or the system (bootstrap, background jobs).
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
}

impl Actor {
    pub const SYSTEM: Actor = Actor { user_id: None, organization_id: None };
}

impl From<&Viewer> for Actor {
    fn from(v: &Viewer) -> Self {
        Actor { user_id: Some(v.user_id), organization_id: Some(v.organization_id) }
    }
}

pub async fn append(
    db: impl PgExecutor<'_>,
    actor: Actor,
    at: DateTime<Utc>,
    e: Event<'_>,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        "insert into audit_event (occurred_at, actor_user_id, actor_organization_id, action, subject_type,
            subject_id, customer_id, partner_id, other_partner_ids, details, event_type)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning audit_event_id",
        at,
        actor.user_id,
        actor.organization_id,
        e.action,
        e.subject_type,
        e.subject_id,
        e.customer_id,
        e.partner_id,
        &e.other_partner_ids,
        e.details,
        // An action in the feed makes the row an event of the outbox (migration 11).
        EventType::of_action(e.action).map(EventType::code),
    )
    .fetch_one(db)
    .await?)
}
