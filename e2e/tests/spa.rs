//! The web app in headless Chromium: sign-in, the partner's book, a channel map by deep link,
//! a subscription's actions with their reasons, and the invitation landing page.

use anyhow::Result;
use e2e::{Browser, DEMO_PASSWORD, Server};
use serde_json::json;
use thirtyfour::prelude::*;

#[tokio::test]
async fn a_partner_works_its_book_and_a_customer_accepts_an_invitation() -> Result<()> {
    let server = Server::start().await?;
    let partner = Browser::start("partner").await?;
    let d = partner.driver();

    // A wrong password is refused in words.
    d.goto(server.url("/")).await?;
    partner.sign_in("admin@northwind.demo", "not the password").await?;
    partner.wait_text("[role=alert]", "Wrong email or password").await?;
    partner.shot("01-sign-in-refused").await?;
    d.refresh().await?;
    partner.sign_in("admin@northwind.demo", DEMO_PASSWORD).await?;

    // The multi-channel book.
    partner.wait_text("table", "Alpine Ski House").await?;
    partner.wait_text("table", "Woodgrove Bank").await?;
    partner.wait_text("table", "indirect reseller").await?;
    partner.shot("02-book").await?;

    // A customer's channel map, also by deep link after a reload.
    d.find(By::LinkText("Alpine Ski House")).await?.click().await?;
    partner.wait_text("h1", "Alpine Ski House").await?;
    partner.wait_text("table", "Online direct").await?;
    partner.wait_text("table", "Northwind Resellers").await?;
    partner.shot("03-channel-map").await?;
    let deep_link = d.current_url().await?;
    assert!(deep_link.path().starts_with("/customers/"));
    d.refresh().await?;
    partner.wait_text("h1", "Alpine Ski House").await?;

    // The subscription: what Northwind may do, and why not the rest.
    d.find(By::LinkText("Alpine Office 365 E1")).await?.click().await?;
    partner.wait_text("h1", "Alpine Office 365 E1").await?;
    let quantity = partner.button("Set quantity").await?;
    assert!(!quantity.is_enabled().await?, "a delegated provisioner cannot change the quantity");
    partner.wait_text(".reason", "partner of record").await?;
    assert!(partner.button("Assign seats").await?.is_enabled().await?);
    partner.shot("04-subscription").await?;
    partner.fill("seats", "1").await?;
    partner.click_button("Assign seats").await?;
    partner.wait_text("[role=status]", "Assign seats: done.").await?;
    partner.wait_text("dl", "76 assigned of 80").await?;
    partner.shot("05-seats-assigned").await?;

    // The subscriptions list, filtered by channel.
    d.find(By::LinkText("Subscriptions")).await?.click().await?;
    partner.wait_text("p", "2 subscriptions").await?;
    d.find(By::XPath("//select[@id='f-channel']/option[@value='CSP_INDIRECT']")).await?.click().await?;
    partner.wait_text("p", "1 subscription").await?;
    partner.wait_text("table", "Woodgrove Power BI Pro").await?;
    partner.shot("06-subscriptions-filtered").await?;
    partner.quit().await?;

    // Fabrikam invites Proseware (online direct only), naming Northwind for provisioning.
    let operator = server.sign_in("operator@21vianet.demo").await?;
    let lookup = server
        .graphql(Some(&operator), "{ customers(filter: {search: \"Proseware\"}) { edges { node { id } } } catalog { services { id name } } }", json!({}))
        .await?;
    let proseware = lookup["data"]["customers"]["edges"][0]["node"]["id"].clone();
    let o365 = lookup["data"]["catalog"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Office 365")
        .unwrap()["id"]
        .clone();
    let fabrikam = server.sign_in("sales@fabrikam.demo").await?;
    let partners = server
        .graphql(
            Some(&fabrikam),
            "{ partners(filter: {search: \"Northwind\"}) { edges { node { id } } } }",
            json!({}),
        )
        .await?;
    let northwind = partners["data"]["partners"]["edges"][0]["node"]["id"].clone();
    let created = server
        .graphql(Some(&fabrikam), "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { url } } }",
            json!({ "i": { "audience": "CUSTOMER", "customerId": proseware, "indirectResellerId": northwind, "message": "Northwind will run your Office 365.",
                "delegatedAdmin": { "roles": ["PROVISIONING"], "serviceIds": [o365], "duration": "P1Y" } } }))
        .await?;
    let url = created["data"]["createInvitation"]["invitation"]["url"].as_str().unwrap().to_owned();
    let path = url.split_once("/invitations/").map(|(_, c)| format!("/invitations/{c}")).unwrap();

    // The customer opens the link, signs in there, reads what accepting does, accepts.
    let customer = Browser::start("customer").await?;
    let c = customer.driver();
    c.goto(server.url(&path)).await?;
    customer.wait_text("p", "Sign in as your organization's global admin").await?;
    customer.sign_in("globaladmin@proseware.demo", DEMO_PASSWORD).await?;
    customer.wait_text("h1", "Fabrikam Distribution invites you").await?;
    customer
        .wait_text("ul", "Northwind Resellers gets delegated admin rights (PROVISIONING) for Office 365")
        .await?;
    customer.shot("01-invitation").await?;
    customer.click_button("Accept").await?;
    customer.wait_text("h1", "Proseware").await?;
    customer.wait_text("ul.partners", "Fabrikam Distribution").await?;
    customer.wait_text("ul.partners", "Northwind Resellers").await?;
    customer.shot("02-channel-map-after-accepting").await?;
    customer.quit().await?;
    Ok(())
}

#[tokio::test]
async fn api_tokens_and_invitations_are_managed_in_the_app() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start("tokens-and-invitations").await?;
    let d = browser.driver();
    d.goto(server.url("/tokens")).await?;
    browser.sign_in("admin@fabrikam.demo", DEMO_PASSWORD).await?;
    browser.wait_text("h1", "API tokens").await?;
    d.find(By::Id("token-name")).await?.send_keys("billing export").await?;
    browser.click_button("Create token").await?;
    browser.wait_text("[role=status]", "not shown again").await?;
    let secret = d.find(By::Id("token-secret")).await?.text().await?;
    assert!(secret.starts_with("mct_"));
    browser.button("Copy secret").await?;
    browser.wait_text("table", "billing export").await?;
    browser.shot("01-token-created").await?;
    let works = server.graphql(Some(&secret), "{ viewer { organization { name } } }", json!({})).await?;
    assert_eq!(works["data"]["viewer"]["organization"]["name"], "Fabrikam Distribution");
    browser.click_button("Revoke").await?;
    browser.click_button("Yes, revoke").await?;
    browser.wait_text("table", "revoked").await?;
    let refused = server.graphql(Some(&secret), "{ viewer { organization { name } } }", json!({})).await?;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    // An invitation for any customer, through Northwind, asking for SUPPORT.
    d.goto(server.url("/invitations")).await?;
    browser.wait_text("h2", "New invitation").await?;
    d.find(By::Css("#inv-reseller option:nth-child(2)")).await?.click().await?;
    d.find(By::XPath("//label[contains(., 'Support')]/input")).await?.click().await?;
    d.find(By::Id("inv-message")).await?.send_keys("Welcome aboard").await?;
    browser.click_button("Create invitation").await?;
    browser.wait_text("table", "any customer").await?;
    browser.wait_text("table", "relationship + support for").await?;
    browser.button("Copy link").await?;
    browser.shot("02-invitation-created").await?;
    // The message can change; the link stays.
    let row = "//tr[contains(., 'Welcome aboard')]";
    let link = browser.element(By::XPath(format!("{row}//code"))).await?.text().await?;
    browser.element(By::XPath(format!("{row}//summary"))).await?.click().await?;
    let message = browser.element(By::XPath(format!("{row}//textarea"))).await?;
    message.clear().await?;
    message.send_keys("Welcome aboard, Northwind runs support").await?;
    browser.click_button("Save message").await?;
    browser.wait_text("table", "Welcome aboard, Northwind runs support").await?;
    let row = "//tr[contains(., 'Northwind runs support')]";
    assert_eq!(browser.element(By::XPath(format!("{row}//code"))).await?.text().await?, link);
    browser.shot("03-message-changed").await?;

    // Fabrikam orders Power BI for Woodgrove, through Tailspin.
    browser.open(&server, "/").await?;
    browser.element(By::LinkText("Woodgrove Bank")).await?.click().await?;
    browser.wait_text("h1", "Woodgrove Bank").await?;
    browser.element(By::XPath("//summary[contains(., 'Order a subscription')]")).await?.click().await?;
    browser.choose("order-offer", "Power BI — Power BI Pro").await?;
    browser.fill("order-name", "Woodgrove Power BI analysts").await?;
    browser.fill("order-quantity", "5").await?;
    browser.choose("order-reseller", "Tailspin Solutions").await?;
    browser.click_button("Order").await?;
    browser.wait_text("[role=status]", "Ordered: Woodgrove Power BI analysts.").await?;
    let ordered = "//tr[contains(., 'Woodgrove Power BI analysts')]";
    browser.wait_text(ordered, "Tailspin Solutions").await?;
    browser.wait_text(ordered, "CSP indirect").await?;
    browser.shot("04-ordered").await?;
    browser.quit().await?;
    Ok(())
}

#[tokio::test]
async fn a_customer_grants_delegated_admin_and_replaces_the_holder_explicitly() -> Result<()> {
    let server = Server::start().await?;
    let customer = Browser::start("grant-customer").await?;
    let c = customer.driver();
    c.goto(server.url("/delegated-admin")).await?;
    customer.sign_in("globaladmin@alpineskihouse.demo", DEMO_PASSWORD).await?;
    customer.wait_text("table", "Alpine provisioning").await?;
    let grant = |name: &'static str, replace: bool| {
        let customer = &customer;
        async move {
            let d = customer.driver();
            d.find(By::XPath("//select[@id='grant-partner']/option[normalize-space()='Tailspin Solutions']"))
                .await?
                .click()
                .await?;
            d.find(By::XPath("//select[@id='grant-service']/option[normalize-space()='Office 365']"))
                .await?
                .click()
                .await?;
            d.find(By::Id("grant-name")).await?.send_keys(name).await?;
            d.find(By::XPath("//label[contains(., 'Provisioning')]/input")).await?.click().await?;
            if replace {
                d.find(By::XPath("//label[contains(., 'Replace the current')]/input")).await?.click().await?;
            }
            customer.click_button("Grant").await?;
            anyhow::Ok(())
        }
    };
    // The customer hears of the conflict when it grants, and nothing is stored.
    grant("Tailspin provisioning", false).await?;
    customer.wait_text("[role=alert]", "Northwind Resellers already holds provisioning").await?;
    customer.shot("01-conflict").await?;

    c.refresh().await?;
    customer.wait_text("h2", "Grant delegated admin").await?;
    grant("Tailspin replaces Northwind", true).await?;
    customer.wait_text("[role=status]", "waiting for the partner's consent").await?;
    customer.wait_text("table", "Tailspin replaces Northwind").await?;
    customer.shot("01-granted").await?;

    let partner = Browser::start("grant-partner").await?;
    let p = partner.driver();
    p.goto(server.url("/delegated-admin")).await?;
    partner.sign_in("admin@tailspin.demo", DEMO_PASSWORD).await?;
    partner.wait_text("table", "Tailspin replaces Northwind").await?;
    let consent = p
        .find(By::XPath(
            "//tr[contains(., 'Tailspin replaces Northwind')]//button[normalize-space()='Consent']",
        ))
        .await?;
    consent.click().await?;
    partner.wait_text("[role=status]", "Consent: done.").await?;
    partner.wait_text("table", "active").await?;
    partner.shot("02-consented").await?;

    // The customer's channel map: Tailspin holds PROVISIONING now; Northwind kept SUPPORT, and
    // Office 365 provisioning fell back to the operator until the customer assigns it.
    c.goto(server.url("/")).await?;
    customer
        .wait_text("ul.partners", "Tailspin replaces Northwind — provisioning for Office 365 (active)")
        .await?;
    customer.wait_text("ul.partners", "Alpine provisioning — support for Office 365 (active)").await?;
    // The customer hands Office 365 provisioning to Tailspin on the subscription.
    c.find(By::LinkText("Alpine Office 365 E1")).await?.click().await?;
    customer.wait_text("h2", "Provisioning and support partner").await?;
    // The holders arrive with their own query, after the form.
    customer.wait_text("#stage-partner", "Tailspin Solutions").await?;
    c.find(By::XPath("//select[@id='stage-partner']/option[normalize-space()='Tailspin Solutions']"))
        .await?
        .click()
        .await?;
    customer.click_button("Assign").await?;
    customer.wait_text("dl", "Tailspin Solutions").await?;
    customer.shot("03-provisioning-assigned").await?;
    customer.shot("02-channel-map").await?;
    customer.quit().await?;
    partner.quit().await?;
    Ok(())
}

#[tokio::test]
async fn a_partner_drafts_delegated_admin_and_the_customer_approves_it() -> Result<()> {
    let server = Server::start().await?;
    let partner = Browser::start("draft-partner").await?;
    partner.open(&server, "/delegated-admin").await?;
    partner.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    partner.wait_text("h2", "Draft a delegated admin relationship").await?;
    partner.choose("draft-customer", "Woodgrove Bank").await?;
    partner.fill("draft-name", "Woodgrove Azure operations").await?;
    let form = "//form[@aria-label='Draft a delegated admin relationship']";
    partner.tick(form, "Support").await?;
    partner.tick(form, "Azure").await?;
    partner.choose("draft-duration", "90 days").await?;
    partner.click_button("Save draft").await?;
    partner.wait_text("[role=status]", "Draft saved").await?;
    let row = "//tr[contains(., 'Woodgrove Azure operations')]";
    partner.wait_text(row, "created").await?;
    partner.shot("01-draft").await?;
    // A second draft with the same name is refused in words.
    partner.fill("draft-name", "Woodgrove Azure operations").await?;
    partner.tick(form, "Support").await?;
    partner.tick(form, "Azure").await?;
    partner.click_button("Save draft").await?;
    partner
        .wait_text("[role=alert]", "You already have a delegated admin relationship with this name")
        .await?;
    partner.click_in("tr", "Woodgrove Azure operations", "Auto-extend on").await?;
    partner.wait_text(row, "(auto-extends)").await?;
    partner.click_in("tr", "Woodgrove Azure operations", "Request approval").await?;
    partner.wait_text(row, "approval pending").await?;
    partner.shot("02-approval-requested").await?;

    let customer = Browser::start("draft-customer").await?;
    customer.open(&server, "/delegated-admin").await?;
    customer.sign_in("globaladmin@woodgrove.demo", DEMO_PASSWORD).await?;
    customer.wait_text(row, "approval pending").await?;
    customer.click_in("tr", "Woodgrove Azure operations", "Approve").await?;
    customer.click_button("Yes, approve").await?;
    customer.wait_text("[role=status]", "Approve: done.").await?;
    customer.wait_text(row, "active").await?;
    customer.shot("01-approved").await?;
    // Within 30 days nothing of Woodgrove's ends; within 90 the new relationship does.
    customer.choose("ending-window", "30 days").await?;
    customer.wait_text("h2", "Ending within 30 days").await?;
    customer.wait_text_gone("ul.ending", "Woodgrove Azure operations").await?;
    customer.choose("ending-window", "90 days").await?;
    customer.wait_text("ul.ending", "Woodgrove Azure operations").await?;
    customer.shot("02-ending-within-90-days").await?;

    partner.driver().refresh().await?;
    partner.wait_text(row, "active").await?;
    partner.click_in("tr", "Woodgrove Azure operations", "Terminate").await?;
    partner.click_button("Yes, terminate").await?;
    partner.wait_text(row, "terminated").await?;
    partner.shot("03-terminated").await?;
    partner.quit().await?;
    customer.quit().await?;
    Ok(())
}
