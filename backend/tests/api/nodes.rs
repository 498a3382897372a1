//! `node` and `nodes`: as the Relay server specification has them, an unknown or hidden id is
//! null with a NOT_FOUND error of its own, and the objects that became nodes are found by id.

use crate::helpers::*;
use serde_json::json;
use sqlx::PgPool;

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";
const NODES: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";

#[sqlx::test(migrations = "../migrations")]
async fn an_unknown_or_hidden_node_is_null_with_not_found(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let coho = app.org_id("Coho Winery").await; // Fabrikam has no tie to Coho Winery
    let hidden = app.gql(Some(&fabrikam), NODE, json!({ "id": coho })).await;
    assert!(hidden["data"]["node"].is_null(), "{hidden}");
    assert_eq!(code(&hidden), "NOT_FOUND");
    assert_eq!(hidden["errors"][0]["path"], json!(["node"]));
    let unknown = multichannel::graphql::ids::encode(
        multichannel::graphql::ids::NodeType::Customer,
        uuid::Uuid::from_u128(42),
    );
    let body = app.gql(Some(&fabrikam), NODE, json!({ "id": unknown })).await;
    assert!(body["data"]["node"].is_null() && code(&body) == "NOT_FOUND", "{body}");
}

#[sqlx::test(migrations = "../migrations")]
async fn nodes_keeps_order_and_reports_each_missing_one_at_its_index(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let (woodgrove, coho, alpine) = (
        app.org_id("Woodgrove Bank").await,
        app.org_id("Coho Winery").await,
        app.org_id("Alpine Ski House").await,
    );
    let body = app.gql(Some(&fabrikam), NODES, json!({ "ids": [woodgrove, coho, alpine] })).await;
    let found = &body["data"]["nodes"];
    assert_eq!(found[0]["id"], woodgrove);
    assert!(found[1].is_null());
    assert_eq!(found[2]["id"], alpine);
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["extensions"]["code"], "NOT_FOUND");
    assert_eq!(errors[0]["path"], json!(["nodes", 1]));
}

#[sqlx::test(migrations = "../migrations")]
async fn nodes_takes_at_most_a_page_of_ids(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let op = app.sign_in("operator@21vianet.demo").await;
    let woodgrove = app.org_id("Woodgrove Bank").await;
    let ids = vec![woodgrove.clone(); 101];
    let body = app.gql(Some(&op), NODES, json!({ "ids": ids })).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    let ok = app.ok(&op, NODES, json!({ "ids": vec![woodgrove.clone(); 100] })).await;
    assert_eq!(ok["nodes"].as_array().unwrap().len(), 100);
}

#[sqlx::test(migrations = "../migrations")]
async fn support_requests_and_partnerships_are_nodes_seen_as_in_their_lists(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let listed = app.ok(&fabrikam, "{ partnerships { totalCount edges { node { id } } } }", json!({})).await;
    let partnership = nodes_value(&listed["partnerships"])[0]["id"].clone();
    assert_eq!(listed["partnerships"]["totalCount"], 2);
    let found = app.ok(&fabrikam, NODE, json!({ "id": partnership })).await;
    assert_eq!(found["node"]["__typename"], "ResellerPartnership");
    // A customer sees no partnerships, by list or by id; Contoso is no party to Fabrikam's.
    for who in ["globaladmin@woodgrove.demo", "admin@contoso.demo"] {
        let token = app.sign_in(who).await;
        let body = app.gql(Some(&token), NODE, json!({ "id": partnership })).await;
        assert_eq!(code(&body), "NOT_FOUND", "{who}");
    }

    let woodgrove = app.sign_in("globaladmin@woodgrove.demo").await;
    let office = app.sub_id("Woodgrove Office 365 E3").await;
    let opened = app
        .ok(
            &woodgrove,
            "mutation($i: OpenSupportRequestInput!) { openSupportRequest(input: $i) { supportRequest { id } } }",
            json!({ "i": { "subscriptionId": office, "title": "Mail is slow" } }),
        )
        .await;
    let request = opened["openSupportRequest"]["supportRequest"]["id"].clone();
    let found = app.ok(&woodgrove, NODE, json!({ "id": request })).await;
    assert_eq!(found["node"]["__typename"], "SupportRequest");
    let coho = app.sign_in("globaladmin@cohowinery.demo").await;
    assert_eq!(code(&app.gql(Some(&coho), NODE, json!({ "id": request })).await), "NOT_FOUND");
}
