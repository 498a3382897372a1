//! Workflows: each mutation as one transaction that asks the domain rules, writes through the
//! SQL layer and appends its audit events. GraphQL resolvers only call these.

pub mod auth;
pub mod bootstrap;
pub mod bulk;
pub mod delegated_admin;
pub mod invitations;
pub mod jobs;
pub mod onboarding;
pub mod partnerships;
pub mod people;
pub mod relationships;
pub mod subscriptions;
pub mod support;
pub mod webhook_delivery;
pub mod webhooks;
