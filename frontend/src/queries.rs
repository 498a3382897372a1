//! Typed operations, derived from `queries/*.graphql` against the checked-in schema: a query
//! that does not match `schema.graphql` fails the build.
#![allow(clippy::upper_case_acronyms)]

use graphql_client::GraphQLQuery;

// Custom scalars of the schema, as the app reads them.
pub type DateTime = String;
pub type NaiveDate = String;
pub type JSON = serde_json::Value;

/// One `GraphQLQuery` type per operation named in a query file.
macro_rules! operations {
    ($($file:tt => [$($name:ident),+ $(,)?];)+) => { $($(
        #[derive(GraphQLQuery)]
        #[graphql(schema_path = "../schema.graphql", query_path = $file, response_derives = "Debug, Clone, PartialEq")]
        pub struct $name;
    )+)+ };
}

operations! {
    "queries/sign_in.graphql" => [SignIn];
    "queries/sign_out.graphql" => [SignOut];
    "queries/book.graphql" => [Book];
    "queries/bulk.graphql" => [
        BulkOperationPage, BulkOperations, BulkOptions, StartBulkOperation, CancelBulkOperation,
        RetryFailedItems,
    ];
    "queries/channel_map.graphql" => [ChannelMap];
    "queries/subscription.graphql" => [SubscriptionPage];
    "queries/subscription_actions.graphql" =>
        [ChangeQuantity, SetAutoRenew, Suspend, Reactivate, Cancel, AssignSeats, UnassignSeats];
    "queries/invitation_landing.graphql" => [InvitationPreview, AcceptInvitation, DeclineInvitation];
    "queries/tokens.graphql" => [ApiTokens, CreateApiToken, RevokeApiToken];
    "queries/audit.graphql" => [AuditLog];
    "queries/invitations.graphql" => [Invitations, CreateInvitation, RevokeInvitation, UpdateInvitationMessage];
    "queries/orders.graphql" => [OrderOptions, CreateSubscription];
    "queries/delegated_admin.graphql" => [
        DelegatedAdmin, ApproveDelegatedAdmin, RejectDelegatedAdmin, ConsentDelegatedAdmin,
        TerminateDelegatedAdmin, RequestDelegatedAdminApproval, DeleteDelegatedAdmin,
        SetDelegatedAdminAutoExtend, GrantDelegatedAdmin, CreateDelegatedAdmin,
    ];
    "queries/subscriptions_list.graphql" => [SubscriptionsList];
    "queries/stage.graphql" => [StageHolders, AssignStage];
    "queries/partnerships.graphql" =>
        [Partnerships, InvitePartnerReseller, AcceptResellerPartnership, RemoveResellerPartnership];
    "queries/relationships.graphql" => [ResellerRelationships, RemovalPreview, RemoveResellerRelationship];
    "queries/people.graphql" =>
        [Users, CreateUser, SetUserRoles, DeactivateUser, ReactivateUser, SetOrganizationMfaRequired];
    "queries/account.graphql" =>
        [Account, ChangePassword, BeginMfaEnrolment, ConfirmMfaEnrolment, DisableMfa];
    "queries/support.graphql" =>
        [SupportRequests, OpenSupportRequest, UpdateSupportRequest, EscalateSupportRequest];
    "queries/live.graphql" => [LiveEvents];
    "queries/notifications.graphql" => [Notifications, MarkEventsSeen];
    "queries/webhooks.graphql" => [
        Webhooks, CreateWebhookEndpoint, UpdateWebhookEndpoint, DeleteWebhookEndpoint,
        RotateWebhookSecret, SendTestWebhook, RedeliverWebhook,
    ];
}
