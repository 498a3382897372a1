//! An invitation's ready-made email in the customer's language: chosen on the invitation, else
//! the request's Accept-Language, else English.

use crate::helpers::*;
use serde_json::{Value, json};
use sqlx::PgPool;

const CREATE: &str = "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { url emailText language } } }";

async fn create_with_header(app: &TestApp, token: &str, input: Value, accept_language: &str) -> Value {
    let resp = app
        .client
        .post("/graphql")
        .header("Authorization", format!("Bearer {token}"))
        .header("Accept-Language", accept_language)
        .body_json(&json!({ "query": CREATE, "variables": { "i": input } }))
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.json().await.value().deserialize()
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_zh_cn_invitation_email_is_chinese_with_the_link(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let azure = app.service_id("Azure").await;
    let created = app
        .ok(
            &contoso,
            CREATE,
            json!({ "i": { "audience": "ANY_CUSTOMER", "language": "ZH_CN",
                "delegatedAdmin": { "roles": ["SUPPORT"], "serviceIds": [azure], "duration": "P1Y" } } }),
        )
        .await;
    let inv = &created["createInvitation"]["invitation"];
    let text = inv["emailText"].as_str().unwrap();
    assert_eq!(inv["language"], "ZH_CN");
    assert!(text.contains("邀请您"), "{text}");
    assert!(text.contains("委派管理员权限"), "{text}");
    assert!(text.contains("1年"), "{text}");
    assert!(text.contains(inv["url"].as_str().unwrap()), "{text}");
    assert!(text.contains('年') && text.contains('月') && text.contains('日'), "{text}");
    assert!(!text.contains("invites you"), "{text}");

    // English when chosen, whatever the request's language.
    let english = create_with_header(
        &app,
        &contoso,
        json!({ "audience": "ANY_CUSTOMER", "language": "EN" }),
        "zh-CN,zh;q=0.9",
    )
    .await;
    let text = english["data"]["createInvitation"]["invitation"]["emailText"].as_str().unwrap();
    assert!(text.contains("invites you") && !has_chinese(text), "{text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn without_a_choice_the_request_language_decides(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let zh =
        create_with_header(&app, &contoso, json!({ "audience": "ANY_CUSTOMER" }), "zh-CN,zh;q=0.9,en;q=0.8")
            .await;
    assert_eq!(zh["data"]["createInvitation"]["invitation"]["language"], "ZH_CN", "{zh:#}");
    assert!(has_chinese(zh["data"]["createInvitation"]["invitation"]["emailText"].as_str().unwrap()));
    let other = create_with_header(&app, &contoso, json!({ "audience": "ANY_CUSTOMER" }), "fr-FR").await;
    assert_eq!(other["data"]["createInvitation"]["invitation"]["language"], "EN", "{other:#}");
    let none = app.ok(&contoso, CREATE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    assert_eq!(none["createInvitation"]["invitation"]["language"], "EN");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unknown_language_is_refused_with_a_code(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    for bad in [json!("FR"), json!("zh-CN"), json!(""), json!("EN\u{0}")] {
        let body = app
            .gql(Some(&contoso), CREATE, json!({ "i": { "audience": "ANY_CUSTOMER", "language": bad } }))
            .await;
        // A value outside the enum fails the variables' coercion, before anything runs.
        assert!(["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"].contains(&code(&body)), "{bad}: {body:#}");
        assert!(body["data"].is_null() || body["data"]["createInvitation"].is_null(), "{body:#}");
    }
}
