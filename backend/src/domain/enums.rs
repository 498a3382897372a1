//! The domain's closed vocabularies, stored as text in PostgreSQL.

use std::fmt;
use std::str::FromStr;

/// Declares an enum whose variants are stored and shown as SCREAMING_CASE text.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value as words for messages people read: `GLOBAL_ADMIN` → "global admin"
            /// (codes stay in `as_str`, for machines).
            pub fn words(self) -> String {
                self.as_str().to_ascii_lowercase().replace('_', " ")
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

/// A stored value outside its vocabulary: a bug or a newer schema, never user input.
#[derive(Debug, thiserror::Error)]
#[error("unknown {kind} value {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

text_enum!(
    /// What kind of organization a tenant of the platform is.
    OrganizationKind { Operator => "OPERATOR", Partner => "PARTNER", Customer => "CUSTOMER" }
);

text_enum!(
    /// The partner program an organization is in.
    PartnerProgram {
        CspDirect => "CSP_DIRECT",
        CspIndirectProvider => "CSP_INDIRECT_PROVIDER",
        CspIndirectReseller => "CSP_INDIRECT_RESELLER",
        Advisor => "ADVISOR",
    }
);

impl PartnerProgram {
    pub fn is_csp(self) -> bool {
        self != PartnerProgram::Advisor
    }

    /// Whether a partner in this program may hold delegated admin rights: CSP partners only
    /// (an Advisor must join CSP first).
    pub fn may_hold_delegated_admin(self) -> bool {
        self.is_csp()
    }

    /// The program as people name it: "indirect reseller", not `CSP_INDIRECT_RESELLER`.
    pub fn program_words(self) -> &'static str {
        match self {
            PartnerProgram::CspDirect => "CSP direct",
            PartnerProgram::CspIndirectProvider => "indirect provider",
            PartnerProgram::CspIndirectReseller => "indirect reseller",
            PartnerProgram::Advisor => "Advisor",
        }
    }
}

text_enum!(
    /// A user's role; each belongs to one kind of organization.
    Role {
        OperatorAdmin => "OPERATOR_ADMIN",
        AdminAgent => "ADMIN_AGENT",
        SalesAgent => "SALES_AGENT",
        HelpdeskAgent => "HELPDESK_AGENT",
        GlobalAdmin => "GLOBAL_ADMIN",
        BillingAdmin => "BILLING_ADMIN",
        User => "USER",
    }
);

impl Role {
    pub fn organization_kind(self) -> OrganizationKind {
        match self {
            Role::OperatorAdmin => OrganizationKind::Operator,
            Role::AdminAgent | Role::SalesAgent | Role::HelpdeskAgent => OrganizationKind::Partner,
            Role::GlobalAdmin | Role::BillingAdmin | Role::User => OrganizationKind::Customer,
        }
    }
}

text_enum!(
    /// How a subscription was bought, which decides its partner of record.
    PurchaseChannel {
        OnlineDirect => "ONLINE_DIRECT",
        Advisor => "ADVISOR",
        CspDirect => "CSP_DIRECT",
        CspIndirect => "CSP_INDIRECT",
    }
);

text_enum!(
    SubscriptionStatus {
        Pending => "PENDING",
        Active => "ACTIVE",
        Suspended => "SUSPENDED",
        Expired => "EXPIRED",
        Deleted => "DELETED",
    }
);

text_enum!(
    BillingCycle { Monthly => "MONTHLY", Annual => "ANNUAL", None => "NONE" }
);

text_enum!(
    TermDuration { P1M => "P1M", P1Y => "P1Y", P3Y => "P3Y" }
);

text_enum!(
    /// How an offer is billed.
    BillingModel { License => "LICENSE", Usage => "USAGE" }
);

text_enum!(
    /// The stages of a subscription's life, each with its service partner.
    LifecycleStage {
        Sales => "SALES",
        Provisioning => "PROVISIONING",
        Support => "SUPPORT",
        Renewal => "RENEWAL",
    }
);

text_enum!(
    /// A role a customer delegates to a partner for some services.
    DelegatedRole { GlobalAdmin => "GLOBAL_ADMIN", Provisioning => "PROVISIONING", Support => "SUPPORT" }
);

text_enum!(
    /// The kind of a customer's reseller relationship with a partner.
    RelationshipKind {
        Direct => "DIRECT",
        IndirectProvider => "INDIRECT_PROVIDER",
        IndirectReseller => "INDIRECT_RESELLER",
    }
);

text_enum!(
    RelationshipStatus { Active => "ACTIVE", Removed => "REMOVED" }
);

text_enum!(
    /// Where a reseller relationship came from.
    RelationshipOrigin {
        Invitation => "INVITATION",
        TenantCreated => "TENANT_CREATED",
        Imported => "IMPORTED",
    }
);

text_enum!(
    DelegatedAdminStatus {
        Created => "CREATED",
        ApprovalPending => "APPROVAL_PENDING",
        ConsentPending => "CONSENT_PENDING",
        Active => "ACTIVE",
        Expired => "EXPIRED",
        Terminated => "TERMINATED",
        Rejected => "REJECTED",
    }
);

text_enum!(
    DelegatedAdminOrigin {
        Invitation => "INVITATION",
        PartnerRequest => "PARTNER_REQUEST",
        CustomerGrant => "CUSTOMER_GRANT",
    }
);

text_enum!(
    /// Where an invitation stands; a PENDING one past its expiry reads EXPIRED
    /// (`invitation::status_at`) before the background job writes it down.
    InvitationStatus {
        Pending => "PENDING",
        Accepted => "ACCEPTED",
        Declined => "DECLINED",
        Revoked => "REVOKED",
        Expired => "EXPIRED",
    }
);

text_enum!(
    /// Where a provider's partnership link stands; it expires like an invitation.
    PartnershipStatus { Pending => "PENDING", Active => "ACTIVE", Removed => "REMOVED", Expired => "EXPIRED" }
);

text_enum!(
    /// Where a support request stands.
    SupportStatus { Open => "OPEN", InProgress => "IN_PROGRESS", Escalated => "ESCALATED", Resolved => "RESOLVED" }
);

text_enum!(
    /// Kinds of bearer token.
    TokenKind { Session => "SESSION", Api => "API" }
);

text_enum!(
    /// Where a webhook delivery stands.
    WebhookDeliveryStatus { Pending => "PENDING", Succeeded => "SUCCEEDED", Failed => "FAILED" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_for_every_variant() {
        for channel in PurchaseChannel::ALL {
            assert_eq!(channel.as_str().parse::<PurchaseChannel>().unwrap(), *channel);
        }
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        assert!("online_direct".parse::<PurchaseChannel>().is_err());
    }

    #[test]
    fn values_read_as_words() {
        assert_eq!(Role::GlobalAdmin.words(), "global admin");
        assert_eq!(SubscriptionStatus::Active.words(), "active");
        assert_eq!(PartnerProgram::CspIndirectReseller.program_words(), "indirect reseller");
    }

    #[test]
    fn roles_belong_to_one_kind_of_organization() {
        assert_eq!(Role::GlobalAdmin.organization_kind(), OrganizationKind::Customer);
        assert_eq!(Role::SalesAgent.organization_kind(), OrganizationKind::Partner);
        assert_eq!(Role::OperatorAdmin.organization_kind(), OrganizationKind::Operator);
    }
}

text_enum!(
    /// The language an invitation's ready-made email is written in.
    InvitationLanguage { En => "EN", ZhCn => "ZH_CN" }
);

text_enum!(
    /// What a bulk operation does for each customer.
    BulkKind {
        DelegatedAdminRequest => "DELEGATED_ADMIN_REQUEST",
        Invitation => "INVITATION",
        TerminateDelegatedAdmin => "TERMINATE_DELEGATED_ADMIN",
        SetAutoExtend => "SET_AUTO_EXTEND",
    }
);

text_enum!(
    /// Where one customer's item of a bulk operation stands.
    BulkItemStatus { Pending => "PENDING", Succeeded => "SUCCEEDED", Failed => "FAILED", Skipped => "SKIPPED" }
);

text_enum!(
    /// Where a whole bulk operation stands; it follows from its items.
    BulkStatus {
        Running => "RUNNING",
        Succeeded => "SUCCEEDED",
        PartiallyFailed => "PARTIALLY_FAILED",
        Failed => "FAILED",
        Cancelled => "CANCELLED",
    }
);
