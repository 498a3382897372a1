//! The change feed at run time: the payload every consumer sees (`payload`), and this
//! instance's fan-out of the outbox to live subscribers (`hub`).

pub mod hub;

pub use hub::FeedHub;

use crate::db::feed::FeedEvent;
use crate::domain::feed::PAYLOAD_VERSION;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// A Relay global id, as `graphql::ids` encodes it (checked by a test there).
pub fn global_id(type_name: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}"))
}

/// The event as consumers receive it, in the GraphQL feed (`Event.payload`) and as a webhook's
/// body: `{type, version, timestamp, data}` in the Standard Webhooks shape. Its fields only
/// grow within a version. The acting person is not named here (people are visible only within
/// their organization); `Event.actor` names them to those who may read them.
pub fn payload(e: &FeedEvent) -> serde_json::Value {
    let c = &e.concerns;
    serde_json::json!({
        "type": e.event_type.code(),
        "version": PAYLOAD_VERSION,
        "timestamp": e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": {
            "eventId": e.cursor.encode(),
            "action": e.action,
            "subject": { "type": e.subject_type, "id": global_id(&e.subject_type, e.subject_id) },
            "customerId": c.customer_id.map(|u| global_id("Customer", u)),
            "partnerId": c.partner_id.map(|u| global_id("Partner", u)),
            "otherPartnerIds": c.other_partner_ids.iter().map(|u| global_id("Partner", *u)).collect::<Vec<_>>(),
            "details": e.details,
        }
    })
}
