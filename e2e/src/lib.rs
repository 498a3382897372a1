//! End-to-end harness: the real release binary on a free port with its own database and the
//! demo data, and headless Chromium driven through chromedriver. `cargo xtask test` builds the
//! binary and the app and sets MULTICHANNEL_BIN, MULTICHANNEL_DIST and DATABASE_URL.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;
use thirtyfour::{ChromiumLikeCapabilities, DesiredCapabilities};

mod pg;
pub use pg::PrivatePg;

pub const DEMO_PASSWORD: &str = "e2e-demo-password";

/// How long a test waits for what a user would see; generous, as CI runs on two busy cores.
pub const WAIT: Duration = Duration::from_secs(30);

fn required_env(name: &str) -> Result<String> {
    std::env::var(name)
        .with_context(|| format!("{name} is not set: run the end-to-end tests with `cargo xtask test`"))
}

/// A CSS selector, or an XPath when it starts with `//`.
fn selector(s: &str) -> By {
    if s.starts_with("//") { By::XPath(s.to_owned()) } else { By::Css(s.to_owned()) }
}

pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running `multichannel serve --demo`, stopped on drop.
pub struct Server {
    child: Child,
    pub base: String,
    pub database: String,
}

impl Server {
    pub async fn start() -> Result<Server> {
        Server::start_with_flags(&[]).await
    }

    /// A server on a fresh database of its own, with more `serve` flags.
    pub async fn start_with_flags(args: &[&str]) -> Result<Server> {
        let admin_url = required_env("DATABASE_URL")?;
        // A database of its own, so tests never see each other's data.
        let database = format!("e2e_{}", uuid::Uuid::new_v4().simple());
        let admin = sqlx::PgPool::connect(&admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {database}"))).execute(&admin).await?;
        admin.close().await;
        let mut url = reqwest::Url::parse(&admin_url)?;
        url.set_path(&database);
        Server::start_with_args(url.as_str(), args).await
    }

    /// The server on a database the caller provides (and may take away, as `PrivatePg` does).
    pub async fn start_with_database_url(database_url: &str) -> Result<Server> {
        Server::start_with_args(database_url, &[]).await
    }

    /// Like [`Server::start_with_database_url`], with more `serve` flags.
    pub async fn start_with_args(database_url: &str, args: &[&str]) -> Result<Server> {
        let bin = required_env("MULTICHANNEL_BIN")?;
        let dist = required_env("MULTICHANNEL_DIST")?;
        let database = reqwest::Url::parse(database_url)?.path().trim_start_matches('/').to_owned();
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(bin)
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--static-dir", &dist])
            .args(args)
            .env("DATABASE_URL", database_url)
            .env("MULTICHANNEL_DEMO_PASSWORD", DEMO_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .context("starting the server")?;
        let mut server = Server { child, base, database };
        server.wait_healthy().await?;
        Ok(server)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running (not exited, not killed).
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The server's resident memory (VmRSS from /proc), in bytes.
    pub fn rss_bytes(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .context("reading the server's /proc status")?;
        let kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .context("no VmRSS in the server's /proc status")?;
        Ok(kib * 1024)
    }

    async fn wait_healthy(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = reqwest::Client::new();
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited early with {status}");
            }
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not become ready within 60 s")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// One GraphQL call over HTTP, as a third party would make it.
    pub async fn graphql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: serde_json::Value,
    ) -> Result<serde_json::Value> {
        let mut req = reqwest::Client::new()
            .post(self.url("/graphql"))
            .json(&serde_json::json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Ok(req.send().await?.json().await?)
    }

    pub async fn sign_in(&self, email: &str) -> Result<String> {
        let body = self
            .graphql(
                None,
                "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
                serde_json::json!({ "i": { "email": email, "password": DEMO_PASSWORD } }),
            )
            .await?;
        body["data"]["signIn"]["token"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("sign-in failed: {body}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Headless Chromium through a chromedriver of its own, with a fresh profile; quit on drop.
pub struct Browser {
    pub driver: Option<WebDriver>,
    chromedriver: Child,
    profile: PathBuf,
    shots: PathBuf,
}

impl Browser {
    pub async fn start(name: &str) -> Result<Browser> {
        Self::launch(name, None).await
    }

    /// A browser whose user reads `lang` (a BCP 47 tag such as "zh-CN"): its UI language, the
    /// `Accept-Language` it sends and `navigator.languages` all say so.
    pub async fn start_with_language(name: &str, lang: &str) -> Result<Browser> {
        Self::launch(name, Some(lang)).await
    }

    async fn launch(name: &str, lang: Option<&str>) -> Result<Browser> {
        let port = free_port()?;
        let chromedriver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting /usr/bin/chromedriver (apt: chromium-driver)")?;
        let profile = std::env::temp_dir().join(format!("mc-e2e-profile-{}", uuid::Uuid::new_v4().simple()));
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium")?;
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--disable-crash-reporter",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg)?;
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.display()))?;
        if let Some(lang) = lang {
            caps.add_arg(&format!("--lang={lang}"))?;
            caps.add_arg(&format!("--accept-lang={lang}"))?;
            caps.add_experimental_option("prefs", serde_json::json!({ "intl.accept_languages": lang }))?;
        }
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let driver = loop {
            match WebDriver::new(&url, caps.clone()).await {
                Ok(d) => break d,
                Err(e) if Instant::now() > deadline => return Err(e.into()),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("screenshots").join(name);
        std::fs::create_dir_all(&shots)?;
        Ok(Browser { driver: Some(driver), chromedriver, profile, shots })
    }

    pub fn driver(&self) -> &WebDriver {
        self.driver.as_ref().expect("the browser is running")
    }

    /// Saves a screenshot of the page into e2e/screenshots/<test>/<step>.png (git ignores it).
    pub async fn shot(&self, step: &str) -> Result<()> {
        self.driver().screenshot(&self.shots.join(format!("{step}.png"))).await?;
        Ok(())
    }

    /// Waits (polling) until an element matching `css` (or an XPath, when it starts with `//`)
    /// shows `text`. Elements replaced while being read (the page re-rendering or navigating)
    /// are simply read again on the next poll.
    pub async fn wait_text(&self, css: &str, text: &str) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(elements) = self.driver().find_all(selector(css)).await {
                for e in elements {
                    if e.text().await.is_ok_and(|t| t.contains(text)) {
                        return Ok(());
                    }
                }
            }
            if Instant::now() > deadline {
                // What the user would have seen when the wait gave up.
                let _ =
                    self.shot(&format!("failed-{}", css.replace(|c: char| !c.is_alphanumeric(), "_"))).await;
                bail!("waited {} s for {css:?} showing {text:?}", WAIT.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn quit(mut self) -> Result<()> {
        if let Some(d) = self.driver.take() {
            d.quit().await?;
        }
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A test that failed before `quit`. thirtyfour would end the session with a blocking
        // call that hangs for two minutes on the tests' current-thread runtime, and killing
        // chromedriver alone leaves Chromium running: forget the session, and kill Chromium by
        // its profile (every one of its processes names it), then chromedriver.
        if let Some(driver) = self.driver.take() {
            std::mem::forget(driver);
            let profile = format!("user-data-dir={}", self.profile.display());
            let _ = Command::new("pkill").args(["-KILL", "-f", &profile]).status();
        }
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Browser {
    /// Signs in through the app's form (already on a page that shows it).
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<()> {
        let d = self.driver();
        let email_input = d
            .query(By::Id("email"))
            .wait(WAIT, Duration::from_millis(100))
            .first()
            .await
            .context("the sign-in form")?;
        email_input.send_keys(email).await?;
        d.find(By::Id("password")).await?.send_keys(password).await?;
        d.find(By::Css("form button[type=submit]")).await?.click().await?;
        Ok(())
    }

    /// Clicks the button labelled `label` once it is shown.
    pub async fn click_button(&self, label: &str) -> Result<()> {
        let button = self
            .driver()
            .query(By::XPath(format!("//button[normalize-space()='{label}']")))
            .wait(WAIT, Duration::from_millis(100))
            .first()
            .await
            .with_context(|| format!("the button {label:?}"))?;
        button.click().await?;
        Ok(())
    }

    /// The button labelled `label`.
    pub async fn button(&self, label: &str) -> Result<WebElement> {
        Ok(self
            .driver()
            .query(By::XPath(format!("//button[normalize-space()='{label}']")))
            .wait(WAIT, Duration::from_millis(100))
            .first()
            .await?)
    }
}

impl Browser {
    /// Picks the option showing `text` in the select with id `select`.
    pub async fn choose(&self, select: &str, text: &str) -> Result<()> {
        self.driver()
            .query(By::XPath(format!("//select[@id='{select}']/option[normalize-space()='{text}']")))
            .wait(WAIT, Duration::from_millis(100))
            .first()
            .await
            .with_context(|| format!("the option {text:?} of #{select}"))?
            .click()
            .await?;
        Ok(())
    }

    /// The element at `by`, once it is shown.
    pub async fn element(&self, by: By) -> Result<WebElement> {
        let what = format!("{by:?}");
        self.driver()
            .query(by)
            .wait(WAIT, Duration::from_millis(100))
            .first()
            .await
            .with_context(|| format!("waited {} s for {what}", WAIT.as_secs()))
    }

    /// Types `text` into the field with id `id`.
    pub async fn fill(&self, id: &str, text: &str) -> Result<()> {
        self.element(By::Id(id)).await?.send_keys(text).await?;
        Ok(())
    }

    /// Ticks the checkbox whose label contains `label`, inside the element matching `scope` (XPath).
    pub async fn tick(&self, scope: &str, label: &str) -> Result<()> {
        self.driver()
            .find(By::XPath(format!("{scope}//label[contains(., '{label}')]/input")))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Clicks the button labelled `label` in the table row (or other element) that contains `text`.
    pub async fn click_in(&self, element: &str, text: &str, label: &str) -> Result<()> {
        self.driver()
            .query(By::XPath(format!(
                "//{element}[contains(., '{text}')]//button[normalize-space()='{label}']"
            )))
            .wait(WAIT, Duration::from_millis(100))
            .first()
            .await
            .with_context(|| format!("the button {label:?} in the {element} showing {text:?}"))?
            .click()
            .await?;
        Ok(())
    }

    /// Goes to a path of the app (with the browser's current origin).
    pub async fn open(&self, server: &Server, path: &str) -> Result<()> {
        self.driver().goto(server.url(path)).await?;
        Ok(())
    }

    /// Whether the page is wider than the window (something would need sideways scrolling).
    pub async fn overflows_sideways(&self) -> Result<bool> {
        let r = self
            .driver()
            .execute(
                "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
                vec![],
            )
            .await?;
        Ok(r.convert::<bool>()?)
    }
}

impl Browser {
    /// Waits (polling) until no element matching `css` shows `text` any more, and one is shown.
    pub async fn wait_text_gone(&self, css: &str, text: &str) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(elements) = self.driver().find_all(selector(css)).await
                && !elements.is_empty()
            {
                let mut seen = false;
                let mut readable = true;
                for e in elements {
                    match e.text().await {
                        Ok(t) => seen |= t.contains(text),
                        Err(_) => readable = false,
                    }
                }
                if readable && !seen {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                let _ = self
                    .shot(&format!("failed-gone-{}", css.replace(|c: char| !c.is_alphanumeric(), "_")))
                    .await;
                bail!("waited {} s for {css:?} to stop showing {text:?}", WAIT.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
