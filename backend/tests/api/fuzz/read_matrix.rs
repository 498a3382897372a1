//! The read side of the authorization matrix, learnt from the schema: every lookup by id (a
//! root query field whose one required argument is an `ID!`) is asked, by every demo user, for
//! every object of the types it returns; it must answer exactly the objects the user's own lists
//! show, say NOT_FOUND for all others, and reveal no more one level down.

use super::harvest::{Harvest, harvest};
use super::schema::{Field, Kind, Schema, TypeRef};
use super::{OPERATOR, TOKEN_EXPIRY, error_code, errors, introspect, post};
use crate::helpers::*;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// What every signed-in user may read by id, listed or not: the partner directory, the
/// catalogue (its services and their offers), and the operator, which runs the platform and
/// answers every escalation (`organizations::visible_by_id`: "itself, the operator, any
/// partner").
const PUBLIC: [&str; 4] = ["Partner", "Service", "Offer", "Operator"];

/// A root query field that finds one object by id.
struct Lookup<'a> {
    field: &'a Field,
    /// The name of its one required argument.
    arg: &'a str,
    /// The object types whose ids it takes (for an interface, every implementation).
    targets: Vec<String>,
    /// Whether it answers something about the object rather than the object (a channel map, a
    /// removal preview): such a view may need a role to act, so it may refuse a listed object
    /// with FORBIDDEN; an object the viewer does not list must still be NOT_FOUND.
    derived: bool,
}

/// Every root query field whose only required argument is an `ID!`, with the types it looks up:
/// the returned object type, an interface's or union's members, or (for a result without an id,
/// such as a channel map or a removal preview) the type the argument names (`customerId`) or the
/// field names (`resellerRelationshipRemovalPreview`).
fn lookups(schema: &Schema) -> Vec<Lookup<'_>> {
    let id = TypeRef::NonNull(Box::new(TypeRef::Named("ID".to_owned())));
    let mut out = Vec::new();
    for field in schema.query_fields() {
        let required: Vec<_> = field.args.iter().filter(|a| a.required()).collect();
        let [arg] = required.as_slice() else { continue };
        if arg.ty != id {
            continue;
        }
        let ret = schema.ty(field.ty.named());
        let identified = |t: &str| {
            let def = schema.ty(t);
            def.kind == Kind::Object && def.field("id").is_some()
        };
        let targets: Vec<String> = match ret.kind {
            Kind::Interface | Kind::Union => {
                ret.possible_types.iter().filter(|t| identified(t)).cloned().collect()
            }
            Kind::Object if ret.field("id").is_some() => vec![field.ty.named().to_owned()],
            _ => schema
                .type_of_id_input(&arg.name)
                .map(str::to_owned)
                .or_else(|| super::values::context_type(schema, &field.name))
                .into_iter()
                .collect(),
        };
        let derived = ret.kind == Kind::Object && ret.field("id").is_none();
        if !targets.is_empty() {
            out.push(Lookup { field, arg: &arg.name, targets, derived });
        }
    }
    out
}

/// One level below an object of type `ty`: `__typename` and `id` of every object field that
/// needs no argument (lists included), and the nodes of connections. Objects without an id (a
/// channel map's per-service rows) are wrappers, not a level: looked through, `wrappers` deep.
fn nested_selection(schema: &Schema, ty: &str, wrappers: usize) -> String {
    let def = schema.ty(ty);
    let mut parts = Vec::new();
    for f in schema.object_fields(def) {
        let target = schema.ty(f.ty.named());
        if matches!(target.kind, Kind::Object | Kind::Interface) && target.field("id").is_some() {
            parts.push(format!("{} {{ __typename id }}", f.name));
        } else if target
            .field("edges")
            .and_then(|e| schema.ty(e.ty.named()).field("node"))
            .is_some_and(|n| schema.ty(n.ty.named()).field("id").is_some())
        {
            parts.push(format!("{} {{ edges {{ node {{ __typename id }} }} }}", f.name));
        } else if target.kind == Kind::Object && wrappers > 0 {
            let inner = nested_selection(schema, f.ty.named(), wrappers - 1);
            if !inner.is_empty() {
                parts.push(format!("{} {{ {inner} }}", f.name));
            }
        }
    }
    parts.join(" ")
}

/// What a lookup said.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Answered,
    NotFound,
    /// Anything else: another code, or NOT_FOUND with data, or data without a result.
    Other(String),
}

fn outcome(body: &Value, field: &str) -> Outcome {
    let result = &body["data"][field];
    match errors(body).first() {
        None if result.is_object() => Outcome::Answered,
        None => Outcome::Other(format!("no error and no object: {result}")),
        Some(e) => {
            let code = error_code(e).unwrap_or("<no code>");
            if code == "NOT_FOUND" && result.is_null() {
                Outcome::NotFound
            } else if code == "NOT_FOUND" {
                Outcome::Other(format!("NOT_FOUND with data {result}"))
            } else {
                Outcome::Other(format!("{code}: {}", e["message"].as_str().unwrap_or_default()))
            }
        }
    }
}

/// Collects `(field, __typename, id)` of every object below `v` (not `v` itself), `field`
/// being the name of the field it was found under.
fn nested_ids(v: &Value, under: &str, out: &mut Vec<(String, String, String)>) {
    let children: Vec<(&str, &Value)> = match v {
        Value::Object(o) => o.iter().map(|(k, c)| (k.as_str(), c)).collect(),
        Value::Array(a) => a.iter().map(|c| (under, c)).collect(),
        _ => return,
    };
    for (field, c) in children {
        if let (Some(t), Some(id)) = (c["__typename"].as_str(), c["id"].as_str()) {
            out.push((field.to_owned(), t.to_owned(), id.to_owned()));
        }
        nested_ids(c, field, out);
    }
}

/// The type name inside a global id (`base64url("Type:uuid")`).
fn id_type(id: &str) -> String {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id).unwrap_or_default();
    let text = String::from_utf8_lossy(&raw).into_owned();
    text.split_once(':').map_or("?".to_owned(), |(t, _)| t.to_owned())
}

/// A demo user and what its own lists show.
struct Reader {
    email: String,
    token: String,
    seen: Harvest,
    /// Every id in `seen`, whatever its type (ids carry their type).
    all: BTreeSet<String>,
    /// The ids of the users of the reader's organization.
    colleagues: BTreeSet<String>,
}

/// Ids created in setup, by type: objects no demo list may show to everyone (a draft, a pending
/// invitation, a support request, every user's API token).
async fn create_what_the_demo_lacks(app: &TestApp) -> Vec<(String, String)> {
    let mut made = Vec::new();
    let id_at = |data: &Value, path: &[&str]| {
        let mut v = data;
        for p in path {
            v = &v[*p];
        }
        v["id"].as_str().unwrap_or_else(|| panic!("no id at {path:?}: {data:#}")).to_owned()
    };

    let sales = app.sign_in("sales@contoso.demo").await;
    let proseware = app.org_id("Proseware").await;
    let data = app
        .ok(
            &sales,
            "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { invitation { id } } }",
            json!({ "i": { "audience": "CUSTOMER", "customerId": proseware, "message": "read matrix" } }),
        )
        .await;
    made.push(("Invitation".to_owned(), id_at(&data, &["createInvitation", "invitation"])));

    let contoso = app.sign_in("admin@contoso.demo").await;
    let coho = app.org_id("Coho Winery").await;
    let services = app.ok(&contoso, "{ catalog { services { id name } } }", json!({})).await;
    let service = services["catalog"]["services"][0]["id"].clone();
    let data = app
        .ok(
            &contoso,
            "mutation($i: CreateDelegatedAdminRelationshipInput!) { createDelegatedAdminRelationship(input: $i) { delegatedAdminRelationship { id } } }",
            json!({ "i": { "customerId": coho, "terms": { "displayName": "read matrix draft", "roles": ["SUPPORT"], "serviceIds": [service], "duration": "P90D", "autoExtend": "P0D" } } }),
        )
        .await;
    made.push((
        "DelegatedAdminRelationship".to_owned(),
        id_at(&data, &["createDelegatedAdminRelationship", "delegatedAdminRelationship"]),
    ));

    let woodgrove = app.sign_in("globaladmin@woodgrove.demo").await;
    let subs = app.ok(&woodgrove, "{ subscriptions(first: 1) { edges { node { id } } } }", json!({})).await;
    let sub = subs["subscriptions"]["edges"][0]["node"]["id"].clone();
    let data = app
        .ok(
            &woodgrove,
            "mutation($i: OpenSupportRequestInput!) { openSupportRequest(input: $i) { supportRequest { id } } }",
            json!({ "i": { "subscriptionId": sub, "title": "read matrix" } }),
        )
        .await;
    made.push(("SupportRequest".to_owned(), id_at(&data, &["openSupportRequest", "supportRequest"])));

    // A webhook endpoint (an IP literal: no DNS in tests; nothing is sent) and a queued test.
    let contoso = app.sign_in("admin@contoso.demo").await;
    let data = app
        .ok(
            &contoso,
            "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }",
            json!({ "i": { "url": "https://8.8.8.8/read-matrix" } }),
        )
        .await;
    let endpoint = id_at(&data, &["createWebhookEndpoint", "endpoint"]);
    let data = app
        .ok(&contoso, "mutation($id: ID!) { sendTestWebhook(id: $id) { id } }", json!({ "id": endpoint }))
        .await;
    made.push(("WebhookDelivery".to_owned(), id_at(&data, &["sendTestWebhook"])));
    made.push(("WebhookEndpoint".to_owned(), endpoint));

    // A bulk operation (an invitation for one customer; no worker runs here, so it stays pending).
    let data = app
        .ok(
            &contoso,
            "mutation($i: StartBulkOperationInput!) { startBulkOperation(input: $i) { bulkOperation { id } } }",
            json!({ "i": { "kind": "INVITATION", "customerIds": [coho], "idempotencyKey": "read-matrix", "terms": { "message": "read matrix" } } }),
        )
        .await;
    made.push(("BulkOperation".to_owned(), id_at(&data, &["startBulkOperation", "bulkOperation"])));
    made
}

#[sqlx::test(migrations = "../migrations")]
async fn every_lookup_by_id_shows_exactly_what_the_viewers_lists_show(pool: PgPool) {
    let started = Instant::now();
    let app = TestApp::with_demo(pool).await;
    let operator = app.sign_in(OPERATOR).await;
    let schema = introspect(&app, &operator).await;
    let lookups = lookups(&schema);
    let names: Vec<&str> = lookups.iter().map(|l| l.field.name.as_str()).collect();
    assert!(names.contains(&"node"), "no lookup by id found: {names:?}");

    // Everything: what setup made (each user's API token too), then every list of every user.
    let mut everything = Harvest::default();
    for (ty, id) in create_what_the_demo_lacks(&app).await {
        everything.ids.entry(ty).or_default().insert(id);
    }
    let mut readers = Vec::new();
    for user in &app.demo.users {
        let token = app.sign_in(&user.email).await;
        let data = app
            .ok(
                &token,
                "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { apiToken { id } } }",
                json!({ "i": { "name": "read matrix", "expiresAt": TOKEN_EXPIRY } }),
            )
            .await;
        let api_token = data["createApiToken"]["apiToken"]["id"].as_str().expect("a token id");
        everything.ids.entry("ApiToken".to_owned()).or_default().insert(api_token.to_owned());
        readers.push((user.email.clone(), token));
    }
    everything = everything.union(&harvest(&app, &schema, &operator).await);
    let mut matrix_readers = Vec::new();
    let mut user_ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (user, (email, token)) in app.demo.users.iter().zip(readers) {
        let seen = harvest(&app, &schema, &token).await;
        everything = everything.union(&seen);
        let me = app.ok(&token, "{ viewer { user { id } } }", json!({})).await;
        let me = me["viewer"]["user"]["id"].as_str().expect("the viewer's id").to_owned();
        user_ids.entry(user.organization.clone()).or_default().insert(me);
        let all = seen.ids.values().flatten().cloned().collect();
        matrix_readers.push(Reader { email, token, seen, all, colleagues: BTreeSet::new() });
    }
    let every_user: BTreeSet<String> = user_ids.values().flatten().cloned().collect();
    for (reader, user) in matrix_readers.iter_mut().zip(&app.demo.users) {
        // The operator sees everyone (`node`: "… and to the operator").
        reader.colleagues =
            if reader.email == OPERATOR { every_user.clone() } else { user_ids[&user.organization].clone() };
    }
    // Every type a lookup takes has objects to look up.
    let missing: Vec<&String> = lookups
        .iter()
        .flat_map(|l| &l.targets)
        .filter(|t| everything.ids.get(*t).is_none_or(BTreeSet::is_empty))
        .collect();
    assert!(missing.is_empty(), "nothing to look up of types {missing:?}");
    assert_eq!(matrix_readers.len(), 19, "the demo has 19 users");
    let public: BTreeSet<&String> = PUBLIC.iter().filter_map(|t| everything.ids.get(*t)).flatten().collect();

    let (mut count, mut forbidden, mut failures) =
        (0usize, 0usize, BTreeMap::<String, (String, usize)>::new());
    let mut fail = |key: String, example: String| {
        failures.entry(key).or_insert((example, 0)).1 += 1;
    };
    for reader in &matrix_readers {
        for lookup in &lookups {
            let f = &lookup.field.name;
            let shallow = format!("query($v: ID!) {{ {f}({}: $v) {{ __typename }} }}", lookup.arg);
            // One level down: an interface's members by fragment, an object's own fields.
            let below = match schema.ty(lookup.field.ty.named()).kind {
                Kind::Object => nested_selection(&schema, lookup.field.ty.named(), 1),
                _ => lookup
                    .targets
                    .iter()
                    .map(|t| (t, nested_selection(&schema, t, 1)))
                    .filter(|(_, sel)| !sel.is_empty())
                    .map(|(t, sel)| format!("... on {t} {{ {sel} }}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            let deep = format!("query($v: ID!) {{ {f}({}: $v) {{ __typename {below} }} }}", lookup.arg);
            for ty in &lookup.targets {
                let Some(ids) = everything.ids.get(ty) else { continue };
                let shown = reader.seen.ids.get(ty);
                for id in ids {
                    // Ids whose encoded type is not the looked-up type (an interface's members
                    // share ids with their interface) are bad input, not an access question.
                    if id_type(id) != *ty {
                        continue;
                    }
                    let listed = shown.is_some_and(|s| s.contains(id))
                        || PUBLIC.contains(&ty.as_str())
                        // People are visible within their own organization (`node`: "People
                        // are visible within their own organization, and to the operator"),
                        // though no list shows a user's colleagues.
                        || reader.colleagues.contains(id);
                    let expected = if listed { Outcome::Answered } else { Outcome::NotFound };
                    let reply = post(&app, Some(&reader.token), &shallow, &json!({ "v": id })).await;
                    count += 1;
                    let got = outcome(&reply.body, f);
                    let refused_a_role = matches!(&got, Outcome::Other(c) if c.starts_with("FORBIDDEN:"));
                    if lookup.derived && listed && refused_a_role {
                        forbidden += 1;
                    } else if got != expected {
                        fail(
                            format!(
                                "{} {f}({}: {ty}) listed={listed}: expected {expected:?}, got {got:?}",
                                reader.email, lookup.arg
                            ),
                            id.clone(),
                        );
                    }
                    if got != Outcome::Answered {
                        continue;
                    }
                    // One level down: nothing the lists do not show (or a directory shows).
                    let reply = post(&app, Some(&reader.token), &deep, &json!({ "v": id })).await;
                    for e in errors(&reply.body) {
                        if error_code(e) != Some("NOT_FOUND") {
                            fail(format!("{} {f}({ty}) nested: {}", reader.email, e["message"]), id.clone());
                        }
                    }
                    let mut below = Vec::new();
                    nested_ids(&reply.body["data"][f.as_str()], f, &mut below);
                    for (under, nested_ty, nested) in below {
                        let known = reader.all.contains(&nested)
                            || public.contains(&nested)
                            || reader.colleagues.contains(&nested);
                        if !known {
                            fail(
                                format!(
                                    "{} {f}({ty}) {{ {under} }} reveals a {nested_ty} its lists do not show",
                                    reader.email
                                ),
                                format!("{id} -> {nested}"),
                            );
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "read matrix: {count} lookups across {} users ({} lookup fields: {}; {forbidden} listed \
         objects refused FORBIDDEN by a derived view), {:.1?}",
        matrix_readers.len(),
        lookups.len(),
        names.join(", "),
        started.elapsed()
    );
    let report: Vec<String> =
        failures.iter().take(60).map(|(k, (example, n))| format!("{k} (x{n}), e.g. {example}")).collect();
    assert!(failures.is_empty(), "{} kinds of mismatch:\n{}", failures.len(), report.join("\n"));
}
