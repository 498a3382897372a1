//! Every route of the app, as each kind of user meets it, is readable on a 390 px phone: nothing
//! needs sideways scrolling. The routes come from `frontend/src/route.rs`, so a new route that
//! this sweep does not visit fails the test.

use anyhow::{Context, Result};
use e2e::{Browser, DEMO_PASSWORD, Server};
use serde_json::json;
use std::collections::BTreeSet;
use thirtyfour::prelude::*;

const PHONE: (u32, u32) = (390, 844);

/// One visit: the route pattern it covers, the path opened, and what shows the page has loaded.
struct Visit {
    route: &'static str,
    path: String,
    css: &'static str,
    text: String,
}

fn visit(route: &'static str, path: impl Into<String>, css: &'static str, text: impl Into<String>) -> Visit {
    Visit { route, path: path.into(), css, text: text.into() }
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

async fn phone(name: &str) -> Result<Browser> {
    let browser = Browser::start(name).await?;
    browser.driver().set_window_rect(0, 0, PHONE.0, PHONE.1).await?;
    let width = browser.driver().execute("return window.innerWidth;", vec![]).await?.convert::<i64>()?;
    assert!(width <= PHONE.0 as i64, "the window is {width} px wide");
    Ok(browser)
}

/// Opens each path, waits for its content, and checks nothing is wider than the phone.
async fn sweep(browser: &Browser, server: &Server, who: &str, visits: &[Visit]) -> Result<()> {
    for (i, v) in visits.iter().enumerate() {
        browser.open(server, &v.path).await?;
        browser.wait_text(v.css, &v.text).await.with_context(|| format!("{who} on {}", v.path))?;
        browser.shot(&format!("{who}-{i:02}{}", v.route.replace(['/', ':'], "-"))).await?;
        assert!(!browser.overflows_sideways().await?, "{} is wider than the phone for {who}", v.path);
    }
    Ok(())
}

async fn id_of(server: &Server, token: &str, query: &str, pointer: &str) -> Result<String> {
    let body = server.graphql(Some(token), query, json!({})).await?;
    body.pointer(pointer)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .with_context(|| format!("{pointer} in {body}"))
}

#[tokio::test]
async fn every_route_is_readable_on_a_390px_phone() -> Result<()> {
    let server = Server::start().await?;
    let fabrikam = server.sign_in("admin@fabrikam.demo").await?;
    let woodgrove = server.sign_in("globaladmin@woodgrove.demo").await?;

    // What the routes with a parameter need: a customer, a subscription and two links.
    let customer =
        id_of(&server, &woodgrove, "{ viewer { organization { id } } }", "/data/viewer/organization/id")
            .await?;
    let subscription = id_of(
        &server,
        &fabrikam,
        r#"{ subscriptions(first: 1, filter: { customerId: "CUSTOMER" }) { nodes { id } } }"#
            .replace("CUSTOMER", &customer)
            .as_str(),
        "/data/subscriptions/nodes/0/id",
    )
    .await?;
    let invitation = id_of(
        &server,
        &fabrikam,
        r#"mutation { createInvitation(input: { audience: ANY_CUSTOMER, message: "Work with us" }) { invitation { code } } }"#,
        "/data/createInvitation/invitation/code",
    )
    .await?;
    let partnership = id_of(
        &server,
        &fabrikam,
        "mutation { invitePartnerReseller { partnership { code } } }",
        "/data/invitePartnerReseller/partnership/code",
    )
    .await?;

    let partner = [
        visit("/", "/", "table", "Woodgrove Bank"),
        visit("/customers/:id", format!("/customers/{customer}"), "table", "Woodgrove Power BI Pro"),
        visit("/subscriptions", "/subscriptions", "table", "Woodgrove Power BI Pro"),
        visit("/subscriptions/:id", format!("/subscriptions/{subscription}"), "h2", "Actions"),
        visit("/invitations", "/invitations", "h2", "New invitation"),
        visit("/partnerships", "/partnerships", "table", "Tailspin Solutions"),
        visit("/relationships", "/relationships", "table", "Woodgrove Bank"),
        visit("/delegated-admin", "/delegated-admin", "h2", "Ending within 90 days"),
        visit("/support", "/support", "h1", "Support requests"),
        visit("/audit", "/audit", "table", "invitation.created"),
        visit("/tokens", "/tokens", "h1", "API tokens"),
        visit("/users", "/users", "table", "sales@fabrikam.demo"),
        visit("/settings/webhooks", "/settings/webhooks", "h2", "New endpoint"),
        visit("/account", "/account", "h2", "Change your password"),
    ];
    let customer_admin = [
        visit("/", "/", "h1", "Woodgrove Bank"),
        visit("/customers/:id", format!("/customers/{customer}"), "table", "Office 365"),
        visit(
            "/invitations/:code",
            format!("/invitations/{invitation}"),
            "h1",
            "Fabrikam Distribution invites you",
        ),
        visit("/delegated-admin", "/delegated-admin", "h1", "Delegated admin"),
        visit("/support", "/support", "h1", "Support requests"),
        visit("/users", "/users", "table", "billing@woodgrove.demo"),
    ];
    let reseller = [visit(
        "/partnerships/:code",
        format!("/partnerships/{partnership}"),
        "button",
        "Accept partnership",
    )];
    let signed_out = [
        visit("/sign-in", "/sign-in", "h1", "Sign in"),
        visit("/not-found", "/not-found", "h1", "Page not found"),
        visit("/not-found", "/no/such/page", "h1", "Page not found"),
        visit("/invitations/:code", format!("/invitations/{invitation}"), "h1", "Sign in"),
        visit("/partnerships/:code", format!("/partnerships/{partnership}"), "h1", "Sign in"),
    ];

    // Every route is visited by someone.
    let visited: BTreeSet<String> = [&partner[..], &customer_admin, &reseller, &signed_out]
        .iter()
        .flat_map(|vs| vs.iter())
        .map(|v| v.route.to_owned())
        .collect();
    let routes = app_routes()?;
    assert!(routes.len() >= 15, "the router's routes were not read: {routes:?}");
    let missed: Vec<_> = routes.difference(&visited).collect();
    assert!(missed.is_empty(), "routes the phone sweep does not visit: {missed:?}");

    let browser = phone("phone-signed-out").await?;
    sweep(&browser, &server, "signed-out", &signed_out).await?;
    browser.quit().await?;

    for (who, email, visits) in [
        ("partner", "admin@fabrikam.demo", &partner[..]),
        ("customer", "globaladmin@woodgrove.demo", &customer_admin[..]),
        ("reseller", "admin@tailspin.demo", &reseller[..]),
    ] {
        let browser = phone(&format!("phone-{who}")).await?;
        browser.open(&server, "/sign-in").await?;
        browser.sign_in(email, DEMO_PASSWORD).await?;
        browser.wait_text("header", email).await.with_context(|| format!("{email} signs in"))?;
        sweep(&browser, &server, who, visits).await?;
        // The header's menu on a phone still reaches every page it lists.
        let links = browser.driver().find_all(By::Css("header nav a")).await?;
        assert!(!links.is_empty(), "the header shows no navigation for {who}");
        browser.quit().await?;
    }
    Ok(())
}
