//! Installing the toolchain pieces this project needs, from the registries only: rustup
//! components and targets, trunk, wasm-bindgen-cli and sqlx-cli from crates.io, wasm-opt (binaryen) and
//! GraphiQL's assets from npm, Chromium from Debian.

use crate::{sh, step};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
/// npm packages, pinned: wasm-opt for trunk, GraphiQL with the React it is built for, and the
/// schema linter with the graphql-js it runs on.
const NPM_PACKAGES: &[&str] = &[
    "binaryen@132.0.0",
    "graphiql@3.8.3",
    "react@18.3.1",
    "react-dom@18.3.1",
    "graphql-schema-linter@3.0.1",
    "graphql@16.15.0",
    // GraphiQL subscribes to the live feed over WebSocket with it (its UMD build, vendored).
    "graphql-ws@5.16.2",
];

/// The rules `cargo xtask test` holds schema.graphql to: everything is described.
pub const SCHEMA_LINT_RULES: &str = "fields-have-descriptions,types-have-descriptions,arguments-have-descriptions,\
enum-values-have-descriptions,input-object-values-have-descriptions";

/// The schema linter installed with the npm packages.
pub fn schema_linter(root: &Path) -> PathBuf {
    npm_dir(root).join("node_modules/.bin/graphql-schema-linter")
}

fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into())).join(".cargo")
    });
    home.join("bin")
}

pub fn trunk_bin() -> PathBuf {
    cargo_bin_dir().join("trunk")
}

fn npm_dir(root: &Path) -> PathBuf {
    root.join(".tools/npm")
}

/// PATH with our npm tools (wasm-opt) and cargo's bin first, so trunk finds what we installed.
pub fn path_with_tools(root: &Path) -> String {
    format!(
        "{}:{}:{}",
        npm_dir(root).join("node_modules/.bin").display(),
        cargo_bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn version_of(bin: &Path, arg: &str) -> Option<String> {
    let out = Command::new(bin).arg(arg).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).to_string())
}

/// A crate's version in Cargo.lock: wasm-bindgen-cli and sqlx-cli must match theirs exactly.
fn locked_version(root: &Path, name: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))?;
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == wanted
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    bail!("{name} is not in Cargo.lock")
}

pub fn ensure_all(root: &Path, for_tests: bool) -> Result<()> {
    ensure_rust(for_tests)?;
    ensure_trunk()?;
    ensure_wasm_bindgen(root)?;
    if for_tests {
        ensure_sqlx_cli(root)?;
    }
    ensure_npm(root)?;
    vendor_graphiql(root)?;
    if for_tests {
        ensure_chromium()?;
        ensure_bench_tools()?;
    }
    Ok(())
}

/// The benchmark's load generator (wrk) and the ceiling's pgbench and psql (Debian ships them
/// with PostgreSQL's packages; pg_stat_statements comes with the server).
pub fn ensure_bench_tools() -> Result<()> {
    let missing = |bin: &str| {
        !Command::new("sh").args(["-c", &format!("command -v {bin}")]).status().is_ok_and(|s| s.success())
    };
    let mut packages = Vec::new();
    if missing("wrk") {
        packages.push("wrk");
    }
    if missing("pgbench") || missing("psql") {
        packages.extend(["postgresql-client-15", "postgresql-15"]);
    }
    if missing("taskset") {
        packages.push("util-linux");
    }
    if packages.is_empty() {
        return Ok(());
    }
    step(&format!("installing {} (apt)", packages.join(", ")));
    apt_install(&packages)
}

fn ensure_rust(for_tests: bool) -> Result<()> {
    let targets = Command::new("rustup").args(["target", "list", "--installed"]).output()?;
    if !String::from_utf8_lossy(&targets.stdout).contains("wasm32-unknown-unknown") {
        step("adding the wasm32-unknown-unknown target");
        sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    if for_tests {
        let components = Command::new("rustup").args(["component", "list", "--installed"]).output()?;
        let installed = String::from_utf8_lossy(&components.stdout).to_string();
        for c in ["rustfmt", "clippy"] {
            if !installed.contains(c) {
                step(&format!("adding the {c} component"));
                sh(Command::new("rustup").args(["component", "add", c]))?;
            }
        }
    }
    Ok(())
}

fn ensure_trunk() -> Result<()> {
    if version_of(&trunk_bin(), "--version").is_some_and(|v| v.contains(TRUNK_VERSION)) {
        return Ok(());
    }
    step(&format!("installing trunk {TRUNK_VERSION} from crates.io (takes minutes, once)"));
    sh(Command::new("cargo").args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))
}

fn ensure_wasm_bindgen(root: &Path) -> Result<()> {
    let version = locked_version(root, "wasm-bindgen")?;
    let bin = cargo_bin_dir().join("wasm-bindgen");
    if version_of(&bin, "--version").is_some_and(|v| v.split_whitespace().nth(1) == Some(version.as_str())) {
        return Ok(());
    }
    step(&format!("installing wasm-bindgen-cli {version} from crates.io"));
    // Without --locked: its own lockfile pins a crate version the registry mirror lacks.
    sh(Command::new("cargo").args(["install", "--force", "wasm-bindgen-cli", "--version", &version]))
}

/// `cargo sqlx`, at the sqlx version in Cargo.lock, for checking the offline query data.
fn ensure_sqlx_cli(root: &Path) -> Result<()> {
    let version = locked_version(root, "sqlx")?;
    let bin = cargo_bin_dir().join("sqlx");
    if version_of(&bin, "--version").is_some_and(|v| v.split_whitespace().nth(1) == Some(version.as_str())) {
        return Ok(());
    }
    step(&format!("installing sqlx-cli {version} from crates.io (takes minutes, once)"));
    sh(Command::new("cargo").args([
        "install",
        "--locked",
        "sqlx-cli",
        "--version",
        &version,
        "--no-default-features",
        "--features",
        "postgres,rustls",
    ]))
}

fn ensure_npm(root: &Path) -> Result<()> {
    let dir = npm_dir(root);
    let stamp = dir.join("installed.txt");
    let wanted = NPM_PACKAGES.join(" ");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(());
    }
    step("installing wasm-opt (binaryen), GraphiQL and the schema linter from npm");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("package.json"), "{\"private\": true}\n")?;
    sh(Command::new("npm")
        .args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .args(NPM_PACKAGES))
    .context("npm install (is Node.js installed?)")?;
    std::fs::write(stamp, wanted)?;
    Ok(())
}

/// GraphiQL's files go where trunk copies them into the app's dist folder.
fn vendor_graphiql(root: &Path) -> Result<()> {
    let modules = npm_dir(root).join("node_modules");
    let target = root.join("frontend/vendor/graphiql");
    std::fs::create_dir_all(&target)?;
    for (from, to) in [
        ("graphiql/graphiql.min.js", "graphiql.min.js"),
        ("graphiql/graphiql.min.css", "graphiql.min.css"),
        ("react/umd/react.production.min.js", "react.production.min.js"),
        ("react-dom/umd/react-dom.production.min.js", "react-dom.production.min.js"),
        ("graphql-ws/umd/graphql-ws.min.js", "graphql-ws.min.js"),
    ] {
        std::fs::copy(modules.join(from), target.join(to)).with_context(|| format!("copying {from}"))?;
    }
    Ok(())
}

/// Chromium, its driver, and a CJK font: without one the Chinese pages' screenshots are boxes
/// (the text checks read the DOM and pass either way, which is why a person must see them).
fn ensure_chromium() -> Result<()> {
    const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
    let mut missing = Vec::new();
    if !(Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists()) {
        missing.extend(["chromium", "chromium-driver"]);
    }
    if !Path::new(CJK_FONT).exists() {
        missing.push("fonts-wqy-microhei");
    }
    if missing.is_empty() {
        return Ok(());
    }
    step(&format!("installing {} (apt)", missing.join(", ")));
    apt_install(&missing)
}

pub fn apt_install(packages: &[&str]) -> Result<()> {
    let sudo = !Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false);
    let apt = |args: &[&str]| {
        let mut c = if sudo { Command::new("sudo") } else { Command::new("apt-get") };
        if sudo {
            c.arg("apt-get");
        }
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    sh(&mut apt(&["update"]))?;
    let mut install = apt(&["install", "-y", "--no-install-recommends"]);
    install.args(packages);
    sh(&mut install)
}
