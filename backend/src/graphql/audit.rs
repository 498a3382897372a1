//! The audit log in the API.

use super::context::RequestContext;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::loaders::Loaders;
use super::node::Node;
use super::organizations::Organization;
use super::viewer::User;
use crate::db::audit_query as db;
use crate::domain::{self, AppError, Language};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use fluent_bundle::FluentArgs;

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
    /// Details of the change, as recorded (ids are raw uuids; `fields` reads them in words).
    async fn details(&self) -> Json<serde_json::Value> {
        Json(self.0.details.clone())
    }
    /// What happened, in words in the viewer's language (`Accept-Language`), e.g. "Invitation
    /// accepted" or "已接受邀请".
    async fn action_label(&self, ctx: &Context<'_>) -> String {
        domain::audit::action_label(ctx.language(), &self.0.action)
    }
    /// The person who acted, when the viewer may read that person (its own organization's
    /// people; the operator everyone). Null for the system's own jobs and for other
    /// organizations' people, whose organization `actorOrganization` names.
    async fn actor(&self, ctx: &Context<'_>) -> GqlResult<Option<User>> {
        visible_actor(ctx, self.0.actor_user_id, self.0.actor_organization_id).await
    }
    /// The changed object, named, when the viewer may read it.
    async fn subject(&self, ctx: &Context<'_>) -> Option<AuditTarget> {
        let kind = NodeType::parse(&self.0.subject_type)?;
        target(ctx, kind, self.0.subject_id).await
    }
    /// The subject's kind in words in the viewer's language, e.g. "Subscription" or "订阅".
    async fn subject_label(&self, ctx: &Context<'_>) -> String {
        subject_words(ctx.language(), &self.0.subject_type)
    }
    /// The customer concerned, named, when the viewer may read it.
    async fn customer(&self, ctx: &Context<'_>) -> Option<AuditTarget> {
        target(ctx, NodeType::Customer, self.0.customer_id?).await
    }
    /// The details as labelled fields in the viewer's language, in the order recorded; an id
    /// becomes the name of what it names, with a link target, when the viewer may read it (else
    /// "not visible to you").
    async fn fields(&self, ctx: &Context<'_>) -> Vec<AuditField> {
        let serde_json::Value::Object(details) = &self.0.details else { return Vec::new() };
        let language = ctx.language();
        let in_words = |v: &serde_json::Value| in_words(language, v);
        let mut fields = Vec::new();
        for (key, value) in details {
            let (label, names) = domain::audit::detail_label(language, key);
            match (names, value) {
                (_, serde_json::Value::Null) => {}
                (Some(names), serde_json::Value::String(_) | serde_json::Value::Array(_)) => {
                    let ids: Vec<uuid::Uuid> = match value {
                        serde_json::Value::Array(items) => items.iter().filter_map(as_uuid).collect(),
                        one => as_uuid(one).into_iter().collect(),
                    };
                    if ids.is_empty() {
                        fields.push(AuditField {
                            label: label.clone(),
                            value: in_words(value),
                            target: None,
                        });
                    }
                    // Each id is one read; a long list (a bulk release) names the first few and
                    // counts the rest, so one page cannot cost thousands of statements.
                    let more = ids.len().saturating_sub(MAX_IDS_NAMED);
                    for id in ids.into_iter().take(MAX_IDS_NAMED) {
                        let found = target(ctx, node_type(names), id).await;
                        let value = found.as_ref().map_or_else(
                            || words(language, "value-not-visible", None, "not visible to you"),
                            |t| t.name.clone(),
                        );
                        fields.push(AuditField { label: label.clone(), value, target: found });
                    }
                    if more > 0 {
                        fields.push(AuditField {
                            label: label.clone(),
                            value: words(
                                language,
                                "value-more",
                                Some(&FluentArgs::from_iter([("n", more)])),
                                &format!("and {more} more"),
                            ),
                            target: None,
                        });
                    }
                }
                _ => fields.push(AuditField { label, value: in_words(value), target: None }),
            }
        }
        fields
    }
}

/// How many ids of one detail are looked up and named.
const MAX_IDS_NAMED: usize = 10;

/// One labelled detail of an audit event.
#[derive(SimpleObject)]
pub struct AuditField {
    /// What the value is, in words, e.g. "Quantity".
    pub label: String,
    /// The value in words (the name of the thing, where it names one).
    pub value: String,
    /// The thing the value names, when the viewer may read it.
    pub target: Option<AuditTarget>,
}

/// A thing an audit event names, which the viewer may read.
#[derive(SimpleObject, Clone)]
pub struct AuditTarget {
    /// Its global id (`node(id:)` reads it).
    pub id: ID,
    /// Its type, e.g. `Subscription`.
    pub kind: String,
    /// Its name, e.g. a subscription's friendly name.
    pub name: String,
}

fn as_uuid(v: &serde_json::Value) -> Option<uuid::Uuid> {
    v.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok())
}

fn node_type(names: domain::audit::Names) -> NodeType {
    use domain::audit::Names;
    match names {
        Names::Customer => NodeType::Customer,
        Names::Partner => NodeType::Partner,
        Names::Subscription => NodeType::Subscription,
        Names::Service => NodeType::Service,
        Names::DelegatedAdminRelationship => NodeType::DelegatedAdminRelationship,
    }
}

/// A message of the API's catalogs in `language`, or `english` (the English is written here).
fn words(language: Language, key: &str, args: Option<&FluentArgs>, english: &str) -> String {
    if language == Language::En {
        return english.to_owned();
    }
    crate::i18n::message(language, key, args).unwrap_or_else(|| english.to_owned())
}

/// "DelegatedAdminRelationship" → "Delegated admin relationship" (or "委派管理员关系").
fn subject_words(language: Language, t: &str) -> String {
    if language != Language::En
        && let Some(words) = crate::i18n::message(language, &format!("subject-{t}"), None)
            .or_else(|| crate::i18n::message(language, "subject-unknown", None))
    {
        return words;
    }
    let mut out = String::new();
    for (i, c) in t.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out.replace("Api", "API")
}

/// A recorded value in words: codes such as `CSP_INDIRECT` lower case with spaces (in another
/// language the code's name, `code-CSP_INDIRECT`), lists joined, yes/no for flags.
fn in_words(language: Language, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s)
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c == '_') =>
        {
            words(language, &format!("code-{s}"), None, &s.replace('_', " ").to_lowercase())
        }
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(true) => words(language, "value-yes", None, "yes"),
        serde_json::Value::Bool(false) => words(language, "value-no", None, "no"),
        serde_json::Value::Array(items) => {
            let sep = if language == Language::En { ", " } else { "、" };
            items.iter().map(|i| in_words(language, i)).collect::<Vec<_>>().join(sep)
        }
        other => other.to_string(),
    }
}

/// The thing of this kind and id, named, if the viewer may read it: the same rule as
/// `node(id:)`, so the log never names what the viewer could not open.
async fn target(ctx: &Context<'_>, kind: NodeType, id: uuid::Uuid) -> Option<AuditTarget> {
    let global = ids::encode(kind, id);
    let node = super::node::resolve(ctx, &global).await.ok()?;
    let language = ctx.language();
    let name = match &node {
        Node::Operator(o) => o.0.name.clone(),
        Node::Partner(o) => o.0.name.clone(),
        Node::Customer(o) => o.0.name.clone(),
        Node::User(u) => u.0.display_name.clone(),
        Node::Subscription(s) => s.0.friendly_name.clone(),
        Node::Service(s) => s.0.name.clone(),
        Node::Offer(o) => o.0.name.clone(),
        Node::ApiToken(t) => {
            t.0.name.clone().unwrap_or_else(|| words(language, "value-unnamed-api-token", None, "API token"))
        }
        Node::DelegatedAdminRelationship(d) => d.0.display_name.clone(),
        Node::Invitation(i) => {
            let date = i.0.created_at.format("%Y-%m-%d").to_string();
            let english = format!("Invitation of {date}");
            words(language, "value-invitation-of", Some(&FluentArgs::from_iter([("date", date)])), &english)
        }
        Node::ResellerRelationship(_) => {
            words(language, "value-reseller-relationship", None, "Reseller relationship")
        }
        Node::ResellerPartnership(_) => {
            words(language, "value-reseller-partnership", None, "Reseller partnership")
        }
        Node::SupportRequest(r) => r.0.title.clone(),
        Node::WebhookEndpoint(e) => e.0.url.clone(),
        Node::WebhookDelivery(d) => d.0.message_id.clone(),
        Node::BulkOperation(b) => {
            let english = format!("Bulk operation ({})", b.0.kind.words());
            let kind = words(language, &format!("code-{}", b.0.kind.as_str()), None, &b.0.kind.words());
            words(language, "value-bulk-operation", Some(&FluentArgs::from_iter([("kind", kind)])), &english)
        }
    };
    Some(AuditTarget { id: global, kind: format!("{kind:?}"), name })
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
    /// Actions whose words contain every word given, ignoring case: "invitation" finds every
    /// invitation event, "seats" the seat changes (also matches part of the action code).
    /// At most 100 characters.
    pub search: Option<String>,
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
            search: search(f.search)?,
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

/// The search's action codes, or None when it is blank.
fn search(text: Option<String>) -> GqlResult<Option<db::ActionSearch>> {
    let Some(text) = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) else { return Ok(None) };
    if text.chars().count() > domain::audit::MAX_SEARCH_CHARS || text.contains('\0') {
        return Err(AppError::bad_input(format!(
            "the search must be at most {} characters, without NUL",
            domain::audit::MAX_SEARCH_CHARS
        ))
        .into());
    }
    let codes = domain::audit::actions_matching(&text).into_iter().map(str::to_owned).collect();
    Ok(Some(db::ActionSearch { codes, text }))
}

/// The person who acted, when the viewer may read that person: its own organization's people,
/// and for the operator everyone (the audit log and the feed both name actors so).
pub(crate) async fn visible_actor(
    ctx: &Context<'_>,
    user_id: Option<uuid::Uuid>,
    organization_id: Option<uuid::Uuid>,
) -> GqlResult<Option<User>> {
    let Some(id) = user_id else { return Ok(None) };
    let viewer = ctx.viewer()?;
    if !viewer.is_operator() && organization_id != Some(viewer.organization_id) {
        return Ok(None);
    }
    let user = crate::db::users::by_id(&ctx.state().pool, id).await?;
    Ok(user.filter(|u| viewer.is_operator() || u.organization_id == viewer.organization_id).map(User))
}
