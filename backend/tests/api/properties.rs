//! Property tests over free text and numbers: whatever arrives is either refused with
//! BAD_USER_INPUT (or the field's own refusal code), naming nothing internal, or stored exactly as
//! given (trimmed where the field says so). Never INTERNAL.

use crate::helpers::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;
use sqlx::PgPool;

/// Text as attackers and users write it: control characters and NUL, right-to-left and
/// zero-width marks, emoji, CJK, very long runs, whitespace.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,60}",
        "[\\x00-\\x1f\\x7f]{1,5}[a-z]{0,5}",
        "[\u{200b}\u{200e}\u{202e}\u{2066}\u{feff} ]{1,8}",
        "[a-z ]{0,10}[\u{5d0}-\u{5ea}\u{627}-\u{64a}]{1,20}",
        "[\u{1f600}-\u{1f64f}\u{4e00}-\u{4e2f}]{1,30}",
        (1usize..3).prop_map(|n| "x".repeat(n * 5000)),
    ]
}

#[sqlx::test(migrations = "../migrations")]
async fn free_text_is_refused_or_stored_exactly(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let mut runner = TestRunner::new(Config { cases: 48, ..Config::default() });
    let strategy = hostile_text();
    let (mut stored, mut refused) = (0, 0);
    for case in 0..48 {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        // A message is stored as given; a name trimmed.
        let inv = app
            .gql(Some(&contoso), "mutation($m: String!) { createInvitation(input: {audience: ANY_CUSTOMER, message: $m}) { invitation { message } } }", json!({ "m": text }))
            .await;
        match inv.get("errors") {
            None => {
                assert_eq!(
                    inv["data"]["createInvitation"]["invitation"]["message"],
                    json!(text),
                    "case {case}"
                );
                stored += 1;
            }
            Some(_) => {
                assert_eq!(code(&inv), "BAD_USER_INPUT", "case {case}: {inv}");
                refused += 1;
            }
        }
        let token = app
            .gql(Some(&contoso), "mutation($n: String!) { createApiToken(input: {name: $n, readOnly: true}) { apiToken { name } } }", json!({ "n": text }))
            .await;
        match token.get("errors") {
            None => assert_eq!(
                token["data"]["createApiToken"]["apiToken"]["name"],
                json!(text.trim()),
                "case {case}"
            ),
            Some(_) => assert_eq!(code(&token), "BAD_USER_INPUT", "case {case}: {token}"),
        }
        let search = app
            .gql(
                Some(&contoso),
                "query($s: String) { customers(first: 5, filter: {search: $s}) { totalCount } }",
                json!({ "s": text }),
            )
            .await;
        if search.get("errors").is_some() {
            assert_eq!(code(&search), "BAD_USER_INPUT", "case {case}: {search}");
        }
    }
    eprintln!("properties: 48 texts x 3 fields; messages stored {stored}, refused {refused}");
}

#[sqlx::test(migrations = "../migrations")]
async fn numbers_at_every_bound_are_refused_or_applied(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let azure = app.sub_id("Coho Azure plan").await;
    let mut runner = TestRunner::new(Config { cases: 40, ..Config::default() });
    let strategy = prop_oneof![
        Just(i32::MIN),
        Just(i32::MAX),
        Just(-1),
        Just(0),
        Just(1_000_001),
        any::<i32>(),
        1..5i32
    ];
    for case in 0..40 {
        let n = strategy.new_tree(&mut runner).unwrap().current();
        for m in [
            "assignSeats(input: {subscriptionId: $i, seats: $n})",
            "unassignSeats(input: {subscriptionId: $i, seats: $n})",
            "changeSubscriptionQuantity(input: {subscriptionId: $i, quantity: $n})",
        ] {
            let body = app
                .gql(Some(&contoso), &format!("mutation($i: ID!, $n: Int!) {{ {m} {{ subscription {{ quantity assignedSeats }} }} }}"), json!({ "i": azure, "n": n }))
                .await;
            if body.get("errors").is_some() {
                assert!(
                    matches!(
                        code(&body),
                        "BAD_USER_INPUT"
                            | "NO_SEATS_AVAILABLE"
                            | "NO_ASSIGNED_SEATS"
                            | "QUANTITY_BELOW_ASSIGNED_SEATS"
                    ),
                    "case {case} {m} {n}: {body}"
                );
            }
        }
    }
    let (q, a): (i32, i32) = sqlx::query_as(
        "select quantity, assigned_seats from subscription where friendly_name = 'Coho Azure plan'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((1..=1_000_000).contains(&q) && (0..=q).contains(&a), "{q} {a}");
}
