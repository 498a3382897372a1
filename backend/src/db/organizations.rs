//! Organizations: the operator, partners and customers.

use super::page::{After, COUNT_LIMIT, Count, Page, PageRequest};
use super::visibility;
use crate::domain::access::Scope;
use crate::domain::{AppResult, OrganizationKind, PartnerProgram};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Organization {
    pub id: Uuid,
    pub kind: OrganizationKind,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub partner: Option<PartnerDetails>,
    pub customer: Option<CustomerDetails>,
}

#[derive(Debug, Clone)]
pub struct PartnerDetails {
    pub mpn_id: String,
    pub program: PartnerProgram,
    pub former_advisor: bool,
    pub joined_csp_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct CustomerDetails {
    pub primary_domain: String,
    pub country: String,
    pub tenant_id: Uuid,
}

#[derive(FromRow)]
struct Row {
    organization_id: Uuid,
    kind: OrganizationKind,
    name: String,
    created_at: DateTime<Utc>,
    mpn_id: Option<String>,
    program: Option<PartnerProgram>,
    former_advisor: Option<bool>,
    joined_csp_at: Option<DateTime<Utc>>,
    primary_domain: Option<String>,
    country: Option<String>,
    tenant_id: Option<Uuid>,
}

const SELECT: &str = "select o.organization_id, o.kind, o.name, o.created_at, \
    p.mpn_id, p.program, p.former_advisor, p.joined_csp_at, \
    c.primary_domain, c.country, c.tenant_id \
    from organization o \
    left join partner p on p.partner_id = o.organization_id \
    left join customer c on c.customer_id = o.organization_id ";

impl From<Row> for Organization {
    fn from(r: Row) -> Organization {
        let partner = match (r.mpn_id, r.program) {
            (Some(mpn_id), Some(program)) => Some(PartnerDetails {
                mpn_id,
                program,
                former_advisor: r.former_advisor.unwrap_or(false),
                joined_csp_at: r.joined_csp_at,
            }),
            _ => None,
        };
        let customer = match (r.primary_domain, r.country, r.tenant_id) {
            (Some(primary_domain), Some(country), Some(tenant_id)) => {
                Some(CustomerDetails { primary_domain, country, tenant_id })
            }
            _ => None,
        };
        Organization {
            id: r.organization_id,
            kind: r.kind,
            name: r.name,
            created_at: r.created_at,
            partner,
            customer,
        }
    }
}

fn convert(rows: Vec<Row>) -> AppResult<Vec<Organization>> {
    Ok(rows.into_iter().map(Organization::from).collect())
}

/// Organizations by id, unfiltered: for loaders reached from objects already visible.
pub async fn by_ids(db: impl PgExecutor<'_>, ids: &[Uuid]) -> AppResult<Vec<Organization>> {
    let rows = sqlx::query_as!(
        Row,
        r#"select o.organization_id as "organization_id!", o.kind as "kind!: OrganizationKind", o.name as "name!",
               o.created_at as "created_at!", p.mpn_id as "mpn_id?", p.program as "program?: PartnerProgram", p.former_advisor as "former_advisor?",
               p.joined_csp_at as "joined_csp_at?", c.primary_domain as "primary_domain?", c.country as "country?",
               c.tenant_id as "tenant_id?"
           from organization o
           left join partner p on p.partner_id = o.organization_id
           left join customer c on c.customer_id = o.organization_id
           where o.organization_id = any($1)"#,
        ids,
    )
    .fetch_all(db)
    .await?;
    convert(rows)
}

/// One organization if the viewer may see it: itself, the operator, any partner (partners are a
/// public directory), and the customers in its scope.
pub async fn visible_by_id(
    db: impl PgExecutor<'_>,
    scope: Scope,
    own_organization: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<Organization>> {
    let mut qb = QueryBuilder::<Postgres>::new(SELECT);
    qb.push(" where o.organization_id = ").push_bind(id);
    qb.push(" and (o.kind <> 'CUSTOMER' or o.organization_id = ").push_bind(own_organization);
    qb.push(" or ");
    visibility::push_customer_visible(&mut qb, scope, "o.organization_id", now);
    qb.push(")");
    let row: Option<Row> = qb.build_query_as().fetch_optional(db).await?;
    Ok(row.map(Organization::from))
}

/// Of the given customer ids, those visible in `scope` (per row: the ids are few, a page's).
pub async fn visible_customer_ids(
    db: impl PgExecutor<'_>,
    scope: Scope,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "select o.organization_id from organization o where o.kind = 'CUSTOMER' and o.organization_id = any(",
    );
    qb.push_bind(ids.to_vec()).push(") and ");
    visibility::push_customer_visible(&mut qb, scope, "o.organization_id", now);
    Ok(qb.build_query_scalar().fetch_all(db).await?)
}

#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Case-insensitive match on name or primary domain.
    pub search: Option<String>,
}

pub(crate) fn push_customer_filter(
    qb: &mut QueryBuilder<Postgres>,
    scope: Scope,
    filter: &CustomerFilter,
    now: DateTime<Utc>,
) {
    qb.push(" where o.kind = 'CUSTOMER' and ");
    visibility::push_customer_visible_set(qb, scope, "o.organization_id", now);
    if let Some(pattern) = search_pattern(filter) {
        qb.push(" and (o.name ilike ")
            .push_bind(pattern.clone())
            .push(" or c.primary_domain ilike ")
            .push_bind(pattern)
            .push(")");
    }
}

/// The `ilike` pattern of a non-blank search.
fn search_pattern(filter: &CustomerFilter) -> Option<String> {
    let search = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    Some(format!("%{}%", crate::db::escape_like(search)))
}

fn push_after(qb: &mut QueryBuilder<Postgres>, after: &Option<After>) {
    if let Some(after) = after {
        qb.push(" and (o.name, o.organization_id) > (")
            .push_bind(after.key.clone())
            .push(", ")
            .push_bind(after.id)
            .push(")");
    }
}

pub async fn customers_page(
    db: impl PgExecutor<'_>,
    scope: Scope,
    filter: &CustomerFilter,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> AppResult<Page<Organization>> {
    // The page's ids first, then their details: joining details to every visible customer
    // before the sort cost 2,000 lookups for a partner's first page of 50.
    let mut qb = QueryBuilder::<Postgres>::new(format!(
        "{SELECT} where o.organization_id in (select o.organization_id from organization o \
           join customer c on c.customer_id = o.organization_id "
    ));
    push_customer_filter(&mut qb, scope, filter, now);
    push_after(&mut qb, &page.after);
    qb.push(" order by o.name, o.organization_id limit ").push_bind(page.fetch_limit());
    qb.push(") order by o.name, o.organization_id");
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    Ok(Page::from_rows(convert(rows)?, page))
}

/// How many match, counted up to [`COUNT_LIMIT`].
pub async fn customers_count(
    db: impl PgExecutor<'_>,
    scope: Scope,
    filter: &CustomerFilter,
    now: DateTime<Utc>,
) -> AppResult<Count> {
    let mut qb = match (scope, search_pattern(filter)) {
        // Without a search, a partner's count needs only its own index entries, each way up
        // to the bound (`union` drops customers seen two ways).
        (Scope::Partner { partner_id }, None) => {
            let mut qb = QueryBuilder::<Postgres>::new("select count(*) from (");
            visibility::push_partner_customer_ids(&mut qb, partner_id, Some(COUNT_LIMIT + 1), now);
            qb
        }
        (Scope::Everything, None) => {
            QueryBuilder::<Postgres>::new("select count(*) from (select from customer")
        }
        _ => {
            let mut qb = QueryBuilder::<Postgres>::new(
                "select count(*) from (select from organization o join customer c on c.customer_id = o.organization_id ",
            );
            push_customer_filter(&mut qb, scope, filter, now);
            qb
        }
    };
    qb.push(" limit ").push_bind(COUNT_LIMIT + 1).push(") n");
    Ok(Count::from_bounded(qb.build_query_scalar().fetch_one(db).await?))
}

#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    pub program: Option<PartnerProgram>,
    pub search: Option<String>,
    pub mpn_id: Option<String>,
}

fn push_partner_filter(qb: &mut QueryBuilder<Postgres>, filter: &PartnerFilter) {
    qb.push(" where o.kind = 'PARTNER' ");
    if let Some(program) = filter.program {
        qb.push(" and p.program = ").push_bind(program.as_str());
    }
    if let Some(mpn) = &filter.mpn_id {
        qb.push(" and p.mpn_id = ").push_bind(mpn.clone());
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        qb.push(" and o.name ilike ").push_bind(format!("%{}%", crate::db::escape_like(search)));
    }
}

/// Partners are a directory every signed-in user may read (a customer picks a reseller from it).
pub async fn partners_page(
    db: impl PgExecutor<'_>,
    filter: &PartnerFilter,
    page: &PageRequest,
) -> AppResult<Page<Organization>> {
    let mut qb = QueryBuilder::<Postgres>::new(SELECT);
    push_partner_filter(&mut qb, filter);
    push_after(&mut qb, &page.after);
    qb.push(" order by o.name, o.organization_id limit ").push_bind(page.fetch_limit());
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    Ok(Page::from_rows(convert(rows)?, page))
}

/// How many match, counted up to [`COUNT_LIMIT`].
pub async fn partners_count(db: impl PgExecutor<'_>, filter: &PartnerFilter) -> AppResult<Count> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "select count(*) from (select from organization o join partner p on p.partner_id = o.organization_id ",
    );
    push_partner_filter(&mut qb, filter);
    qb.push(" limit ").push_bind(COUNT_LIMIT + 1).push(") n");
    Ok(Count::from_bounded(qb.build_query_scalar().fetch_one(db).await?))
}

/// Serializes bootstraps (demo load, first operator admin) across server instances starting at
/// once, until the transaction ends.
pub async fn lock_bootstrap(db: impl PgExecutor<'_>) -> AppResult<()> {
    const BOOTSTRAP_LOCK: i64 = 0x6d63_0001;
    sqlx::query!("select pg_advisory_xact_lock($1)", BOOTSTRAP_LOCK).fetch_one(db).await?;
    Ok(())
}

pub async fn operator_id(db: impl PgExecutor<'_>) -> AppResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!("select organization_id from organization where kind = 'OPERATOR'")
        .fetch_optional(db)
        .await?)
}

pub async fn insert_organization(
    db: impl PgExecutor<'_>,
    kind: OrganizationKind,
    name: &str,
) -> AppResult<Uuid> {
    Ok(sqlx::query_scalar!(
        "insert into organization (kind, name) values ($1, $2) returning organization_id",
        kind as _,
        name,
    )
    .fetch_one(db)
    .await?)
}

pub async fn insert_partner(
    db: impl PgExecutor<'_>,
    id: Uuid,
    mpn_id: &str,
    program: PartnerProgram,
) -> AppResult<()> {
    sqlx::query!(
        "insert into partner (partner_id, mpn_id, program) values ($1, $2, $3)",
        id,
        mpn_id,
        program as _,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn insert_customer(
    db: impl PgExecutor<'_>,
    id: Uuid,
    primary_domain: &str,
    country: &str,
) -> AppResult<()> {
    sqlx::query!(
        "insert into customer (customer_id, primary_domain, country) values ($1, $2, $3)",
        id,
        primary_domain,
        country,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The partner's program, locking the row so a program change is decided on current data.
pub async fn partner_program_for_update(
    db: impl PgExecutor<'_>,
    partner_id: Uuid,
) -> AppResult<Option<PartnerProgram>> {
    Ok(sqlx::query_scalar!(
        r#"select program as "program: PartnerProgram" from partner where partner_id = $1 for update"#,
        partner_id,
    )
    .fetch_optional(db)
    .await?)
}

/// An Advisor joins CSP: the program changes and the Advisor past is kept.
pub async fn join_csp(
    db: impl PgExecutor<'_>,
    partner_id: Uuid,
    program: PartnerProgram,
    at: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "update partner set program = $2, former_advisor = true, joined_csp_at = $3
         where partner_id = $1 and program = 'ADVISOR'",
        partner_id,
        program as _,
        at,
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn is_active_partnership(
    db: impl PgExecutor<'_>,
    provider_id: Uuid,
    reseller_id: Uuid,
) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from reseller_partnership
               where provider_id = $1 and reseller_id = $2 and status = 'ACTIVE') as "exists!""#,
        provider_id,
        reseller_id,
    )
    .fetch_one(db)
    .await?)
}
