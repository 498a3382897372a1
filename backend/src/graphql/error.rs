//! Application errors as GraphQL errors: refusals keep their code and message; internal errors
//! are logged with their cause and reach the client only as INTERNAL.

use crate::domain::{AppError, Code, Language};
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

/// Every error's message in the viewer's language (`crate::i18n`); `extensions.code` stays.
/// English keeps each refusal's own message.
pub fn localized(mut response: async_graphql::Response, language: Language) -> async_graphql::Response {
    if language == Language::En {
        return response;
    }
    for e in &mut response.errors {
        if let Some(Value::String(code)) = e.extensions.as_ref().and_then(|x| x.get("code")) {
            e.message = crate::i18n::refusal(language, code, &e.message);
        }
    }
    response
}
