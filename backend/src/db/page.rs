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
