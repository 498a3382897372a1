//! `viewerCan` on delegated admin relationships, invitations, partnerships, reseller
//! relationships and customers agrees with what the mutations do, for every demo user (lower
//! roles and other tenants included). Each probe reads `viewerCan` afresh, then tries the
//! mutation: allowed exactly when it succeeds, and refused with the promised code.

use crate::helpers::*;
use serde_json::{Value, json};
use sqlx::PgPool;

/// One action: its `viewerCan` field, the operation trying it, and its variables from the node.
struct Probe {
    field: &'static str,
    operation: &'static str,
    variables: fn(&Value) -> Value,
}

/// How to read one kind of object: the ids a user sees, and one by id with what the probes need.
struct Kind {
    name: &'static str,
    list: &'static str,
    list_path: &'static str,
    fields: &'static str,
    probes: &'static [Probe],
}

fn id_input(n: &Value) -> Value {
    json!({ "i": { "id": n["id"] } })
}

const DELEGATED: Kind = Kind {
    name: "DelegatedAdminRelationship",
    list: "{ delegatedAdminRelationships(first: 100) { edges { node { id } } } }",
    list_path: "delegatedAdminRelationships",
    fields: "id displayName roles services { id } duration autoExtend",
    probes: &[
        Probe {
            field: "update",
            operation: "mutation($i: UpdateDelegatedAdminRelationshipInput!) { updateDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            variables: |n| {
                let services: Vec<Value> =
                    n["services"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect();
                json!({ "i": { "id": n["id"], "terms": { "displayName": n["displayName"], "roles": n["roles"], "serviceIds": services, "duration": n["duration"], "autoExtend": n["autoExtend"] } } })
            },
        },
        Probe {
            field: "setAutoExtend",
            operation: "mutation($i: SetDelegatedAdminAutoExtendInput!) { setDelegatedAdminAutoExtend(input: $i) { delegatedAdminRelationship { id } } }",
            variables: |n| {
                let to = if n["autoExtend"] == "P180D" { "P0D" } else { "P180D" };
                json!({ "i": { "id": n["id"], "autoExtend": to } })
            },
        },
        Probe {
            field: "consent",
            operation: "mutation($i: DelegatedAdminRelationshipIdInput!) { consentToDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            variables: id_input,
        },
        Probe {
            field: "approve",
            // A conflicting holder is replaced: viewerCan promises the approval, not the outcome
            // of a conflict the approver has not yet decided.
            operation: "mutation($i: ApproveDelegatedAdminRelationshipInput!) { approveDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            variables: |n| json!({ "i": { "id": n["id"], "replaceExisting": true } }),
        },
        Probe {
            field: "requestApproval",
            operation: "mutation($i: DelegatedAdminRelationshipIdInput!) { requestDelegatedAdminApproval(input: $i) { delegatedAdminRelationship { id } } }",
            variables: id_input,
        },
        Probe {
            field: "reject",
            operation: "mutation($i: DelegatedAdminRelationshipIdInput!) { rejectDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            variables: id_input,
        },
        Probe {
            field: "terminate",
            operation: "mutation($i: DelegatedAdminRelationshipIdInput!) { terminateDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            variables: id_input,
        },
        Probe {
            field: "delete",
            operation: "mutation($i: DelegatedAdminRelationshipIdInput!) { deleteDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            variables: id_input,
        },
    ],
};

const INVITATIONS: Kind = Kind {
    name: "Invitation",
    list: "{ invitations(first: 100) { edges { node { id } } } }",
    list_path: "invitations",
    fields: "id code",
    probes: &[
        Probe {
            field: "updateMessage",
            operation: "mutation($i: UpdateInvitationMessageInput!) { updateInvitationMessage(input: $i) { invitation { id } } }",
            variables: |n| json!({ "i": { "id": n["id"], "message": "Please accept." } }),
        },
        Probe {
            field: "accept",
            operation: "mutation($i: InvitationCodeInput!) { acceptInvitation(input: $i) { customer { id } } }",
            variables: |n| json!({ "i": { "code": n["code"], "replaceExisting": true } }),
        },
        Probe {
            field: "decline",
            operation: "mutation($i: InvitationCodeInput!) { declineInvitation(input: $i) { customer { id } } }",
            variables: |n| json!({ "i": { "code": n["code"] } }),
        },
        Probe {
            field: "revoke",
            operation: "mutation($i: InvitationIdInput!) { revokeInvitation(input: $i) { invitation { id } } }",
            variables: id_input,
        },
    ],
};

const PARTNERSHIPS: Kind = Kind {
    name: "ResellerPartnership",
    list: "{ partnerships(first: 100) { edges { node { id } } } }",
    list_path: "partnerships",
    fields: "id code",
    probes: &[
        Probe {
            field: "accept",
            operation: "mutation($i: AcceptResellerPartnershipInput!) { acceptResellerPartnership(input: $i) { partnership { id } } }",
            // The link's code is shown to its provider only; anyone else tries a code that does
            // not exist, which must be refused the same way.
            variables: |n| json!({ "i": { "code": n["code"].as_str().unwrap_or("no-such-code") } }),
        },
        Probe {
            field: "remove",
            operation: "mutation($i: RemoveResellerPartnershipInput!) { removeResellerPartnership(input: $i) { partnership { id } } }",
            variables: id_input,
        },
    ],
};

const RELATIONSHIPS: Kind = Kind {
    name: "ResellerRelationship",
    list: "{ resellerRelationships(first: 100) { edges { node { id } } } }",
    list_path: "resellerRelationships",
    fields: "id",
    probes: &[
        Probe {
            field: "previewRemoval",
            operation: "query($id: ID!) { resellerRelationshipRemovalPreview(id: $id) { blocked } }",
            variables: |n| json!({ "id": n["id"] }),
        },
        Probe {
            field: "remove",
            operation: "mutation($i: RemoveResellerRelationshipInput!) { removeResellerRelationship(input: $i) { removed { blocked } } }",
            variables: id_input,
        },
    ],
};

/// More states than the demo has: drafts, a pending request, a customer's grant waiting for
/// consent, invitations of each audience (one naming a reseller) and a pending partnership link.
async fn more_states(app: &TestApp) {
    let contoso = app.sign_in("admin@contoso.demo").await;
    let fabrikam = app.sign_in("admin@fabrikam.demo").await;
    let woodgrove = app.sign_in("globaladmin@woodgrove.demo").await;
    let (woodgrove_id, coho_id, alpine_id) = (
        app.org_id("Woodgrove Bank").await,
        app.org_id("Coho Winery").await,
        app.org_id("Alpine Ski House").await,
    );
    let (northwind_id, fabrikam_id) =
        (app.org_id("Northwind Resellers").await, app.org_id("Fabrikam Distribution").await);
    let powerbi = app.service_id("Power BI").await;
    let draft = "mutation($i: CreateDelegatedAdminRelationshipInput!) { createDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }";
    let terms = |name: &str, auto: &str| json!({ "displayName": name, "roles": ["SUPPORT"], "serviceIds": [powerbi], "duration": "P90D", "autoExtend": auto });
    app.ok(&contoso, draft, json!({ "i": { "customerId": woodgrove_id, "terms": terms("Draft", "P0D") } }))
        .await;
    let asked = app
        .ok(&contoso, draft, json!({ "i": { "customerId": coho_id, "terms": terms("Asked", "P180D") } }))
        .await;
    app.ok(
        &contoso,
        "mutation($i: DelegatedAdminRelationshipIdInput!) { requestDelegatedAdminApproval(input: $i) { delegatedAdminRelationship { id } } }",
        json!({ "i": { "id": asked["createDelegatedAdminRelationship"]["delegatedAdminRelationship"]["id"] } }),
    )
    .await;
    app.ok(
        &woodgrove,
        "mutation($i: GrantDelegatedAdminInput!) { grantDelegatedAdmin(input: $i) { delegatedAdminRelationship { id } } }",
        json!({ "i": { "partnerId": fabrikam_id, "terms": terms("Granted", "P0D") } }),
    )
    .await;
    let invite = "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }";
    let sales = app.sign_in("sales@contoso.demo").await;
    app.ok(&sales, invite, json!({ "i": { "audience": "ANY_CUSTOMER" } })).await;
    app.ok(&sales, invite, json!({ "i": { "audience": "CUSTOMER", "customerId": woodgrove_id } })).await;
    app.ok(
        &fabrikam,
        invite,
        json!({ "i": { "audience": "CUSTOMER", "customerId": alpine_id, "indirectResellerId": northwind_id,
            "delegatedAdmin": { "roles": ["SUPPORT"], "serviceIds": [powerbi], "duration": "P30D" } } }),
    )
    .await;
    app.ok(&fabrikam, "mutation { invitePartnerReseller { partnership { id } } }", json!({})).await;
}

/// Walks every demo user over every object of `kind` it sees; returns (allowed, refused).
async fn walk(app: &TestApp, kind: &Kind) -> (usize, usize) {
    let can: String = kind.probes.iter().map(|p| format!("{} {{ allowed reasonCode }} ", p.field)).collect();
    let read = format!(
        "query($id: ID!) {{ node(id: $id) {{ ... on {} {{ {} viewerCan {{ {can} }} }} }} }}",
        kind.name, kind.fields
    );
    let (mut allowed, mut refused) = (0, 0);
    for user in app.demo.users.clone() {
        let token = app.sign_in(&user.email).await;
        let list = app.ok(&token, kind.list, json!({})).await;
        let ids: Vec<Value> = list[kind.list_path]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].clone())
            .collect();
        for id in ids {
            for probe in kind.probes {
                // Read afresh: an earlier probe may have changed (or deleted) it.
                let body = app.gql(Some(&token), &read, json!({ "id": id })).await;
                let mut node = body["data"]["node"].clone();
                if node.is_null() {
                    break;
                }
                // A customer no longer reads an invitation's code (it may not pass the link on);
                // it answers with the link it was sent, which the operator reads here.
                if kind.name == "Invitation" && node["code"].is_null() {
                    let operator = app.sign_in("operator@21vianet.demo").await;
                    let seen = app.ok(&operator, &read, json!({ "id": id })).await;
                    node["code"] = seen["node"]["code"].clone();
                }
                let node = &node;
                let promised = &node["viewerCan"][probe.field];
                let got = app.gql(Some(&token), probe.operation, (probe.variables)(node)).await;
                let context = format!(
                    "{} × {} {} × {}: promised {promised}, got {got}",
                    user.email, kind.name, node["id"], probe.field
                );
                if promised["allowed"] == true {
                    assert!(got.get("errors").is_none(), "{context}");
                    allowed += 1;
                } else {
                    let expected = promised["reasonCode"].as_str();
                    // Who may not answer an invitation or accept a link learns nothing of it.
                    let hidden = code(&got) == "NOT_FOUND";
                    assert!(Some(code(&got)) == expected || hidden, "{context}");
                    refused += 1;
                }
            }
        }
    }
    (allowed, refused)
}

#[sqlx::test(migrations = "../migrations")]
async fn delegated_admin_viewer_can_agrees_with_every_transition(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    more_states(&app).await;
    let (allowed, refused) = walk(&app, &DELEGATED).await;
    assert!(allowed >= 6 && refused >= 60, "allowed {allowed}, refused {refused}");
}

#[sqlx::test(migrations = "../migrations")]
async fn invitation_viewer_can_agrees_with_every_mutation(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    more_states(&app).await;
    let (allowed, refused) = walk(&app, &INVITATIONS).await;
    assert!(allowed >= 3 && refused >= 15, "allowed {allowed}, refused {refused}");
}

#[sqlx::test(migrations = "../migrations")]
async fn partnership_viewer_can_agrees_with_every_mutation(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    more_states(&app).await;
    let (allowed, refused) = walk(&app, &PARTNERSHIPS).await;
    assert!(allowed >= 1 && refused >= 5, "allowed {allowed}, refused {refused}");
}

#[sqlx::test(migrations = "../migrations")]
async fn reseller_relationship_viewer_can_agrees_with_preview_and_removal(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let (allowed, refused) = walk(&app, &RELATIONSHIPS).await;
    assert!(allowed >= 5 && refused >= 10, "allowed {allowed}, refused {refused}");
}

/// Ordering for a customer: viewerCan.orderSubscription is allowed exactly when an order
/// succeeds (an indirect provider's order names a reseller that works with the customer).
#[sqlx::test(migrations = "../migrations")]
async fn customer_order_permission_agrees_with_ordering(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let op = app.sign_in("operator@21vianet.demo").await;
    let offers = app.ok(&op, "{ catalog { services { offers { id } } } }", json!({})).await;
    let offer = offers["catalog"]["services"][0]["offers"][0]["id"].clone();
    let order =
        "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { id } } }";
    let (mut allowed, mut refused) = (0, 0);
    for user in app.demo.users.clone() {
        let token = app.sign_in(&user.email).await;
        let data = app
            .ok(
                &token,
                "{ customers(first: 100) { edges { node { id name viewerCan { orderSubscription { allowed reasonCode } } } } } }",
                json!({}),
            )
            .await;
        for edge in data["customers"]["edges"].as_array().unwrap() {
            let node = &edge["node"];
            let promised = &node["viewerCan"]["orderSubscription"];
            let mut input = json!({ "customerId": node["id"], "offerId": offer, "friendlyName": "Probe",
                "quantity": 1, "termDuration": "P1M", "billingCycle": "MONTHLY" });
            // An indirect provider names one of its resellers that works with the customer.
            let reseller: Option<(String,)> = sqlx::query_as(
                "select r.partner_id::text from reseller_relationship r join app_user u on u.organization_id = r.indirect_provider_id \
                 where u.email = $1 and r.status = 'ACTIVE' and r.customer_id = (select organization_id from organization where name = $2) limit 1",
            )
            .bind(&user.email)
            .bind(node["name"].as_str().unwrap())
            .fetch_optional(&app.pool)
            .await
            .unwrap();
            if let Some((r,)) = reseller {
                input["indirectResellerId"] = json!(multichannel::graphql::ids::encode(
                    multichannel::graphql::ids::NodeType::Partner,
                    r.parse().unwrap()
                ));
            } else if user.email.ends_with("@fabrikam.demo") && promised["allowed"] == true {
                continue; // No reseller of Fabrikam works with this customer: nothing to name.
            }
            let got = app.gql(Some(&token), order, json!({ "i": input })).await;
            let context = format!("{} × {}: promised {promised}, got {got}", user.email, node["name"]);
            if promised["allowed"] == true {
                assert!(got.get("errors").is_none(), "{context}");
                allowed += 1;
            } else {
                assert_eq!(Some(code(&got)), promised["reasonCode"].as_str(), "{context}");
                refused += 1;
            }
        }
    }
    assert!(allowed >= 5 && refused >= 5, "allowed {allowed}, refused {refused}");
}
