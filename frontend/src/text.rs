//! How the API's values read on screen: codes become words ("1 month", "indirect reseller",
//! "global admin"), counts take the right plural, and each role and program has a one-line
//! explanation (`TERMS`).

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

/// [`words`] for a code already read as text.
pub fn code_words(code: &str) -> String {
    match code {
        "CSP_DIRECT" => "CSP direct".to_owned(),
        "CSP_INDIRECT_PROVIDER" => "indirect provider".to_owned(),
        "CSP_INDIRECT_RESELLER" => "indirect reseller".to_owned(),
        "CSP_INDIRECT" => "CSP indirect".to_owned(),
        "ADVISOR" => "Advisor".to_owned(),
        other => other.to_ascii_lowercase().replace('_', " "),
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

/// "1 customer", "2 customers": a count and its noun in the right number (`noun` is the
/// singular; the plural adds "s", enough for the app's nouns).
pub fn count(n: i64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// An ISO-8601 duration as words: `P1M` → "1 month", `P1Y6M` → "1 year 6 months", `P180D` →
/// "180 days", `P2W` → "2 weeks". `P0D` is "none". Anything else is shown as it came.
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
            'Y' => "year",
            'M' => "month",
            'W' => "week",
            'D' => "day",
            _ => return iso.to_owned(),
        };
        if n > 0 {
            parts.push(count(n, unit));
        }
    }
    if !digits.is_empty() {
        return iso.to_owned();
    }
    if parts.is_empty() { "none".to_owned() } else { parts.join(" ") }
}

/// The date part of an RFC 3339 timestamp.
pub fn date(s: &str) -> &str {
    &s[..10.min(s.len())]
}

/// Today plus `days`, as a date (`2027-01-26`), in the browser's clock.
pub fn date_in_days(days: i64) -> String {
    let t = js_sys::Date::new_0();
    t.set_time(t.get_time() + days as f64 * 86_400_000.0);
    date(&t.to_iso_string().as_string().unwrap_or_default()).to_owned()
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
    date(&t.to_iso_string().as_string().unwrap_or_default()).to_owned()
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

/// What each role and program name means, in one line (from the domain's description): shown
/// a click away wherever the name appears (`components::term`).
pub const TERMS: &[(&str, &str)] = &[
    (
        "PROVISIONING",
        "Provisioning (delegated): the partner may assign and unassign seats on the customer's subscriptions of the services it covers. It gets no bill, and may not remove seats, order add-ons, migrate a subscription or change its partner of record.",
    ),
    (
        "SUPPORT",
        "Support (delegated): the partner may open and work support requests on the customer's subscriptions of the services it covers. Many partners may hold it at once.",
    ),
    (
        "GLOBAL_ADMIN",
        "Global admin: as a delegated role, full administration of the covered services (it includes provisioning, cannot auto-extend). As a customer's user role, the person who accepts invitations, grants and removes delegated rights, and removes relationships.",
    ),
    (
        "ADMIN_AGENT",
        "Admin agent: a partner's user who may do everything the partner may do: invitations, orders, delegated admin requests, relationships and support.",
    ),
    ("SALES_AGENT", "Sales agent: a partner's user who handles customers, invitations and orders."),
    ("HELPDESK_AGENT", "Helpdesk agent: a partner's user who works support requests and reads the rest."),
    (
        "DIRECT",
        "Direct relationship: the customer buys from this CSP direct partner, which bills it and is partner of record.",
    ),
    (
        "INDIRECT_PROVIDER",
        "Indirect provider relationship: the distributor that transacts for the customer's indirect reseller and is partner of record.",
    ),
    (
        "INDIRECT_RESELLER",
        "Indirect reseller relationship: the partner that sells to the customer through an indirect provider; it gets no bill.",
    ),
    ("BILLING_ADMIN", "Billing admin: a customer's user who reads its subscriptions."),
    ("USER", "User: a customer's user who reads only its organization's basics."),
    (
        "OPERATOR_ADMIN",
        "Operator admin: 21Vianet, the operator; sells online direct, enrols partners, reads everything.",
    ),
    (
        "CSP_DIRECT",
        "CSP direct: a partner that buys from the operator and sells to its customers itself; it is the partner of record.",
    ),
    (
        "CSP_INDIRECT_PROVIDER",
        "Indirect provider: a distributor that transacts (is partner of record) for its indirect resellers and creates invitations for them.",
    ),
    (
        "CSP_INDIRECT_RESELLER",
        "Indirect reseller: sells through an indirect provider; it cannot create invitations or transact itself, but may be granted delegated rights.",
    ),
    (
        "ADVISOR",
        "Advisor: the legacy referral program, closed to new members; an Advisor must join CSP before it may transact or hold delegated admin rights.",
    ),
];

/// The one-line explanation of a role or program code, if it has one.
pub fn term(code: &str) -> Option<&'static str> {
    TERMS.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
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
    fn counts_and_codes() {
        assert_eq!(count(1, "customer"), "1 customer");
        assert_eq!(count(2, "subscription"), "2 subscriptions");
        assert_eq!(code_words("CSP_INDIRECT_RESELLER"), "indirect reseller");
        assert_eq!(code_words("GLOBAL_ADMIN"), "global admin");
        assert_eq!(capitalized("provisioning"), "Provisioning");
    }
}
