//! Bulk operations: start, the worker finishing every item, idempotency (also under a race),
//! cancel, retrying only the failures, other tenants and lower roles, hostile input.

use crate::helpers::*;
use multichannel::AppState;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;

const OP: &str = "id kind status progress { total pending succeeded failed skipped }
    items(first: 100) { totalCount edges { node { status code reason attempt customer { name }
      result { ... on DelegatedAdminRelationship { id displayName status } } } } }";

fn start_q() -> String {
    format!(
        "mutation($i: StartBulkOperationInput!) {{ startBulkOperation(input: $i) {{ bulkOperation {{ {OP} }} }} }}"
    )
}

fn id_q(name: &str) -> String {
    format!("mutation($i: BulkOperationIdInput!) {{ {name}(input: $i) {{ bulkOperation {{ {OP} }} }} }}")
}

/// The worker, as the server runs it, on the test's database and clock.
async fn work(app: &TestApp) -> usize {
    let state = AppState::new(app.pool.clone()).with_clock(Arc::new(app.clock.clone()));
    multichannel::workflows::bulk::drain(&state).await.unwrap()
}

async fn customers(app: &TestApp, token: &str) -> Vec<Named> {
    let data = app.ok(token, "{ customers(first: 100) { nodes { id name } } }", json!({})).await;
    nodes(&data["customers"])
}

async fn read(app: &TestApp, token: &str, id: &str) -> Value {
    let q = format!("query($id: ID!) {{ node(id: $id) {{ ... on BulkOperation {{ {OP} }} }} }}");
    app.ok(token, &q, json!({ "id": id })).await["node"].clone()
}

async fn request_input(app: &TestApp, ids: &[String], key: &str, prefix: &str) -> Value {
    let azure = app.service_id("Azure").await;
    json!({ "kind": "DELEGATED_ADMIN_REQUEST", "customerIds": ids, "idempotencyKey": key,
            "terms": { "displayName": prefix, "roles": ["SUPPORT"], "serviceIds": [azure], "duration": "P90D" } })
}

#[sqlx::test(migrations = "../migrations")]
async fn every_item_ends_once_and_a_key_does_the_work_once(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ids: Vec<String> = customers(&app, &contoso).await.into_iter().map(|c| c.id).collect();
    assert!(ids.len() >= 2, "contoso serves a few customers: {ids:?}");
    let input = request_input(&app, &ids, "run-1", "Bulk").await;
    let started = app.ok(&contoso, &start_q(), json!({ "i": input })).await;
    let op = &started["startBulkOperation"]["bulkOperation"];
    assert_eq!(op["status"], "RUNNING");
    assert_eq!(op["progress"]["pending"], ids.len());
    let id = op["id"].as_str().unwrap().to_owned();

    // The same key and input: the same operation, nothing new.
    let again = app.ok(&contoso, &start_q(), json!({ "i": input })).await;
    assert_eq!(again["startBulkOperation"]["bulkOperation"]["id"], id);
    // The same key with other input: refused.
    let other = request_input(&app, &ids[..1], "run-1", "Bulk").await;
    assert_eq!(code(&app.gql(Some(&contoso), &start_q(), json!({ "i": other })).await), "CONFLICT");

    assert_eq!(work(&app).await, ids.len());
    assert_eq!(work(&app).await, 0, "nothing is done twice");
    let done = read(&app, &contoso, &id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done:#}");
    assert_eq!(done["progress"]["succeeded"], ids.len());
    for e in done["items"]["edges"].as_array().unwrap() {
        assert_eq!(e["node"]["result"]["status"], "APPROVAL_PENDING");
        assert!(e["node"]["result"]["displayName"].as_str().unwrap().starts_with("Bulk · "));
    }
    let n = ids.len() as i64;
    assert_eq!(
        scalar(&app, "select count(*) from delegated_admin_relationship where display_name like 'Bulk · %'")
            .await,
        n
    );
    // One event of each kind per success, in the item's transaction.
    for action in ["delegated_admin.created", "delegated_admin.approval_requested"] {
        let q = format!(
            "select count(*) from audit_event a join bulk_item i on i.result_id = a.subject_id where a.action = '{action}'"
        );
        assert_eq!(scalar(&app, &q).await, n, "{action}");
    }
    let listed =
        app.ok(&contoso, "{ bulkOperations(first: 5) { totalCount nodes { id status } } }", json!({})).await;
    assert_eq!(listed["bulkOperations"]["nodes"][0]["id"], id);
    assert_eq!(app.audit_count("bulk_operation.started").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn two_starts_with_one_key_at_once_make_one_operation(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ids: Vec<String> = customers(&app, &contoso).await.into_iter().map(|c| c.id).collect();
    let input = request_input(&app, &ids, "race", "Race").await;
    let q = start_q();
    let (a, b) = tokio::join!(
        app.ok(&contoso, &q, json!({ "i": input })),
        app.ok(&contoso, &q, json!({ "i": input }))
    );
    assert_eq!(
        a["startBulkOperation"]["bulkOperation"]["id"],
        b["startBulkOperation"]["bulkOperation"]["id"]
    );
    assert_eq!(scalar(&app, "select count(*) from bulk_operation").await, 1);
    assert_eq!(scalar(&app, "select count(*) from bulk_item").await, ids.len() as i64);
}

#[sqlx::test(migrations = "../migrations")]
async fn cancel_skips_what_is_pending(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ids: Vec<String> = customers(&app, &contoso).await.into_iter().map(|c| c.id).collect();
    let started =
        app.ok(&contoso, &start_q(), json!({ "i": request_input(&app, &ids, "c", "Cancel").await })).await;
    let id = started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned();
    // A sales agent of the same partner may not; another partner does not see it.
    let sales = app.sign_in("sales@contoso.demo").await;
    assert_eq!(
        code(&app.gql(Some(&sales), &id_q("cancelBulkOperation"), json!({ "i": { "id": id } })).await),
        "FORBIDDEN"
    );
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    assert_eq!(
        code(&app.gql(Some(&fabrikam), &id_q("cancelBulkOperation"), json!({ "i": { "id": id } })).await),
        "NOT_FOUND"
    );

    let cancelled = app.ok(&contoso, &id_q("cancelBulkOperation"), json!({ "i": { "id": id } })).await;
    let op = &cancelled["cancelBulkOperation"]["bulkOperation"];
    assert_eq!(op["status"], "CANCELLED");
    assert_eq!(op["progress"]["skipped"], ids.len());
    assert_eq!(work(&app).await, 0);
    assert_eq!(
        scalar(&app, "select count(*) from delegated_admin_relationship where display_name like 'Cancel%'")
            .await,
        0
    );
    // Nothing is left to cancel, and a cancelled operation is not retried (its skipped
    // customers would stay untouched while it read as done).
    for m in ["cancelBulkOperation", "retryFailedItems"] {
        assert_eq!(
            code(&app.gql(Some(&contoso), &id_q(m), json!({ "i": { "id": id } })).await),
            "INVALID_STATE_TRANSITION",
            "{m}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn retry_runs_only_the_failures(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let all = customers(&app, &contoso).await;
    let ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    // A draft already holds the name one item would take: that item fails with CONFLICT, as
    // the single mutation would.
    let azure = app.service_id("Azure").await;
    let taken = format!("Retry · {}", all[0].name);
    let draft = app
        .ok(&contoso, "mutation($i: CreateDelegatedAdminRelationshipInput!) { createDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            json!({ "i": { "customerId": ids[0], "terms": { "displayName": taken, "roles": ["SUPPORT"], "serviceIds": [azure], "duration": "P30D" } } }))
        .await;
    let draft_id = draft["createDelegatedAdminRelationship"]["delegatedAdminRelationship"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started =
        app.ok(&contoso, &start_q(), json!({ "i": request_input(&app, &ids, "r", "Retry").await })).await;
    let id = started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned();
    work(&app).await;
    let op = read(&app, &contoso, &id).await;
    assert_eq!(op["status"], "PARTIALLY_FAILED");
    assert_eq!(op["progress"]["failed"], 1);
    let failed = &op["items"]["edges"][0]["node"];
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["code"], "CONFLICT");
    assert!(failed["reason"].as_str().unwrap().contains("name"));

    app.ok(&contoso, "mutation($i: DelegatedAdminRelationshipIdInput!) { deleteDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
        json!({ "i": { "id": draft_id } })).await;
    let retried = app.ok(&contoso, &id_q("retryFailedItems"), json!({ "i": { "id": id } })).await;
    assert_eq!(retried["retryFailedItems"]["bulkOperation"]["progress"]["pending"], 1);
    assert_eq!(work(&app).await, 1, "only the failure runs again");
    let op = read(&app, &contoso, &id).await;
    assert_eq!(op["status"], "SUCCEEDED");
    let attempts: Vec<i64> = op["items"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["attempt"].as_i64().unwrap())
        .collect();
    assert_eq!(attempts[0], 2);
    assert!(attempts[1..].iter().all(|a| *a == 1));
    assert_eq!(
        scalar(&app, "select count(*) from delegated_admin_relationship where display_name like 'Retry · %'")
            .await,
        ids.len() as i64
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn terminate_skips_customers_without_an_active_relationship(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ids: Vec<String> = customers(&app, &contoso).await.into_iter().map(|c| c.id).collect();
    let active_before = scalar(&app, "select count(*) from delegated_admin_relationship d join organization o on o.organization_id = d.partner_id where o.name = 'Contoso' and d.status = 'ACTIVE'").await;
    let input = json!({ "kind": "TERMINATE_DELEGATED_ADMIN", "customerIds": ids, "idempotencyKey": "t" });
    let started = app.ok(&contoso, &start_q(), json!({ "i": input })).await;
    let id = started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned();
    work(&app).await;
    let op = read(&app, &contoso, &id).await;
    assert_eq!(op["progress"]["pending"], 0);
    assert_eq!(op["progress"]["failed"], 0, "{op:#}");
    let skipped = op["progress"]["skipped"].as_i64().unwrap();
    let succeeded = op["progress"]["succeeded"].as_i64().unwrap();
    assert_eq!(skipped + succeeded, ids.len() as i64);
    assert!(active_before == 0 || succeeded > 0);
    let active_after = scalar(&app, "select count(*) from delegated_admin_relationship d join organization o on o.organization_id = d.partner_id where o.name = 'Contoso' and d.status = 'ACTIVE' and d.ends_at > now()").await;
    assert_eq!(active_after, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_search_selects_every_match(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let all = customers(&app, &contoso).await;
    let word = all[0].name.split_whitespace().next().unwrap().to_owned();
    let matching = all.iter().filter(|c| c.name.to_lowercase().contains(&word.to_lowercase())).count();
    let azure = app.service_id("Azure").await;
    let input = json!({ "kind": "DELEGATED_ADMIN_REQUEST", "filter": { "search": word }, "idempotencyKey": "s",
        "terms": { "displayName": "Search", "roles": ["SUPPORT"], "serviceIds": [azure], "duration": "P90D" } });
    let started = app.ok(&contoso, &start_q(), json!({ "i": input })).await;
    assert_eq!(started["startBulkOperation"]["bulkOperation"]["progress"]["total"], matching);
}

#[sqlx::test(migrations = "../migrations")]
async fn other_tenants_lower_roles_and_hostile_input_are_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ids: Vec<String> = customers(&app, &contoso).await.into_iter().map(|c| c.id).collect();
    let input = request_input(&app, &ids, "k", "Mine").await;
    let started = app.ok(&contoso, &start_q(), json!({ "i": input })).await;
    let id = started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned();

    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let q = "query($id: ID!) { node(id: $id) { id } }";
    assert_eq!(code(&app.gql(Some(&fabrikam), q, json!({ "id": id })).await), "NOT_FOUND");
    assert_eq!(
        code(&app.gql(Some(&fabrikam), &id_q("retryFailedItems"), json!({ "i": { "id": id } })).await),
        "NOT_FOUND"
    );
    let theirs = app.ok(&fabrikam, "{ bulkOperations { totalCount } }", json!({})).await;
    assert_eq!(theirs["bulkOperations"]["totalCount"], 0);
    // Fabrikam may not name Contoso's customers it does not see.
    let foreign = request_input(&app, &ids, "k", "Theirs").await;
    let body = app.gql(Some(&fabrikam), &start_q(), json!({ "i": foreign })).await;
    assert!(matches!(code(&body), "NOT_FOUND"), "{body:#}");

    let sales = app.sign_in("sales@contoso.demo").await;
    let lower = request_input(&app, &ids, "k2", "Sales").await;
    assert_eq!(code(&app.gql(Some(&sales), &start_q(), json!({ "i": lower })).await), "FORBIDDEN");
    let customer = app.sign_in("globaladmin@woodgrove.demo").await;
    assert_eq!(
        code(
            &app.gql(Some(&customer), &start_q(), json!({ "i": request_input(&app, &ids, "k3", "C").await }))
                .await
        ),
        "FORBIDDEN"
    );

    let bad = |patch: Value| {
        let mut i = input.clone();
        for (k, v) in patch.as_object().unwrap() {
            i[k] = v.clone();
        }
        i
    };
    let mut terms_nul = input.clone();
    terms_nul["terms"]["displayName"] = json!("a\u{0}b");
    terms_nul["idempotencyKey"] = json!("nul-terms");
    let many: Vec<String> = (0..5001).map(|n| global_id("Customer", uuid::Uuid::from_u128(n))).collect();
    let cases = [
        bad(json!({ "idempotencyKey": "k\u{0}ey" })),
        bad(json!({ "idempotencyKey": "x".repeat(201) })),
        bad(json!({ "idempotencyKey": "" })),
        terms_nul,
        bad(json!({ "idempotencyKey": "both", "filter": { "search": "a" } })),
        bad(json!({ "idempotencyKey": "none", "customerIds": [] })),
        bad(json!({ "idempotencyKey": "bad-id", "customerIds": ["not an id"] })),
        bad(json!({ "idempotencyKey": "no-terms", "terms": {} })),
    ];
    for i in cases {
        let body = app.gql(Some(&contoso), &start_q(), json!({ "i": i })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body:#}");
    }
    // More customers than allowed: refused whole, by the body limit or by the rule.
    let resp = app
        .client
        .post("/graphql")
        .header("Authorization", format!("Bearer {contoso}"))
        .body_json(&json!({ "query": start_q(), "variables": { "i": bad(json!({ "idempotencyKey": "many", "customerIds": many })) } }))
        .send()
        .await;
    if resp.0.status() == poem::http::StatusCode::OK {
        let body: Value = resp.json().await.value().deserialize();
        assert_eq!(code(&body), "BAD_USER_INPUT");
    } else {
        assert_eq!(resp.0.status(), poem::http::StatusCode::PAYLOAD_TOO_LARGE);
    }
    let unknown = bad(
        json!({ "idempotencyKey": "unknown", "customerIds": [global_id("Customer", uuid::Uuid::from_u128(7))] }),
    );
    assert_eq!(code(&app.gql(Some(&contoso), &start_q(), json!({ "i": unknown })).await), "NOT_FOUND");
    assert_eq!(scalar(&app, "select count(*) from bulk_operation").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn bulk_invitations_are_written_in_the_terms_language(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ids: Vec<String> = customers(&app, &contoso).await.into_iter().map(|c| c.id).take(2).collect();
    let q =
        "mutation($i: StartBulkOperationInput!) { startBulkOperation(input: $i) { bulkOperation { id } } }";
    let mut ops = Vec::new();
    for (key, language) in [("zh", Some("ZH_CN")), ("en", None)] {
        let mut terms = json!({ "message": "Hello" });
        if let Some(l) = language {
            terms["language"] = json!(l);
        }
        let input =
            json!({ "kind": "INVITATION", "customerIds": ids, "idempotencyKey": key, "terms": terms });
        let started = app.ok(&contoso, q, json!({ "i": input })).await;
        ops.push(started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned());
    }
    work(&app).await;
    let q = "query($id: ID!) { node(id: $id) { ... on BulkOperation { status
        items(first: 10) { edges { node { status result { ... on Invitation { language emailText } } } } } } } }";
    // Given ZH_CN: every invitation stores it and its email is Chinese; none given (and an
    // English request): English.
    for (op, expected) in ops.iter().zip(["ZH_CN", "EN"]) {
        let node = app.ok(&contoso, q, json!({ "id": op })).await["node"].clone();
        assert_eq!(node["status"], "SUCCEEDED", "{node:#}");
        let items = node["items"]["edges"].as_array().unwrap();
        assert_eq!(items.len(), ids.len());
        for item in items {
            let invitation = &item["node"]["result"];
            assert_eq!(invitation["language"], expected, "{node:#}");
            let chinese = invitation["emailText"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert_eq!(chinese, expected == "ZH_CN", "{invitation:#}");
        }
    }
}

// ---- Issue 13's leftovers: transient failures, terms at start, per relationship, names,
// ---- statements per page, the canonical idempotency hash.

use multichannel::db::demo::Seeder;
use multichannel::domain::bulk::{MAX_TRIES, RETRY_CAP_SECONDS};
use multichannel::domain::{DelegatedAdminOrigin, DelegatedRole, RelationshipKind};

async fn org_id(app: &TestApp, name: &str) -> uuid::Uuid {
    sqlx::query_scalar("select organization_id from organization where name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

async fn service_uuid(app: &TestApp, name: &str) -> uuid::Uuid {
    sqlx::query_scalar("select service_id from service where name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Customers of Contoso with these names (a direct reseller relationship each).
async fn contoso_customers(app: &TestApp, names: &[String]) -> Vec<String> {
    let contoso = org_id(app, "Contoso Cloud Direct").await;
    let mut conn = app.pool.acquire().await.unwrap();
    let mut s = Seeder::new(&mut conn, start_of_tests(), PASSWORD).unwrap();
    let mut ids = Vec::new();
    for (n, name) in names.iter().enumerate() {
        let c = s.customer(name, &format!("leftover{n}")).await.unwrap();
        s.relationship(c, contoso, RelationshipKind::Direct, None).await.unwrap();
        ids.push(global_id("Customer", c));
    }
    ids
}

fn items_of(op: &Value) -> Vec<Value> {
    op["items"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
}

const ITEM_Q: &str = "query($id: ID!) { node(id: $id) { ... on BulkOperation { status
    progress { pending succeeded failed skipped }
    items(first: 100) { edges { node { status code reason attempt tries notBefore customer { name }
      result { ... on DelegatedAdminRelationship { displayName } } } } } } } }";

#[sqlx::test(migrations = "../migrations")]
async fn a_transient_failure_waits_retries_and_fails_after_the_last_try_without_holding_up_the_rest(
    pool: PgPool,
) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let all = customers(&app, &contoso).await;
    assert!(all.len() >= 2);
    let ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    // The test holds the row the first customer's draft share-locks (its reseller relationship
    // with Contoso): that item's statement waits past the item's lock timeout (55P03).
    let mut holder = app.pool.begin().await.unwrap();
    let held: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select r.relationship_id from reseller_relationship r
           join organization c on c.organization_id = r.customer_id
           join organization p on p.organization_id = r.partner_id
         where c.name = $1 and p.name = 'Contoso Cloud Direct' and r.status = 'ACTIVE' for update of r",
    )
    .bind(&all[0].name)
    .fetch_all(&mut *holder)
    .await
    .unwrap();
    assert!(!held.is_empty());
    let started =
        app.ok(&contoso, &start_q(), json!({ "i": request_input(&app, &ids, "lock", "Locked").await })).await;
    let id = started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned();

    // Every item is worked on; the locked one waits, the others finish.
    assert_eq!(work(&app).await, ids.len());
    let op = app.ok(&contoso, ITEM_Q, json!({ "id": id })).await["node"].clone();
    let items = items_of(&op);
    assert_eq!(items[0]["status"], "PENDING", "{op:#}");
    assert_eq!(items[0]["code"], "TIMEOUT");
    assert_eq!(items[0]["tries"], 1);
    assert!(items[0]["notBefore"].is_string());
    assert!(items[1..].iter().all(|i| i["status"] == "SUCCEEDED"), "{op:#}");
    // Not due yet: nothing is claimed, so the drain ends instead of spinning on it.
    assert_eq!(work(&app).await, 0);

    for tries in 2..=MAX_TRIES {
        app.advance(chrono::Duration::seconds(RETRY_CAP_SECONDS + 1));
        assert_eq!(work(&app).await, 1, "try {tries}");
        let op = app.ok(&contoso, ITEM_Q, json!({ "id": id })).await["node"].clone();
        let first = &items_of(&op)[0];
        assert_eq!(first["tries"], tries, "{op:#}");
        assert_eq!(first["attempt"], 1);
        let expected = if tries == MAX_TRIES { "FAILED" } else { "PENDING" };
        assert_eq!(first["status"], expected, "{op:#}");
        assert_eq!(first["code"], "TIMEOUT");
    }
    let op = app.ok(&contoso, ITEM_Q, json!({ "id": id })).await["node"].clone();
    assert_eq!(op["status"], "PARTIALLY_FAILED");
    assert_eq!(op["progress"]["failed"], 1);
    holder.rollback().await.unwrap();

    // Released: retrying the failure succeeds, on a new attempt with fresh tries.
    app.ok(&contoso, &id_q("retryFailedItems"), json!({ "i": { "id": id } })).await;
    assert_eq!(work(&app).await, 1);
    let op = app.ok(&contoso, ITEM_Q, json!({ "id": id })).await["node"].clone();
    let first = &items_of(&op)[0];
    assert_eq!(first["status"], "SUCCEEDED", "{op:#}");
    assert_eq!(first["attempt"], 2);
    assert_eq!(first["tries"], 0);
    assert_eq!(op["status"], "SUCCEEDED");
}

#[sqlx::test(migrations = "../migrations")]
async fn terms_that_do_not_depend_on_the_customer_are_refused_at_start(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ids: Vec<String> = customers(&app, &contoso).await.into_iter().map(|c| c.id).collect();
    let start = |token: String, input: Value| {
        let app = &app;
        async move { app.gql(Some(&token), &start_q(), json!({ "i": input })).await }
    };
    // An unknown service, as createDelegatedAdminRelationship answers it.
    let mut unknown = request_input(&app, &ids, "svc", "Svc").await;
    unknown["terms"]["serviceIds"] = json!([global_id("Service", uuid::Uuid::from_u128(99))]);
    assert_eq!(code(&start(contoso.clone(), unknown).await), "BAD_USER_INPUT");
    // An invitation's expiry in the past, or beyond 90 days.
    for (key, days) in [("past", -1), ("late", 91)] {
        let at = (start_of_tests() + chrono::Duration::days(days)).to_rfc3339();
        let input = json!({ "kind": "INVITATION", "customerIds": ids, "idempotencyKey": key,
                            "terms": { "expiresAt": at } });
        assert_eq!(code(&start(contoso.clone(), input).await), "BAD_USER_INPUT", "{key}");
    }
    // Only an indirect provider names a reseller, and only one in an active partnership.
    let tailspin = global_id("Partner", org_id(&app, "Tailspin Solutions").await);
    let input = json!({ "kind": "INVITATION", "customerIds": ids, "idempotencyKey": "direct-reseller",
                        "terms": { "indirectResellerId": tailspin } });
    assert_eq!(code(&start(contoso.clone(), input).await), "BAD_USER_INPUT");
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let theirs: Vec<String> = customers(&app, &fabrikam).await.into_iter().map(|c| c.id).collect();
    let contoso_partner = global_id("Partner", org_id(&app, "Contoso Cloud Direct").await);
    let input = json!({ "kind": "INVITATION", "customerIds": theirs, "idempotencyKey": "not-partnered",
                        "terms": { "indirectResellerId": contoso_partner } });
    assert_eq!(code(&start(fabrikam.clone(), input).await), "RESELLER_NOT_PARTNERED");
    // Programs that may not invite.
    let northwind = app.sign_in("admin@northwind.demo").await;
    let nw: Vec<String> = customers(&app, &northwind).await.into_iter().map(|c| c.id).collect();
    if !nw.is_empty() {
        let input = json!({ "kind": "INVITATION", "customerIds": nw, "idempotencyKey": "reseller" });
        assert_eq!(code(&start(northwind.clone(), input).await), "INDIRECT_RESELLER_CANNOT_INVITE");
    }
    assert_eq!(scalar(&app, "select count(*) from bulk_operation").await, 0, "nothing was started");
    assert_eq!(scalar(&app, "select count(*) from bulk_item").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn auto_extend_handles_each_relationship_on_its_own_and_skips_no_ops(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso_id = org_id(&app, "Contoso Cloud Direct").await;
    let woodgrove = org_id(&app, "Woodgrove Bank").await;
    let azure = service_uuid(&app, "Azure").await;
    // Woodgrove already gives Contoso GLOBAL_ADMIN (which may not auto-extend); add a support
    // relationship to change, and one already extending (a no-op). Another customer has only
    // a relationship already extending.
    let names = contoso_customers(&app, &["Leftover Quiet Ltd".to_owned()]).await;
    let quiet = org_id(&app, "Leftover Quiet Ltd").await;
    {
        let mut conn = app.pool.acquire().await.unwrap();
        let mut s = Seeder::new(&mut conn, start_of_tests(), PASSWORD).unwrap();
        for (name, customer) in
            [("Leftover support", woodgrove), ("Leftover on", woodgrove), ("Quiet on", quiet)]
        {
            s.delegated_admin(
                name,
                contoso_id,
                customer,
                &[DelegatedRole::Support],
                &[azure],
                90,
                10,
                DelegatedAdminOrigin::PartnerRequest,
            )
            .await
            .unwrap();
        }
    }
    sqlx::query("update delegated_admin_relationship set auto_extend = 'P180D' where display_name in ('Leftover on', 'Quiet on')")
        .execute(&app.pool)
        .await
        .unwrap();
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ids = vec![global_id("Customer", woodgrove), names[0].clone()];
    let input = json!({ "kind": "SET_AUTO_EXTEND", "customerIds": ids, "idempotencyKey": "ae",
                        "terms": { "autoExtend": "P180D" } });
    let started = app.ok(&contoso, &start_q(), json!({ "i": input })).await;
    let id = started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned();
    work(&app).await;
    let op = app.ok(&contoso, ITEM_Q, json!({ "id": id })).await["node"].clone();
    let items = items_of(&op);
    // Woodgrove: the global admin relationship's refusal fails the item, and decides nothing
    // about the others: the support one changed, the one already extending was left alone.
    assert_eq!(items[0]["status"], "FAILED", "{op:#}");
    assert_eq!(items[0]["code"], "BAD_USER_INPUT");
    assert!(items[0]["reason"].as_str().unwrap().contains("1 other relationship"), "{op:#}");
    let value = |name: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "select auto_extend from delegated_admin_relationship where display_name = $1",
            )
            .bind(name)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(value("Leftover support").await, "P180D");
    assert_eq!(value("Woodgrove Dynamics admin").await, "P0D");
    // The quiet customer: nothing to change, SKIPPED with the reason.
    assert_eq!(items[1]["status"], "SKIPPED", "{op:#}");
    assert!(items[1]["reason"].as_str().unwrap().contains("already P180D"), "{op:#}");
    // One audit event: the one change. No-ops write none.
    assert_eq!(app.audit_count("delegated_admin.auto_extend_changed").await, 1);

    // Retried, the item finds the support relationship done and fails only on the refusal.
    app.ok(&contoso, &id_q("retryFailedItems"), json!({ "i": { "id": id } })).await;
    work(&app).await;
    assert_eq!(app.audit_count("delegated_admin.auto_extend_changed").await, 1);

    // Terminating ends each relationship on its own: all three of Woodgrove's.
    let input = json!({ "kind": "TERMINATE_DELEGATED_ADMIN", "customerIds": [global_id("Customer", woodgrove)], "idempotencyKey": "t" });
    let started = app.ok(&contoso, &start_q(), json!({ "i": input })).await;
    let id = started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned();
    work(&app).await;
    let op = app.ok(&contoso, ITEM_Q, json!({ "id": id })).await["node"].clone();
    assert_eq!(items_of(&op)[0]["status"], "SUCCEEDED", "{op:#}");
    let left = format!(
        "select count(*) from delegated_admin_relationship where partner_id = '{contoso_id}' and customer_id = '{woodgrove}' and status = 'ACTIVE'"
    );
    assert_eq!(scalar(&app, &left).await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn customers_whose_long_names_start_alike_get_distinct_display_names(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let common = "Shanghai Pudong Advanced Manufacturing Cooperative Holdings ".to_owned();
    assert!(common.chars().count() >= 60);
    let names = vec![format!("{common}North"), format!("{common}South")];
    let ids = contoso_customers(&app, &names).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let started = app
        .ok(&contoso, &start_q(), json!({ "i": request_input(&app, &ids, "names", "Q3 rights").await }))
        .await;
    let id = started["startBulkOperation"]["bulkOperation"]["id"].as_str().unwrap().to_owned();
    work(&app).await;
    let op = app.ok(&contoso, ITEM_Q, json!({ "id": id })).await["node"].clone();
    assert_eq!(op["status"], "SUCCEEDED", "{op:#}");
    let shown: Vec<String> =
        items_of(&op).iter().map(|i| i["result"]["displayName"].as_str().unwrap().to_owned()).collect();
    assert_ne!(shown[0], shown[1]);
    assert!(
        shown.iter().all(|n| n.starts_with("Q3 rights · Shanghai") && n.chars().count() <= 50),
        "{shown:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn terms_the_kind_does_not_use_do_not_change_the_idempotency_hash(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let ids: Vec<String> = customers(&app, &contoso).await.into_iter().map(|c| c.id).collect();
    let first = json!({ "kind": "TERMINATE_DELEGATED_ADMIN", "customerIds": ids, "idempotencyKey": "same" });
    let a = app.ok(&contoso, &start_q(), json!({ "i": first })).await;
    // A retry from a client that also sends fields terminating does not use.
    let extra = json!({ "kind": "TERMINATE_DELEGATED_ADMIN", "customerIds": ids, "idempotencyKey": "same",
                        "terms": { "message": "ignored", "displayName": "ignored", "autoExtend": null, "roles": [] } });
    let b = app.ok(&contoso, &start_q(), json!({ "i": extra })).await;
    assert_eq!(
        a["startBulkOperation"]["bulkOperation"]["id"],
        b["startBulkOperation"]["bulkOperation"]["id"]
    );
    // A delegated admin request: an expiry it ignores, and a blank message.
    let mut req = request_input(&app, &ids, "same-request", "Same").await;
    let a = app.ok(&contoso, &start_q(), json!({ "i": req })).await;
    req["terms"]["expiresAt"] = json!((start_of_tests() + chrono::Duration::days(3)).to_rfc3339());
    req["terms"]["message"] = json!("");
    let b = app.ok(&contoso, &start_q(), json!({ "i": req })).await;
    assert_eq!(
        a["startBulkOperation"]["bulkOperation"]["id"],
        b["startBulkOperation"]["bulkOperation"]["id"]
    );
    // What the kind uses still counts.
    req["terms"]["duration"] = json!("P30D");
    assert_eq!(code(&app.gql(Some(&contoso), &start_q(), json!({ "i": req })).await), "CONFLICT");
    assert_eq!(scalar(&app, "select count(*) from bulk_operation").await, 2);
}
