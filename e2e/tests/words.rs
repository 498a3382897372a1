//! Issue 11, as a new user meets the app: drastic actions ask first and say what happens
//! (finding 2), codes read as words (3), numbers are checked next to their field (4), long text
//! has limits and wraps (5), a customer's USER is shown what its role may do (6), the small ones
//! (9), and role and program names are explained a click away (terms).

use anyhow::{Result, ensure};
use e2e::{Browser, DEMO_PASSWORD, Server};
use serde_json::json;
use thirtyfour::prelude::*;

/// A subscription's global id, by its name, as `email` sees it.
async fn subscription_id(server: &Server, email: &str, name: &str) -> Result<String> {
    let token = server.sign_in(email).await?;
    let body = server
        .graphql(
            Some(&token),
            "{ subscriptions(first: 100) { edges { node { id friendlyName } } } }",
            json!({}),
        )
        .await?;
    body["data"]["subscriptions"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["node"]["friendlyName"] == name)
        .and_then(|e| e["node"]["id"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("{email} does not see {name}: {body}"))
}

/// The text of the element that has keyboard focus, and whether it is inside an open dialog.
async fn focus(browser: &Browser) -> Result<(String, bool)> {
    let r = browser
        .driver()
        .execute(
            "const e = document.activeElement; return [e ? e.textContent.trim() : '', !!(e && e.closest('dialog[open]'))];",
            vec![],
        )
        .await?;
    Ok(r.convert::<(String, bool)>()?)
}

/// Whether a modal dialog is open.
async fn dialog_open(browser: &Browser) -> Result<bool> {
    let r = browser.driver().execute("return !!document.querySelector('dialog[open]');", vec![]).await?;
    Ok(r.convert::<bool>()?)
}

/// Presses Escape where the focus is.
async fn escape(browser: &Browser) -> Result<()> {
    browser.driver().active_element().await?.send_keys(Key::Escape).await?;
    Ok(())
}

/// Today as the app writes a day in the browser's language (`Intl`, medium: "Nov 27, 2026").
async fn today(browser: &Browser) -> Result<String> {
    let r = browser
        .driver()
        .execute(
            "return new Intl.DateTimeFormat(document.documentElement.lang || 'en', { dateStyle: 'medium' }).format(new Date());",
            vec![],
        )
        .await?;
    Ok(r.convert::<String>()?)
}

/// Signs the browser out (forgets the session) and in again as `email`, at `path`.
async fn sign_in_as(browser: &Browser, server: &Server, email: &str, path: &str) -> Result<()> {
    browser.open(server, path).await?;
    browser.driver().execute("localStorage.clear();", vec![]).await?;
    browser.driver().refresh().await?;
    browser.sign_in(email, DEMO_PASSWORD).await
}

/// Types into a free-text field the way a paste does: the whole text at once.
async fn paste(browser: &Browser, id: &str, text: &str) -> Result<()> {
    let field = browser.element(By::Id(id)).await?;
    browser
        .driver()
        .execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            vec![field.to_json()?, json!(text)],
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn drastic_actions_ask_first_and_numbers_are_checked_at_their_field() -> Result<()> {
    let server = Server::start().await?;
    let id = subscription_id(&server, "admin@contoso.demo", "Woodgrove Dynamics 365 Sales").await?;
    let browser = Browser::start("words-drastic").await?;
    browser.open(&server, &format!("/subscriptions/{id}")).await?;
    browser.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    browser.wait_text("h1", "Woodgrove Dynamics 365 Sales").await?;

    // Finding 3: the term in words, not P1Y.
    browser.wait_text("dl", "1 year, ").await?;
    let facts = browser.element(By::Css("dl.facts")).await?.text().await?;
    ensure!(!facts.contains("P1Y"), "the term still reads as a code: {facts}");

    // Finding 4: an empty Seats field assigns nothing; it says what is missing, at the field.
    browser.click_button("Assign seats").await?;
    browser.wait_text("#seats-error", "Enter the number of seats.").await?;
    browser.wait_text("dl", "38 assigned of 40").await?;
    browser.fill("seats", "99999999999").await?;
    browser.click_button("Set quantity").await?;
    browser.wait_text("#seats-error", "from 1 to 1000000").await?;
    browser.wait_text("dl", "38 assigned of 40").await?;
    browser.shot("01-seats-checked").await?;

    // Finding 2: Suspend asks first, says what happens (with the deletion date), and takes focus.
    browser.click_button("Suspend").await?;
    browser.wait_text("dialog[open]", "Suspend Woodgrove Dynamics 365 Sales?").await?;
    browser.wait_text("dialog[open]", "its data will be deleted on").await?;
    browser.wait_text("dialog[open]", "(in 60 days)").await?;
    let (focused, inside) = focus(&browser).await?;
    ensure!(inside && focused == "Go back", "focus is on {focused:?}, inside the dialog: {inside}");
    browser.shot("02-suspend-asks").await?;
    // Escape changes nothing.
    escape(&browser).await?;
    ensure!(!dialog_open(&browser).await?, "Escape closes the dialog");
    let line = browser.element(By::XPath("//h1/following-sibling::p[1]")).await?.text().await?;
    ensure!(line.contains("active"), "still active after Escape: {line}");
    ensure!(browser.driver().find_all(By::Css("[role=status].ok")).await?.is_empty(), "nothing was done");
    // Confirming acts.
    browser.click_button("Suspend").await?;
    browser.click_button("Yes, suspend").await?;
    browser.wait_text("[role=status]", "Suspend: done.").await?;
    browser.wait_text("dl", "Data deleted on").await?;

    // "Cancel subscription", not "Cancel"; it says the subscription is deleted at once.
    ensure!(browser.driver().find_all(By::XPath("//button[normalize-space()='Cancel']")).await?.is_empty());
    browser.click_button("Cancel subscription").await?;
    browser.wait_text("dialog[open]", "deleted at once").await?;
    browser.shot("03-cancel-asks").await?;
    browser.click_button("Yes, cancel the subscription").await?;
    browser.wait_text("[role=status]", "Cancel subscription: done.").await?;
    browser.wait_text("p", "deleted").await?;

    // Finding 4: the order form checks the quantity before anything is sent.
    browser.open(&server, "/").await?;
    browser.element(By::LinkText("Woodgrove Bank")).await?.click().await?;
    browser.element(By::XPath("//summary[contains(., 'Order a subscription')]")).await?.click().await?;
    browser.fill("order-name", "Woodgrove too many seats").await?;
    browser.fill("order-quantity", "99999999999").await?;
    browser.click_button("Order").await?;
    browser.wait_text("#order-quantity-error", "Enter a whole number of seats from 1 to 1000000.").await?;
    let page = browser.element(By::Tag("main")).await?.text().await?;
    ensure!(!page.to_lowercase().contains("invalid value"), "the parser's words reached the page: {page}");
    browser.element(By::Id("order-quantity")).await?.clear().await?;
    browser.click_button("Order").await?;
    browser.wait_text("#order-quantity-error", "Enter the number of seats to order.").await?;
    browser.shot("04-order-quantity-checked").await?;

    // Finding 9: a partner without provisioning rights is told that *unassigning* needs them.
    let pbi = subscription_id(&server, "admin@northwind.demo", "Woodgrove Power BI Pro").await?;
    sign_in_as(&browser, &server, "admin@northwind.demo", &format!("/subscriptions/{pbi}")).await?;
    browser.wait_text("h1", "Woodgrove Power BI Pro").await?;
    browser.wait_text("#why-unassign-seats", "unassigning seats needs delegated provisioning rights").await?;
    browser.wait_text("#why-assign-seats", "assigning seats needs delegated provisioning rights").await?;
    browser.wait_text("dl", "1 month").await?;
    browser.quit().await?;
    Ok(())
}

#[tokio::test]
async fn the_customer_admin_confirms_terminations_and_reads_terms_and_dates() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start("words-customer").await?;
    browser.open(&server, "/").await?;
    browser.sign_in("globaladmin@woodgrove.demo", DEMO_PASSWORD).await?;

    // Finding 9: "expiring" is said in words on the channel map, not only in colour.
    browser.wait_text("ul.partners", "Woodgrove Office support").await?;
    browser.wait_text("//li[contains(., 'Woodgrove Office support')]", "expires soon").await?;

    browser.open(&server, "/delegated-admin").await?;
    let row = "//tr[contains(., 'Woodgrove Office support')]";
    browser.wait_text(row, "active").await?;
    browser.wait_text(row, "expires soon").await?;
    // Terms: the role's name explains itself a click away.
    browser
        .element(By::XPath(format!("{row}//details[contains(@class, 'term')]/summary")))
        .await?
        .click()
        .await?;
    browser.wait_text(row, "open and work support requests").await?;
    browser.shot("01-term-explained").await?;

    // Finding 9: Litware (an Advisor) cannot receive rights, so it is not offered, and why is said.
    let partners = browser.element(By::Id("grant-partner")).await?.text().await?;
    ensure!(!partners.contains("Litware"), "an Advisor is offered in the grant list: {partners}");
    ensure!(partners.contains("Tailspin Solutions"), "{partners}");
    browser.wait_text("#grant-partner-note", "Litware Advisors").await?;
    browser.wait_text("#grant-partner-note", "must join CSP").await?;
    // Finding 3: durations are chosen in words, with a custom length.
    let chosen = browser.element(By::Css("#grant-duration option:checked")).await?.text().await?;
    ensure!(chosen == "180 days", "the default duration reads {chosen:?}");
    browser.choose("grant-duration", "Another length…").await?;
    browser.element(By::Id("grant-duration-amount")).await?.clear().await?;
    browser.fill("grant-duration-amount", "45").await?;
    browser.choose("grant-duration-unit", "days").await?;
    browser.wait_text(".custom-duration", "45 days").await?;
    let form = browser.element(By::Css("form[aria-label='Grant delegated admin']")).await?.text().await?;
    ensure!(!form.contains("ISO-8601") && !form.contains("P1D"), "the grant form still asks for ISO: {form}");

    // Finding 2: Terminate asks first and says what ends; Escape keeps it.
    browser.click_in("tr", "Woodgrove Office support", "Terminate").await?;
    browser.wait_text("dialog[open]", "Tailspin Solutions").await?;
    browser.wait_text("dialog[open]", "end now").await?;
    let (focused, inside) = focus(&browser).await?;
    ensure!(inside && focused == "Go back", "focus is on {focused:?}, inside the dialog: {inside}");
    escape(&browser).await?;
    ensure!(!dialog_open(&browser).await?, "Escape closes the dialog");
    browser.wait_text(row, "active").await?;
    browser.click_in("tr", "Woodgrove Office support", "Terminate").await?;
    browser.click_button("Yes, terminate").await?;
    browser.wait_text("[role=status]", "Terminate: done.").await?;
    // Finding 9: a terminated relationship shows when it ended, not its old end date.
    let today = today(&browser).await?;
    browser.wait_text(row, &format!("ended {today}")).await?;
    browser.shot("02-terminated").await?;
    browser.quit().await?;
    Ok(())
}

#[tokio::test]
async fn long_text_has_limits_with_counters_and_wraps() -> Result<()> {
    let server = Server::start().await?;
    let token = server.sign_in("globaladmin@woodgrove.demo").await?;
    let sub = subscription_id(&server, "globaladmin@woodgrove.demo", "Woodgrove Office 365 E3").await?;
    // The API refuses what is too long, with the field and the limit in words.
    let refused = server
        .graphql(
            Some(&token),
            "mutation($i: OpenSupportRequestInput!) { openSupportRequest(input: $i) { supportRequest { id } } }",
            json!({ "i": { "subscriptionId": sub, "title": "Too long", "description": "x".repeat(5000) } }),
        )
        .await?;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
    let said = refused["errors"][0]["message"].as_str().unwrap_or_default();
    ensure!(said.contains("description") && said.contains("at most 4000"), "{said}");

    let browser = Browser::start("words-long-text").await?;
    browser.open(&server, "/support").await?;
    browser.sign_in("globaladmin@woodgrove.demo", DEMO_PASSWORD).await?;
    browser.wait_text("h2", "Open a support request").await?;
    browser.wait_text("#support-description-count", "0 / 4000").await?;
    browser.fill("support-title", "A pasted log").await?;
    browser.wait_text("#support-title-count", "12 / 200").await?;
    // 5,000 characters: refused next to the field, and nothing is sent.
    paste(&browser, "support-description", &"x".repeat(5000)).await?;
    browser.wait_text("#support-description-count", "5000 / 4000").await?;
    browser.wait_text("#support-description-too-long", "Too long: 5000 characters, at most 4000").await?;
    browser.click_button("Open request").await?;
    browser.shot("01-too-long").await?;
    let listed =
        server.graphql(Some(&token), "{ supportRequests(first: 50) { nodes { title } } }", json!({})).await?;
    ensure!(!listed.to_string().contains("A pasted log"), "a too-long request was sent: {listed}");

    // A long unbroken word is accepted and wraps: the page is never wider than the window.
    let word = "W".repeat(3000);
    paste(&browser, "support-description", &word).await?;
    browser.wait_text("#support-description-count", "3000 / 4000").await?;
    browser.click_button("Open request").await?;
    browser.wait_text("[role=status]", "Support request opened.").await?;
    browser.wait_text("article", "A pasted log").await?;
    ensure!(!browser.overflows_sideways().await?, "the long word widens the page at 1280 px");
    browser.shot("02-long-word-desktop").await?;
    browser.driver().set_window_rect(0, 0, 390, 844).await?;
    browser.driver().refresh().await?;
    browser.wait_text("article", "A pasted log").await?;
    ensure!(!browser.overflows_sideways().await?, "the long word widens the page at 390 px");
    browser.shot("03-long-word-phone").await?;
    browser.quit().await?;
    Ok(())
}

#[tokio::test]
async fn a_customer_user_is_shown_what_its_role_may_do() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start("words-user").await?;
    browser.open(&server, "/delegated-admin").await?;
    browser.sign_in("user@woodgrove.demo", DEMO_PASSWORD).await?;
    // Not "No delegated admin relationships" while the channel map lists them: it says why.
    browser.wait_text("main", "does not show delegated admin relationships").await?;
    let page = browser.element(By::Tag("main")).await?.text().await?;
    ensure!(!page.contains("No delegated admin relationships"), "{page}");
    ensure!(
        browser.driver().find_all(By::XPath("//button[normalize-space()='Grant']")).await?.is_empty(),
        "a user is offered Grant"
    );
    browser.shot("01-user-delegated-admin").await?;
    browser.driver().find(By::LinkText("The channel map of Woodgrove Bank")).await?.click().await?;
    browser.wait_text("h1", "Woodgrove Bank").await?;
    browser.open(&server, "/support").await?;
    browser.wait_text("main", "does not show support requests").await?;
    browser.open(&server, "/relationships").await?;
    browser.wait_text("main", "does not show reseller relationships").await?;
    ensure!(
        browser.driver().find_all(By::XPath("//button[contains(., 'Remove')]")).await?.is_empty(),
        "a user is offered Remove"
    );
    browser.shot("02-user-relationships").await?;
    browser.quit().await?;
    Ok(())
}
