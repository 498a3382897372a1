//! The change feed in the API: `events` (a Relay connection for polling and catching up), the
//! unread count of the notifications menu, and the live `events` stream of the `Live` root
//! (over WebSocket, see `http::live`).

use super::context::RequestContext;
use super::error::GqlResult;
use super::ids::{self, NodeType};
use super::node::Node;
use super::viewer::User;
use crate::db::feed::{self as db, FeedEvent, Query};
use crate::domain::access::Scope;
use crate::domain::feed::{Cursor, PAYLOAD_VERSION, UNREAD_CAP};
use crate::domain::{self, AppError, Code};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, InputObject, Json, Object, Subscription};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::sync::Arc;

/// The type of a feed event (its `code` in payloads and webhooks, e.g. `invitation.accepted`).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::feed::EventType")]
pub enum EventType {
    /// `invitation.created`: a partner created an invitation.
    InvitationCreated,
    /// `invitation.accepted`: a customer accepted an invitation.
    InvitationAccepted,
    /// `invitation.declined`: a customer declined an invitation.
    InvitationDeclined,
    /// `invitation.expired`: an invitation ran out unanswered.
    InvitationExpired,
    /// `invitation.revoked`: the partner withdrew an invitation.
    InvitationRevoked,
    /// `reseller_relationship.created`: a customer and a partner became related.
    ResellerRelationshipCreated,
    /// `reseller_relationship.removed`: a reseller relationship ended.
    ResellerRelationshipRemoved,
    /// `partnership.accepted`: a reseller accepted an indirect provider's partnership.
    PartnershipAccepted,
    /// `partnership.removed`: a provider–reseller partnership ended.
    PartnershipRemoved,
    /// `delegated_admin.approval_requested`: a partner asked a customer for delegated rights.
    DelegatedAdminApprovalRequested,
    /// `delegated_admin.approved`: the customer approved delegated rights.
    DelegatedAdminApproved,
    /// `delegated_admin.rejected`: the customer rejected delegated rights.
    DelegatedAdminRejected,
    /// `delegated_admin.activated`: delegated rights came into force.
    DelegatedAdminActivated,
    /// `delegated_admin.expiring`: delegated rights end within 30, 7 or 1 days (one notice each).
    DelegatedAdminExpiring,
    /// `delegated_admin.extended`: delegated rights were extended.
    DelegatedAdminExtended,
    /// `delegated_admin.expired`: delegated rights ran out.
    DelegatedAdminExpired,
    /// `delegated_admin.terminated`: delegated rights were ended.
    DelegatedAdminTerminated,
    /// `subscription.created`: a subscription was ordered.
    SubscriptionCreated,
    /// `subscription.updated`: quantity, seats, renewal or auto-renewal changed (`data.action` says which).
    SubscriptionUpdated,
    /// `subscription.suspended`: a subscription was suspended.
    SubscriptionSuspended,
    /// `subscription.reactivated`: a suspended subscription is active again.
    SubscriptionReactivated,
    /// `subscription.cancelled`: a subscription was cancelled or deleted.
    SubscriptionCancelled,
    /// `subscription.service_partner_assigned`: a partner now provisions or supports a subscription.
    SubscriptionServicePartnerAssigned,
    /// `support_request.opened`: a support request was opened.
    SupportRequestOpened,
    /// `support_request.commented`: someone commented on a support request.
    SupportRequestCommented,
    /// `support_request.status_changed`: a support request changed status or was resolved.
    SupportRequestStatusChanged,
    /// `support_request.escalated`: a support request was escalated to the operator.
    SupportRequestEscalated,
    /// `webhook_endpoint.disabled`: a webhook endpoint was disabled after failing (or by a 410).
    WebhookEndpointDisabled,
}

/// Something that happened, as the feed tells it.
#[derive(Clone)]
pub struct Event(pub Arc<FeedEvent>);

/// One event of the change feed: what happened, to what, who did it. Events come in commit
/// order; `cursor` resumes a feed after this event (the query's `after`, the stream's `after`).
#[Object]
impl Event {
    /// Where a reader resumes after this event.
    async fn cursor(&self) -> String {
        self.0.cursor.encode()
    }
    /// What happened.
    #[graphql(name = "type")]
    async fn event_type(&self) -> EventType {
        self.0.event_type.into()
    }
    /// The type's code, e.g. `invitation.accepted`, as in webhook payloads.
    async fn type_code(&self) -> &'static str {
        self.0.event_type.code()
    }
    /// What happened, in words in the viewer's language (`Accept-Language`).
    async fn label(&self, ctx: &Context<'_>) -> String {
        domain::audit::action_label(ctx.language(), &self.0.action)
    }
    /// The version of the payload's shape.
    async fn version(&self) -> u32 {
        PAYLOAD_VERSION
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The person who acted, when the viewer may read that person (its own organization's
    /// people; the operator everyone). Null for the system's jobs and other organizations.
    async fn actor(&self, ctx: &Context<'_>) -> GqlResult<Option<User>> {
        super::audit::visible_actor(ctx, self.0.actor_user_id, self.0.concerns.actor_organization_id).await
    }
    /// The object it happened to, when the viewer may (still) read it.
    async fn subject(&self, ctx: &Context<'_>) -> Option<Node> {
        let kind = NodeType::parse(&self.0.subject_type)?;
        super::node::resolve(ctx, &ids::encode(kind, self.0.subject_id)).await.ok()
    }
    /// The subject's type, e.g. `Invitation` (also when `subject` is not readable).
    async fn subject_type(&self) -> &str {
        &self.0.subject_type
    }
    /// The event as webhooks deliver it: `{type, version, timestamp, data}`.
    async fn payload(&self) -> Json<serde_json::Value> {
        Json(crate::feed::payload(&self.0))
    }
}

/// Narrows the feed.
#[derive(InputObject, Default)]
pub struct EventFilter {
    /// Only these types (all when absent or empty).
    pub types: Option<Vec<EventType>>,
}

fn cursor_arg(c: Option<&str>) -> GqlResult<Option<Cursor>> {
    Ok(c.map(Cursor::decode).transpose()?)
}

#[derive(Default)]
pub struct FeedQuery;

#[Object]
impl FeedQuery {
    /// The events the viewer may read, in commit order: `first`/`after` read forward from a
    /// cursor (catching up, polling); `last`/`before` read the newest (the notifications menu).
    /// An event appears once every transaction that began before it has ended.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the feed.")] filter: Option<EventFilter>,
        #[graphql(desc = "Read forward: at most this many, 1 to 100.")] first: Option<i32>,
        #[graphql(desc = "Read forward after this cursor (from the beginning when absent).")] after: Option<
            String,
        >,
        #[graphql(desc = "Read the newest: at most this many, 1 to 100.")] last: Option<i32>,
        #[graphql(desc = "With `last`: only events before this cursor.")] before: Option<String>,
    ) -> GqlResult<super::connection::Described<Connection<String, Event>>> {
        let scope = ctx.scope()?;
        let types: Vec<domain::feed::EventType> =
            filter.and_then(|f| f.types).unwrap_or_default().into_iter().map(Into::into).collect();
        let after = cursor_arg(after.as_deref())?;
        let before = cursor_arg(before.as_deref())?;
        let bound = |n: i32| -> GqlResult<i64> {
            if !(1..=100).contains(&n) {
                return Err(AppError::bad_input("first and last must be between 1 and 100").into());
            }
            Ok(i64::from(n))
        };
        let newest_first = match (first, last) {
            (Some(_), Some(_)) => return Err(AppError::bad_input("give first or last, not both").into()),
            (None, Some(_)) => true,
            _ => false,
        };
        if newest_first && after.is_some() || !newest_first && before.is_some() {
            return Err(AppError::bad_input("after goes with first, before with last").into());
        }
        let n = bound(first.or(last).unwrap_or(20))?;
        let q = Query { types, after, before, newest_first, limit: n + 1 };
        let mut rows = db::read(&ctx.state().pool, Some(scope), &q).await?;
        let more = rows.len() as i64 > n;
        rows.truncate(n as usize);
        if newest_first {
            rows.reverse();
        }
        let (has_previous, has_next) =
            if newest_first { (more, before.is_some()) } else { (after.is_some(), more) };
        let mut connection = Connection::new(has_previous, has_next);
        connection.edges =
            rows.into_iter().map(|e| Edge::new(e.cursor.encode(), Event(Arc::new(e)))).collect();
        Ok(super::connection::Described(connection))
    }

    /// How many events the viewer may read came after it last marked the feed seen, not
    /// counting its own; counted up to 100 (show "99+" beyond 99).
    async fn unread_event_count(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        let viewer = ctx.viewer()?;
        let scope = ctx.scope()?;
        let pool = &ctx.state().pool;
        let seen = db::seen(pool, viewer.user_id).await?;
        Ok(db::unread(pool, scope, viewer.user_id, seen, UNREAD_CAP).await?)
    }
}

#[derive(Default)]
pub struct FeedMutation;

#[Object]
impl FeedMutation {
    /// Marks the feed seen through the event at `through` (a cursor); answers the unread count
    /// left. Never moves back.
    async fn mark_events_seen(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cursor of the newest event seen (from `events` or the live stream).")] through: String,
    ) -> GqlResult<i64> {
        let viewer = ctx.writer()?;
        let scope = ctx.scope()?;
        let cursor = Cursor::decode(&through)?;
        let pool = &ctx.state().pool;
        db::mark_seen(pool, viewer.user_id, cursor).await?;
        let seen = db::seen(pool, viewer.user_id).await?;
        Ok(db::unread(pool, scope, viewer.user_id, seen, UNREAD_CAP).await?)
    }
}

/// The live root (`Subscription` names the domain's subscriptions, so this one is `Live`).
#[derive(Default)]
pub struct Live;

/// Live events over WebSocket (`GET /graphql`, `graphql-transport-ws` or `graphql-ws`, the token
/// in `connection_init`'s payload as `{"token": "…"}`).
#[Subscription(name = "Live")]
impl Live {
    /// The events the viewer may read as they commit, optionally of some types only. With
    /// `after` (a cursor from an event or from the `events` query), first replays what came
    /// after it, then goes on live; a client that reconnects resumes without gaps. The
    /// connection closes (4403) when the viewer's session or token is revoked, expires or its
    /// access changes. At most 20 streams per connection.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these types (all when absent or empty).")] types: Option<Vec<EventType>>,
        #[graphql(desc = "Replay the events after this cursor first.")] after: Option<String>,
    ) -> async_graphql::Result<BoxStream<'static, Event>> {
        let viewer = ctx.viewer()?;
        let scope = Scope::of(viewer);
        let after = after.as_deref().map(Cursor::decode).transpose()?;
        let types: Vec<domain::feed::EventType> =
            types.unwrap_or_default().into_iter().map(Into::into).collect();
        let state = ctx.state();
        let streams = ctx.data_opt::<LiveStreams>().ok_or_else(|| {
            async_graphql::Error::from(AppError::refused(
                Code::BadUserInput,
                "live events come over WebSocket (GET /graphql), with a token in connection_init",
            ))
        })?;
        let guard =
            (streams.open()?, crate::telemetry::OpenGauge::open(crate::telemetry::LIVE_SUBSCRIPTIONS));
        let events = state.feed.subscribe(state.pool.clone(), scope, types, after);
        // The guard lives as long as the stream, so closing a stream frees its place.
        Ok(events
            .map(move |e| {
                let _ = &guard;
                Event(e)
            })
            .boxed())
    }
}

/// How many live streams one WebSocket connection may hold at once.
pub const MAX_STREAMS_PER_CONNECTION: usize = 20;

/// The live streams one WebSocket connection holds (its connection data; `http::live`).
#[derive(Clone, Default)]
pub struct LiveStreams(Arc<std::sync::atomic::AtomicUsize>);

/// One open stream's place; given back when the stream is dropped.
pub struct StreamPlace(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for StreamPlace {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

impl LiveStreams {
    fn open(&self) -> Result<StreamPlace, AppError> {
        use std::sync::atomic::Ordering;
        let taken = self.0.fetch_add(1, Ordering::AcqRel);
        let place = StreamPlace(self.0.clone());
        if taken >= MAX_STREAMS_PER_CONNECTION {
            return Err(AppError::refused(
                Code::RateLimited,
                format!(
                    "at most {MAX_STREAMS_PER_CONNECTION} live streams per connection; complete one first"
                ),
            ));
        }
        Ok(place)
    }
}
