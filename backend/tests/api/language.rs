//! The API answers in the viewer's language: the request's `Accept-Language` picks English or
//! Simplified Chinese for every error's `message` and `viewerCan`'s `reason`, while
//! `extensions.code` and `reasonCode` stay the same.

use crate::helpers::*;
use multichannel::domain::Code;
use serde_json::{Value, json};
use sqlx::PgPool;

const CREATE_INVITATION: &str =
    "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }";

/// A GraphQL request with an `Accept-Language` header (none when `None`).
async fn gql_in(
    app: &TestApp,
    language: Option<&str>,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut req = app.client.post("/graphql").body_json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    if let Some(l) = language {
        req = req.header("Accept-Language", l);
    }
    let resp = req.send().await;
    resp.assert_status_is_ok();
    resp.json().await.value().deserialize()
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"].as_str().unwrap_or_else(|| panic!("no error in {body:#}")).to_owned()
}

fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refused_mutation_answers_in_the_asked_language_with_the_same_code(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // A customer's global admin may not invite customers: a refusal with its code.
    let customer = app.sign_in("globaladmin@woodgrove.demo").await;
    let vars = json!({ "i": { "audience": "ANY_CUSTOMER" } });
    let none = gql_in(&app, None, Some(&customer), CREATE_INVITATION, vars.clone()).await;
    let english = message(&none);
    assert!(!is_chinese(&english), "{english}");
    let chinese =
        gql_in(&app, Some("zh-CN,zh;q=0.9,en;q=0.8"), Some(&customer), CREATE_INVITATION, vars.clone()).await;
    assert_eq!(code(&chinese), code(&none), "{chinese:#}");
    assert!(is_chinese(&message(&chinese)), "{chinese:#}");
    // English, a garbage header, a language the service does not speak, or Chinese weighted
    // below English: the English message, unchanged.
    for header in
        ["en", "en-GB", "fr-FR, de;q=0.5", ";;q=zz, ,x-klingon;q=2", "zh-TW", "en;q=0.9, zh-CN;q=0.5"]
    {
        let body = gql_in(&app, Some(header), Some(&customer), CREATE_INVITATION, vars.clone()).await;
        assert_eq!(code(&body), code(&none), "{header}: {body:#}");
        assert_eq!(message(&body), english, "{header}");
    }
    // Chinese weighted above English wins.
    let weighted =
        gql_in(&app, Some("en;q=0.4, zh-Hans-CN;q=0.8"), Some(&customer), CREATE_INVITATION, vars).await;
    assert_eq!(message(&weighted), message(&chinese));
}

#[sqlx::test(migrations = "../migrations")]
async fn errors_before_and_without_a_viewer_follow_the_language_too(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Not signed in.
    let en = gql_in(&app, Some("en"), None, "{ viewer { user { email } } }", json!({})).await;
    let zh = gql_in(&app, Some("zh-CN"), None, "{ viewer { user { email } } }", json!({})).await;
    assert_eq!(code(&en), "UNAUTHENTICATED");
    assert_eq!(code(&zh), "UNAUTHENTICATED");
    assert!(!is_chinese(&message(&en)) && is_chinese(&message(&zh)), "{en:#} {zh:#}");
    // Not valid GraphQL.
    let zh = gql_in(&app, Some("zh-CN"), None, "{ noSuchField }", json!({})).await;
    assert_eq!(code(&zh), "GRAPHQL_VALIDATION_FAILED");
    assert!(is_chinese(&message(&zh)), "{zh:#}");
}

#[sqlx::test(migrations = "../migrations")]
async fn viewer_can_gives_its_reason_in_the_asked_language(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let partner = app.sign_in("admin@fabrikam.demo").await;
    app.ok(&partner, CREATE_INVITATION, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    // Only a customer's global admin accepts an invitation: the partner is told why not.
    let query = "{ invitations(first: 1) { nodes { viewerCan { accept { allowed reasonCode reason } } } } }";
    let read = |body: Value| body["data"]["invitations"]["nodes"][0]["viewerCan"]["accept"].clone();
    let en = read(gql_in(&app, Some("en-US"), Some(&partner), query, json!({})).await);
    let zh = read(gql_in(&app, Some("zh-CN"), Some(&partner), query, json!({})).await);
    let none = read(gql_in(&app, None, Some(&partner), query, json!({})).await);
    assert_eq!(en["allowed"], false, "{en}");
    assert_eq!(zh["allowed"], false);
    assert_eq!(zh["reasonCode"], en["reasonCode"]);
    assert_eq!(none, en);
    let (en, zh) = (en["reason"].as_str().unwrap(), zh["reason"].as_str().unwrap());
    assert!(!is_chinese(en), "{en}");
    assert!(is_chinese(zh), "{zh}");
}

#[test]
fn every_code_has_a_chinese_reason() {
    for code in Code::ALL {
        let zh = multichannel::i18n::refusal(multichannel::domain::Language::ZhCn, code.as_str(), "english");
        assert!(is_chinese(&zh), "{code}: {zh}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_and_the_feed_speak_the_asked_language_and_search_in_chinese(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    app.ok(&contoso, CREATE_INVITATION, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    let log = "query($s: String) { auditEvents(first: 50, filter: {search: $s}) {
        edges { node { action actionLabel subjectLabel fields { label value } } } } }";
    let events = |body: Value| -> Vec<Value> {
        assert!(body["errors"].is_null(), "{body:#}");
        body["data"]["auditEvents"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
    };

    // 邀请 finds the invitation events, in Chinese words; the code stays the same.
    let zh = events(gql_in(&app, Some("zh-CN"), Some(&contoso), log, json!({ "s": "邀请" })).await);
    assert!(!zh.is_empty(), "邀请 finds the invitation just created");
    for e in &zh {
        assert!(e["action"].as_str().unwrap().starts_with("invitation."), "{e:#}");
        for words in [&e["actionLabel"], &e["subjectLabel"]] {
            assert!(is_chinese(words.as_str().unwrap()), "{e:#}");
        }
        for f in e["fields"].as_array().unwrap() {
            assert!(is_chinese(f["label"].as_str().unwrap()), "{e:#}");
        }
    }
    assert!(zh.iter().any(|e| e["actionLabel"] == "已创建邀请"), "{zh:#?}");
    // The same search in English words finds the same events, in English.
    let en = events(gql_in(&app, None, Some(&contoso), log, json!({ "s": "invitation" })).await);
    assert_eq!(en.len(), zh.len());
    assert!(en.iter().any(|e| e["actionLabel"] == "Invitation created"), "{en:#?}");
    assert!(en.iter().all(|e| !is_chinese(e["actionLabel"].as_str().unwrap())));
    let none = events(gql_in(&app, Some("zh-CN"), Some(&contoso), log, json!({ "s": "邀请 订阅" })).await);
    assert!(none.is_empty(), "every word must match: {none:#?}");

    // The feed's event words (the notifications menu) follow the language too.
    let feed = "{ events(last: 10) { edges { node { typeCode label } } } }";
    let zh = gql_in(&app, Some("zh-CN"), Some(&contoso), feed, json!({})).await;
    let edges = zh["data"]["events"]["edges"].as_array().unwrap_or_else(|| panic!("{zh:#}"));
    assert!(!edges.is_empty(), "the invitation is an event: {zh:#}");
    assert!(edges.iter().all(|e| is_chinese(e["node"]["label"].as_str().unwrap())), "{zh:#}");
    let en = app.ok(&contoso, feed, json!({})).await;
    assert!(
        en["events"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !is_chinese(e["node"]["label"].as_str().unwrap()))
    );
}
