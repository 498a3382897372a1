//! Multichannel: who sells, provisions, supports and renews each subscription of a cloud
//! partner center, and the invitations and delegated rights that decide it.

pub mod app;
pub mod auth_cache;
pub mod config;
pub mod db;
pub mod domain;
pub mod feed;
pub mod graphql;
pub mod hasher;
pub mod http;
pub mod i18n;
pub mod telemetry;
pub mod workflows;

pub use app::{AppState, Application};
pub use config::ServeConfig;
