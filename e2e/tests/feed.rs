//! The change feed in the web app (issue 12), in two browsers on one server: what the partner
//! does shows on the customer's open page without a reload, and in the customer's
//! notifications menu (unread count, the event in words with a link, marked seen on opening).
//! And the webhooks page: an endpoint's secret shown once, a test delivery listed with its answer.

use anyhow::{Context, Result, bail};
use e2e::{Browser, DEMO_PASSWORD, Server, WAIT};
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;

const REQUEST: &str = "Mail is slow since Monday";
const ARTICLE: &str = "//article[contains(., 'Mail is slow since Monday')]";

/// Woodgrove's global admin opens a support request on its Office 365 (worked by Tailspin)
/// through the API, as setup.
async fn open_request(server: &Server) -> Result<()> {
    let token = server.sign_in("globaladmin@woodgrove.demo").await?;
    let subs = server
        .graphql(
            Some(&token),
            "{ subscriptions(first: 100) { nodes { id friendlyName } } }",
            serde_json::json!({}),
        )
        .await?;
    let office = subs["data"]["subscriptions"]["nodes"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["friendlyName"] == "Woodgrove Office 365 E3"))
        .and_then(|s| s["id"].as_str())
        .with_context(|| format!("Woodgrove's Office 365: {subs}"))?
        .to_owned();
    let opened = server
        .graphql(
            Some(&token),
            "mutation($i: OpenSupportRequestInput!) { openSupportRequest(input: $i) { supportRequest { id } } }",
            serde_json::json!({ "i": { "subscriptionId": office, "title": REQUEST } }),
        )
        .await?;
    if opened["errors"].is_array() {
        bail!("opening the support request: {opened}");
    }
    Ok(())
}

/// The number on the notifications bell, or `None` when it shows none.
async fn badge(browser: &Browser) -> Result<Option<String>> {
    let found = browser.driver().find_all(By::Css("#notifications-button .unread")).await?;
    match found.first() {
        Some(e) => Ok(Some(e.text().await?)),
        None => Ok(None),
    }
}

/// Waits until the bell shows `expected` (`None`: no number).
async fn wait_badge(browser: &Browser, expected: Option<&str>) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        // An element replaced while being read is read again on the next poll.
        if let Ok(shown) = badge(browser).await
            && shown.as_deref() == expected
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            browser.shot("failed-badge").await?;
            bail!(
                "waited {} s for the bell to show {expected:?}, it shows {:?}",
                WAIT.as_secs(),
                badge(browser).await?
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the notifications panel is shown.
async fn panel_shown(browser: &Browser) -> Result<bool> {
    Ok(browser.driver().find(By::Id("notifications-panel")).await?.is_displayed().await?)
}

async fn expanded(browser: &Browser) -> Result<String> {
    Ok(browser
        .driver()
        .find(By::Id("notifications-button"))
        .await?
        .attr("aria-expanded")
        .await?
        .unwrap_or_default())
}

#[tokio::test]
async fn a_partners_comment_shows_on_the_customers_open_support_page_and_in_its_notifications() -> Result<()>
{
    let server = Server::start().await?;
    open_request(&server).await?;
    let customer = Browser::start("feed-1-customer").await?;
    let partner = Browser::start("feed-2-partner").await?;

    // Woodgrove's admin has the support page open, and starts typing a comment of its own.
    customer.open(&server, "/support").await?;
    customer.sign_in("globaladmin@woodgrove.demo", DEMO_PASSWORD).await?;
    customer.wait_text("h2", REQUEST).await?;
    let draft = customer.element(By::XPath(format!("{ARTICLE}//textarea"))).await?;
    draft.send_keys("Half-written reply").await?;
    // Opening the menu marks what it shows as seen (the demo's history): the bell shows no
    // number; Escape closes the menu and gives the focus back to the bell.
    customer.element(By::Id("notifications-button")).await?.click().await?;
    assert_eq!(expanded(&customer).await?, "true");
    customer.wait_text("#notifications-panel", "Notifications").await?;
    wait_badge(&customer, None).await?;
    customer.driver().action_chain().send_keys(Key::Escape).perform().await?;
    assert_eq!(expanded(&customer).await?, "false");
    assert!(!panel_shown(&customer).await?, "Escape closes the menu");
    let focused = customer.driver().active_element().await?.id().await?;
    assert_eq!(focused.as_deref(), Some("notifications-button"), "the focus is back on the bell");

    // Tailspin, Woodgrove's support partner, comments in its own browser.
    partner.open(&server, "/support").await?;
    partner.sign_in("admin@tailspin.demo", DEMO_PASSWORD).await?;
    partner.wait_text("h2", REQUEST).await?;
    partner
        .element(By::XPath(format!("{ARTICLE}//textarea")))
        .await?
        .send_keys("Looking into it now")
        .await?;
    partner.click_in("article", REQUEST, "Update").await?;
    partner.wait_text("p.ok", "Support request updated.").await?;

    // The comment appears on the customer's open page without a reload, its draft untouched,
    // and the bell counts one unread event.
    customer.wait_text(&format!("{ARTICLE}//ul[@class='comments']"), "Looking into it now").await?;
    let kept = customer.element(By::XPath(format!("{ARTICLE}//textarea"))).await?.prop("value").await?;
    assert_eq!(kept.as_deref(), Some("Half-written reply"), "what the customer was typing stays");
    wait_badge(&customer, Some("1")).await?;
    let label = customer.driver().find(By::Id("notifications-button")).await?.attr("aria-label").await?;
    assert_eq!(label.as_deref(), Some("Notifications, 1 unread"));
    customer.shot("01-comment-arrived").await?;

    // Elsewhere in the app, the menu tells what happened in words and links to it; opening it
    // marks the event seen.
    customer.driver().find(By::XPath("//header//a[normalize-space()='Home']")).await?.click().await?;
    customer.wait_text("h1", "Woodgrove").await?;
    customer.element(By::Id("notifications-button")).await?.click().await?;
    let entry = "//div[@id='notifications-panel']//li[contains(., 'Support request commented')]";
    customer.wait_text(entry, REQUEST).await?;
    customer.wait_text(entry, "just now").await?;
    wait_badge(&customer, None).await?;
    customer.shot("02-menu-open").await?;
    customer.driver().find(By::XPath(format!("{entry}//a"))).await?.click().await?;
    customer.wait_text("h1", "Support requests").await?;
    customer.wait_text("h2", REQUEST).await?;
    assert!(customer.driver().current_url().await?.path().ends_with("/support"));
    assert!(!panel_shown(&customer).await?, "following a link closes the menu");
    // Seen stays seen after a reload.
    customer.driver().refresh().await?;
    customer.wait_text("h2", REQUEST).await?;
    wait_badge(&customer, None).await?;

    customer.quit().await?;
    partner.quit().await?;
    Ok(())
}

#[tokio::test]
async fn the_notifications_menu_fits_a_390px_phone_and_works_by_keyboard() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start("feed-phone").await?;
    browser.driver().set_window_rect(0, 0, 390, 844).await?;
    browser.open(&server, "/support").await?;
    browser.sign_in("admin@tailspin.demo", DEMO_PASSWORD).await?;
    browser.wait_text("h1", "Support requests").await?;
    // Reached from the keyboard: focus it and press Enter.
    let bell = browser.element(By::Id("notifications-button")).await?;
    browser.driver().execute("arguments[0].focus();", vec![bell.to_json()?]).await?;
    browser.driver().action_chain().send_keys(Key::Enter).perform().await?;
    assert_eq!(expanded(&browser).await?, "true");
    browser.wait_text("#notifications-panel", "Notifications").await?;
    assert!(panel_shown(&browser).await?);
    assert!(!browser.overflows_sideways().await?, "the open menu is wider than the phone");
    let rect = browser.driver().find(By::Id("notifications-panel")).await?.rect().await?;
    assert!(rect.x >= 0.0 && rect.x + rect.width <= 390.0, "the panel sits inside the screen: {rect:?}");
    browser.shot("01-phone-menu").await?;
    browser.driver().action_chain().send_keys(Key::Escape).perform().await?;
    assert!(!panel_shown(&browser).await?);
    browser.quit().await?;
    Ok(())
}

#[tokio::test]
async fn delegated_admin_pages_follow_the_other_side_without_a_reload() -> Result<()> {
    let server = Server::start().await?;
    let partner = Browser::start("feed-da-partner").await?;
    let customer = Browser::start("feed-da-customer").await?;
    partner.open(&server, "/delegated-admin").await?;
    partner.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    partner.wait_text("h2", "Draft a delegated admin relationship").await?;
    customer.open(&server, "/delegated-admin").await?;
    customer.sign_in("globaladmin@woodgrove.demo", DEMO_PASSWORD).await?;
    customer.wait_text("h2", "Grant delegated admin").await?;
    // The customer is half-way through a grant of its own.
    customer.fill("grant-name", "Half-typed grant").await?;

    // Contoso drafts rights for Woodgrove and asks for approval.
    partner.choose("draft-customer", "Woodgrove Bank").await?;
    partner.fill("draft-name", "Woodgrove live operations").await?;
    let form = "//form[@aria-label='Draft a delegated admin relationship']";
    partner.tick(form, "Support").await?;
    partner.tick(form, "Azure").await?;
    partner.click_button("Save draft").await?;
    let row = "//tr[contains(., 'Woodgrove live operations')]";
    partner.wait_text(row, "created").await?;
    partner.click_in("tr", "Woodgrove live operations", "Request approval").await?;
    partner.wait_text(row, "approval pending").await?;

    // The request appears on the customer's open page; what it was typing stays.
    customer.wait_text(row, "approval pending").await?;
    let kept = customer.element(By::Id("grant-name")).await?.prop("value").await?;
    assert_eq!(kept.as_deref(), Some("Half-typed grant"));
    customer.click_in("tr", "Woodgrove live operations", "Approve").await?;
    customer.click_button("Yes, approve").await?;
    customer.wait_text(row, "active").await?;

    // The approval appears on the partner's open page.
    partner.wait_text(row, "active").await?;
    partner.shot("01-approved-live").await?;
    partner.quit().await?;
    customer.quit().await?;
    Ok(())
}

#[tokio::test]
async fn the_invitations_page_shows_an_acceptance_without_a_reload() -> Result<()> {
    let server = Server::start().await?;
    let partner = Browser::start("feed-invitations").await?;
    partner.open(&server, "/invitations").await?;
    partner.sign_in("admin@fabrikam.demo", DEMO_PASSWORD).await?;
    partner.wait_text("h2", "New invitation").await?;
    partner.fill("inv-message", "Live acceptance check").await?;
    partner.click_button("Create invitation").await?;
    let row = "//tr[contains(., 'Live acceptance check')]";
    partner.wait_text(row, "pending").await?;
    let url = partner.element(By::XPath(format!("{row}//code"))).await?.text().await?;
    let code = url.rsplit('/').next().context("the link's code")?.to_owned();

    // Proseware accepts the link (through the API, as its own tools would).
    let token = server.sign_in("globaladmin@proseware.demo").await?;
    let accepted = server
        .graphql(
            Some(&token),
            "mutation($i: InvitationCodeInput!) { acceptInvitation(input: $i) { customer { id } } }",
            serde_json::json!({ "i": { "code": code } }),
        )
        .await?;
    if accepted["errors"].is_array() {
        bail!("accepting: {accepted}");
    }
    partner.wait_text(row, "1 accepted").await?;
    partner.quit().await?;
    Ok(())
}

/// A receiver on this machine that answers every POST with 200 and keeps the headers it got.
async fn receiver() -> Result<(String, std::sync::Arc<std::sync::Mutex<Vec<String>>>)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hooks", listener.local_addr()?);
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 8192];
                // Headers, then as much body as Content-Length says.
                loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().to_owned())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            kept.lock().unwrap().push(text[..end].to_owned());
                            break;
                        }
                    }
                }
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    Ok((url, got))
}

#[tokio::test]
async fn an_admin_adds_a_webhook_endpoint_sees_its_secret_once_and_a_test_delivery() -> Result<()> {
    let (hook_url, got) = receiver().await?;
    let server = Server::start_with_flags(&["--webhook-allow-private-urls"]).await?;
    let browser = Browser::start("feed-webhooks").await?;
    browser.open(&server, "/settings/webhooks").await?;
    browser.sign_in("admin@fabrikam.demo", DEMO_PASSWORD).await?;
    browser.wait_text("h2", "New endpoint").await?;
    browser.fill("hook-url", &hook_url).await?;
    browser.fill("hook-description", "Our CRM").await?;
    browser.tick("//form[@aria-label='New webhook endpoint']", "support request commented").await?;
    browser.click_button("Add endpoint").await?;

    // The secret, once, with the warning; gone once dismissed and after a reload.
    browser.wait_text("#hook-secret", "whsec_").await?;
    browser.wait_text(".secret", "it will not be shown again").await?;
    browser.wait_text("article.endpoint", "support request commented").await?;
    browser.shot("01-secret-once").await?;
    browser.click_button("I have saved it").await?;
    browser.wait_text("article.endpoint", &hook_url).await?;
    browser.driver().refresh().await?;
    browser.wait_text("article.endpoint", "Our CRM").await?;
    let page = browser.driver().find(By::Tag("body")).await?.text().await?;
    assert!(!page.contains("whsec_"), "the secret is shown once only");

    // A test event is delivered, signed, and listed with its answer.
    browser.click_button("Send test").await?;
    browser.wait_text("article.endpoint table", "webhook.test").await?;
    browser.wait_text("article.endpoint table", "succeeded").await?;
    browser.wait_text("article.endpoint table", "HTTP 200").await?;
    let headers = got.lock().unwrap().clone();
    assert!(
        headers.iter().any(|h| h.to_ascii_lowercase().contains("webhook-signature: v1,")),
        "the receiver got a signed delivery: {headers:?}"
    );
    browser.shot("02-test-delivered").await?;

    // Redeliver, disable and enable, rotate (a new secret shown once), delete.
    browser.click_button("Redeliver").await?;
    browser.wait_text("[role=status]", "Delivery queued again.").await?;
    browser.click_button("Disable").await?;
    browser.click_button("Yes, disable").await?;
    browser.wait_text("article.endpoint", "disabled").await?;
    browser.click_button("Enable").await?;
    browser.wait_text("[role=status]", "Endpoint enabled.").await?;
    browser.click_button("Rotate secret").await?;
    browser.click_button("Yes, rotate").await?;
    browser.wait_text(".secret", "The new signing secret").await?;
    browser.wait_text("#hook-secret", "whsec_").await?;
    browser.click_button("I have saved it").await?;
    browser.click_button("Delete").await?;
    browser.click_button("Yes, delete").await?;
    browser.wait_text("p", "No webhook endpoints yet.").await?;
    browser.quit().await?;
    Ok(())
}
