//! All calls to the GraphQL API go through [`run`]: typed by graphql_client from the checked-in
//! schema.graphql (a query that does not match the schema fails the build), errors turned into
//! words by their `extensions.code`.

use gloo_net::http::Request;
use gloo_storage::{LocalStorage, Storage};
use graphql_client::{GraphQLQuery, Response};
use serde::{Deserialize, Serialize};

const SESSION_KEY: &str = "multichannel.session";

/// The signed-in session, kept in localStorage so a reload stays signed in (GraphiQL reads it
/// too, to prefill its Authorization header).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub email: String,
    pub organization: String,
    pub organization_id: String,
    pub kind: String,
    pub roles: Vec<String>,
}

impl Session {
    pub fn load() -> Option<Session> {
        LocalStorage::get(SESSION_KEY).ok()
    }
    pub fn store(&self) {
        let _ = LocalStorage::set(SESSION_KEY, self);
    }
    pub fn forget() {
        LocalStorage::delete(SESSION_KEY);
    }
    pub fn is_partner(&self) -> bool {
        self.kind == "PARTNER"
    }
}

/// An error as the user should read it.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    fn new(code: &str, message: impl Into<String>) -> Self {
        ApiError { code: code.to_owned(), message: message.into() }
    }

    /// Words for the user, chosen by the stable code.
    pub fn words(&self) -> String {
        match self.code.as_str() {
            "UNAUTHENTICATED" => format!("{} Please sign in again if this persists.", capital(&self.message)),
            "FORBIDDEN" => format!("You are not allowed to do this: {}.", self.message),
            "NOT_FOUND" => "Not found, or not visible to your organization.".to_owned(),
            "INTERNAL" | "SERVICE_UNAVAILABLE" | "TIMEOUT" => {
                "The service had a problem; please try again.".to_owned()
            }
            "NETWORK" => "The server cannot be reached. Check your connection and try again.".to_owned(),
            _ => capital(&self.message),
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Runs one typed operation.
pub async fn run<Q: GraphQLQuery>(
    token: Option<&str>,
    variables: Q::Variables,
) -> Result<Q::ResponseData, ApiError> {
    let body = Q::build_query(variables);
    let mut request = Request::post("/graphql").header("Content-Type", "application/json");
    if let Some(t) = token {
        request = request.header("Authorization", &format!("Bearer {t}"));
    }
    let response = request
        .json(&body)
        .map_err(|e| ApiError::new("INTERNAL", e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::new("NETWORK", "network"))?;
    if response.status() == 413 {
        return Err(ApiError::new("BAD_USER_INPUT", "that request is too large"));
    }
    let parsed: Response<Q::ResponseData> =
        response.json().await.map_err(|_| ApiError::new("INTERNAL", "unreadable answer"))?;
    if let Some(err) = parsed.errors.as_ref().and_then(|e| e.first()) {
        let code = err
            .extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .and_then(|c| c.as_str())
            .unwrap_or("INTERNAL");
        if code == "UNAUTHENTICATED" && token.is_some() {
            // The session ended (expired or revoked): forget it so the app asks to sign in.
            Session::forget();
        }
        return Err(ApiError::new(code, err.message.clone()));
    }
    parsed.data.ok_or_else(|| ApiError::new("INTERNAL", "empty answer"))
}
