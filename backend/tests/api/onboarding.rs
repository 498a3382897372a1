//! Onboarding: partners, the Advisor-to-CSP move, customers and users.

use crate::helpers::*;
use serde_json::json;
use sqlx::PgPool;

const REGISTER: &str = "mutation($i: RegisterPartnerInput!) { registerPartner(input: $i) { partner { id name mpnId program formerAdvisor } } }";
const JOIN: &str = "mutation($i: JoinCspProgramInput!) { joinCspProgram(input: $i) { partner { program formerAdvisor joinedCspAt } } }";
const CREATE_CUSTOMER: &str = "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id name primaryDomain country } } }";
const CREATE_USER: &str =
    "mutation($i: CreateUserInput!) { createUser(input: $i) { user { email roles organization { name } } } }";

#[sqlx::test(migrations = "../migrations")]
async fn the_operator_registers_csp_partners_only(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let op = app.sign_in("operator@21vianet.demo").await;
    let input =
        json!({ "i": { "name": "Wide World Importers", "mpnId": "4000001", "program": "CSP_DIRECT" } });
    let data = app.ok(&op, REGISTER, input.clone()).await;
    assert_eq!(data["registerPartner"]["partner"]["program"], "CSP_DIRECT");
    assert_eq!(app.audit_count("partner.registered").await, 1);
    assert_eq!(code(&app.gql(Some(&op), REGISTER, input).await), "CONFLICT", "MPN ids are unique");

    let advisor = json!({ "i": { "name": "Late Advisor", "mpnId": "4000002", "program": "ADVISOR" } });
    assert_eq!(code(&app.gql(Some(&op), REGISTER, advisor).await), "ADVISOR_PROGRAM_CLOSED");
    let bad_mpn = json!({ "i": { "name": "Typo Ltd", "mpnId": "40x", "program": "CSP_DIRECT" } });
    assert_eq!(code(&app.gql(Some(&op), REGISTER, bad_mpn).await), "BAD_USER_INPUT");

    let partner = app.sign_in("admin@contoso.demo").await;
    let other = json!({ "i": { "name": "Sneaky Ltd", "mpnId": "4000003", "program": "CSP_DIRECT" } });
    assert_eq!(code(&app.gql(Some(&partner), REGISTER, other).await), "FORBIDDEN");
    assert_eq!(app.audit_count("partner.registered").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_advisor_joins_csp_once_and_keeps_its_history(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let litware = app.org_id("Litware Advisors").await;
    let own = app.sign_in("admin@litware.demo").await;
    let input = json!({ "i": { "partnerId": litware, "program": "CSP_DIRECT" } });
    // Becoming a direct partner is the operator's decision; its own admin may only join as a reseller.
    let refused = app.gql(Some(&own), JOIN, input.clone()).await;
    assert_eq!(code(&refused), "FORBIDDEN");
    let op = app.sign_in("operator@21vianet.demo").await;
    let data = app.ok(&op, JOIN, input.clone()).await;
    assert_eq!(data["joinCspProgram"]["partner"]["program"], "CSP_DIRECT");
    assert_eq!(data["joinCspProgram"]["partner"]["formerAdvisor"], true);
    assert!(data["joinCspProgram"]["partner"]["joinedCspAt"].is_string());
    let again = app.gql(Some(&own), JOIN, input).await;
    assert_eq!(code(&again), "INVALID_STATE_TRANSITION");
    assert_eq!(again["errors"][0]["extensions"]["details"]["state"], "CSP_DIRECT");

    let contoso = app.sign_in("admin@contoso.demo").await;
    let adatum = app.org_id("Adatum Advisory").await;
    let not_own =
        app.gql(Some(&contoso), JOIN, json!({ "i": { "partnerId": adatum, "program": "CSP_DIRECT" } })).await;
    assert_eq!(code(&not_own), "FORBIDDEN");
}

fn customer_input(name: &str, domain: &str, reseller: Option<&str>) -> serde_json::Value {
    json!({ "i": {
        "name": name, "primaryDomain": domain, "country": "cn", "indirectResellerId": reseller,
        "adminEmail": format!("admin@{domain}"), "adminDisplayName": "First Admin", "adminPassword": "a long first password"
    } })
}

#[sqlx::test(migrations = "../migrations")]
async fn partners_create_customers_by_their_program(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let direct = app.sign_in("sales@contoso.demo").await;
    let data = app
        .ok(
            &direct,
            CREATE_CUSTOMER,
            customer_input("Trey Research", "treyresearch.partner.onmschina.cn", None),
        )
        .await;
    assert_eq!(data["createCustomer"]["customer"]["country"], "CN");
    let names = app.ok(&direct, "{ customers(first: 10) { edges { node { name } } } }", json!({})).await;
    assert!(names.to_string().contains("Trey Research"), "the creator serves its new customer");
    // The new global admin can sign in.
    let body = app
        .gql(None, "mutation($i: SignInInput!) { signIn(input: $i) { viewer { roles organization { name } } } }",
            json!({ "i": { "email": "admin@treyresearch.partner.onmschina.cn", "password": "a long first password" } }))
        .await;
    assert_eq!(body["data"]["signIn"]["viewer"]["roles"], json!(["GLOBAL_ADMIN"]));

    let reseller = app.sign_in("admin@northwind.demo").await;
    let refused = app
        .gql(Some(&reseller), CREATE_CUSTOMER, customer_input("Nope", "nope.partner.onmschina.cn", None))
        .await;
    assert_eq!(code(&refused), "INDIRECT_RESELLER_CANNOT_CREATE_CUSTOMER");

    let advisor = app.sign_in("admin@litware.demo").await;
    let refused = app
        .gql(Some(&advisor), CREATE_CUSTOMER, customer_input("Nope", "nope.partner.onmschina.cn", None))
        .await;
    assert_eq!(code(&refused), "ADVISOR_NOT_IN_CSP");

    let provider = app.sign_in("admin@fabrikam.demo").await;
    let stranger = app.org_id("Contoso Cloud Direct").await;
    let refused = app
        .gql(
            Some(&provider),
            CREATE_CUSTOMER,
            customer_input("Nope", "nope.partner.onmschina.cn", Some(&stranger)),
        )
        .await;
    assert_eq!(code(&refused), "RESELLER_NOT_PARTNERED");
    let tailspin = app.org_id("Tailspin Solutions").await;
    app.ok(
        &provider,
        CREATE_CUSTOMER,
        customer_input("Lucerne Publishing", "lucerne.partner.onmschina.cn", Some(&tailspin)),
    )
    .await;
    let tailspin_token = app.sign_in("admin@tailspin.demo").await;
    let seen = app
        .ok(&tailspin_token, "{ customers(filter: {search: \"lucerne\"}) { totalCount } }", json!({}))
        .await;
    assert_eq!(seen["customers"]["totalCount"], 1, "the named reseller serves the new customer too");

    let duplicate = app
        .gql(
            Some(&direct),
            CREATE_CUSTOMER,
            customer_input("Trey Again", "TreyResearch.partner.onmschina.cn", None),
        )
        .await;
    assert_eq!(code(&duplicate), "CONFLICT");
    let nothing_half_written: i64 =
        sqlx::query_scalar("select count(*) from organization where name in ('Nope', 'Trey Again')")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(nothing_half_written, 0);
    assert_eq!(app.audit_count("customer.created").await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_add_users_with_roles_of_their_organization(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let admin = app.sign_in("globaladmin@woodgrove.demo").await;
    let input = |email: &str, role: &str| json!({ "i": { "email": email, "displayName": "New Person", "password": "another long password", "roles": [role] } });
    let data = app.ok(&admin, CREATE_USER, input("new@woodgrove.demo", "BILLING_ADMIN")).await;
    assert_eq!(data["createUser"]["user"]["organization"]["name"], "Woodgrove Bank");
    assert_eq!(
        code(&app.gql(Some(&admin), CREATE_USER, input("x@woodgrove.demo", "ADMIN_AGENT")).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(&app.gql(Some(&admin), CREATE_USER, input("NEW@woodgrove.demo", "USER")).await),
        "CONFLICT"
    );
    let weak = json!({ "i": { "email": "weak@woodgrove.demo", "displayName": "Weak", "password": "short", "roles": ["USER"] } });
    assert_eq!(code(&app.gql(Some(&admin), CREATE_USER, weak).await), "BAD_USER_INPUT");
    let billing = app.sign_in("billing@woodgrove.demo").await;
    assert_eq!(
        code(&app.gql(Some(&billing), CREATE_USER, input("y@woodgrove.demo", "USER")).await),
        "FORBIDDEN"
    );
    // The database refuses a role of another kind of organization, whatever the code does.
    let user_id: uuid::Uuid =
        sqlx::query_scalar("select user_id from app_user where email = 'new@woodgrove.demo'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let err = sqlx::query("insert into user_role (user_id, role) values ($1, 'OPERATOR_ADMIN')")
        .bind(user_id)
        .execute(&app.pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not belong"), "{err}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_real_deployment_bootstraps_its_first_operator_admin(pool: PgPool) {
    // No demo data here: the database is empty, as in a real deployment.
    let state = multichannel::AppState::new(pool.clone());
    let short = multichannel::workflows::bootstrap::create_operator_admin(
        &state,
        "21Vianet",
        "root@operator.example",
        "Root",
        "short",
    )
    .await;
    assert_eq!(short.unwrap_err().code(), multichannel::domain::Code::BadUserInput);
    multichannel::workflows::bootstrap::create_operator_admin(
        &state,
        "21Vianet",
        "root@operator.example",
        "Root",
        "a long passphrase here",
    )
    .await
    .unwrap();
    let client = poem::test::TestClient::new(multichannel::http::routes(state, None));
    let resp = client
        .post("/graphql")
        .body_json(&json!({ "query": "mutation { signIn(input: {email: \"root@operator.example\", password: \"a long passphrase here\"}) { viewer { roles organization { kind name } } } }" }))
        .send()
        .await;
    let body: serde_json::Value = resp.json().await.value().deserialize();
    assert_eq!(body["data"]["signIn"]["viewer"]["roles"], json!(["OPERATOR_ADMIN"]));
    assert_eq!(body["data"]["signIn"]["viewer"]["organization"]["kind"], "OPERATOR");
    let operators: i64 = sqlx::query_scalar("select count(*) from organization where kind = 'OPERATOR'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(operators, 1);
}
