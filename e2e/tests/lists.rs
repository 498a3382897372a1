//! Lists in the web app: sort, search, filters and page live in the URL (a reload or a shared
//! link shows the same list); partnerships come active first and page the rest; the audit log
//! is searched in words while typing, names the person who acted and links what it names.

use anyhow::{Context, Result};
use e2e::{Browser, DEMO_PASSWORD, Server};
use serde_json::json;
use thirtyfour::prelude::*;

const INVITE_RESELLER: &str = "mutation { invitePartnerReseller { partnership { id } } }";

/// Creates `n` unused partnership links as Fabrikam's admin.
async fn unused_links(server: &Server, n: usize) -> Result<()> {
    let token = server.sign_in("admin@fabrikam.demo").await?;
    for _ in 0..n {
        let body = server.graphql(Some(&token), INVITE_RESELLER, json!({})).await?;
        anyhow::ensure!(body.get("errors").is_none(), "link refused: {body}");
    }
    Ok(())
}

/// The text of the first row of the page's table.
async fn first_row(b: &Browser) -> Result<String> {
    let row = b.element(By::Css("table tbody tr")).await?;
    Ok(row.text().await?)
}

/// Waits until the first row of the table shows `text`.
async fn wait_first_row(b: &Browser, text: &str) -> Result<()> {
    b.wait_text("//table/tbody/tr[1]", text).await
}

async fn query_of(b: &Browser) -> Result<String> {
    Ok(b.driver().current_url().await?.query().unwrap_or("").to_owned())
}

#[tokio::test]
async fn partnerships_come_active_first_and_a_sorted_list_survives_a_reload() -> Result<()> {
    let server = Server::start().await?;
    unused_links(&server, 25).await?;
    let b = Browser::start("lists-partnerships").await?;
    let d = b.driver();
    b.open(&server, "/partnerships").await?;
    b.sign_in("admin@fabrikam.demo", DEMO_PASSWORD).await?;

    // Finding 7: the two active partnerships come first, the unused links after, in pages.
    wait_first_row(&b, "active").await?;
    b.wait_text("table", "Northwind Resellers").await?;
    b.wait_text("table", "Tailspin Solutions").await?;
    b.wait_text("p", "27 partnerships").await?;
    let rows = d.find_all(By::Css("table tbody tr")).await?;
    assert_eq!(rows.len(), 20, "one page of 20, not all 27");
    b.shot("01-partnerships-active-first").await?;
    b.click_button("Next").await?;
    b.wait_text_gone("table", "Northwind Resellers").await?;
    wait_first_row(&b, "link not used yet").await?;
    assert!(query_of(&b).await?.contains("after="), "the page is in the URL");

    // Filtered by state: only the active ones.
    b.choose("f-partnership-status", "Active").await?;
    b.wait_text("p", "2 partnerships").await?;
    b.wait_text_gone("table", "link not used yet").await?;
    assert!(query_of(&b).await?.contains("status=ACTIVE"));
    b.choose("f-partnership-status", "All (active first)").await?;
    b.wait_text("p", "27 partnerships").await?;

    // Sorted by a column header (a button with aria-sort), twice for the other way.
    let since = "//th[button[contains(., 'Since')]]";
    b.element(By::XPath(format!("{since}/button"))).await?.click().await?;
    b.wait_text("//th[@aria-sort='ascending']", "Since").await?;
    b.element(By::XPath(format!("{since}/button"))).await?.click().await?;
    b.wait_text("//th[@aria-sort='descending']", "Since").await?;
    wait_first_row(&b, "link not used yet").await?;
    assert!(query_of(&b).await?.contains("sort=-created"), "the sort is in the URL");
    let newest = first_row(&b).await?;
    b.shot("02-partnerships-sorted").await?;

    // A reload keeps the order.
    d.refresh().await?;
    b.wait_text("//th[@aria-sort='descending']", "Since").await?;
    wait_first_row(&b, "link not used yet").await?;
    assert_eq!(first_row(&b).await?, newest);
    assert!(query_of(&b).await?.contains("sort=-created"));
    b.quit().await?;
    Ok(())
}

#[tokio::test]
async fn a_shared_link_opens_the_same_search_and_page() -> Result<()> {
    let server = Server::start().await?;
    unused_links(&server, 30).await?;
    let b = Browser::start("lists-share").await?;
    b.open(&server, "/audit").await?;
    b.sign_in("admin@fabrikam.demo", DEMO_PASSWORD).await?;
    b.wait_text("h1", "Audit log").await?;
    b.fill("audit-search", "partnership link").await?;
    b.wait_text("table", "Reseller partnership link created").await?;
    b.click_button("Next").await?;
    b.wait_text("//button[normalize-space()='Previous' and not(@disabled)]", "Previous").await?;
    let shared = b.driver().current_url().await?;
    let query = shared.query().unwrap_or("").to_owned();
    assert!(query.contains("q=partnership") && query.contains("after="), "search and page in {query}");
    b.quit().await?;

    // Someone else at Fabrikam opens the link in a fresh browser.
    let other = Browser::start("lists-share-fresh").await?;
    other.driver().goto(shared.as_str()).await?;
    other.sign_in("sales@fabrikam.demo", DEMO_PASSWORD).await?;
    other.wait_text("table", "Reseller partnership link created").await?;
    let search = other.element(By::Id("audit-search")).await?;
    assert_eq!(search.prop("value").await?.unwrap_or_default(), "partnership link");
    let previous = other.button("Previous").await?;
    assert!(previous.is_enabled().await?, "the second page, not the first");
    let rows = other.driver().find_all(By::Css("table tbody tr")).await?;
    assert!((5..25).contains(&rows.len()), "the rest after the first 25 of 30+ events, got {}", rows.len());
    other.shot("03-shared-audit-page").await?;
    other.quit().await?;
    Ok(())
}

#[tokio::test]
async fn the_audit_log_reads_in_words_names_the_person_and_links_the_subscription() -> Result<()> {
    let server = Server::start().await?;
    let contoso = server.sign_in("admin@contoso.demo").await?;
    let subs = server
        .graphql(Some(&contoso), "{ subscriptions(first: 100) { nodes { id friendlyName } } }", json!({}))
        .await?;
    let sub = subs["data"]["subscriptions"]["nodes"]
        .as_array()
        .context("subscriptions")?
        .iter()
        .find(|n| n["friendlyName"] == "Woodgrove Dynamics 365 Sales")
        .context("Contoso's Woodgrove subscription")?["id"]
        .clone();
    let changed = server
        .graphql(
            Some(&contoso),
            "mutation($i: ChangeSubscriptionQuantityInput!) { changeSubscriptionQuantity(input: $i) { subscription { quantity } } }",
            json!({ "i": { "subscriptionId": sub, "quantity": 41 } }),
        )
        .await?;
    anyhow::ensure!(changed.get("errors").is_none(), "{changed}");
    let invited = server
        .graphql(
            Some(&contoso),
            "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }",
            json!({ "i": { "audience": "ANY_CUSTOMER" } }),
        )
        .await?;
    anyhow::ensure!(invited.get("errors").is_none(), "{invited}");

    let b = Browser::start("lists-audit").await?;
    let d = b.driver();
    b.open(&server, "/audit").await?;
    b.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    b.wait_text("table", "Subscription quantity changed").await?;

    // Typing "invitation" finds the invitation events, with no Enter.
    let search = b.element(By::Id("audit-search")).await?;
    search.send_keys("invitation").await?;
    b.wait_text_gone("table", "Subscription quantity changed").await?;
    b.wait_text("table", "Invitation created").await?;
    b.shot("04-audit-search-while-typing").await?;

    // The quantity change: who acted (the person and the organization), labelled details,
    // and a link that opens the subscription.
    search.send_keys(Key::Control + "a").await?;
    search.send_keys("quantity").await?;
    b.wait_text_gone("table", "Invitation created").await?;
    b.wait_text("table", "Subscription quantity changed").await?;
    b.wait_text("//td[contains(., 'Contoso Cloud Direct')]", "admin").await?;
    b.wait_text("dl dt", "Subscription name").await?;
    b.wait_text("dl dt", "Customer").await?;
    let details = b.element(By::Css("table tbody tr dl")).await?.text().await?;
    assert!(!details.contains('{') && !details.contains("-4"), "no raw JSON or uuids: {details}");
    b.shot("05-audit-details").await?;
    d.find(By::XPath("//dl//a[normalize-space()='Woodgrove Dynamics 365 Sales']")).await?.click().await?;
    b.wait_text("h1", "Woodgrove Dynamics 365 Sales").await?;
    assert!(d.current_url().await?.path().starts_with("/subscriptions/"));
    b.quit().await?;
    Ok(())
}
