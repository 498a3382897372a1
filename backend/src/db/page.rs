//! Keyset pagination: a page is "the next `first` rows after this (sort key, id)", which stays
//! stable under inserts and costs the same on page 1 and page 10,000.

use crate::domain::{AppError, AppResult};
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

pub const MAX_PAGE: i64 = 100;
pub const DEFAULT_PAGE: i64 = 20;

/// Where a page starts: after this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct After {
    pub key: String,
    pub id: Uuid,
}

#[derive(Debug, Clone)]
pub struct PageRequest {
    pub first: i64,
    pub after: Option<After>,
}

impl PageRequest {
    pub fn new(first: Option<i32>, after: Option<After>) -> AppResult<PageRequest> {
        let first = i64::from(first.unwrap_or(DEFAULT_PAGE as i32));
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(AppError::bad_input(format!("first must be between 1 and {MAX_PAGE}")));
        }
        Ok(PageRequest { first, after })
    }

    /// Rows to fetch: one more than asked, to learn whether a next page exists.
    pub fn fetch_limit(&self) -> i64 {
        self.first + 1
    }
}

/// A fetched page; `has_next` was learnt from the extra row.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
}

impl<T> Page<T> {
    pub fn from_rows(mut rows: Vec<T>, request: &PageRequest) -> Page<T> {
        let has_next = rows.len() as i64 > request.first;
        rows.truncate(request.first as usize);
        Page { items: rows, has_next }
    }
}

/// Counts stop here: past it, `totalCount` says "at least this many" instead of scanning all a
/// viewer can see (as GitHub's search does at 1,000). Exact counts of a million rows cost
/// seconds, and even 10,000 cost 20 ms more than the page they come with.
pub const COUNT_LIMIT: i64 = 1_000;

/// A count, exact up to [`COUNT_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub value: i64,
    /// False when there are more than `value`.
    pub exact: bool,
}

impl Count {
    /// From `count(*)` over at most `COUNT_LIMIT + 1` rows.
    pub fn from_bounded(n: i64) -> Count {
        if n > COUNT_LIMIT {
            Count { value: COUNT_LIMIT, exact: false }
        } else {
            Count { value: n, exact: true }
        }
    }
}

/// A time as a cursor key (microseconds, as PostgreSQL stores it, so it round-trips exactly).
pub fn time_key(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_time_key(key: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(key)
        .map(|t| t.to_utc())
        .map_err(|_| AppError::bad_input("after is not a cursor of this list"))
}

/// Keyset for lists ordered by a time (`order by {at} desc, {id}` when `newest_first`, else
/// `order by {at}, {id}`): the rows after the cursor. Pushes nothing on the first page.
pub fn push_after_time(
    qb: &mut QueryBuilder<Postgres>,
    at: &str,
    id: &str,
    newest_first: bool,
    page: &PageRequest,
) -> AppResult<()> {
    if let Some(after) = &page.after {
        let t = parse_time_key(&after.key)?;
        let beyond = if newest_first { "<" } else { ">" };
        qb.push(format!(" and ({at} {beyond} "))
            .push_bind(t)
            .push(format!(" or ({at} = "))
            .push_bind(t)
            .push(format!(" and {id} > "))
            .push_bind(after.id)
            .push("))");
    }
    Ok(())
}

/// One key of a list's sort order: an SQL expression that is never null, the type its cursor
/// text is cast back to, and its direction.
#[derive(Debug, Clone, Copy)]
pub struct SortKey {
    pub expr: &'static str,
    pub cast: &'static str,
    pub descending: bool,
}

/// Separates the keys' values inside one cursor key (a control character no value contains).
const KEY_SEPARATOR: char = '\u{1f}';

/// A cursor key carrying each sort key's value, so the next page starts after this row in the
/// order asked for.
pub fn cursor_key(values: &[String]) -> String {
    values.join(&KEY_SEPARATOR.to_string())
}

/// `order by k1 [desc], …, id [desc]`: the id breaks ties in the last key's direction, so when
/// every key runs one way an index on (…, keys, id) serves the page in either direction.
pub fn push_order_by(qb: &mut QueryBuilder<Postgres>, keys: &[SortKey], id: &str) {
    qb.push(" order by ");
    for key in keys {
        qb.push(format!("{}{}, ", key.expr, if key.descending { " desc" } else { "" }));
    }
    let last_desc = keys.last().is_some_and(|k| k.descending);
    qb.push(format!("{id}{}", if last_desc { " desc" } else { "" }));
}

/// The rows after the cursor in the order of [`push_order_by`], as ` and (…)`. A cursor of
/// another order (another number of keys, or a value that is not of its type) is bad input.
pub fn push_after_keys(
    qb: &mut QueryBuilder<Postgres>,
    keys: &[SortKey],
    id: &str,
    page: &PageRequest,
) -> AppResult<()> {
    let Some(after) = &page.after else { return Ok(()) };
    let values: Vec<&str> = after.key.split(KEY_SEPARATOR).collect();
    if values.len() != keys.len() {
        return Err(AppError::bad_input("after is not a cursor of this list in this order"));
    }
    for (key, value) in keys.iter().zip(&values) {
        check_value(key.cast, value)?;
    }
    let last_desc = keys.last().is_some_and(|k| k.descending);
    if keys.iter().all(|k| k.descending == last_desc) {
        // One direction: a row comparison, which an index range scan answers.
        qb.push(" and (");
        for key in keys {
            qb.push(format!("{}, ", key.expr));
        }
        qb.push(format!("{id}) {} (", if last_desc { "<" } else { ">" }));
        for (key, value) in keys.iter().zip(&values) {
            qb.push_bind(value.to_string()).push(format!("::{}, ", key.cast));
        }
        qb.push_bind(after.id).push(")");
        return Ok(());
    }
    // Mixed directions: "a later first key, or the same first key and a later rest".
    qb.push(" and (");
    for i in 0..=keys.len() {
        if i > 0 {
            qb.push(" or ");
        }
        qb.push("(true");
        for (key, value) in keys.iter().zip(&values).take(i) {
            qb.push(format!(" and {} = ", key.expr))
                .push_bind(value.to_string())
                .push(format!("::{}", key.cast));
        }
        match keys.get(i) {
            Some(key) => {
                let op = if key.descending { "<" } else { ">" };
                qb.push(format!(" and {} {op} ", key.expr))
                    .push_bind(values[i].to_string())
                    .push(format!("::{}", key.cast));
            }
            None => {
                qb.push(format!(" and {id} {} ", if last_desc { "<" } else { ">" })).push_bind(after.id);
            }
        }
        qb.push(")");
    }
    qb.push(")");
    Ok(())
}

/// A cursor value must parse as its key's type, so a forged cursor is bad input, not a
/// database error.
fn check_value(cast: &str, value: &str) -> AppResult<()> {
    let ok = match cast {
        "int" => value.parse::<i32>().is_ok(),
        "bigint" => value.parse::<i64>().is_ok(),
        "timestamptz" => parse_time_key(value).is_ok(),
        "date" => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
        _ => !value.contains('\0'),
    };
    if ok { Ok(()) } else { Err(AppError::bad_input("after is not a cursor of this list in this order")) }
}
