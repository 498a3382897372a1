//! The SQL layer: one module per aggregate, functions over `impl PgExecutor`.
//! Callers own transactions; nothing here decides who may do what (that is `domain`).

pub mod audit;
pub mod audit_query;
pub mod bulk;
pub mod catalog;
pub mod delegated_admin;
pub mod delegated_admin_expiry;
pub mod delegated_admin_list;
pub mod demo;
pub mod feed;
pub mod idempotency;
pub mod invitations;
pub mod organizations;
pub mod page;
pub mod relationships;
pub mod subscriptions;
pub mod support;
mod types;
pub mod users;
pub mod visibility;
pub mod webhooks;

use crate::domain::{AppError, Code};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// A pool whose statements cannot outlive a request: `statement_timeout` ends any statement
/// after `statement_timeout`, and `client_connection_check_interval` makes PostgreSQL notice
/// within half a second when a timed-out request dropped its connection, and stop its query.
pub async fn connect(
    database_url: &str,
    max_connections: u32,
    statement_timeout: Duration,
) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(database_url)?
        .application_name("multichannel")
        .options([
            ("statement_timeout", format!("{}", statement_timeout.as_millis())),
            ("client_connection_check_interval", "500".to_owned()),
            // Visibility depends on who asks: a plan made for no one in particular (the generic
            // plan PostgreSQL switches to after five runs of a prepared statement) rescanned a
            // large partner's rows 97,840 times. Plan each run for its own parameters.
            ("plan_cache_mode", "force_custom_plan".to_owned()),
            // JIT pays off for long analytic queries; on these short ones it added 120-230 ms.
            ("jit", "off".to_owned()),
            // Day arithmetic (`make_interval(days => …)`) follows the session's time zone; the
            // domain's days are 24 h in UTC, so the SQL must count them the same way.
            ("TimeZone", "UTC".to_owned()),
        ])
        .log_statements(tracing::log::LevelFilter::Debug)
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy_with(options);
    Ok(pool)
}

/// The database answers.
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query!("select 1 as one").fetch_one(pool).await?;
    Ok(())
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
        if let sqlx::Error::Database(db) = &e {
            if let Some(refusal) = constraint_refusal(db.constraint()) {
                return refusal;
            }
            if let Some(refusal) = sqlstate_refusal(db.code().as_deref()) {
                tracing::warn!(error = %e, "database refused a value or was unavailable");
                return refusal;
            }
        }
        if matches!(
            e,
            sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed
        ) {
            tracing::warn!(error = %e, "database unavailable");
            return unavailable();
        }
        AppError::Internal(e.into())
    }
}

fn unavailable() -> AppError {
    AppError::refused(Code::ServiceUnavailable, "the database is unavailable; try again shortly")
        .with_details(serde_json::json!({ "retryAfterSeconds": 2 }))
}

/// The last line of defence for input: values PostgreSQL cannot store (NUL in text, dates or
/// numbers out of its range) are the client's error, never INTERNAL. Inputs are checked with
/// field names before they get here; this catches what a new field forgot. Lost connections
/// and timeouts say so.
fn sqlstate_refusal(sqlstate: Option<&str>) -> Option<AppError> {
    let code = sqlstate?;
    let bad = |m: &str| Some(AppError::bad_input(m.to_owned()));
    match code {
        "22021" | "22P05" => bad("a text contains a character that cannot be stored (such as NUL)"),
        "22008" | "22007" => bad("a date or time is out of range"),
        "22003" => bad("a number is out of range"),
        "22001" => bad("a text is too long"),
        "54000" => bad("a value is too large"),
        "55P03" => Some(AppError::refused(Code::Timeout, "a row it needs stayed locked by another change")),
        "40001" | "40P01" => Some(
            AppError::refused(
                Code::ServiceUnavailable,
                "a concurrent change got in the way (the database chose this one to give way); try again",
            )
            .with_details(serde_json::json!({ "retryAfterSeconds": 1 })),
        ),
        c => match crate::domain::transient_sqlstate(c)? {
            Code::Timeout => Some(AppError::refused(Code::Timeout, "the request took too long")),
            _ => Some(unavailable()),
        },
    }
}

/// The constraints whose violation is the client's doing, with the refusal each stands for.
/// Any other violation (a generated code colliding, a bug) stays internal.
const REFUSED_BY: &[(&str, Code, &str)] = &[
    ("app_user_email", Code::Conflict, "your organization already has a user with this email"),
    ("partner_mpn_id_key", Code::Conflict, "a partner with this MPN id already exists"),
    ("customer_primary_domain", Code::Conflict, "a customer with this primary domain already exists"),
    (
        "delegated_admin_display_name_unique",
        Code::Conflict,
        "you already have a delegated admin relationship with this name",
    ),
    (
        "reseller_partnership_active_pair",
        Code::Conflict,
        "you are already in an active partnership with this provider",
    ),
    (
        "delegated_admin_exclusive_holder",
        Code::DelegatedAdminConflict,
        "another partner came to hold provisioning or global admin rights for this service at the same time",
    ),
    (
        "subscription_assigned_within_quantity",
        Code::QuantityBelowAssignedSeats,
        "the quantity cannot be below the assigned seats",
    ),
];

fn constraint_refusal(constraint: Option<&str>) -> Option<AppError> {
    let constraint = constraint?;
    let (_, code, message) = REFUSED_BY.iter().find(|(name, _, _)| *name == constraint)?;
    Some(AppError::refused(*code, *message))
}

/// `s` as a literal inside an `ilike` pattern (its `%`, `_` and `\\` match themselves).
pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
