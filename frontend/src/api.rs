//! All calls to the GraphQL API go through here.

use gloo_net::http::Request;
use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const SESSION_KEY: &str = "multichannel.session";

/// The signed-in session, kept in localStorage so a reload stays signed in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub email: String,
    pub organization: String,
    pub kind: String,
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
}

/// Runs one GraphQL operation; errors come back in words chosen by their `extensions.code`.
pub async fn graphql(token: Option<&str>, query: &str, variables: Value) -> Result<Value, String> {
    let mut request = Request::post("/graphql").header("Content-Type", "application/json");
    if let Some(t) = token {
        request = request.header("Authorization", &format!("Bearer {t}"));
    }
    let response = request
        .json(&json!({ "query": query, "variables": variables }))
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|_| "The server cannot be reached. Check your connection and try again.".to_owned())?;
    let body: Value =
        response.json().await.map_err(|_| "The server sent an unreadable answer.".to_owned())?;
    if let Some(err) = body["errors"].as_array().and_then(|e| e.first()) {
        let code = err["extensions"]["code"].as_str().unwrap_or("");
        let message = err["message"].as_str().unwrap_or("Something went wrong.");
        return Err(match code {
            "UNAUTHENTICATED" => message.to_owned(),
            "INTERNAL" | "SERVICE_UNAVAILABLE" => "The service had a problem; please try again.".to_owned(),
            _ => message.to_owned(),
        });
    }
    Ok(body["data"].clone())
}

pub async fn sign_in(email: &str, password: &str) -> Result<Session, String> {
    let data = graphql(
        None,
        "mutation SignIn($input: SignInInput!) { signIn(input: $input) { token viewer { user { email } organization { name kind } } } }",
        json!({ "input": { "email": email, "password": password } }),
    )
    .await?;
    let p = &data["signIn"];
    Ok(Session {
        token: p["token"].as_str().unwrap_or_default().to_owned(),
        email: p["viewer"]["user"]["email"].as_str().unwrap_or_default().to_owned(),
        organization: p["viewer"]["organization"]["name"].as_str().unwrap_or_default().to_owned(),
        kind: p["viewer"]["organization"]["kind"].as_str().unwrap_or_default().to_owned(),
    })
}
