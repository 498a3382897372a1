//! Typed operations, derived from `queries/*.graphql` against the checked-in schema: a query
//! that does not match `schema.graphql` fails the build.
#![allow(clippy::upper_case_acronyms)]

use graphql_client::GraphQLQuery;

// Custom scalars of the schema, as the app reads them.
pub type DateTime = String;
pub type NaiveDate = String;
#[allow(dead_code)]
pub type JSON = serde_json::Value;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/sign_in.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct SignIn;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/sign_out.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct SignOut;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/book.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct Book;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/channel_map.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct ChannelMap;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/subscription.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct SubscriptionPage;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/subscription_actions.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct ChangeQuantity;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/subscription_actions.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct SetAutoRenew;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/subscription_actions.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct Suspend;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/subscription_actions.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct Reactivate;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/subscription_actions.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct Cancel;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/subscription_actions.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct AssignSeats;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/subscription_actions.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct UnassignSeats;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/invitation_landing.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct InvitationPreview;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/invitation_landing.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct AcceptInvitation;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/invitation_landing.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct DeclineInvitation;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/tokens.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct ApiTokens;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/tokens.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct CreateApiToken;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/tokens.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct RevokeApiToken;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/audit.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct AuditLog;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/invitations.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct Invitations;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/invitations.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct CreateInvitation;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/invitations.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct RevokeInvitation;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/delegated_admin.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct DelegatedAdmin;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/delegated_admin.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct ApproveDelegatedAdmin;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/delegated_admin.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct RejectDelegatedAdmin;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/delegated_admin.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct ConsentDelegatedAdmin;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/delegated_admin.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct TerminateDelegatedAdmin;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/delegated_admin.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct RequestDelegatedAdminApproval;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/delegated_admin.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct GrantDelegatedAdmin;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/subscriptions_list.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct SubscriptionsList;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/stage.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct StageHolders;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "queries/stage.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct AssignStage;
