//! Parse, don't validate: user input becomes these types or a BAD_USER_INPUT refusal.

use super::error::{AppError, AppResult};

/// How long each kind of free text may be, in characters. The web app's forms show the same
/// numbers (`frontend/src/text.rs` `limits`), so a person sees the limit before the API refuses.
pub mod limits {
    /// Names of organizations, people and subscriptions.
    pub const NAME: usize = 200;
    /// A subscription's friendly name.
    pub const FRIENDLY_NAME: usize = 100;
    /// A support request's title.
    pub const TITLE: usize = 200;
    /// A support request's description.
    pub const DESCRIPTION: usize = 4000;
    /// A comment on a support request.
    pub const COMMENT: usize = 4000;
    /// An invitation's message.
    pub const MESSAGE: usize = 1000;
    /// A delegated admin relationship's display name.
    pub const DISPLAY_NAME: usize = 50;
    /// An API token's name.
    pub const TOKEN_NAME: usize = 100;
}

/// Characters that show nothing: whitespace, zero-width and bidirectional format characters.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Free text a person typed: no control characters (NUL cannot even be stored; the others hide
/// text or break logs), line breaks and tabs only where `multiline`, at most `max` characters,
/// and, when `min` > 0, something visible. Errors name the field.
pub fn check_text(value: &str, field: &str, min: usize, max: usize, multiline: bool) -> AppResult<()> {
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if let Some(c) = value.chars().find(|c| c.is_control() && !allowed(*c)) {
        return Err(AppError::bad_input(format!(
            "{field} contains a control character (U+{:04X}); remove it",
            c as u32
        ))
        .with_details(serde_json::json!({ "field": field, "reason": "CONTROL_CHARACTER" })));
    }
    let n = value.chars().count();
    if n > max {
        return Err(AppError::bad_input(format!("{field} is too long: {n} characters, at most {max}"))
            .with_details(
                serde_json::json!({ "field": field, "reason": "TOO_LONG", "max": max, "given": n }),
            ));
    }
    if min > 0 && (n < min || value.chars().all(is_invisible)) {
        return Err(AppError::bad_input(format!("{field} must have {min} to {max} visible characters")));
    }
    Ok(())
}

fn trimmed(value: &str, what: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    check_text(v, what, 1, max, false)?;
    Ok(v.to_owned())
}

/// A one-line name of at most `max` characters, trimmed.
pub fn parse_line(value: &str, field: &str, max: usize) -> AppResult<String> {
    trimmed(value, field, max)
}

/// An organization's or a person's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(value: &str, what: &str) -> AppResult<Name> {
        trimmed(value, what, limits::NAME).map(Name)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> AppResult<Email> {
        let v = value.trim().to_lowercase();
        if v.chars().any(|c| c.is_control() || is_invisible(c) && !c.is_whitespace()) {
            return Err(AppError::bad_input("email contains a character an address cannot have"));
        }
        let valid = v.len() <= 254
            && matches!(v.split_once('@'), Some((local, host))
                if !local.is_empty() && host.contains('.') && !host.starts_with('.')
                    && !host.ends_with('.') && !v.chars().any(char::is_whitespace)
                    && !host.contains('@'));
        if !valid {
            return Err(AppError::bad_input(format!("{value:?} is not an email address")));
        }
        Ok(Email(v))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Microsoft Partner Network id: 6 to 10 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpnId(String);

impl MpnId {
    pub fn parse(value: &str) -> AppResult<MpnId> {
        let v = value.trim();
        if !(6..=10).contains(&v.len()) || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::bad_input("an MPN id has 6 to 10 digits"));
        }
        Ok(MpnId(v.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tenant's primary domain, e.g. `contoso.partner.onmschina.cn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain(String);

impl Domain {
    pub fn parse(value: &str) -> AppResult<Domain> {
        let v = value.trim().to_lowercase();
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        let labels: Vec<&str> = v.split('.').collect();
        if v.len() > 253 || labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
            return Err(AppError::bad_input(format!("{value:?} is not a domain name")));
        }
        Ok(Domain(v))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country or region code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(value: &str) -> AppResult<CountryCode> {
        let v = value.trim().to_uppercase();
        if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(AppError::bad_input("a country or region is a two-letter ISO code, e.g. CN"));
        }
        Ok(CountryCode(v))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Ann@Contoso.CN ").unwrap().as_str(), "ann@contoso.cn");
        for bad in ["", "ann", "@x.cn", "ann@", "ann@cn", "a b@x.cn", "a@.cn", "a@b@c.cn"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn domains() {
        assert!(Domain::parse("contoso.partner.onmschina.cn").is_ok());
        for bad in ["contoso", "-a.cn", "a..cn", "a_b.cn", "a.cn-"] {
            assert!(Domain::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mpn_ids_and_countries() {
        assert!(MpnId::parse("1234567").is_ok());
        assert!(MpnId::parse("12a4567").is_err());
        assert!(MpnId::parse("123").is_err());
        assert_eq!(CountryCode::parse("cn").unwrap().as_str(), "CN");
        assert!(CountryCode::parse("CHN").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Contoso ", "name").unwrap().as_str(), "Contoso");
        assert!(Name::parse("   ", "name").is_err());
        assert!(Name::parse(&"x".repeat(201), "name").is_err());
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn hostile_text_is_refused_with_the_field_named() {
        for bad in ["a\0b", "\u{200B}\u{200B}", "   ", "", "x\u{7}y", "line\nbreak"] {
            let e = parse_line(bad, "display name", 50).unwrap_err();
            assert_eq!(e.code(), crate::domain::Code::BadUserInput, "{bad:?}");
            assert!(e.describe().contains("display name"), "{}", e.describe());
        }
        assert!(check_text("two\nlines\tok", "message", 0, 100, true).is_ok());
        assert!(check_text("", "message", 0, 100, true).is_ok());
        assert!(check_text(&"x".repeat(101), "message", 0, 100, true).is_err());
        assert_eq!(parse_line("  שלום 👋 مرحبا  ", "name", 50).unwrap(), "שלום 👋 مرحبا");
    }
}
