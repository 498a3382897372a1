//! Provider–reseller partnerships made in the app.

use anyhow::Result;
use e2e::{Browser, DEMO_PASSWORD, Server};
use thirtyfour::prelude::*;

#[tokio::test]
async fn a_reseller_leaves_and_rejoins_a_provider_through_its_link() -> Result<()> {
    let server = Server::start().await?;
    let reseller = Browser::start("partnership-reseller").await?;
    reseller.open(&server, "/partnerships").await?;
    reseller.sign_in("admin@tailspin.demo", DEMO_PASSWORD).await?;
    reseller.wait_text("tr", "Fabrikam Distribution").await?;
    reseller.shot("01-partnerships").await?;
    reseller.click_in("tr", "Fabrikam Distribution", "Remove").await?;
    reseller.wait_text("[role=status]", "Partnership removed").await?;
    reseller.wait_text("//tr[contains(., 'Fabrikam Distribution')]", "removed").await?;
    reseller.shot("02-removed").await?;

    let provider = Browser::start("partnership-provider").await?;
    provider.open(&server, "/partnerships").await?;
    provider.sign_in("admin@fabrikam.demo", DEMO_PASSWORD).await?;
    provider.wait_text("//tr[contains(., 'Tailspin Solutions')]", "removed").await?;
    provider.click_button("Create a partnership link").await?;
    provider.wait_text("[role=status]", "Partnership link created").await?;
    provider.wait_text("tr", "(link not used yet)").await?;
    provider.shot("01-link-created").await?;
    let url = provider.element(By::Css("code.link")).await?.text().await?;
    let path = format!("/partnerships/{}", url.rsplit('/').next().unwrap());

    reseller.open(&server, &path).await?;
    reseller.wait_text("p", "Accepting makes your organization an indirect reseller").await?;
    reseller.click_button("Accept partnership").await?;
    reseller.wait_text("[role=status]", "You now resell through Fabrikam Distribution.").await?;
    reseller.shot("03-accepted").await?;
    provider.driver().refresh().await?;
    provider
        .wait_text("//tr[contains(., 'Tailspin Solutions') and not(contains(., 'removed'))]", "active")
        .await?;
    provider.shot("02-reseller-joined").await?;
    // The link works once.
    reseller.open(&server, &path).await?;
    reseller.click_button("Accept partnership").await?;
    reseller.wait_text("[role=alert]", "This partnership link was already used").await?;
    reseller.quit().await?;
    provider.quit().await?;
    Ok(())
}
