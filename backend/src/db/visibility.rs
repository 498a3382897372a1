//! The one place where a [`Scope`] becomes SQL. Every list and every read by id goes through
//! these predicates, so visibility is applied in the database and nowhere else.

use crate::domain::access::Scope;
use crate::domain::delegated_admin::APPROVAL_WINDOW_DAYS;
use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

/// Appends a predicate: the customer in column `customer_col` is visible in `scope`.
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
            // An active reseller relationship; delegated rights in force, or asked for and still
            // within the approval window (a draft is the partner's own: it reveals nothing); or a
            // legacy Advisor sale it made (imported, with no relationship). Removing the
            // relationship cuts the partner off.
            qb.push(format!(
                " (exists (select 1 from reseller_relationship rr where rr.customer_id = {customer_col} \
                   and rr.status = 'ACTIVE' and rr.partner_id = "
            ))
            .push_bind(partner_id)
            .push(format!(
                ") or exists (select 1 from delegated_admin_relationship d where d.customer_id = {customer_col} \
                   and d.partner_id = "
            ))
            .push_bind(partner_id)
            .push(" and ((d.status in ('APPROVAL_PENDING', 'CONSENT_PENDING') \
                   and coalesce(d.approval_requested_at, d.created_at) + make_interval(days => ")
            .push_bind(APPROVAL_WINDOW_DAYS as i32)
            .push(") > ")
            .push_bind(now)
            .push(") or delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, ")
            .push_bind(now)
            .push(format!(
                "))) or exists (select 1 from subscription vs where vs.customer_id = {customer_col} \
                   and vs.purchase_channel = 'ADVISOR' and vs.partner_of_record_id = "
            ))
            .push_bind(partner_id)
            .push("))");
        }
    }
}

/// Appends a predicate: the subscription aliased `s` is visible in `scope`.
pub fn push_subscription_visible(qb: &mut QueryBuilder<Postgres>, scope: Scope, now: DateTime<Utc>) {
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
            // What it transacts or resells while it has an active reseller relationship with the
            // customer (legacy Advisor sales have none), or what it holds delegated rights for.
            // A reseller's tie must be the one through this subscription's provider.
            qb.push(" ((s.partner_of_record_id = ")
                .push_bind(partner_id)
                .push(
                    " and (s.purchase_channel = 'ADVISOR' or exists (select 1 from reseller_relationship vr \
                    where vr.customer_id = s.customer_id and vr.status = 'ACTIVE' and vr.partner_id = ",
                )
                .push_bind(partner_id)
                .push("))) or (s.indirect_reseller_id = ")
                .push_bind(partner_id)
                .push(
                    " and exists (select 1 from reseller_relationship vr where vr.customer_id = s.customer_id \
                    and vr.status = 'ACTIVE' and vr.kind = 'INDIRECT_RESELLER' \
                    and vr.indirect_provider_id = s.partner_of_record_id and vr.partner_id = ",
                )
                .push_bind(partner_id)
                .push(")) or partner_holds_delegated_role(s.customer_id, s.service_id, ")
                .push_bind(partner_id)
                .push(", array['GLOBAL_ADMIN', 'PROVISIONING', 'SUPPORT'], ")
                .push_bind(now)
                .push("))");
        }
    }
}
