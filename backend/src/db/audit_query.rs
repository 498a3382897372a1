//! Reading the audit log, through the viewer's scope.

use crate::domain::AppResult;
use crate::domain::access::Scope;
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct AuditEvent {
    pub audit_event_id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub actor_organization_id: Option<Uuid>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    pub details: serde_json::Value,
}

/// A search over actions: the codes whose words match, or a code containing the text.
#[derive(Debug, Clone)]
pub struct ActionSearch {
    pub codes: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub customer_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    pub action: Option<String>,
    pub search: Option<ActionSearch>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Newest first, `limit` events before `before` (an event id).
pub async fn page(
    db: impl PgExecutor<'_>,
    scope: Scope,
    f: &Filter,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<AuditEvent>> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "select audit_event_id, occurred_at, actor_user_id, actor_organization_id, action, subject_type, subject_id, \
         customer_id, partner_id, details from audit_event where ",
    );
    super::visibility::push_event_visible(&mut qb, scope);
    if let Some(c) = f.customer_id {
        qb.push(" and customer_id = ").push_bind(c);
    }
    if let Some(p) = f.partner_id {
        qb.push(" and (partner_id = ")
            .push_bind(p)
            .push(" or ")
            .push_bind(p)
            .push(" = any(other_partner_ids))");
    }
    if let Some(a) = &f.action {
        qb.push(" and action = ").push_bind(a.clone());
    }
    if let Some(search) = &f.search {
        let pattern =
            format!("%{}%", search.text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        qb.push(" and (action = any(")
            .push_bind(search.codes.clone())
            .push(") or action ilike ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(from) = f.from {
        qb.push(" and occurred_at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        qb.push(" and occurred_at < ").push_bind(to);
    }
    if let Some(b) = before {
        qb.push(" and audit_event_id < ").push_bind(b);
    }
    qb.push(" order by audit_event_id desc limit ").push_bind(limit);
    Ok(qb.build_query_as().fetch_all(db).await?)
}
