//! The load generator: `wrk` (Debian's package), pinned to its own core, one thread, driven by a
//! Lua script that checks every response. A response with `errors`, a status other than 200,
//! or without the text the right answer must contain is counted as bad, never as throughput.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// One request the script sends: a JSON body and the bearer token to send it with.
#[derive(Clone)]
pub struct Request {
    pub body: String,
    pub token: String,
}

/// What a run of the load generator measured.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub seconds: f64,
    /// Responses that passed every check.
    pub good: u64,
    /// Responses that failed a check, plus socket errors and timeouts.
    pub bad: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 { self.good as f64 / self.seconds } else { 0.0 }
    }
}

/// A Lua long string that cannot be closed by its content.
fn lua_string(s: &str) -> String {
    let mut level = 1;
    while s.contains(&format!("]{}]", "=".repeat(level))) {
        level += 1;
    }
    let eq = "=".repeat(level);
    format!("[{eq}[{s}]{eq}]")
}

/// Writes the script: requests are sent in order, and a response is good when it has status
/// 200, no `"errors"` and contains `expect`. With `once` (writes), no request is sent twice: when
/// all are answered the run stops, and connections still open meanwhile ask for `/healthz`
/// (neither good nor bad; never throughput).
fn script(requests: &[Request], path: &str, expect: &str, once: bool) -> String {
    let mut lua = String::from("local reqs = {\n");
    for r in requests {
        lua.push_str(&format!("  {{ {}, {} }},\n", lua_string(&r.body), lua_string(&r.token)));
    }
    lua.push_str("}\n");
    lua.push_str(&format!(
        "local path = {}\nlocal expect = {}\nlocal once = {once}\n",
        lua_string(path),
        lua_string(expect)
    ));
    lua.push_str(
        r#"
local threads = {}
function setup(thread) table.insert(threads, thread) end
good = 0
bad = 0
shown = 0
local i = 0
local answered = 0
function request()
  if once and i >= #reqs then
    return wrk.format("GET", "/healthz")
  end
  i = i % #reqs + 1
  local r = reqs[i]
  local headers = { ["Content-Type"] = "application/json" }
  if r[2] ~= "" then headers["Authorization"] = "Bearer " .. r[2] end
  return wrk.format("POST", path, headers, r[1])
end
function response(status, headers, body)
  if once and body == "ok" then
    return
  end
  answered = answered + 1
  if once and answered >= #reqs then
    wrk.thread:stop()
  end
  if status == 200 and not body:find('"errors"', 1, true) and body:find(expect, 1, true) then
    good = good + 1
  else
    bad = bad + 1
    if shown < 3 then
      shown = shown + 1
      io.stderr:write("bad response (" .. status .. "): " .. body:sub(1, 300) .. "\n")
    end
  end
end
function done(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(threads) do g = g + t:get("good"); b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %f %f\n", summary.duration, g,
    b + e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"#,
    );
    lua
}

/// Runs `wrk` for `seconds` with `connections` against `base` + `path`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    base: &str,
    path: &str,
    requests: &[Request],
    expect: &str,
    once: bool,
    connections: u32,
    seconds: f64,
    work_dir: &Path,
) -> Result<Run> {
    if requests.is_empty() {
        bail!("no requests to send");
    }
    let script_path = work_dir.join(format!("wrk-{}.lua", std::process::id()));
    std::fs::write(&script_path, script(requests, path, expect, once))?;
    // wrk's duration is whole seconds at least 1; it reports what it actually ran.
    let duration = format!("{}s", seconds.ceil().max(1.0) as u64);
    let out = Command::new("taskset")
        .args(["-c", &load_core().to_string(), "wrk", "-t1"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{duration}"))
        .args(["--timeout", "20s", "-s"])
        .arg(&script_path)
        .arg(base)
        .output()
        .context("running wrk (installed by `cargo xtask bench`)")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stderr.trim().is_empty() {
        eprintln!("{}", stderr.trim_end());
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .with_context(|| format!("wrk printed no result: {stdout}{stderr}"))?;
    let f: Vec<f64> = line.split_whitespace().map(|v| v.parse().unwrap_or(0.0)).collect();
    let _ = std::fs::remove_file(&script_path);
    Ok(Run {
        seconds: f[0] / 1e6,
        good: f[1] as u64,
        bad: f[2] as u64,
        p50_ms: f[3] / 1000.0,
        p99_ms: f[4] / 1000.0,
    })
}

/// The core the load generator is pinned to: the last one. The servers are not pinned (they
/// use every core, as in production), so on 2 cores they share this one with it.
pub fn load_core() -> usize {
    std::thread::available_parallelism().map(|n| n.get() - 1).unwrap_or(0)
}
