//! The real release binary, as a user and a third party meet it.

use anyhow::Result;
use e2e::{Browser, Server};
use serde_json::json;
use thirtyfour::prelude::*;

#[tokio::test]
async fn the_server_serves_the_app_graphiql_and_the_api() -> Result<()> {
    let server = Server::start().await?;
    let http = reqwest::Client::new();
    for route in ["/", "/customers/some-id", "/invitations/some-code"] {
        let r = http.get(server.url(route)).send().await?;
        assert!(r.status().is_success(), "{route}");
        assert!(r.text().await?.contains("<title>Multichannel</title>"), "{route} serves the app");
    }
    assert_eq!(http.get(server.url("/missing.js")).send().await?.status(), 404);
    // Browsers ask for /favicon.ico on every fresh load, of the app and of GraphiQL alike.
    let icon = http.get(server.url("/favicon.ico")).send().await?;
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/x-icon");
    assert!(icon.bytes().await?.starts_with(&[0, 0, 1, 0]), "an ICO file");
    for asset in
        ["graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"]
    {
        let r = http.get(server.url(&format!("/vendor/graphiql/{asset}"))).send().await?;
        assert!(r.status().is_success(), "{asset}");
    }
    let token = server.sign_in("admin@fabrikam.demo").await?;
    let body = server
        .graphql(Some(&token), "{ viewer { organization { name } } subscriptions { totalCount } }", json!({}))
        .await?;
    assert_eq!(body["data"]["viewer"]["organization"]["name"], "Fabrikam Distribution");
    assert_eq!(body["data"]["subscriptions"]["totalCount"], 2);
    Ok(())
}

#[tokio::test]
async fn graphiql_renders_offline_and_runs_a_query_with_the_signed_in_token() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start("graphiql").await?;
    let d = browser.driver();

    // Sign in through the app; the session is kept across a reload.
    d.goto(server.url("/")).await?;
    browser.wait_text("h1", "Sign in").await?;
    d.find(By::Id("email")).await?.send_keys("globaladmin@woodgrove.demo").await?;
    d.find(By::Id("password")).await?.send_keys(e2e::DEMO_PASSWORD).await?;
    browser.shot("01-sign-in").await?;
    d.find(By::Css("button[type=submit]")).await?.click().await?;
    browser.wait_text("header", "Woodgrove Bank").await?;
    browser.shot("02-signed-in").await?;
    d.refresh().await?;
    browser.wait_text("header", "Woodgrove Bank").await?;

    // GraphiQL: every script and style from this server (the browser has no internet).
    d.goto(server.url("/graphiql")).await?;
    let run = d
        .query(By::Css(".graphiql-execute-button"))
        .wait(std::time::Duration::from_secs(30), std::time::Duration::from_millis(100))
        .first()
        .await?;
    browser.shot("03-graphiql").await?;
    run.click().await?;
    // The result editor renders only the lines in view; read its whole text from CodeMirror.
    let deadline = std::time::Instant::now() + e2e::WAIT;
    loop {
        let text = d
            .execute(
                "const cm = document.querySelector('.result-window .CodeMirror'); return cm ? cm.CodeMirror.getValue() : '';",
                vec![],
            )
            .await?
            .convert::<String>()?;
        if text.contains("globaladmin@woodgrove.demo") {
            break;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "no result in GraphiQL: {text}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.shot("04-graphiql-result").await?;

    // And a way back to the app from GraphiQL.
    d.find(By::LinkText("← Back to Multichannel")).await?.click().await?;
    browser.wait_text("header", "Woodgrove Bank").await?;
    assert!(!d.current_url().await?.path().starts_with("/graphiql"));
    browser.quit().await?;
    Ok(())
}
