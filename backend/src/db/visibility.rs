//! The one place where a [`Scope`] becomes SQL. Every list and every read by id goes through
//! these predicates, so visibility is applied in the database and nowhere else.
//!
//! Each rule comes in two shapes built from the same fragments:
//! - *per row* (`push_customer_visible`, `push_subscription_visible`): `exists` probes on the
//!   row at hand, for reads by id and for lists already narrowed by customer;
//! - *as a set* (`…_visible_set`): the ids the partner may see, as one `in (… union all …)`
//!   that PostgreSQL computes once from the partner's own index entries, for lists and counts
//!   over everything visible. Written per row, such a list probes every row of the table (a
//!   million subscriptions); written as a set, it reads only what the partner is party to.
//!
//! The read-matrix tests compare every list with every read by id, so the two shapes cannot
//! drift apart unnoticed.

use crate::domain::access::Scope;
use crate::domain::delegated_admin::APPROVAL_WINDOW_DAYS;
use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

/// The delegated roles that let a partner see a subscription of the service they cover.
const SEEING_ROLES: &str = "array['GLOBAL_ADMIN', 'PROVISIONING', 'SUPPORT']";

/// `rr` is an active reseller relationship of the partner.
fn push_active_relationship(qb: &mut QueryBuilder<Postgres>, partner_id: Uuid) {
    qb.push(" rr.status = 'ACTIVE' and rr.partner_id = ").push_bind(partner_id);
}

/// `d` is the partner's delegated admin relationship that reveals its customer: in force, or
/// asked for and still within the approval window (a draft is the partner's own: it reveals
/// nothing).
fn push_revealing_delegation(qb: &mut QueryBuilder<Postgres>, partner_id: Uuid, now: DateTime<Utc>) {
    qb.push(" d.partner_id = ")
        .push_bind(partner_id)
        .push(
            " and ((d.status in ('APPROVAL_PENDING', 'CONSENT_PENDING') \
               and coalesce(d.approval_requested_at, d.created_at) + make_interval(days => ",
        )
        .push_bind(APPROVAL_WINDOW_DAYS as i32)
        .push(") > ")
        .push_bind(now)
        .push(") or delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, ")
        .push_bind(now)
        .push("))");
}

/// `d` (joined to its services `ds`) gives the partner a role that reveals the service's
/// subscriptions, in force now.
fn push_seeing_delegation(qb: &mut QueryBuilder<Postgres>, partner_id: Uuid, now: DateTime<Utc>) {
    qb.push(" d.partner_id = ")
        .push_bind(partner_id)
        .push(format!(
            " and d.roles && {SEEING_ROLES} and delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, "
        ))
        .push_bind(now)
        .push(")");
}

/// Appends a predicate: the customer in column `customer_col` is visible in `scope` (per row).
pub fn push_customer_visible(
    qb: &mut QueryBuilder<Postgres>,
    scope: Scope,
    customer_col: &str,
    now: DateTime<Utc>,
) {
    match scope {
        Scope::Everything => {
            qb.push(" true ");
        }
        Scope::Customer { customer_id, .. } => {
            qb.push(format!(" {customer_col} = ")).push_bind(customer_id);
        }
        Scope::Partner { partner_id } => {
            // An active reseller relationship; delegated rights that reveal the customer; or a
            // legacy Advisor sale it made (imported, with no relationship). Removing the
            // relationship cuts the partner off.
            qb.push(format!(
                " (exists (select 1 from reseller_relationship rr where rr.customer_id = {customer_col} and "
            ));
            push_active_relationship(qb, partner_id);
            qb.push(format!(
                ") or exists (select 1 from delegated_admin_relationship d where d.customer_id = {customer_col} and "
            ));
            push_revealing_delegation(qb, partner_id, now);
            qb.push(format!(
                ") or exists (select 1 from subscription vs where vs.customer_id = {customer_col} \
                   and vs.purchase_channel = 'ADVISOR' and vs.partner_of_record_id = "
            ))
            .push_bind(partner_id)
            .push("))");
        }
    }
}

/// Appends a predicate: the customer in column `customer_col` is visible in `scope` (as a set).
pub fn push_customer_visible_set(
    qb: &mut QueryBuilder<Postgres>,
    scope: Scope,
    customer_col: &str,
    now: DateTime<Utc>,
) {
    let Scope::Partner { partner_id } = scope else {
        return push_customer_visible(qb, scope, customer_col, now);
    };
    qb.push(format!(" {customer_col} in ("));
    push_partner_customer_ids(qb, partner_id, None, now);
    qb.push(")");
}

/// Appends `select … customer_id …`: the customers a partner sees, from its own index entries
/// (one customer may come more than once); with `limit`, at most that many from each way.
pub fn push_partner_customer_ids(
    qb: &mut QueryBuilder<Postgres>,
    partner_id: Uuid,
    limit: Option<i64>,
    now: DateTime<Utc>,
) {
    let (open, union) = if limit.is_some() { ("(", " union ") } else { ("", " union all ") };
    let close = |qb: &mut QueryBuilder<Postgres>| {
        if let Some(n) = limit {
            qb.push(" limit ").push_bind(n).push(")");
        }
    };
    qb.push(format!(" {open}select rr.customer_id from reseller_relationship rr where "));
    push_active_relationship(qb, partner_id);
    close(qb);
    qb.push(format!("{union}{open}select d.customer_id from delegated_admin_relationship d where "));
    push_revealing_delegation(qb, partner_id, now);
    close(qb);
    qb.push(format!(
        "{union}{open}select vs.customer_id from subscription vs \
           where vs.purchase_channel = 'ADVISOR' and vs.partner_of_record_id = "
    ))
    .push_bind(partner_id);
    close(qb);
}

/// The ways a partner sees a subscription. Lists walk each way in index order and take the
/// first rows of their union, so a page costs the same however many rows a partner sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerWay {
    /// It transacts it (partner of record) while it has an active reseller relationship with
    /// the customer; legacy Advisor sales have none and stay visible.
    OfRecord,
    /// It resells it, tied to the customer through this subscription's provider.
    Resold,
    /// It holds a delegated role in force for the customer's service.
    Delegated,
}

impl PartnerWay {
    pub const ALL: [PartnerWay; 3] = [PartnerWay::OfRecord, PartnerWay::Resold, PartnerWay::Delegated];
}

/// Appends `way` for the subscription aliased `alias`.
pub fn push_partner_way(
    qb: &mut QueryBuilder<Postgres>,
    way: PartnerWay,
    alias: &str,
    partner_id: Uuid,
    among: Option<&[Uuid]>,
    now: DateTime<Utc>,
) {
    // Restricting each probe to the customers at hand keeps it small even when PostgreSQL
    // chooses to hash it (it then reads the probe's whole answer once).
    let among_customers = |qb: &mut QueryBuilder<Postgres>, col: &str| {
        if let Some(ids) = among {
            qb.push(format!(" and {col} = any(")).push_bind(ids.to_vec()).push(")");
        }
    };
    match way {
        PartnerWay::OfRecord => {
            qb.push(format!(" ({alias}.partner_of_record_id = "))
                .push_bind(partner_id)
                .push(format!(
                    " and ({alias}.purchase_channel = 'ADVISOR' or exists (select 1 from reseller_relationship rr \
                     where rr.customer_id = {alias}.customer_id and "
                ));
            push_active_relationship(qb, partner_id);
            among_customers(qb, "rr.customer_id");
            qb.push("))) ");
        }
        PartnerWay::Resold => {
            qb.push(format!(" ({alias}.indirect_reseller_id = ")).push_bind(partner_id).push(format!(
                " and exists (select 1 from reseller_relationship rr where rr.customer_id = {alias}.customer_id \
                 and rr.kind = 'INDIRECT_RESELLER' and rr.indirect_provider_id = {alias}.partner_of_record_id and "
            ));
            push_active_relationship(qb, partner_id);
            among_customers(qb, "rr.customer_id");
            qb.push(")) ");
        }
        PartnerWay::Delegated => {
            // Written out, not through partner_holds_delegated_role(): PostgreSQL cannot look
            // inside a function, and called it once per row of the table.
            qb.push(format!(
                " exists (select 1 from delegated_admin_service ds \
                    join delegated_admin_relationship d using (relationship_id) \
                    where ds.customer_id = {alias}.customer_id and ds.service_id = {alias}.service_id \
                      and ds.partner_id = "
            ))
            .push_bind(partner_id)
            .push(" and ");
            push_seeing_delegation(qb, partner_id, now);
            among_customers(qb, "ds.customer_id");
            qb.push(") ");
        }
    }
}

/// Appends `select v.subscription_id …`: the ids `way` reveals, found from the partner's own
/// index entries.
pub fn push_partner_way_ids(
    qb: &mut QueryBuilder<Postgres>,
    way: PartnerWay,
    partner_id: Uuid,
    now: DateTime<Utc>,
) {
    match way {
        PartnerWay::OfRecord | PartnerWay::Resold => {
            qb.push(" select v.subscription_id from subscription v where ");
            push_partner_way(qb, way, "v", partner_id, None, now);
        }
        PartnerWay::Delegated => {
            qb.push(
                " select v.subscription_id from delegated_admin_relationship d \
                    join delegated_admin_service ds using (relationship_id) \
                    join subscription v on v.customer_id = ds.customer_id and v.service_id = ds.service_id \
                  where ds.partner_id = ",
            )
            .push_bind(partner_id)
            .push(" and ");
            push_seeing_delegation(qb, partner_id, now);
        }
    }
}

/// Appends a predicate: the subscription aliased `s` is visible in `scope` (per row).
pub fn push_subscription_visible(qb: &mut QueryBuilder<Postgres>, scope: Scope, now: DateTime<Utc>) {
    push_subscription_visible_among(qb, scope, None, now);
}

/// Like [`push_subscription_visible`], for a query already narrowed to `among` customers.
pub fn push_subscription_visible_among(
    qb: &mut QueryBuilder<Postgres>,
    scope: Scope,
    among: Option<&[Uuid]>,
    now: DateTime<Utc>,
) {
    match scope {
        Scope::Everything => {
            qb.push(" true ");
        }
        Scope::Customer { customer_id, subscriptions } => {
            if subscriptions {
                qb.push(" s.customer_id = ").push_bind(customer_id);
            } else {
                qb.push(" false ");
            }
        }
        Scope::Partner { partner_id } => {
            qb.push(" (");
            for (i, way) in PartnerWay::ALL.into_iter().enumerate() {
                if i > 0 {
                    qb.push(" or ");
                }
                push_partner_way(qb, way, "s", partner_id, among, now);
            }
            qb.push(")");
        }
    }
}

/// Appends a predicate: the subscription aliased `s` is visible in `scope` (as a set).
pub fn push_subscription_visible_set(qb: &mut QueryBuilder<Postgres>, scope: Scope, now: DateTime<Utc>) {
    let Scope::Partner { partner_id } = scope else {
        return push_subscription_visible(qb, scope, now);
    };
    qb.push(" s.subscription_id in (");
    for (i, way) in PartnerWay::ALL.into_iter().enumerate() {
        if i > 0 {
            qb.push(" union all ");
        }
        push_partner_way_ids(qb, way, partner_id, now);
    }
    qb.push(")");
}

/// The audit events (and so the feed's events) a viewer may read: the operator all; a partner
/// those it took part in; a customer those about it, unless its role reads no records. The
/// rule is `domain::feed::may_receive`; the feed tests compare the two on every combination.
pub fn push_event_visible(qb: &mut QueryBuilder<Postgres>, scope: Scope) {
    match scope {
        Scope::Everything => {
            qb.push("true");
        }
        Scope::Partner { partner_id } => {
            qb.push("(partner_id = ")
                .push_bind(partner_id)
                .push(" or actor_organization_id = ")
                .push_bind(partner_id)
                // `@>` (not `= any`) so the GIN index on other_partner_ids serves it.
                .push(" or other_partner_ids @> array[")
                .push_bind(partner_id)
                .push("]::uuid[])");
        }
        Scope::Customer { subscriptions: false, .. } => {
            qb.push("false");
        }
        Scope::Customer { customer_id, .. } => {
            qb.push("(customer_id = ")
                .push_bind(customer_id)
                .push(" or actor_organization_id = ")
                .push_bind(customer_id)
                .push(")");
        }
    }
}
