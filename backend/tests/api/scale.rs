//! What scale changed: tokens served from a per-instance cache must still stop working at once
//! on every instance, and counts stop at a bound instead of scanning everything visible, for
//! every kind of viewer.

use crate::helpers::{TestApp, code};
use multichannel::AppState;
use multichannel::domain::credentials::secret_hash;
use poem::test::TestClient;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};

const VIEWER: &str = "{ viewer { user { email } } }";

/// A second server instance on the same database, with its token cache listening.
struct Instance {
    state: AppState,
    client: TestClient<poem::endpoint::BoxEndpoint<'static>>,
}

impl Instance {
    async fn start(app: &TestApp) -> Instance {
        let state = AppState::new(app.pool.clone()).with_clock(Arc::new(app.clock.clone()));
        tokio::spawn(state.feed.clone().run_forever(app.pool.clone(), state.tokens.clone()));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !state.tokens.is_listening() {
            assert!(Instant::now() < deadline, "the token cache never started listening");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let client = TestClient::new(multichannel::http::routes(state.clone(), None));
        Instance { state, client }
    }

    async fn gql(&self, token: &str, query: &str) -> Value {
        let resp = self
            .client
            .post("/graphql")
            .header("Authorization", format!("Bearer {token}"))
            .body_json(&json!({ "query": query }))
            .send()
            .await;
        resp.json().await.value().deserialize()
    }

    /// Waits (a few seconds at most) for the token to be refused here.
    async fn refuses(&self, token: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let body = self.gql(token, VIEWER).await;
            if body.get("errors").is_some() {
                return code(&body) == "UNAUTHENTICATED";
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_session_ended_on_one_instance_stops_on_another_that_cached_it(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let other = Instance::start(&app).await;
    let token = app.sign_in("admin@contoso.demo").await;
    let seen = other.gql(&token, VIEWER).await;
    assert_eq!(seen["data"]["viewer"]["user"]["email"], "admin@contoso.demo", "{seen}");
    assert!(other.state.tokens.get(&secret_hash(&token)).is_some(), "the other instance cached the token");
    app.ok(&token, "mutation { signOut { signedOut } }", json!({})).await;
    assert!(other.refuses(&token).await, "the other instance still served the ended session");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_revoked_api_token_stops_on_every_instance(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let first = Instance::start(&app).await;
    let second = Instance::start(&app).await;
    let session = app.sign_in("admin@fabrikam.demo").await;
    let created = app
        .ok(
            &session,
            "mutation { createApiToken(input: {name: \"sync\"}) { secret apiToken { id } } }",
            json!({}),
        )
        .await;
    let secret = created["createApiToken"]["secret"].as_str().unwrap().to_owned();
    let id = created["createApiToken"]["apiToken"]["id"].as_str().unwrap().to_owned();
    for instance in [&first, &second] {
        assert!(instance.gql(&secret, VIEWER).await.get("errors").is_none());
        assert!(instance.state.tokens.get(&secret_hash(&secret)).is_some());
    }
    // Revoked through the first instance: it forgets at once, the second hears it.
    let revoked = first
        .gql(
            &session,
            &format!("mutation {{ revokeApiToken(input: {{id: \"{id}\"}}) {{ apiToken {{ active }} }} }}"),
        )
        .await;
    assert_eq!(revoked["data"]["revokeApiToken"]["apiToken"]["active"], false, "{revoked}");
    assert_eq!(code(&first.gql(&secret, VIEWER).await), "UNAUTHENTICATED");
    assert!(second.refuses(&secret).await, "the second instance still served the revoked token");
    // A change made straight in the database is heard as well.
    let other = app.sign_in("admin@northwind.demo").await;
    assert!(second.gql(&other, VIEWER).await.get("errors").is_none());
    sqlx::query("update auth_token set revoked_at = now() where secret_hash = $1")
        .bind(secret_hash(&other))
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(second.refuses(&other).await, "a revocation written in SQL was not heard");
}

#[sqlx::test(migrations = "../migrations")]
async fn counts_stop_at_a_thousand_and_say_so(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Copies of one subscription, enough to pass the bound.
    sqlx::query(
        "insert into subscription (customer_id, offer_id, service_id, friendly_name, quantity, status, \
            billing_cycle, term_duration, effective_start, commitment_end, purchase_channel) \
         select customer_id, offer_id, service_id, 'Copy ' || n, quantity, status, billing_cycle, \
            term_duration, effective_start, commitment_end, purchase_channel \
         from subscription, generate_series(1, 1001) n \
         where purchase_channel = 'ONLINE_DIRECT' and status = 'ACTIVE' \
         order by subscription_id limit 1001",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let op = app.sign_in("operator@21vianet.demo").await;
    let q = "query($f: SubscriptionFilter) { subscriptions(first: 1, filter: $f) { totalCount totalCountPrecision } }";
    let all = app.ok(&op, q, json!({})).await;
    assert_eq!(all["subscriptions"]["totalCount"], 1_000);
    assert_eq!(all["subscriptions"]["totalCountPrecision"], "AT_LEAST");
    let few = app.ok(&op, q, json!({ "f": { "channel": "CSP_DIRECT" } })).await;
    assert_eq!(few["subscriptions"]["totalCountPrecision"], "EXACT");
    let n = few["subscriptions"]["totalCount"].as_i64().unwrap();
    assert!((1..1_000).contains(&n), "{few}");
    let customers =
        app.ok(&op, "{ customers(first: 1) { totalCount totalCountPrecision } }", json!({})).await;
    assert_eq!(customers["customers"]["totalCountPrecision"], "EXACT");
    // A partner's count walks each way it sees subscriptions up to the bound: the copies are
    // Contoso's of record (it has the relationship), so it sees all of them.
    sqlx::query(
        "insert into subscription (customer_id, offer_id, service_id, friendly_name, quantity, status, \
            billing_cycle, term_duration, effective_start, commitment_end, purchase_channel, partner_of_record_id) \
         select customer_id, offer_id, service_id, 'Contoso copy ' || n, quantity, status, billing_cycle, \
            term_duration, effective_start, commitment_end, purchase_channel, partner_of_record_id \
         from subscription s, generate_series(1, 1001) n \
         where purchase_channel = 'CSP_DIRECT' and status = 'ACTIVE' \
           and partner_of_record_id = (select organization_id from organization where name = 'Contoso Cloud Direct') \
         order by subscription_id limit 1001",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let contoso = app.sign_in("admin@contoso.demo").await;
    let mine = app.ok(&contoso, q, json!({})).await;
    assert_eq!(mine["subscriptions"]["totalCount"], 1_000, "{mine}");
    assert_eq!(mine["subscriptions"]["totalCountPrecision"], "AT_LEAST");
    let active = app.ok(&contoso, q, json!({ "f": { "status": "ACTIVE" } })).await;
    assert_eq!(active["subscriptions"]["totalCountPrecision"], "AT_LEAST", "{active}");
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let theirs = app.ok(&fabrikam, q, json!({})).await;
    assert_eq!(theirs["subscriptions"]["totalCountPrecision"], "EXACT", "{theirs}");
}

/// `subscription_reads_as` (what status filters use, so PostgreSQL can estimate them) says the
/// same as `subscription_status_at` (what reads show) for every wanted status, every stored
/// state, and every week of two years, hours either side of midnight included.
#[sqlx::test(migrations = "../migrations")]
async fn the_status_filter_agrees_with_the_status_rule(pool: PgPool) {
    let (cases, disagreements): (i64, i64) = sqlx::query_as(
        "with states as ( \
           select st, case when st = 'SUSPENDED' then '2026-06-01 09:00+00'::timestamptz - make_interval(days => sd) end as sus, \
                  ar, '2026-06-01'::date + ce as ce, case when lo is null then null else '2026-06-01'::date + lo end as lo \
           from unnest(array['PENDING', 'ACTIVE', 'SUSPENDED', 'EXPIRED', 'DELETED']) st, \
                unnest(array[0, 10, 59, 60, 61, 400]) sd, unnest(array[true, false]) ar, \
                unnest(array[-400, -70, -61, -60, -59, -1, 0, 1, 30, 365]) ce, \
                unnest(array[null, -61, -60, -10, 0]::int[]) lo \
           where st = 'SUSPENDED' or sd = 0), \
         moments as ( \
           select '2026-06-01 00:00+00'::timestamptz + make_interval(days => d, hours => h) as at \
           from generate_series(0, 730, 7) d, unnest(array[0, 9, 23]) h) \
         select count(*), count(*) filter (where \
             subscription_reads_as(w, st, sus, ar, ce, lo, at) \
             is distinct from (subscription_status_at(st, sus, ar, ce, lo, at) = w)) \
         from states, moments, unnest(array['PENDING', 'ACTIVE', 'SUSPENDED', 'EXPIRED', 'DELETED']) w",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(cases > 100_000, "only {cases} cases were compared");
    assert_eq!(disagreements, 0, "the filter and the rule disagree in {disagreements} of {cases} cases");
}
