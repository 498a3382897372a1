//! The developer workflow: `cargo xtask run | test | schema`. Each command installs what it
//! needs from the registries (cargo, npm, apt) and starts a private PostgreSQL when
//! `DATABASE_URL` is not set.

mod pg;
mod tools;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build everything in release and serve the app with demo data.
    Run {
        /// Port to serve on.
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    /// Everything CI checks: formatting, clippy, unit, integration and end-to-end tests.
    Test,
    /// Regenerate the checked-in schema.graphql.
    Schema,
    /// Measure the web app: shipped size and time to the rendered partner home in Chromium.
    AppBench,
    /// Benchmark the API against PostGraphile 5 and pgbench on generated data; writes BENCHMARKS.md.
    Bench {
        /// tiny (the harness check), small, medium or large (a million subscriptions).
        #[arg(long, default_value = "small")]
        scale: String,
        /// Only this shape (trivial, book, book_deep, operator_book, channel_map, subscriptions,
        /// accept_invitation, create_subscription).
        #[arg(long)]
        only: Option<String>,
        /// Seconds per run.
        #[arg(long)]
        seconds: Option<f64>,
        /// Leave PostGraphile out.
        #[arg(long)]
        no_peer: bool,
    },
    /// Install the toolchain pieces only.
    Setup,
}

fn main() -> Result<()> {
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match Cli::parse().command {
        Cmd::Run { port } => run(&root, port),
        Cmd::Test => test(&root),
        Cmd::Schema => schema(&root),
        Cmd::AppBench => app_bench(&root),
        Cmd::Bench { scale, only, seconds, no_peer } => bench(&root, &scale, only, seconds, no_peer),
        Cmd::Setup => tools::ensure_all(&root, true),
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

pub fn step(what: &str) {
    eprintln!("\n==> {what}");
}

pub fn sh(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The SPA, built by trunk in release into frontend/dist.
fn build_frontend(root: &Path) -> Result<()> {
    step("building the web app (trunk build --release)");
    let mut cmd = Command::new(tools::trunk_bin());
    cmd.args(["build", "--release"])
        .current_dir(root.join("frontend"))
        .env("PATH", tools::path_with_tools(root));
    // trunk passes its own flags to cargo; keep the host's RUSTFLAGS out of the wasm build.
    cmd.env_remove("RUSTFLAGS");
    sh(&mut cmd)
}

fn build_server_release() -> Result<()> {
    step("building the server (cargo build --release)");
    sh(cargo().args(["build", "--release", "-p", "multichannel", "--bin", "multichannel"]))
}

fn run(root: &Path, port: u16) -> Result<()> {
    let started = Instant::now();
    tools::ensure_all(root, false)?;
    build_frontend(root)?;
    build_server_release()?;

    let (database_url, cluster) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            step("starting the private PostgreSQL in .data/pg");
            let cluster = pg::Cluster::start(&root.join(".data/pg"), pg::Durability::Durable)?;
            cluster.ensure_database("multichannel")?;
            (cluster.url("multichannel"), Some(cluster))
        }
    };

    let password = std::env::var("MULTICHANNEL_DEMO_PASSWORD").unwrap_or_else(|_| "multichannel-demo".into());
    let listen = format!("127.0.0.1:{port}");
    step(&format!("starting the server on {listen}"));
    let mut server = Command::new(root.join("target/release/multichannel"))
        .args(["serve", "--demo", "--listen", &listen])
        .arg("--static-dir")
        .arg(root.join("frontend/dist"))
        .env("DATABASE_URL", &database_url)
        .env("MULTICHANNEL_DEMO_PASSWORD", &password)
        .spawn()
        .context("starting target/release/multichannel")?;

    // Ctrl-C reaches the whole process group; the server shuts down gracefully on it, and
    // we wait for that, then stop PostgreSQL.
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let interrupted = interrupted.clone();
        let pid = server.id();
        ctrlc::set_handler(move || {
            if !interrupted.swap(true, Ordering::SeqCst) {
                let _ = Command::new("kill").args(["-INT", &pid.to_string()]).status();
            }
        })?;
    }

    if wait_ready(port, &mut server, Duration::from_secs(60)) {
        let base = format!("http://127.0.0.1:{port}");
        println!("\nMultichannel is running (ready in {:.0?}).", started.elapsed());
        println!("  App:      {base}/");
        println!("  GraphiQL: {base}/graphiql");
        println!("  API:      {base}/graphql");
        println!("\nDemo sign-ins (password for all: {password}):");
        match pg::demo_sign_ins(&database_url) {
            Ok(lines) => lines.iter().for_each(|l| println!("  {l}")),
            Err(e) => eprintln!("  (could not list them: {e:#})"),
        }
        println!("\nPress Ctrl-C to stop the server and the private PostgreSQL.");
    }
    let status = server.wait()?;
    if let Some(cluster) = cluster {
        step("stopping the private PostgreSQL");
        cluster.stop()?;
    }
    if !status.success() && !interrupted.load(Ordering::SeqCst) {
        bail!("the server exited with {status}");
    }
    Ok(())
}

/// Polls /healthz until it answers (or the server exits).
fn wait_ready(port: u16, server: &mut std::process::Child, timeout: Duration) -> bool {
    use std::io::{Read, Write};
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = server.try_wait() {
            return false;
        }
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    tools::ensure_all(root, true)?;

    step("cargo fmt --check");
    sh(cargo().args(["fmt", "--all", "--", "--check"]))?;

    step("graphql-schema-linter: every type, field, argument and enum value of schema.graphql is described");
    sh(Command::new(tools::schema_linter(root))
        .args(["--rules", tools::SCHEMA_LINT_RULES])
        .arg(root.join("schema.graphql")))?;

    build_frontend(root)?;

    step("cargo clippy (warnings denied)");
    sh(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;

    build_server_release()?;

    step("cargo test (unit, integration against PostgreSQL, end-to-end)");
    let result = with_database(root, |database_url| {
        sh(cargo()
            .args(["test", "--workspace", "--all-targets"])
            .env("DATABASE_URL", database_url)
            .env("MULTICHANNEL_BIN", root.join("target/release/multichannel"))
            .env("MULTICHANNEL_DIST", root.join("frontend/dist"))
            .env("PATH", tools::path_with_tools(root)))
    });
    result?;
    eprintln!("\nAll checks passed in {:.0?}.", started.elapsed());
    Ok(())
}

/// Runs `f` with `DATABASE_URL`, or with a throw-away private cluster started for it.
fn with_database(root: &Path, f: impl FnOnce(&str) -> Result<()>) -> Result<()> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return f(&url);
    }
    step("starting a throw-away PostgreSQL");
    let dir = root.join(format!("target/xtask/pg-test-{}", std::process::id()));
    let cluster = pg::Cluster::start(&dir, pg::Durability::Throwaway)?;
    let result = f(&cluster.url("postgres"));
    cluster.stop()?;
    cluster.remove()?;
    result
}

fn app_bench(root: &Path) -> Result<()> {
    tools::ensure_all(root, true)?;
    build_frontend(root)?;
    build_server_release()?;
    step("measuring the web app (e2e/src/bin/app_bench.rs)");
    with_database(root, |database_url| {
        sh(cargo()
            .args(["run", "--release", "--quiet", "-p", "e2e", "--bin", "app_bench"])
            .env("DATABASE_URL", database_url)
            .env("MULTICHANNEL_BIN", root.join("target/release/multichannel"))
            .env("MULTICHANNEL_DIST", root.join("frontend/dist"))
            .env("PATH", tools::path_with_tools(root)))
    })
}

fn bench(root: &Path, scale: &str, only: Option<String>, seconds: Option<f64>, no_peer: bool) -> Result<()> {
    tools::ensure_all(root, false)?;
    tools::ensure_bench_tools()?;
    build_frontend(root)?;
    build_server_release()?;
    step(&format!("benchmarking at scale {scale} (e2e/src/bin/bench)"));
    let mut cmd = cargo();
    cmd.args(["run", "--release", "--quiet", "-p", "e2e", "--bin", "bench", "--", "--scale", scale]);
    if let Some(only) = only {
        cmd.args(["--only", &only]);
    }
    if let Some(seconds) = seconds {
        cmd.args(["--seconds", &seconds.to_string()]);
    }
    if no_peer {
        cmd.arg("--no-peer");
    }
    // The bench starts its own PostgreSQL (with pg_stat_statements) unless DATABASE_URL is set.
    sh(cmd
        .env("MULTICHANNEL_BIN", root.join("target/release/multichannel"))
        .env("MULTICHANNEL_DIST", root.join("frontend/dist"))
        .env("PATH", tools::path_with_tools(root)))
}

fn schema(root: &Path) -> Result<()> {
    let out = cargo().args(["run", "--quiet", "-p", "multichannel", "--", "schema"]).output()?;
    if !out.status.success() {
        bail!("multichannel schema failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    std::fs::write(root.join("schema.graphql"), out.stdout)?;
    eprintln!("wrote schema.graphql");
    Ok(())
}
