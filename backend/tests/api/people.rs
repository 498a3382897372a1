//! People, passwords and multi-factor sign-in, attacked: another tenant's admin, a role one step
//! lower, hostile input, the same change twice at once, replayed codes.

use crate::helpers::*;
use multichannel::domain::{Clock, mfa};
use serde_json::{Value, json};
use sqlx::PgPool;

const CREATE: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { generatedPassword user { id email roles active } } }";
const ROLES: &str = "mutation($i: SetUserRolesInput!) { setUserRoles(input: $i) { user { id roles } } }";
const DEACTIVATE: &str = "mutation($i: UserInput!) { deactivateUser(input: $i) { user { id active } } }";
const REACTIVATE: &str = "mutation($i: UserInput!) { reactivateUser(input: $i) { user { id active } } }";
const USERS: &str = "{ users(first: 100) { totalCount nodes { id email roles active mfaEnabled } } }";
const ME: &str = "{ viewer { user { id email } } }";
const SIGN_IN: &str =
    "mutation($i: SignInInput!) { signIn(input: $i) { token viewer { mfaEnrolmentRequired } } }";
const BEGIN: &str = "mutation { beginMfaEnrolment { secret otpauthUrl qrCode } }";
const CONFIRM: &str =
    "mutation($i: ConfirmMfaEnrolmentInput!) { confirmMfaEnrolment(input: $i) { recoveryCodes } }";
const PASSWORD_CHANGE: &str = "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { changed } }";
const REQUIRE: &str =
    "mutation($i: SetOrganizationMfaRequiredInput!) { setOrganizationMfaRequired(input: $i) { required } }";

async fn user_id(app: &TestApp, admin: &str, email: &str) -> String {
    let data = app.ok(admin, USERS, json!({})).await;
    data["users"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("no user {email}: {data:#}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn create(app: &TestApp, admin: &str, email: &str, roles: Value) -> (String, String) {
    let data = app
        .ok(admin, CREATE, json!({ "i": { "email": email, "displayName": "New Person", "roles": roles } }))
        .await;
    let password = data["createUser"]["generatedPassword"].as_str().unwrap().to_owned();
    (data["createUser"]["user"]["id"].as_str().unwrap().to_owned(), password)
}

async fn sign_in_with(app: &TestApp, email: &str, password: &str, code: Option<&str>) -> Value {
    app.gql(None, SIGN_IN, json!({ "i": { "email": email, "password": password, "code": code } })).await
}

/// Enrols the signed-in user; returns the secret (base32) and the recovery codes.
async fn enrol(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let begun = app.ok(token, BEGIN, json!({})).await;
    let secret = begun["beginMfaEnrolment"]["secret"].as_str().unwrap().to_owned();
    assert!(begun["beginMfaEnrolment"]["qrCode"].as_str().unwrap().starts_with("data:image/svg+xml;base64,"));
    let code = mfa::current_code_base32(&secret, app.clock.now().timestamp()).unwrap();
    let done = app.ok(token, CONFIRM, json!({ "i": { "code": code } })).await;
    let codes = serde_json::from_value(done["confirmMfaEnrolment"]["recoveryCodes"].clone()).unwrap();
    (secret, codes)
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_creates_changes_and_deactivates_people(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let admin = app.sign_in("admin@contoso.demo").await;
    let (id, password) = create(&app, &admin, "new@contoso.demo", json!(["SALES_AGENT"])).await;
    assert!(password.len() >= 40, "a generated password is long and random");
    assert_eq!(app.audit_count("user.created").await, 1);
    let session = sign_in_with(&app, "new@contoso.demo", &password, None).await;
    let token = session["data"]["signIn"]["token"].as_str().unwrap().to_owned();
    let api = app
        .ok(&token, "mutation { createApiToken(input: {name: \"export\"}) { secret } }", json!({}))
        .await["createApiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    let changed = app
        .ok(&admin, ROLES, json!({ "i": { "userId": id, "roles": ["HELPDESK_AGENT", "SALES_AGENT"] } }))
        .await;
    assert_eq!(changed["setUserRoles"]["user"]["roles"], json!(["HELPDESK_AGENT", "SALES_AGENT"]));
    // The role change shows at once, on the session already open.
    let me = app.ok(&token, "{ viewer { roles } }", json!({})).await;
    assert_eq!(me["viewer"]["roles"], json!(["HELPDESK_AGENT", "SALES_AGENT"]));

    app.ok(&admin, DEACTIVATE, json!({ "i": { "userId": id } })).await;
    // Its session and its API token stop working at once (the token cache was warm).
    assert_eq!(code(&app.gql(Some(&token), ME, json!({})).await), "UNAUTHENTICATED");
    assert_eq!(code(&app.gql(Some(&api), ME, json!({})).await), "UNAUTHENTICATED");
    let refused = sign_in_with(&app, "new@contoso.demo", &password, None).await;
    assert_eq!(code(&refused), "UNAUTHENTICATED");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("deactivated"));
    let live: i64 = sqlx::query_scalar(
        "select count(*) from auth_token t join app_user u using (user_id) where u.email = 'new@contoso.demo' and t.revoked_at is null",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(live, 0, "revoked in the same transaction");
    let actor: Option<uuid::Uuid> =
        sqlx::query_scalar("select actor_user_id from audit_event where action = 'user.deactivated'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(actor.is_some(), "the audit names the person who acted");

    app.ok(&admin, REACTIVATE, json!({ "i": { "userId": id } })).await;
    let again = sign_in_with(&app, "new@contoso.demo", &password, None).await;
    assert!(again["data"]["signIn"]["token"].is_string(), "{again:#}");
    // Old tokens stay revoked after reactivation.
    assert_eq!(code(&app.gql(Some(&api), ME, json!({})).await), "UNAUTHENTICATED");
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_organizations_admin_manages_its_people(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("admin@contoso.demo").await;
    let sales = app.id_of(&contoso, "sales@contoso.demo").await;
    // Another tenant's admins: not found, whatever the mutation.
    // (Roles of the caller's own kind, so only the user decides the answer.)
    for (other, role) in [("admin@fabrikam.demo", "ADMIN_AGENT"), ("globaladmin@woodgrove.demo", "USER")] {
        let token = app.sign_in(other).await;
        for (q, i) in [
            (ROLES, json!({ "userId": sales, "roles": [role] })),
            (DEACTIVATE, json!({ "userId": sales })),
            (REACTIVATE, json!({ "userId": sales })),
        ] {
            assert_eq!(code(&app.gql(Some(&token), q, json!({ "i": i })).await), "NOT_FOUND", "{other}");
        }
    }
    // The operator administers its own organization, not the partners'.
    let op = app.sign_in("operator@21vianet.demo").await;
    assert_eq!(code(&app.gql(Some(&op), DEACTIVATE, json!({ "i": { "userId": sales } })).await), "NOT_FOUND");
    // A role one step lower in the same organization: forbidden, the list included.
    for lower in ["sales@contoso.demo", "helpdesk@contoso.demo"] {
        let token = app.sign_in(lower).await;
        assert_eq!(code(&app.gql(Some(&token), USERS, json!({})).await), "FORBIDDEN");
        for (q, i) in [
            (ROLES, json!({ "userId": sales, "roles": ["ADMIN_AGENT"] })),
            (DEACTIVATE, json!({ "userId": sales })),
            (CREATE, json!({ "email": "x@contoso.demo", "displayName": "X", "roles": ["ADMIN_AGENT"] })),
            (REQUIRE, json!({ "required": false })),
        ] {
            assert_eq!(code(&app.gql(Some(&token), q, json!({ "i": i })).await), "FORBIDDEN", "{lower}: {q}");
        }
    }
    let billing = app.sign_in("billing@woodgrove.demo").await;
    assert_eq!(code(&app.gql(Some(&billing), USERS, json!({})).await), "FORBIDDEN");
    // A read-only token of the admin reads but never writes.
    let ro = app
        .ok(
            &contoso,
            "mutation { createApiToken(input: {name: \"ro\", readOnly: true}) { secret } }",
            json!({}),
        )
        .await["createApiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(&ro, USERS, json!({})).await;
    assert_eq!(code(&app.gql(Some(&ro), DEACTIVATE, json!({ "i": { "userId": sales } })).await), "FORBIDDEN");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_rules_keep_an_organization_manageable(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let admin = app.sign_in("admin@contoso.demo").await;
    let me = app.id_of(&admin, "admin@contoso.demo").await;
    let refused = app.gql(Some(&admin), DEACTIVATE, json!({ "i": { "userId": me } })).await;
    assert_eq!(code(&refused), "FORBIDDEN", "no deactivating yourself");
    let refused =
        app.gql(Some(&admin), ROLES, json!({ "i": { "userId": me, "roles": ["SALES_AGENT"] } })).await;
    assert_eq!(code(&refused), "INVALID_STATE_TRANSITION", "the last admin keeps the role");
    let wrong_kind =
        app.gql(Some(&admin), ROLES, json!({ "i": { "userId": me, "roles": ["GLOBAL_ADMIN"] } })).await;
    assert_eq!(code(&wrong_kind), "BAD_USER_INPUT");
    let none = app.gql(Some(&admin), ROLES, json!({ "i": { "userId": me, "roles": [] } })).await;
    assert_eq!(code(&none), "BAD_USER_INPUT");
    // With a second admin, the first may step down.
    let (second, _) = create(&app, &admin, "second@contoso.demo", json!(["ADMIN_AGENT"])).await;
    app.ok(&admin, ROLES, json!({ "i": { "userId": me, "roles": ["ADMIN_AGENT", "SALES_AGENT"] } })).await;
    app.ok(&admin, DEACTIVATE, json!({ "i": { "userId": second } })).await;
    let twice = app.gql(Some(&admin), DEACTIVATE, json!({ "i": { "userId": second } })).await;
    assert_eq!(code(&twice), "INVALID_STATE_TRANSITION");
    // A deactivated admin does not count: the last active one still keeps the role.
    let refused =
        app.gql(Some(&admin), ROLES, json!({ "i": { "userId": me, "roles": ["SALES_AGENT"] } })).await;
    assert_eq!(code(&refused), "INVALID_STATE_TRANSITION");
}

#[sqlx::test(migrations = "../migrations")]
async fn hostile_input_is_refused_cleanly(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let admin = app.sign_in("globaladmin@woodgrove.demo").await;
    let huge = "x".repeat(100_000);
    for (email, name, expected) in [
        ("nul\u{0}@woodgrove.demo", "Nul", "BAD_USER_INPUT"),
        ("ok@woodgrove.demo", "Nul\u{0}name", "BAD_USER_INPUT"),
        ("not-an-email", "X", "BAD_USER_INPUT"),
        ("a@b", "X", "BAD_USER_INPUT"),
        (&format!("{huge}@woodgrove.demo"), "X", "BAD_USER_INPUT"),
        ("long@woodgrove.demo", huge.as_str(), "BAD_USER_INPUT"),
        ("user@woodgrove.demo", "Duplicate", "CONFLICT"),
        ("USER@Woodgrove.demo", "Duplicate, other case", "CONFLICT"),
    ] {
        let body = app
            .gql(
                Some(&admin),
                CREATE,
                json!({ "i": { "email": email, "displayName": name, "roles": ["USER"] } }),
            )
            .await;
        assert_eq!(code(&body), expected, "{:.60}", email);
    }
    let short = app
        .gql(
            Some(&admin),
            CREATE,
            json!({ "i": { "email": "p@woodgrove.demo", "displayName": "P", "password": "short", "roles": ["USER"] } }),
        )
        .await;
    assert_eq!(code(&short), "BAD_USER_INPUT");
    let bad_id = app.gql(Some(&admin), DEACTIVATE, json!({ "i": { "userId": "not an id" } })).await;
    assert_eq!(code(&bad_id), "BAD_USER_INPUT");
    // The same email in another organization is fine (emails are unique per organization).
    let contoso = app.sign_in("admin@contoso.demo").await;
    create(&app, &contoso, "user@woodgrove.demo", json!(["SALES_AGENT"])).await;
    let pw = app
        .gql(
            Some(&admin),
            PASSWORD_CHANGE,
            json!({ "i": { "currentPassword": PASSWORD, "newPassword": "with a NUL \u{0} inside" } }),
        )
        .await;
    assert_eq!(code(&pw), "BAD_USER_INPUT");
}

#[sqlx::test(migrations = "../migrations")]
async fn two_admins_cannot_both_remove_the_last_admin_at_once(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let first = app.sign_in("admin@contoso.demo").await;
    let (second_id, password) = create(&app, &first, "second@contoso.demo", json!(["ADMIN_AGENT"])).await;
    let second = sign_in_with(&app, "second@contoso.demo", &password, None).await["data"]["signIn"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let first_id = app.id_of(&first, "admin@contoso.demo").await;
    // Each deactivates the other at the same moment: one wins, the organization keeps an admin.
    let (a, b) = tokio::join!(
        app.gql(Some(&first), DEACTIVATE, json!({ "i": { "userId": second_id } })),
        app.gql(Some(&second), DEACTIVATE, json!({ "i": { "userId": first_id } })),
    );
    let wins = [&a, &b].iter().filter(|r| r.get("errors").is_none()).count();
    assert_eq!(wins, 1, "{a:#} {b:#}");
    let admins: i64 = sqlx::query_scalar(
        "select count(*) from app_user u join user_role r using (user_id) join organization o using (organization_id)
         where o.name = 'Contoso Cloud Direct' and r.role = 'ADMIN_AGENT' and u.deactivated_at is null",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(admins, 1);
    // Two admins again; each takes the other's admin role at once: one wins.
    let (survivor, survivor_id) =
        if a.get("errors").is_none() { (first, first_id) } else { (second, second_id) };
    let (third_id, password) = create(&app, &survivor, "third@contoso.demo", json!(["ADMIN_AGENT"])).await;
    let third = sign_in_with(&app, "third@contoso.demo", &password, None).await["data"]["signIn"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (c, d) = tokio::join!(
        app.gql(Some(&survivor), ROLES, json!({ "i": { "userId": third_id, "roles": ["SALES_AGENT"] } })),
        app.gql(Some(&third), ROLES, json!({ "i": { "userId": survivor_id, "roles": ["SALES_AGENT"] } })),
    );
    let wins = [&c, &d].iter().filter(|r| r.get("errors").is_none()).count();
    assert_eq!(wins, 1, "{c:#} {d:#}");
}

#[sqlx::test(migrations = "../migrations")]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let here = app.sign_in("sales@contoso.demo").await;
    let elsewhere = app.sign_in("sales@contoso.demo").await;
    let wrong = app
        .gql(
            Some(&here),
            PASSWORD_CHANGE,
            json!({ "i": { "currentPassword": "wrong", "newPassword": "a new long password" } }),
        )
        .await;
    assert_eq!(code(&wrong), "FORBIDDEN");
    app.ok(
        &here,
        PASSWORD_CHANGE,
        json!({ "i": { "currentPassword": PASSWORD, "newPassword": "a new long password" } }),
    )
    .await;
    app.ok(&here, ME, json!({})).await;
    assert_eq!(code(&app.gql(Some(&elsewhere), ME, json!({})).await), "UNAUTHENTICATED");
    assert_eq!(code(&sign_in_with(&app, "sales@contoso.demo", PASSWORD, None).await), "UNAUTHENTICATED");
    assert!(
        sign_in_with(&app, "sales@contoso.demo", "a new long password", None).await["data"]["signIn"]
            .is_object()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn multi_factor_sign_in_with_codes_and_recovery_codes(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@northwind.demo").await;
    let (secret, recovery) = enrol(&app, &token).await;
    assert_eq!(recovery.len(), 10);
    let email = "admin@northwind.demo";
    // The password alone asks for a code, and is not counted as a failure.
    assert_eq!(code(&sign_in_with(&app, email, PASSWORD, None).await), "MFA_CODE_REQUIRED");
    assert_eq!(code(&sign_in_with(&app, email, "wrong password", Some("123456")).await), "UNAUTHENTICATED");
    // The code used to confirm enrolment is spent; the next window's code works once.
    app.advance(chrono::Duration::seconds(30));
    let now = app.clock.now().timestamp();
    let current = mfa::current_code_base32(&secret, now).unwrap();
    let ok = sign_in_with(&app, email, PASSWORD, Some(&current)).await;
    assert!(ok["data"]["signIn"]["token"].is_string(), "{ok:#}");
    let replay = sign_in_with(&app, email, PASSWORD, Some(&current)).await;
    assert_eq!(code(&replay), "UNAUTHENTICATED", "a code is accepted once");
    // A recovery code works once, in any case and with spaces.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    assert!(sign_in_with(&app, email, PASSWORD, Some(&typed)).await["data"]["signIn"].is_object());
    assert_eq!(code(&sign_in_with(&app, email, PASSWORD, Some(&recovery[0])).await), "UNAUTHENTICATED");
    let left = app.ok(&token, "{ viewer { recoveryCodesLeft user { mfaEnabled } } }", json!({})).await;
    assert_eq!(left["viewer"]["recoveryCodesLeft"], 9);
    assert_eq!(left["viewer"]["user"]["mfaEnabled"], true);
    // API tokens are for machines: no code needed with one.
    let api = app
        .ok(&token, "mutation { createApiToken(input: {name: \"machine\"}) { secret } }", json!({}))
        .await["createApiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(&api, ME, json!({})).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn guessing_codes_is_throttled(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@tailspin.demo").await;
    let (secret, _) = enrol(&app, &token).await;
    let email = "admin@tailspin.demo";
    for guess in ["000000", "111111", "222222", "333333", "444444"] {
        assert_eq!(code(&sign_in_with(&app, email, PASSWORD, Some(guess)).await), "UNAUTHENTICATED");
    }
    app.advance(chrono::Duration::seconds(30));
    let right = mfa::current_code_base32(&secret, app.clock.now().timestamp()).unwrap();
    assert_eq!(code(&sign_in_with(&app, email, PASSWORD, Some(&right)).await), "RATE_LIMITED");
    app.advance(chrono::Duration::minutes(16));
    let right = mfa::current_code_base32(&secret, app.clock.now().timestamp()).unwrap();
    assert!(sign_in_with(&app, email, PASSWORD, Some(&right)).await["data"]["signIn"].is_object());
}

#[sqlx::test(migrations = "../migrations")]
async fn an_organization_requiring_mfa_enrols_everyone_first(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let admin = app.sign_in("globaladmin@woodgrove.demo").await;
    let billing_before = app.sign_in("billing@woodgrove.demo").await;
    // A machine token the billing admin made before the rule came.
    let machine = app
        .ok(&billing_before, "mutation { createApiToken(input: {name: \"export\"}) { secret } }", json!({}))
        .await["createApiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = app.gql(Some(&admin), REQUIRE, json!({ "i": { "required": true } })).await;
    assert_eq!(code(&refused), "INVALID_STATE_TRANSITION", "the admin enrols first");
    enrol(&app, &admin).await;
    app.ok(&admin, REQUIRE, json!({ "i": { "required": true } })).await;
    // Sessions without MFA ended; the next sign-in may only enrol.
    assert_eq!(code(&app.gql(Some(&billing_before), ME, json!({})).await), "UNAUTHENTICATED");
    let signed = sign_in_with(&app, "billing@woodgrove.demo", PASSWORD, None).await;
    assert_eq!(signed["data"]["signIn"]["viewer"]["mfaEnrolmentRequired"], true, "{signed:#}");
    let restricted = signed["data"]["signIn"]["token"].as_str().unwrap().to_owned();
    let subs = app.gql(Some(&restricted), "{ subscriptions(first: 5) { totalCount } }", json!({})).await;
    assert_eq!(code(&subs), "MFA_ENROLMENT_REQUIRED");
    let token = app
        .gql(Some(&restricted), "mutation { createApiToken(input: {name: \"dodge\"}) { secret } }", json!({}))
        .await;
    assert_eq!(code(&token), "MFA_ENROLMENT_REQUIRED", "no API token to get around it");
    // Nor one made before: it too may only enrol until its owner has.
    let old = app.gql(Some(&machine), "{ subscriptions(first: 5) { totalCount } }", json!({})).await;
    assert_eq!(code(&old), "MFA_ENROLMENT_REQUIRED", "{old:#}");
    let more = app
        .gql(Some(&machine), "mutation { createApiToken(input: {name: \"renewal\"}) { secret } }", json!({}))
        .await;
    assert_eq!(code(&more), "MFA_ENROLMENT_REQUIRED");
    // Counts through the organization read nothing either (no loaders for a restricted session).
    let counts = app
        .gql(
            Some(&restricted),
            "{ viewer { organization { ... on Customer { subscriptionCounts { count } } } } }",
            json!({}),
        )
        .await;
    let seen = counts.pointer("/data/viewer/organization/subscriptionCounts").and_then(Value::as_array);
    assert!(seen.is_none_or(|a| a.is_empty()), "{counts:#}");
    app.ok(&restricted, "{ viewer { mfaEnrolmentRequired user { email } } }", json!({})).await;
    enrol(&app, &restricted).await;
    app.ok(&restricted, "{ subscriptions(first: 5) { totalCount } }", json!({})).await;
    // Turning it off is refused while the organization requires it.
    let off = app
        .gql(
            Some(&restricted),
            "mutation($i: DisableMfaInput!) { disableMfa(input: $i) { disabled } }",
            json!({ "i": { "password": PASSWORD } }),
        )
        .await;
    assert_eq!(code(&off), "FORBIDDEN");
}

#[sqlx::test(migrations = "../migrations")]
async fn disabling_mfa_needs_the_password_or_a_code(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let token = app.sign_in("admin@adatum.demo").await;
    enrol(&app, &token).await;
    let q = "mutation($i: DisableMfaInput!) { disableMfa(input: $i) { disabled } }";
    assert_eq!(code(&app.gql(Some(&token), q, json!({ "i": {} })).await), "BAD_USER_INPUT");
    assert_eq!(code(&app.gql(Some(&token), q, json!({ "i": { "password": "wrong" } })).await), "FORBIDDEN");
    assert_eq!(
        code(&app.gql(Some(&token), q, json!({ "i": { "code": "000000" } })).await),
        "UNAUTHENTICATED"
    );
    app.ok(&token, q, json!({ "i": { "password": PASSWORD } })).await;
    assert!(sign_in_with(&app, "admin@adatum.demo", PASSWORD, None).await["data"]["signIn"].is_object());
}

impl TestApp {
    /// A user's global id, looked up by its organization's admin.
    async fn id_of(&self, admin: &str, email: &str) -> String {
        user_id(self, admin, email).await
    }
}
