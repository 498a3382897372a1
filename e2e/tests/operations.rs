//! Operations: `/metrics` on its own listener with bounded labels, request ids, and the
//! Export button saving the filtered subscriptions as a CSV file.

use anyhow::Result;
use e2e::{Browser, DEMO_PASSWORD, Server, free_port};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn metrics_are_scraped_with_bounded_labels() -> Result<()> {
    let metrics = format!("127.0.0.1:{}", free_port()?);
    let server = Server::start_with_flags(&["--metrics-listen", &metrics, "--log-format", "json"]).await?;
    let http = reqwest::Client::new();
    let token = server.sign_in("admin@contoso.demo").await?;
    let book = "query Book($first: Int) { customers(first: $first) { totalCount } }";
    let resp = http
        .post(server.url("/graphql"))
        .bearer_auth(&token)
        .header("x-request-id", "e2e-trace-42")
        .json(&json!({ "query": book, "operationName": "Book", "variables": { "first": 5 } }))
        .send()
        .await?;
    assert_eq!(resp.headers()["x-request-id"], "e2e-trace-42", "the request id comes back");
    http.get(server.url("/customers/Q3VzdG9tZXI6raw-id-in-url")).send().await?;
    http.get(server.url("/export/audit.csv?q=raw-query-text")).send().await?;
    let csv = http.get(server.url("/export/subscriptions.csv")).bearer_auth(&token).send().await?;
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await?.contains("Coho Azure plan"));

    let text = http.get(format!("http://{metrics}/metrics")).send().await?.text().await?;
    for series in [
        "multichannel_http_requests_total{route=\"/graphql\",method=\"POST\",status=\"200\"}",
        "multichannel_http_requests_total{route=\"spa\",method=\"GET\",status=\"200\"}",
        "multichannel_http_requests_total{route=\"/export/audit.csv\",method=\"GET\",status=\"401\"}",
        "multichannel_graphql_operations_total{operation=\"Book\",outcome=\"ok\"}",
        "multichannel_graphql_operations_total{operation=\"anonymous\",outcome=\"ok\"}",
        "multichannel_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.1\"}",
        "multichannel_db_pool_connections{state=\"in_use\"}",
        "multichannel_db_pool_connections{state=\"max\"} 16",
        "multichannel_export_rows_total{export=\"subscriptions\"} 3",
        "multichannel_job_step_runs_total{job=\"webhooks\",step=\"dispatch_and_deliver\"}",
    ] {
        assert!(text.contains(series), "missing {series} in\n{text}");
    }
    for raw in ["raw-id-in-url", "raw-query-text", "e2e-trace-42", "/customers/", token.as_str()] {
        assert!(!text.contains(raw), "{raw:?} must never be a label value");
    }
    // The main listener does not serve it.
    let main = http.get(server.url("/metrics")).send().await?;
    assert!(!main.text().await?.contains("multichannel_http_requests_total"));
    Ok(())
}

#[tokio::test]
async fn the_export_button_saves_the_filtered_list() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start("operations-export").await?;
    let d = browser.driver();
    let downloads = std::env::temp_dir().join(format!("mc-e2e-downloads-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&downloads)?;
    d.cdp()
        .send_raw(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": downloads.display().to_string() }),
        )
        .await?;
    d.goto(server.url("/subscriptions?q=Coho")).await?;
    browser.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    browser.wait_text("table", "Coho Office 365 E3").await?;
    browser.click_button("Export CSV").await?;
    let file = downloads.join("subscriptions.csv");
    let deadline = Instant::now() + Duration::from_secs(20);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            break text;
        }
        anyhow::ensure!(Instant::now() < deadline, "no download in {}", downloads.display());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(text.starts_with('\u{feff}'), "UTF-8 with a BOM");
    assert!(text.contains("Coho Office 365 E3") && text.contains("Coho Azure plan"), "{text}");
    assert!(!text.contains("Woodgrove"), "the search narrows the export as it narrows the list: {text}");
    browser.shot("01-exported").await?;
    let _ = std::fs::remove_dir_all(&downloads);
    browser.quit().await?;
    Ok(())
}
