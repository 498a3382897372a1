//! Starting a deployment: the demo data set, or a real first operator admin.

use crate::AppState;
use crate::db::{self, audit, demo, organizations, users};
use crate::domain::credentials::{check_password_strength, hash_password};
use crate::domain::inputs::{Email, Name};
use crate::domain::{AppError, AppResult, OrganizationKind, Role};

/// Loads the demo set unless the database already has an operator. Returns it when loaded.
pub async fn load_demo_once(state: &AppState, password: &str) -> anyhow::Result<Option<demo::Demo>> {
    let mut tx = state.pool.begin().await?;
    organizations::lock_bootstrap(&mut *tx).await?;
    if demo::has_operator(&mut tx).await? {
        return Ok(None);
    }
    let loaded = demo::load(&mut tx, state.clock.now(), password).await?;
    tx.commit().await?;
    tracing::info!(users = loaded.users.len(), "demo data loaded");
    Ok(Some(loaded))
}

/// The first operator admin of a real deployment; creates the operator organization if needed.
pub async fn create_operator_admin(
    state: &AppState,
    operator_name: &str,
    email: &str,
    display_name: &str,
    password: &str,
) -> AppResult<()> {
    let email = Email::parse(email)?;
    let display_name = Name::parse(display_name, "display name")?;
    let operator_name = Name::parse(operator_name, "operator name")?;
    check_password_strength(password).map_err(AppError::bad_input)?;
    let hash = hash_password(password)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    organizations::lock_bootstrap(&mut *tx).await?;
    let operator = match organizations::operator_id(&mut *tx).await? {
        Some(id) => id,
        None => {
            organizations::insert_organization(&mut *tx, OrganizationKind::Operator, operator_name.as_str())
                .await?
        }
    };
    let user_id = users::insert(
        &mut tx,
        operator,
        email.as_str(),
        display_name.as_str(),
        &hash,
        &[Role::OperatorAdmin],
    )
    .await?;
    db::audit::append(
        &mut *tx,
        audit::Actor::SYSTEM,
        now,
        audit::Event::new("user.created", "User", user_id).details(
            serde_json::json!({ "email": email.as_str(), "roles": ["OPERATOR_ADMIN"], "bootstrap": true }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
