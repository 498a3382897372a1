//! The domain's text enums as PostgreSQL `text`, so rows hold them and statements bind them
//! directly. Here rather than in `domain`, which stays free of sqlx.

use crate::domain::*;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

/// Stored as `as_str`, read back with `FromStr` (an unknown value is an error, never a default).
macro_rules! stored_as_text {
    ($($name:ty),+ $(,)?) => {$(
        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <&str as Type<Postgres>>::type_info()
            }
            fn compatible(ty: &PgTypeInfo) -> bool {
                <&str as Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $name {
            fn array_type_info() -> PgTypeInfo {
                <&str as PgHasArrayType>::array_type_info()
            }
            fn array_compatible(ty: &PgTypeInfo) -> bool {
                <&str as PgHasArrayType>::array_compatible(ty)
            }
        }

        impl Encode<'_, Postgres> for $name {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl Decode<'_, Postgres> for $name {
            fn decode(value: PgValueRef<'_>) -> Result<Self, BoxDynError> {
                Ok(<&str as Decode<Postgres>>::decode(value)?.parse()?)
            }
        }
    )+};
}

stored_as_text!(
    OrganizationKind,
    PartnerProgram,
    Role,
    PurchaseChannel,
    SubscriptionStatus,
    BillingCycle,
    TermDuration,
    BillingModel,
    LifecycleStage,
    DelegatedRole,
    RelationshipKind,
    RelationshipStatus,
    RelationshipOrigin,
    DelegatedAdminStatus,
    DelegatedAdminOrigin,
    InvitationStatus,
    InvitationLanguage,
    PartnershipStatus,
    SupportStatus,
    TokenKind,
    WebhookDeliveryStatus,
    BulkKind,
    BulkItemStatus,
);
