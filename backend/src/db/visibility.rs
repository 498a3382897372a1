//! The one place where a [`Scope`] becomes SQL. Every list and every read by id goes through
//! these predicates, so visibility is applied in the database and nowhere else.

use crate::domain::access::Scope;
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
            // A reseller relationship, delegated rights in force or being asked for, or a
            // subscription it transacts or resells (imported Advisor sales have no relationship).
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
            .push(" and (d.status in ('CREATED', 'APPROVAL_PENDING', 'CONSENT_PENDING') \
                   or delegated_admin_in_force(d.status, d.ends_at, d.auto_extend, ")
            .push_bind(now)
            .push(format!(
                "))) or exists (select 1 from subscription vs where vs.customer_id = {customer_col} \
                   and (vs.partner_of_record_id = "
            ))
            .push_bind(partner_id)
            .push(" or vs.indirect_reseller_id = ")
            .push_bind(partner_id)
            .push(")))");
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
            qb.push(" (s.partner_of_record_id = ")
                .push_bind(partner_id)
                .push(" or s.indirect_reseller_id = ")
                .push_bind(partner_id)
                .push(" or partner_holds_delegated_role(s.customer_id, s.service_id, ")
                .push_bind(partner_id)
                .push(", array['GLOBAL_ADMIN', 'PROVISIONING', 'SUPPORT'], ")
                .push_bind(now)
                .push("))");
        }
    }
}
