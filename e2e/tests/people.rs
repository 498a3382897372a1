//! People and sign-in in a real browser: multi-factor enrolment with the code computed from the
//! key the page shows, signing in with a code and with a recovery code (once), an admin
//! requiring MFA for the organization, creating a user, changing its roles and deactivating it
//! (its open session stops at once), the token form's expiry and read-only, a revoked token's
//! secret leaving the screen, and the sign-in error in one sentence.

use anyhow::{Context, Result, bail};
use e2e::{Browser, DEMO_PASSWORD, Server, WAIT};
use serde_json::json;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use thirtyfour::prelude::*;

/// The 6-digit code an authenticator app shows for `secret` (base32) at this moment, and its
/// 30-second step.
fn totp_now(secret: &str) -> Result<(String, u64)> {
    let bytes = totp_rs::Secret::try_from_base32(secret.trim()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let totp = totp_rs::Builder::new()
        .with_secret(bytes.as_bytes().to_vec())
        .build()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    Ok((totp.generate(now).to_string(), now / 30))
}

/// A code of a later step than `used` (a code is accepted once: wait for the next one).
async fn fresh_code(secret: &str, used: u64) -> Result<String> {
    loop {
        let (code, step) = totp_now(secret)?;
        if step > used {
            return Ok(code);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Waits until nothing matches `by` (the element left the page).
async fn wait_gone(browser: &Browser, by: By, what: &str) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    while !browser.driver().find_all(by.clone()).await?.is_empty() {
        if Instant::now() > deadline {
            bail!("{what} is still shown after {} s", WAIT.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn text_of(browser: &Browser, by: By) -> Result<String> {
    Ok(browser.element(by).await?.text().await?)
}

async fn sign_out(browser: &Browser) -> Result<()> {
    browser.click_button("Sign out").await?;
    browser.element(By::Id("email")).await.context("the sign-in form after signing out")?;
    Ok(())
}

#[tokio::test]
async fn a_person_signs_in_with_a_second_factor_and_an_admin_requires_it() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start("people-mfa").await?;
    let d = browser.driver();
    let email = "admin@northwind.demo";

    // A wrong password reads as one sentence.
    browser.open(&server, "/sign-in").await?;
    browser.sign_in(email, "not the password").await?;
    browser.wait_text("[role=alert]", "Wrong email or password").await?;
    assert_eq!(text_of(&browser, By::Css("[role=alert]")).await?, "Wrong email or password.");
    browser.shot("01-sign-in-error-sentence").await?;

    // Enrol: the page shows a QR code and the key; the code computed from the key confirms it.
    browser.open(&server, "/account").await?;
    browser.sign_in(email, DEMO_PASSWORD).await?;
    browser.wait_text("h1", "Your account").await?;
    browser.click_button("Set up multi-factor sign-in").await?;
    let secret = text_of(&browser, By::Id("mfa-secret")).await?;
    browser.element(By::Css("img[alt='QR code for your authenticator app']")).await?;
    browser.shot("02-enrolment-qr-code").await?;
    let (code, enrolled_step) = totp_now(&secret)?;
    browser.fill("mfa-code", &code).await?;
    browser.click_button("Turn on multi-factor sign-in").await?;
    browser.wait_text("#recovery-codes", "-").await?;
    let codes: Vec<String> = {
        let mut v = Vec::new();
        for li in d.find_all(By::Css("#recovery-codes li")).await? {
            v.push(li.text().await?);
        }
        v
    };
    assert_eq!(codes.len(), 10, "{codes:?}");
    browser.wait_text("#mfa-state", "On.").await?;
    browser.shot("03-recovery-codes").await?;

    // Signing in now asks for a code; a recovery code works once.
    sign_out(&browser).await?;
    browser.open(&server, "/sign-in").await?;
    browser.sign_in(email, DEMO_PASSWORD).await?;
    browser.fill("sign-in-code", &codes[0]).await?;
    browser.shot("04-second-step").await?;
    d.find(By::Css("form button[type=submit]")).await?.click().await?;
    browser.wait_text("header", email).await?;
    sign_out(&browser).await?;
    browser.open(&server, "/sign-in").await?;
    browser.sign_in(email, DEMO_PASSWORD).await?;
    browser.fill("sign-in-code", &codes[0]).await?;
    d.find(By::Css("form button[type=submit]")).await?.click().await?;
    browser.wait_text("[role=alert]", "Wrong code, or a code that was already used.").await?;
    browser.shot("05-recovery-code-used-twice").await?;

    // The app's next code signs in.
    let code = fresh_code(&secret, enrolled_step).await?;
    let field = browser.element(By::Id("sign-in-code")).await?;
    field.clear().await?;
    field.send_keys(&code).await?;
    d.find(By::Css("form button[type=submit]")).await?.click().await?;
    browser.wait_text("header", email).await?;
    browser.shot("06-signed-in-with-a-code").await?;

    // The admin requires it for the organization; a colleague without it must enrol first.
    d.find(By::LinkText("People")).await?.click().await?;
    browser.wait_text("table", "helpdesk@northwind.demo").await?;
    browser.click_button("Require multi-factor sign-in for everyone").await?;
    browser.wait_text("[role=status]", "Multi-factor sign-in is now required").await?;
    browser.wait_text("#mfa-policy", "Required for everyone").await?;
    browser.shot("07-required").await?;
    browser.quit().await?;

    let colleague = Browser::start("people-mfa-colleague").await?;
    colleague.open(&server, "/sign-in").await?;
    colleague.sign_in("helpdesk@northwind.demo", DEMO_PASSWORD).await?;
    colleague.wait_text("#mfa-needed", "Your organization requires multi-factor sign-in").await?;
    colleague.wait_text("h1", "Your account").await?;
    colleague.open(&server, "/subscriptions").await?;
    colleague.wait_text("[role=alert]", "set it up on your account page first").await?;
    colleague.shot("08-colleague-must-enrol").await?;
    colleague.quit().await?;
    Ok(())
}

#[tokio::test]
async fn an_admin_creates_a_user_changes_its_roles_and_deactivation_ends_its_session() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start("people-admin").await?;
    let d = browser.driver();
    browser.open(&server, "/users").await?;
    browser.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    browser.wait_text("table", "helpdesk@contoso.demo").await?;
    let form = "//form[@aria-label='New user']";
    browser.fill("user-email", "newhire@contoso.demo").await?;
    browser.fill("user-name", "New Hire").await?;
    browser.tick(form, "sales agent").await?;
    browser.click_button("Create user").await?;
    browser.wait_text("[role=status]", "Created newhire@contoso.demo.").await?;
    let password = text_of(&browser, By::Id("generated-password")).await?;
    browser.wait_text("table", "newhire@contoso.demo").await?;
    browser.shot("01-created").await?;

    // The new person signs in (an open session elsewhere).
    let body = server
        .graphql(
            None,
            "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
            json!({ "i": { "email": "newhire@contoso.demo", "password": password } }),
        )
        .await?;
    let session = body["data"]["signIn"]["token"].as_str().context("the new user signs in")?.to_owned();
    let roles = "{ viewer { roles } }";
    assert_eq!(
        server.graphql(Some(&session), roles, json!({})).await?["data"]["viewer"]["roles"],
        json!(["SALES_AGENT"])
    );

    // Roles change in the row.
    let row = "//tr[contains(., 'newhire@contoso.demo')]";
    browser.tick(row, "helpdesk agent").await?;
    browser.click_in("tr", "newhire@contoso.demo", "Save roles").await?;
    browser.wait_text("[role=status]", "Saved the roles of newhire@contoso.demo.").await?;
    browser.shot("02-roles-changed").await?;
    assert_eq!(
        server.graphql(Some(&session), roles, json!({})).await?["data"]["viewer"]["roles"],
        json!(["HELPDESK_AGENT", "SALES_AGENT"])
    );

    // Deactivating ends the open session at once.
    browser.click_in("tr", "newhire@contoso.demo", "Deactivate").await?;
    browser.wait_text("[role=status]", "Deactivated newhire@contoso.demo").await?;
    browser.wait_text(row, "deactivated").await?;
    browser.shot("03-deactivated").await?;
    let after = server.graphql(Some(&session), roles, json!({})).await?;
    assert_eq!(after["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{after}");
    // And signing in is refused, in words.
    let refused = server
        .graphql(
            None,
            "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
            json!({ "i": { "email": "newhire@contoso.demo", "password": password } }),
        )
        .await?;
    assert!(
        refused["errors"][0]["message"].as_str().unwrap_or_default().contains("deactivated"),
        "{refused}"
    );

    // The admin's own row offers no Deactivate.
    browser.wait_text("//tr[contains(., 'admin@contoso.demo')]", "Another admin can deactivate you.").await?;
    d.find(By::LinkText("Account")).await?.click().await?;
    browser.wait_text("h2", "Change your password").await?;
    browser.quit().await?;
    Ok(())
}

#[tokio::test]
async fn the_token_form_offers_expiry_and_read_only_and_forgets_a_revoked_secret() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start("people-tokens").await?;
    browser.open(&server, "/tokens").await?;
    browser.sign_in("admin@fabrikam.demo", DEMO_PASSWORD).await?;
    browser.wait_text("h1", "API tokens").await?;
    // 90 days unless another lifetime is picked.
    let chosen = browser.element(By::Css("#token-expiry option:checked")).await?.text().await?;
    assert_eq!(chosen, "90 days");
    browser.fill("token-name", "nightly export").await?;
    browser.choose("token-expiry", "30 days").await?;
    browser.tick("//form[@aria-label='New API token']", "Read-only").await?;
    browser.click_button("Create token").await?;
    let secret = text_of(&browser, By::Id("token-secret")).await?;
    browser.wait_text("//tr[contains(., 'nightly export')]", "read-only").await?;
    browser.shot("01-token-created").await?;

    // The token works, may only read, and ends in 30 days.
    let me = server
        .graphql(Some(&secret), "{ viewer { readOnly } apiTokens { nodes { name expiresAt } } }", json!({}))
        .await?;
    assert_eq!(me["data"]["viewer"]["readOnly"], true, "{me}");
    let expires = me["data"]["apiTokens"]["nodes"][0]["expiresAt"].as_str().unwrap_or_default().to_owned();
    let days = days_from_now(&expires)?;
    assert!((29..=30).contains(&days), "expires in {days} days");
    // The day as the browser's Intl writes it in English ("Dec 27, 2026"; the browser runs in UTC).
    let day = chrono::DateTime::parse_from_rfc3339(&expires)?.to_utc().format("%b %-d, %Y").to_string();
    browser.wait_text("//tr[contains(., 'nightly export')]", &day).await?;

    // Revoking it takes the secret off the screen.
    browser.click_in("tr", "nightly export", "Revoke").await?;
    browser.click_button("Yes, revoke").await?;
    wait_gone(&browser, By::Id("token-secret"), "the revoked token's secret").await?;
    browser.wait_text("//tr[contains(., 'nightly export')]", "revoked").await?;
    browser.shot("02-token-revoked").await?;
    browser.quit().await?;
    Ok(())
}

/// Whole days from now until an RFC 3339 instant.
fn days_from_now(at: &str) -> Result<i64> {
    let at = chrono::DateTime::parse_from_rfc3339(at)?;
    Ok((at.to_utc() - chrono::Utc::now()).num_hours() / 24)
}
