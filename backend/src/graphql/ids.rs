//! Relay global ids and pagination cursors: opaque to clients, checked on the way in.

use crate::db::page::After;
use crate::domain::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// The object types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Operator,
    Partner,
    Customer,
    User,
    Subscription,
    Service,
    Offer,
    ApiToken,
    DelegatedAdminRelationship,
    Invitation,
    ResellerRelationship,
    ResellerPartnership,
    SupportRequest,
    WebhookEndpoint,
    WebhookDelivery,
    BulkOperation,
}

impl NodeType {
    fn as_str(self) -> &'static str {
        match self {
            NodeType::Operator => "Operator",
            NodeType::Partner => "Partner",
            NodeType::Customer => "Customer",
            NodeType::User => "User",
            NodeType::Subscription => "Subscription",
            NodeType::Service => "Service",
            NodeType::Offer => "Offer",
            NodeType::ApiToken => "ApiToken",
            NodeType::DelegatedAdminRelationship => "DelegatedAdminRelationship",
            NodeType::Invitation => "Invitation",
            NodeType::ResellerRelationship => "ResellerRelationship",
            NodeType::ResellerPartnership => "ResellerPartnership",
            NodeType::SupportRequest => "SupportRequest",
            NodeType::WebhookEndpoint => "WebhookEndpoint",
            NodeType::WebhookDelivery => "WebhookDelivery",
            NodeType::BulkOperation => "BulkOperation",
        }
    }

    /// The type named `s` (as in a global id, or an audit event's subject type).
    pub(crate) fn parse(s: &str) -> Option<NodeType> {
        Some(match s {
            "Operator" => NodeType::Operator,
            "Partner" => NodeType::Partner,
            "Customer" => NodeType::Customer,
            "User" => NodeType::User,
            "Subscription" => NodeType::Subscription,
            "Service" => NodeType::Service,
            "Offer" => NodeType::Offer,
            "ApiToken" => NodeType::ApiToken,
            "DelegatedAdminRelationship" => NodeType::DelegatedAdminRelationship,
            "Invitation" => NodeType::Invitation,
            "ResellerRelationship" => NodeType::ResellerRelationship,
            "ResellerPartnership" => NodeType::ResellerPartnership,
            "SupportRequest" => NodeType::SupportRequest,
            "WebhookEndpoint" => NodeType::WebhookEndpoint,
            "WebhookDelivery" => NodeType::WebhookDelivery,
            "BulkOperation" => NodeType::BulkOperation,
            _ => return None,
        })
    }
}

pub fn encode(t: NodeType, id: Uuid) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", t.as_str(), id)))
}

/// Any global id: its type and uuid.
pub fn decode_any(id: &str) -> AppResult<(NodeType, Uuid)> {
    let bad = || AppError::bad_input(format!("{id:?} is not a valid id"));
    let raw = URL_SAFE_NO_PAD.decode(id).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (t, uuid) = text.split_once(':').ok_or_else(bad)?;
    Ok((NodeType::parse(t).ok_or_else(bad)?, Uuid::parse_str(uuid).map_err(|_| bad())?))
}

/// A global id of one expected type (an id of another type is bad input, not "not found").
pub fn decode(id: &async_graphql::ID, expected: &[NodeType]) -> AppResult<Uuid> {
    let (t, uuid) = decode_any(id)?;
    if !expected.contains(&t) {
        let names: Vec<&str> = expected.iter().map(|t| t.as_str()).collect();
        return Err(AppError::bad_input(format!(
            "expected the id of a {}, got a {}",
            names.join(" or "),
            t.as_str()
        )));
    }
    Ok(uuid)
}

pub fn decode_opt(id: Option<&async_graphql::ID>, expected: &[NodeType]) -> AppResult<Option<Uuid>> {
    id.map(|id| decode(id, expected)).transpose()
}

pub fn encode_cursor(key: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!([key, id]).to_string())
}

pub fn decode_cursor(cursor: &str) -> AppResult<After> {
    let bad = || AppError::bad_input("the cursor is not valid");
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let (key, id): (String, Uuid) = serde_json::from_slice(&raw).map_err(|_| bad())?;
    Ok(After { key, id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_type() {
        let u = Uuid::new_v4();
        let id = encode(NodeType::Customer, u);
        assert_eq!(decode(&id, &[NodeType::Customer]).unwrap(), u);
        assert!(decode(&id, &[NodeType::Partner]).is_err());
        assert!(decode_any("garbage!").is_err());
    }

    #[test]
    fn cursors_round_trip() {
        let u = Uuid::new_v4();
        let after = decode_cursor(&encode_cursor("Coho Winery", u)).unwrap();
        assert_eq!(after.key, "Coho Winery");
        assert_eq!(after.id, u);
        assert!(decode_cursor("bm90IGpzb24").is_err());
    }
}
