//! `cargo xtask app-bench`: the shipped size of the web app (wasm + js + css; raw, gzip -9 and
//! brotli q11) and the time from navigation to the rendered partner home (the book's first
//! row) in headless Chromium on loopback, with an empty cache and with a warm one.
//!
//! Timing is taken in the page: a script injected before any of the app's own code records
//! `performance.now()` (milliseconds since navigation start) when the first row appears.

use anyhow::{Context, Result, bail};
use e2e::{Browser, DEMO_PASSWORD, Server};
use serde_json::json;
use std::io::Write;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

/// Records when the partner home has rendered its first customer row.
const PROBE: &str = r#"
new MutationObserver((_, observer) => {
  if (document.querySelector('main table tbody tr')) {
    window.__renderedAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"#;

fn gzip(bytes: &[u8]) -> Result<usize> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes)?;
    Ok(e.finish()?.len())
}

fn brotli(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes)?;
    }
    Ok(out.len())
}

fn sizes() -> Result<()> {
    let dist =
        std::env::var("MULTICHANNEL_DIST").context("MULTICHANNEL_DIST: run `cargo xtask app-bench`")?;
    println!("Shipped size ({dist}):");
    println!("{:<6} {:>10} {:>10} {:>10}", "", "raw", "gzip -9", "brotli 11");
    let mut total = [0usize; 3];
    for ext in ["wasm", "js", "css"] {
        let mut row = [0usize; 3];
        for entry in std::fs::read_dir(&dist)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == ext) {
                let bytes = std::fs::read(&path)?;
                row[0] += bytes.len();
                row[1] += gzip(&bytes)?;
                row[2] += brotli(&bytes)?;
            }
        }
        if row[0] == 0 {
            bail!("no .{ext} file in {dist}: build the app first");
        }
        println!("{ext:<6} {:>10} {:>10} {:>10}", row[0], row[1], row[2]);
        for i in 0..3 {
            total[i] += row[i];
        }
    }
    println!("{:<6} {:>10} {:>10} {:>10}", "total", total[0], total[1], total[2]);
    Ok(())
}

fn summary(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label:<22} runs {:>3}  min {:>7.1}  median {:>7.1}  p90 {:>7.1}  max {:>7.1} ms",
        ms.len(),
        ms[0],
        at(0.5),
        at(0.9),
        ms[ms.len() - 1]
    );
}

async fn rendered_at(browser: &Browser) -> Result<f64> {
    let deadline = Instant::now() + e2e::WAIT;
    loop {
        let v = browser.driver().execute("return window.__renderedAt || null;", vec![]).await?;
        if let Some(ms) = v.json().as_f64() {
            return Ok(ms);
        }
        if Instant::now() > deadline {
            bail!("the partner home did not render within {} s", e2e::WAIT.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    sizes()?;
    let server = Server::start().await?;
    let browser = Browser::start("app-bench").await?;
    let d = browser.driver();
    // Signed in once through the form; the session stays in localStorage like a user's.
    d.goto(server.url("/")).await?;
    browser.sign_in("admin@northwind.demo", DEMO_PASSWORD).await?;
    browser.wait_text("table", "Woodgrove Bank").await?;

    let cdp = d.cdp();
    cdp.send_raw("Page.addScriptToEvaluateOnNewDocument", json!({ "source": PROBE })).await?;
    cdp.send_raw("Network.enable", json!({})).await?;
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for run in 0..RUNS + 2 {
        cdp.send_raw("Network.clearBrowserCache", json!({})).await?;
        d.goto(server.url("/")).await?;
        let c = rendered_at(&browser).await?;
        d.goto(server.url("/")).await?;
        let w = rendered_at(&browser).await?;
        // The first two rounds warm the server and the database.
        if run >= 2 {
            cold.push(c);
            warm.push(w);
        }
    }
    println!("\nNavigation to the rendered partner home (Northwind's book), headless Chromium, loopback:");
    summary("empty cache", cold);
    summary("warm cache", warm);
    browser.quit().await?;
    Ok(())
}
