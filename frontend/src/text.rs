//! How the API's values read on screen.

/// A GraphQL enum value as the API spells it: `INDIRECT_PROVIDER` (serde writes what the API
/// sent; `Debug` only happens to match).
pub fn name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A GraphQL enum value as words: `INDIRECT_PROVIDER` → "indirect provider". (GraphQL names are
/// ASCII, so ASCII lowercasing is exact; it also keeps Unicode's case tables out of the app.)
pub fn words<T: serde::Serialize>(value: &T) -> String {
    name(value).to_ascii_lowercase().replace('_', " ")
}

/// The date part of an RFC 3339 timestamp.
pub fn date(s: &str) -> &str {
    &s[..10.min(s.len())]
}
