//! `cargo xtask bench [--scale tiny|small|medium|large] [--only SHAPE] [--seconds N]`
//!
//! One run, one database: a private PostgreSQL (or `DATABASE_URL`), the demo data plus data
//! generated in SQL at the chosen scale (e2e/bench/generate.sql), then every shape against
//! Multichannel, against PostGraphile 5 (the peer) and against pgbench replaying the SQL our
//! server sent (the ceiling), at 1, 8 and 64 connections. Prints the table and writes the
//! scale's section of BENCHMARKS.md.

mod ceiling;
mod feed;
mod load;
mod metrics;
mod peer;
mod report;
mod shapes;

use anyhow::{Context, Result, bail};
use e2e::{PrivatePg, Server};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Tiny,
    Small,
    Medium,
    Large,
}

impl Scale {
    fn parse(s: &str) -> Result<Scale> {
        Ok(match s {
            "tiny" => Scale::Tiny,
            "small" => Scale::Small,
            "medium" => Scale::Medium,
            "large" => Scale::Large,
            _ => bail!("--scale is tiny, small, medium or large"),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Scale::Tiny => "tiny",
            Scale::Small => "small",
            Scale::Medium => "medium",
            Scale::Large => "large",
        }
    }

    /// (customers, partners, subscriptions)
    pub fn size(self) -> (u32, u32, u32) {
        match self {
            Scale::Tiny => (60, 12, 300),
            Scale::Small => (1_000, 100, 10_000),
            Scale::Medium => (10_000, 1_000, 100_000),
            Scale::Large => (100_000, 5_000, 1_000_000),
        }
    }
}

pub struct Options {
    pub scale: Scale,
    pub only: Option<String>,
    pub seconds: f64,
    pub connections: Vec<u32>,
    pub peer: bool,
    pub write_report: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        scale: Scale::Small,
        only: None,
        seconds: 5.0,
        connections: vec![1, 8, 64],
        peer: true,
        write_report: true,
    };
    let mut args = std::env::args().skip(1);
    let mut seconds_given = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scale" => o.scale = Scale::parse(&args.next().context("--scale needs a value")?)?,
            "--only" => o.only = Some(args.next().context("--only needs a shape")?),
            "--seconds" => {
                o.seconds = args.next().context("--seconds needs a value")?.parse()?;
                seconds_given = true;
            }
            "--no-peer" => o.peer = false,
            "--no-report" => o.write_report = false,
            _ => bail!("unknown argument {a}; see e2e/src/bin/bench/main.rs"),
        }
    }
    // A run of some shapes does not replace the scale's section of BENCHMARKS.md (a run of
    // the feed writes the scale's feed section instead).
    if o.only.is_some() {
        o.write_report = false;
    }
    if o.scale == Scale::Tiny {
        // The harness check in `cargo xtask test`: every part runs once, briefly.
        if !seconds_given {
            o.seconds = 1.0;
        }
        o.connections = vec![4];
        o.write_report = false;
    }
    Ok(o)
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("e2e lives in the workspace").to_path_buf()
}

/// Runs a SQL file with psql, stopping at the first error.
pub fn psql(url: &str, file: &Path, vars: &[(&str, String)]) -> Result<()> {
    let mut cmd = Command::new("psql");
    cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1"]);
    for (k, v) in vars {
        cmd.arg("-v").arg(format!("{k}={v}"));
    }
    cmd.arg("-f").arg(file).arg(url);
    let out = cmd.output().context("running psql")?;
    if !out.status.success() {
        bail!("psql -f {} failed: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Where the database is: a private cluster (with pg_stat_statements and statement logging
/// we can read), or the caller's.
pub struct Database {
    pub cluster: Option<PrivatePg>,
    pub admin_url: String,
    pub url: String,
}

impl Database {
    async fn start(scale: Scale) -> Result<Database> {
        let name = format!("mc_bench_{}", scale.name());
        let (cluster, admin_url) = match std::env::var("DATABASE_URL") {
            Ok(url) => (None, url),
            Err(_) => {
                // Durable (fsync on, as in production); sized for the machine (24 GiB here).
                let pg = PrivatePg::start_with(
                    "-c shared_preload_libraries=pg_stat_statements -c max_connections=200 \
                     -c shared_buffers=2GB -c effective_cache_size=8GB -c maintenance_work_mem=512MB \
                     -c max_wal_size=8GB -c checkpoint_timeout=30min -c log_line_prefix='%m [%p] %a '",
                )
                .await?;
                let url = pg.url("postgres");
                (Some(pg), url)
            }
        };
        let admin = sqlx::PgPool::connect(&admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("drop database if exists {name} with (force)")))
            .execute(&admin)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}"))).execute(&admin).await?;
        admin.close().await;
        let mut url = reqwest::Url::parse(&admin_url)?;
        url.set_path(&name);
        Ok(Database { cluster, admin_url, url: url.to_string() })
    }

    /// The peer's connection: the restricted role setup.sql creates.
    fn peer_url(&self) -> Result<String> {
        let mut url = reqwest::Url::parse(&self.url)?;
        url.set_username("bench_peer").map_err(|_| anyhow::anyhow!("bad URL"))?;
        url.set_password(Some("bench_peer")).map_err(|_| anyhow::anyhow!("bad URL"))?;
        Ok(url.to_string())
    }
}

/// Memory after the load and after a burst of 64 concurrent sign-ins (wrong passwords, as an
/// attacker sends them): password hashing is the server's largest allocation.
fn sign_in_burst(server: &Server, o: &Options, work: &Path) -> Result<String> {
    let before = metrics::rss_mib(server.pid());
    let requests: Vec<load::Request> = (0..64)
        .map(|i| load::Request {
            body: serde_json::json!({
                "query": "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
                "variables": { "i": { "email": format!("burst{i}@example.test"), "password": "not-the-password" } },
            })
            .to_string(),
            token: String::new(),
        })
        .collect();
    let seconds = if o.scale == Scale::Tiny { 1.0 } else { 4.0 };
    let run = tokio::task::block_in_place(|| {
        load::run(&server.base, "/graphql", &requests, "signIn", false, 64, seconds, work)
    })?;
    let after = metrics::rss_mib(server.pid());
    let peak = metrics::peak_rss_mib(server.pid());
    Ok(format!(
        "Server memory: {before:.0} MiB RSS after every shape; {after:.0} MiB after a {seconds:.0} s burst of 64 \
         concurrent wrong-password sign-ins ({} answered, all refused as they should be); peak (VmHWM) over the \
         whole run {peak:.0} MiB.",
        run.good + run.bad
    ))
}

/// Vacuums and checkpoints after a bulk load: otherwise autovacuum works through a million
/// new rows during the first measurements (its CPU showed up as the book's).
pub async fn settle(pool: &sqlx::PgPool) -> Result<()> {
    sqlx::query("vacuum (analyze)").execute(pool).await?;
    sqlx::query("checkpoint").execute(pool).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let started = Instant::now();
    let o = options()?;
    let root = root();
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work)?;
    let (customers, partners, subscriptions) = o.scale.size();

    eprintln!("==> database");
    let db = Database::start(o.scale).await?;
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(4).connect(&db.url).await?;
    // Our server migrates and loads the demo data; then the generator adds the scale's data.
    // Webhooks go to the feed bench's receiver on loopback.
    let server =
        Server::start_with_args(&db.url, &["--job-interval-secs", "0", "--webhook-allow-private-urls"])
            .await?;
    eprintln!("==> generating {customers} customers, {partners} partners, {subscriptions} subscriptions");
    let t = Instant::now();
    psql(
        &db.url,
        &root.join("e2e/bench/generate.sql"),
        &[
            ("customers", customers.to_string()),
            ("partners", partners.to_string()),
            ("subscriptions", subscriptions.to_string()),
        ],
    )?;
    let generated_in = t.elapsed();
    eprintln!(
        "    generated in {generated_in:.1?}; vacuuming, so autovacuum does not run during the measurements"
    );
    settle(&pool).await?;
    let has_statements =
        sqlx::query("create extension if not exists pg_stat_statements").execute(&pool).await.is_ok()
            && sqlx::query("select pg_stat_statements_reset()").execute(&pool).await.is_ok();
    if !has_statements {
        eprintln!("    pg_stat_statements is not loaded: statement counts are left out");
    }

    let mut peer = None;
    if o.peer {
        eprintln!("==> PostGraphile 5 (the peer)");
        peer::install(&root)?;
        peer::setup(&root, &db.url)?;
        let mut p = peer::Peer::start(&root, &db.peer_url()?, 16)?;
        p.wait_ready().await?;
        peer = Some(p);
    }

    eprintln!("==> preparing the shapes");
    let mut fixtures = shapes::Fixtures::load(&root, &pool, &server, peer.as_ref()).await?;
    fixtures.prepare_writes(&o, &pool, &db.url).await?;
    let mut results = Vec::new();
    let mut plans = Vec::new();
    for shape in shapes::all(&fixtures) {
        if o.only.as_deref().is_some_and(|only| only != shape.name) {
            continue;
        }
        eprintln!("==> {} ({})", shape.name, shape.title);
        let (measured, plan) =
            shapes::measure(&o, &shape, &server, peer.as_ref(), &db, &pool, has_statements, &work).await?;
        results.extend(measured);
        if let Some(plan) = plan {
            plans.push((shape.name.clone(), plan));
        }
    }
    let feed_figures = if o.only.as_deref().is_none_or(|s| s == "feed") {
        feed::measure(&o, &fixtures, &server, &pool, &db, &work).await?
    } else {
        String::new()
    };
    let memory = sign_in_burst(&server, &o, &work)?;
    let table = report::table(&results);
    println!("\n{table}");
    let summary = format!("{}\n{memory}\n\n{feed_figures}\n", report::summary(&results));
    println!("{summary}");
    if o.write_report {
        let section = report::section(
            &o,
            &fixtures,
            &results,
            &plans,
            &table,
            &summary,
            generated_in,
            started.elapsed(),
        )?;
        report::write(&root.join("BENCHMARKS.md"), o.scale, &section)?;
        eprintln!("wrote the {} section of BENCHMARKS.md", o.scale.name());
    }
    if o.only.as_deref() == Some("feed") && o.scale != Scale::Tiny {
        let section = report::feed_section(&o, &feed_figures, started.elapsed());
        let name = format!("{} · feed", o.scale.name());
        report::write_named(&root.join("BENCHMARKS.md"), &name, &section)?;
        eprintln!("wrote the {name} section of BENCHMARKS.md");
    }
    let bad: u64 = results.iter().map(|r| r.run.bad).sum();
    let mismatched: Vec<&str> =
        results.iter().filter(|r| r.same_answer == Some(false)).map(|r| r.shape.as_str()).collect();
    drop(peer);
    drop(server);
    if bad > 0 {
        bail!("{bad} responses failed their checks (see above)");
    }
    if !mismatched.is_empty() {
        bail!("the peer answered differently for {mismatched:?}");
    }
    Ok(())
}
