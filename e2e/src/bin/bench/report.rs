//! The table, the ratios the targets are stated in, and BENCHMARKS.md (one section per scale,
//! replaced when that scale runs again).

use crate::shapes::{Fixtures, Measured};
use crate::{Options, Scale};

use anyhow::Result;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("–".to_owned(), |v| format!("{v:.digits$}"))
}

pub fn table(results: &[Measured]) -> String {
    let mut t = String::from(
        "| shape | server | conns | req/s | p50 ms | p99 ms | bad | SQL/req | rows/req | server CPU ms/req | PG CPU ms/req | server RSS MiB |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in results {
        t.push_str(&format!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {} | {} | {} | {} | {} |\n",
            r.shape,
            r.target,
            r.connections,
            r.run.per_second(),
            r.run.p50_ms,
            r.run.p99_ms,
            r.run.bad,
            opt(r.statements, 1),
            opt(r.rows, 0),
            opt(r.server_cpu_ms, 2),
            opt(r.pg_cpu_ms, 2),
            opt(r.rss_mib, 0),
        ));
    }
    t
}

fn find<'a>(results: &'a [Measured], shape: &str, target: &str, conns: u32) -> Option<&'a Measured> {
    results.iter().find(|r| r.shape == shape && r.target == target && r.connections == conns)
}

/// Per shape, at the highest connection count: throughput against the peer and the ceiling,
/// and whether the peer gave the same answer.
pub fn summary(results: &[Measured]) -> String {
    let mut s = String::from(
        "| shape | conns | Multichannel req/s | ÷ PostGraphile | p99 ours / theirs ms | ÷ pgbench (same SQL) | same answer as the peer |\n\
         |---|---:|---:|---:|---:|---:|---|\n",
    );
    let mut shapes: Vec<&str> = Vec::new();
    for r in results {
        if !shapes.contains(&r.shape.as_str()) {
            shapes.push(&r.shape);
        }
    }
    for shape in shapes {
        let conns = results.iter().filter(|r| r.shape == shape).map(|r| r.connections).max().unwrap_or(1);
        let Some(ours) = find(results, shape, "Multichannel", conns) else { continue };
        let peer = find(results, shape, "PostGraphile", conns);
        let ceiling = find(results, shape, "pgbench", conns);
        let ratio = |other: Option<&Measured>| {
            other
                .filter(|o| o.run.per_second() > 0.0)
                .map_or("–".to_owned(), |o| format!("{:.2}×", ours.run.per_second() / o.run.per_second()))
        };
        s.push_str(&format!(
            "| {} | {} | {:.0} | {} | {:.1} / {} | {} | {} |\n",
            shape,
            conns,
            ours.run.per_second(),
            ratio(peer),
            ours.run.p99_ms,
            peer.map_or("–".to_owned(), |p| format!("{:.1}", p.run.p99_ms)),
            ratio(ceiling),
            match ours.same_answer {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "– (no equivalent)",
            },
        ));
    }
    s
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("").trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

#[allow(clippy::too_many_arguments)]
pub fn section(
    o: &Options,
    f: &Fixtures,
    results: &[Measured],
    plans: &[(String, String)],
    table: &str,
    summary: &str,
    generated_in: Duration,
    total: Duration,
) -> Result<String> {
    let (customers, partners, subscriptions) = o.scale.size();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let peer_version = std::fs::read_to_string(f.root.join("e2e/bench/postgraphile/package.json"))
        .ok()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
        .and_then(|p| p["dependencies"]["postgraphile"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    let mut shapes = String::new();
    for r in results {
        let line = format!("- `{}`: {}\n", r.shape, r.title);
        if !shapes.contains(&line) {
            shapes.push_str(&line);
        }
    }
    let mut explained = String::new();
    for (shape, plan) in plans {
        explained.push_str(&format!(
            "<details><summary><code>{shape}</code></summary>\n\n```\n{plan}\n```\n\n</details>\n\n"
        ));
    }
    Ok(format!(
        "## Scale: {scale}\n\n\
         `cargo xtask bench --scale {scale}`{only}: {customers} generated customers, {partners} partners, \
         {subscriptions} subscriptions (plus the demo data; Contoso's book: {book} customers; Fabrikam: {fab} \
         indirect subscriptions), generated in {gen:.0?}; the whole run took {total:.0?}.\n\n\
         - Machine: {cores} cores ({cpu}), {mem}; load generator `wrk` ({wrk}) pinned to core {core} with \
         `taskset`, one thread; the servers and PostgreSQL are not pinned.\n\
         - Multichannel {commit}, release build, pool of 16; PostgreSQL: {pg}; PostGraphile {peer} on Node 22, \
         {cores} workers (`node:cluster`), 16 connections in all, row-level security keyed by a JWT claim; \
         pgbench replays the reads our server sent for one request, parameters written in, `-M prepared`.\n\
         - {secs} s per run. Every response is checked (status 200, no `errors`, the expected data); `bad` counts \
         the rest and is never throughput. SQL and rows per request from `pg_stat_statements`; CPU from /proc.\n\n\
         ### Shapes\n\n{shapes}\n### Ratios (at the highest connection count)\n\n{summary}\n### Every run\n\n{table}\n\
         ### The heaviest statement of each read shape\n\n`EXPLAIN (ANALYZE, BUFFERS)`, parameters as our server \
         sent them for one request, run after the load (a warm cache).\n\n{explained}",
        scale = o.scale.name(),
        only = o.only.as_deref().map(|s| format!(" --only {s}")).unwrap_or_default(),
        book = f.book_size,
        fab = f.fabrikam_size,
        gen = generated_in,
        cpu = cpu_model(),
        mem = command_line("sh", &["-c", "free -g | awk '/Mem:/ {print $2 \" GiB RAM\"}'"]),
        wrk = command_line("sh", &["-c", "wrk -v 2>&1 | head -1"]),
        core = crate::load::load_core(),
        commit = command_line("git", &["describe", "--always", "--dirty"]),
        pg = command_line("psql", &["--version"]),
        peer = peer_version,
        secs = o.seconds,
    ))
}

/// The change feed's section: its own, so `--only feed` need not rerun every shape.
pub fn feed_section(o: &Options, figures: &str, total: Duration) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "## Scale: {scale} · feed\n\n\
         `cargo xtask bench --scale {scale} --only feed --no-peer`; the whole run took {total:.0?}.\n\n\
         - Machine: {cores} cores ({cpu}), {mem}; the server, PostgreSQL (fsync on) and the bench's \
         clients (subscribers, writers, webhook receiver, load generator) share them.\n\
         - Multichannel {commit}, release build, pool of 16; PostgreSQL: {pg}.\n\
         - Latency is from the moment a commit returned to its writer to the moment the subscriber read \
         the event off its socket (or the receiver got the POST), on one clock.\n\n{figures}\n",
        scale = o.scale.name(),
        cpu = cpu_model(),
        mem = command_line("sh", &["-c", "free -g | awk '/Mem:/ {print $2 \" GiB RAM\"}'"]),
        commit = command_line("git", &["describe", "--always", "--dirty"]),
        pg = command_line("psql", &["--version"]),
    )
}

/// Replaces this scale's section of BENCHMARKS.md (keeping the others, in scale order).
pub fn write(path: &Path, scale: Scale, section: &str) -> Result<()> {
    write_named(path, scale.name(), section)
}

/// Replaces the section called `name` ("small", "small · feed"), keeping the others in scale
/// order, each scale's feed section after it.
pub fn write_named(path: &Path, name: &str, section: &str) -> Result<()> {
    let header = "# Benchmarks\n\nGenerated by `cargo xtask bench --scale <tiny|small|medium|large>` \
        (e2e/src/bin/bench); each scale's section is replaced when that scale runs again. Figures \
        vary between machines: compare the ratios, which come from one run on one database.\n\n";
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let mut sections: Vec<(String, String)> = Vec::new();
    for part in old.split("\n## Scale: ").skip(1) {
        let name = part.lines().next().unwrap_or("").trim().to_owned();
        sections.push((name, format!("## Scale: {}", part.trim_end())));
    }
    sections.retain(|(n, _)| n != name);
    sections.push((name.to_owned(), section.trim_end().to_owned()));
    let order = |n: &str| {
        let scale = n.split_whitespace().next().unwrap_or("");
        let rank = ["tiny", "small", "medium", "large"].iter().position(|s| *s == scale).unwrap_or(9);
        (rank, n.contains("feed"))
    };
    sections.sort_by_key(|(n, _)| order(n));
    let mut out = header.to_owned();
    for (_, s) in sections {
        out.push('\n');
        out.push_str(&s);
        out.push('\n');
    }
    std::fs::write(path, out)?;
    Ok(())
}
