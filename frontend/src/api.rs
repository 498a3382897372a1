//! All calls to the GraphQL API go through [`run`]: typed by graphql_client from the checked-in
//! schema.graphql (a query that does not match the schema fails the build), errors turned into
//! words by their `extensions.code`.

use gloo_net::http::Request;
use gloo_storage::{LocalStorage, Storage};
use graphql_client::GraphQLQuery;
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
    /// The session may only enrol in multi-factor sign-in (the organization requires it).
    #[serde(default)]
    pub enrol_only: bool,
    /// The person manages the organization's people (its admin).
    #[serde(default)]
    pub manages_users: bool,
}

impl Session {
    pub fn load() -> Option<Session> {
        // As `LocalStorage::get`, but parsed by the browser (serde_json's parser is not needed
        // anywhere else): missing or unreadable is no session.
        let text = LocalStorage::raw().get_item(SESSION_KEY).ok()??;
        serde_wasm_bindgen::from_value(js_sys::JSON::parse(&text).ok()?).ok()
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

    /// Words for the user, chosen by the stable code (`error-<CODE>` in the catalogs). In
    /// English the API's own reason, which says more, is shown as it has always been; in
    /// another language the code's words, with the API's reason only when it came in that
    /// language too (the request asks for it with `Accept-Language`).
    pub fn words(&self) -> String {
        let key = format!("error-{}", self.code);
        let known = crate::i18n::has(&key);
        let code_words = if known { crate::t!(&key) } else { crate::t!("error-INTERNAL") };
        if crate::i18n::lang() != crate::i18n::Lang::En {
            return match in_viewers_language(&self.message) {
                Some(detail)
                    if known
                        && !matches!(
                            self.code.as_str(),
                            "INTERNAL" | "SERVICE_UNAVAILABLE" | "TIMEOUT" | "NETWORK"
                        ) =>
                {
                    crate::t!("error-detail", words = code_words, detail = detail)
                }
                _ => code_words,
            };
        }
        match self.code.as_str() {
            // One sentence: the API's reason ("wrong email or password", "the token is … sign
            // in again") already says what to do.
            "UNAUTHENTICATED" if !self.message.trim().is_empty() => sentence(&self.message),
            "FORBIDDEN" => crate::t!("error-forbidden-because", reason = self.message.clone()),
            "MFA_ENROLMENT_REQUIRED"
            | "NOT_FOUND"
            | "INTERNAL"
            | "SERVICE_UNAVAILABLE"
            | "TIMEOUT"
            | "NETWORK" => code_words,
            _ if self.message.trim().is_empty() => code_words,
            _ => capital(&self.message),
        }
    }
}

/// A reason from the API when it is written in the viewer's (non-English) language: it has
/// Chinese characters. An English reason is not shown to a Chinese reader.
pub fn in_viewers_language(reason: &str) -> Option<&str> {
    let reason = reason.trim();
    reason.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)).then_some(reason)
}

/// `s` as a sentence: capitalised, ending with a full stop.
fn sentence(s: &str) -> String {
    let s = capital(s.trim());
    if s.ends_with(['.', '!', '?']) { s } else { s + "." }
}

/// `s` with its first letter in upper case (Unicode's full mapping: `ß` → `SS`). The browser's
/// `toUpperCase` does it, so core's case tables stay out of the app.
fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f.is_ascii() => f.to_ascii_uppercase().to_string() + c.as_str(),
        Some(f) => String::from(js_sys::JsString::from(f).to_upper_case()) + c.as_str(),
        None => String::new(),
    }
}

/// Runs one typed operation. Only the typing is generic: sending, reading and the errors live
/// in [`exchange`] and [`settle`], once for all operations (the app is smaller for it).
pub async fn run<Q: GraphQLQuery>(
    token: Option<&str>,
    variables: Q::Variables,
) -> Result<Q::ResponseData, ApiError> {
    run_body(token, body::<Q>(variables)).await
}

/// As [`run`], for a request already written by [`body`].
pub async fn run_body<T: serde::de::DeserializeOwned>(
    token: Option<&str>,
    body: Result<String, ApiError>,
) -> Result<T, ApiError> {
    let (data, errors) = exchange(token, body?).await?;
    // The answer was parsed by the browser (`JSON.parse`); serde reads the typed data from it.
    let data: Option<T> = serde_wasm_bindgen::from_value(data).map_err(|_| unreadable())?;
    settle(token, errors, data)
}

/// Runs an operation whose answer the caller does not read (it only needs to know that it
/// succeeded), written by [`body`]: the same request and the same errors as [`run`], but `data`
/// is only checked to be there (an object), not decoded into types nobody reads. Not generic:
/// every such operation shares its code.
pub async fn run_untyped(token: Option<&str>, body: Result<String, ApiError>) -> Result<(), ApiError> {
    let (data, errors) = exchange(token, body?).await?;
    let data = if data.is_null() || data.is_undefined() {
        None
    } else if data.is_object() {
        Some(())
    } else {
        return Err(unreadable());
    };
    settle(token, errors, data)
}

/// The request of one typed operation, as JSON text.
pub fn body<Q: GraphQLQuery>(variables: Q::Variables) -> Result<String, ApiError> {
    // Cannot fail (variables are structs of strings, numbers, lists and options); not formatting
    // serde_json's error keeps its messages (and std's I/O error texts) out of the app.
    serde_json::to_string(&Q::build_query(variables))
        .map_err(|_| ApiError::new("INTERNAL", "the request could not be written"))
}

fn unreadable() -> ApiError {
    ApiError::new("INTERNAL", "unreadable answer")
}

/// The errors of an answer (graphql_client's `Response` without `data`, and without the
/// top-level `extensions`, which nothing reads).
#[derive(Deserialize)]
struct Envelope {
    errors: Option<Vec<graphql_client::Error>>,
}

/// Posts one operation; the answer's `data` (still a JS value) and its errors.
async fn exchange(
    token: Option<&str>,
    body: String,
) -> Result<(wasm_bindgen::JsValue, Option<Vec<graphql_client::Error>>), ApiError> {
    // The API's reasons come in the viewer's language.
    let mut request = Request::post("/graphql")
        .header("Content-Type", "application/json")
        .header("Accept-Language", crate::i18n::lang().code());
    if let Some(t) = token {
        request = request.header("Authorization", &["Bearer ", t].concat());
    }
    let response = request
        .body(body)
        .map_err(|e| {
            // Building a request only fails in the browser (JsError); its message as before.
            let message = match e {
                gloo_net::Error::JsError(e) => e.to_string(),
                gloo_net::Error::GlooError(m) => m,
                gloo_net::Error::SerdeError(_) => String::new(),
            };
            ApiError::new("INTERNAL", message)
        })?
        .send()
        .await
        .map_err(|_| ApiError::new("NETWORK", "network"))?;
    if response.status() == 413 {
        return Err(ApiError::new("BAD_USER_INPUT", "that request is too large"));
    }
    let text = response.text().await.map_err(|_| unreadable())?;
    let answer = js_sys::JSON::parse(&text).map_err(|_| unreadable())?;
    if js_sys::Array::is_array(&answer) {
        return Err(unreadable());
    }
    let envelope: Envelope = serde_wasm_bindgen::from_value(answer.clone()).map_err(|_| unreadable())?;
    let data = js_sys::Reflect::get(&answer, &"data".into()).map_err(|_| unreadable())?;
    Ok((data, envelope.errors))
}

/// The outcome of an answer: its first error in the app's terms, else its data.
fn settle<T>(
    token: Option<&str>,
    errors: Option<Vec<graphql_client::Error>>,
    data: Option<T>,
) -> Result<T, ApiError> {
    if let Some(e) = refusal(token, errors) {
        return Err(e);
    }
    data.ok_or_else(|| ApiError::new("INTERNAL", "empty answer"))
}

/// The first error of an answer, in the app's terms.
fn refusal(token: Option<&str>, errors: Option<Vec<graphql_client::Error>>) -> Option<ApiError> {
    let err = errors.as_ref().and_then(|e| e.first())?;
    let code =
        err.extensions.as_ref().and_then(|x| x.get("code")).and_then(|c| c.as_str()).unwrap_or("INTERNAL");
    if code == "UNAUTHENTICATED" && token.is_some() {
        // The session ended (expired or revoked): forget it so the app asks to sign in.
        Session::forget();
    }
    Some(ApiError::new(code, err.message.clone()))
}

#[cfg(test)]
mod tests {
    //! Every code the API may answer with has words of its own in the catalogs.

    #[test]
    fn every_error_code_of_the_api_has_words() {
        let source = include_str!("../../backend/src/domain/error.rs");
        let codes: Vec<&str> = source
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Code::")?.split_once("=> \"")?.1.strip_suffix("\","))
            .collect();
        assert!(codes.len() > 20, "read the codes from domain/error.rs: {codes:?}");
        let missing: Vec<_> = codes.iter().filter(|c| !crate::i18n::has(&format!("error-{c}"))).collect();
        assert!(missing.is_empty(), "codes without error-<CODE> words in the catalogs: {missing:?}");
    }

    #[test]
    fn english_keeps_the_apis_own_reason() {
        let refused = super::ApiError::new("NO_SEATS_AVAILABLE", "only 2 seats are free");
        assert_eq!(refused.words(), "Only 2 seats are free");
        let forbidden = super::ApiError::new("FORBIDDEN", "only the partner of record may do this");
        assert_eq!(
            forbidden.words(),
            "You are not allowed to do this: only the partner of record may do this."
        );
        assert_eq!(
            super::ApiError::new("NOT_FOUND", "x").words(),
            "Not found, or not visible to your organization."
        );
        assert_eq!(super::in_viewers_language("the token expired"), None);
        assert_eq!(super::in_viewers_language(" 没有可用的席位 "), Some("没有可用的席位"));
    }
}
