//! The change feed, attacked where such feeds break: transactions that commit out of order, a
//! listener connection killed in a burst, two instances on one database, tokens revoked
//! mid-stream, connections that never introduce themselves, and every tenant reading the feed.

use crate::helpers::{TestApp, code};
use futures_util::{SinkExt, StreamExt};
use multichannel::AppState;
use multichannel::db::audit::{self, Actor};
use multichannel::db::feed::{self as feed_db, Query};
use multichannel::domain::access::Scope;
use multichannel::domain::feed::{Concerns, Cursor, may_receive};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use uuid::Uuid;

const INVITE: &str =
    "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }";
const LIVE: &str =
    "subscription($a: String) { events(after: $a) { cursor type typeCode subjectType payload } }";

/// A server instance on a real port (WebSocket needs one), with its own feed listener.
async fn serve(app: &TestApp) -> (SocketAddr, AppState) {
    serve_with_keepalive(app, 60).await
}

async fn serve_with_keepalive(app: &TestApp, keepalive_secs: u64) -> (SocketAddr, AppState) {
    let mut state = AppState::new(app.pool.clone()).with_clock(Arc::new(app.clock.clone()));
    state.limits.ws_keepalive_secs = keepalive_secs;
    tokio::spawn(state.feed.clone().run_forever(app.pool.clone(), state.tokens.clone()));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !state.tokens.is_listening() {
        assert!(Instant::now() < deadline, "the feed listener never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    use poem::listener::{Acceptor, Listener};
    let acceptor = poem::listener::TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    let routes = multichannel::http::routes(state.clone(), None);
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(routes));
    (addr, state)
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A GraphQL-over-WebSocket client speaking either protocol.
struct Live {
    ws: Ws,
    legacy: bool,
}

impl Live {
    async fn open(addr: SocketAddr, protocol: &str) -> Live {
        let mut req = format!("ws://{addr}/graphql").into_client_request().unwrap();
        req.headers_mut().insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        let (ws, resp) = tokio_tungstenite::connect_async(req).await.expect("the upgrade is accepted");
        assert_eq!(resp.headers()["sec-websocket-protocol"], protocol);
        Live { ws, legacy: protocol == "graphql-ws" }
    }

    async fn connect(addr: SocketAddr, token: &str) -> Live {
        Self::connect_with(addr, token, "graphql-transport-ws").await
    }

    async fn connect_with(addr: SocketAddr, token: &str, protocol: &str) -> Live {
        let mut live = Self::open(addr, protocol).await;
        live.send(json!({ "type": "connection_init", "payload": { "token": token } })).await;
        let ack = live.next_json(Duration::from_secs(10)).await.expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        live
    }

    async fn send(&mut self, v: Value) {
        self.ws.send(Message::text(v.to_string())).await.unwrap();
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = if self.legacy { "start" } else { "subscribe" };
        self.send(json!({ "id": id, "type": kind, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next JSON message (pings answered, keep-alives skipped), or None on close/timeout.
    async fn next_json(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next()).await.ok()??.ok()?;
            match msg {
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    match v["type"].as_str() {
                        Some("ping") => self.send(json!({ "type": "pong" })).await,
                        Some("ka") => {}
                        _ => return Some(v),
                    }
                }
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// Runs a query or mutation over the socket (graphql-transport-ws); answers its `data`.
    async fn query(&mut self, id: &str, query: &str, variables: Value) -> Value {
        self.subscribe(id, query, variables).await;
        let v = self.next_json(Duration::from_secs(10)).await.expect("an answer");
        assert_eq!(v["type"], "next", "{v}");
        assert!(v["payload"].get("errors").is_none(), "{v}");
        assert_eq!(self.next_json(Duration::from_secs(10)).await.expect("complete")["type"], "complete");
        v["payload"]["data"].clone()
    }

    /// The next event of subscription `id`: its `events` object.
    async fn next_event(&mut self, wait: Duration) -> Option<Value> {
        let v = self.next_json(wait).await?;
        let kind = if self.legacy { "data" } else { "next" };
        assert_eq!(v["type"], kind, "expected an event: {v}");
        assert!(v["payload"].get("errors").is_none(), "{v}");
        Some(v["payload"]["data"]["events"].clone())
    }

    /// How the server closed the connection (code), waiting up to `wait`.
    async fn closed_with(&mut self, wait: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return None,
                Ok(None) => return Some(1006),
                Ok(Some(Err(_))) => return Some(1006),
                Ok(Some(Ok(Message::Close(frame)))) => return Some(frame.map_or(1005, |f| f.code.into())),
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}

/// An event appended the way every workflow appends one, in the caller's transaction.
async fn append(db: &mut sqlx::PgConnection, partner: Uuid) -> i64 {
    let at = chrono::Utc::now();
    let e = audit::Event::new("invitation.created", "Invitation", Uuid::new_v4()).partner(partner);
    audit::append(db, Actor::SYSTEM, at, e).await.unwrap()
}

async fn partner_uuid(pool: &PgPool, name: &str) -> Uuid {
    sqlx::query_scalar(
        "select partner_id from partner join organization on organization_id = partner_id where name = $1",
    )
    .bind(name)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The newest event `token` reads, once the feed shows one whose subject is `subject` (an
/// event shows once the transactions that began before it, in any database of the cluster,
/// have ended: tests running beside this one may hold it back a moment).
async fn newest_about(app: &TestApp, token: &str, subject: &Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = app
            .ok(token, "{ events(last: 1) { edges { cursor node { subject { id } } } } }", json!({}))
            .await;
        let edge = page["events"]["edges"][0].clone();
        if edge["node"]["subject"]["id"] == *subject {
            return edge;
        }
        assert!(Instant::now() < deadline, "the event about {subject} never showed: {page}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn read_all_after(pool: &PgPool, after: Cursor) -> Vec<i64> {
    let q = Query { after: Some(after), limit: 10_000, ..Default::default() };
    feed_db::read(pool, None, &q).await.unwrap().into_iter().map(|e| e.cursor.id).collect()
}

/// A transaction that took its id first but commits last is not skipped: while it runs, the
/// reader stops below it (even though a later id is already visible), and once it commits the
/// reader gets both, in commit-safe order. A reader that resumed from the highest id seen
/// would have lost the first.
#[sqlx::test(migrations = "../migrations")]
async fn a_late_commit_is_not_skipped(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let contoso = partner_uuid(&app.pool, "Contoso Cloud Direct").await;
    let start = feed_db::head(&pool).await.unwrap();

    let mut early = pool.begin().await.unwrap();
    let first_id = append(&mut early, contoso).await;
    let mut late = pool.begin().await.unwrap();
    let second_id = append(&mut late, contoso).await;
    assert!(second_id > first_id);
    late.commit().await.unwrap();

    // The second event is committed and visible to a plain select...
    let visible: Vec<i64> =
        sqlx::query_scalar("select audit_event_id from audit_event where audit_event_id >= $1 order by 1")
            .bind(first_id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(visible, vec![second_id], "a naive reader would now move its cursor past {first_id}");
    // ...but the feed holds it back while the older transaction runs.
    for _ in 0..5 {
        assert_eq!(read_all_after(&pool, start).await, Vec::<i64>::new());
    }

    early.commit().await.unwrap();
    // Transactions of other databases in the cluster (other tests) may hold the horizon a
    // moment longer, even between the two; the reader may wait, but it reads them in order.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = read_all_after(&pool, start).await;
        assert_eq!(read[..], [first_id, second_id][..read.len()], "out of order");
        if read.len() == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the feed never caught up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Events caused through one instance reach a subscriber on another instance on the same
/// database; the other tenant's subscriber on that instance gets nothing of them.
#[sqlx::test(migrations = "../migrations")]
async fn a_subscriber_on_one_instance_hears_what_another_instance_did(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let (a, _) = serve(&app).await;
    // Instance B: another state, its own routes (the test client is B).
    let contoso = app.sign_in("admin@contoso.demo").await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let mut mine = Live::connect(a, &contoso).await;
    mine.subscribe("1", LIVE, json!({})).await;
    let mut theirs = Live::connect(a, &fabrikam).await;
    theirs.subscribe("1", LIVE, json!({})).await;
    // Subscriptions start at the head; give the server a moment to register them.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    let created = app.ok(&contoso, INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    let event = mine.next_event(Duration::from_secs(10)).await.expect("the event arrives on instance A");
    let latency = started.elapsed();
    eprintln!("instance B commit -> subscriber on instance A: {latency:?}");
    assert_eq!(event["type"], "INVITATION_CREATED");
    assert_eq!(event["typeCode"], "invitation.created");
    assert_eq!(event["payload"]["data"]["subject"]["id"], created["createInvitation"]["invitation"]["id"]);
    assert_eq!(event["payload"]["type"], "invitation.created");
    assert!(theirs.next_json(Duration::from_millis(700)).await.is_none(), "another tenant heard it");
}

/// Killing the listener's connection in the middle of a burst loses nothing and duplicates
/// nothing: the instance catches up from its cursor after reconnecting.
#[sqlx::test(migrations = "../migrations")]
async fn a_lost_listener_loses_no_event(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let (_, state) = serve(&app).await;
    let contoso = partner_uuid(&app.pool, "Contoso Cloud Direct").await;
    let start = feed_db::head(&pool).await.unwrap();
    let received = state.feed.subscribe(pool.clone(), Scope::Everything, Vec::new(), Some(start));
    let collector = tokio::spawn(async move {
        let mut got = Vec::new();
        let mut s = Box::pin(received);
        while let Ok(Some(e)) = tokio::time::timeout(Duration::from_secs(15), s.next()).await {
            got.push(e.cursor);
            if got.len() == 300 {
                break;
            }
        }
        got
    });
    let mut killed: Vec<i32> = Vec::new();
    for i in 0..300 {
        let mut tx = pool.begin().await.unwrap();
        append(&mut tx, contoso).await;
        tx.commit().await.unwrap();
        if i == 100 || i == 200 {
            // The listener is found by its name (and after the first kill, it is a new one).
            let deadline = Instant::now() + Duration::from_secs(20);
            let pid = loop {
                let found: Option<i32> = sqlx::query_scalar(
                    "select pid from pg_stat_activity
                      where application_name = $1 and datname = current_database() and pid <> all($2)",
                )
                .bind(multichannel::feed::hub::LISTENER_NAME)
                .bind(&killed)
                .fetch_optional(&pool)
                .await
                .unwrap();
                if let Some(pid) = found {
                    break pid;
                }
                assert!(Instant::now() < deadline, "the listener never came back");
                tokio::time::sleep(Duration::from_millis(10)).await;
            };
            let done: bool = sqlx::query_scalar("select pg_terminate_backend($1)")
                .bind(pid)
                .fetch_one(&pool)
                .await
                .unwrap();
            assert!(done);
            killed.push(pid);
        }
    }
    let got = collector.await.unwrap();
    let outbox = read_all_after(&pool, start).await;
    let got_ids: Vec<i64> = got.iter().map(|c| c.id).collect();
    assert_eq!(got_ids, outbox, "every committed event arrives once, in order");
    assert!(got.windows(2).all(|w| w[0] < w[1]));
}

/// Both protocols stream; a connection that never says connection_init is closed (4408); a
/// bad token is refused (4403); a revoked session ends its stream.
#[sqlx::test(migrations = "../migrations")]
async fn the_websocket_admits_only_live_tokens(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let (a, _) = serve(&app).await;
    let token = app.sign_in("admin@contoso.demo").await;

    let mut silent = Live::open(a, "graphql-transport-ws").await;
    assert_eq!(silent.closed_with(Duration::from_secs(15)).await, Some(4408));

    let mut wrong = Live::open(a, "graphql-transport-ws").await;
    wrong.send(json!({ "type": "connection_init", "payload": { "token": "mc_not-a-token" } })).await;
    assert_eq!(wrong.closed_with(Duration::from_secs(10)).await, Some(4403));

    let mut nothing = Live::open(a, "graphql-transport-ws").await;
    nothing.send(json!({ "type": "connection_init", "payload": {} })).await;
    assert_eq!(nothing.closed_with(Duration::from_secs(10)).await, Some(4403));

    let mut legacy = Live::connect_with(a, &token, "graphql-ws").await;
    legacy.subscribe("7", LIVE, json!({})).await;
    let mut modern = Live::connect(a, &token).await;
    modern.subscribe("8", LIVE, json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.ok(&token, INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    assert_eq!(legacy.next_event(Duration::from_secs(10)).await.unwrap()["type"], "INVITATION_CREATED");
    assert_eq!(modern.next_event(Duration::from_secs(10)).await.unwrap()["type"], "INVITATION_CREATED");

    // Errors over the socket carry codes, as over HTTP.
    modern.subscribe("9", "subscription { events(types: [NOPE]) { cursor } }", json!({})).await;
    let err = modern.next_json(Duration::from_secs(10)).await.unwrap();
    assert_eq!(err["payload"]["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{err}");
    assert_eq!(modern.next_json(Duration::from_secs(10)).await.unwrap()["type"], "complete");
    modern
        .subscribe(
            "10",
            "subscription($a: String) { events(after: $a) { cursor } }",
            json!({ "a": "bad\u{0}" }),
        )
        .await;
    let err = modern.next_json(Duration::from_secs(10)).await.unwrap();
    assert!(err.to_string().contains("BAD_USER_INPUT"), "{err}");
    assert_eq!(modern.next_json(Duration::from_secs(10)).await.unwrap()["type"], "complete");
    // At most 20 streams per connection (8 is open already).
    let mut refused = None;
    for i in 0..20 {
        modern.subscribe(&format!("s{i}"), LIVE, json!({})).await;
    }
    for _ in 0..20 {
        let Some(m) = modern.next_json(Duration::from_millis(500)).await else { break };
        if m.to_string().contains("RATE_LIMITED") {
            refused = Some(m);
        }
    }
    assert!(refused.is_some(), "a 21st stream is refused with RATE_LIMITED");

    // A message larger than a request body closes the connection.
    let mut big = Live::connect(a, &token).await;
    big.subscribe(
        "1",
        &format!("subscription {{ events {{ cursor }} }} # {}", "x".repeat(2_000_000)),
        json!({}),
    )
    .await;
    assert!(big.closed_with(Duration::from_secs(10)).await.is_some());

    // Signing out revokes the session: its connections close, whatever they were doing.
    app.ok(&token, "mutation { signOut { signedOut } }", json!({})).await;
    assert_eq!(modern.closed_with(Duration::from_secs(10)).await, Some(4403));
    assert!(legacy.next_json(Duration::from_secs(10)).await.is_none(), "the legacy connection closes too");
}

/// `after` replays what the subscriber missed, then goes on live, without duplicates.
#[sqlx::test(migrations = "../migrations")]
async fn a_subscriber_resumes_from_its_cursor(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let (a, _) = serve(&app).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let first = app.ok(&token, INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    let edge = newest_about(&app, &token, &first["createInvitation"]["invitation"]["id"]).await;
    let cursor = edge["cursor"].as_str().unwrap().to_owned();
    // Two more while "disconnected".
    for _ in 0..2 {
        app.ok(&token, INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    }
    let mut live = Live::connect(a, &token).await;
    live.subscribe("1", LIVE, json!({ "a": cursor })).await;
    let mut cursors = BTreeSet::new();
    for _ in 0..2 {
        let e = live.next_event(Duration::from_secs(10)).await.expect("replayed");
        assert!(cursors.insert(e["cursor"].as_str().unwrap().to_owned()));
    }
    app.ok(&token, INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    let e = live.next_event(Duration::from_secs(10)).await.expect("then live");
    assert!(cursors.insert(e["cursor"].as_str().unwrap().to_owned()));
    assert!(live.next_json(Duration::from_millis(500)).await.is_none(), "nothing twice");
}

/// Every demo user reads exactly the events the domain rule gives it, in the `events` query
/// and in its live stream, and the SQL of the rule agrees with the rule on every event.
#[sqlx::test(migrations = "../migrations")]
async fn every_tenant_reads_exactly_its_events(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let (a, _) = serve(&app).await;
    // Some events of several kinds, between several parties.
    let contoso = app.sign_in("admin@contoso.demo").await;
    app.ok(&contoso, INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let last = app.ok(&fabrikam, INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    newest_about(&app, &fabrikam, &last["createInvitation"]["invitation"]["id"]).await;
    let everything = feed_db::read(
        &pool,
        None,
        &Query { after: Some(Cursor::START), limit: 10_000, ..Default::default() },
    )
    .await
    .unwrap();
    assert!(everything.len() >= 2);

    let users = app.demo.users.clone();
    for u in &users {
        let token = app.sign_in(&u.email).await;
        let viewer = multichannel::workflows::auth::authenticate(
            &AppState::new(pool.clone()),
            &token,
            multichannel::domain::Clock::now(&app.clock),
        )
        .await
        .unwrap()
        .unwrap();
        let scope = Scope::of(&viewer);
        let expected: Vec<String> = everything
            .iter()
            .filter(|e| may_receive(&scope, &e.concerns))
            .map(|e| e.cursor.encode())
            .collect();
        // The SQL of the rule.
        let in_sql: Vec<String> = feed_db::read(
            &pool,
            Some(scope),
            &Query { after: Some(Cursor::START), limit: 10_000, ..Default::default() },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.cursor.encode())
        .collect();
        assert_eq!(in_sql, expected, "SQL and domain disagree for {}", u.email);
        // The API, page by page.
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let body = app
                .gql(
                    Some(&token),
                    "query($a: String) { events(first: 7, after: $a) { edges { cursor } pageInfo { hasNextPage endCursor } } }",
                    json!({ "a": after }),
                )
                .await;
            assert!(body.get("errors").is_none(), "{} reads the feed: {body}", u.email);
            for e in body["data"]["events"]["edges"].as_array().unwrap() {
                seen.push(e["cursor"].as_str().unwrap().to_owned());
            }
            if body["data"]["events"]["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = body["data"]["events"]["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen, expected, "{} reads what the rule gives it", u.email);
        // The live replay from the start gives the same.
        if !expected.is_empty() {
            let mut live = Live::connect(a, &token).await;
            live.subscribe("1", LIVE, json!({ "a": Cursor::START.encode() })).await;
            let mut streamed = Vec::new();
            while streamed.len() < expected.len() {
                let e = live.next_event(Duration::from_secs(10)).await.expect("replayed");
                streamed.push(e["cursor"].as_str().unwrap().to_owned());
            }
            assert_eq!(streamed, expected, "{} streams what the rule gives it", u.email);
            assert!(live.next_json(Duration::from_millis(200)).await.is_none());
        }
    }
    // And the rule itself: no partner receives an event that does not name it.
    let outsider = Uuid::new_v4();
    assert!(everything.iter().all(|e| !may_receive(&Scope::Partner { partner_id: outsider }, &e.concerns)));
    let _ = Concerns::default();
}

/// The unread count counts what others did that the viewer may read, and marking seen
/// clears it; bad cursors and page sizes are bad input, not INTERNAL.
#[sqlx::test(migrations = "../migrations")]
async fn unread_counts_and_hostile_arguments(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let sales = app.sign_in("sales@contoso.demo").await;
    let unread = "{ unreadEventCount }";
    let mark = "mutation($c: String!) { markEventsSeen(through: $c) }";
    let before = app.ok(&sales, unread, json!({})).await["unreadEventCount"].as_i64().unwrap();
    let made = app.ok(&contoso, INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    newest_about(&app, &sales, &made["createInvitation"]["invitation"]["id"]).await;
    let after = app.ok(&sales, unread, json!({})).await["unreadEventCount"].as_i64().unwrap();
    assert_eq!(after, (before + 1).min(100));
    // The actor's own events are not news to it.
    let own = app.ok(&contoso, unread, json!({})).await["unreadEventCount"].as_i64().unwrap();
    let newest = app.ok(&sales, "{ events(last: 1) { edges { cursor } } }", json!({})).await;
    let cursor = newest["events"]["edges"][0]["cursor"].as_str().unwrap().to_owned();
    // Marking seen is not a change of sign-ins: no instance drops its token cache for it.
    let mut auth = sqlx::postgres::PgListener::connect_with(&pool).await.unwrap();
    auth.listen("auth_changed").await.unwrap();
    assert_eq!(app.ok(&sales, mark, json!({ "c": cursor })).await["markEventsSeen"], 0);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), auth.recv()).await.is_err(),
        "auth_changed was sent"
    );
    assert_eq!(app.ok(&sales, unread, json!({})).await["unreadEventCount"], 0);
    assert_eq!(app.ok(&contoso, unread, json!({})).await["unreadEventCount"].as_i64().unwrap(), own);
    // A customer's USER reads no records, so no events either.
    let user = app.sign_in("user@woodgrove.demo").await;
    assert_eq!(app.ok(&user, unread, json!({})).await["unreadEventCount"], 0);
    assert_eq!(
        app.ok(&user, "{ events(first: 5) { edges { cursor } } }", json!({})).await["events"]["edges"],
        json!([])
    );

    for (query, vars) in [
        (
            "query($a: String) { events(first: 5, after: $a) { edges { cursor } } }",
            json!({ "a": "garbage\u{0}" }),
        ),
        (
            "query($a: String) { events(first: 5, after: $a) { edges { cursor } } }",
            json!({ "a": "x".repeat(5000) }),
        ),
        ("{ events(first: 0) { edges { cursor } } }", json!({})),
        ("{ events(first: 1000) { edges { cursor } } }", json!({})),
        ("{ events(first: 1, last: 1) { edges { cursor } } }", json!({})),
        ("mutation { markEventsSeen(through: \"bm9wZQ\") }", json!({})),
    ] {
        let body = app.gql(Some(&sales), query, vars).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{query}: {body}");
    }
    let anonymous = app.gql(None, unread, json!({})).await;
    assert_eq!(code(&anonymous), "UNAUTHENTICATED");
}

/// A transaction that appends several events notifies once, with its xid (not once per row).
#[sqlx::test(migrations = "../migrations")]
async fn one_notification_per_transaction(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let contoso = partner_uuid(&app.pool, "Contoso Cloud Direct").await;
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await.unwrap();
    listener.listen(multichannel::feed::hub::CHANNEL).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    for _ in 0..3 {
        append(&mut tx, contoso).await;
    }
    // An audited action that is not an event (a sign-in) notifies nothing.
    audit::append(
        &mut *tx,
        Actor::SYSTEM,
        chrono::Utc::now(),
        audit::Event::new("session.created", "User", Uuid::new_v4()),
    )
    .await
    .unwrap();
    let xid: String =
        sqlx::query_scalar("select pg_current_xact_id()::text").fetch_one(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let n = tokio::time::timeout(Duration::from_secs(5), listener.recv()).await.unwrap().unwrap();
    assert_eq!(n.payload(), xid);
    assert!(
        tokio::time::timeout(Duration::from_millis(500), listener.recv()).await.is_err(),
        "a second notification for the same transaction"
    );
    let events: i64 = sqlx::query_scalar(
        "select count(*) from audit_event where xid = $1::xid8 and event_type is not null",
    )
    .bind(&xid)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(events, 3);
}

/// A row of a type this build does not know (written by a newer instance) neither stops the
/// feed nor hides the events around it.
#[sqlx::test(migrations = "../migrations")]
async fn an_unknown_event_type_is_passed_over(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let contoso = partner_uuid(&app.pool, "Contoso Cloud Direct").await;
    let start = feed_db::head(&pool).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let before = append(&mut tx, contoso).await;
    sqlx::query(
        "insert into audit_event (occurred_at, action, subject_type, subject_id, partner_id, details, event_type)
         select now(), 'future.thing', 'Invitation', gen_random_uuid(), $1, '{}', 'future.thing' from generate_series(1, 600)",
    )
    .bind(contoso)
    .execute(&mut *tx)
    .await
    .unwrap();
    let after = append(&mut tx, contoso).await;
    tx.commit().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = read_all_after(&pool, start).await;
        if !read.is_empty() {
            assert_eq!(read, vec![before, after]);
            break;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The server pings; a peer that answers (any WebSocket library does, by itself) stays
/// connected on both protocols, however quiet its GraphQL side is, and a peer that answers
/// nothing is closed with 3008 once the keepalive has passed.
#[sqlx::test(migrations = "../migrations")]
async fn a_dead_peer_is_closed_and_a_quiet_one_is_not(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let (a, _) = serve_with_keepalive(&app, 3).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let mut legacy = Live::connect_with(a, &token, "graphql-ws").await;
    legacy.subscribe("1", LIVE, json!({})).await;
    let mut modern = Live::connect(a, &token).await;
    modern.subscribe("1", LIVE, json!({})).await;
    let mut dead = Live::connect_with(a, &token, "graphql-ws").await;
    dead.subscribe("1", LIVE, json!({})).await;

    // Three keepalives of silence: the two that read (and so answer pings) stay; the one that
    // reads nothing does not answer, and is closed.
    let (l, m) =
        tokio::join!(legacy.next_json(Duration::from_secs(9)), modern.next_json(Duration::from_secs(9)));
    assert!(l.is_none() && m.is_none(), "nothing happened, so nothing came: {l:?} {m:?}");
    // The server sent 3008 and closed; the client may instead see its own queued pongs fail
    // against the closed socket (1006) before it reads the close frame.
    let closed = dead.closed_with(Duration::from_secs(5)).await;
    assert!(matches!(closed, Some(3008 | 1006)), "the silent peer is closed: {closed:?}");
    app.ok(&token, INVITE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    assert_eq!(legacy.next_event(Duration::from_secs(10)).await.unwrap()["type"], "INVITATION_CREATED");
    assert_eq!(modern.next_event(Duration::from_secs(10)).await.unwrap()["type"], "INVITATION_CREATED");
}

/// A connection lives for hours: what it reads is judged at each operation, not at
/// `connection_init`. Tailspin supports Woodgrove's Office 365 through a delegated role that
/// ends 20 days from the start; a connection opened before that sees what a fresh HTTP request
/// sees, before and after.
#[sqlx::test(migrations = "../migrations")]
async fn a_connection_judges_time_bound_access_at_each_operation(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    let (a, _) = serve(&app).await;
    let session = app.sign_in("admin@tailspin.demo").await;
    let create = "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }";
    let made = app.ok(&session, create, json!({ "i": { "name": "live", "readOnly": true } })).await;
    let token = made["createApiToken"]["secret"].as_str().unwrap().to_owned();
    let woodgrove = app.org_id("Woodgrove Bank").await;
    let read = "query($c: ID!) { customer(id: $c) { name subscriptionCounts { channel count } \
                subscriptions(first: 50) { edges { node { friendlyName viewerCan { changeQuantity { allowed reasonCode } } } } } } }";
    let vars = json!({ "c": woodgrove });
    let mut live = Live::connect(a, &token).await;
    let before = live.query("1", read, vars.clone()).await;
    assert_eq!(before, app.ok(&token, read, vars.clone()).await);
    let names = |v: &Value| v["customer"]["subscriptions"]["edges"].to_string();
    assert!(names(&before).contains("Woodgrove Office 365 E3"), "{before:#}");

    app.advance(chrono::Duration::days(21));
    let after = live.query("2", read, vars.clone()).await;
    assert_eq!(after, app.ok(&token, read, vars).await, "the socket and a fresh request agree");
    assert!(!names(&after).contains("Woodgrove Office 365 E3"), "the ended role shows nothing: {after:#}");
}
