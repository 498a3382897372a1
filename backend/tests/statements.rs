//! Nested lists load through DataLoaders: the number of SQL statements for a page does not
//! grow with the page size. Counted from sqlx's own per-statement tracing events, with a
//! process-wide subscriber; hence a test binary of its own, where nothing else runs.

#[path = "api/helpers.rs"]
mod helpers;

use helpers::*;
use multichannel::db::demo::{Seeder, Sub};
use multichannel::domain::{
    OrganizationKind, PartnerProgram, PurchaseChannel, RelationshipKind, TermDuration,
};
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tracing_subscriber::layer::{Context, SubscriberExt};

struct StatementCounter(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for StatementCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::SeqCst);
            if std::env::var("SHOW_STATEMENTS").is_ok() {
                struct V;
                impl tracing::field::Visit for V {
                    fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                        if f.name() == "summary" {
                            eprintln!("STMT {v:?}");
                        }
                    }
                }
                event.record(&mut V);
            }
        }
    }
}

const PAGE: &str = "query($n: Int) { customers(first: $n) { totalCount edges { node { name primaryDomain
    subscriptions(first: 10) { edges { node { friendlyName purchaseChannel quantity
        offer { name billing service { name offers { name } } }
        customer { name }
        partnerOfRecord { name mpnId program } indirectReseller { name }
        servicePartners { stage partner { name } }
        viewerCan { changeQuantity { allowed reasonCode } assignSeats { allowed } openSupportRequest { allowed } } } } } } } } }";

/// 60 more customers, each with subscriptions from two channels, so a page of 50 is full.
async fn add_customers(app: &TestApp, provider_reseller: bool) {
    let mut conn = app.pool.acquire().await.unwrap();
    let mut s = Seeder::new(&mut conn, start_of_tests(), PASSWORD).unwrap();
    let service = multichannel::db::catalog::insert_service(&mut *s.db, "Bulk Service").await.unwrap();
    let offer = multichannel::db::catalog::insert_offer(
        &mut *s.db,
        service,
        "Bulk Offer",
        multichannel::domain::BillingModel::License,
    )
    .await
    .unwrap();
    let direct = s.partner("Bulk Direct", "3000001", PartnerProgram::CspDirect, "bulkdirect").await.unwrap();
    let provider = s
        .partner("Bulk Provider", "3000002", PartnerProgram::CspIndirectProvider, "bulkprovider")
        .await
        .unwrap();
    let reseller = s
        .partner("Bulk Reseller", "3000003", PartnerProgram::CspIndirectReseller, "bulkreseller")
        .await
        .unwrap();
    for i in 0..60 {
        let customer =
            s.organization(OrganizationKind::Customer, &format!("Bulk Customer {i:03}")).await.unwrap();
        multichannel::db::organizations::insert_customer(
            &mut *s.db,
            customer,
            &format!("bulk{i}.partner.onmschina.cn"),
            "CN",
        )
        .await
        .unwrap();
        s.relationship(customer, direct, RelationshipKind::Direct, None).await.unwrap();
        s.subscription(Sub {
            customer,
            offer,
            name: &format!("Bulk direct {i:03}"),
            quantity: 10,
            assigned: 1,
            channel: PurchaseChannel::CspDirect,
            partner_of_record: Some(direct),
            reseller: None,
            term: TermDuration::P1Y,
            started_days_ago: 10,
        })
        .await
        .unwrap();
        if provider_reseller {
            // As an accepted indirect invitation leaves them: one link ties the customer to both.
            s.relationship(customer, provider, RelationshipKind::IndirectProvider, None).await.unwrap();
            s.relationship(customer, reseller, RelationshipKind::IndirectReseller, Some(provider))
                .await
                .unwrap();
            s.subscription(Sub {
                customer,
                offer,
                name: &format!("Bulk indirect {i:03}"),
                quantity: 5,
                assigned: 0,
                channel: PurchaseChannel::CspIndirect,
                partner_of_record: Some(provider),
                reseller: Some(reseller),
                term: TermDuration::P1M,
                started_days_ago: 3,
            })
            .await
            .unwrap();
        }
    }
}

fn counter() -> Arc<AtomicUsize> {
    static COUNTER: std::sync::OnceLock<Arc<AtomicUsize>> = std::sync::OnceLock::new();
    COUNTER
        .get_or_init(|| {
            let counter = Arc::new(AtomicUsize::new(0));
            let subscriber = tracing_subscriber::registry().with(StatementCounter(counter.clone()));
            tracing::subscriber::set_global_default(subscriber).expect("no other subscriber in this binary");
            counter
        })
        .clone()
}

async fn statements_for(app: &TestApp, token: &str, page: usize) -> (usize, usize) {
    let before = counter().load(Ordering::SeqCst);
    let data = app.ok(token, PAGE, json!({ "n": page })).await;
    let customers = data["customers"]["edges"].as_array().unwrap().len();
    (counter().load(Ordering::SeqCst) - before, customers)
}

/// The counter is process-wide: one test counts at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[sqlx::test(migrations = "../migrations")]
async fn a_page_of_customers_costs_the_same_statements_at_any_size(pool: PgPool) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = TestApp::with_demo(pool).await;
    add_customers(&app, true).await;
    for email in ["operator@21vianet.demo", "admin@bulkdirect.demo", "admin@bulkreseller.demo"] {
        let token = app.sign_in(email).await;
        app.ok(&token, "{ viewer { roles } }", json!({})).await; // records the token's first use
        let (small, small_n) = statements_for(&app, &token, 5).await;
        let (large, large_n) = statements_for(&app, &token, 50).await;
        assert_eq!((small_n, large_n), (5, 50), "{email}");
        assert!(small > 0, "the counter sees statements");
        assert_eq!(small, large, "{email}: {small} statements for 5 customers, {large} for 50");
        assert!(large <= 12, "{email}: {large} statements");
    }
}

/// A bulk operation's items page resolves customers, results and the creator through loaders:
/// 10 items and 100 cost the same statements.
#[sqlx::test(migrations = "../migrations")]
async fn a_page_of_bulk_items_costs_the_same_statements_at_any_size(pool: PgPool) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = TestApp::with_demo(pool).await;
    let contoso: uuid::Uuid =
        sqlx::query_scalar("select organization_id from organization where name = 'Contoso Cloud Direct'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let mut ids = Vec::new();
    {
        let mut conn = app.pool.acquire().await.unwrap();
        let mut s = Seeder::new(&mut conn, start_of_tests(), PASSWORD).unwrap();
        for n in 0..100 {
            let c = s.customer(&format!("Page Customer {n:03}"), &format!("pagecustomer{n}")).await.unwrap();
            s.relationship(c, contoso, RelationshipKind::Direct, None).await.unwrap();
            ids.push(global_id("Customer", c));
        }
    }
    let token = app.sign_in("admin@contoso.demo").await;
    let azure = app.service_id("Azure").await;
    let start =
        "mutation($i: StartBulkOperationInput!) { startBulkOperation(input: $i) { bulkOperation { id } } }";
    let input = json!({ "kind": "DELEGATED_ADMIN_REQUEST", "customerIds": ids, "idempotencyKey": "page",
        "terms": { "displayName": "Page", "roles": ["SUPPORT"], "serviceIds": [azure], "duration": "P90D" } });
    let started = app.ok(&token, start, json!({ "i": input })).await;
    let id = started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned();
    let state = multichannel::AppState::new(app.pool.clone()).with_clock(Arc::new(app.clock.clone()));
    assert_eq!(multichannel::workflows::bulk::drain(&state).await.unwrap(), 100);
    let q = "query($id: ID!, $n: Int) { node(id: $id) { ... on BulkOperation { createdBy { email }
        items(first: $n) { edges { node { status customer { name }
          result { ... on DelegatedAdminRelationship { displayName status customer { name } } } } } } } } }";
    app.ok(&token, q, json!({ "id": id, "n": 10 })).await; // the token's first use is recorded
    let mut costs = Vec::new();
    for n in [10, 100] {
        let before = counter().load(Ordering::SeqCst);
        let data = app.ok(&token, q, json!({ "id": id, "n": n })).await;
        let edges = data["node"]["items"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), n);
        assert!(
            edges.iter().all(|e| e["node"]["result"]["displayName"].is_string()
                && e["node"]["customer"]["name"].is_string()),
            "{data:#}"
        );
        costs.push(counter().load(Ordering::SeqCst) - before);
    }
    assert!(costs[0] > 0, "the counter sees statements");
    assert_eq!(costs[0], costs[1], "10 items and 100 items cost the same statements: {costs:?}");
}
