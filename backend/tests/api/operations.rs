//! Operations on subscriptions, and `viewerCan` agreeing with what the mutations allow.

use crate::helpers::*;
use serde_json::{Value, json};
use sqlx::PgPool;

/// (viewerCan field, mutation, extra input) for every action with a mutation.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("changeQuantity", "changeSubscriptionQuantity", "quantity"),
    ("setAutoRenew", "setSubscriptionAutoRenew", "autoRenew"),
    ("suspend", "suspendSubscription", ""),
    ("reactivate", "reactivateSubscription", ""),
    ("cancel", "cancelSubscription", ""),
    ("assignSeats", "assignSeats", "seats"),
    ("unassignSeats", "unassignSeats", "seats"),
    ("assignServicePartner", "assignServicePartner", "stage"),
    ("openSupportRequest", "openSupportRequest", "title"),
];

const INPUT_TYPES: &[(&str, &str)] = &[
    ("changeSubscriptionQuantity", "ChangeSubscriptionQuantityInput"),
    ("setSubscriptionAutoRenew", "SetSubscriptionAutoRenewInput"),
    ("suspendSubscription", "SubscriptionIdInput"),
    ("reactivateSubscription", "SubscriptionIdInput"),
    ("cancelSubscription", "SubscriptionIdInput"),
    ("assignSeats", "SeatsInput"),
    ("unassignSeats", "SeatsInput"),
    ("assignServicePartner", "AssignServicePartnerInput"),
    ("openSupportRequest", "OpenSupportRequestInput"),
];

async fn restore(app: &TestApp) {
    sqlx::query(
        "update subscription s set quantity = b.quantity, assigned_seats = b.assigned_seats, status = b.status, \
            suspended_at = b.suspended_at, deleted_at = b.deleted_at, auto_renew = b.auto_renew, \
            provisioning_partner_id = b.provisioning_partner_id, support_partner_id = b.support_partner_id \
         from subscription_snapshot b where b.subscription_id = s.subscription_id",
    )
    .execute(&app.pool)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn viewer_can_agrees_with_every_mutation_for_every_demo_user(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    sqlx::query("create table subscription_snapshot as select * from subscription")
        .execute(&app.pool)
        .await
        .unwrap();
    let fields: String = ACTIONS.iter().map(|(f, _, _)| format!("{f} {{ allowed reasonCode }} ")).collect();
    let query = format!(
        "{{ subscriptions(first: 100) {{ edges {{ node {{ id friendlyName quantity autoRenew viewerCan {{ {fields} }} }} }} }} }}"
    );
    let (mut allowed, mut refused) = (0, 0);
    for user in app.demo.users.clone() {
        let token = app.sign_in(&user.email).await;
        let data = app.ok(&token, &query, json!({})).await;
        for edge in data["subscriptions"]["edges"].as_array().unwrap() {
            let node = &edge["node"];
            for (field, mutation, extra) in ACTIONS {
                let mut input = json!({ "subscriptionId": node["id"] });
                match *extra {
                    "quantity" => input["quantity"] = node["quantity"].clone(),
                    "autoRenew" => input["autoRenew"] = node["autoRenew"].clone(),
                    "seats" => input["seats"] = json!(1),
                    "stage" => input["stage"] = json!("SUPPORT"),
                    "title" => input["title"] = json!("Help"),
                    _ => {}
                }
                let input_type = INPUT_TYPES.iter().find(|(m, _)| m == mutation).unwrap().1;
                let selection = if *mutation == "openSupportRequest" {
                    "supportRequest { status }"
                } else {
                    "subscription { id }"
                };
                let m = format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {selection} }} }}");
                let body = app.gql(Some(&token), &m, json!({ "i": input })).await;
                let promised = &node["viewerCan"][field];
                let context = format!(
                    "{} × {} × {field}: promised {promised}, got {body}",
                    user.email, node["friendlyName"]
                );
                if promised["allowed"] == true {
                    assert!(body.get("errors").is_none(), "{context}");
                    allowed += 1;
                    restore(&app).await;
                } else {
                    assert_eq!(Some(code(&body)), promised["reasonCode"].as_str(), "{context}");
                    refused += 1;
                }
            }
        }
    }
    // The walk covers both answers widely.
    assert!(allowed >= 40 && refused >= 200, "allowed {allowed}, refused {refused}");
}

const QUANTITY: &str = "mutation($i: ChangeSubscriptionQuantityInput!) { changeSubscriptionQuantity(input: $i) { subscription { quantity assignedSeats } } }";
const SEATS: &str = "mutation($i: SeatsInput!) { assignSeats(input: $i) { subscription { assignedSeats } } }";
const STAGE: &str = "mutation($i: AssignServicePartnerInput!) { assignServicePartner(input: $i) { subscription { servicePartner(stage: PROVISIONING) { partner { name } delegated } } } }";

#[sqlx::test(migrations = "../migrations")]
async fn quantity_and_seats_keep_their_bounds(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let coho = app.sub_id("Coho Azure plan").await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let data = app.ok(&contoso, QUANTITY, json!({ "i": { "subscriptionId": coho, "quantity": 3 } })).await;
    assert_eq!(data["changeSubscriptionQuantity"]["subscription"]["quantity"], 3);

    let alpine = app.sub_id("Alpine Office 365 E1").await; // 80 seats, 75 assigned; Northwind provisions
    let northwind = app.sign_in("admin@northwind.demo").await;
    let data = app.ok(&northwind, SEATS, json!({ "i": { "subscriptionId": alpine, "seats": 5 } })).await;
    assert_eq!(data["assignSeats"]["subscription"]["assignedSeats"], 80);
    let full =
        app.gql(Some(&northwind), SEATS, json!({ "i": { "subscriptionId": alpine, "seats": 1 } })).await;
    assert_eq!(code(&full), "NO_SEATS_AVAILABLE");
    // The delegated provisioner may not change the quantity, the operator (online direct) may,
    // but never below the assigned seats.
    let body = app
        .gql(Some(&northwind), QUANTITY, json!({ "i": { "subscriptionId": alpine, "quantity": 100 } }))
        .await;
    assert_eq!(code(&body), "NOT_PARTNER_OF_RECORD");
    let op = app.sign_in("operator@21vianet.demo").await;
    let body =
        app.gql(Some(&op), QUANTITY, json!({ "i": { "subscriptionId": alpine, "quantity": 79 } })).await;
    assert_eq!(code(&body), "QUANTITY_BELOW_ASSIGNED_SEATS");
    let audited: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action like 'subscription.%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_customer_hands_a_stage_only_to_a_partner_holding_the_role(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let woodgrove_o365 = app.sub_id("Woodgrove Office 365 E3").await;
    let admin = app.sign_in("globaladmin@woodgrove.demo").await;
    let tailspin = app.org_id("Tailspin Solutions").await; // holds SUPPORT only
    let contoso = app.org_id("Contoso Cloud Direct").await; // holds GLOBAL_ADMIN for Dynamics only
    for partner in [&tailspin, &contoso] {
        let body = app
            .gql(Some(&admin), STAGE, json!({ "i": { "subscriptionId": woodgrove_o365, "stage": "PROVISIONING", "partnerId": partner } }))
            .await;
        assert_eq!(code(&body), "DELEGATED_ROLE_REQUIRED");
    }
    let dynamics = app.sub_id("Woodgrove Dynamics 365 Sales").await;
    let data = app
        .ok(
            &admin,
            STAGE,
            json!({ "i": { "subscriptionId": dynamics, "stage": "PROVISIONING", "partnerId": contoso } }),
        )
        .await;
    assert_eq!(
        data["assignServicePartner"]["subscription"]["servicePartner"]["partner"]["name"],
        "Contoso Cloud Direct"
    );
    let billing = app.sign_in("billing@woodgrove.demo").await;
    let body = app
        .gql(
            Some(&billing),
            STAGE,
            json!({ "i": { "subscriptionId": dynamics, "stage": "SUPPORT", "partnerId": null } }),
        )
        .await;
    assert_eq!(code(&body), "CUSTOMER_GLOBAL_ADMIN_REQUIRED");
}

const ORDER: &str = "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { purchaseChannel partnerOfRecord { name } indirectReseller { name } status quantity } } }";

#[sqlx::test(migrations = "../migrations")]
async fn orders_take_the_channel_of_who_places_them(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let op = app.sign_in("operator@21vianet.demo").await;
    let catalog = app.ok(&op, "{ catalog { services { offers { id name } } } }", json!({})).await;
    let offer = catalog["catalog"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["offers"].as_array().unwrap().clone())
        .find(|o| o["name"] == "Power BI Pro")
        .unwrap()["id"]
        .clone();
    let order = |customer: &str, reseller: Option<&str>| -> Value {
        json!({ "i": { "customerId": customer, "offerId": offer, "friendlyName": "New Power BI", "quantity": 7,
            "termDuration": "P1Y", "billingCycle": "MONTHLY", "indirectResellerId": reseller } })
    };
    let woodgrove = app.org_id("Woodgrove Bank").await;
    let proseware = app.org_id("Proseware").await;
    let northwind = app.org_id("Northwind Resellers").await;

    let online = app.ok(&op, ORDER, order(&proseware, None)).await;
    assert_eq!(online["createSubscription"]["subscription"]["purchaseChannel"], "ONLINE_DIRECT");
    let contoso = app.sign_in("sales@contoso.demo").await;
    let direct = app.ok(&contoso, ORDER, order(&woodgrove, None)).await;
    assert_eq!(
        direct["createSubscription"]["subscription"]["partnerOfRecord"]["name"],
        "Contoso Cloud Direct"
    );
    let fabrikam = app.sign_in("sales@fabrikam.demo").await;
    let indirect = app.ok(&fabrikam, ORDER, order(&woodgrove, Some(&northwind))).await;
    assert_eq!(indirect["createSubscription"]["subscription"]["purchaseChannel"], "CSP_INDIRECT");
    assert_eq!(
        indirect["createSubscription"]["subscription"]["indirectReseller"]["name"],
        "Northwind Resellers"
    );

    let reseller = app.sign_in("admin@northwind.demo").await;
    assert_eq!(
        code(&app.gql(Some(&reseller), ORDER, order(&woodgrove, None)).await),
        "INDIRECT_RESELLER_CANNOT_TRANSACT"
    );
    let advisor = app.sign_in("admin@litware.demo").await;
    assert_eq!(code(&app.gql(Some(&advisor), ORDER, order(&woodgrove, None)).await), "ADVISOR_NOT_IN_CSP");
    assert_eq!(
        code(&app.gql(Some(&contoso), ORDER, order(&proseware, None)).await),
        "NO_RESELLER_RELATIONSHIP"
    );
    let helpdesk = app.sign_in("helpdesk@contoso.demo").await;
    assert_eq!(code(&app.gql(Some(&helpdesk), ORDER, order(&woodgrove, None)).await), "FORBIDDEN");
    let customer = app.sign_in("globaladmin@woodgrove.demo").await;
    assert_eq!(code(&app.gql(Some(&customer), ORDER, order(&woodgrove, None)).await), "FORBIDDEN");
}
