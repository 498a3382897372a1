//! Invitations: who may send them, what a link reveals, acceptance and its effects, and exactly
//! one winner when many accept at once.

use crate::helpers::*;
use chrono::Duration;
use serde_json::{Value, json};
use sqlx::PgPool;

pub const CREATE: &str = "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id code url emailText status audience message delegatedRoles indirectReseller { name } } } }";
pub const PREVIEW: &str = "query($c: String!) { invitationByCode(code: $c) { status partner { name } relationshipKind indirectReseller { name } delegatedRoles delegatedServices { name } delegatedDuration delegatedAdminHolder { name } changes } }";
pub const ACCEPT: &str = "mutation($i: InvitationCodeInput!) { acceptInvitation(input: $i) { invitation { status } customer { name } } }";

#[sqlx::test(migrations = "../migrations")]
async fn only_csp_direct_partners_and_providers_invite(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let any = json!({ "i": { "audience": "ANY_CUSTOMER", "message": "Hello" } });
    let contoso = app.sign_in("sales@contoso.demo").await;
    let created = app.ok(&contoso, CREATE, any.clone()).await;
    let inv = &created["createInvitation"]["invitation"];
    assert_eq!(inv["status"], "PENDING");
    assert!(
        inv["url"].as_str().unwrap().ends_with(&format!("/invitations/{}", inv["code"].as_str().unwrap()))
    );
    assert!(inv["emailText"].as_str().unwrap().starts_with("Hello"));
    assert!(inv["emailText"].as_str().unwrap().contains(inv["url"].as_str().unwrap()));

    for (email, expected) in [
        ("admin@northwind.demo", "INDIRECT_RESELLER_CANNOT_INVITE"),
        ("admin@litware.demo", "ADVISOR_NOT_IN_CSP"),
        ("helpdesk@contoso.demo", "FORBIDDEN"),
        ("globaladmin@woodgrove.demo", "FORBIDDEN"),
    ] {
        let token = app.sign_in(email).await;
        assert_eq!(code(&app.gql(Some(&token), CREATE, any.clone()).await), expected, "{email}");
    }
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let stranger = app.org_id("Adatum Advisory").await;
    let with =
        |reseller: &str| json!({ "i": { "audience": "ANY_CUSTOMER", "indirectResellerId": reseller } });
    assert_eq!(code(&app.gql(Some(&fabrikam), CREATE, with(&stranger)).await), "RESELLER_NOT_PARTNERED");
    let too_late = (start_of_tests() + Duration::days(91)).to_rfc3339();
    let body = app
        .gql(Some(&contoso), CREATE, json!({ "i": { "audience": "ANY_CUSTOMER", "expiresAt": too_late } }))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    let body = app.gql(Some(&contoso), CREATE, json!({ "i": { "audience": "CUSTOMER" } })).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_link_reveals_nothing_but_to_the_customer_global_admin(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let proseware = app.org_id("Proseware").await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let created =
        app.ok(&contoso, CREATE, json!({ "i": { "audience": "CUSTOMER", "customerId": proseware } })).await;
    let code_ = created["createInvitation"]["invitation"]["code"].as_str().unwrap().to_owned();
    for email in
        ["admin@fabrikam.demo", "admin@contoso.demo", "operator@21vianet.demo", "globaladmin@woodgrove.demo"]
    {
        let token = app.sign_in(email).await;
        assert_eq!(
            code(&app.gql(Some(&token), PREVIEW, json!({ "c": code_ })).await),
            "NOT_FOUND",
            "{email}"
        );
    }
    assert_eq!(code(&app.gql(None, PREVIEW, json!({ "c": code_ })).await), "UNAUTHENTICATED");
    let admin = app.sign_in("globaladmin@proseware.demo").await;
    let preview = app.ok(&admin, PREVIEW, json!({ "c": code_ })).await;
    assert_eq!(preview["invitationByCode"]["partner"]["name"], "Contoso Cloud Direct");
    assert_eq!(preview["invitationByCode"]["relationshipKind"], "DIRECT");
    assert_eq!(code(&app.gql(Some(&admin), PREVIEW, json!({ "c": "no-such-code" })).await), "NOT_FOUND");
}

#[sqlx::test(migrations = "../migrations")]
async fn revoked_declined_and_expired_invitations_are_refused_with_their_state(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let proseware = app.org_id("Proseware").await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let admin = app.sign_in("globaladmin@proseware.demo").await;
    let make = || async {
        let c = app
            .ok(&contoso, CREATE, json!({ "i": { "audience": "CUSTOMER", "customerId": proseware } }))
            .await;
        (
            c["createInvitation"]["invitation"]["id"].clone(),
            c["createInvitation"]["invitation"]["code"].as_str().unwrap().to_owned(),
        )
    };
    let (id, revoked) = make().await;
    app.ok(
        &contoso,
        "mutation($i: InvitationIdInput!) { revokeInvitation(input: $i) { invitation { status } } }",
        json!({ "i": { "id": id } }),
    )
    .await;
    let body = app.gql(Some(&admin), ACCEPT, json!({ "i": { "code": revoked } })).await;
    assert_eq!(code(&body), "INVITATION_NOT_PENDING");
    assert_eq!(body["errors"][0]["extensions"]["details"]["state"], "REVOKED");

    let (_, declined) = make().await;
    app.ok(
        &admin,
        "mutation($i: InvitationCodeInput!) { declineInvitation(input: $i) { invitation { status } } }",
        json!({ "i": { "code": declined } }),
    )
    .await;
    let body = app.gql(Some(&admin), ACCEPT, json!({ "i": { "code": declined } })).await;
    assert_eq!(body["errors"][0]["extensions"]["details"]["state"], "DECLINED");

    let (_, expiring) = make().await;
    app.advance(Duration::days(90));
    let admin = app.sign_in("globaladmin@proseware.demo").await;
    let body = app.gql(Some(&admin), ACCEPT, json!({ "i": { "code": expiring } })).await;
    assert_eq!(body["errors"][0]["extensions"]["details"]["state"], "EXPIRED");
    let relationships: i64 = sqlx::query_scalar("select count(*) from reseller_relationship where customer_id = (select organization_id from organization where name = 'Proseware')")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(relationships, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_named_reseller_sees_the_invitation_but_cannot_change_it(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let fabrikam = app.sign_in("sales@fabrikam.demo").await;
    let northwind_id = app.org_id("Northwind Resellers").await;
    let created = app
        .ok(
            &fabrikam,
            CREATE,
            json!({ "i": { "audience": "ANY_CUSTOMER", "indirectResellerId": northwind_id } }),
        )
        .await;
    let id = created["createInvitation"]["invitation"]["id"].clone();
    let northwind = app.sign_in("admin@northwind.demo").await;
    let seen =
        app.ok(&northwind, "{ invitations { edges { node { id url partner { name } } } } }", json!({})).await;
    assert_eq!(nodes_value(&seen["invitations"])[0]["id"], id);
    let revoke = "mutation($i: InvitationIdInput!) { revokeInvitation(input: $i) { invitation { status } } }";
    assert_eq!(code(&app.gql(Some(&northwind), revoke, json!({ "i": { "id": id } })).await), "FORBIDDEN");
    let tailspin = app.sign_in("admin@tailspin.demo").await;
    assert_eq!(
        app.ok(&tailspin, "{ invitations { totalCount } }", json!({})).await["invitations"]["totalCount"],
        0
    );
    assert_eq!(code(&app.gql(Some(&tailspin), revoke, json!({ "i": { "id": id } })).await), "NOT_FOUND");
    let edit = "mutation($i: UpdateInvitationMessageInput!) { updateInvitationMessage(input: $i) { invitation { message code } } }";
    let edited = app.ok(&fabrikam, edit, json!({ "i": { "id": id, "message": "New words" } })).await;
    assert_eq!(edited["updateInvitationMessage"]["invitation"]["message"], "New words");
    assert_eq!(
        edited["updateInvitationMessage"]["invitation"]["code"],
        created["createInvitation"]["invitation"]["code"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_any_customer_link_records_every_acceptance(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let created = app.ok(&contoso, CREATE, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    let code_ = created["createInvitation"]["invitation"]["code"].as_str().unwrap().to_owned();
    for email in ["globaladmin@proseware.demo", "globaladmin@alpineskihouse.demo"] {
        let admin = app.sign_in(email).await;
        app.ok(&admin, ACCEPT, json!({ "i": { "code": code_ } })).await;
        let again = app.gql(Some(&admin), ACCEPT, json!({ "i": { "code": code_ } })).await;
        assert_eq!(code(&again), "INVITATION_NOT_PENDING", "{email}");
    }
    let list =
        app.ok(&contoso, "{ invitations { edges { node { status acceptanceCount } } } }", json!({})).await;
    assert_eq!(nodes_value(&list["invitations"]), json!([{ "status": "PENDING", "acceptanceCount": 2 }]));
    let customers = app.ok(&contoso, "{ customers { totalCount } }", json!({})).await;
    assert_eq!(customers["customers"]["totalCount"], 4, "Coho, Woodgrove, and the two that accepted");
}

#[sqlx::test(migrations = "../migrations")]
async fn many_simultaneous_accepts_have_exactly_one_winner(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let proseware = app.org_id("Proseware").await;
    let azure = app.service_id("Azure").await;
    let admin = app.sign_in("globaladmin@proseware.demo").await;
    for round in 0..8 {
        let created = app
            .ok(&contoso, CREATE, json!({ "i": { "audience": "CUSTOMER", "customerId": proseware,
                "delegatedAdmin": { "roles": ["PROVISIONING"], "serviceIds": [azure], "duration": "P30D" } } }))
            .await;
        let code_ = created["createInvitation"]["invitation"]["code"].as_str().unwrap().to_owned();
        let attempts: Vec<_> =
            (0..24).map(|_| app.gql(Some(&admin), ACCEPT, json!({ "i": { "code": code_ } }))).collect();
        let results: Vec<Value> = join_all(attempts).await;
        let wins = results.iter().filter(|r| r.get("errors").is_none()).count();
        assert_eq!(wins, 1, "round {round}");
        for r in results.iter().filter(|r| r.get("errors").is_some()) {
            assert_eq!(code(r), "INVITATION_NOT_PENDING", "round {round}: {r}");
        }
        let (relationships, grants): (i64, i64) = sqlx::query_as(
            "select (select count(*) from reseller_relationship where customer_id = $1), \
                    (select count(*) from delegated_admin_relationship where customer_id = $1 and status = 'ACTIVE')",
        )
        .bind(uuid_of(&proseware))
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!((relationships, grants), (1, 1), "round {round}");
        // Free the provisioning role for the next round.
        sqlx::query("update delegated_admin_relationship set status = 'TERMINATED' where customer_id = $1")
            .bind(uuid_of(&proseware))
            .execute(&app.pool)
            .await
            .unwrap();
        sqlx::query("update delegated_admin_service set holds_exclusive_role = false where customer_id = $1")
            .bind(uuid_of(&proseware))
            .execute(&app.pool)
            .await
            .unwrap();
    }
}

async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    // Polls every future until all are done, so the requests really overlap.
    use std::pin::Pin;
    use std::task::Poll;
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (i, f) in futures.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => outputs[i] = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(outputs.iter_mut().map(|o| o.take().unwrap()).collect())
        }
    })
    .await
}

pub fn uuid_of(global_id: &str) -> uuid::Uuid {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(global_id).unwrap();
    let text = String::from_utf8(raw).unwrap();
    text.split_once(':').unwrap().1.parse().unwrap()
}

/// Every response to an invitation that is no longer pending is refused with its state.
#[sqlx::test(migrations = "../migrations")]
async fn no_response_changes_an_invitation_that_is_not_pending(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let proseware = app.org_id("Proseware").await;
    let contoso = app.sign_in("sales@contoso.demo").await;
    let admin = app.sign_in("globaladmin@proseware.demo").await;
    let decline =
        "mutation($i: InvitationCodeInput!) { declineInvitation(input: $i) { invitation { status } } }";
    let revoke = "mutation($i: InvitationIdInput!) { revokeInvitation(input: $i) { invitation { status } } }";
    let edit = "mutation($i: UpdateInvitationMessageInput!) { updateInvitationMessage(input: $i) { invitation { status } } }";
    let mut made = Vec::new();
    for end in ["ACCEPTED", "DECLINED", "REVOKED", "EXPIRED"] {
        let expires = (start_of_tests() + Duration::days(1)).to_rfc3339();
        let c = app
            .ok(
                &contoso,
                CREATE,
                json!({ "i": { "audience": "CUSTOMER", "customerId": proseware, "expiresAt": expires } }),
            )
            .await;
        let (id, code_) = (
            c["createInvitation"]["invitation"]["id"].clone(),
            c["createInvitation"]["invitation"]["code"].as_str().unwrap().to_owned(),
        );
        match end {
            "ACCEPTED" => drop(app.ok(&admin, ACCEPT, json!({ "i": { "code": code_ } })).await),
            "DECLINED" => drop(app.ok(&admin, decline, json!({ "i": { "code": code_ } })).await),
            "REVOKED" => drop(app.ok(&contoso, revoke, json!({ "i": { "id": id } })).await),
            _ => {}
        }
        made.push((end, id, code_));
    }
    app.advance(Duration::days(2)); // the last one expires
    let contoso = app.sign_in("sales@contoso.demo").await;
    let admin = app.sign_in("globaladmin@proseware.demo").await;
    for (end, id, code_) in made {
        let attempts = [
            app.gql(Some(&admin), ACCEPT, json!({ "i": { "code": code_ } })).await,
            app.gql(Some(&admin), decline, json!({ "i": { "code": code_ } })).await,
            app.gql(Some(&contoso), revoke, json!({ "i": { "id": id } })).await,
            app.gql(Some(&contoso), edit, json!({ "i": { "id": id, "message": "late" } })).await,
        ];
        for body in attempts {
            assert_eq!(code(&body), "INVITATION_NOT_PENDING", "{end}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["details"]["state"], end, "{body}");
        }
    }
}

/// The landing page shows Accept and Decline from the preview's `viewerCan`: it must agree with
/// the mutations before and after an answer, and for a link any customer may use.
#[sqlx::test(migrations = "../migrations")]
async fn the_previews_viewer_can_agrees_with_accepting(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let can = "query($c: String!) { invitationByCode(code: $c) { viewerCan { accept { allowed reasonCode } decline { allowed reasonCode } } } }";
    let contoso = app.sign_in("sales@contoso.demo").await;
    let admin = app.sign_in("globaladmin@proseware.demo").await;
    let proseware = app.org_id("Proseware").await;
    for audience in
        [json!({ "audience": "CUSTOMER", "customerId": proseware }), json!({ "audience": "ANY_CUSTOMER" })]
    {
        let created = app.ok(&contoso, CREATE, json!({ "i": audience })).await;
        let link = created["createInvitation"]["invitation"]["code"].as_str().unwrap().to_owned();
        let before = app.ok(&admin, can, json!({ "c": link })).await;
        assert_eq!(before["invitationByCode"]["viewerCan"]["accept"]["allowed"], true, "{audience}");
        assert_eq!(before["invitationByCode"]["viewerCan"]["decline"]["allowed"], true, "{audience}");
        app.ok(&admin, ACCEPT, json!({ "i": { "code": link } })).await;
        // Accepted: a second accept fails, and the preview says so with the same code.
        let again = app.gql(Some(&admin), ACCEPT, json!({ "i": { "code": link } })).await;
        let after = app.ok(&admin, can, json!({ "c": link })).await;
        assert_eq!(after["invitationByCode"]["viewerCan"]["accept"]["allowed"], false, "{audience}");
        assert_eq!(
            after["invitationByCode"]["viewerCan"]["accept"]["reasonCode"],
            code(&again),
            "{audience}"
        );
    }
}
