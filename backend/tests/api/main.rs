//! API tests: the real HTTP routes and GraphQL schema against a real PostgreSQL, a fresh
//! migrated database per test (`#[sqlx::test]`, which reads DATABASE_URL; `cargo xtask test`
//! starts a private cluster and sets it).

mod auth;
mod bulk;
mod chinese_email;
mod connections;
mod delegated_admin;
mod errors;
mod exports;
mod feed;
mod fuzz;
mod helpers;
mod http;
mod idempotency;
mod invitation_states;
mod invitations;
mod jobs;
mod language;
mod lists;
mod metrics;
mod nodes;
mod onboarding;
mod operations;
mod partnerships;
mod people;
mod properties;
mod races;
mod reads;
mod scale;
mod story;
mod support;
mod time_travel;
mod trust;
mod viewer_can;
mod visibility;
mod webhooks;
