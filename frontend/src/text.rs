//! How the API's values read on screen, in the viewer's language (`crate::i18n`): codes become
//! words ("1 month", "indirect reseller", "global admin"; `code-*` keys of the catalogs), and each
//! role and program has a one-line explanation (`term-*` keys).

/// A GraphQL enum value as the API spells it: `INDIRECT_PROVIDER` (serde writes what the API
/// sent; `Debug` only happens to match).
pub fn name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A GraphQL enum value as words: `INDIRECT_PROVIDER` → "indirect provider", and a partner
/// program as people name it (`CSP_INDIRECT_RESELLER` → "indirect reseller"). (GraphQL names
/// are ASCII, so ASCII lowercasing is exact; it also keeps Unicode's case tables out of the app.)
pub fn words<T: serde::Serialize>(value: &T) -> String {
    code_words(&name(value))
}

/// [`words`] for a code already read as text: the catalog's `code-<CODE>` message, or the code
/// in lower case when it has none.
pub fn code_words(code: &str) -> String {
    let key = format!("code-{code}");
    if crate::i18n::has(&key) {
        crate::i18n::message(&key, None)
    } else {
        code.to_ascii_lowercase().replace('_', " ")
    }
}

/// Words with a capital first letter, to start a line: "Provisioning".
pub fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => std::iter::once(first.to_ascii_uppercase()).chain(c).collect(),
        None => String::new(),
    }
}

/// An ISO-8601 duration as words: `P1M` → "1 month" ("1个月"), `P1Y6M` → "1 year 6 months",
/// `P180D` → "180 days", `P2W` → "2 weeks". `P0D` is "none". Anything else is shown as it came.
pub fn duration(iso: &str) -> String {
    let Some(rest) = iso.strip_prefix('P') else { return iso.to_owned() };
    if rest.is_empty() || rest.contains('T') {
        return iso.to_owned();
    }
    let mut parts = Vec::new();
    let mut digits = String::new();
    for c in rest.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let Ok(n) = digits.parse::<i64>() else { return iso.to_owned() };
        digits.clear();
        let unit = match c {
            'Y' => "duration-years",
            'M' => "duration-months",
            'W' => "duration-weeks",
            'D' => "duration-days",
            _ => return iso.to_owned(),
        };
        if n > 0 {
            parts.push(crate::t!(unit, n = n));
        }
    }
    if !digits.is_empty() {
        return iso.to_owned();
    }
    if parts.is_empty() { crate::t!("duration-none") } else { parts.join(&crate::t!("duration-separator")) }
}

/// A timestamp's day as the viewer reads it ("Nov 27, 2026", "2026年11月27日"); see
/// `crate::i18n` for times of day and "in 6 days".
pub fn date(iso: &str) -> String {
    crate::i18n::date(iso)
}

/// The `YYYY-MM-DD` part of an RFC 3339 timestamp: for comparing and for date inputs, never
/// for reading.
pub fn iso_day(s: &str) -> &str {
    &s[..10.min(s.len())]
}

/// Today plus `days`, as a date (`2027-01-26`), in the browser's clock.
pub fn date_in_days(days: i64) -> String {
    let t = js_sys::Date::new_0();
    t.set_time(t.get_time() + days as f64 * 86_400_000.0);
    iso_day(&t.to_iso_string().as_string().unwrap_or_default()).to_owned()
}

/// The date an ISO-8601 duration from now ends on (`P1Y` → a year from today), in the browser's
/// clock: what "until" means when rights are approved today.
pub fn date_after(iso: &str) -> String {
    let t = js_sys::Date::new_0();
    let mut digits = String::new();
    for c in iso.trim_start_matches('P').chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: f64 = digits.parse().unwrap_or(0.0);
        digits.clear();
        match c {
            'Y' => {
                t.set_utc_full_year(t.get_utc_full_year() + n as u32);
            }
            'M' => {
                t.set_utc_month(t.get_utc_month() + n as u32);
            }
            'W' => {
                t.set_time(t.get_time() + n * 7.0 * 86_400_000.0);
            }
            'D' => {
                t.set_time(t.get_time() + n * 86_400_000.0);
            }
            _ => {}
        }
    }
    iso_day(&t.to_iso_string().as_string().unwrap_or_default()).to_owned()
}

/// The API's limits on free text, in characters (the same numbers as the API's
/// `domain/inputs.rs` `limits`; the API refuses longer text whatever the form does).
pub mod limits {
    pub const FRIENDLY_NAME: usize = 100;
    pub const TITLE: usize = 200;
    pub const DESCRIPTION: usize = 4000;
    pub const COMMENT: usize = 4000;
    pub const MESSAGE: usize = 1000;
    pub const DISPLAY_NAME: usize = 50;
}

/// The one-line explanation of a role or program code (shown a click away wherever the name
/// appears, `components::term`), if it has one: the catalog's `term-<CODE>` message.
pub fn term(code: &str) -> Option<String> {
    let key = format!("term-{code}");
    crate::i18n::has(&key).then(|| crate::i18n::message(&key, None))
}

#[cfg(test)]
mod tests {
    //! Native tests read the English catalog (no browser, so no remembered language).
    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration("P1M"), "1 month");
        assert_eq!(duration("P1Y"), "1 year");
        assert_eq!(duration("P3Y"), "3 years");
        assert_eq!(duration("P180D"), "180 days");
        assert_eq!(duration("P1Y6M"), "1 year 6 months");
        assert_eq!(duration("P0D"), "none");
        assert_eq!(duration("abc"), "abc");
        assert_eq!(duration("PT5M"), "PT5M");
    }

    #[test]
    fn codes_read_as_words() {
        assert_eq!(code_words("CSP_INDIRECT_RESELLER"), "indirect reseller");
        assert_eq!(code_words("GLOBAL_ADMIN"), "global admin");
        assert_eq!(code_words("SOME_NEW_CODE"), "some new code");
        assert_eq!(capitalized("provisioning"), "Provisioning");
        assert!(term("ADVISOR").is_some_and(|t| t.starts_with("Advisor:")));
    }
}
