//! Application errors as GraphQL errors: refusals keep their code and message; internal errors
//! are logged with their cause and reach the client only as INTERNAL.

use crate::domain::{AppError, Code};
use async_graphql::{ErrorExtensions, Value};

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Refused(r) => {
                let mut err = async_graphql::Error::new(r.message)
                    .extend_with(|_, ext| ext.set("code", r.code.as_str()));
                if let Some(details) = r.details
                    && let Ok(value) = Value::from_json(details)
                {
                    err = err.extend_with(|_, ext| ext.set("details", value.clone()));
                }
                err
            }
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                async_graphql::Error::new("internal error")
                    .extend_with(|_, ext| ext.set("code", Code::Internal.as_str()))
            }
        }
    }
}

pub type GqlResult<T> = async_graphql::Result<T>;
