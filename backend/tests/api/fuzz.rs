//! A schema-driven fuzzer and a write-authorization matrix. Both learn the API by introspection,
//! so a query field or mutation added tomorrow is fuzzed and checked without touching this file.
//!
//! - `fuzzer_finds_no_internal_errors`: every root field, many seeded cases, three viewers,
//!   hostile values through variables; no answer may be INTERNAL, lack a code, or be non-200.
//! - the matrix: every mutation (but `signIn`), anonymously, with a read-only token of every
//!   demo user and as tenants that have nothing to do with the target; all refused, and the
//!   database (audit log included) exactly as before.
//!
//! `FUZZ_CASES` (cases per field and viewer) and `FUZZ_SEED` change the fuzzer's run.

mod harvest;
mod read_matrix;
mod schema;
mod values;

use crate::helpers::*;
use harvest::{Harvest, harvest};
use schema::{Field, InputValue, Kind, Schema, TypeRef};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use values::{Fuzzer, Pool, Rng, context_type};

const OPERATOR: &str = "operator@21vianet.demo";
/// The operator sees everything; a partner and a customer see their own parts.
const FUZZ_VIEWERS: [&str; 3] = [OPERATOR, "admin@fabrikam.demo", "globaladmin@woodgrove.demo"];
/// Tenants with little or nothing in common with the rest of the demo data.
const FOREIGN_VIEWERS: [&str; 3] =
    ["globaladmin@proseware.demo", "admin@litware.demo", "admin@tailspin.demo"];
/// How many different foreign targets each foreign viewer tries per mutation.
const FOREIGN_TARGETS: usize = 3;
/// In the future of the test clock (2026-06-01T09:00:00Z).
const TOKEN_EXPIRY: &str = "2026-12-01T00:00:00Z";

/// One HTTP answer: its status and its body (the raw text when it is not JSON).
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

/// Posts a GraphQL request and keeps whatever comes back (`TestApp::gql` asserts on the status,
/// which the fuzzer wants to record instead).
pub async fn post(app: &TestApp, token: Option<&str>, query: &str, variables: &Value) -> Reply {
    let mut req = app.client.post("/graphql").body_json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let resp = req.send().await;
    let status = resp.0.status().as_u16();
    let text = resp.0.into_body().into_string().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply { status, body }
}

async fn introspect(app: &TestApp, token: &str) -> Schema {
    let data = app.ok(token, schema::INTROSPECTION, json!({})).await;
    Schema::from_introspection(&data)
}

fn errors(body: &Value) -> &[Value] {
    body["errors"].as_array().map_or(&[], Vec::as_slice)
}

fn error_code(e: &Value) -> Option<&str> {
    e["extensions"]["code"].as_str()
}

/// Variables short enough to print: long strings and lists cut, control characters escaped.
fn compact(v: &Value) -> String {
    fn cut(v: &Value) -> Value {
        match v {
            Value::String(s) if s.chars().count() > 40 => {
                let head: String = s.chars().take(12).collect();
                json!(format!("{head}…({} chars)", s.chars().count()))
            }
            Value::Array(a) if a.len() > 4 => {
                let mut head: Vec<Value> = a.iter().take(3).map(cut).collect();
                head.push(json!(format!("…({} items)", a.len())));
                Value::Array(head)
            }
            Value::Array(a) => Value::Array(a.iter().map(cut).collect()),
            Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), cut(v))).collect()),
            other => other.clone(),
        }
    }
    cut(v).to_string()
}

// ---------------------------------------------------------------------------------------------
// The fuzzer

/// What is wrong with an answer whatever the request: not 200, not JSON, an error without a
/// code, or an INTERNAL error.
fn problems(reply: &Reply) -> Vec<String> {
    if reply.status != 200 {
        return vec![format!("HTTP {}", reply.status)];
    }
    if !reply.body.is_object() {
        return vec!["the body is not a JSON object".to_owned()];
    }
    errors(&reply.body)
        .iter()
        .filter_map(|e| match error_code(e) {
            None => Some(format!("no extensions.code: {}", e["message"])),
            Some("INTERNAL") => Some(format!("INTERNAL: {}", e["message"])),
            Some(_) => None,
        })
        .collect()
}

/// Problems deduplicated by field and message: the first example of each and how often.
#[derive(Default)]
struct Findings {
    first: BTreeMap<(String, String), (String, String, usize)>,
}

impl Findings {
    fn add(&mut self, viewer: &str, field: &str, vars: &Value, problem: String) {
        let entry = self
            .first
            .entry((field.to_owned(), problem))
            .or_insert_with(|| (viewer.to_owned(), compact(vars), 0));
        entry.2 += 1;
    }

    fn report(&self, cap: usize) -> String {
        let mut lines: Vec<String> = self
            .first
            .iter()
            .take(cap)
            .map(|((field, problem), (viewer, vars, n))| {
                format!("{field} as {viewer} (x{n}): {problem}\n    variables: {vars}")
            })
            .collect();
        if self.first.len() > cap {
            lines.push(format!("… and {} more", self.first.len() - cap));
        }
        lines.join("\n")
    }
}

struct Viewer {
    email: &'static str,
    token: String,
}

/// Signs the viewer in again when a fuzzed `signOut` or `revokeApiToken` ended its session.
async fn keep_signed_in(app: &TestApp, viewer: &mut Viewer, reply: &Reply) {
    let unauthenticated = errors(&reply.body).iter().any(|e| error_code(e) == Some("UNAUTHENTICATED"));
    if unauthenticated {
        let alive = post(app, Some(&viewer.token), "{ viewer { readOnly } }", &json!({})).await;
        if errors(&alive.body).iter().any(|e| error_code(e) == Some("UNAUTHENTICATED")) {
            // The fuzzer's own wrong passwords throttle sign-in (by design); forget them first.
            sqlx::query("delete from sign_in_failure").execute(&app.pool).await.unwrap();
            viewer.token = app.sign_in(viewer.email).await;
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[sqlx::test(migrations = "../migrations")]
async fn fuzzer_finds_no_internal_errors(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut viewers = Vec::new();
    for email in FUZZ_VIEWERS {
        viewers.push(Viewer { email, token: app.sign_in(email).await });
    }
    let schema = introspect(&app, &viewers[0].token).await;
    let mut everything = Harvest::default();
    for viewer in &viewers {
        everything = everything.union(&harvest(&app, &schema, &viewer.token).await);
    }
    assert!(everything.id_count() > 20, "the harvest found too few ids: {everything:?}");
    let cases = env_number("FUZZ_CASES", 16);
    let mut rng = Rng::new(env_number("FUZZ_SEED", 0x5eed_f022));
    let pool = Pool::new(everything, &mut rng);
    let mut fuzzer = Fuzzer { schema: &schema, pool: &pool, rng };

    let roots = [("query", schema.query_fields()), ("mutation", schema.mutation_fields())];
    let (mut requests, mut internal) = (0, 0);
    let mut findings = Findings::default();
    for (operation, fields) in roots {
        for field in fields {
            for _ in 0..cases {
                for viewer in &mut viewers {
                    let args = fuzzer.args(&field.args, &field.context());
                    let depth = 1 + fuzzer.rng.below(2);
                    let query = schema::request(&schema, operation, field, &args, depth);
                    let vars = schema::variables(&args);
                    let reply = post(&app, Some(&viewer.token), &query, &vars).await;
                    requests += 1;
                    for problem in problems(&reply) {
                        internal += usize::from(problem.starts_with("INTERNAL"));
                        findings.add(viewer.email, &field.name, &vars, problem);
                    }
                    keep_signed_in(&app, viewer, &reply).await;
                }
            }
        }
    }
    eprintln!("fuzz: {requests} requests, {internal} INTERNAL");
    assert!(findings.first.is_empty(), "the fuzzer found:\n{}", findings.report(40));
}

// ---------------------------------------------------------------------------------------------
// The write matrix

/// A hash of every table's rows (`last_used_at` left out: using a token is not a change).
struct Fingerprints {
    sql: String,
}

impl Fingerprints {
    async fn new(pool: &PgPool) -> Fingerprints {
        let tables: Vec<String> = sqlx::query_scalar(
            "select table_name::text from information_schema.tables \
             where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        let per_table: Vec<String> = tables
            .iter()
            .map(|t| {
                format!(
                    "select '{t}'::text, md5(coalesce(string_agg(r, E'\\n' order by r), '')) \
                     from (select (to_jsonb(x) - 'last_used_at')::text as r from \"{t}\" x) s"
                )
            })
            .collect();
        Fingerprints { sql: per_table.join(" union all ") }
    }

    async fn take(&self, pool: &PgPool) -> BTreeMap<String, String> {
        // Table names come from information_schema, not from a request.
        let sql = sqlx::AssertSqlSafe(self.sql.clone());
        let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(pool).await.unwrap();
        rows.into_iter().collect()
    }
}

fn changed_tables(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    after.iter().filter(|(t, h)| before.get(*t) != Some(h)).map(|(t, _)| t.clone()).collect()
}

/// Where a case's ids come from: `targets` first (what the case is about), then `fallback`
/// (what anyone may name, such as catalogue offers). Counts whether a target was used.
struct Targets<'a> {
    targets: &'a Harvest,
    fallback: &'a Harvest,
    n: usize,
    used_target: bool,
}

impl Targets<'_> {
    fn id(&mut self, ty: Option<&str>) -> String {
        if let Some(id) = self.targets.nth_id(ty, self.n) {
            self.used_target = true;
            return id.to_owned();
        }
        let any = self.fallback.nth_id(ty, self.n).or_else(|| self.fallback.nth_id(None, self.n));
        any.unwrap_or("none").to_owned()
    }

    /// A code (a bearer secret, not an id) only from the targets: a foreign viewer is given none.
    fn code(&self, ty: Option<&str>) -> String {
        self.targets.nth_code(ty, self.n).unwrap_or("no-such-code").to_owned()
    }
}

/// A well-formed value, so that only authorization can refuse the call: every required input
/// field, plus every optional one that names an object.
fn plausible(schema: &Schema, name: &str, ty: &TypeRef, context: &str, t: &mut Targets) -> Value {
    match ty {
        TypeRef::NonNull(inner) => plausible(schema, name, inner, context, t),
        TypeRef::List(inner) => json!([plausible(schema, name, inner, context, t)]),
        TypeRef::Named(type_name) => {
            let def = schema.ty(type_name);
            match def.kind {
                // The n-th value, so that foreign cases try each (an audience, a stage).
                Kind::Enum => json!(def.enum_values[t.n % def.enum_values.len()]),
                Kind::InputObject => {
                    let fields = def
                        .input_fields
                        .iter()
                        .filter(|f| f.required() || schema.is_id_input(&f.name, &f.ty))
                        .map(|f| (f.name.clone(), plausible(schema, &f.name, &f.ty, context, t)));
                    Value::Object(fields.collect())
                }
                _ if schema.is_id_input(name, ty) => {
                    let target = schema.type_of_id_input(name).map(str::to_owned);
                    json!(t.id(target.or_else(|| context_type(schema, context)).as_deref()))
                }
                _ => plausible_scalar(name, type_name, context, schema, t),
            }
        }
    }
}

fn plausible_scalar(name: &str, type_name: &str, context: &str, schema: &Schema, t: &mut Targets) -> Value {
    let lower = name.to_lowercase();
    match type_name {
        "Int" => json!(1),
        "Float" => json!(1.0),
        "Boolean" => json!(false),
        "JSON" => json!({}),
        s if s.contains("DateTime") => json!(TOKEN_EXPIRY),
        s if s.contains("Date") => json!("2026-12-01"),
        _ if lower == "code" => json!(t.code(context_type(schema, context).as_deref())),
        _ if lower.contains("email") => json!("matrix@example.test"),
        _ if lower.contains("password") => json!("a matrix passphrase, long enough"),
        _ if lower.contains("duration") => json!("P90D"),
        _ if lower.contains("autoextend") => json!("P0D"),
        _ if lower.contains("country") => json!("CN"),
        _ => json!("matrix"),
    }
}

/// The arguments of a mutation, filled from `t`.
fn plausible_args(schema: &Schema, field: &Field, t: &mut Targets) -> Value {
    let context = field.context();
    let args = field
        .args
        .iter()
        .filter(|a| a.required() || schema.is_id_input(&a.name, &a.ty))
        .map(|a: &InputValue| (a.name.clone(), plausible(schema, &a.name, &a.ty, &context, t)));
    Value::Object(args.collect())
}

#[derive(Clone, Copy)]
enum Expect {
    /// Refused with exactly this code.
    Code(&'static str),
    /// Refused with any code but INTERNAL.
    Refusal,
}

/// Why an answer is not the refusal expected, if it is not.
fn verdict(body: &Value, field: &str, expect: Expect) -> Option<String> {
    let Some(first) = errors(body).first() else {
        return Some("SUCCEEDED".to_owned());
    };
    let code = error_code(first).unwrap_or("<no code>");
    let said = format!("{code}: {}", first["message"].as_str().unwrap_or_default());
    if !body["data"][field].is_null() {
        return Some(format!("answered data as well as {said}"));
    }
    match expect {
        Expect::Code(c) if code != c => Some(format!("expected {c}, got {said}")),
        Expect::Refusal if code == "INTERNAL" || code == "<no code>" => Some(said),
        _ => None,
    }
}

struct Matrix<'a> {
    app: &'a TestApp,
    schema: &'a Schema,
    fingerprints: Fingerprints,
    baseline: BTreeMap<String, String>,
    /// Cases run, by kind of caller.
    cases: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
    /// `MATRIX_TRACE=1`: print every case and its answer.
    trace: bool,
}

impl Matrix<'_> {
    /// Runs one refused call; returns whether it changed the database (then the baseline moves
    /// on, so the next case is judged alone).
    async fn case(&mut self, caller: Caller<'_>, field: &Field, vars: Value, expect: Expect) -> bool {
        let Caller { kind, who, token } = caller;
        let query = schema::request(self.schema, "mutation", field, &as_args(&vars), 0);
        let reply = post(self.app, token, &query, &vars).await;
        *self.cases.entry(kind).or_default() += 1;
        if self.trace {
            eprintln!("{} as {who}: {}\n    {}", field.name, compact(&vars), compact(&reply.body));
        }
        let mut wrong = Vec::new();
        if reply.status != 200 {
            wrong.push(format!("HTTP {}", reply.status));
        }
        wrong.extend(verdict(&reply.body, &field.name, expect));
        let after = self.fingerprints.take(&self.app.pool).await;
        let changed = changed_tables(&self.baseline, &after);
        if !changed.is_empty() {
            wrong.push(format!("CHANGED {}", changed.join(", ")));
            self.baseline = after;
        }
        if !wrong.is_empty() {
            self.failures.push(format!(
                "{} as {who}: {}\n    variables: {}",
                field.name,
                wrong.join("; "),
                compact(&vars)
            ));
        }
        !changed.is_empty()
    }
}

struct Caller<'a> {
    kind: &'static str,
    who: &'a str,
    token: Option<&'a str>,
}

fn as_args(vars: &Value) -> Vec<(String, Value)> {
    vars.as_object().map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
}

/// A demo user with a read-only API token, and what the user can read (the best targets: only
/// the token's read-only flag stands between the user and the change).
struct Reader {
    email: String,
    session: String,
    token: String,
    seen: Harvest,
}

async fn read_only_token(app: &TestApp, session: &str) -> String {
    let data = app
        .ok(
            session,
            "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }",
            json!({ "i": { "name": "matrix", "expiresAt": TOKEN_EXPIRY, "readOnly": true } }),
        )
        .await;
    data["createApiToken"]["secret"].as_str().expect("a token secret").to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn every_mutation_refuses_anonymous_read_only_and_foreign_callers_and_changes_nothing(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let operator = app.sign_in(OPERATOR).await;
    let schema = introspect(&app, &operator).await;
    let mut everything = harvest(&app, &schema, &operator).await;

    // Every token is made before the first fingerprint: making them is a change.
    let mut readers = Vec::new();
    for user in &app.demo.users {
        let session = app.sign_in(&user.email).await;
        let token = read_only_token(&app, &session).await;
        let seen = harvest(&app, &schema, &session).await;
        everything = everything.union(&seen);
        readers.push(Reader { email: user.email.clone(), session, token, seen });
    }
    let mut foreigners = Vec::new();
    for email in FOREIGN_VIEWERS {
        let session = app.sign_in(email).await;
        // What the foreign viewer cannot read; codes are bearer secrets, not targets.
        let mut unseen = everything.minus(&harvest(&app, &schema, &session).await);
        unseen.codes.clear();
        assert!(unseen.id_count() > 0, "{email} sees everything");
        foreigners.push((email, session, unseen));
    }

    let fingerprints = Fingerprints::new(&app.pool).await;
    let baseline = fingerprints.take(&app.pool).await;
    let trace = std::env::var("MATRIX_TRACE").is_ok_and(|v| v == "1");
    let mut m = Matrix {
        app: &app,
        schema: &schema,
        fingerprints,
        baseline,
        cases: BTreeMap::new(),
        failures: Vec::new(),
        trace,
    };
    for field in schema.mutation_fields().iter().filter(|f| f.name != "signIn") {
        let mut t = Targets { targets: &everything, fallback: &everything, n: 0, used_target: false };
        let vars = plausible_args(&schema, field, &mut t);
        let anonymous = Caller { kind: "anonymous", who: "anonymous", token: None };
        m.case(anonymous, field, vars, Expect::Code("UNAUTHENTICATED")).await;

        for reader in &mut readers {
            let mut t = Targets { targets: &reader.seen, fallback: &everything, n: 0, used_target: false };
            let vars = plausible_args(&schema, field, &mut t);
            let who = format!("read-only token of {}", reader.email);
            let caller = Caller { kind: "read-only", who: &who, token: Some(&reader.token) };
            if m.case(caller, field, vars, Expect::Code("FORBIDDEN")).await {
                // The call may have revoked the token itself: a fresh one for the next mutation.
                reader.token = read_only_token(&app, &reader.session).await;
                m.baseline = m.fingerprints.take(&app.pool).await;
            }
        }

        for (email, session, unseen) in &foreigners {
            let mut tried = BTreeSet::new();
            for n in 0..FOREIGN_TARGETS {
                let mut t = Targets { targets: unseen, fallback: &everything, n, used_target: false };
                let vars = plausible_args(&schema, field, &mut t);
                // A call naming nothing foreign (createUser, signOut) is not a foreign case.
                if !t.used_target || !tried.insert(vars.to_string()) {
                    continue;
                }
                let caller = Caller { kind: "foreign", who: email, token: Some(session) };
                m.case(caller, field, vars, Expect::Refusal).await;
            }
        }
    }
    let by_kind: Vec<String> = m.cases.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let total: usize = m.cases.values().sum();
    eprintln!("matrix: {total} cases ({}), {} failures", by_kind.join(", "), m.failures.len());
    assert!(
        m.failures.is_empty(),
        "{} cases not refused cleanly:\n{}",
        m.failures.len(),
        m.failures.join("\n")
    );
}
