//! Bulk operations against the real release server: 500 customers, a delegated admin request
//! for all of them, the server killed with SIGKILL halfway and restarted on the same database.
//! Every item must end exactly once, with one relationship and one audit event of each kind per
//! success. And, in the browser, three customers picked on the book page.

use anyhow::{Context, Result, bail};
use e2e::{Browser, DEMO_PASSWORD, Server};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 500;

fn database_url(server: &Server) -> Result<String> {
    let mut url = reqwest::Url::parse(&std::env::var("DATABASE_URL")?)?;
    url.set_path(&server.database);
    Ok(url.to_string())
}

async fn ok(server: &Server, token: &str, query: &str, variables: Value) -> Result<Value> {
    let body = server.graphql(Some(token), query, variables).await?;
    if body.get("errors").is_some() {
        bail!("unexpected errors: {body:#}");
    }
    Ok(body["data"].clone())
}

/// Contoso creates the customers, as a partner does, a few at a time.
async fn create_customers(server: &Server, token: &str, n: usize) -> Result<()> {
    let q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }";
    let results: Vec<Result<Value>> = futures_util::stream::iter(0..n)
        .map(|i| async move {
            let input = json!({ "name": format!("Bulk Customer {i:03}"), "primaryDomain": format!("bulk{i:03}.partner.onmschina.cn"),
                "country": "CN", "adminEmail": format!("admin@bulk{i:03}.example"), "adminDisplayName": "Admin",
                "adminPassword": "bulk-customer-password-1" });
            ok(server, token, q, json!({ "i": input })).await
        })
        .buffer_unordered(8)
        .collect()
        .await;
    for r in results {
        r?;
    }
    Ok(())
}

async fn azure(server: &Server, token: &str) -> Result<String> {
    let data = ok(server, token, "{ catalog { services { id name } } }", json!({})).await?;
    data["catalog"]["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "Azure"))
        .and_then(|s| s["id"].as_str())
        .map(str::to_owned)
        .context("no Azure service")
}

async fn finished(db: &sqlx::PgPool) -> Result<i64> {
    Ok(sqlx::query_scalar("select count(*) from bulk_item where status <> 'PENDING'").fetch_one(db).await?)
}

async fn scalar(db: &sqlx::PgPool, sql: &'static str) -> Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(db).await?)
}

#[tokio::test]
async fn a_bulk_request_survives_a_killed_server() -> Result<()> {
    let server = Server::start().await?;
    let url = database_url(&server)?;
    let db = sqlx::PgPool::connect(&url).await?;
    let token = server.sign_in("admin@contoso.demo").await?;
    create_customers(&server, &token, CUSTOMERS).await?;

    let input = json!({ "kind": "DELEGATED_ADMIN_REQUEST", "filter": { "search": "Bulk Customer" }, "idempotencyKey": "kill-test",
        "terms": { "displayName": "Kill", "roles": ["SUPPORT"], "serviceIds": [azure(&server, &token).await?], "duration": "P90D" } });
    let start_q = "mutation($i: StartBulkOperationInput!) { startBulkOperation(input: $i) { bulkOperation { id progress { total } } } }";
    let started_at = Instant::now();
    let data = ok(&server, &token, start_q, json!({ "i": input })).await?;
    assert_eq!(data["startBulkOperation"]["bulkOperation"]["progress"]["total"], CUSTOMERS);

    // Kill -9 when about half are done.
    let mut done_before_kill = 0;
    while started_at.elapsed() < Duration::from_secs(120) {
        done_before_kill = finished(&db).await?;
        if done_before_kill >= CUSTOMERS as i64 / 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before_kill = started_at.elapsed();
    let status = std::process::Command::new("kill").args(["-9", &server.pid().to_string()]).status()?;
    assert!(status.success());
    let at_kill = finished(&db).await?;
    assert!(at_kill < CUSTOMERS as i64, "the server was killed before the work was done ({at_kill} done)");
    drop(server);

    // The same database, a new process.
    let restarted_at = Instant::now();
    let server = Server::start_with_database_url(&url).await?;
    let serving = restarted_at.elapsed();
    let mut resumed = None;
    while restarted_at.elapsed() < Duration::from_secs(180) {
        let n = finished(&db).await?;
        if resumed.is_none() && n > at_kill {
            resumed = Some(restarted_at.elapsed());
        }
        if n == CUSTOMERS as i64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let to_finish = restarted_at.elapsed();

    // Every item ended exactly once.
    assert_eq!(finished(&db).await?, CUSTOMERS as i64, "not every item ended");
    let succeeded = scalar(&db, "select count(*) from bulk_item where status = 'SUCCEEDED'").await?;
    assert_eq!(succeeded, CUSTOMERS as i64, "every request succeeds");
    assert_eq!(
        scalar(&db, "select count(distinct result_id) from bulk_item where status = 'SUCCEEDED'").await?,
        succeeded
    );
    assert_eq!(
        scalar(&db, "select count(*) from delegated_admin_relationship where display_name like 'Kill · %'")
            .await?,
        succeeded,
        "one relationship per success, none twice"
    );
    assert_eq!(
        scalar(&db, "select count(*) from (select customer_id from delegated_admin_relationship where display_name like 'Kill · %' group by customer_id having count(*) > 1) d").await?,
        0
    );
    for (action, sql) in [
        (
            "delegated_admin.created",
            "select count(*) from audit_event a join delegated_admin_relationship d on d.relationship_id = a.subject_id where d.display_name like 'Kill · %' and a.action = 'delegated_admin.created'",
        ),
        (
            "delegated_admin.approval_requested",
            "select count(*) from audit_event a join delegated_admin_relationship d on d.relationship_id = a.subject_id where d.display_name like 'Kill · %' and a.action = 'delegated_admin.approval_requested'",
        ),
    ] {
        assert_eq!(scalar(&db, sql).await?, succeeded, "one {action} event per success");
    }
    let op = ok(
        &server,
        &server.sign_in("admin@contoso.demo").await?,
        "{ bulkOperations(first: 1) { nodes { status progress { succeeded } } } }",
        json!({}),
    )
    .await?;
    assert_eq!(op["bulkOperations"]["nodes"][0]["status"], "SUCCEEDED");

    let rate = done_before_kill as f64 / before_kill.as_secs_f64();
    println!(
        "bulk: {CUSTOMERS} items; {at_kill} done when killed after {:.2} s ({rate:.0} items/s before the kill)",
        before_kill.as_secs_f64()
    );
    println!(
        "bulk: restart to serving {:.2} s, to the first resumed item {:.2} s, to all done {:.2} s ({:.0} items/s after the restart)",
        serving.as_secs_f64(),
        resumed.unwrap_or_default().as_secs_f64(),
        to_finish.as_secs_f64(),
        (CUSTOMERS as i64 - at_kill) as f64 / (to_finish - serving).as_secs_f64().max(0.001)
    );
    db.close().await;
    Ok(())
}

#[tokio::test]
async fn a_partner_picks_three_customers_and_watches_the_bulk_request_finish() -> Result<()> {
    let server = Server::start().await?;
    let token = server.sign_in("admin@contoso.demo").await?;
    let q = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }";
    for i in 1..=3 {
        let input = json!({ "name": format!("Browser Pick {i}"), "primaryDomain": format!("browserpick{i}.partner.onmschina.cn"),
            "country": "CN", "adminEmail": format!("admin@browserpick{i}.example"), "adminDisplayName": "Admin",
            "adminPassword": "bulk-customer-password-1" });
        ok(&server, &token, q, json!({ "i": input })).await?;
    }
    let b = Browser::start("bulk").await?;
    let d = b.driver();
    b.open(&server, "/?q=Browser%20Pick").await?;
    b.sign_in("admin@contoso.demo", DEMO_PASSWORD).await?;
    b.wait_text("table", "Browser Pick 3").await?;
    for i in 1..=3 {
        b.tick("//table", &format!("Pick Browser Pick {i}")).await?;
    }
    b.wait_text(".bulk-pick", "3 customers picked").await?;
    b.choose("bulk-kind", "Request delegated admin").await?;
    b.fill("bulk-name", "Browser").await?;
    b.shot("01-bulk-picked").await?;
    b.click_button("Start").await?;
    b.click_button("Yes, start").await?;
    b.wait_text("h1", "Bulk operation").await?;
    b.wait_text(".bulk-status", "Succeeded").await?;
    b.wait_text(".bulk-counts", "3 of 3 done: 3 succeeded, 0 failed, 0 skipped").await?;
    assert!(d.current_url().await?.path().starts_with("/bulk/"));
    b.wait_text(".bulk-recent", "Delegated admin request").await?;
    b.shot("02-bulk-done").await?;
    Ok(())
}
