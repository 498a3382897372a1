//! The release server under strain, over HTTP only: a burst of wrong passwords, and PostgreSQL
//! going away and coming back.

use anyhow::{Context, Result, ensure};
use e2e::{PrivatePg, Server};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// No single request may hang a test: the server answers within its own 15 s deadline.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

fn http() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build()?)
}

/// What one GraphQL request came to, as a label to count: `OK`, the first error's code and
/// message (digits masked, so "try again in 14 minute(s)" counts with "… 15 …"), or what went
/// wrong below GraphQL: `NO CODE`, `HTTP <status>`, `DROPPED <error>`.
async fn outcome(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> String {
    let mut req = http.post(url).json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let response = match req.send().await {
        Ok(r) => r,
        Err(e) => return format!("DROPPED {e}"),
    };
    if response.status() != 200 {
        return format!("HTTP {}", response.status());
    }
    let body: Value = match response.json().await {
        Ok(b) => b,
        Err(e) => return format!("DROPPED {e}"),
    };
    label(&body)
}

fn label(body: &Value) -> String {
    let Some(error) = body["errors"].get(0) else { return "OK".to_owned() };
    let Some(code) = error["extensions"]["code"].as_str() else { return format!("NO CODE {error}") };
    let message = error["message"].as_str().unwrap_or_default().replace(|c: char| c.is_ascii_digit(), "#");
    format!("{code}: {message}")
}

fn count(outcomes: &BTreeMap<String, usize>, prefix: &str) -> usize {
    outcomes.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(_, n)| n).sum()
}

fn merge(into: &mut BTreeMap<String, usize>, from: BTreeMap<String, usize>) {
    for (k, n) in from {
        *into.entry(k).or_default() += n;
    }
}

const MIB: u64 = 1024 * 1024;

const BURST_CLIENTS: usize = 64;
const BURST_FOR: Duration = Duration::from_secs(4);
const BURST_MAX_REQUESTS: usize = 2000;
/// Argon2 takes 19 MiB per verification: unbounded, 64 clients grew the process by 5 GB.
const RSS_GROWTH_LIMIT: u64 = 150 * MIB;

/// Demo users (real accounts, each with its own per-email limit) and unknown emails (verified
/// against a stand-in hash, the same work).
const BURST_EMAILS: &[&str] = &[
    "operator@21vianet.demo",
    "admin@contoso.demo",
    "sales@contoso.demo",
    "helpdesk@contoso.demo",
    "admin@fabrikam.demo",
    "sales@fabrikam.demo",
    "admin@northwind.demo",
    "helpdesk@northwind.demo",
    "admin@tailspin.demo",
    "admin@adatum.demo",
    "admin@litware.demo",
    "globaladmin@woodgrove.demo",
    "nobody@contoso.demo",
    "ghost@unknown.example",
    "intruder@example.com",
];

const SIGN_IN: &str = "mutation($i: SignInInput!) { signIn(input: $i) { token } }";
const WRONG_PASSWORD: &str = "wrong password here";

/// `BURST_CLIENTS` clients sending wrong passwords, for `BURST_FOR` or `BURST_MAX_REQUESTS`
/// requests, whichever comes first; the outcomes counted.
async fn wrong_password_burst(server: &Server) -> Result<BTreeMap<String, usize>> {
    let http = http()?;
    let url = server.url("/graphql");
    let taken = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + BURST_FOR;
    let mut clients = JoinSet::new();
    for _ in 0..BURST_CLIENTS {
        let (http, url, taken) = (http.clone(), url.clone(), taken.clone());
        clients.spawn(async move {
            let mut seen = BTreeMap::<String, usize>::new();
            loop {
                let n = taken.fetch_add(1, Ordering::Relaxed);
                if n >= BURST_MAX_REQUESTS || Instant::now() >= deadline {
                    return seen;
                }
                let email = BURST_EMAILS[n % BURST_EMAILS.len()];
                let vars = json!({ "i": { "email": email, "password": WRONG_PASSWORD } });
                *seen.entry(outcome(&http, &url, None, SIGN_IN, vars).await).or_default() += 1;
            }
        });
    }
    let mut outcomes = BTreeMap::new();
    while let Some(seen) = clients.join_next().await {
        merge(&mut outcomes, seen?);
    }
    Ok(outcomes)
}

/// The burst's outcomes, and the server's largest resident size while it ran (sampled every
/// 50 ms: the peak is what an OOM killer sees, not what is left after).
async fn burst_with_peak_rss(server: &Server, before: u64) -> Result<(BTreeMap<String, usize>, u64)> {
    let burst = wrong_password_burst(server);
    tokio::pin!(burst);
    let mut peak = before;
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    loop {
        tokio::select! {
            outcomes = &mut burst => return Ok((outcomes?, peak)),
            _ = tick.tick() => peak = peak.max(server.rss_bytes()?),
        }
    }
}

#[tokio::test]
async fn a_sign_in_burst_keeps_memory_flat_and_is_throttled() -> Result<()> {
    let mut server = Server::start().await?;
    let before = server.rss_bytes()?;

    let started = Instant::now();
    let (outcomes, peak) = burst_with_peak_rss(&server, before).await?;
    let took = started.elapsed();
    ensure!(server.is_alive(), "the server died during the burst");
    let after = server.rss_bytes()?;
    let peak = peak.max(after);

    let sent: usize = outcomes.values().sum();
    let rate_limited = count(&outcomes, "RATE_LIMITED");
    eprintln!(
        "burst: {sent} requests in {} ms, {rate_limited} RATE_LIMITED; RSS before {} MiB, peak {} MiB, after {} MiB",
        took.as_millis(),
        before / MIB,
        peak / MIB,
        after / MIB
    );
    for (label, n) in &outcomes {
        eprintln!("  {n:>5}  {label}");
    }
    ensure!(
        peak.saturating_sub(before) < RSS_GROWTH_LIMIT,
        "RSS grew by {} MiB (limit {} MiB)",
        peak.saturating_sub(before) / MIB,
        RSS_GROWTH_LIMIT / MIB
    );
    ensure!(rate_limited > 0, "no sign-in was throttled: {outcomes:?}");
    ensure!(count(&outcomes, "INTERNAL") == 0, "INTERNAL answers: {outcomes:?}");
    let uncoded: Vec<_> = outcomes
        .keys()
        .filter(|k| {
            k.starts_with("NO CODE") || k.starts_with("HTTP") || k.starts_with("DROPPED") || *k == "OK"
        })
        .collect();
    ensure!(uncoded.is_empty(), "answers without an error code: {uncoded:?}");

    one_sign_in_per_request(&server).await
}

/// Aliases must not multiply the passwords one request tries: the first `signIn` is the only
/// attempt (by now refused or throttled), every other one is refused without a verification.
async fn one_sign_in_per_request(server: &Server) -> Result<()> {
    let attempt = |alias: &str| {
        format!(
            r#"{alias}: signIn(input: {{email: "admin@contoso.demo", password: "{WRONG_PASSWORD}"}}) {{ token }}"#
        )
    };
    let query = format!("mutation {{ {} {} {} }}", attempt("a"), attempt("b"), attempt("c"));
    let body = server.graphql(None, &query, json!({})).await?;
    let errors = body["errors"].as_array().with_context(|| format!("no errors: {body}"))?;
    ensure!(errors.len() == 3, "three aliases, three refusals: {body}");
    let refused_unseen = errors
        .iter()
        .filter(|e| {
            e["extensions"]["code"] == "RATE_LIMITED"
                && e["message"].as_str().is_some_and(|m| m.contains("one signIn per request"))
        })
        .count();
    eprintln!("three signIn aliases: {refused_unseen} refused as one signIn per request");
    ensure!(refused_unseen == 2, "all but one alias refused as one signIn per request: {body}");
    Ok(())
}

/// The outage test, from PostgreSQL's first start to its check after the restart.
const OUTAGE_TEST_LIMIT: Duration = Duration::from_secs(55);
const RECOVERY_LIMIT: Duration = Duration::from_secs(15);
const LOAD_TASKS: usize = 4;

const READ: &str = "{ viewer { organization { name } } }";
const WRITE: &str = "mutation { createInvitation(input: {audience: ANY_CUSTOMER}) { invitation { id } } }";

/// Where the database stands, as the load sees it when it sends and when it hears back.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[repr(u8)]
enum Phase {
    Up = 0,
    Stopping = 1,
    Down = 2,
    /// Being started again, or back.
    Recovering = 3,
}

impl Phase {
    fn load(from: &AtomicU8) -> Phase {
        match from.load(Ordering::SeqCst) {
            0 => Phase::Up,
            1 => Phase::Stopping,
            2 => Phase::Down,
            _ => Phase::Recovering,
        }
    }
}

/// One answer the load got: what it asked, in which phases it was sent and answered, and how.
#[derive(Debug)]
struct Heard {
    write: bool,
    sent: Phase,
    answered: Phase,
    outcome: String,
}

/// A few clients reading and creating invitations until told to stop.
struct Load {
    phase: Arc<AtomicU8>,
    stop: Arc<AtomicBool>,
    heard: Arc<Mutex<Vec<Heard>>>,
    tasks: JoinSet<()>,
}

impl Load {
    fn start(server: &Server, token: &str) -> Result<Load> {
        let phase = Arc::new(AtomicU8::new(Phase::Up as u8));
        let stop = Arc::new(AtomicBool::new(false));
        let heard = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = JoinSet::new();
        for _ in 0..LOAD_TASKS {
            let (http, url, token) = (http()?, server.url("/graphql"), token.to_owned());
            let (phase, stop, heard) = (phase.clone(), stop.clone(), heard.clone());
            tasks.spawn(async move {
                for write in [false, true].into_iter().cycle() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let sent = Phase::load(&phase);
                    let query = if write { WRITE } else { READ };
                    let outcome = outcome(&http, &url, Some(&token), query, json!({})).await;
                    let answered = Phase::load(&phase);
                    heard.lock().expect("no task panics holding it").push(Heard {
                        write,
                        sent,
                        answered,
                        outcome,
                    });
                    // Light load: pace each client, the point is traffic across the outage.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            });
        }
        Ok(Load { phase, stop, heard, tasks })
    }

    fn enter(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::SeqCst);
    }

    /// How many answers match `pred` so far.
    fn heard(&self, pred: impl Fn(&Heard) -> bool) -> usize {
        self.heard.lock().expect("no task panics holding it").iter().filter(|h| pred(h)).count()
    }

    /// Polls until `n` answers match `pred`, for at most `within`.
    async fn wait_for(&self, n: usize, within: Duration, pred: impl Fn(&Heard) -> bool) -> Result<()> {
        let deadline = Instant::now() + within;
        while self.heard(&pred) < n {
            ensure!(Instant::now() < deadline, "the load did not get {n} such answers within {within:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<Vec<Heard>> {
        self.stop.store(true, Ordering::SeqCst);
        while let Some(done) = self.tasks.join_next().await {
            done?;
        }
        Ok(std::mem::take(&mut *self.heard.lock().expect("no task panics holding it")))
    }
}

async fn status(http: &reqwest::Client, url: String) -> Result<u16> {
    Ok(http.get(url).send().await?.status().as_u16())
}

async fn scalar(url: &str, sql: &'static str) -> Result<i64> {
    let pool = sqlx::PgPool::connect(url).await?;
    let n = sqlx::query_scalar(sql).fetch_one(&pool).await?;
    pool.close().await;
    Ok(n)
}

#[tokio::test]
async fn the_server_survives_the_database_going_away() -> Result<()> {
    tokio::time::timeout(OUTAGE_TEST_LIMIT, survive_the_database_going_away())
        .await
        .context("the outage test ran out of time")?
}

async fn survive_the_database_going_away() -> Result<()> {
    // Dropped in reverse order, on failure too: the server, then PostgreSQL and its folder.
    let pg = PrivatePg::start().await?;
    let database = pg.url("postgres");
    let mut server = Server::start_with_database_url(&database).await?;
    let http = http()?;
    let token = server.sign_in("admin@contoso.demo").await?;
    let invitations_before = scalar(&database, "select count(*) from invitation").await?;

    let load = Load::start(&server, &token)?;
    load.wait_for(5, Duration::from_secs(10), |h| h.write && h.outcome == "OK").await?;

    load.enter(Phase::Stopping);
    pg.stop().await?;
    load.enter(Phase::Down);
    assert_while_down(&server, &http, &token).await?;
    // Traffic that met the outage from start to end, not only in-flight requests cut off.
    load.wait_for(2 * LOAD_TASKS, Duration::from_secs(15), |h| h.sent == Phase::Down).await?;

    // Before the restart: requests waiting for a connection may succeed as soon as PostgreSQL
    // accepts one, before pg_ctl returns.
    load.enter(Phase::Recovering);
    pg.restart().await?;
    let restarted = Instant::now();
    wait_until_serving(&server, &http, &token).await?;
    let recovery = restarted.elapsed();
    eprintln!("recovery after restart: {} ms", recovery.as_millis());
    let heard = load.finish().await?;
    ensure!(server.is_alive(), "the server died");

    report_and_check_load(&heard)?;
    ensure!(recovery < RECOVERY_LIMIT, "recovery took {recovery:?} (limit {RECOVERY_LIMIT:?})");
    check_no_half_written_invitation(&database, invitations_before, &heard).await
}

/// The process stays up and says why it cannot serve: liveness yes, readiness no, and the API
/// answers SERVICE_UNAVAILABLE (to a signed-in read and to a sign-in alike).
async fn assert_while_down(server: &Server, http: &reqwest::Client, token: &str) -> Result<()> {
    ensure!(status(http, server.url("/healthz")).await? == 200, "/healthz while the database is down");
    let asked = Instant::now();
    let ready = status(http, server.url("/readyz")).await?;
    eprintln!("/readyz while down: {ready} after {} ms", asked.elapsed().as_millis());
    ensure!(ready == 503, "/readyz answered {ready} while the database is down");
    let url = server.url("/graphql");
    let read = outcome(http, &url, Some(token), READ, json!({})).await;
    ensure!(read.starts_with("SERVICE_UNAVAILABLE"), "a read while the database is down: {read}");
    let vars = json!({ "i": { "email": "admin@contoso.demo", "password": e2e::DEMO_PASSWORD } });
    let sign_in = outcome(http, &url, None, SIGN_IN, vars).await;
    ensure!(sign_in.starts_with("SERVICE_UNAVAILABLE"), "a sign-in while the database is down: {sign_in}");
    Ok(())
}

/// Polls until /readyz is 200 and a read succeeds, for at most `RECOVERY_LIMIT`.
async fn wait_until_serving(server: &Server, http: &reqwest::Client, token: &str) -> Result<()> {
    let deadline = Instant::now() + RECOVERY_LIMIT;
    let url = server.url("/graphql");
    loop {
        let ready = status(http, server.url("/readyz")).await?;
        let read = if ready == 200 {
            outcome(http, &url, Some(token), READ, json!({})).await
        } else {
            String::new()
        };
        if read == "OK" {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "not serving {RECOVERY_LIMIT:?} after the restart: /readyz {ready}, read {read:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Prints what the load heard by phase, and checks it: every answer coded, never INTERNAL,
/// never a dropped connection or an HTTP error; within the outage, only SERVICE_UNAVAILABLE.
fn report_and_check_load(heard: &[Heard]) -> Result<()> {
    let mut by_phase = BTreeMap::<(Phase, Phase, &str), BTreeMap<String, usize>>::new();
    for h in heard {
        let kind = if h.write { "write" } else { "read" };
        *by_phase.entry((h.sent, h.answered, kind)).or_default().entry(h.outcome.clone()).or_default() += 1;
    }
    for ((sent, answered, kind), outcomes) in &by_phase {
        eprintln!("load, {kind}s sent {sent:?}, answered {answered:?}: {outcomes:?}");
    }
    let bad: Vec<&Heard> = heard
        .iter()
        .filter(|h| {
            ["INTERNAL", "NO CODE", "HTTP", "DROPPED"].iter().any(|p| h.outcome.starts_with(p))
                || (h.sent == Phase::Down
                    && h.answered == Phase::Down
                    && !h.outcome.starts_with("SERVICE_UNAVAILABLE"))
        })
        .collect();
    ensure!(bad.is_empty(), "{} bad answers, such as {:?}", bad.len(), &bad[..bad.len().min(5)]);
    Ok(())
}

/// Every invitation the load created has its audit event (a mutation commits whole or not at
/// all), and every invitation the server acknowledged is there.
async fn check_no_half_written_invitation(database: &str, before: i64, heard: &[Heard]) -> Result<()> {
    let orphans = scalar(
        database,
        "select count(*) from invitation i where not exists (select 1 from audit_event a \
         where a.subject_id = i.invitation_id and a.action = 'invitation.created')",
    )
    .await?;
    let created = scalar(database, "select count(*) from invitation").await? - before;
    let acknowledged = heard.iter().filter(|h| h.write && h.outcome == "OK").count();
    eprintln!(
        "invitations: {acknowledged} acknowledged, {created} created, {orphans} without their audit event"
    );
    ensure!(orphans == 0, "{orphans} invitations without their invitation.created audit event");
    ensure!(
        created >= acknowledged as i64,
        "acknowledged invitations are missing: {acknowledged} > {created}"
    );
    Ok(())
}
