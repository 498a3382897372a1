//! Every route of the app, as each kind of user meets it, is readable on a 390 px phone in both
//! languages: nothing needs sideways scrolling, neither the page nor any box inside it, and
//! every table is shown as stacked cards, each cell under its column's name. The routes come
//! from `frontend/src/route.rs`, so a new route that this sweep does not visit fails the test.
//! Each user sweeps in English, then switches to 简体中文 with the header's language switch
//! (as a person would) and sweeps again.

use anyhow::{Context, Result, bail};
use e2e::{Browser, DEMO_PASSWORD, Server};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;

const PHONE: (u32, u32) = (390, 844);
const WAIT: Duration = Duration::from_secs(20);

/// One visit: the route pattern it covers, the path opened, and what shows the page has loaded
/// (in English, and in Chinese where it is known; else the element loaded, not "Loading…").
struct Visit {
    route: &'static str,
    path: String,
    css: &'static str,
    text: String,
    zh: Option<String>,
}

fn visit(route: &'static str, path: impl Into<String>, css: &'static str, text: impl Into<String>) -> Visit {
    Visit { route, path: path.into(), css, text: text.into(), zh: None }
}

impl Visit {
    /// The same text shows in Chinese (a name, an email, a code).
    fn data(mut self) -> Self {
        self.zh = Some(self.text.clone());
        self
    }

    fn zh(mut self, text: &str) -> Self {
        self.zh = Some(text.to_owned());
        self
    }
}

/// What the routes with a parameter need.
#[derive(Default)]
struct Fixtures {
    customer: String,
    subscription: String,
    invitation: String,
    partnership: String,
    bulk: String,
}

struct Visits {
    partner: Vec<Visit>,
    customer_admin: Vec<Visit>,
    reseller: Vec<Visit>,
    signed_out: Vec<Visit>,
}

fn visits(f: &Fixtures) -> Visits {
    let Fixtures { customer, subscription, invitation, partnership, bulk } = f;
    Visits {
        partner: vec![
            visit("/", "/", "table", "Woodgrove Bank").data(),
            visit("/customers/:id", format!("/customers/{customer}"), "table", "Woodgrove Power BI Pro")
                .data(),
            visit("/subscriptions", "/subscriptions", "table", "Woodgrove Power BI Pro").data(),
            visit("/subscriptions/:id", format!("/subscriptions/{subscription}"), "h2", "Actions"),
            visit("/invitations", "/invitations", "h2", "New invitation"),
            visit("/partnerships", "/partnerships", "table", "Tailspin Solutions").data(),
            visit("/relationships", "/relationships", "table", "Woodgrove Bank").data(),
            visit("/delegated-admin", "/delegated-admin", "h2", "Ending within 90 days"),
            visit("/support", "/support", "h1", "Support requests").zh("支持请求"),
            visit("/audit", "/audit", "table", "invitation.created").data(),
            visit("/tokens", "/tokens", "h1", "API tokens").zh("API 令牌"),
            visit("/users", "/users", "table", "sales@fabrikam.demo").data(),
            visit("/settings/webhooks", "/settings/webhooks", "h2", "New endpoint").zh("新建终结点"),
            visit("/account", "/account", "h2", "Change your password").zh("更改密码"),
            visit("/bulk/:id", format!("/bulk/{bulk}"), "h1", "Bulk operation").zh("批量操作"),
        ],
        customer_admin: vec![
            visit("/", "/", "h1", "Woodgrove Bank").data(),
            visit("/customers/:id", format!("/customers/{customer}"), "table", "Office 365").data(),
            visit(
                "/invitations/:code",
                format!("/invitations/{invitation}"),
                "h1",
                "Fabrikam Distribution invites you",
            )
            .zh("Fabrikam Distribution"),
            visit("/delegated-admin", "/delegated-admin", "h1", "Delegated admin"),
            visit("/support", "/support", "h1", "Support requests").zh("支持请求"),
            visit("/users", "/users", "table", "billing@woodgrove.demo").data(),
        ],
        reseller: vec![visit(
            "/partnerships/:code",
            format!("/partnerships/{partnership}"),
            "main button",
            "Accept partnership",
        )],
        signed_out: vec![
            visit("/sign-in", "/sign-in", "h1", "Sign in"),
            visit("/not-found", "/not-found", "h1", "Page not found"),
            visit("/not-found", "/no/such/page", "h1", "Page not found"),
            visit("/invitations/:code", format!("/invitations/{invitation}"), "h1", "Sign in"),
            visit("/partnerships/:code", format!("/partnerships/{partnership}"), "h1", "Sign in"),
        ],
    }
}

/// The `#[at("…")]` patterns of the router, read from its source.
fn app_routes() -> Result<BTreeSet<String>> {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/src/route.rs");
    let source = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    Ok(source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("#[at(\"")?.strip_suffix("\")]").map(str::to_owned))
        .collect())
}

#[test]
fn every_route_is_swept() -> Result<()> {
    let v = visits(&Fixtures::default());
    let visited: BTreeSet<String> = [&v.partner, &v.customer_admin, &v.reseller, &v.signed_out]
        .iter()
        .flat_map(|vs| vs.iter())
        .map(|v| v.route.to_owned())
        .collect();
    let routes = app_routes()?;
    assert!(routes.len() >= 15, "the router's routes were not read: {routes:?}");
    let missed: Vec<_> = routes.difference(&visited).collect();
    assert!(missed.is_empty(), "routes the phone sweep does not visit: {missed:?}");
    Ok(())
}

async fn phone(name: &str) -> Result<Browser> {
    let browser = Browser::start(name).await?;
    browser.driver().set_window_rect(0, 0, PHONE.0, PHONE.1).await?;
    let width = browser.driver().execute("return window.innerWidth;", vec![]).await?.convert::<i64>()?;
    assert!(width <= PHONE.0 as i64, "the window is {width} px wide");
    Ok(browser)
}

/// What scrolls sideways: the page (wider than the window), or any box inside it that scrolls
/// sideways because its content is wider than it (a pixel of subpixel rounding allowed).
const SIDEWAYS: &str = r#"
const found = [];
if (document.documentElement.scrollWidth > window.innerWidth) {
  found.push('the page: ' + document.documentElement.scrollWidth + ' px');
}
for (const e of document.querySelectorAll('body *')) {
  const x = getComputedStyle(e).overflowX;
  if ((x === 'auto' || x === 'scroll') && e.scrollWidth > e.clientWidth + 1) {
    found.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
      + ': ' + e.scrollWidth + ' > ' + e.clientWidth + ' px');
  }
}
return found;
"#;

/// Each table is shown as cards: its header row hidden (kept for screen readers), each row a
/// block, and each cell with content showing its column's name before it. Returns what is
/// wrong and how many tables were seen.
const CARDS: &str = r#"
const wrong = [];
const tables = document.querySelectorAll('main table');
for (const table of tables) {
  const head = table.querySelector('thead');
  if (head) {
    const r = head.getBoundingClientRect();
    if (r.width > 1 || r.height > 1) wrong.push('a table header row is visible');
  }
  const row = table.querySelector('tbody tr');
  if (!row) continue;
  if (getComputedStyle(row).display !== 'block') wrong.push('a row is not a card');
  for (const td of row.querySelectorAll('td')) {
    if (!td.textContent.trim()) continue;
    const shown = getComputedStyle(td, '::before').content;
    const label = td.getAttribute('data-label') || '';
    if (!label.trim() || shown === 'none' || shown === 'normal' || shown === '""') {
      wrong.push('a cell shows no label (' + shown + '): ' + td.textContent.trim().slice(0, 40));
    }
  }
}
return [wrong, tables.length];
"#;

/// Waits until the page is in `lang`, shows an element matching `css`, and nothing says it
/// is still loading (a `role=status` line ending in "…").
async fn wait_loaded(browser: &Browser, css: &str, lang: &str) -> Result<()> {
    let script = r#"
const [css, lang] = arguments;
if (document.documentElement.lang !== lang) return false;
if (!document.querySelector(css)) return false;
return ![...document.querySelectorAll('[role=status]')].some(e => e.textContent.trim().endsWith('…'));
"#;
    let deadline = Instant::now() + WAIT;
    loop {
        let ready =
            browser.driver().execute(script, vec![json!(css), json!(lang)]).await?.convert::<bool>()?;
        if ready {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("waited {} s for {css:?} loaded in {lang}", WAIT.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens each path, waits for its content, and checks nothing is wider than the phone and
/// every table is cards. Returns how many tables it saw.
async fn sweep(browser: &Browser, server: &Server, who: &str, lang: &str, visits: &[Visit]) -> Result<usize> {
    let mut tables = 0;
    for (i, v) in visits.iter().enumerate() {
        browser.open(server, &v.path).await?;
        let context = || format!("{who} in {lang} on {}", v.path);
        match (lang, &v.zh) {
            ("en", _) => browser.wait_text(v.css, &v.text).await.with_context(context)?,
            (_, Some(text)) => browser.wait_text(v.css, text).await.with_context(context)?,
            (_, None) => {}
        }
        wait_loaded(browser, v.css, lang).await.with_context(context)?;
        browser.shot(&format!("{who}-{lang}-{i:02}{}", v.route.replace(['/', ':'], "-"))).await?;
        let sideways = browser.driver().execute(SIDEWAYS, vec![]).await?.convert::<Vec<String>>()?;
        assert!(sideways.is_empty(), "{}: scrolls sideways: {sideways:?}", context());
        let (wrong, seen) =
            browser.driver().execute(CARDS, vec![]).await?.convert::<(Vec<String>, usize)>()?;
        assert!(wrong.is_empty(), "{}: tables not shown as cards: {wrong:?}", context());
        tables += seen;
    }
    Ok(tables)
}

/// Switches the app to Simplified Chinese with the header's language switch.
async fn switch_to_chinese(browser: &Browser) -> Result<()> {
    browser
        .element(By::XPath("//select[@aria-label='Language']/option[normalize-space()='简体中文']"))
        .await?
        .click()
        .await?;
    let deadline = Instant::now() + WAIT;
    loop {
        let lang = browser.driver().execute("return document.documentElement.lang;", vec![]).await?;
        if lang.convert::<String>()? == "zh-CN" {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the page did not switch to zh-CN");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One user (or none) sweeps their routes in English, switches to Chinese, and sweeps again.
async fn both_languages(server: &Server, who: &str, email: Option<&str>, visits: &[Visit]) -> Result<usize> {
    let browser = phone(&format!("phone-{who}")).await?;
    browser.open(server, "/sign-in").await?;
    if let Some(email) = email {
        browser.sign_in(email, DEMO_PASSWORD).await?;
        browser.wait_text("header", email).await.with_context(|| format!("{email} signs in"))?;
    }
    let mut tables = sweep(&browser, server, who, "en", visits).await?;
    switch_to_chinese(&browser).await?;
    tables += sweep(&browser, server, who, "zh-CN", visits).await?;
    if email.is_some() {
        // The header's menu on a phone still reaches every page it lists.
        let links = browser.driver().find_all(By::Css("header nav a")).await?;
        assert!(!links.is_empty(), "the header shows no navigation for {who}");
    }
    browser.quit().await?;
    Ok(tables)
}

async fn id_of(server: &Server, token: &str, query: &str, pointer: &str) -> Result<String> {
    let body = server.graphql(Some(token), query, json!({})).await?;
    body.pointer(pointer)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .with_context(|| format!("{pointer} in {body}"))
}

/// A customer, one of its subscriptions, an invitation link and a partnership link.
async fn fixtures(server: &Server) -> Result<Fixtures> {
    let fabrikam = server.sign_in("admin@fabrikam.demo").await?;
    let woodgrove = server.sign_in("globaladmin@woodgrove.demo").await?;
    let customer =
        id_of(server, &woodgrove, "{ viewer { organization { id } } }", "/data/viewer/organization/id")
            .await?;
    let subscription = id_of(
        server,
        &fabrikam,
        r#"{ subscriptions(first: 1, filter: { customerId: "CUSTOMER" }) { nodes { id } } }"#
            .replace("CUSTOMER", &customer)
            .as_str(),
        "/data/subscriptions/nodes/0/id",
    )
    .await?;
    let invitation = id_of(
        server,
        &fabrikam,
        r#"mutation { createInvitation(input: { audience: ANY_CUSTOMER, message: "Work with us" }) { invitation { code } } }"#,
        "/data/createInvitation/invitation/code",
    )
    .await?;
    let partnership = id_of(
        server,
        &fabrikam,
        "mutation { invitePartnerReseller { partnership { code } } }",
        "/data/invitePartnerReseller/partnership/code",
    )
    .await?;
    // A bulk operation: an invitation for the customer, so its progress page has an item.
    let bulk = id_of(
        server,
        &fabrikam,
        r#"mutation { startBulkOperation(input: { kind: INVITATION, customerIds: ["CUSTOMER"], idempotencyKey: "phone", terms: { message: "Work with us" } }) { bulkOperation { id } } }"#
            .replace("CUSTOMER", &customer)
            .as_str(),
        "/data/startBulkOperation/bulkOperation/id",
    )
    .await?;
    Ok(Fixtures { customer, subscription, invitation, partnership, bulk })
}

#[tokio::test]
async fn a_partners_routes_are_readable_on_a_390px_phone_in_both_languages() -> Result<()> {
    let server = Server::start().await?;
    let v = visits(&fixtures(&server).await?);
    let tables = both_languages(&server, "partner", Some("admin@fabrikam.demo"), &v.partner).await?;
    assert!(tables >= 16, "only {tables} tables were seen");
    Ok(())
}

#[tokio::test]
async fn a_customers_and_a_resellers_routes_are_readable_on_a_390px_phone_in_both_languages() -> Result<()> {
    let server = Server::start().await?;
    let v = visits(&fixtures(&server).await?);
    let tables =
        both_languages(&server, "customer", Some("globaladmin@woodgrove.demo"), &v.customer_admin).await?;
    assert!(tables >= 4, "only {tables} tables were seen");
    both_languages(&server, "reseller", Some("admin@tailspin.demo"), &v.reseller).await?;
    Ok(())
}

#[tokio::test]
async fn signed_out_routes_are_readable_on_a_390px_phone_in_both_languages() -> Result<()> {
    let server = Server::start().await?;
    let v = visits(&fixtures(&server).await?);
    both_languages(&server, "signed-out", None, &v.signed_out).await?;
    Ok(())
}
