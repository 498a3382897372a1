//! The change feed: which audit actions are events, their types and versions, the cursor a
//! reader resumes from, and who may receive an event. The GraphQL feed, the live stream and
//! webhooks all use these; none restates them.

use super::access::Scope;
use super::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// An event type of the feed. Its code (`invitation.accepted`) names it in payloads, webhooks
/// and filters; its version changes when its payload changes shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    InvitationCreated,
    InvitationAccepted,
    InvitationDeclined,
    InvitationExpired,
    InvitationRevoked,
    ResellerRelationshipCreated,
    ResellerRelationshipRemoved,
    PartnershipAccepted,
    PartnershipRemoved,
    DelegatedAdminApprovalRequested,
    DelegatedAdminApproved,
    DelegatedAdminRejected,
    DelegatedAdminActivated,
    DelegatedAdminExpiring,
    DelegatedAdminExtended,
    DelegatedAdminExpired,
    DelegatedAdminTerminated,
    SubscriptionCreated,
    SubscriptionUpdated,
    SubscriptionSuspended,
    SubscriptionReactivated,
    SubscriptionCancelled,
    SubscriptionServicePartnerAssigned,
    SupportRequestOpened,
    SupportRequestCommented,
    SupportRequestStatusChanged,
    SupportRequestEscalated,
    WebhookEndpointDisabled,
}

use EventType as T;

/// Every event type with its code and the audit actions that raise it. An action not listed
/// here is audited but is not an event (sign-ins, drafts, token changes).
const TYPES: &[(EventType, &str, &[&str])] = &[
    (T::InvitationCreated, "invitation.created", &["invitation.created"]),
    (T::InvitationAccepted, "invitation.accepted", &["invitation.accepted"]),
    (T::InvitationDeclined, "invitation.declined", &["invitation.declined"]),
    (T::InvitationExpired, "invitation.expired", &["invitation.expired"]),
    (T::InvitationRevoked, "invitation.revoked", &["invitation.revoked"]),
    (T::ResellerRelationshipCreated, "reseller_relationship.created", &["reseller_relationship.created"]),
    (T::ResellerRelationshipRemoved, "reseller_relationship.removed", &["reseller_relationship.removed"]),
    (T::PartnershipAccepted, "partnership.accepted", &["partnership.accepted"]),
    (T::PartnershipRemoved, "partnership.removed", &["partnership.removed"]),
    (
        T::DelegatedAdminApprovalRequested,
        "delegated_admin.approval_requested",
        &["delegated_admin.approval_requested"],
    ),
    (T::DelegatedAdminApproved, "delegated_admin.approved", &["delegated_admin.approved"]),
    (T::DelegatedAdminRejected, "delegated_admin.rejected", &["delegated_admin.rejected"]),
    // Rights the operator grants directly are in force at once, like an activation.
    (
        T::DelegatedAdminActivated,
        "delegated_admin.activated",
        &["delegated_admin.activated", "delegated_admin.granted"],
    ),
    (T::DelegatedAdminExpiring, "delegated_admin.expiring", &["delegated_admin.expiring"]),
    (T::DelegatedAdminExtended, "delegated_admin.extended", &["delegated_admin.extended"]),
    (T::DelegatedAdminExpired, "delegated_admin.expired", &["delegated_admin.expired"]),
    (T::DelegatedAdminTerminated, "delegated_admin.terminated", &["delegated_admin.terminated"]),
    (T::SubscriptionCreated, "subscription.created", &["subscription.created"]),
    (
        T::SubscriptionUpdated,
        "subscription.updated",
        &[
            "subscription.quantity_changed",
            "subscription.auto_renew_changed",
            "subscription.seats_assigned",
            "subscription.seats_unassigned",
            "subscription.renewed",
        ],
    ),
    (T::SubscriptionSuspended, "subscription.suspended", &["subscription.suspended"]),
    (T::SubscriptionReactivated, "subscription.reactivated", &["subscription.reactivated"]),
    (T::SubscriptionCancelled, "subscription.cancelled", &["subscription.cancelled", "subscription.deleted"]),
    (
        T::SubscriptionServicePartnerAssigned,
        "subscription.service_partner_assigned",
        &["subscription.service_partner_assigned"],
    ),
    (T::SupportRequestOpened, "support_request.opened", &["support_request.opened"]),
    (T::SupportRequestCommented, "support_request.commented", &["support_request.commented"]),
    (
        T::SupportRequestStatusChanged,
        "support_request.status_changed",
        &["support_request.updated", "support_request.resolved"],
    ),
    (T::SupportRequestEscalated, "support_request.escalated", &["support_request.escalated"]),
    (T::WebhookEndpointDisabled, "webhook_endpoint.disabled", &["webhook_endpoint.disabled"]),
];

/// The payload shape of every event type; a change of shape adds a version, it never edits one.
pub const PAYLOAD_VERSION: u32 = 1;

impl EventType {
    pub const ALL: &'static [EventType] = &[
        T::InvitationCreated,
        T::InvitationAccepted,
        T::InvitationDeclined,
        T::InvitationExpired,
        T::InvitationRevoked,
        T::ResellerRelationshipCreated,
        T::ResellerRelationshipRemoved,
        T::PartnershipAccepted,
        T::PartnershipRemoved,
        T::DelegatedAdminApprovalRequested,
        T::DelegatedAdminApproved,
        T::DelegatedAdminRejected,
        T::DelegatedAdminActivated,
        T::DelegatedAdminExpiring,
        T::DelegatedAdminExtended,
        T::DelegatedAdminExpired,
        T::DelegatedAdminTerminated,
        T::SubscriptionCreated,
        T::SubscriptionUpdated,
        T::SubscriptionSuspended,
        T::SubscriptionReactivated,
        T::SubscriptionCancelled,
        T::SubscriptionServicePartnerAssigned,
        T::SupportRequestOpened,
        T::SupportRequestCommented,
        T::SupportRequestStatusChanged,
        T::SupportRequestEscalated,
        T::WebhookEndpointDisabled,
    ];

    /// The code that names the type in payloads, webhooks and the outbox.
    pub fn code(self) -> &'static str {
        TYPES.iter().find(|(t, _, _)| *t == self).map(|(_, code, _)| *code).unwrap_or("unknown")
    }

    pub fn from_code(code: &str) -> Option<EventType> {
        TYPES.iter().find(|(_, c, _)| *c == code).map(|(t, _, _)| *t)
    }

    /// The event an audit action raises, if it raises one.
    pub fn of_action(action: &str) -> Option<EventType> {
        TYPES.iter().find(|(_, _, actions)| actions.contains(&action)).map(|(t, _, _)| *t)
    }

    /// The type in words, for the notifications menu and webhook forms.
    pub fn words(self) -> String {
        let code = self.code();
        let mut s = code.replace(['.', '_'], " ");
        if let Some(first) = s.get(0..1) {
            s.replace_range(0..1, &first.to_uppercase());
        }
        s.replace("delegated admin", "delegated admin rights")
    }
}

/// Where a reader stands in the feed: the transaction and the id of the last event it read.
/// Events are read in (xid, id) order and only below the oldest running transaction, so a
/// cursor never passes an event that commits later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cursor {
    pub xid: i64,
    pub id: i64,
}

impl Cursor {
    /// Before every event.
    pub const START: Cursor = Cursor { xid: 0, id: 0 };

    /// Opaque to clients: `URL-safe base64` of `xid:id`.
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("feed:{}:{}", self.xid, self.id))
    }

    pub fn decode(s: &str) -> AppResult<Cursor> {
        let bad = || AppError::bad_input("not a cursor of the event feed");
        if s.len() > 100 {
            return Err(bad());
        }
        let text = URL_SAFE_NO_PAD.decode(s).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(bad)?;
        let mut parts = text.split(':');
        let (Some("feed"), Some(xid), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let xid: i64 = xid.parse().map_err(|_| bad())?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        if xid < 0 || id < 0 {
            return Err(bad());
        }
        Ok(Cursor { xid, id })
    }
}

/// The organizations an event concerns, as the audit row records them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Concerns {
    pub actor_organization_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    pub other_partner_ids: Vec<Uuid>,
}

impl Concerns {
    /// Every organization named, once each, for payloads.
    pub fn organizations(&self) -> Vec<Uuid> {
        let mut all: Vec<Uuid> = self
            .actor_organization_id
            .into_iter()
            .chain(self.customer_id)
            .chain(self.partner_id)
            .chain(self.other_partner_ids.iter().copied())
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

/// Whether a viewer with `scope` may receive an event: the same rule as the audit log (the
/// operator all; a partner the events it took part in; a customer those about it, unless its
/// role reads no records). `db::visibility::push_event_visible` is its SQL, and a test compares
/// the two on every combination.
pub fn may_receive(scope: &Scope, c: &Concerns) -> bool {
    match *scope {
        Scope::Everything => true,
        Scope::Partner { partner_id } => {
            c.partner_id == Some(partner_id)
                || c.actor_organization_id == Some(partner_id)
                || c.other_partner_ids.contains(&partner_id)
        }
        Scope::Customer { subscriptions: false, .. } => false,
        Scope::Customer { customer_id, .. } => {
            c.customer_id == Some(customer_id) || c.actor_organization_id == Some(customer_id)
        }
    }
}

/// The most events one read of the feed returns (a page, a replay step, a dispatch batch).
pub const MAX_BATCH: i64 = 500;

/// The unread count the notifications menu shows stops here ("99+").
pub const UNREAD_CAP: i64 = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_one_code_and_round_trips() {
        assert_eq!(EventType::ALL.len(), TYPES.len());
        for t in EventType::ALL {
            assert_eq!(EventType::from_code(t.code()), Some(*t));
        }
        let mut codes: Vec<_> = TYPES.iter().map(|(_, c, _)| *c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), TYPES.len());
    }

    #[test]
    fn an_action_raises_at_most_one_type() {
        let mut actions: Vec<_> = TYPES.iter().flat_map(|(_, _, a)| a.iter().copied()).collect();
        let n = actions.len();
        actions.sort();
        actions.dedup();
        assert_eq!(actions.len(), n);
        assert_eq!(EventType::of_action("session.created"), None);
        assert_eq!(EventType::of_action("subscription.quantity_changed"), Some(T::SubscriptionUpdated));
    }

    #[test]
    fn every_action_in_the_feed_is_an_audit_action_in_words() {
        for (_, _, actions) in TYPES {
            for a in *actions {
                assert!(
                    super::super::audit::ACTIONS.iter().any(|(c, _)| c == a),
                    "{a} is in the feed but has no words in domain/audit.rs"
                );
            }
        }
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = Cursor { xid: 123456789, id: 42 };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        for bad in
            ["", "x", "ZmVlZDox", &URL_SAFE_NO_PAD.encode("feed:-1:2"), &URL_SAFE_NO_PAD.encode("feed:1:2:3")]
        {
            assert!(Cursor::decode(bad).is_err(), "{bad}");
        }
        assert!(Cursor { xid: 1, id: 9 } < Cursor { xid: 2, id: 1 });
    }

    #[test]
    fn receivers_follow_the_audit_rule() {
        let (p, q, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let e = Concerns { customer_id: Some(c), partner_id: Some(p), ..Default::default() };
        assert!(may_receive(&Scope::Partner { partner_id: p }, &e));
        assert!(!may_receive(&Scope::Partner { partner_id: q }, &e));
        assert!(may_receive(&Scope::Customer { customer_id: c, subscriptions: true }, &e));
        assert!(!may_receive(&Scope::Customer { customer_id: c, subscriptions: false }, &e));
        assert!(may_receive(&Scope::Everything, &e));
        let e = Concerns { other_partner_ids: vec![q], ..e };
        assert!(may_receive(&Scope::Partner { partner_id: q }, &e));
    }
}
