//! CSV exports: `GET /export/book.csv`, `/export/subscriptions.csv` and `/export/audit.csv`,
//! with the bearer token (an API token or the app's session token) and the same filters as the
//! app's list URLs.
//!
//! Rows are read through the same `db/` list functions as the API, under the viewer's `Scope`
//! (so the visibility rules are the API's), a page at a time by keyset, and streamed: memory
//! holds one page whatever the export's size, and no connection stays open while a slow client
//! reads. The file is UTF-8 with a BOM (so Excel reads Chinese text), quoted by the `csv`
//! crate, with cells that a spreadsheet would run as a formula defused by a leading `'`.

// The column heads' language: the request's, read by the one `Accept-Language` rule.
use crate::AppState;
use crate::db;
use crate::db::page::{After, PageRequest};
use crate::domain::Language as Lang;
use crate::domain::access::Scope;
use crate::domain::{AppError, AppResult, Viewer};
use crate::graphql::ids::{self, NodeType};
use chrono::{DateTime, Utc};
use poem::http::{StatusCode, header};
use poem::web::{Data, Query};
use poem::{Body, Request, Response, handler};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Rows read per statement.
const PAGE: i64 = 500;
const BOM: &[u8] = "\u{feff}".as_bytes();

/// The language of the column heads.
/// The column heads of each export, per language.
fn heads(export: Export, lang: Lang) -> &'static [&'static str] {
    match (export, lang) {
        (Export::Book, Lang::En) => &["Customer", "Primary domain", "Country", "Customer id"],
        (Export::Book, Lang::ZhCn) => &["客户", "主域名", "国家/地区", "客户 ID"],
        (Export::Subscriptions, Lang::En) => &[
            "Subscription",
            "Customer",
            "Service",
            "Channel",
            "Partner of record",
            "Status",
            "Seats",
            "Assigned seats",
            "Commitment end",
            "Auto-renew",
            "Subscription id",
        ],
        (Export::Subscriptions, Lang::ZhCn) => &[
            "订阅",
            "客户",
            "服务",
            "渠道",
            "记录合作伙伴",
            "状态",
            "席位",
            "已分配席位",
            "承诺期结束",
            "自动续订",
            "订阅 ID",
        ],
        (Export::Audit, Lang::En) => &[
            "When (UTC)",
            "Action",
            "What happened",
            "Subject type",
            "Subject id",
            "Customer id",
            "Partner id",
            "Details",
        ],
        (Export::Audit, Lang::ZhCn) => {
            &["时间 (UTC)", "操作", "发生了什么", "对象类型", "对象 ID", "客户 ID", "合作伙伴 ID", "详细信息"]
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Export {
    Book,
    Subscriptions,
    Audit,
}

impl Export {
    fn file_name(self) -> &'static str {
        match self {
            Export::Book => "book.csv",
            Export::Subscriptions => "subscriptions.csv",
            Export::Audit => "audit.csv",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Export::Book => "book",
            Export::Subscriptions => "subscriptions",
            Export::Audit => "audit",
        }
    }
}

/// A text cell a spreadsheet would take for a formula gets a leading `'` (OWASP's advice).
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    // The full-width forms too: spreadsheets set up for Chinese may read ＝ as =.
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => {
            format!("'{cell}").into()
        }
        _ => cell.into(),
    }
}

/// Rows to CSV bytes (one page's worth).
struct Sheet(csv::Writer<Vec<u8>>);

impl Sheet {
    fn new() -> Sheet {
        Sheet(Self::writer())
    }

    fn writer() -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new())
    }

    /// Text cells are defused; numbers are written as they are.
    fn row<I, S>(&mut self, cells: I) -> AppResult<()>
    where
        I: IntoIterator<Item = Cell<S>>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| match c {
                Cell::Text(t) => defuse(t.as_ref()).into_owned(),
                Cell::Plain(t) => t.as_ref().to_owned(),
            })
            .collect();
        self.0.write_record(&cells).map_err(|e| AppError::Internal(e.into()))
    }

    fn take(&mut self) -> AppResult<Vec<u8>> {
        let writer = std::mem::replace(&mut self.0, Self::writer());
        writer.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("writing CSV: {e}")))
    }
}

enum Cell<S> {
    /// Free text, which may start like a formula.
    Text(S),
    /// Numbers, codes, ids and times the server writes.
    Plain(S),
}

/// The viewer of the request's bearer token, or the response refusing it.
async fn viewer(req: &Request, state: &AppState) -> Result<Viewer, Response> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty());
    let unauthenticated = || {
        Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, "Bearer")
            .content_type("text/plain; charset=utf-8")
            .body("sign in: send the session or API token as Authorization: Bearer <token>\n")
    };
    let Some(token) = token else { return Err(unauthenticated()) };
    match crate::workflows::auth::authenticate(state, token, state.clock.now()).await {
        Ok(Some(v)) if v.enrol_only => Err(Response::builder()
            .status(StatusCode::FORBIDDEN)
            .content_type("text/plain; charset=utf-8")
            .body("set up multi-factor sign-in first\n")),
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(unauthenticated()),
        Err(e) => Err(failure(e)),
    }
}

fn failure(e: AppError) -> Response {
    let status = match &e {
        AppError::Refused(r) if r.code == crate::domain::Code::BadUserInput => StatusCode::BAD_REQUEST,
        AppError::Refused(_) => StatusCode::FORBIDDEN,
        AppError::Internal(cause) => {
            tracing::error!(error = ?cause, "export");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    Response::builder().status(status).content_type("text/plain; charset=utf-8").body(match &e {
        // The cause is in the log; the client gets the same words as the API's.
        AppError::Internal(_) => {
            "SERVICE_UNAVAILABLE: the export could not be read; try again shortly\n".to_owned()
        }
        AppError::Refused(_) => format!("{}\n", e.describe()),
    })
}

/// The streamed file: BOM and heads, then each page's rows as they are read. A failure
/// mid-way ends the stream with an error, so the client sees a broken download, never a
/// silently short file.
fn csv_response<S>(export: Export, lang: Lang, rows: S) -> Response
where
    S: futures_util::Stream<Item = AppResult<Vec<u8>>> + Send + 'static,
{
    use futures_util::StreamExt;
    let mut head = Sheet::new();
    let first = head.row(heads(export, lang).iter().map(|h| Cell::Plain(*h))).and_then(|_| head.take());
    let first = first.map(|b| [BOM, &b[..]].concat());
    let body = futures_util::stream::once(async move { first }).chain(rows).map(|r| {
        r.map_err(|e| {
            tracing::error!(error = %e.describe(), "export failed mid-way");
            std::io::Error::other(e.describe())
        })
    });
    Response::builder()
        .content_type("text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", export.file_name()))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_bytes_stream(body))
}

fn counted(export: Export, n: usize) {
    metrics::counter!(crate::telemetry::EXPORT_ROWS, "export" => export.label()).increment(n as u64);
}

/// The app's `/?q=` search.
#[derive(Debug, Deserialize, Default)]
pub struct BookParams {
    q: Option<String>,
}

#[handler]
pub async fn book(req: &Request, Data(state): Data<&AppState>, Query(p): Query<BookParams>) -> Response {
    let viewer = match viewer(req, state).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if p.q.as_deref().is_some_and(|q| q.chars().count() > 100 || q.contains('\0')) {
        return failure(AppError::bad_input("the search must be at most 100 characters, without NUL"));
    }
    let (state, scope, now) = (state.clone(), Scope::of(&viewer), state.clock.now());
    let filter = db::organizations::CustomerFilter { search: p.q };
    let rows = async_stream::try_stream! {
        let mut after: Option<After> = None;
        loop {
            let request = PageRequest { first: PAGE, after: after.take() };
            let page = db::organizations::customers_page(&state.pool, scope, &filter, &request, now).await?;
            let mut sheet = Sheet::new();
            for c in &page.items {
                let details = c.customer.as_ref();
                sheet.row([
                    Cell::Text(c.name.clone()),
                    Cell::Text(details.map(|d| d.primary_domain.clone()).unwrap_or_default()),
                    Cell::Text(details.map(|d| d.country.clone()).unwrap_or_default()),
                    Cell::Plain(ids::encode(NodeType::Customer, c.id).to_string()),
                ])?;
            }
            counted(Export::Book, page.items.len());
            after = page.items.last().map(|c| After { key: c.name.clone(), id: c.id });
            yield sheet.take()?;
            if !page.has_next { break; }
        }
    };
    csv_response(Export::Book, super::graphql::language(req), rows)
}

/// The app's `/subscriptions` URL parameters.
#[derive(Debug, Deserialize, Default)]
pub struct SubscriptionParams {
    channel: Option<String>,
    status: Option<String>,
    service: Option<String>,
    customer: Option<String>,
    q: Option<String>,
    sort: Option<String>,
}

impl SubscriptionParams {
    fn filter(&self) -> AppResult<db::subscriptions::SubscriptionFilter> {
        let blank =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        fn parse<T: std::str::FromStr>(v: Option<String>, what: &str) -> AppResult<Option<T>> {
            v.map(|v| v.parse().map_err(|_| AppError::bad_input(format!("unknown {what} {v:?}")))).transpose()
        }
        let id = |v: &Option<String>, t: NodeType| blank(v).map(|v| ids::decode(&v.into(), &[t])).transpose();
        let search = blank(&self.q);
        if search.as_deref().is_some_and(|q| q.chars().count() > 100 || q.contains('\0')) {
            return Err(AppError::bad_input("the search must be at most 100 characters, without NUL"));
        }
        Ok(db::subscriptions::SubscriptionFilter {
            customer_id: id(&self.customer, NodeType::Customer)?,
            channel: parse(blank(&self.channel), "channel")?,
            status: parse(blank(&self.status), "status")?,
            service_id: id(&self.service, NodeType::Service)?,
            partner_id: None,
            stage: None,
            search,
        })
    }

    /// `sort=name|seats|ordered`, `-` first for the other way (the app's sort headers).
    fn order(&self) -> (db::subscriptions::SubscriptionOrder, bool) {
        use db::subscriptions::SubscriptionOrder as O;
        let sort = self.sort.as_deref().unwrap_or("");
        let (field, descending) = match sort.strip_prefix('-') {
            Some(f) => (f, true),
            None => (sort, false),
        };
        let order = match field {
            "seats" => O::Quantity,
            "ordered" => O::CreatedAt,
            _ => O::Name,
        };
        (order, descending)
    }
}

#[handler]
pub async fn subscriptions(
    req: &Request,
    Data(state): Data<&AppState>,
    Query(p): Query<SubscriptionParams>,
) -> Response {
    let viewer = match viewer(req, state).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let filter = match p.filter() {
        Ok(f) => f,
        Err(e) => return failure(e),
    };
    let order = p.order();
    let (state, scope, now) = (state.clone(), Scope::of(&viewer), state.clock.now());
    let rows = async_stream::try_stream! {
        let mut after: Option<After> = None;
        loop {
            let request = PageRequest { first: PAGE, after: after.take() };
            let page = db::subscriptions::page(&state.pool, scope, &filter, &request, order, now).await?;
            let names = names(&state, &page.items).await?;
            let name = |id: Option<Uuid>| id.and_then(|id| names.get(&id).cloned()).unwrap_or_default();
            let mut sheet = Sheet::new();
            for s in &page.items {
                let f = &s.facts;
                sheet.row([
                    Cell::Text(s.friendly_name.clone()),
                    Cell::Text(name(Some(f.customer_id))),
                    Cell::Text(name(Some(f.service_id))),
                    Cell::Plain(f.purchase_channel.as_str().to_owned()),
                    Cell::Text(name(f.partner_of_record_id)),
                    Cell::Plain(f.status.as_str().to_owned()),
                    Cell::Plain(f.quantity.to_string()),
                    Cell::Plain(f.assigned_seats.to_string()),
                    Cell::Plain(s.commitment_end.to_string()),
                    Cell::Plain(s.auto_renew.to_string()),
                    Cell::Plain(ids::encode(NodeType::Subscription, s.id).to_string()),
                ])?;
            }
            counted(Export::Subscriptions, page.items.len());
            after = page.items.last().map(|s| After { key: order.0.cursor_key(s), id: s.id });
            yield sheet.take()?;
            if !page.has_next { break; }
        }
    };
    csv_response(Export::Subscriptions, super::graphql::language(req), rows)
}

/// The names of a page's customers, partners of record and services (as the list shows them).
async fn names(
    state: &AppState,
    items: &[db::subscriptions::Subscription],
) -> AppResult<HashMap<Uuid, String>> {
    let mut orgs: Vec<Uuid> = items
        .iter()
        .flat_map(|s| [Some(s.facts.customer_id), s.facts.partner_of_record_id])
        .flatten()
        .collect();
    orgs.sort_unstable();
    orgs.dedup();
    let mut services: Vec<Uuid> = items.iter().map(|s| s.facts.service_id).collect();
    services.sort_unstable();
    services.dedup();
    let mut names: HashMap<Uuid, String> =
        db::organizations::by_ids(&state.pool, &orgs).await?.into_iter().map(|o| (o.id, o.name)).collect();
    names.extend(
        db::catalog::services_by_ids(&state.pool, &services)
            .await?
            .into_iter()
            .map(|s| (s.service_id, s.name)),
    );
    Ok(names)
}

/// The app's `/audit?q=` search, and the API's other audit filters.
#[derive(Debug, Deserialize, Default)]
pub struct AuditParams {
    q: Option<String>,
    customer: Option<String>,
    partner: Option<String>,
    action: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl AuditParams {
    fn filter(self) -> AppResult<db::audit_query::Filter> {
        let blank = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let id = |v: Option<String>, t: NodeType| blank(v).map(|v| ids::decode(&v.into(), &[t])).transpose();
        let search = match blank(self.q) {
            None => None,
            Some(text) => {
                let max = crate::domain::audit::MAX_SEARCH_CHARS;
                if text.chars().count() > max || text.contains('\0') {
                    return Err(AppError::bad_input(format!(
                        "the search must be at most {max} characters, without NUL"
                    )));
                }
                let codes =
                    crate::domain::audit::actions_matching(&text).into_iter().map(str::to_owned).collect();
                Some(db::audit_query::ActionSearch { codes, text })
            }
        };
        let action = blank(self.action);
        if action.as_deref().is_some_and(|a| a.len() > 100 || a.contains('\0')) {
            return Err(AppError::bad_input("the action must be at most 100 characters, without NUL"));
        }
        Ok(db::audit_query::Filter {
            customer_id: id(self.customer, NodeType::Customer)?,
            partner_id: id(self.partner, NodeType::Partner)?,
            action,
            search,
            from: self.from,
            to: self.to,
        })
    }
}

#[handler]
pub async fn audit(req: &Request, Data(state): Data<&AppState>, Query(p): Query<AuditParams>) -> Response {
    let viewer = match viewer(req, state).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let filter = match p.filter() {
        Ok(f) => f,
        Err(e) => return failure(e),
    };
    let (state, scope) = (state.clone(), Scope::of(&viewer));
    let language = super::graphql::language(req);
    let rows = async_stream::try_stream! {
        let mut before: Option<i64> = None;
        loop {
            let events = db::audit_query::page(&state.pool, scope, &filter, before, PAGE + 1).await?;
            let has_next = events.len() as i64 > PAGE;
            let mut sheet = Sheet::new();
            for e in events.iter().take(PAGE as usize) {
                let subject = NodeType::parse(&e.subject_type)
                    .map(|t| ids::encode(t, e.subject_id).to_string())
                    .unwrap_or_else(|| e.subject_id.to_string());
                sheet.row([
                    Cell::Plain(crate::db::page::time_key(e.occurred_at)),
                    Cell::Plain(e.action.clone()),
                    Cell::Text(crate::domain::audit::action_label(language, &e.action)),
                    Cell::Plain(e.subject_type.clone()),
                    Cell::Plain(subject),
                    Cell::Plain(e.customer_id.map(|c| ids::encode(NodeType::Customer, c).to_string()).unwrap_or_default()),
                    Cell::Plain(e.partner_id.map(|p| ids::encode(NodeType::Partner, p).to_string()).unwrap_or_default()),
                    Cell::Text(e.details.to_string()),
                ])?;
            }
            let n = events.len().min(PAGE as usize);
            counted(Export::Audit, n);
            before = events.get(n.saturating_sub(1)).map(|e| e.audit_event_id);
            yield sheet.take()?;
            if !has_next { break; }
        }
    };
    csv_response(Export::Audit, super::graphql::language(req), rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "＝1+1", "＋1", "－1", "＠SUM(A1)"] {
            assert!(defuse(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(defuse("Contoso"), "Contoso");
        assert_eq!(defuse(""), "");
    }

    #[test]
    fn cells_are_quoted() {
        let mut sheet = Sheet::new();
        sheet
            .row([Cell::Text("a,b"), Cell::Text("say \"hi\""), Cell::Text("=2"), Cell::Plain("-3")])
            .unwrap();
        assert_eq!(&sheet.take().unwrap()[..], b"\"a,b\",\"say \"\"hi\"\"\",'=2,-3\r\n");
    }
}
