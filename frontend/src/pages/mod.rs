//! The pages, one file per route (see `route.rs`), named after it.

pub mod account;
pub mod audit;
pub mod book;
pub mod bulk;
pub mod customer;
pub mod delegated_admin;
pub mod home;
pub mod invitation;
pub mod invitations;
pub mod not_found;
pub mod partnership;
pub mod partnerships;
pub mod relationships;
pub mod sign_in;
pub mod subscription;
pub mod subscriptions;
pub mod support;
pub mod tokens;
pub mod users;
pub mod webhooks;
