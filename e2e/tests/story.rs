//! The whole multi-channel story of issue [2 of 3], through the web app, by three people in
//! three browsers: Fabrikam (indirect provider), Proseware's global admin (a customer that bought
//! online direct) and Tailspin (a second reseller). After each step each one sees what it should.

use anyhow::Result;
use e2e::{Browser, DEMO_PASSWORD, Server};
use thirtyfour::prelude::*;

#[tokio::test]
async fn the_multi_channel_story_in_three_browsers() -> Result<()> {
    let server = Server::start().await?;
    let provider = Browser::start("story-1-provider").await?;
    let customer = Browser::start("story-2-customer").await?;
    let reseller = Browser::start("story-3-reseller").await?;

    // 1. Fabrikam creates a link naming Northwind and asking for PROVISIONING of Office 365.
    provider.open(&server, "/invitations").await?;
    provider.sign_in("admin@fabrikam.demo", DEMO_PASSWORD).await?;
    provider.wait_text("h2", "New invitation").await?;
    provider.choose("inv-reseller", "Northwind Resellers").await?;
    provider.tick("//form[@aria-label='New invitation']", "Provisioning").await?;
    provider.choose("inv-service", "Office 365").await?;
    provider.fill("inv-message", "Northwind will run your Office 365.").await?;
    provider.click_button("Create invitation").await?;
    provider.wait_text("table", "relationship + provisioning for Office 365").await?;
    provider.shot("01-invitation-created").await?;
    let row = "//tr[contains(., 'via Northwind Resellers') and contains(., 'provisioning for Office 365')]";
    let url = provider.element(By::XPath(format!("{row}//code"))).await?.text().await?;
    let path = format!("/invitations/{}", url.rsplit('/').next().unwrap());

    // 2. Proseware's global admin opens the link, signs in there, reads what accepting grants.
    customer.open(&server, &path).await?;
    customer.wait_text("p", "Sign in as your organization's global admin").await?;
    customer.sign_in("globaladmin@proseware.demo", DEMO_PASSWORD).await?;
    customer.wait_text("h1", "Fabrikam Distribution invites you").await?;
    customer.wait_text("blockquote", "Northwind will run your Office 365.").await?;
    customer
        .wait_text("ul", "Northwind Resellers gets delegated admin rights (PROVISIONING) for Office 365")
        .await?;
    customer.shot("01-invitation").await?;
    customer.click_button("Accept").await?;
    customer.wait_text("h1", "Proseware").await?;
    customer.wait_text("table", "Online direct").await?;
    customer.wait_text("ul.partners", "Fabrikam Distribution · indirect provider").await?;
    customer.wait_text("ul.partners", "Northwind Resellers · indirect reseller").await?;
    customer.shot("02-channel-map-accepted").await?;
    // Fabrikam sees the acceptance, and Proseware in its book.
    provider.driver().refresh().await?;
    provider.wait_text(row, "1 accepted").await?;
    provider.open(&server, "/").await?;
    provider.fill("search", "Proseware").await?;
    provider.wait_text("table", "indirect provider").await?;
    provider.shot("02-book-with-proseware").await?;

    // 3. The customer grants SUPPORT for Office 365 to Tailspin; it waits for Tailspin's consent.
    customer.open(&server, "/delegated-admin").await?;
    customer.wait_text("h2", "Grant delegated admin").await?;
    customer.choose("grant-partner", "Tailspin Solutions").await?;
    customer.fill("grant-name", "Proseware support").await?;
    customer.tick("//form[@aria-label='Grant delegated admin']", "Support").await?;
    customer.choose("grant-service", "Office 365").await?;
    customer.click_button("Grant").await?;
    customer.wait_text("[role=status]", "waiting for the partner's consent").await?;
    customer.wait_text("tr", "consent pending").await?;
    customer.shot("03-support-granted").await?;

    // 4. Tailspin consents.
    reseller.open(&server, "/delegated-admin").await?;
    reseller.sign_in("admin@tailspin.demo", DEMO_PASSWORD).await?;
    reseller.wait_text("tr", "Proseware support").await?;
    reseller.shot("01-consent-pending").await?;
    reseller.click_in("tr", "Proseware support", "Consent").await?;
    reseller.wait_text("[role=status]", "Consent: done.").await?;
    reseller.wait_text("//tr[contains(., 'Proseware support')]", "active").await?;
    reseller.shot("02-consented").await?;
    customer.driver().refresh().await?;
    customer.wait_text("//tr[contains(., 'Proseware support')]", "active").await?;

    // 5. The customer hands Office 365 provisioning to Northwind and support to Tailspin.
    customer.open(&server, "/").await?;
    customer.element(By::LinkText("Proseware Office 365 E1")).await?.click().await?;
    customer.wait_text("h2", "Provisioning and support partner").await?;
    customer.choose("stage-partner", "Northwind Resellers").await?;
    customer.click_button("Assign").await?;
    customer.wait_text("dl", "Northwind Resellers").await?;
    customer.wait_text("h2", "Provisioning and support partner").await?;
    customer.choose("stage", "Support").await?;
    customer.choose("stage-partner", "Tailspin Solutions").await?;
    customer.click_button("Assign").await?;
    customer.wait_text("dl", "Tailspin Solutions").await?;
    customer.shot("04-service-partners").await?;
    // The channel map: the whole picture.
    customer.open(&server, "/").await?;
    customer.wait_text("table", "Tailspin Solutions").await?;
    customer.wait_text("table", "Northwind Resellers").await?;
    customer.wait_text("ul.partners", "Tailspin Solutions · delegated rights only").await?;
    customer.wait_text("ul.partners", "Proseware support — support for Office 365 (active)").await?;
    customer.shot("05-channel-map-whole-picture").await?;
    // Tailspin's book shows Proseware with its support role.
    reseller.open(&server, "/").await?;
    reseller.fill("search", "Proseware").await?;
    reseller.wait_text("table", "support · Office 365").await?;
    reseller.shot("03-book").await?;

    // 6. A support request: the customer opens it, Tailspin works it and escalates it.
    customer.open(&server, "/support").await?;
    customer.wait_text("h2", "Open a support request").await?;
    customer.choose("support-subscription", "Proseware Office 365 E1 (Proseware)").await?;
    customer.fill("support-title", "Mailbox migration stuck").await?;
    customer.fill("support-description", "Half the mailboxes did not move.").await?;
    customer.click_button("Open request").await?;
    customer.wait_text("article", "worked by Tailspin Solutions").await?;
    customer.shot("06-support-opened").await?;
    reseller.open(&server, "/support").await?;
    reseller.wait_text("article", "Mailbox migration stuck").await?;
    let card = "//article[contains(., 'Mailbox migration stuck')]";
    reseller
        .driver()
        .find(By::XPath(format!("{card}//textarea")))
        .await?
        .send_keys("Looking into it")
        .await?;
    reseller
        .driver()
        .find(By::XPath(format!("{card}//option[normalize-space()='In progress']")))
        .await?
        .click()
        .await?;
    reseller.click_in("article", "Mailbox migration stuck", "Update").await?;
    reseller.wait_text("article p strong", "In progress").await?;
    reseller.wait_text("ul.comments", "Looking into it").await?;
    reseller.click_in("article", "Mailbox migration stuck", "Escalate to operator").await?;
    reseller.wait_text("[role=status]", "Escalated to the operator.").await?;
    reseller.wait_text("article p strong", "Escalated").await?;
    reseller.shot("04-support-escalated").await?;
    customer.driver().refresh().await?;
    customer.wait_text("article p strong", "Escalated").await?;
    customer.wait_text("ul.comments", "Looking into it").await?;

    // 7. Removing Northwind: the preview says what ends; removal does it.
    customer.open(&server, "/relationships").await?;
    customer
        .element(By::XPath("//button[@aria-label='Remove Northwind Resellers from Proseware']"))
        .await?
        .click()
        .await?;
    customer.wait_text("[role=region]", "Delegated admin relationships that end").await?;
    customer.wait_text("[role=region]", "provisioning for Office 365").await?;
    customer.wait_text("[role=region]", "Proseware Office 365 E1").await?;
    customer.shot("07-removal-preview").await?;
    customer.click_button("Remove relationship").await?;
    customer
        .wait_text("[role=status]", "1 delegated admin relationship(s) ended, 1 subscription(s) released")
        .await?;
    customer.open(&server, "/").await?;
    customer.wait_text("ul.partners", "Tailspin Solutions").await?;
    customer.wait_text_gone("ul.partners", "Northwind Resellers").await?;
    customer.wait_text_gone("table", "Northwind Resellers").await?;
    customer.shot("08-channel-map-after-removal").await?;

    // Fabrikam cannot remove Woodgrove: it is partner of record on an active subscription there.
    provider.open(&server, "/relationships").await?;
    provider
        .element(By::XPath("//button[@aria-label='Remove Fabrikam Distribution from Woodgrove Bank']"))
        .await?
        .click()
        .await?;
    provider.wait_text("[role=alert]", "Removal is blocked").await?;
    provider.wait_text("[role=region]", "Woodgrove Power BI Pro").await?;
    assert!(!provider.button("Remove relationship").await?.is_enabled().await?);
    provider.shot("03-removal-blocked").await?;

    provider.quit().await?;
    customer.quit().await?;
    reseller.quit().await?;
    Ok(())
}
