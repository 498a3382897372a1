//! The GraphQL API: one module per area, merged into one schema. Resolvers stay thin: they
//! decode ids, call the SQL layer (reads, scoped) or a workflow (writes), and shape the answer.

pub mod audit;
pub mod bulk;
pub mod catalog;
pub mod connection;
pub mod context;
pub mod delegated_admin;
pub mod enums;
pub mod error;
pub mod feed;
pub mod ids;
pub mod invitation_preview;
pub mod invitations;
pub mod limits;
pub mod loaders;
pub mod node;
pub mod organizations;
pub mod partnerships;
pub mod people;
pub mod permissions;
pub mod prefetch;
pub mod relationships;
pub mod subscriptions;
pub mod support;
pub mod viewer;
pub mod webhooks;

use crate::AppState;
use async_graphql::{MergedObject, Schema};

/// Reads: the viewer, organizations, subscriptions and the catalogue.
#[derive(MergedObject, Default)]
pub struct Query(
    viewer::ViewerQuery,
    node::NodeQuery,
    organizations::OrganizationsQuery,
    subscriptions::SubscriptionsQuery,
    catalog::CatalogQuery,
    delegated_admin::DelegatedAdminQuery,
    invitations::InvitationsQuery,
    relationships::RelationshipsQuery,
    audit::AuditQuery,
    support::SupportQuery,
    partnerships::PartnershipsQuery,
    people::PeopleQuery,
    feed::FeedQuery,
    webhooks::WebhooksQuery,
    bulk::BulkQuery,
);

/// Changes: each one transaction that appends its audit events.
#[derive(MergedObject, Default)]
pub struct Mutation(
    viewer::ViewerMutation,
    organizations::OrganizationsMutation,
    subscriptions::SubscriptionsMutation,
    delegated_admin::DelegatedAdminMutation,
    invitations::InvitationsMutation,
    relationships::RelationshipsMutation,
    support::SupportMutation,
    partnerships::PartnershipsMutation,
    people::PeopleMutation,
    feed::FeedMutation,
    webhooks::WebhooksMutation,
    bulk::BulkMutation,
);

/// Live: the change feed over WebSocket (`Subscription` is the domain's word for what customers buy).
pub type AppSchema = Schema<Query, Mutation, feed::Live>;

/// The schema with its limits; checked before any resolver runs.
pub fn schema(state: AppState) -> AppSchema {
    let limits = state.limits.clone();
    Schema::build(Query::default(), Mutation::default(), feed::Live)
        .extension(limits::Limits { max_depth: limits.max_depth, max_complexity: limits.max_complexity })
        .limit_recursive_depth(32)
        .limit_directives(20)
        .data(state)
        .finish()
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), feed::Live).finish().sdl()
}
