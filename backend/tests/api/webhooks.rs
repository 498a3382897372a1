//! Webhooks: a receiver in the test checks every delivery's signature with an independent
//! Standard Webhooks implementation (the `standardwebhooks` crate); time moves with the test
//! clock and the worker runs by hand (`run_once`), so retries hours apart take no time.

use crate::helpers::*;
use multichannel::AppState;
use multichannel::db::demo;
use multichannel::domain::TestClock;
use multichannel::workflows::webhook_delivery::run_once;
use poem::http::{HeaderMap, StatusCode};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::test::TestClient;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

const CREATE: &str = "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret endpoint { id url enabled eventTypes } } }";
const ENDPOINT: &str = "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled disabledReason disabledAt secretRotatedAt deliveries(first: 50) { totalCount nodes { id eventType messageId status attemptCount lastResponseStatus nextAttemptAt deliveredAt payload attempts { responseStatus latencyMs error } } } } } }";
const SEND_TEST: &str = "mutation($id: ID!) { sendTestWebhook(id: $id) { id status eventType messageId } }";
const ROTATE: &str =
    "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { secretRotatedAt } } }";
const REDELIVER: &str = "mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status attemptCount } }";
const UPDATE: &str = "mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) { id enabled url description } }";
const DELETE: &str = "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }";
const OPEN: &str =
    "mutation($i: OpenSupportRequestInput!) { openSupportRequest(input: $i) { supportRequest { id } } }";

/// A test app that also hands out its state, so the test runs the webhook worker itself.
async fn app(pool: PgPool, allow_private_urls: bool) -> (TestApp, AppState) {
    let clock = TestClock::at(start_of_tests());
    let mut conn = pool.acquire().await.unwrap();
    let demo = demo::load(&mut conn, start_of_tests(), PASSWORD).await.unwrap();
    drop(conn);
    let mut state = AppState::new(pool.clone()).with_clock(Arc::new(clock.clone()));
    state.webhook_allow_private_urls = allow_private_urls;
    let client = TestClient::new(multichannel::http::routes(state.clone(), None));
    (TestApp { pool, clock, client, demo }, state)
}

/// One request a receiver got: its headers and body.
type Received = (HeaderMap, Vec<u8>);

/// A receiver whose answers the test scripts (200 once the script is used up), keeping every
/// request it got.
#[derive(Clone, Default)]
struct Receiver {
    script: Arc<Mutex<VecDeque<u16>>>,
    got: Arc<Mutex<Vec<Received>>>,
    url: String,
}

impl Receiver {
    async fn start(script: &[u16]) -> Receiver {
        let mut r = Receiver::default();
        r.script.lock().unwrap().extend(script);
        let (script, got) = (r.script.clone(), r.got.clone());
        let endpoint = poem::endpoint::make(move |mut req: poem::Request| {
            let (script, got) = (script.clone(), got.clone());
            async move {
                let body = req.take_body().into_vec().await.unwrap_or_default();
                got.lock().unwrap().push((req.headers().clone(), body));
                let status = script.lock().unwrap().pop_front().unwrap_or(200);
                poem::Response::builder().status(StatusCode::from_u16(status).unwrap()).body("")
            }
        });
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(endpoint));
        r.url = format!("http://127.0.0.1:{port}/hook");
        r
    }

    fn requests(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Every request verifies with `secret`, by the independent implementation.
    fn assert_all_signed_with(&self, secret: &str) {
        let wh = standardwebhooks::Webhook::new(secret).unwrap();
        for (headers, body) in self.requests() {
            wh.verify(&body, &headers).unwrap_or_else(|e| panic!("signature does not verify: {e}"));
            assert_eq!(headers["content-type"], "application/json");
        }
    }
}

/// Runs the worker until it has dispatched something. An event is readable once every
/// transaction that began before it has ended, and other tests' transactions on the same
/// cluster count too, so it may take a few rounds.
async fn run_until_dispatched(state: &AppState) -> (usize, usize) {
    let (mut dispatched, mut attempted) = (0, 0);
    for _ in 0..200 {
        let (d, a) = run_once(state).await.unwrap();
        (dispatched, attempted) = (dispatched + d, attempted + a);
        if dispatched > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    (dispatched, attempted)
}

fn header(h: &HeaderMap, name: &str) -> String {
    h[name].to_str().unwrap().to_owned()
}

async fn create(app: &TestApp, token: &str, url: &str, types: Value) -> (String, String) {
    let data = app.ok(token, CREATE, json!({ "i": { "url": url, "eventTypes": types } })).await;
    let p = &data["createWebhookEndpoint"];
    (p["endpoint"]["id"].as_str().unwrap().to_owned(), p["secret"].as_str().unwrap().to_owned())
}

async fn endpoint(app: &TestApp, token: &str, id: &str) -> Value {
    app.ok(token, ENDPOINT, json!({ "id": id })).await["node"].clone()
}

/// Woodgrove opens a support request on its Office 365 subscription, whose support partner is
/// Tailspin: an event concerning Woodgrove and Tailspin only.
async fn woodgrove_opens_a_support_request(app: &TestApp) {
    let admin = app.sign_in("globaladmin@woodgrove.demo").await;
    let subs = app.ok(&admin, "{ subscriptions { edges { node { id friendlyName } } } }", json!({})).await;
    let office = nodes::<Named>(&subs["subscriptions"])
        .into_iter()
        .find(|s| s.name == "Woodgrove Office 365 E3")
        .unwrap()
        .id;
    app.ok(&admin, OPEN, json!({ "i": { "subscriptionId": office, "title": "Mail is slow" } })).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn deliveries_are_signed_retried_and_reach_only_organizations_that_may_read_them(pool: PgPool) {
    let (app, state) = app(pool, true).await;
    let tailspin = app.sign_in("admin@tailspin.demo").await;
    let litware = app.sign_in("admin@litware.demo").await;
    let flaky = Receiver::start(&[500, 500, 200]).await;
    let other = Receiver::start(&[]).await;
    let (id, secret) = create(&app, &tailspin, &flaky.url, json!(["SUPPORT_REQUEST_OPENED"])).await;
    let (other_id, _) = create(&app, &litware, &other.url, json!([])).await;

    woodgrove_opens_a_support_request(&app).await;
    let (dispatched, attempted) = run_until_dispatched(&state).await;
    assert_eq!((dispatched, attempted), (1, 1), "one delivery, to Tailspin only");
    let e = endpoint(&app, &tailspin, &id).await;
    let d = &e["deliveries"]["nodes"][0];
    assert_eq!((d["status"].as_str(), d["attemptCount"].as_i64()), (Some("PENDING"), Some(1)));
    assert_eq!(d["lastResponseStatus"], 500);
    assert_eq!(d["eventType"], "support_request.opened");

    // Not due yet: nothing is sent.
    assert_eq!(run_once(&state).await.unwrap(), (0, 0));
    // The first retry comes 5 s (±10%) later, the second 5 min (±10%) after that.
    app.advance(chrono::Duration::milliseconds(5600));
    assert_eq!(run_once(&state).await.unwrap(), (0, 1));
    app.advance(chrono::Duration::minutes(4));
    assert_eq!(run_once(&state).await.unwrap(), (0, 0), "not before 4.5 minutes");
    app.advance(chrono::Duration::seconds(90));
    assert_eq!(run_once(&state).await.unwrap(), (0, 1));

    let e = endpoint(&app, &tailspin, &id).await;
    let d = &e["deliveries"]["nodes"][0];
    assert_eq!(d["status"], "SUCCEEDED");
    assert!(d["nextAttemptAt"].is_null() && !d["deliveredAt"].is_null());
    let statuses: Vec<i64> =
        d["attempts"].as_array().unwrap().iter().map(|a| a["responseStatus"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [500, 500, 200]);

    // Three requests, one message id, each signed; the body is the feed's payload.
    let got = flaky.requests();
    assert_eq!(got.len(), 3);
    flaky.assert_all_signed_with(&secret);
    let ids: Vec<String> = got.iter().map(|(h, _)| header(h, "webhook-id")).collect();
    assert!(ids.iter().all(|i| *i == ids[0]) && ids[0] == d["messageId"].as_str().unwrap());
    let body: Value = serde_json::from_slice(&got[0].1).unwrap();
    assert_eq!(body["type"], "support_request.opened");
    assert_eq!(body, d["payload"]);

    // Litware takes no part in it: its endpoint got nothing.
    assert!(other.requests().is_empty());
    assert_eq!(endpoint(&app, &litware, &other_id).await["deliveries"]["totalCount"], 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_410_disables_the_endpoint_at_once(pool: PgPool) {
    let (app, state) = app(pool, true).await;
    let tailspin = app.sign_in("admin@tailspin.demo").await;
    let gone = Receiver::start(&[410]).await;
    let (id, secret) = create(&app, &tailspin, &gone.url, json!([])).await;
    app.ok(&tailspin, SEND_TEST, json!({ "id": id })).await;
    assert_eq!(run_once(&state).await.unwrap().1, 1);
    gone.assert_all_signed_with(&secret);
    let e = endpoint(&app, &tailspin, &id).await;
    assert_eq!(e["enabled"], false);
    assert!(e["disabledReason"].as_str().unwrap().contains("410"));
    assert_eq!(e["deliveries"]["nodes"][0]["status"], "FAILED");
    // Nothing more goes to it; a test is refused until it is enabled again.
    app.advance(chrono::Duration::hours(1));
    assert_eq!(run_once(&state).await.unwrap().1, 0);
    assert_eq!(
        code(&app.gql(Some(&tailspin), SEND_TEST, json!({ "id": id })).await),
        "INVALID_STATE_TRANSITION"
    );
    let enabled = app.ok(&tailspin, UPDATE, json!({ "i": { "id": id, "enabled": true } })).await;
    assert_eq!(enabled["updateWebhookEndpoint"]["enabled"], true);
    app.ok(&tailspin, SEND_TEST, json!({ "id": id })).await;
    assert_eq!(run_once(&state).await.unwrap().1, 1);
    assert_eq!(gone.requests().len(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn five_days_of_failures_disable_the_endpoint_and_raise_an_event(pool: PgPool) {
    let (app, state) = app(pool, true).await;
    let mut tailspin = app.sign_in("admin@tailspin.demo").await;
    let down = Receiver::start(&[500; 200]).await;
    let (id, secret) = create(&app, &tailspin, &down.url, json!([])).await;
    app.ok(&tailspin, SEND_TEST, json!({ "id": id })).await;
    run_once(&state).await.unwrap();
    // Failing without a break (a test every 8 h): four days on, still enabled; the fifth day
    // disables it.
    for hours in (8..=120).step_by(8) {
        if hours == 104 {
            assert_eq!(endpoint(&app, &tailspin, &id).await["enabled"], true);
        }
        app.advance(chrono::Duration::hours(8));
        // Sessions last hours: sign in again after each jump.
        tailspin = app.sign_in("admin@tailspin.demo").await;
        app.ok(&tailspin, SEND_TEST, json!({ "id": id })).await;
        drain(&state).await;
    }
    let e = endpoint(&app, &tailspin, &id).await;
    assert_eq!(e["enabled"], false);
    assert!(e["disabledReason"].as_str().unwrap().contains("5 days"));
    assert!(
        e["deliveries"]["nodes"].as_array().unwrap().iter().all(|d| d["status"] == "FAILED"),
        "nothing stays pending for a disabled endpoint: {e:#}"
    );
    down.assert_all_signed_with(&secret);

    // The feed tells Tailspin, and nobody else.
    const DISABLED: &str = "{ events(first: 10, filter: { types: [WEBHOOK_ENDPOINT_DISABLED] }) { edges { node { typeCode subject { id } } } } }";
    // Readable once the transactions that began before it have ended (other tests' too).
    let mut events = json!({});
    for _ in 0..200 {
        events = app.ok(&tailspin, DISABLED, json!({})).await;
        if !nodes_value(&events["events"]).as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(
        nodes_value(&events["events"]),
        json!([{ "typeCode": "webhook_endpoint.disabled", "subject": { "id": id } }])
    );
    let contoso = app.sign_in("admin@contoso.demo").await;
    assert_eq!(nodes_value(&app.ok(&contoso, DISABLED, json!({})).await["events"]), json!([]));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_rotated_secret_signs_beside_the_old_one_for_a_day_and_redelivery_resends(pool: PgPool) {
    let (app, state) = app(pool, true).await;
    let mut admin = app.sign_in("admin@contoso.demo").await;
    let r = Receiver::start(&[]).await;
    let (id, old) = create(&app, &admin, &r.url, json!([])).await;
    let rotated = app.ok(&admin, ROTATE, json!({ "id": id })).await;
    let new = rotated["rotateWebhookSecret"]["secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    assert!(!rotated["rotateWebhookSecret"]["endpoint"]["secretRotatedAt"].is_null());
    // A second rotation within the day would stop the secret the receiver holds at once.
    let again = app.gql(Some(&admin), ROTATE, json!({ "id": id })).await;
    assert_eq!(crate::helpers::code(&again), "CONFLICT", "{again}");
    // The log records the endpoint's host, never its path (which often carries a token).
    let details: Vec<serde_json::Value> =
        sqlx::query_scalar("select details from audit_event where action like 'webhook_endpoint.%'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(!details.is_empty() && details.iter().all(|d| !d.to_string().contains("/hook")), "{details:?}");

    let test = app.ok(&admin, SEND_TEST, json!({ "id": id })).await;
    assert_eq!(test["sendTestWebhook"]["status"], "PENDING");
    assert_eq!(test["sendTestWebhook"]["eventType"], "webhook.test");
    run_once(&state).await.unwrap();
    let (h, _) = &r.requests()[0];
    assert_eq!(header(h, "webhook-signature").split(' ').count(), 2);
    r.assert_all_signed_with(&old);
    r.assert_all_signed_with(&new);

    // A day later only the new secret signs.
    app.advance(chrono::Duration::hours(24));
    admin = app.sign_in("admin@contoso.demo").await;
    let later = app.ok(&admin, SEND_TEST, json!({ "id": id })).await;
    run_once(&state).await.unwrap();
    let got = r.requests();
    let (h, body) = &got[1];
    assert_eq!(header(h, "webhook-signature").split(' ').count(), 1);
    assert!(standardwebhooks::Webhook::new(&new).unwrap().verify(body, h).is_ok());
    assert!(standardwebhooks::Webhook::new(&old).unwrap().verify(body, h).is_err());

    // Redelivery sends the same message again.
    let delivery = later["sendTestWebhook"]["id"].clone();
    let again = app.ok(&admin, REDELIVER, json!({ "id": delivery })).await;
    assert_eq!(again["redeliverWebhook"]["status"], "PENDING");
    assert_eq!(run_once(&state).await.unwrap().1, 1);
    let got = r.requests();
    assert_eq!(got.len(), 3);
    assert_eq!(header(&got[2].0, "webhook-id"), later["sendTestWebhook"]["messageId"].as_str().unwrap());
    r.assert_all_signed_with(&new);
    let e = endpoint(&app, &admin, &id).await;
    let redelivered =
        e["deliveries"]["nodes"].as_array().unwrap().iter().find(|d| d["id"] == delivery).unwrap();
    assert_eq!(
        (redelivered["status"].as_str(), redelivered["attemptCount"].as_i64()),
        (Some("SUCCEEDED"), Some(2))
    );
    assert_eq!(app.audit_count("webhook_endpoint.secret_rotated").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_organizations_admin_manages_its_endpoints(pool: PgPool) {
    let (app, state) = app(pool, true).await;
    let admin = app.sign_in("admin@contoso.demo").await;
    let sales = app.sign_in("sales@contoso.demo").await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let r = Receiver::start(&[]).await;
    let (id, _) = create(&app, &admin, &r.url, json!([])).await;
    let test = app.ok(&admin, SEND_TEST, json!({ "id": id })).await;
    let delivery = test["sendTestWebhook"]["id"].clone();
    run_once(&state).await.unwrap();

    let list = "{ webhookEndpoints { totalCount nodes { id } } }";
    assert_eq!(code(&app.gql(Some(&sales), list, json!({})).await), "FORBIDDEN");
    assert_eq!(code(&app.gql(Some(&sales), CREATE, json!({ "i": { "url": r.url } })).await), "FORBIDDEN");
    assert_eq!(code(&app.gql(Some(&sales), SEND_TEST, json!({ "id": id })).await), "FORBIDDEN");
    assert_eq!(app.ok(&fabrikam, list, json!({})).await["webhookEndpoints"]["totalCount"], 0);
    for (query, vars) in [
        (ENDPOINT, json!({ "id": id })),
        (SEND_TEST, json!({ "id": id })),
        (ROTATE, json!({ "id": id })),
        (DELETE, json!({ "id": id })),
        (UPDATE, json!({ "i": { "id": id, "enabled": false } })),
        (REDELIVER, json!({ "id": delivery })),
        ("query($id: ID!) { node(id: $id) { id } }", json!({ "id": delivery })),
    ] {
        assert_eq!(code(&app.gql(Some(&fabrikam), query, vars).await), "NOT_FOUND", "{query}");
    }
    assert_eq!(app.ok(&admin, list, json!({})).await["webhookEndpoints"]["totalCount"], 1);

    // Hostile input is refused as such.
    for url in [
        "http://127.0.0.1/\u{0}",
        &format!("http://127.0.0.1/{}", "x".repeat(5000)),
        "not a url",
        "ftp://127.0.0.1/",
        "https://user:secret@127.0.0.1/",
        "",
    ] {
        let body = app.gql(Some(&admin), CREATE, json!({ "i": { "url": url } })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{url:?}");
    }
    for description in ["a\u{0}b", &"d".repeat(501)] {
        let body =
            app.gql(Some(&admin), CREATE, json!({ "i": { "url": r.url, "description": description } })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT");
    }
    let updated = app
        .ok(&admin, UPDATE, json!({ "i": { "id": id, "description": "CRM sync", "enabled": false } }))
        .await;
    assert_eq!(updated["updateWebhookEndpoint"]["description"], "CRM sync");
    assert_eq!(updated["updateWebhookEndpoint"]["enabled"], false);
    let deleted = app.ok(&admin, DELETE, json!({ "id": id })).await;
    assert_eq!(deleted["deleteWebhookEndpoint"], id);
    assert_eq!(app.ok(&admin, list, json!({})).await["webhookEndpoints"]["totalCount"], 0);
    assert_eq!(app.audit_count("webhook_endpoint.deleted").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn internal_addresses_are_refused_at_creation_and_at_delivery(pool: PgPool) {
    let (app, strict) = app(pool, false).await;
    let admin = app.sign_in("admin@contoso.demo").await;
    for url in [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://localhost/hook",
    ] {
        let body = app.gql(Some(&admin), CREATE, json!({ "i": { "url": url } })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{url}");
        assert_eq!(
            body["errors"][0]["extensions"]["details"]["reason"], "FORBIDDEN_ADDRESS",
            "{url}: {body:#}"
        );
    }
    let body = app.gql(Some(&admin), CREATE, json!({ "i": { "url": "http://203.0.113.9/" } })).await;
    assert_eq!(body["errors"][0]["extensions"]["details"]["reason"], "NOT_HTTPS");

    // Endpoints stored while private URLs were allowed are refused when delivering without it:
    // an IP literal, and a name that resolves to loopback (the resolver drops those addresses).
    let r = Receiver::start(&[]).await;
    let port = r.url.trim_start_matches("http://127.0.0.1:").trim_end_matches("/hook").to_owned();
    let mut lenient = strict.clone();
    lenient.webhook_allow_private_urls = true;
    let lenient_app = TestApp {
        pool: app.pool.clone(),
        clock: app.clock.clone(),
        client: TestClient::new(multichannel::http::routes(lenient, None)),
        demo: app.demo.clone(),
    };
    let mut ids = vec![];
    for url in [format!("https://127.0.0.1:{port}/hook"), format!("https://localhost:{port}/hook")] {
        let (id, _) = create(&lenient_app, &admin, &url, json!([])).await;
        lenient_app.ok(&admin, SEND_TEST, json!({ "id": id })).await;
        ids.push(id);
    }
    assert_eq!(run_once(&strict).await.unwrap().1, 2);
    assert!(r.requests().is_empty(), "nothing reached the internal address");
    for id in ids {
        let d = &endpoint(&app, &admin, &id).await["deliveries"]["nodes"][0];
        let error = d["attempts"][0]["error"].as_str().unwrap();
        assert!(d["attempts"][0]["responseStatus"].is_null());
        assert!(error.contains("blocked"), "{error}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_worker_delivers_on_its_own(pool: PgPool) {
    let (app, state) = app(pool, true).await;
    tokio::spawn(multichannel::workflows::webhook_delivery::run_forever(state));
    let admin = app.sign_in("admin@contoso.demo").await;
    let r = Receiver::start(&[]).await;
    let (id, secret) = create(&app, &admin, &r.url, json!([])).await;
    app.ok(&admin, SEND_TEST, json!({ "id": id })).await;
    for _ in 0..100 {
        if !r.requests().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(r.requests().len(), 1, "delivered within 5 s");
    r.assert_all_signed_with(&secret);
}

/// Runs the worker until nothing more is due now (a claim takes a few per endpoint).
async fn drain(state: &AppState) -> usize {
    let mut total = 0;
    for _ in 0..200 {
        let (_, attempted) = run_once(state).await.unwrap();
        if attempted == 0 {
            break;
        }
        total += attempted;
    }
    total
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failure_after_a_quiet_spell_starts_a_new_failure_period(pool: PgPool) {
    let (app, state) = app(pool, true).await;
    let mut admin = app.sign_in("admin@tailspin.demo").await;
    let down = Receiver::start(&[500; 200]).await;
    let (id, _) = create(&app, &admin, &down.url, json!([])).await;
    app.ok(&admin, SEND_TEST, json!({ "id": id })).await;
    assert_eq!(run_once(&state).await.unwrap().1, 1);
    // Six quiet days; then the test's retry fails: the first failure in six days.
    app.advance(chrono::Duration::days(6));
    assert_eq!(run_once(&state).await.unwrap().1, 1);
    admin = app.sign_in("admin@tailspin.demo").await;
    assert_eq!(endpoint(&app, &admin, &id).await["enabled"], true, "one failure does not disable");
    // Failing on without a break (a test every 6 h, beside the retries) for 5 more days.
    for hours in (6..=120).step_by(6) {
        app.advance(chrono::Duration::hours(6));
        admin = app.sign_in("admin@tailspin.demo").await;
        assert_eq!(endpoint(&app, &admin, &id).await["enabled"], true, "still enabled after {hours} h");
        app.ok(&admin, SEND_TEST, json!({ "id": id })).await;
        drain(&state).await;
    }
    let e = endpoint(&app, &admin, &id).await;
    assert_eq!(e["enabled"], false);
    assert!(e["disabledReason"].as_str().unwrap().contains("5 days"));
    assert_eq!(app.audit_count("webhook_endpoint.disabled").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn test_sends_and_redeliveries_are_limited_per_endpoint(pool: PgPool) {
    let (app, state) = app(pool, true).await;
    let mut admin = app.sign_in("admin@contoso.demo").await;
    let r = Receiver::start(&[]).await;
    let (a, _) = create(&app, &admin, &r.url, json!([])).await;
    let (b, _) = create(&app, &admin, &r.url, json!([])).await;
    let mut deliveries = vec![];
    for _ in 0..10 {
        deliveries.push(app.ok(&admin, SEND_TEST, json!({ "id": a })).await["sendTestWebhook"]["id"].clone());
    }
    let refused = app.gql(Some(&admin), SEND_TEST, json!({ "id": a })).await;
    assert_eq!(code(&refused), "RATE_LIMITED", "{refused}");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at most 10 test sends per hour; try again after"), "{message}");
    // Another endpoint is not held back.
    app.ok(&admin, SEND_TEST, json!({ "id": b })).await;

    // A delivery waiting for its attempt is not queued again.
    let pending = app.gql(Some(&admin), REDELIVER, json!({ "id": deliveries[0] })).await;
    assert_eq!(code(&pending), "CONFLICT", "{pending}");
    assert_eq!(drain(&state).await, 11);

    // 60 redeliveries an hour, then RATE_LIMITED.
    for _ in 0..6 {
        for d in &deliveries {
            app.ok(&admin, REDELIVER, json!({ "id": d })).await;
        }
        assert_eq!(drain(&state).await, 10);
    }
    let refused = app.gql(Some(&admin), REDELIVER, json!({ "id": deliveries[0] })).await;
    assert_eq!(code(&refused), "RATE_LIMITED", "{refused}");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("60 redeliveries"));
    let other = app.ok(&admin, SEND_TEST, json!({ "id": b })).await["sendTestWebhook"]["id"].clone();
    drain(&state).await;
    app.ok(&admin, REDELIVER, json!({ "id": other })).await;

    // An hour later the window has moved on.
    app.advance(chrono::Duration::minutes(61));
    admin = app.sign_in("admin@contoso.demo").await;
    app.ok(&admin, SEND_TEST, json!({ "id": a })).await;
    app.ok(&admin, REDELIVER, json!({ "id": deliveries[0] })).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn finished_deliveries_are_deleted_after_30_days(pool: PgPool) {
    let (app, state) = app(pool, true).await;
    let mut admin = app.sign_in("admin@contoso.demo").await;
    let (ok, gone, down) =
        (Receiver::start(&[]).await, Receiver::start(&[410]).await, Receiver::start(&[500; 10]).await);
    // Tests only (the 410's `webhook_endpoint.disabled` event is delivered to nobody).
    let only = json!(["SUPPORT_REQUEST_OPENED"]);
    let (a, _) = create(&app, &admin, &ok.url, only.clone()).await;
    let (g, _) = create(&app, &admin, &gone.url, only.clone()).await;
    let message = |v: Value| v["sendTestWebhook"]["messageId"].as_str().unwrap().to_owned();
    let old_ok = message(app.ok(&admin, SEND_TEST, json!({ "id": a })).await);
    let old_failed = message(app.ok(&admin, SEND_TEST, json!({ "id": g })).await);
    assert_eq!(drain(&state).await, 2);
    // Never attempted: pending from day 0.
    let (c, _) = create(&app, &admin, &down.url, only).await;
    let old_pending = message(app.ok(&admin, SEND_TEST, json!({ "id": c })).await);

    app.advance(chrono::Duration::days(31));
    admin = app.sign_in("admin@contoso.demo").await;
    let recent = message(app.ok(&admin, SEND_TEST, json!({ "id": a })).await);
    // The recent one succeeds; the old pending one fails and waits for its retry.
    assert_eq!(drain(&state).await, 2);
    let attempts = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from webhook_attempt")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    assert_eq!(attempts().await, 4);

    let report = multichannel::workflows::jobs::run_due(&state).await.unwrap();
    assert_eq!(report.webhook_deliveries_deleted, 2, "{report:?}");
    let mut kept: Vec<String> =
        sqlx::query_scalar("select message_id from webhook_delivery").fetch_all(&app.pool).await.unwrap();
    kept.sort();
    let mut expected = vec![recent, old_pending];
    expected.sort();
    assert_eq!(kept, expected);
    assert!(!kept.contains(&old_ok) && !kept.contains(&old_failed));
    assert_eq!(attempts().await, 2, "the old deliveries' attempts went with them");
    // Nothing more to delete.
    assert_eq!(multichannel::workflows::jobs::run_due(&state).await.unwrap().webhook_deliveries_deleted, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn one_endpoints_backlog_does_not_hold_back_other_endpoints(pool: PgPool) {
    use multichannel::db::webhooks as db;
    use multichannel::domain::webhook::{CLAIM_BATCH, LEASE, MAX_IN_FLIGHT_PER_ENDPOINT};
    let (app, state) = app(pool, true).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let (busy, other) = (Receiver::start(&[]).await, Receiver::start(&[]).await);
    create(&app, &contoso, &busy.url, json!([])).await;
    let (b, _) = create(&app, &fabrikam, &other.url, json!([])).await;
    let now = state.clock.now();
    // 200 deliveries to Contoso's endpoint, all due before Fabrikam's one.
    sqlx::query(
        "insert into webhook_delivery (webhook_endpoint_id, message_id, event_type, payload, next_attempt_at, created_at)
         select webhook_endpoint_id, 'msg_backlog_' || i, 'webhook.test', '{}'::jsonb,
                $2 - interval '1 hour' + i * interval '1 second', $2 - interval '1 hour'
         from webhook_endpoint, generate_series(1, 200) i where url = $1",
    )
    .bind(&busy.url)
    .bind(now)
    .execute(&app.pool)
    .await
    .unwrap();
    app.ok(&fabrikam, SEND_TEST, json!({ "id": b })).await;

    // The first claim takes Fabrikam's delivery and only a few of Contoso's, oldest first.
    assert_eq!(run_once(&state).await.unwrap().1, 1 + MAX_IN_FLIGHT_PER_ENDPOINT as usize);
    assert_eq!(other.requests().len(), 1);
    let sent: Vec<String> = busy.requests().iter().map(|(h, _)| header(h, "webhook-id")).collect();
    let mut sent_sorted = sent.clone();
    sent_sorted.sort();
    let oldest: Vec<String> = (1..=MAX_IN_FLIGHT_PER_ENDPOINT).map(|i| format!("msg_backlog_{i}")).collect();
    let mut oldest_sorted = oldest.clone();
    oldest_sorted.sort();
    assert_eq!(sent_sorted, oldest_sorted);

    // Never more than the cap in flight: a second claim while the first is out takes none.
    let lease = now + LEASE;
    let first = db::claim_due(&app.pool, now, lease, CLAIM_BATCH, MAX_IN_FLIGHT_PER_ENDPOINT).await.unwrap();
    assert_eq!(first.len(), MAX_IN_FLIGHT_PER_ENDPOINT as usize);
    let second = db::claim_due(&app.pool, now, lease, CLAIM_BATCH, MAX_IN_FLIGHT_PER_ENDPOINT).await.unwrap();
    assert!(second.is_empty(), "{second:?}");
    // Once those leases lapse, the endpoint's room is back.
    let later = now + LEASE + chrono::Duration::seconds(1);
    let third = db::claim_due(&app.pool, later, later + LEASE, CLAIM_BATCH, MAX_IN_FLIGHT_PER_ENDPOINT)
        .await
        .unwrap();
    assert_eq!(third.len(), MAX_IN_FLIGHT_PER_ENDPOINT as usize);
}
