//! Webhooks: who manages them, which URLs they may point at (no requests into our own network),
//! the Standard Webhooks signature, the retry schedule and when an endpoint is disabled. Every
//! number of the webhook machinery is here, once.

use super::error::{AppError, AppResult, Code};
use super::inputs::check_text;
use super::people::manages_users;
use super::{Viewer, access::ensure_may_write};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The longest URL accepted, in characters.
pub const MAX_URL: usize = 2000;
/// The longest description, in characters (the migration's CHECK says the same).
pub const MAX_DESCRIPTION: usize = 500;
/// Endpoints one organization may have.
pub const MAX_ENDPOINTS: i64 = 20;
/// Random bytes in a signing secret (the issue allows 24 to 64).
pub const SECRET_BYTES: usize = 32;
/// How long the secret before a rotation keeps signing.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);
/// A delivery attempt gives up after this long without a complete answer.
pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
/// A worker holds the deliveries it claimed this long; a crashed worker's claims lapse then.
/// Longer than sending a whole claim takes (CLAIM_BATCH / CONCURRENT_SENDS rounds of TIMEOUT).
pub const LEASE: Duration = Duration::seconds(120);
/// Deliveries one worker claims at once, and how many of them it sends at the same time.
pub const CLAIM_BATCH: i64 = 32;
pub const CONCURRENT_SENDS: usize = 16;
/// An endpoint that has failed for this long (with no success between) is disabled.
pub const FAILING_DISABLES_AFTER: Duration = Duration::days(5);
/// A `Retry-After` is honoured up to this long (and at least the first retry's delay).
pub const MAX_RETRY_AFTER: Duration = Duration::hours(10);
/// The most of a response body kept in an attempt's error, in characters.
pub const MAX_ERROR: usize = 500;
/// The event type code of a test delivery.
pub const TEST_EVENT_TYPE: &str = "webhook.test";

/// Delays before each retry after a failed attempt: the 1st retry 5 s after the first failure,
/// …, the 7th 10 h after the 7th failure. After the 8th failure the delivery has FAILED.
const RETRY_DELAYS_SECS: [i64; 7] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];
/// Each retry delay varies by up to this fraction either way, so retries of many deliveries
/// that failed together do not arrive together.
const JITTER: f64 = 0.10;

/// Managing webhooks is the organization admin's (the same people who manage its users).
pub fn ensure_may_read(viewer: &Viewer) -> AppResult<()> {
    if manages_users(viewer) {
        return Ok(());
    }
    Err(AppError::refused(Code::Forbidden, "webhooks are managed by your organization's admins"))
}

/// Changing webhooks: the admin, with a token that may write.
pub fn ensure_may_manage(viewer: &Viewer) -> AppResult<()> {
    ensure_may_write(viewer)?;
    ensure_may_read(viewer)
}

fn bad_url(message: impl Into<String>, reason: &str) -> AppError {
    AppError::bad_input(message).with_details(serde_json::json!({ "field": "url", "reason": reason }))
}

/// A URL an endpoint may have: absolute, `https` (or `http` when private URLs are allowed),
/// with a host, without credentials or fragment, not an IP literal of a forbidden address.
/// Host names are resolved and checked by the caller (DNS is I/O), with [`is_forbidden_ip`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    pub fn parse(value: &str, allow_private: bool) -> AppResult<WebhookUrl> {
        let v = value.trim();
        check_text(v, "url", 1, MAX_URL, false)?;
        let url = url::Url::parse(v).map_err(|e| bad_url(format!("the url is not valid: {e}"), "INVALID"))?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            _ => return Err(bad_url("the url must start with https://", "NOT_HTTPS")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad_url("the url must not carry a user name or password", "CREDENTIALS"));
        }
        if url.fragment().is_some() {
            return Err(bad_url("the url must not have a #fragment", "FRAGMENT"));
        }
        // Parsing percent-encodes: the stored form must fit too.
        if url.as_str().len() > MAX_URL {
            return Err(AppError::bad_input(format!(
                "the url must be at most {MAX_URL} characters once encoded"
            ))
            .with_details(
                serde_json::json!({ "field": "url", "max": MAX_URL, "given": url.as_str().len() }),
            ));
        }
        let url = WebhookUrl(url);
        match url.host() {
            None => return Err(bad_url("the url has no host", "INVALID")),
            Some(Host::Ip(ip)) if !allow_private && is_forbidden_ip(ip) => {
                return Err(forbidden_address(ip));
            }
            Some(_) => {}
        }
        Ok(url)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host: an IP literal (which bypasses DNS) or a name to resolve.
    pub fn host(&self) -> Option<Host> {
        match self.0.host()? {
            url::Host::Ipv4(ip) => Some(Host::Ip(IpAddr::V4(ip))),
            url::Host::Ipv6(ip) => Some(Host::Ip(IpAddr::V6(ip))),
            url::Host::Domain(name) => Some(Host::Name(name.to_owned())),
        }
    }

    /// The port requests go to.
    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(443)
    }
}

/// A URL's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Ip(IpAddr),
    Name(String),
}

/// The refusal for a URL that leads to an address webhooks must not reach.
pub fn forbidden_address(ip: IpAddr) -> AppError {
    bad_url(
        format!("the url leads to {ip}, a loopback, private, link-local or otherwise internal address"),
        "FORBIDDEN_ADDRESS",
    )
}

/// Addresses a webhook must never reach: our own machine, private and internal networks, cloud
/// metadata (169.254.169.254 is link-local), and addresses that are not unicast hosts. IPv6
/// addresses embedding an IPv4 one are judged by it.
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback() // 127/8
        || ip.is_private() // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local() // 169.254/16, cloud metadata
        || ip.is_broadcast()
        || ip.is_multicast() // 224/4
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // 100.64/10, carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // 192.0.0/24, protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // 198.18/15, benchmarking
        || a >= 240 // 240/4, reserved
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_forbidden_v4(v4);
    }
    let s = ip.segments();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast() // ff00::/8
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
        || (s[0] & 0xffc0) == 0xfec0 // fec0::/10, site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // 100::/64, discard
}

/// The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d),
/// NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let o = ip.octets();
    let tail = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    // ::a.b.c.d (but not :: or ::1, judged as IPv6).
    if s[0..6] == [0; 6] && (s[6] != 0 || s[7] > 1) {
        return Some(tail);
    }
    if s[0] == 0x0064 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return Some(tail);
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

/// An optional description: trimmed, one line, at most [`MAX_DESCRIPTION`]; empty means none.
pub fn parse_description(value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = value.map(str::trim) else { return Ok(None) };
    check_text(v, "description", 0, MAX_DESCRIPTION, false)?;
    Ok((!v.is_empty()).then(|| v.to_owned()))
}

/// A new signing secret: `whsec_` and the standard base64 of random bytes (what Standard
/// Webhooks libraries take).
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// One Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`,
/// keyed with the secret's bytes (the base64 after `whsec_`).
pub fn sign(secret: &str, message_id: &str, timestamp: i64, body: &[u8]) -> AppResult<String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| AppError::Internal(anyhow::anyhow!("a stored webhook secret is not base64")))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("webhook key: {e}")))?;
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The secrets that sign at `now`: the current one, and the one before a rotation while it
/// still may.
pub fn signing_secrets<'a>(
    current: &'a str,
    previous: Option<(&'a str, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Vec<&'a str> {
    let mut secrets = vec![current];
    if let Some((old, until)) = previous
        && now < until
    {
        secrets.push(old);
    }
    secrets
}

/// The `webhook-signature` header: one signature per secret, space-separated.
pub fn signature_header(
    secrets: &[&str],
    message_id: &str,
    timestamp: i64,
    body: &[u8],
) -> AppResult<String> {
    let signatures: AppResult<Vec<String>> =
        secrets.iter().map(|s| sign(s, message_id, timestamp, body)).collect();
    Ok(signatures?.join(" "))
}

/// What an attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered,
    /// 410 Gone: the receiver says the endpoint is no more.
    Gone,
    /// Anything else: another status, a timeout, a refused connection, a forbidden address.
    Failed,
}

/// Only 2xx succeeds; 410 disables the endpoint at once.
pub fn outcome(status: Option<u16>) -> Outcome {
    match status {
        Some(s) if (200..300).contains(&s) => Outcome::Delivered,
        Some(410) => Outcome::Gone,
        _ => Outcome::Failed,
    }
}

/// A `Retry-After` header: seconds, or an HTTP date (as seen at `now`).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::seconds(secs.min(i64::MAX as u64 / 1000) as i64));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.to_utc();
    Some((at - now).max(Duration::zero()))
}

/// When to try again after `attempts` failed attempts (1 after the first), or None once every
/// retry is used. `jitter` in [-1, 1] scales the ±10% variation; a `Retry-After` replaces the
/// scheduled delay, kept between the first retry's delay and [`MAX_RETRY_AFTER`].
pub fn next_retry(attempts: u32, retry_after: Option<Duration>, jitter: f64) -> Option<Duration> {
    let scheduled = *RETRY_DELAYS_SECS.get((attempts as usize).checked_sub(1)?)?;
    if let Some(asked) = retry_after {
        return Some(asked.clamp(Duration::seconds(RETRY_DELAYS_SECS[0]), MAX_RETRY_AFTER));
    }
    let factor = 1.0 + JITTER * jitter.clamp(-1.0, 1.0);
    Some(Duration::milliseconds((scheduled as f64 * 1000.0 * factor).round() as i64))
}

/// The most attempts a delivery gets on its own (the first and every retry).
pub const MAX_ATTEMPTS: u32 = RETRY_DELAYS_SECS.len() as u32 + 1;

/// Why an endpoint is disabled after a failure, if it is: at once on 410, or when it has
/// failed since `failing_since` for [`FAILING_DISABLES_AFTER`].
pub fn disables_after_failure(
    outcome: Outcome,
    failing_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<String> {
    match outcome {
        Outcome::Delivered => None,
        Outcome::Gone => Some("the endpoint answered 410 Gone".to_owned()),
        Outcome::Failed => failing_since
            .filter(|since| now - *since >= FAILING_DISABLES_AFTER)
            .map(|_| format!("every delivery failed for {} days", FAILING_DISABLES_AFTER.num_days())),
    }
}

/// The longest the retry schedule leaves between two attempts of a failing delivery (10 h,
/// +10 % jitter), with room to spare. A failure after a longer quiet spell starts a new failure
/// period: an endpoint is disabled only after failing continuously.
pub const FAILURE_PERIOD_GAP: Duration = Duration::hours(12);

/// When the endpoint's failure period starts, given this failure at `now`: it continues the one
/// since `failing_since` only while the previous failure (`last_failed_at`) is recent enough.
pub fn failure_period_start(
    failing_since: Option<DateTime<Utc>>,
    last_failed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    match (failing_since, last_failed_at) {
        (Some(since), Some(last)) if now - last <= FAILURE_PERIOD_GAP => since,
        _ => now,
    }
}

/// A manual send an admin asks for, each bounded per endpoint over [`MANUAL_SEND_WINDOW`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManualSend {
    Test,
    Redelivery,
}

impl ManualSend {
    /// The stored kind.
    pub fn code(self) -> &'static str {
        match self {
            ManualSend::Test => "TEST",
            ManualSend::Redelivery => "REDELIVERY",
        }
    }

    /// How many an endpoint may have within the window.
    pub fn limit(self) -> i64 {
        match self {
            ManualSend::Test => MAX_TEST_SENDS,
            ManualSend::Redelivery => MAX_REDELIVERIES,
        }
    }

    fn words(self) -> &'static str {
        match self {
            ManualSend::Test => "test sends",
            ManualSend::Redelivery => "redeliveries",
        }
    }
}

/// Test sends one endpoint may have per [`MANUAL_SEND_WINDOW`].
pub const MAX_TEST_SENDS: i64 = 10;
/// Manual redeliveries one endpoint may have per [`MANUAL_SEND_WINDOW`].
pub const MAX_REDELIVERIES: i64 = 60;
/// The sliding window manual sends are counted over.
pub const MANUAL_SEND_WINDOW: Duration = Duration::hours(1);

/// Refuses one more manual send when the endpoint already had its limit within the window.
/// `recent` are the times of its latest sends of this kind, newest first (at most the limit).
pub fn ensure_may_send(kind: ManualSend, recent: &[DateTime<Utc>], now: DateTime<Utc>) -> AppResult<()> {
    let limit = kind.limit();
    let in_window: Vec<_> = recent.iter().filter(|at| now - **at < MANUAL_SEND_WINDOW).collect();
    if (in_window.len() as i64) < limit {
        return Ok(());
    }
    // The oldest of the last `limit` leaves the window first.
    let retry_at = *in_window[limit as usize - 1] + MANUAL_SEND_WINDOW;
    Err(AppError::refused(
        Code::RateLimited,
        format!(
            "an endpoint may have at most {limit} {} per hour; try again after {}",
            kind.words(),
            retry_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    )
    .with_details(serde_json::json!({ "limit": limit, "retryAt": retry_at })))
}

/// Finished deliveries (succeeded, or failed for good) are deleted this long after they were
/// created, with their attempts. Pending ones are kept.
pub const DELIVERY_RETENTION: Duration = Duration::days(30);
/// Deliveries one retention transaction deletes at most, and transactions one sweep runs at most.
pub const RETENTION_BATCH: i64 = 1000;
pub const RETENTION_BATCHES_PER_SWEEP: usize = 20;

/// Deliveries of one endpoint in flight (claimed, not yet recorded) at once: one tenant's slow
/// receiver or backlog takes at most this many of a claim (a quarter of it), and others'
/// deliveries go on. The worker claims again as soon as a round found work, so one busy
/// endpoint still drains at round speed, not one round per tick.
pub const MAX_IN_FLIGHT_PER_ENDPOINT: i64 = 8;

/// The reason words an admin's disabling records.
pub const DISABLED_BY_ADMIN: &str = "disabled by an admin";

/// What the audit log and the feed record of an endpoint's URL: its host only. Paths often carry
/// tokens (chat and automation hooks), and those records are read by more people than the admin.
pub fn recorded_url(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default()
}

/// A secret may be rotated again only once the one before it has stopped signing: otherwise
/// the secret a receiver still holds would stop signing at once.
pub fn ensure_may_rotate(previous_signs_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> AppResult<()> {
    match previous_signs_until {
        Some(until) if until > now => Err(AppError::refused(
            Code::Conflict,
            format!("the secret was rotated less than 24 hours ago; rotate again after {until} (the previous secret signs until then)"),
        )
        .with_details(serde_json::json!({ "previousSecretSignsUntil": until }))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrganizationKind, Role};

    fn forbidden(s: &str) -> bool {
        is_forbidden_ip(s.parse().unwrap())
    }

    #[test]
    fn internal_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:0001::1",
            "2001:db8::1",
        ] {
            assert!(forbidden(ip), "{ip} should be forbidden");
        }
        for ip in ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(!forbidden(ip), "{ip} should be allowed");
        }
    }

    #[test]
    fn urls_are_https_without_credentials_or_internal_literals() {
        assert!(WebhookUrl::parse("https://hooks.example.com/x?y=1", false).is_ok());
        for (bad, reason) in [
            ("http://hooks.example.com/", "NOT_HTTPS"),
            ("ftp://hooks.example.com/", "NOT_HTTPS"),
            ("not a url", "INVALID"),
            ("https://user:pw@hooks.example.com/", "CREDENTIALS"),
            ("https://hooks.example.com/#frag", "FRAGMENT"),
            ("https://127.0.0.1/", "FORBIDDEN_ADDRESS"),
            ("https://10.1.2.3/", "FORBIDDEN_ADDRESS"),
            ("https://169.254.169.254/latest/meta-data", "FORBIDDEN_ADDRESS"),
            ("https://[::1]/", "FORBIDDEN_ADDRESS"),
            ("https://[::ffff:7f00:1]/", "FORBIDDEN_ADDRESS"),
            ("https://2130706433/", "FORBIDDEN_ADDRESS"),
        ] {
            let err = WebhookUrl::parse(bad, false).unwrap_err();
            let AppError::Refused(r) = err else { panic!("{bad}") };
            assert_eq!(r.code, Code::BadUserInput, "{bad}");
            assert_eq!(r.details.unwrap()["reason"], reason, "{bad}");
        }
        assert!(WebhookUrl::parse("https://x\0y.com/", false).is_err());
        assert!(WebhookUrl::parse(&format!("https://a.com/{}", "x".repeat(MAX_URL)), false).is_err());
        // Allowed for tests and demos on one machine.
        assert!(WebhookUrl::parse("http://127.0.0.1:8080/hook", true).is_ok());
    }

    #[test]
    fn signatures_match_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification's reference libraries.
        let sig = sign(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            br#"{"email":"test@example.com","username":"test_user"}"#,
        )
        .unwrap();
        assert_eq!(sig, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
        let s = new_secret();
        assert!(s.starts_with("whsec_"));
        assert_eq!(STANDARD.decode(&s[6..]).unwrap().len(), SECRET_BYTES);
    }

    #[test]
    fn the_old_secret_signs_for_24_hours() {
        let now = Utc::now();
        let until = now + ROTATION_OVERLAP;
        assert_eq!(signing_secrets("new", Some(("old", until)), now), ["new", "old"]);
        assert_eq!(signing_secrets("new", Some(("old", until)), until), ["new"]);
        let h = signature_header(&["whsec_AAAA", "whsec_BBBB"], "m", 1, b"{}").unwrap();
        assert_eq!(h.split(' ').count(), 2);
    }

    #[test]
    fn retries_follow_the_schedule_with_jitter_then_stop() {
        let secs = |d: Duration| d.num_milliseconds() as f64 / 1000.0;
        assert_eq!(next_retry(0, None, 0.0), None);
        assert_eq!(secs(next_retry(1, None, 0.0).unwrap()), 5.0);
        assert_eq!(secs(next_retry(2, None, 0.0).unwrap()), 300.0);
        assert_eq!(secs(next_retry(7, None, 0.0).unwrap()), 36000.0);
        assert_eq!(next_retry(MAX_ATTEMPTS, None, 0.0), None);
        assert_eq!(secs(next_retry(2, None, 1.0).unwrap()), 330.0);
        assert_eq!(secs(next_retry(2, None, -1.0).unwrap()), 270.0);
        assert_eq!(next_retry(2, Some(Duration::seconds(60)), 0.5), Some(Duration::seconds(60)));
        assert_eq!(next_retry(2, Some(Duration::days(3)), 0.0), Some(MAX_RETRY_AFTER));
        assert_eq!(next_retry(8, Some(Duration::seconds(60)), 0.0), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z").unwrap().to_utc();
        assert_eq!(parse_retry_after("120", now), Some(Duration::seconds(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::seconds(60)));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn gone_disables_at_once_and_failures_after_five_days() {
        let now = Utc::now();
        assert_eq!(outcome(Some(204)), Outcome::Delivered);
        assert_eq!(outcome(Some(301)), Outcome::Failed);
        assert_eq!(outcome(None), Outcome::Failed);
        assert!(disables_after_failure(outcome(Some(410)), None, now).is_some());
        assert!(disables_after_failure(Outcome::Failed, Some(now - Duration::days(4)), now).is_none());
        assert!(disables_after_failure(Outcome::Failed, Some(now - Duration::days(5)), now).is_some());
        assert!(disables_after_failure(Outcome::Delivered, Some(now - Duration::days(9)), now).is_none());
    }

    #[test]
    fn a_failure_period_is_continuous() {
        let now = Utc::now();
        let day0 = now - Duration::days(6);
        // Quiet for days since the last failure: a new period starts now.
        assert_eq!(failure_period_start(Some(day0), Some(day0), now), now);
        assert_eq!(failure_period_start(None, None, now), now);
        assert_eq!(failure_period_start(Some(day0), None, now), now);
        // Failing on the retry schedule (10 h apart at most): the period goes on.
        let last = now - Duration::hours(11);
        assert_eq!(failure_period_start(Some(day0), Some(last), now), day0);
        assert_eq!(failure_period_start(Some(day0), Some(now - FAILURE_PERIOD_GAP), now), day0);
        assert!(FAILURE_PERIOD_GAP.num_seconds() as f64 > 36000.0 * (1.0 + JITTER));
    }

    #[test]
    fn manual_sends_are_bounded_per_window() {
        let now = Utc::now();
        let recent: Vec<_> = (0..10).map(|i| now - Duration::minutes(i * 5)).collect();
        let e = ensure_may_send(ManualSend::Test, &recent, now).unwrap_err();
        assert_eq!(e.code(), Code::RateLimited);
        let AppError::Refused(r) = e else { panic!() };
        assert_eq!(r.details.unwrap()["retryAt"], serde_json::json!(recent[9] + MANUAL_SEND_WINDOW));
        assert!(ensure_may_send(ManualSend::Test, &recent[..9], now).is_ok());
        // The oldest has left the window.
        assert!(ensure_may_send(ManualSend::Test, &recent, now + Duration::minutes(16)).is_ok());
        assert!(ensure_may_send(ManualSend::Redelivery, &recent, now).is_ok());
    }

    #[test]
    fn only_admins_with_writing_tokens_manage() {
        let admin = Viewer::for_test(OrganizationKind::Partner, 1, None, &[Role::AdminAgent]);
        assert!(ensure_may_manage(&admin).is_ok());
        let sales = Viewer::for_test(OrganizationKind::Partner, 1, None, &[Role::SalesAgent]);
        assert_eq!(ensure_may_read(&sales).unwrap_err().code(), Code::Forbidden);
        let mut read_only = admin.clone();
        read_only.read_only = true;
        assert!(ensure_may_read(&read_only).is_ok());
        assert_eq!(ensure_may_manage(&read_only).unwrap_err().code(), Code::Forbidden);
    }

    #[test]
    fn descriptions_are_short_single_lines() {
        assert_eq!(parse_description(Some("  ")).unwrap(), None);
        assert_eq!(parse_description(Some(" CRM sync ")).unwrap().as_deref(), Some("CRM sync"));
        assert!(parse_description(Some("a\nb")).is_err());
        assert!(parse_description(Some(&"x".repeat(MAX_DESCRIPTION + 1))).is_err());
    }
}
