//! The SQL layer: one module per aggregate, functions over `impl PgExecutor`.
//! Callers own transactions; nothing here decides who may do what (that is `domain`).

pub mod audit;
pub mod audit_query;
pub mod catalog;
pub mod delegated_admin;
pub mod demo;
pub mod invitations;
pub mod organizations;
pub mod page;
pub mod relationships;
pub mod subscriptions;
pub mod support;
pub mod users;
pub mod visibility;

use crate::domain::{AppError, Code};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

pub async fn connect(database_url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(database_url)?
        .application_name("multichannel")
        .log_statements(tracing::log::LevelFilter::Debug)
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    Ok(pool)
}

pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// A stored value the domain does not know: a bug, so internal.
impl From<crate::domain::enums::UnknownValue> for AppError {
    fn from(e: crate::domain::enums::UnknownValue) -> Self {
        AppError::Internal(e.into())
    }
}

/// Turns violations of named constraints into the refusals they stand for; anything else is
/// internal and keeps its cause for the log.
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && let Some(refusal) = constraint_refusal(db.constraint(), db.code().as_deref())
        {
            return refusal;
        }
        AppError::Internal(e.into())
    }
}

fn constraint_refusal(constraint: Option<&str>, sqlstate: Option<&str>) -> Option<AppError> {
    let (code, message) = match constraint? {
        "app_user_email" => (Code::Conflict, "a user with this email already exists"),
        "partner_mpn_id_key" => (Code::Conflict, "a partner with this MPN id already exists"),
        "customer_primary_domain" => (Code::Conflict, "a customer with this primary domain already exists"),
        "delegated_admin_display_name_unique" => {
            (Code::Conflict, "you already have a delegated admin relationship with this name")
        }
        "delegated_admin_exclusive_holder" => (
            Code::DelegatedAdminConflict,
            "another partner became the PROVISIONING or GLOBAL_ADMIN holder for this service at the same time",
        ),
        "subscription_assigned_within_quantity" => {
            (Code::QuantityBelowAssignedSeats, "the quantity cannot be below the assigned seats")
        }
        _ if sqlstate == Some("23505") => (Code::Conflict, "this already exists"),
        _ => return None,
    };
    Some(AppError::refused(code, message))
}

/// Reads a stored text enum.
pub(crate) fn parse<T: FromStr<Err = crate::domain::enums::UnknownValue>>(s: &str) -> Result<T, AppError> {
    Ok(s.parse::<T>()?)
}
