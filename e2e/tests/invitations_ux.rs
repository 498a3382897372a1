//! Issue 11, the invitations part: a reopened invitation says what became of it (findings 1),
//! the invitations form answers where it is asked and refuses a half-filled delegated-rights
//! section in words (4), the list names the service asked for (6), and an unused partnership
//! link expires (7). Each step failed on the code before.

use anyhow::{Result, bail};
use e2e::{Browser, DEMO_PASSWORD, Server};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;

const CREATE: &str =
    "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id code } } }";

/// The server's own database, to date things back (what days of waiting would do).
async fn database(server: &Server) -> Result<sqlx::PgPool> {
    let mut url = reqwest::Url::parse(&std::env::var("DATABASE_URL")?)?;
    url.set_path(&server.database);
    Ok(sqlx::PgPool::connect(url.as_str()).await?)
}

async fn create(server: &Server, token: &str, input: Value) -> Result<(String, String)> {
    let body = server.graphql(Some(token), CREATE, json!({ "i": input })).await?;
    let inv = &body["data"]["createInvitation"]["invitation"];
    match (inv["id"].as_str(), inv["code"].as_str()) {
        (Some(id), Some(code)) => Ok((id.to_owned(), code.to_owned())),
        _ => bail!("creating an invitation: {body}"),
    }
}

/// How many buttons labelled `label` the page shows now.
async fn buttons(browser: &Browser, label: &str) -> Result<usize> {
    Ok(browser.driver().find_all(By::XPath(format!("//button[normalize-space()='{label}']"))).await?.len())
}

#[tokio::test]
async fn a_reopened_invitation_says_what_became_of_it() -> Result<()> {
    let server = Server::start().await?;
    let contoso = server.sign_in("sales@contoso.demo").await?;
    let proseware = server.sign_in("globaladmin@proseware.demo").await?;
    let (_, accepted) = create(&server, &contoso, json!({ "audience": "ANY_CUSTOMER" })).await?;
    let body = server
        .graphql(
            Some(&proseware),
            "mutation($c: String!) { acceptInvitation(input: {code: $c}) { customer { name } } }",
            json!({ "c": accepted }),
        )
        .await?;
    assert!(body["errors"].is_null(), "{body}");
    let (revoked_id, revoked) = create(&server, &contoso, json!({ "audience": "ANY_CUSTOMER" })).await?;
    server
        .graphql(
            Some(&contoso),
            "mutation($i: ID!) { revokeInvitation(input: {id: $i}) { invitation { id } } }",
            json!({ "i": revoked_id }),
        )
        .await?;
    let (_, expired) = create(&server, &contoso, json!({ "audience": "ANY_CUSTOMER" })).await?;
    let db = database(&server).await?;
    sqlx::query("update invitation set created_at = now() - interval '91 days', expires_at = now() - interval '1 day' where code = $1")
        .bind(&expired)
        .execute(&db)
        .await?;

    // Reopened after accepting: no second Accept, a way to what it created.
    let customer = Browser::start("invitation-states").await?;
    customer.open(&server, &format!("/invitations/{accepted}")).await?;
    customer.sign_in("globaladmin@proseware.demo", DEMO_PASSWORD).await?;
    customer.wait_text("h1", "Invitation accepted").await?;
    // The date is written the viewer's way (Intl: "Nov 27, 2026"), so only what precedes it is fixed.
    customer.wait_text("p", "You accepted this invitation from Contoso Cloud Direct on ").await?;
    customer.element(By::LinkText("See your relationship with Contoso Cloud Direct")).await?;
    assert_eq!(buttons(&customer, "Accept").await?, 0, "no Accept on an accepted invitation");
    assert_eq!(buttons(&customer, "Decline").await?, 0);
    customer.shot("01-accepted").await?;

    // Revoked: it does not read like an invitation, and says what to do.
    customer.open(&server, &format!("/invitations/{revoked}")).await?;
    customer.wait_text("h1", "Invitation revoked").await?;
    customer.wait_text("p", "This invitation was revoked by Contoso Cloud Direct on ").await?;
    customer.wait_text("p", "ask them for a new invitation").await?;
    assert_eq!(buttons(&customer, "Accept").await?, 0, "no Accept on a revoked invitation");
    customer.shot("02-revoked").await?;

    // Expired.
    customer.open(&server, &format!("/invitations/{expired}")).await?;
    customer.wait_text("h1", "Invitation expired").await?;
    customer.wait_text("p", "expired on ").await?;
    assert_eq!(buttons(&customer, "Accept").await?, 0, "no Accept on an expired invitation");
    customer.shot("03-expired").await?;
    customer.quit().await?;
    Ok(())
}

#[tokio::test]
async fn the_invitations_form_answers_where_it_is_asked() -> Result<()> {
    let server = Server::start().await?;
    let fabrikam = server.sign_in("admin@fabrikam.demo").await?;
    // A long list, so the new row starts out of sight; one of them revoked.
    let mut first = None;
    for n in 0..14 {
        let (id, _) = create(
            &server,
            &fabrikam,
            json!({ "audience": "ANY_CUSTOMER", "message": format!("Older link {n}") }),
        )
        .await?;
        first.get_or_insert(id);
    }
    server
        .graphql(
            Some(&fabrikam),
            "mutation($i: ID!) { revokeInvitation(input: {id: $i}) { invitation { id } } }",
            json!({ "i": first }),
        )
        .await?;
    let count = || async {
        let body = server.graphql(Some(&fabrikam), "{ invitations { totalCount } }", json!({})).await?;
        Ok::<_, anyhow::Error>(body["data"]["invitations"]["totalCount"].as_i64().unwrap_or(-1))
    };
    let before = count().await?;

    let browser = Browser::start("invitations-form").await?;
    let d = browser.driver();
    browser.open(&server, "/invitations").await?;
    browser.sign_in("admin@fabrikam.demo", DEMO_PASSWORD).await?;
    browser.wait_text("h2", "New invitation").await?;

    // The revoked row offers no link to send.
    let revoked_row = "//tr[contains(., 'Older link 0')]";
    browser.wait_text(revoked_row, "revoked").await?;
    browser.wait_text(revoked_row, "The link no longer works.").await?;
    let copy = d.find_all(By::XPath(format!("{revoked_row}//button[normalize-space()='Copy link']"))).await?;
    assert!(copy.is_empty(), "Copy link offered on a revoked invitation");

    // Auto-extension with no role: refused in words at the field, nothing created.
    let form = "//form[@aria-label='New invitation']";
    browser.tick(form, "Auto-extend").await?;
    browser.click_button("Create invitation").await?;
    browser.wait_text("#inv-delegated-error", "tick at least one role").await?;
    // With a role, a custom length must make sense (1 day to 2 years), and is picked, not typed as ISO.
    browser.tick(form, "Support").await?;
    browser.choose("inv-duration", "Another length…").await?;
    let amount = d.find(By::Id("inv-duration-amount")).await?;
    amount.clear().await?;
    amount.send_keys("30").await?;
    browser.choose("inv-duration-unit", "years").await?;
    browser.click_button("Create invitation").await?;
    browser.wait_text("#inv-delegated-error", "30 years is not a length from 1 day to 2 years").await?;
    let field = d.find(By::Id("inv-duration")).await?;
    assert_eq!(field.attr("aria-invalid").await?.as_deref(), Some("true"));
    browser.shot("01-incomplete-delegated-rights").await?;
    assert_eq!(count().await?, before, "a half-filled section created nothing");

    // Completed: the success shows at the form, announced, and the new row is brought into view.
    browser.choose("inv-duration", "180 days").await?;
    browser.choose("inv-service", "Office 365").await?;
    browser.fill("inv-message", "Scroll me into view").await?;
    browser.click_button("Create invitation").await?;
    browser.wait_text("form [aria-live=polite]", "Invitation created").await?;
    let row = "//tr[contains(@class, 'highlight') and contains(., 'Scroll me into view')]";
    browser.wait_text(row, "relationship + support for Office 365").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = d
            .execute(
                "const r = document.querySelector('tr.highlight'); if (!r) return false; \
                 const b = r.getBoundingClientRect(); return b.top >= -2 && b.bottom <= window.innerHeight + 2;",
                vec![],
            )
            .await?
            .convert::<bool>()?;
        if seen {
            break;
        }
        if Instant::now() > deadline {
            browser.shot("failed-new-row-out-of-view").await?;
            bail!("the new invitation's row is not in view");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.shot("02-created-in-view").await?;
    assert_eq!(count().await?, before + 1);
    browser.quit().await?;
    Ok(())
}

#[tokio::test]
async fn an_unused_partnership_link_expires() -> Result<()> {
    let server = Server::start().await?;
    let fabrikam = server.sign_in("admin@fabrikam.demo").await?;
    let body = server
        .graphql(Some(&fabrikam), "mutation { invitePartnerReseller { partnership { id code } } }", json!({}))
        .await?;
    let code = body["data"]["invitePartnerReseller"]["partnership"]["code"].as_str().unwrap().to_owned();
    // Thirty-one days later, nobody having used it.
    let db = database(&server).await?;
    sqlx::query("update reseller_partnership set created_at = created_at - interval '31 days', expires_at = expires_at - interval '31 days' where code = $1")
        .bind(&code)
        .execute(&db)
        .await?;

    let reseller = Browser::start("partnership-expired").await?;
    reseller.open(&server, &format!("/partnerships/{code}")).await?;
    reseller.sign_in("admin@tailspin.demo", DEMO_PASSWORD).await?;
    reseller.click_button("Accept partnership").await?;
    reseller.wait_text("[role=alert]", "expired unused").await?;
    reseller.wait_text("[role=alert]", "ask the provider for a new one").await?;
    reseller.wait_text("p", "This link can no longer be accepted.").await?;
    assert_eq!(buttons(&reseller, "Accept partnership").await?, 0);
    reseller.shot("01-expired-link").await?;
    reseller.quit().await?;
    Ok(())
}
