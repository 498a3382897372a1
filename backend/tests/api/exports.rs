//! CSV exports: the API's visibility and filters, the file's shape (BOM, quoting, formulas
//! defused, heads in the asked language), refusals, and streaming a large export in pieces.

use crate::helpers::*;
use futures_util::StreamExt;
use serde_json::json;
use sqlx::PgPool;
use std::collections::BTreeSet;

const BOM: &str = "\u{feff}";

/// The export's status, headers and text.
async fn export(
    app: &TestApp,
    token: Option<&str>,
    url: &str,
    lang: Option<&str>,
) -> (u16, poem::http::HeaderMap, String) {
    let mut req = app.client.get(url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    if let Some(l) = lang {
        req = req.header("Accept-Language", l);
    }
    let resp = req.send().await.0;
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    let text = resp.into_body().into_string().await.unwrap();
    (status, headers, text)
}

/// The CSV's records (BOM stripped), heads first.
fn records(text: &str) -> Vec<Vec<String>> {
    let body = text.strip_prefix(BOM).unwrap_or_else(|| panic!("no BOM: {text:.80}"));
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// How many audit events the API shows the viewer (every page).
async fn audit_events(app: &TestApp, token: &str) -> usize {
    let (mut n, mut after) = (0, None::<String>);
    loop {
        let data = app
            .ok(
                token,
                "query($a: String) { auditEvents(first: 100, after: $a) { edges { node { sequence } } pageInfo { hasNextPage endCursor } } }",
                json!({ "a": after }),
            )
            .await;
        let c = &data["auditEvents"];
        n += c["edges"].as_array().unwrap().len();
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return n;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

fn column(rows: &[Vec<String>], i: usize) -> Vec<String> {
    rows.iter().skip(1).map(|r| r[i].clone()).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_partners_export_holds_only_what_it_sees(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    for (email, count) in
        [("admin@contoso.demo", 3), ("admin@litware.demo", 1), ("operator@21vianet.demo", 12)]
    {
        let token = app.sign_in(email).await;
        let (status, headers, text) = export(&app, Some(&token), "/export/subscriptions.csv", None).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
        assert_eq!(headers["content-disposition"], "attachment; filename=\"subscriptions.csv\"");
        let names: BTreeSet<String> = column(&records(&text), 0).into_iter().collect();
        let api: BTreeSet<String> = visible_subscription_names(&app, &token).await.into_iter().collect();
        assert_eq!(names, api, "{email}: the export is the API's list");
        assert_eq!(names.len(), count, "{email}");

        // The book: the customers list of the API, no other tenant's.
        let (_, _, text) = export(&app, Some(&token), "/export/book.csv", None).await;
        let book: BTreeSet<String> = column(&records(&text), 0).into_iter().collect();
        let data = app.ok(&token, "{ customers(first: 100) { edges { node { name } } } }", json!({})).await;
        let api: BTreeSet<String> = data["customers"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(book, api, "{email}: the book export is the API's customers");

        // The audit log: the events the API shows, by id.
        let (_, _, text) = export(&app, Some(&token), "/export/audit.csv", None).await;
        let exported = records(&text).len() - 1;
        assert_eq!(exported, audit_events(&app, &token).await, "{email}: audit rows");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn filters_and_order_are_the_lists(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let op = app.sign_in("operator@21vianet.demo").await;
    let query = "query($f: SubscriptionFilter, $o: SubscriptionOrder) { subscriptions(first: 100, filter: $f, orderBy: $o) { edges { node { friendlyName } } } }";
    let api = |data: serde_json::Value| -> Vec<String> {
        data["subscriptions"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["friendlyName"].as_str().unwrap().to_owned())
            .collect()
    };
    let woodgrove = app.org_id("Woodgrove Bank").await;
    let cases = [
        ("channel=CSP_INDIRECT", json!({ "channel": "CSP_INDIRECT" }), json!(null)),
        ("q=azure", json!({ "search": "azure" }), json!(null)),
        (
            "status=ACTIVE&sort=-seats",
            json!({ "status": "ACTIVE" }),
            json!({ "field": "QUANTITY", "direction": "DESC" }),
        ),
        (
            &*format!("customer={woodgrove}&sort=ordered"),
            json!({ "customerId": woodgrove }),
            json!({ "field": "CREATED_AT", "direction": "ASC" }),
        ),
    ];
    for (params, filter, order) in cases {
        let (status, _, text) =
            export(&app, Some(&op), &format!("/export/subscriptions.csv?{params}"), None).await;
        assert_eq!(status, 200, "{params}: {text}");
        let expected = api(app.ok(&op, query, json!({ "f": filter, "o": order })).await);
        assert!(!expected.is_empty(), "{params}");
        assert_eq!(column(&records(&text), 0), expected, "{params}");
    }
    // The audit search finds what the log's search finds.
    let contoso = app.sign_in("admin@contoso.demo").await;
    app.ok(
        &contoso,
        "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }",
        json!({ "i": { "audience": "ANY_CUSTOMER" } }),
    )
    .await;
    let (_, _, text) = export(&app, Some(&op), "/export/audit.csv?q=invitation", None).await;
    let actions = column(&records(&text), 1);
    assert!(!actions.is_empty() && actions.iter().all(|a| a.contains("invitation")), "{actions:?}");
    // A bad filter is refused, not ignored.
    let (status, _, _) = export(&app, Some(&op), "/export/subscriptions.csv?channel=NOPE", None).await;
    assert_eq!(status, 400);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_file_is_excel_safe(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let nasty = "=HYPERLINK(\"http://x\",\"点击\"), \"quoted\"\nnext line";
    sqlx::query("update subscription set friendly_name = $1 where friendly_name = 'Woodgrove Office 365 E3'")
        .bind(nasty)
        .execute(&app.pool)
        .await
        .unwrap();
    let op = app.sign_in("operator@21vianet.demo").await;
    let (_, _, text) = export(&app, Some(&op), "/export/subscriptions.csv", None).await;
    assert!(text.starts_with(BOM), "UTF-8 with a BOM");
    let rows = records(&text);
    assert_eq!(rows[0][0], "Subscription");
    let names = column(&rows, 0);
    assert!(names.contains(&format!("'{nasty}")), "defused and quoted back intact: {names:?}");
    assert!(names.iter().all(|n| !n.starts_with(['=', '+', '-', '@'])));
    // Heads in the request's language.
    let (_, _, text) =
        export(&app, Some(&op), "/export/subscriptions.csv", Some("zh-CN,zh;q=0.9,en;q=0.5")).await;
    assert_eq!(records(&text)[0][0], "订阅");
    let (_, _, text) = export(&app, Some(&op), "/export/book.csv", Some("zh-CN")).await;
    assert_eq!(records(&text)[0][0], "客户");
}

#[sqlx::test(migrations = "../migrations")]
async fn exports_need_a_token(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    for url in ["/export/book.csv", "/export/subscriptions.csv", "/export/audit.csv"] {
        let (status, headers, _) = export(&app, None, url, None).await;
        assert_eq!(status, 401, "{url}");
        assert_eq!(headers["www-authenticate"], "Bearer");
        let (status, _, _) = export(&app, Some("not-a-token"), url, None).await;
        assert_eq!(status, 401, "{url}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_large_export_streams_in_pieces(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    sqlx::query(
        "insert into subscription (customer_id, offer_id, service_id, friendly_name, quantity, assigned_seats, \
           status, billing_cycle, term_duration, effective_start, commitment_end, auto_renew, purchase_channel, \
           partner_of_record_id, indirect_reseller_id, created_at, updated_at) \
         select customer_id, offer_id, service_id, friendly_name || ' #' || lpad(i::text, 6, '0'), quantity, \
           assigned_seats, status, billing_cycle, term_duration, effective_start, commitment_end, auto_renew, \
           purchase_channel, partner_of_record_id, indirect_reseller_id, created_at, updated_at \
         from subscription, generate_series(1, 100000) i where friendly_name = 'Woodgrove Office 365 E3'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let op = app.sign_in("operator@21vianet.demo").await;
    let resp = app
        .client
        .get("/export/subscriptions.csv")
        .header("Authorization", format!("Bearer {op}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    let mut chunks = 0;
    let mut lines = 0;
    let mut largest = 0;
    let mut body = resp.0.into_body().into_bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        chunks += 1;
        largest = largest.max(chunk.len());
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    assert_eq!(lines, 1 + 12 + 100_000, "heads and every row");
    assert!(chunks > 100, "sent a page at a time, not all at once: {chunks} chunks");
    assert!(largest < 1_000_000, "no chunk holds the whole file: {largest} bytes");
}
