//! Invitations and their acceptances.

use crate::domain::{AppResult, DelegatedRole, InvitationLanguage, InvitationStatus};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    pub invitation_id: Uuid,
    pub code: String,
    pub partner_id: Uuid,
    pub audience: String,
    pub customer_id: Option<Uuid>,
    pub indirect_reseller_id: Option<Uuid>,
    pub message: String,
    pub delegated_roles: Vec<DelegatedRole>,
    pub delegated_service_ids: Vec<Uuid>,
    pub delegated_duration: Option<String>,
    pub delegated_auto_extend: Option<String>,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub declined_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub acceptances: i64,
    /// The language of its ready-made email.
    pub language: InvitationLanguage,
}

impl Invitation {
    /// The status at `now` (`domain::invitation::status_at`).
    pub fn status_at(&self, now: DateTime<Utc>) -> InvitationStatus {
        crate::domain::invitation::status_at(self.status, self.expires_at, now)
    }
}

/// The invitations matching the rest of the statement (`i` is the invitation), as checked rows
/// of one column list.
macro_rules! select_invitations {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            Invitation,
            r#"select i.invitation_id, i.code, i.partner_id, i.audience, i.customer_id, i.indirect_reseller_id,
                   i.message, i.delegated_roles as "delegated_roles: Vec<DelegatedRole>", i.delegated_service_ids,
                   i.delegated_duration, i.delegated_auto_extend, i.status as "status: InvitationStatus",
                   i.created_at, i.expires_at, i.accepted_at, i.declined_at, i.revoked_at,
                   (select count(*) from invitation_acceptance a where a.invitation_id = i.invitation_id)
                       as "acceptances!",
                   i.language as "language: InvitationLanguage"
               from invitation i "# + $rest
            $(, $arg)*
        )
    };
}

/// The same column list for statements the viewer's filter builds.
const SELECT: &str = "select i.invitation_id, i.code, i.partner_id, i.audience, i.customer_id, i.indirect_reseller_id, \
    i.message, i.delegated_roles, i.delegated_service_ids, i.delegated_duration, i.delegated_auto_extend, i.status, \
    i.created_at, i.expires_at, i.accepted_at, i.declined_at, i.revoked_at, \
    (select count(*) from invitation_acceptance a where a.invitation_id = i.invitation_id) as acceptances, \
    i.language \
    from invitation i ";

pub struct NewInvitation<'a> {
    pub code: &'a str,
    pub partner_id: Uuid,
    pub created_by: Uuid,
    pub audience: &'a str,
    pub customer_id: Option<Uuid>,
    pub indirect_reseller_id: Option<Uuid>,
    pub message: &'a str,
    pub delegated_roles: &'a [DelegatedRole],
    pub delegated_service_ids: &'a [Uuid],
    pub delegated_duration: Option<&'a str>,
    pub delegated_auto_extend: Option<&'a str>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub language: InvitationLanguage,
}

/// Inserts a PENDING invitation; `None` when its code is already taken (the caller draws another).
pub async fn insert(db: impl PgExecutor<'_>, i: &NewInvitation<'_>) -> AppResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!(
        "insert into invitation (code, partner_id, created_by_user_id, audience, customer_id, indirect_reseller_id,
            message, delegated_roles, delegated_service_ids, delegated_duration, delegated_auto_extend, status,
            created_at, expires_at, language)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'PENDING', $12, $13, $14)
         on conflict (code) do nothing
         returning invitation_id",
        i.code,
        i.partner_id,
        i.created_by,
        i.audience,
        i.customer_id,
        i.indirect_reseller_id,
        i.message,
        i.delegated_roles as _,
        i.delegated_service_ids,
        i.delegated_duration,
        i.delegated_auto_extend,
        i.created_at,
        i.expires_at,
        i.language as _,
    )
    .fetch_optional(db)
    .await?)
}

pub async fn by_id(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Invitation>> {
    Ok(select_invitations!("where i.invitation_id = $1", id).fetch_optional(db).await?)
}

/// By id, locking it: a revoke and an accept of one invitation run one after the other.
pub async fn by_id_for_update(db: impl PgExecutor<'_>, id: Uuid) -> AppResult<Option<Invitation>> {
    Ok(select_invitations!("where i.invitation_id = $1 for update of i", id).fetch_optional(db).await?)
}

/// By its link code, locking it: concurrent accepts of one invitation queue here, so each sees
/// what the one before did.
pub async fn by_code_for_update(db: impl PgExecutor<'_>, code: &str) -> AppResult<Option<Invitation>> {
    Ok(select_invitations!("where i.code = $1 for update of i", code).fetch_optional(db).await?)
}

pub async fn by_code(db: impl PgExecutor<'_>, code: &str) -> AppResult<Option<Invitation>> {
    Ok(select_invitations!("where i.code = $1", code).fetch_optional(db).await?)
}

/// One invitation by id, if the organization takes part in it: the same rule as the list's
/// ([`push_list`]), so a lookup by id cannot show what the list hides.
pub async fn visible_by_id(
    db: impl PgExecutor<'_>,
    organization: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<Invitation>> {
    let mut qb = sqlx::QueryBuilder::new(SELECT);
    push_list(&mut qb, &ListFilter { organization, ..ListFilter::default() }, now);
    qb.push(" and i.invitation_id = ").push_bind(id);
    Ok(qb.build_query_as().fetch_optional(db).await?)
}

/// [`visible_by_id`] for many ids at once (a page of bulk items' results).
pub async fn visible_by_ids(
    db: impl PgExecutor<'_>,
    organization: Option<Uuid>,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Vec<Invitation>> {
    let mut qb = sqlx::QueryBuilder::new(SELECT);
    push_list(&mut qb, &ListFilter { organization, ..ListFilter::default() }, now);
    qb.push(" and i.invitation_id = any(").push_bind(ids.to_vec()).push(")");
    Ok(qb.build_query_as().fetch_all(db).await?)
}

pub async fn set_status(
    db: impl PgExecutor<'_>,
    id: Uuid,
    status: InvitationStatus,
    at: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "update invitation set status = $2,
            accepted_at = case when $2 = 'ACCEPTED' then $3 else accepted_at end,
            declined_at = case when $2 = 'DECLINED' then $3 else declined_at end,
            revoked_at = case when $2 = 'REVOKED' then $3 else revoked_at end
         where invitation_id = $1",
        id,
        status as _,
        at,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn set_message(db: impl PgExecutor<'_>, id: Uuid, message: &str) -> AppResult<()> {
    sqlx::query!("update invitation set message = $2 where invitation_id = $1", id, message)
        .execute(db)
        .await?;
    Ok(())
}

/// Records an acceptance; false when this customer had already accepted.
pub async fn record_acceptance(
    db: impl PgExecutor<'_>,
    id: Uuid,
    customer_id: Uuid,
    user_id: Uuid,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    let inserted = sqlx::query!(
        "insert into invitation_acceptance (invitation_id, customer_id, accepted_by_user_id, accepted_at)
         values ($1, $2, $3, $4) on conflict do nothing",
        id,
        customer_id,
        user_id,
        at,
    )
    .execute(db)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn has_accepted(db: impl PgExecutor<'_>, id: Uuid, customer_id: Uuid) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from invitation_acceptance where invitation_id = $1 and customer_id = $2)
               as "accepted!""#,
        id,
        customer_id,
    )
    .fetch_one(db)
    .await?)
}

/// When this customer accepted the invitation, if it did (a link for any customer stays
/// pending for others, so the invitation's own status does not say).
pub async fn accepted_by_at(
    db: impl PgExecutor<'_>,
    id: Uuid,
    customer_id: Uuid,
) -> AppResult<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar!(
        "select accepted_at from invitation_acceptance where invitation_id = $1 and customer_id = $2",
        id,
        customer_id,
    )
    .fetch_optional(db)
    .await?)
}

/// An invitation the background job expired, with the details its audit event reports.
#[derive(Debug, Clone)]
pub struct Expired {
    pub invitation_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub partner_id: Uuid,
    pub details: serde_json::Value,
}

/// PENDING invitations whose expiry has come by `now` become EXPIRED. Rows are claimed with
/// FOR UPDATE SKIP LOCKED, so concurrent jobs never expire one twice.
pub async fn expire_due(db: impl PgExecutor<'_>, now: DateTime<Utc>) -> AppResult<Vec<Expired>> {
    Ok(sqlx::query_as!(
        Expired,
        r#"with due as (
               select invitation_id from invitation where status = 'PENDING' and expires_at <= $1
               for update skip locked)
           update invitation i set status = 'EXPIRED' from due where i.invitation_id = due.invitation_id
           returning i.invitation_id as "invitation_id!", i.customer_id as "customer_id?",
               i.partner_id as "partner_id!", jsonb_build_object('expiredAt', i.expires_at) as "details!""#,
        now,
    )
    .fetch_all(db)
    .await?)
}

/// Narrows the invitations list; the organization's visibility is always applied: those it
/// created, those naming it as reseller, and (for a customer) those addressed to it or
/// accepted by it; `None`: all (the operator).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// The viewer's organization; `None` for the operator (all).
    pub organization: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    /// The status at `now` (a pending one past its expiry is EXPIRED).
    pub status: Option<InvitationStatus>,
    /// Part of the message or of the named customer's or reseller's name, ignoring case.
    pub search: Option<String>,
}

fn push_list(qb: &mut sqlx::QueryBuilder<sqlx::Postgres>, filter: &ListFilter, now: DateTime<Utc>) {
    qb.push(" where (")
        .push_bind(filter.organization)
        .push("::uuid is null or i.partner_id = ")
        .push_bind(filter.organization)
        .push(" or i.indirect_reseller_id = ")
        .push_bind(filter.organization)
        .push(" or i.customer_id = ")
        .push_bind(filter.organization)
        .push(" or exists (select 1 from invitation_acceptance a where a.invitation_id = i.invitation_id and a.customer_id = ")
        .push_bind(filter.organization)
        .push("))");
    if let Some(c) = filter.customer_id {
        qb.push(" and i.customer_id = ").push_bind(c);
    }
    if let Some(s) = &filter.status {
        qb.push(" and (case when i.status = 'PENDING' and i.expires_at <= ")
            .push_bind(now)
            .push(" then 'EXPIRED' else i.status end) = ")
            .push_bind(*s);
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", super::escape_like(search));
        // A customer's name matches only where the viewer may read it (the operator, the customer
        // itself, a partner in an active relationship with it): a search must not answer
        // yes/no about a name the row hides.
        qb.push(" and (i.message ilike ")
            .push_bind(pattern.clone())
            .push(" or exists (select 1 from organization o where o.organization_id = i.indirect_reseller_id and o.name ilike ")
            .push_bind(pattern.clone())
            .push(") or (exists (select 1 from organization o where o.organization_id = i.customer_id and o.name ilike ")
            .push_bind(pattern)
            .push(") and (")
            .push_bind(filter.organization)
            .push("::uuid is null or i.customer_id = ")
            .push_bind(filter.organization)
            .push(" or exists (select 1 from reseller_relationship rr where rr.customer_id = i.customer_id and rr.status = 'ACTIVE' and rr.partner_id = ")
            .push_bind(filter.organization)
            .push("))))");
    }
}

/// One page, newest first.
pub async fn page(
    db: impl PgExecutor<'_>,
    filter: &ListFilter,
    page: &super::page::PageRequest,
    now: DateTime<Utc>,
) -> AppResult<super::page::Page<Invitation>> {
    let mut qb = sqlx::QueryBuilder::new(SELECT);
    push_list(&mut qb, filter, now);
    super::page::push_after_time(&mut qb, "i.created_at", "i.invitation_id", true, page)?;
    qb.push(" order by i.created_at desc, i.invitation_id limit ").push_bind(page.fetch_limit());
    let rows: Vec<Invitation> = qb.build_query_as().fetch_all(db).await?;
    Ok(super::page::Page::from_rows(rows, page))
}

/// How many match, counted up to `COUNT_LIMIT`.
pub async fn count(
    db: impl PgExecutor<'_>,
    filter: &ListFilter,
    now: DateTime<Utc>,
) -> AppResult<super::page::Count> {
    let mut qb = sqlx::QueryBuilder::new("select count(*) from (select 1 from invitation i");
    push_list(&mut qb, filter, now);
    qb.push(" limit ").push_bind(super::page::COUNT_LIMIT + 1).push(") n");
    let n: i64 = qb.build_query_scalar().fetch_one(db).await?;
    Ok(super::page::Count::from_bounded(n))
}
