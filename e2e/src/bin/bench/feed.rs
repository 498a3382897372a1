//! The `feed` shape: how fast the change feed reaches its consumers and what it costs.
//!
//! - Live: 100 partner admins (or as many as the scale has) hold a `Live.events` subscription
//!   each over WebSocket (graphql-transport-ws); events concerning those partners are committed
//!   at 1,000/s, each in its own transaction, straight into the outbox (as a workflow's
//!   transaction would append them). Latency is from the moment the commit returned to the
//!   writer to the moment the subscriber read the event off its socket, on one clock.
//! - Webhooks: one endpoint (a receiver in this process, answering 204) gets events at 50/s
//!   (commit-to-delivery latency), then a burst of 5,000 (500 at the tiny scale; the delivery worker's throughput).
//! - The outbox's cost: `acceptInvitation` req/s with the outbox, without its NOTIFY trigger,
//!   and with the outbox switched off (no xid default, no NOTIFY trigger, no feed index), on
//!   fresh invitations each time.

use crate::load::{self, Request};
use crate::shapes::Fixtures;
use crate::{Database, Options};
use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::{DEMO_PASSWORD, Server};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// When each event id arrived, as a subscriber or receiver saw it.
type Arrivals = Arc<Mutex<Vec<(i64, Instant)>>>;

const SUBSCRIBERS: usize = 100;
const RATE: u64 = 1_000;
const WRITERS: u64 = 8;

/// The event id inside a feed cursor (`feed:<xid>:<id>`, base64).
fn cursor_id(cursor: &str) -> Option<i64> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    text.rsplit(':').next()?.parse().ok()
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

async fn sign_in(base: &str, email: &str) -> Result<String> {
    let body = json!({
        "query": "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
        "variables": { "i": { "email": email, "password": DEMO_PASSWORD } }
    });
    let v: Value =
        reqwest::Client::new().post(format!("{base}/graphql")).json(&body).send().await?.json().await?;
    v["data"]["signIn"]["token"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("sign-in of {email}: {v}"))
}

/// One subscriber: connects, subscribes, and records when each event id arrived.
async fn subscriber(
    base: String,
    token: String,
    arrived: Arrivals,
    ready: tokio::sync::mpsc::Sender<()>,
) -> Result<()> {
    let url = base.replacen("http://", "ws://", 1) + "/graphql";
    let mut req = url.into_client_request()?;
    req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    ws.send(Message::text(json!({ "type": "connection_init", "payload": { "token": token } }).to_string()))
        .await?;
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { events { cursor } }" } });
    let mut subscribed = false;
    while let Some(msg) = ws.next().await {
        let Message::Text(t) = msg? else { continue };
        let at = Instant::now();
        let v: Value = serde_json::from_str(&t)?;
        match v["type"].as_str() {
            Some("connection_ack") if !subscribed => {
                ws.send(Message::text(sub.to_string())).await?;
                subscribed = true;
                // The server registers the stream when it runs the operation; a short pause
                // before reporting ready keeps the first events from racing it.
                tokio::time::sleep(Duration::from_millis(300)).await;
                let _ = ready.send(()).await;
            }
            Some("next") => {
                if let Some(id) = v["payload"]["data"]["events"]["cursor"].as_str().and_then(cursor_id) {
                    arrived.lock().unwrap().push((id, at));
                }
            }
            Some("ping") => ws.send(Message::text(json!({ "type": "pong" }).to_string())).await?,
            Some("complete") | Some("error") => bail!("the subscription ended: {v}"),
            _ => {}
        }
    }
    Ok(())
}

/// Commits `rate` events per second for `seconds`, each concerning one of `partners` in turn;
/// answers when each id's commit returned.
async fn commit_events(
    pool: &PgPool,
    partners: &[uuid::Uuid],
    rate: u64,
    seconds: f64,
) -> Result<HashMap<i64, Instant>> {
    let committed = Arc::new(Mutex::new(HashMap::new()));
    let total = (rate as f64 * seconds) as u64;
    let per_writer = total / WRITERS;
    let interval = Duration::from_secs_f64(WRITERS as f64 / rate as f64);
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let pool = pool.clone();
        let committed = committed.clone();
        let partners = partners.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for i in 0..per_writer {
                tick.tick().await;
                let partner = partners[((w * per_writer + i) as usize) % partners.len()];
                let id: i64 = sqlx::query_scalar(
                    "insert into audit_event (occurred_at, action, subject_type, subject_id, partner_id, details, event_type)
                     values (now(), 'invitation.created', 'Invitation', gen_random_uuid(), $1, '{\"bench\": true}', 'invitation.created')
                     returning audit_event_id",
                )
                .bind(partner)
                .fetch_one(&pool)
                .await?;
                committed.lock().unwrap().insert(id, Instant::now());
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(Arc::try_unwrap(committed).map(|m| m.into_inner().unwrap()).unwrap_or_default())
}

fn latencies(committed: &HashMap<i64, Instant>, arrived: &[(i64, Instant)]) -> (Vec<f64>, usize) {
    let mut ms: Vec<f64> = arrived
        .iter()
        .filter_map(|(id, at)| {
            committed.get(id).map(|c| at.saturating_duration_since(*c).as_secs_f64() * 1000.0)
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let got: std::collections::HashSet<i64> = arrived.iter().map(|(id, _)| *id).collect();
    let lost = committed.keys().filter(|id| !got.contains(id)).count();
    (ms, lost)
}

/// The first `n` generated partners with an admin agent: (partner, admin's email).
async fn partner_admins(pool: &PgPool, n: usize) -> Result<Vec<(uuid::Uuid, String)>> {
    let partners: Vec<(uuid::Uuid, String)> = sqlx::query_as(
        "select o.organization_id, u.email from organization o join app_user u using (organization_id)
           join user_role r using (user_id)
          where u.email like 'admin@partner%.bench.example' and r.role = 'ADMIN_AGENT'
          order by u.email limit $1",
    )
    .bind(n as i64)
    .fetch_all(pool)
    .await?;
    if partners.is_empty() {
        bail!("no generated partners with an admin agent");
    }
    Ok(partners)
}

async fn live(o: &Options, server: &Server, pool: &PgPool) -> Result<String> {
    let partners = partner_admins(pool, SUBSCRIBERS).await?;
    eprintln!("    {} subscribers signing in", partners.len());
    let arrived = Arc::new(Mutex::new(Vec::new()));
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(partners.len());
    let mut subs = Vec::new();
    for (_, email) in &partners {
        let token = sign_in(&server.base, email).await?;
        subs.push(tokio::spawn(subscriber(server.base.clone(), token, arrived.clone(), ready_tx.clone())));
    }
    for _ in 0..partners.len() {
        tokio::time::timeout(Duration::from_secs(30), ready_rx.recv())
            .await
            .context("subscribers did not start")?;
    }
    let ids: Vec<uuid::Uuid> = partners.iter().map(|(id, _)| *id).collect();
    let seconds = o.seconds.max(2.0);
    eprintln!("    committing {RATE} events/s for {seconds}s");
    let t = Instant::now();
    let committed = commit_events(pool, &ids, RATE, seconds).await?;
    let wrote_in = t.elapsed();
    let deadline = Instant::now() + Duration::from_secs(15);
    while arrived.lock().unwrap().len() < committed.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for s in &subs {
        s.abort();
    }
    let arrived = arrived.lock().unwrap().clone();
    let (ms, lost) = latencies(&committed, &arrived);
    Ok(format!(
        "- Live: {} subscriptions (one per partner admin, graphql-transport-ws), {} events committed at {:.0}/s \
         (each its own transaction, spread over the partners): commit-to-subscriber p50 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms; {} delivered, {} lost.",
        partners.len(),
        committed.len(),
        committed.len() as f64 / wrote_in.as_secs_f64(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(f64::NAN),
        arrived.len(),
        lost
    ))
}

/// `acceptInvitation` with the outbox, without its NOTIFY, and without the outbox at all, on
/// fresh invitations each time.
async fn outbox_cost(
    o: &Options,
    fixtures: &Fixtures,
    server: &Server,
    pool: &PgPool,
    db: &Database,
    work: &Path,
) -> Result<String> {
    let seconds = o.seconds.max(2.0);
    let connections = 8;
    // Fresh invitations for each run (the tiny scale has room for a few hundred in all); about
    // three times what 2 cores accept in the time.
    let per_run = if o.scale == crate::Scale::Tiny { 40 } else { (seconds.ceil() as usize) * 1_000 };
    let plan = fixtures.accept_plan(pool, &db.url, per_run * 3).await?;
    crate::settle(pool).await?;
    let expect = "\"acceptInvitation\":{";
    let run = |requests: &[Request]| {
        load::run(&server.base, "/graphql", requests, expect, true, connections, seconds, work)
    };
    let exec = |statements: &'static [&'static str]| async move {
        for s in statements {
            sqlx::query(*s).execute(pool).await?;
        }
        anyhow::Ok(())
    };
    const NO_NOTIFY: &[&str] = &["drop trigger feed_notify on audit_event"];
    const NO_OUTBOX: &[&str] =
        &["drop index audit_event_feed", "alter table audit_event alter column xid set default '0'::xid8"];
    const RESTORE: &[&str] = &[
        "alter table audit_event alter column xid set default pg_current_xact_id()",
        "create index audit_event_feed on audit_event (xid, audit_event_id) where event_type is not null",
        "create trigger feed_notify after insert on audit_event for each row when (new.event_type is not null) execute function feed_notify()",
    ];
    let with = run(&plan[..per_run])?;
    exec(NO_NOTIFY).await?;
    let no_notify = run(&plan[per_run..per_run * 2]);
    let no_outbox = match exec(NO_OUTBOX).await {
        Ok(()) => run(&plan[per_run * 2..]),
        Err(e) => Err(e),
    };
    exec(RESTORE).await?;
    let (no_notify, no_outbox) = (no_notify?, no_outbox?);
    for (name, r) in
        [("with the outbox", &with), ("without NOTIFY", &no_notify), ("without the outbox", &no_outbox)]
    {
        if r.bad > 0 {
            bail!("acceptInvitation failed {} times {name}", r.bad);
        }
    }
    Ok(format!(
        "- Outbox cost: `acceptInvitation` at {connections} connections, {seconds}s each on fresh invitations, \
         fsync on: {:.0} req/s (p99 {:.1} ms) with the outbox; {:.0} req/s (p99 {:.1} ms) with the outbox but \
         without its NOTIFY trigger; {:.0} req/s (p99 {:.1} ms) without the outbox (no xid default, NOTIFY \
         trigger or feed index). With ÷ without = {:.2}; with ÷ without NOTIFY = {:.2}.",
        with.per_second(),
        with.p99_ms,
        no_notify.per_second(),
        no_notify.p99_ms,
        no_outbox.per_second(),
        no_outbox.p99_ms,
        with.per_second() / no_outbox.per_second(),
        with.per_second() / no_notify.per_second(),
    ))
}

/// A webhook receiver on loopback: records when each event id arrived, answers 204.
async fn receiver(arrived: Arrivals) -> Result<String> {
    use poem::{EndpointExt, Route, handler, post, web::Json};
    #[handler]
    fn hook(
        Json(body): Json<Value>,
        poem::web::Data(arrived): poem::web::Data<&Arrivals>,
    ) -> poem::http::StatusCode {
        let at = Instant::now();
        if let Some(id) = body["data"]["eventId"].as_str().and_then(cursor_id) {
            arrived.lock().unwrap().push((id, at));
        }
        poem::http::StatusCode::NO_CONTENT
    }
    use poem::listener::{Acceptor, Listener};
    let acceptor = poem::listener::TcpListener::bind("127.0.0.1:0").into_acceptor().await?;
    let addr = *acceptor.local_addr()[0].as_socket_addr().context("no address")?;
    let app = Route::new().at("/hook", post(hook)).data(arrived);
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    Ok(format!("http://{addr}/hook"))
}

/// Commit-to-delivery latency at a steady rate, then the worker's throughput on a burst.
async fn webhooks(o: &Options, server: &Server, pool: &PgPool) -> Result<String> {
    let arrived = Arc::new(Mutex::new(Vec::new()));
    let url = receiver(arrived.clone()).await?;
    let (partner, email) = partner_admins(pool, 1).await?.remove(0);
    let token = sign_in(&server.base, &email).await?;
    let body = json!({
        "query": "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }",
        "variables": { "i": { "url": url, "description": "bench receiver" } }
    });
    let v: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    if v.get("errors").is_some() {
        bail!("creating the bench's webhook endpoint: {v}");
    }
    // Steady: 50 events/s.
    let seconds = o.seconds.max(2.0);
    let committed = commit_events(pool, &[partner], 50, seconds).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrived.lock().unwrap().len() < committed.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let steady = arrived.lock().unwrap().clone();
    let (ms, lost) = latencies(&committed, &steady);
    // Burst: events committed at once (one transaction), delivered as fast as the worker can.
    arrived.lock().unwrap().clear();
    let burst: i64 = if o.scale == crate::Scale::Tiny { 500 } else { 5_000 };
    let t = Instant::now();
    sqlx::query(
        "insert into audit_event (occurred_at, action, subject_type, subject_id, partner_id, details, event_type)
         select now(), 'invitation.created', 'Invitation', gen_random_uuid(), $1, '{\"bench\": true}', 'invitation.created'
           from generate_series(1, $2)",
    )
    .bind(partner)
    .bind(burst)
    .execute(pool)
    .await?;
    let deadline = Instant::now() + Duration::from_secs(300);
    while (arrived.lock().unwrap().len() as i64) < burst && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = t.elapsed();
    let got = arrived.lock().unwrap().len();
    Ok(format!(
        "- Webhooks: {} events at 50/s to one endpoint (a receiver on loopback answering 204): commit-to-delivery \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} lost. Worker throughput: a burst of {burst} events committed at \
         once was delivered ({got} received) in {:.1} s = {:.0} deliveries/s (dispatch, claim, sign, POST, record).",
        committed.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(f64::NAN),
        lost,
        took.as_secs_f64(),
        got as f64 / took.as_secs_f64()
    ))
}

/// Every feed figure, as lines for the report.
pub async fn measure(
    o: &Options,
    fixtures: &Fixtures,
    server: &Server,
    pool: &PgPool,
    db: &Database,
    work: &Path,
) -> Result<String> {
    let mut lines = vec!["Change feed (`--only feed`):".to_owned()];
    eprintln!("==> feed: live subscriptions");
    lines.push(live(o, server, pool).await?);
    eprintln!("{}", lines.last().unwrap());
    eprintln!("==> feed: webhooks");
    lines.push(webhooks(o, server, pool).await?);
    eprintln!("{}", lines.last().unwrap());
    eprintln!("==> feed: the outbox's cost to acceptInvitation");
    lines.push(outbox_cost(o, fixtures, server, pool, db, work).await?);
    eprintln!("{}", lines.last().unwrap());
    Ok(lines.join("\n"))
}
