//! The ceiling: pgbench replaying exactly the SQL statements our server sent for one request.
//!
//! The statements are captured from PostgreSQL's own log (`log_statement = all` for the length
//! of one request, with each prepared statement's parameters), and the parameters are written
//! back in as literals. Only reads are replayed: a write replayed would fail on its own unique
//! keys the second time.

use crate::load::{Run, load_core};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// The statements of one request, in order, as (sql, parameters).
pub type Captured = Vec<String>;

/// Reads the statements that `application` sent, from a log excerpt written with
/// `log_line_prefix = '%m [%p] %a '`.
pub fn parse_log(excerpt: &str, application: &str) -> Result<Captured> {
    // Join continuation lines (a statement may span lines) onto their entry.
    let mut entries: Vec<String> = Vec::new();
    for line in excerpt.lines() {
        let starts_entry = line.len() > 4 && line.as_bytes()[..4].iter().all(u8::is_ascii_digit);
        if starts_entry || entries.is_empty() {
            entries.push(line.to_owned());
        } else if let Some(last) = entries.last_mut() {
            last.push('\n');
            last.push_str(line);
        }
    }
    let marker = format!("] {application} ");
    let mut statements: Vec<String> = Vec::new();
    let mut pending: Option<String> = None;
    for entry in entries {
        let Some((_, rest)) = entry.split_once(&marker) else { continue };
        if let Some(sql) =
            rest.strip_prefix("LOG:  execute ").and_then(|r| r.split_once(": ").map(|(_, s)| s))
        {
            if let Some(done) = pending.take() {
                statements.push(done);
            }
            pending = Some(sql.to_owned());
        } else if let Some(sql) = rest.strip_prefix("LOG:  statement: ") {
            if let Some(done) = pending.take() {
                statements.push(done);
            }
            statements.push(sql.to_owned());
        } else if let Some(params) = rest.strip_prefix("DETAIL:  parameters: ") {
            let sql = pending.take().context("parameters without a statement")?;
            statements.push(substitute(&sql, &parse_parameters(params)?));
        }
    }
    if let Some(done) = pending.take() {
        statements.push(done);
    }
    Ok(statements)
}

/// `$1 = 'a', $2 = NULL, …` into literals by number.
fn parse_parameters(s: &str) -> Result<Vec<(usize, String)>> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let r = rest.strip_prefix('$').context("a parameter starts with $")?;
        let (n, r) = r.split_once(" = ").context("a parameter has ' = '")?;
        let n: usize = n.parse()?;
        let (value, r) = if let Some(r) = r.strip_prefix("NULL") {
            ("NULL".to_owned(), r)
        } else {
            // A quoted literal, with '' for a quote inside.
            let bytes = r.as_bytes();
            if bytes.first() != Some(&b'\'') {
                bail!("unexpected parameter value: {r}");
            }
            let mut i = 1;
            loop {
                match bytes.get(i) {
                    Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => break,
                    Some(_) => i += 1,
                    None => bail!("unterminated parameter value"),
                }
            }
            (r[..=i].to_owned(), &r[i + 1..])
        };
        out.push((n, value));
        rest = r.trim_start_matches(',').trim_start();
    }
    Ok(out)
}

/// Puts literals where `$n` stood (highest numbers first, so `$1` never eats `$10`).
fn substitute(sql: &str, params: &[(usize, String)]) -> String {
    let mut sorted: Vec<&(usize, String)> = params.iter().collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.0));
    let mut out = sql.to_owned();
    for (n, value) in sorted {
        out = out.replace(&format!("${n}"), value);
    }
    out
}

/// Whether a statement only reads.
pub fn is_read(sql: &str) -> bool {
    let s = sql.trim_start().to_ascii_lowercase();
    (s.starts_with("select") || s.starts_with("with"))
        && !s.contains(" for update")
        && !s.contains(" for share")
        && !s.contains("insert into")
        && !s.contains("update ")
}

/// Replays `statements` (one transaction each time round) with pgbench at `connections`.
pub fn replay(
    database_url: &str,
    statements: &[String],
    connections: u32,
    seconds: f64,
    work_dir: &Path,
) -> Result<Run> {
    let script = work_dir.join("ceiling.sql");
    let mut text = String::new();
    for s in statements {
        text.push_str(&s.replace('\n', " "));
        text.push_str(";\n");
    }
    std::fs::write(&script, text)?;
    let logs = work_dir.join(format!("pgbench-logs-{connections}"));
    let _ = std::fs::remove_dir_all(&logs);
    std::fs::create_dir_all(&logs)?;
    let out = Command::new("taskset")
        .args(["-c", &load_core().to_string(), "pgbench", "-n", "-M", "prepared", "-j", "1", "-l"])
        .arg(format!("--log-prefix={}", logs.join("tx").display()))
        .arg(format!("-c{connections}"))
        .arg(format!("-T{}", seconds.ceil().max(1.0) as u64))
        .arg("-f")
        .arg(&script)
        .arg(database_url)
        .output()
        .context("running pgbench")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("pgbench failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    }
    let field = |name: &str| -> Option<f64> {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    };
    let done = field("number of transactions actually processed: ").unwrap_or(0.0);
    let failed = field("number of failed transactions: ").unwrap_or(0.0);
    // Per-transaction latencies (µs, third field) from the transaction logs.
    let mut latencies: Vec<f64> = Vec::new();
    for entry in std::fs::read_dir(&logs)? {
        for line in std::fs::read_to_string(entry?.path())?.lines() {
            if let Some(us) = line.split_whitespace().nth(2).and_then(|v| v.parse::<f64>().ok()) {
                latencies.push(us / 1000.0);
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    let tps = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("tps = "))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .context("pgbench printed no tps")?;
    let seconds = if tps > 0.0 { done / tps } else { 0.0 };
    let _ = std::fs::remove_dir_all(&logs);
    Ok(Run { seconds, good: done as u64, bad: failed as u64, p50_ms: pct(0.50), p99_ms: pct(0.99) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_come_back_with_their_parameters() {
        let log = "2026-11-27 01:00:00.000 UTC [42] multichannel LOG:  execute sqlx_s_1: select a from t\n\
            where b = $1 and c = $10\n\
            2026-11-27 01:00:00.000 UTC [42] multichannel DETAIL:  parameters: $1 = 'it''s, here', $10 = NULL\n\
            2026-11-27 01:00:00.001 UTC [43] psql LOG:  statement: select 1\n\
            2026-11-27 01:00:00.002 UTC [42] multichannel LOG:  execute sqlx_s_2: select now()\n";
        let s = parse_log(log, "multichannel").unwrap();
        assert_eq!(
            s,
            vec![
                "select a from t\nwhere b = 'it''s, here' and c = NULL".to_owned(),
                "select now()".to_owned()
            ]
        );
        assert!(is_read(&s[0]));
        assert!(!is_read("select 1 from t for update of t"));
    }
}
