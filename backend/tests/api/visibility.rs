//! Who sees what: every demo user against every demo subscription and customer.

use crate::helpers::*;
use serde_json::json;
use sqlx::PgPool;
use std::collections::BTreeSet;

const W1: &str = "Woodgrove Office 365 E3";
const W2: &str = "Woodgrove Dynamics 365 Sales";
const W3: &str = "Woodgrove Power BI Pro";
const W4: &str = "Woodgrove Azure plan";
const A1: &str = "Alpine Office 365 E1";
const C1: &str = "Coho Office 365 E3";
const C2: &str = "Coho Azure plan";
const F1: &str = "Fourth Coffee Office 365 E1";
const F2: &str = "Fourth Coffee Power BI Pro";
const M1: &str = "Margie's Office 365 E3";
const M2: &str = "Margie's Dynamics 365 Sales";
const P1: &str = "Proseware Office 365 E1";
const ALL: &[&str] = &[W1, W2, W3, W4, A1, C1, C2, F1, F2, M1, M2, P1];

/// Each demo user and the subscriptions it must see (and no others).
fn expected_subscriptions() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("operator@21vianet.demo", ALL.to_vec()),
        // Partners: what they transact or resell, and what they hold delegated rights for.
        ("admin@contoso.demo", vec![W2, C1, C2]),
        ("sales@contoso.demo", vec![W2, C1, C2]),
        ("helpdesk@contoso.demo", vec![W2, C1, C2]),
        ("admin@fabrikam.demo", vec![W3, M1]),
        ("sales@fabrikam.demo", vec![W3, M1]),
        ("admin@northwind.demo", vec![W3, A1]),
        ("helpdesk@northwind.demo", vec![W3, A1]),
        ("admin@tailspin.demo", vec![W1, M1]),
        ("admin@adatum.demo", vec![W4, F1, F2]),
        ("admin@litware.demo", vec![M2]),
        // Customers: their own, if their role reads subscriptions.
        ("globaladmin@woodgrove.demo", vec![W1, W2, W3, W4]),
        ("billing@woodgrove.demo", vec![W1, W2, W3, W4]),
        ("user@woodgrove.demo", vec![]),
        ("globaladmin@alpineskihouse.demo", vec![A1]),
        ("globaladmin@cohowinery.demo", vec![C1, C2]),
        ("globaladmin@fourthcoffee.demo", vec![F1, F2]),
        ("globaladmin@margiestravel.demo", vec![M1, M2]),
        ("globaladmin@proseware.demo", vec![P1]),
    ]
}

#[sqlx::test(migrations = "../migrations")]
async fn every_demo_user_sees_exactly_its_subscriptions(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let table = expected_subscriptions();
    assert_eq!(table.len(), app.demo.users.len(), "the table covers every demo user");

    let operator = app.sign_in("operator@21vianet.demo").await;
    let all = app
        .ok(&operator, "{ subscriptions(first: 100) { edges { node { id friendlyName } } } }", json!({}))
        .await;
    let ids: Vec<(String, String)> =
        nodes::<Named>(&all["subscriptions"]).into_iter().map(|s| (s.name, s.id)).collect();
    assert_eq!(ids.len(), ALL.len());

    for (email, expected) in table {
        let token = app.sign_in(email).await;
        let seen: BTreeSet<String> = visible_subscription_names(&app, &token).await.into_iter().collect();
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(seen, expected, "subscriptions listed for {email}");

        // Reading by id agrees with the list; an invisible one is NOT_FOUND, like a missing one.
        for (name, id) in &ids {
            let body = app
                .gql(
                    Some(&token),
                    "query($id: ID!) { subscription(id: $id) { friendlyName } }",
                    json!({ "id": id }),
                )
                .await;
            if expected.contains(name) {
                assert_eq!(
                    body["data"]["subscription"]["friendlyName"],
                    name.as_str(),
                    "{email} reads {name}"
                );
            } else {
                assert_eq!(code(&body), "NOT_FOUND", "{email} must not read {name}");
            }
        }
    }
}

fn expected_customers() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "operator@21vianet.demo",
            vec![
                "Alpine Ski House",
                "Coho Winery",
                "Fourth Coffee",
                "Margie's Travel",
                "Proseware",
                "Woodgrove Bank",
            ],
        ),
        ("admin@contoso.demo", vec!["Coho Winery", "Woodgrove Bank"]),
        ("admin@fabrikam.demo", vec!["Alpine Ski House", "Margie's Travel", "Woodgrove Bank"]),
        ("admin@northwind.demo", vec!["Alpine Ski House", "Woodgrove Bank"]),
        ("admin@tailspin.demo", vec!["Margie's Travel", "Woodgrove Bank"]),
        ("admin@adatum.demo", vec!["Fourth Coffee", "Woodgrove Bank"]),
        ("admin@litware.demo", vec!["Margie's Travel"]),
        ("globaladmin@woodgrove.demo", vec!["Woodgrove Bank"]),
        ("user@woodgrove.demo", vec!["Woodgrove Bank"]),
        ("globaladmin@proseware.demo", vec!["Proseware"]),
    ]
}

#[sqlx::test(migrations = "../migrations")]
async fn customers_are_visible_by_relationship_delegation_or_sale(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let operator = app.sign_in("operator@21vianet.demo").await;
    let all = app.ok(&operator, "{ customers(first: 100) { edges { node { id name } } } }", json!({})).await;
    let all: Vec<(String, String)> =
        nodes::<Named>(&all["customers"]).into_iter().map(|c| (c.name, c.id)).collect();

    for (email, expected) in expected_customers() {
        let token = app.sign_in(email).await;
        let data = app
            .ok(&token, "{ customers(first: 100) { totalCount edges { node { name } } } }", json!({}))
            .await;
        let names: Vec<String> = nodes::<Named>(&data["customers"]).into_iter().map(|c| c.name).collect();
        assert_eq!(names, expected, "customers listed for {email}");
        assert_eq!(data["customers"]["totalCount"], expected.len(), "{email}");
        for (name, id) in &all {
            for query in
                ["query($id: ID!) { customer(id: $id) { name } }", "query($id: ID!) { node(id: $id) { id } }"]
            {
                let body = app.gql(Some(&token), query, json!({ "id": id })).await;
                if expected.contains(&name.as_str()) {
                    assert!(body.get("errors").is_none(), "{email} reads {name}: {body}");
                } else {
                    assert_eq!(code(&body), "NOT_FOUND", "{email} must not read {name}");
                }
            }
        }
    }
}
