//! The shapes: what partners' tools and people send all day, each as our request, the peer's
//! closest equivalent, and how to tell a right answer. Fixtures (tokens, ids, cursors) are made
//! once per run, straight in the database where the API has no way to make them.

use crate::load::{self, Request, Run};
use crate::{Database, Options, ceiling, metrics, peer::Peer};
use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::Server;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

/// Our global ids: base64url of "Type:uuid" (backend/src/graphql/ids.rs).
fn global_id(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// A bearer token made in the database for a user (an API token, as a third party holds).
async fn api_token(pool: &PgPool, user_id: Uuid) -> Result<String> {
    let secret = format!("mct_bench{}", Uuid::new_v4().simple());
    sqlx::query(
        "insert into auth_token (user_id, kind, name, secret_hash, expires_at) \
         values ($1, 'API', 'bench', sha256(convert_to($2, 'UTF8')), now() + interval '30 days')",
    )
    .bind(user_id)
    .bind(&secret)
    .execute(pool)
    .await?;
    Ok(secret)
}

async fn user_token(pool: &PgPool, email: &str) -> Result<String> {
    let user: Uuid = sqlx::query_scalar(
        "select user_id from app_user where lower(email) = $1 order by created_at limit 1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .with_context(|| format!("no user {email}"))?;
    api_token(pool, user).await
}

async fn organization(pool: &PgPool, name: &str) -> Result<Uuid> {
    sqlx::query_scalar("select organization_id from organization where name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .with_context(|| format!("no organization {name}"))
}

pub struct Tokens {
    pub operator: String,
    pub contoso: String,
    pub fabrikam: String,
}

pub struct Fixtures {
    pub root: PathBuf,
    ours: Tokens,
    theirs: Option<Tokens>,
    woodgrove: Uuid,
    /// (ours, the peer's) cursor halfway into Contoso's book, and how many customers it has.
    deep: (Option<String>, Option<String>),
    /// Contoso's book and Fabrikam's indirect subscriptions, as `totalCount` says ("1000+").
    pub book_size: String,
    pub fabrikam_size: String,
    offer: String,
    contoso_book: Vec<Uuid>,
    accept_plan: Vec<Request>,
}

const BOOK: &str = "query Book($search: String, $first: Int, $after: String) {
  customers(filter: { search: $search }, first: $first, after: $after) {
    totalCount totalCountPrecision
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name primaryDomain
      viewerRelationshipKinds
      viewerDelegatedAdminRelationships { roles endsAt expiresSoon services { name } }
      subscriptionCounts { channel count }
    } }
  }
}";

const CHANNEL_MAP: &str = "query ChannelMap($customerId: ID!) {
  channelMap(customerId: $customerId) {
    customer { id name primaryDomain country }
    services { service { name } subscriptions {
      id friendlyName purchaseChannel status quantity assignedSeats
      partnerOfRecord { name } indirectReseller { name }
    } }
    partners { partner { id name } relationshipKinds
      delegatedAdminRelationships { displayName roles status endsAt expiresSoon services { name } } }
  }
}";

const SUBSCRIPTIONS: &str =
    "query Subscriptions($channel: PurchaseChannel, $status: SubscriptionStatus, $first: Int) {
  subscriptions(filter: { channel: $channel, status: $status }, first: $first) {
    totalCount totalCountPrecision
    pageInfo { hasNextPage endCursor }
    edges { node {
      id friendlyName purchaseChannel status quantity assignedSeats commitmentEnd
      customer { name } partnerOfRecord { name } service { name }
    } }
  }
}";

const ACCEPT: &str = "mutation($i: InvitationCodeInput!) { acceptInvitation(input: $i) { invitation { status } customer { id } } }";

const CREATE: &str = "mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { subscription { id friendlyName } } }";

fn body(query: &str, variables: Value) -> String {
    json!({ "query": query, "variables": variables }).to_string()
}

async fn post(base: &str, token: &str, body: &str) -> Result<Value> {
    let answer: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .timeout(Duration::from_secs(60))
        .send()
        .await?
        .json()
        .await?;
    if answer.get("errors").is_some() {
        bail!("{base} answered with errors: {answer}");
    }
    Ok(answer["data"].clone())
}

/// Walks `pages` of a connection `first` at a time to `target` items; returns the cursor there.
async fn cursor_at(
    base: &str,
    token: &str,
    query: &str,
    connection: &str,
    target: i64,
) -> Result<Option<String>> {
    let mut after: Option<String> = None;
    let mut got = 0;
    while got < target {
        let first = (target - got).min(100);
        let data = post(base, token, &body(query, json!({ "first": first, "after": after }))).await?;
        let c = &data[connection];
        got += c["edges"].as_array().map_or(0, |e| e.len() as i64);
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        if c["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
    }
    Ok(after)
}

impl Fixtures {
    pub async fn load(root: &Path, pool: &PgPool, server: &Server, peer: Option<&Peer>) -> Result<Fixtures> {
        let ours = Tokens {
            operator: user_token(pool, "operator@21vianet.demo").await?,
            contoso: user_token(pool, "admin@contoso.demo").await?,
            fabrikam: user_token(pool, "admin@fabrikam.demo").await?,
        };
        let operator: Uuid =
            sqlx::query_scalar("select organization_id from organization where kind = 'OPERATOR'")
                .fetch_one(pool)
                .await?;
        let contoso = organization(pool, "Contoso Cloud Direct").await?;
        let fabrikam = organization(pool, "Fabrikam Distribution").await?;
        let woodgrove = organization(pool, "Woodgrove Bank").await?;
        let theirs = match peer {
            Some(p) => Some(Tokens {
                operator: p.token(root, operator, "OPERATOR")?,
                contoso: p.token(root, contoso, "PARTNER")?,
                fabrikam: p.token(root, fabrikam, "PARTNER")?,
            }),
            None => None,
        };

        let first = post(&server.base, &ours.contoso, &body(BOOK, json!({ "first": 1 }))).await?;
        let contoso_customers = first["customers"]["totalCount"].as_i64().context("a book count")?;
        let contoso_exact = first["customers"]["totalCountPrecision"] == "EXACT";
        let subs = post(
            &server.base,
            &ours.fabrikam,
            &body(SUBSCRIPTIONS, json!({ "first": 1, "channel": "CSP_INDIRECT" })),
        )
        .await?;
        let fabrikam_subscriptions = subs["subscriptions"]["totalCount"].as_i64().unwrap_or(0);
        let plus = |exact: bool| if exact { "" } else { "+" };
        let book_size = format!("{contoso_customers}{}", plus(contoso_exact));
        let fabrikam_size = format!(
            "{fabrikam_subscriptions}{}",
            plus(subs["subscriptions"]["totalCountPrecision"] == "EXACT")
        );
        let half = contoso_customers / 2;
        let deep_ours = cursor_at(&server.base, &ours.contoso, BOOK, "customers", half).await?;
        let deep_theirs = match (peer, &theirs) {
            (Some(p), Some(t)) => {
                cursor_at(&p.base, &t.contoso, &Peer::query(root, "book")?, "allOrganizations", half).await?
            }
            _ => None,
        };

        let offer: Uuid =
            sqlx::query_scalar("select offer_id from offer order by name limit 1").fetch_one(pool).await?;
        let contoso_book: Vec<Uuid> = sqlx::query_scalar(
            "select customer_id from reseller_relationship where partner_id = $1 and status = 'ACTIVE' \
             and kind = 'DIRECT' order by customer_id limit 200",
        )
        .bind(contoso)
        .fetch_all(pool)
        .await?;

        Ok(Fixtures {
            root: root.to_owned(),
            ours,
            theirs,
            woodgrove,
            deep: (deep_ours, deep_theirs),
            book_size,
            fabrikam_size,
            offer: global_id("Offer", offer),
            contoso_book,
            accept_plan: Vec::new(),
        })
    }

    /// Fresh invitations to accept, `n` of them, from e2e/bench/accept_plan.sql.
    pub async fn accept_plan(&self, pool: &PgPool, url: &str, n: usize) -> Result<Vec<Request>> {
        // Spread over enough customers that every one has enough partners left to invite it.
        let customers = n.div_ceil(5).clamp(1, 5_000);
        crate::psql(
            url,
            &self.root.join("e2e/bench/accept_plan.sql"),
            &[("n", n.to_string()), ("customers", customers.to_string())],
        )?;
        let plan: Vec<(Uuid, String)> =
            sqlx::query_as("select customer_user_id, code from bench_accept_plan order by seq")
                .fetch_all(pool)
                .await?;
        let mut tokens = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(plan.len());
        for (user, code) in plan {
            let token = match tokens.get(&user) {
                Some(t) => String::clone(t),
                None => {
                    let t = api_token(pool, user).await?;
                    tokens.insert(user, t.clone());
                    t
                }
            };
            out.push(Request { body: body(ACCEPT, json!({ "i": { "code": code } })), token });
        }
        Ok(out)
    }
}

/// How one side asks for a shape.
pub struct Side {
    pub requests: Vec<Request>,
    /// Text every right answer contains (found from the first answer unless fixed).
    pub expect: Option<String>,
}

pub enum Kind {
    Read,
    /// Each request writes; with `once`, no request is sent twice (it could succeed only once).
    Write {
        once: bool,
    },
}

pub struct Shape {
    pub name: String,
    pub title: String,
    pub kind: Kind,
    pub ours: Side,
    pub theirs: Option<Side>,
    /// From an answer (ours or the peer's) to what both must agree on.
    pub compare: Option<fn(&Value, bool) -> Value>,
}

fn names(edges: &Value, name: impl Fn(&Value) -> Value) -> Value {
    Value::Array(edges.as_array().map(|e| e.iter().map(|x| name(&x["node"])).collect()).unwrap_or_default())
}

fn book_answer(data: &Value, peer: bool) -> Value {
    if peer {
        let c = &data["allOrganizations"];
        json!({
            "names": names(&c["edges"], |n| n["name"].clone()),
            "counts": names(&c["edges"], |n| {
                let mut v: Vec<(String, i64)> = n["customerByCustomerId"]["subscriptionCountsList"].as_array()
                    .map(|a| a.iter().map(|x| (x["channel"].as_str().unwrap_or("").to_owned(), x["count"].as_i64().or_else(|| x["count"].as_str().and_then(|s| s.parse().ok())).unwrap_or(0))).collect()).unwrap_or_default();
                v.sort();
                json!(v)
            }),
        })
    } else {
        let c = &data["customers"];
        json!({
            "names": names(&c["edges"], |n| n["name"].clone()),
            "counts": names(&c["edges"], |n| {
                let mut v: Vec<(String, i64)> = n["subscriptionCounts"].as_array()
                    .map(|a| a.iter().map(|x| (x["channel"].as_str().unwrap_or("").to_owned(), x["count"].as_i64().unwrap_or(0))).collect()).unwrap_or_default();
                v.sort();
                json!(v)
            }),
        })
    }
}

fn channel_map_answer(data: &Value, peer: bool) -> Value {
    let mut subs: Vec<String> = if peer {
        data["customerByCustomerId"]["customerSubscriptionsByCustomerId"]["nodes"]
            .as_array()
            .map(|a| a.iter().map(|s| s["friendlyName"].as_str().unwrap_or("").to_owned()).collect())
            .unwrap_or_default()
    } else {
        data["channelMap"]["services"]
            .as_array()
            .map(|a| {
                a.iter()
                    .flat_map(|s| s["subscriptions"].as_array().cloned().unwrap_or_default())
                    .map(|s| s["friendlyName"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    subs.sort();
    json!(subs)
}

fn subscriptions_answer(data: &Value, peer: bool) -> Value {
    let c = if peer { &data["allCustomerSubscriptions"] } else { &data["subscriptions"] };
    names(&c["edges"], |n| n["friendlyName"].clone())
}

fn trivial_answer(data: &Value, _peer: bool) -> Value {
    data["__typename"].clone()
}

pub fn all(f: &Fixtures) -> Vec<Shape> {
    let peer_side = |query: &str, vars: Value, token: fn(&Tokens) -> &String| -> Option<Side> {
        let t = f.theirs.as_ref()?;
        let q = Peer::query(&f.root, query).ok()?;
        Some(Side { requests: vec![Request { body: body(&q, vars), token: token(t).clone() }], expect: None })
    };
    let read = |body: String, token: &String| Side {
        requests: vec![Request { body, token: token.clone() }],
        expect: None,
    };
    let create_requests: Vec<Request> = f
        .contoso_book
        .iter()
        .enumerate()
        .map(|(i, c)| Request {
            body: body(
                CREATE,
                json!({ "i": { "customerId": global_id("Customer", *c), "offerId": f.offer,
                    "friendlyName": format!("Bench order {i}"), "quantity": 5,
                    "termDuration": "P1Y", "billingCycle": "MONTHLY" } }),
            ),
            token: f.ours.contoso.clone(),
        })
        .collect();
    vec![
        Shape {
            name: "trivial".into(),
            title: "`{ __typename }` with an API token".into(),
            kind: Kind::Read,
            ours: read(body("{ __typename }", json!({})), &f.ours.contoso),
            theirs: peer_side("trivial", json!({}), |t| &t.contoso),
            compare: Some(trivial_answer),
        },
        Shape {
            name: "book".into(),
            title: format!("Contoso's book ({} customers), first page of 50", f.book_size),
            kind: Kind::Read,
            ours: read(body(BOOK, json!({ "first": 50 })), &f.ours.contoso),
            theirs: peer_side("book", json!({ "first": 50 }), |t| &t.contoso),
            compare: Some(book_answer),
        },
        Shape {
            name: "book_deep".into(),
            title: "Contoso's book, 50 from halfway (`after`)".into(),
            kind: Kind::Read,
            ours: read(body(BOOK, json!({ "first": 50, "after": f.deep.0 })), &f.ours.contoso),
            theirs: peer_side("book", json!({ "first": 50, "after": f.deep.1 }), |t| &t.contoso),
            compare: Some(book_answer),
        },
        Shape {
            name: "operator_book".into(),
            title: "the operator's book, first page of 50".into(),
            kind: Kind::Read,
            ours: read(body(BOOK, json!({ "first": 50 })), &f.ours.operator),
            theirs: peer_side("book", json!({ "first": 50 }), |t| &t.operator),
            compare: Some(book_answer),
        },
        Shape {
            name: "channel_map".into(),
            title: "`channelMap` of Woodgrove Bank (four channels), as the operator".into(),
            kind: Kind::Read,
            ours: read(
                body(CHANNEL_MAP, json!({ "customerId": global_id("Customer", f.woodgrove) })),
                &f.ours.operator,
            ),
            theirs: peer_side("channel_map", json!({ "customerId": f.woodgrove }), |t| &t.operator),
            compare: Some(channel_map_answer),
        },
        Shape {
            name: "subscriptions".into(),
            title: format!(
                "Fabrikam's `subscriptions(filter: {{channel: CSP_INDIRECT, status: ACTIVE}}, first: 50)` ({} indirect)",
                f.fabrikam_size
            ),
            kind: Kind::Read,
            ours: read(
                body(SUBSCRIPTIONS, json!({ "channel": "CSP_INDIRECT", "status": "ACTIVE", "first": 50 })),
                &f.ours.fabrikam,
            ),
            theirs: peer_side(
                "subscriptions",
                json!({ "channel": "CSP_INDIRECT", "status": "ACTIVE", "first": 50 }),
                |t| &t.fabrikam,
            ),
            compare: Some(subscriptions_answer),
        },
        Shape {
            name: "accept_invitation".into(),
            title: "`acceptInvitation` of fresh invitations (with its audit events)".into(),
            kind: Kind::Write { once: true },
            ours: Side { requests: f.accept_plan.to_vec(), expect: Some("\"acceptInvitation\":{".into()) },
            theirs: None,
            compare: None,
        },
        Shape {
            name: "create_subscription".into(),
            title: "`createSubscription` by Contoso for its customers".into(),
            kind: Kind::Write { once: false },
            ours: Side { requests: create_requests, expect: Some("\"createSubscription\":{".into()) },
            theirs: None,
            compare: None,
        },
    ]
}

/// One line of the table.
pub struct Measured {
    pub shape: String,
    pub title: String,
    pub target: &'static str,
    pub connections: u32,
    pub run: Run,
    pub statements: Option<f64>,
    pub rows: Option<f64>,
    pub server_cpu_ms: Option<f64>,
    pub pg_cpu_ms: Option<f64>,
    pub rss_mib: Option<f64>,
    pub same_answer: Option<bool>,
}

/// Text a right answer contains: the first name or `__typename` it carries.
fn expect_from(answer: &Value) -> String {
    fn first_string(v: &Value, keys: &[&str]) -> Option<String> {
        match v {
            Value::Object(m) => {
                for k in keys {
                    if let Some(Value::String(s)) = m.get(*k) {
                        return Some(
                            serde_json::to_string(&json!({ *k: s }))
                                .ok()?
                                .trim_matches(|c| c == '{' || c == '}')
                                .to_owned(),
                        );
                    }
                }
                m.values().find_map(|x| first_string(x, keys))
            }
            Value::Array(a) => a.iter().find_map(|x| first_string(x, keys)),
            _ => None,
        }
    }
    first_string(answer, &["name", "friendlyName", "__typename"]).unwrap_or_else(|| "\"data\"".into())
}

#[allow(clippy::too_many_arguments)]
pub async fn measure(
    o: &Options,
    shape: &Shape,
    server: &Server,
    peer: Option<&Peer>,
    db: &Database,
    pool: &PgPool,
    has_statements: bool,
    work: &Path,
) -> Result<(Vec<Measured>, Option<String>)> {
    let mut out = Vec::new();
    let mut heaviest = None;
    let mut ours = Side { requests: Vec::new(), expect: shape.ours.expect.clone() };
    let mut same_answer = None;
    if let Kind::Write { .. } = shape.kind {
        ours.requests = shape.ours.requests.to_vec();
    } else {
        ours.requests = shape.ours.requests.to_vec();
        let first = &shape.ours.requests[0];
        let answer = post(&server.base, &first.token, &first.body).await?;
        ours.expect = Some(expect_from(&answer));
        if let (Some(compare), Some(theirs), Some(p)) = (shape.compare, &shape.theirs, peer) {
            let r = &theirs.requests[0];
            let their_answer = post(&p.base, &r.token, &r.body).await?;
            let same = compare(&answer, false) == compare(&their_answer, true);
            if !same {
                eprintln!(
                    "    the peer's answer differs:\n    ours:   {}\n    theirs: {}",
                    compare(&answer, false),
                    compare(&their_answer, true)
                );
            }
            same_answer = Some(same);
        }
    }
    let expect = ours.expect.clone().unwrap_or_default();

    // Writes: each connection count gets its own slice of fresh requests.
    let slices = o.connections.len().max(1);
    for (i, &c) in o.connections.iter().enumerate() {
        let requests: Vec<Request> = match shape.kind {
            Kind::Read => ours.requests.to_vec(),
            Kind::Write { once: false } => ours.requests.to_vec(),
            Kind::Write { once: true } => {
                let per = ours.requests.len() / slices;
                ours.requests[i * per..(i + 1) * per].to_vec()
            }
        };
        let pids = vec![server.pid()];
        let once = matches!(shape.kind, Kind::Write { once: true });
        let m = measured_run(o, db, pool, has_statements, &pids, || {
            load::run(&server.base, "/graphql", &requests, &expect, once, c, o.seconds, work)
        })
        .await?;
        out.push(Measured {
            shape: shape.name.clone(),
            title: shape.title.clone(),
            target: "Multichannel",
            connections: c,
            rss_mib: Some(metrics::rss_mib(server.pid())),
            same_answer,
            ..m
        });
    }

    if let (Some(theirs), Some(p)) = (&shape.theirs, peer) {
        let r = &theirs.requests[0];
        let answer = post(&p.base, &r.token, &r.body).await?;
        let expect = expect_from(&answer);
        for &c in &o.connections {
            let pids = p.pids();
            let m = measured_run(o, db, pool, has_statements, &pids, || {
                load::run(&p.base, "/graphql", &theirs.requests, &expect, false, c, o.seconds, work)
            })
            .await?;
            let rss: f64 = pids.iter().map(|pid| metrics::rss_mib(*pid)).sum();
            // Requests the load generator gave up on keep running in PostgreSQL: end them, so
            // they do not weigh on the next measurement.
            stop_peer_queries(pool).await?;
            out.push(Measured {
                shape: shape.name.clone(),
                title: shape.title.clone(),
                target: "PostGraphile",
                connections: c,
                rss_mib: Some(rss),
                same_answer,
                ..m
            });
        }
    }

    if let (Kind::Read, Some(cluster)) = (&shape.kind, &db.cluster) {
        let first = &shape.ours.requests[0];
        let statements =
            capture(cluster, pool, server, &first.token, &first.body, shape.name == "trivial").await?;
        let reads: Vec<String> = statements.into_iter().filter(|s| ceiling::is_read(s)).collect();
        heaviest = heaviest_plan(pool, &reads).await?;
        if reads.is_empty() {
            eprintln!("    no statement to replay");
        } else {
            for &c in &o.connections {
                let m = measured_run(o, db, pool, has_statements, &[], || {
                    ceiling::replay(&db.url, &reads, c, o.seconds, work)
                })
                .await?;
                out.push(Measured {
                    shape: shape.name.clone(),
                    title: shape.title.clone(),
                    target: "pgbench",
                    connections: c,
                    ..m
                });
            }
        }
    }
    Ok((out, heaviest))
}

/// Cancels the peer's statements still running, and waits until they are gone.
async fn stop_peer_queries(pool: &PgPool) -> Result<()> {
    for _ in 0..100 {
        let running: i64 = sqlx::query_scalar(
            "select count(pg_cancel_backend(pid)) from pg_stat_activity \
             where usename = 'bench_peer' and state = 'active' and pid <> pg_backend_pid()",
        )
        .fetch_one(pool)
        .await?;
        if running == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the peer's statements did not stop")
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of the statement that took longest, of those a request sent.
async fn heaviest_plan(pool: &PgPool, statements: &[String]) -> Result<Option<String>> {
    let mut worst: Option<(f64, String)> = None;
    for sql in statements {
        let lines: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("explain (analyze, buffers) {sql}")))
                .fetch_all(pool)
                .await?;
        let ms = lines
            .iter()
            .find_map(|l| l.trim().strip_prefix("Execution Time: "))
            .and_then(|v| v.trim_end_matches(" ms").parse::<f64>().ok())
            .unwrap_or(0.0);
        if worst.as_ref().is_none_or(|(w, _)| ms > *w) {
            worst = Some((ms, format!("{sql}\n\n{}", lines.join("\n"))));
        }
    }
    Ok(worst.map(|(_, plan)| plan))
}

/// Runs `f` and reads what it cost: statements and rows per request, CPU per request of the
/// server processes `pids` and of PostgreSQL (private cluster only).
async fn measured_run(
    _o: &Options,
    db: &Database,
    pool: &PgPool,
    has_statements: bool,
    pids: &[u32],
    f: impl FnOnce() -> Result<Run>,
) -> Result<Measured> {
    let pg_pids = || -> Vec<u32> {
        db.cluster
            .as_ref()
            .and_then(|c| c.postmaster_pid())
            .map(|pm| {
                let mut v = metrics::children_of(pm);
                v.push(pm);
                v
            })
            .unwrap_or_default()
    };
    if has_statements {
        metrics::reset_statements(pool).await?;
    }
    let server_cpu = metrics::cpu_of(pids);
    let pg_before = pg_pids();
    let pg_cpu = metrics::cpu_of(&pg_before);
    let run = tokio::task::block_in_place(f)?;
    let n = (run.good + run.bad).max(1) as f64;
    // Backends that ended during the run took their CPU time with them; the pool keeps ours.
    let pg_after: Vec<u32> = pg_pids();
    let pg_used = metrics::cpu_of(&pg_after) - pg_cpu;
    let (statements, rows) = if has_statements {
        let (calls, rows) = metrics::statements(pool).await?;
        (Some(calls as f64 / n), Some(rows as f64 / n))
    } else {
        (None, None)
    };
    Ok(Measured {
        shape: String::new(),
        title: String::new(),
        target: "",
        connections: 0,
        server_cpu_ms: (!pids.is_empty()).then(|| (metrics::cpu_of(pids) - server_cpu) * 1000.0 / n),
        pg_cpu_ms: db.cluster.is_some().then(|| pg_used.max(0.0) * 1000.0 / n),
        rss_mib: None,
        same_answer: None,
        statements,
        rows,
        run,
    })
}

/// The statements one request made, from PostgreSQL's log. `cold`: with a token the server has
/// not seen, so its lookup is part of the request (the trivial shape is otherwise nothing).
async fn capture(
    cluster: &e2e::PrivatePg,
    pool: &PgPool,
    server: &Server,
    token: &str,
    body: &str,
    cold: bool,
) -> Result<Vec<String>> {
    let token = if cold {
        let user: Uuid = sqlx::query_scalar(
            "select user_id from auth_token where secret_hash = sha256(convert_to($1, 'UTF8'))",
        )
        .bind(token)
        .fetch_one(pool)
        .await?;
        api_token(pool, user).await?
    } else {
        // Warm: the token is cached, as in the measured runs.
        post(&server.base, token, body).await?;
        token.to_owned()
    };
    sqlx::query("alter system set log_statement = 'all'").execute(pool).await?;
    sqlx::query("select pg_reload_conf()").execute(pool).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let from = std::fs::metadata(cluster.log())?.len();
    post(&server.base, &token, body).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    sqlx::query("alter system reset log_statement").execute(pool).await?;
    sqlx::query("select pg_reload_conf()").execute(pool).await?;
    let log = std::fs::read(cluster.log())?;
    let excerpt = String::from_utf8_lossy(&log[from as usize..]);
    ceiling::parse_log(&excerpt, "multichannel")
}

impl Fixtures {
    /// Makes the invitations the accept shape uses (enough for every run at ~4,000/s).
    pub async fn prepare_writes(&mut self, o: &Options, pool: &PgPool, url: &str) -> Result<()> {
        if o.only.as_deref().is_some_and(|s| s != "accept_invitation") {
            return Ok(());
        }
        // Enough for ~3,000/s over every run; a run that uses them up stops early. The tiny scale
        // has room for a few hundred.
        let n =
            if o.seconds <= 1.0 { 300 } else { (o.seconds.ceil() as usize) * 3_000 * o.connections.len() };
        self.accept_plan = self.accept_plan(pool, url, n).await?;
        crate::settle(pool).await
    }
}
