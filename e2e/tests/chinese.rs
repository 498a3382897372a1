//! Issue 13, Simplified Chinese: a browser whose user reads Chinese gets the app in Chinese on
//! the first visit (no switch touched). The main story in zh-CN, with screenshots: a partner
//! creates an invitation with a Chinese email, a customer accepts it, the partner sees it on the
//! invitations and delegated admin pages, dates written the Chinese way. Then the pages this part
//! converted show no English word outside an allowlist (names from the demo data, codes, ids).

use anyhow::{Result, bail, ensure};
use e2e::{Browser, DEMO_PASSWORD, Server};
use serde_json::json;
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;

/// Whether `text` has Chinese characters.
fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A date as Chinese readers write it: 2026年11月27日.
fn has_chinese_date(text: &str) -> bool {
    ["年", "月", "日"].iter().all(|c| text.contains(c))
}

/// The text of the first element matching `css` once it shows `needle`.
async fn text_of(browser: &Browser, css: &str, needle: &str) -> Result<String> {
    browser.wait_text(css, needle).await?;
    for e in browser.driver().find_all(By::Css(css)).await? {
        if let Ok(t) = e.text().await
            && t.contains(needle)
        {
            return Ok(t);
        }
    }
    bail!("{css:?} no longer shows {needle:?}")
}

#[tokio::test]
async fn the_main_story_in_chinese() -> Result<()> {
    let server = Server::start().await?;
    let partner = Browser::start_with_language("chinese-story", "zh-CN").await?;
    partner.open(&server, "/invitations").await?;
    // The first visit speaks Chinese: the browser asked for it, nothing was switched.
    partner.wait_text("h1", "登录").await?;
    partner.shot("zh-01-sign-in").await?;
    partner.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    partner.wait_text("h1", "邀请").await?;
    partner.wait_text("form h2", "新建邀请").await?;

    // A link for any customer, asking for support rights, with its email in Chinese (the form
    // picks the viewer's language; chosen again here as a partner would).
    partner.tick("//form", "支持").await?;
    partner.choose("inv-language", "简体中文").await?;
    partner.fill("inv-message", "您好，期待与贵公司合作。").await?;
    partner.shot("zh-02-new-invitation").await?;
    partner.click_button("创建邀请").await?;
    partner.wait_text("[role=status]", "邀请已创建").await?;
    let row = text_of(&partner, "tr.highlight", "待处理").await?;
    ensure!(has_chinese_date(&row), "the new row's dates are Chinese: {row}");
    ensure!(row.contains("个月后") || row.contains("天后"), "the expiry says how far away it is: {row}");
    let url = partner.element(By::Css("tr.highlight code.link")).await?.text().await?;
    partner.shot("zh-03-created").await?;

    // The email the partner copies is Chinese and carries the link.
    let token = server.sign_in("admin@contoso.demo").await?;
    let body = server
        .graphql(Some(&token), "{ invitations(first: 100) { nodes { url emailText language } } }", json!({}))
        .await?;
    let nodes = body["data"]["invitations"]["nodes"].as_array().cloned().unwrap_or_default();
    let Some(inv) = nodes.iter().find(|i| i["url"] == json!(url)) else {
        bail!("the new invitation: {body}")
    };
    let email = inv["emailText"].as_str().unwrap_or_default();
    ensure!(inv["language"] == "ZH_CN", "{body}");
    ensure!(
        has_chinese(email) && email.contains("邀请您") && email.contains(&url) && has_chinese_date(email),
        "{email}"
    );

    // A Chinese-speaking customer opens the link and accepts.
    let customer = Browser::start_with_language("chinese-story-customer", "zh-CN").await?;
    let path = url.find("/invitations/").map(|at| &url[at..]).unwrap_or(&url);
    customer.open(&server, path).await?;
    customer.wait_text("p", "您收到了一份邀请").await?;
    customer.sign_in("globaladmin@proseware.demo", DEMO_PASSWORD).await?;
    customer.wait_text("h1", "Contoso Cloud Direct 邀请您").await?;
    customer.wait_text("h2", "接受后将").await?;
    customer.wait_text("li", "将成为您的直接经销商").await?;
    customer.wait_text("li", "委派管理员权限").await?;
    let waiting = text_of(&customer, "p", "链接有效期至").await?;
    ensure!(has_chinese_date(&waiting), "{waiting}");
    customer.shot("zh-04-landing").await?;
    customer.click_button("接受").await?;
    customer.wait_text("h2", "渠道图").await?;
    customer.wait_text("li", "Contoso Cloud Direct").await?;
    customer.shot("zh-05-accepted").await?;
    customer.quit().await?;

    // The partner sees the acceptance on the invitations page and the rights on the delegated
    // admin page, with Chinese dates and how far away the end is.
    partner.open(&server, "/invitations").await?;
    partner.wait_text("tbody", "1 个已接受").await?;
    partner.shot("zh-06-invitations").await?;
    partner.open(&server, "/delegated-admin").await?;
    partner.wait_text("h1", "委派管理员权限").await?;
    let rights = text_of(&partner, "tbody tr", "Proseware").await?;
    ensure!(has_chinese_date(&rights) && rights.contains('后'), "the end reads the Chinese way: {rights}");
    partner.shot("zh-07-delegated-admin").await?;
    partner.quit().await?;
    Ok(())
}

/// Words that may stay as they are in a Chinese page: names from the demo data (companies,
/// products, people's addresses), codes and the languages' own names.
const ALLOWED: &[&str] = &[
    // Demo users' display names (demo data, as given).
    "admin",
    "operator",
    // The webhooks page names the scheme and its headers, which are code: "Standard Webhooks",
    // `webhook-id`, `webhook-timestamp`, `webhook-signature`, and `https` URLs.
    "Standard",
    "Webhooks",
    "webhook",
    "id",
    "timestamp",
    "signature",
    "https",
    // Companies and their domains.
    "Contoso",
    "Cloud",
    "Direct",
    "Fabrikam",
    "Distribution",
    "Northwind",
    "Resellers",
    "Tailspin",
    "Solutions",
    "Adatum",
    "Advisory",
    "Litware",
    "Advisors",
    "Woodgrove",
    "Bank",
    "Proseware",
    "Vianet",
    "demo",
    "com",
    "cn",
    "Alpine",
    "Ski",
    "House",
    "Coho",
    "Winery",
    "Fourth",
    "Coffee",
    "Margie",
    "Travel",
    // Products, services, offers and the subscriptions named after them.
    "Office",
    "Dynamics",
    "Sales",
    "Enterprise",
    "Power",
    "BI",
    "Pro",
    "Azure",
    "plan",
    "E1",
    "E3",
    // Codes and acronyms.
    "CSP",
    "API",
    "GraphQL",
    "MFA",
    "TOTP",
    "ID",
    "URL",
    "CSV",
    // The email language's options show each language's own name.
    "English",
    // The product's own name and its API explorer, in the header.
    "Multichannel",
    "GraphiQL",
    // Partner Center China writes "Webhook" as it is (Webhook 终结点).
    "Webhook",
    "HTTP",
];

/// Names people gave things in the demo data (delegated admin relationships), shown as given.
const GIVEN_NAMES: &[&str] = &["Woodgrove Office support", "Woodgrove Dynamics admin", "Alpine provisioning"];

/// The English words the whole page shows now (header, menus, main, footer): ASCII words of 2+
/// letters outside the allowlist, links and emails removed.
async fn english_words(browser: &Browser) -> Result<Vec<String>> {
    let text =
        browser.driver().execute("return document.body.innerText;", vec![]).await?.convert::<String>()?;
    let text = GIVEN_NAMES.iter().fold(text, |t, name| t.replace(name, " "));
    let mut found = Vec::new();
    for token in text.split_whitespace() {
        // Links, emails, domains, ids and link codes (letters mixed with digits) are not words.
        let coded =
            token.chars().any(|c| c.is_ascii_digit()) && token.chars().any(|c| c.is_ascii_alphabetic());
        let domain = token.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).contains('.');
        if token.contains("://") || token.contains('@') || token.contains('/') || coded || domain {
            continue;
        }
        for word in token.split(|c: char| !c.is_ascii_alphabetic()) {
            let has_lower = word.chars().any(|c| c.is_ascii_lowercase());
            if word.len() >= 2
                && !ALLOWED.contains(&word)
                && (has_lower || word.len() > 4) // short upper-case codes (E3, BI, CN) are names
                && !found.contains(&word.to_owned())
            {
                found.push(word.to_owned());
            }
        }
    }
    Ok(found)
}

/// A webhook receiver on loopback that answers every delivery 204.
async fn receiver() -> Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/multichannel", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    Ok(url)
}

/// Opens `path`, waits until `ready` shows in `css`, and returns the English words it shows.
async fn visit(
    browser: &Browser,
    server: &Server,
    path: &str,
    css: &str,
    ready: &str,
) -> Result<Vec<String>> {
    browser.open(server, path).await?;
    browser.wait_text(css, ready).await?;
    // The lists load after the heading: wait until nothing says it is loading.
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.element(By::Css("main")).await?.text().await?.contains("正在加载")
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    english_words(browser).await
}

#[tokio::test]
async fn chinese_pages_show_no_english_words() -> Result<()> {
    let server = Server::start().await?;
    let contoso = server.sign_in("admin@contoso.demo").await?;
    let ids = server
        .graphql(
            Some(&contoso),
            "{ subscriptions(first: 1) { edges { node { id customer { id } } } } }",
            json!({}),
        )
        .await?;
    let node = &ids["data"]["subscriptions"]["edges"][0]["node"];
    let (subscription, customer) = (
        node["id"].as_str().unwrap_or_default().to_owned(),
        node["customer"]["id"].as_str().unwrap_or_default().to_owned(),
    );
    let created = server
        .graphql(
            Some(&contoso),
            "mutation { createInvitation(input: {audience: ANY_CUSTOMER, language: ZH_CN}) { invitation { code } } }",
            json!({}),
        )
        .await?;
    let code =
        created["data"]["createInvitation"]["invitation"]["code"].as_str().unwrap_or_default().to_owned();
    ensure!(!subscription.is_empty() && !code.is_empty(), "demo data: {ids} {created}");

    let browser = Browser::start_with_language("chinese-words", "zh-CN").await?;
    browser.open(&server, "/sign-in").await?;
    browser.wait_text("h1", "登录").await?;
    let mut failures = Vec::new();
    let mut check = |route: &str, words: Vec<String>| {
        if !words.is_empty() {
            failures.push(format!("{route}: {}", words.join(", ")));
        }
    };
    check("/sign-in", english_words(&browser).await?);
    browser.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    browser.wait_text("header", "admin@contoso.demo").await?;
    let (customer_page, subscription_page, landing) = (
        format!("/customers/{customer}"),
        format!("/subscriptions/{subscription}"),
        format!("/invitations/{code}"),
    );
    let partner_routes = [
        ("/invitations", "h1", "邀请"),
        ("/delegated-admin", "h1", "委派管理员权限"),
        ("/subscriptions", "h1", "订阅"),
        ("/relationships", "h1", "经销商关系"),
        ("/partnerships", "h1", "合作关系"),
        (customer_page.as_str(), "h2", "渠道图"),
        (subscription_page.as_str(), "h2", "操作"),
        ("/no-such-page", "h1", "找不到页面"),
    ];
    for (path, css, ready) in partner_routes {
        check(path, visit(&browser, &server, path, css, ready).await?);
    }
    browser.shot("zh-partner-pages").await?;
    browser.quit().await?;

    // A customer's own pages (its channel map is its home).
    let browser = Browser::start_with_language("chinese-words-customer", "zh-CN").await?;
    browser.open(&server, "/sign-in").await?;
    browser.sign_in("globaladmin@woodgrove.demo", DEMO_PASSWORD).await?;
    browser.wait_text("header", "globaladmin@woodgrove.demo").await?;
    let mut check = |route: &str, words: Vec<String>| {
        if !words.is_empty() {
            failures.push(format!("customer {route}: {}", words.join(", ")));
        }
    };
    for (path, css, ready) in [
        ("/", "h2", "渠道图"),
        ("/delegated-admin", "h1", "委派管理员权限"),
        ("/relationships", "h1", "经销商关系"),
        ("/subscriptions", "h1", "订阅"),
        (landing.as_str(), "h1", "邀请您"),
    ] {
        check(path, visit(&browser, &server, path, css, ready).await?);
    }
    browser.shot("zh-customer-pages").await?;
    browser.quit().await?;
    ensure!(failures.is_empty(), "English words on Chinese pages:\n{}", failures.join("\n"));
    Ok(())
}

/// Waits until the page has no "loading" left (lists load after their heading).
async fn settled(browser: &Browser) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.element(By::Css("body")).await?.text().await?.contains("正在加载")
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::test]
async fn the_audit_log_notifications_and_webhooks_show_no_english_words() -> Result<()> {
    let hook_url = receiver().await?;
    let server = Server::start_with_flags(&["--webhook-allow-private-urls"]).await?;
    let contoso = server.sign_in("admin@contoso.demo").await?;
    // Events of several kinds: an invitation, a webhook endpoint and a test delivery to it.
    server
        .graphql(
            Some(&contoso),
            "mutation { createInvitation(input: {audience: ANY_CUSTOMER, language: ZH_CN}) { invitation { id } } }",
            json!({}),
        )
        .await?;
    let hook = server
        .graphql(
            Some(&contoso),
            "mutation($url: String!) { createWebhookEndpoint(input: {url: $url}) { endpoint { id } } }",
            json!({ "url": hook_url }),
        )
        .await?;
    let hook_id =
        hook["data"]["createWebhookEndpoint"]["endpoint"]["id"].as_str().unwrap_or_default().to_owned();
    ensure!(!hook_id.is_empty(), "a webhook endpoint: {hook}");
    let sent = server
        .graphql(
            Some(&contoso),
            "mutation($id: ID!) { sendTestWebhook(id: $id) { id } }",
            json!({ "id": hook_id }),
        )
        .await?;
    ensure!(sent["errors"].is_null(), "a test delivery: {sent}");

    let mut failures = Vec::new();
    let browser = Browser::start_with_language("chinese-audit-partner", "zh-CN").await?;
    browser.open(&server, "/sign-in").await?;
    browser.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    browser.wait_text("header", "admin@contoso.demo").await?;
    let mut check = |route: &str, words: Vec<String>| {
        if !words.is_empty() {
            failures.push(format!("partner {route}: {}", words.join(", ")));
        }
    };
    check("/audit", visit(&browser, &server, "/audit", "h1", "审核日志").await?);
    browser.wait_text("main", "已创建邀请").await?;
    check("/audit", english_words(&browser).await?);
    browser.shot("zh-audit-partner").await?;
    // A search in Chinese words finds the invitation events.
    browser.open(&server, "/audit?q=%E9%82%80%E8%AF%B7").await?;
    browser.wait_text("main", "已创建邀请").await?;
    settled(&browser).await?;
    ensure!(
        !browser.element(By::Css("main")).await?.text().await?.contains("已登录"),
        "the search 邀请 shows only invitation events"
    );
    check("/audit?q=邀请", english_words(&browser).await?);
    // The notifications menu, open.
    browser.element(By::Id("notifications-button")).await?.click().await?;
    browser.wait_text("#notifications-panel", "邀请").await?;
    check("notifications menu", english_words(&browser).await?);
    browser.shot("zh-notifications-open").await?;
    browser.element(By::Id("notifications-button")).await?.click().await?;
    // The webhooks page with an endpoint and its delivery.
    check("/settings/webhooks", visit(&browser, &server, "/settings/webhooks", "main", "127.0.0.1").await?);
    browser.shot("zh-webhooks").await?;
    for (path, ready) in [("/support", "支持请求"), ("/delegated-admin", "委派管理员权限")] {
        check(path, visit(&browser, &server, path, "h1", ready).await?);
        browser.shot(&format!("zh-{}", path.trim_start_matches('/'))).await?;
    }
    browser.quit().await?;

    // The operator reads everyone's log.
    let browser = Browser::start_with_language("chinese-audit-operator", "zh-CN").await?;
    browser.open(&server, "/sign-in").await?;
    browser.sign_in("operator@21vianet.demo", DEMO_PASSWORD).await?;
    browser.wait_text("header", "operator@21vianet.demo").await?;
    let words = visit(&browser, &server, "/audit", "h1", "审核日志").await?;
    if !words.is_empty() {
        failures.push(format!("operator /audit: {}", words.join(", ")));
    }
    browser.shot("zh-audit-operator").await?;
    browser.quit().await?;
    ensure!(failures.is_empty(), "English words on Chinese pages:\n{}", failures.join("\n"));
    Ok(())
}
