//! [`Seeder`]: writes organizations, users and subscriptions on one connection, for the demo
//! set, test fixtures and benchmark data.

use super::DemoUser;
use crate::db::{delegated_admin, organizations, relationships, subscriptions, users};
use crate::domain::credentials::hash_password;
use crate::domain::*;
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Writes organizations, users and subscriptions on one connection (the caller's transaction).
pub struct Seeder<'c> {
    pub db: &'c mut PgConnection,
    pub now: DateTime<Utc>,
    password_hash: String,
    pub users: Vec<DemoUser>,
}

pub struct Sub<'a> {
    pub customer: Uuid,
    pub offer: Uuid,
    pub name: &'a str,
    pub quantity: i32,
    pub assigned: i32,
    pub channel: PurchaseChannel,
    pub partner_of_record: Option<Uuid>,
    pub reseller: Option<Uuid>,
    pub term: TermDuration,
    pub started_days_ago: i64,
}

impl<'c> Seeder<'c> {
    /// All seeded users share one password, hashed once (argon2 is slow on purpose).
    pub fn new(db: &'c mut PgConnection, now: DateTime<Utc>, password: &str) -> AppResult<Self> {
        Ok(Seeder { db, now, password_hash: hash_password(password)?, users: Vec::new() })
    }

    pub async fn organization(&mut self, kind: OrganizationKind, name: &str) -> AppResult<Uuid> {
        organizations::insert_organization(&mut *self.db, kind, name).await
    }

    pub async fn user(&mut self, org: Uuid, org_name: &str, email: &str, roles: &[Role]) -> AppResult<Uuid> {
        let name = email.split('@').next().unwrap_or(email);
        let id = users::insert(self.db, org, email, name, &self.password_hash, roles).await?;
        self.users.push(DemoUser {
            email: email.to_owned(),
            roles: roles.to_vec(),
            organization: org_name.to_owned(),
        });
        Ok(id)
    }

    pub async fn partner(
        &mut self,
        name: &str,
        mpn: &str,
        program: PartnerProgram,
        slug: &str,
    ) -> AppResult<Uuid> {
        let id = self.organization(OrganizationKind::Partner, name).await?;
        organizations::insert_partner(&mut *self.db, id, mpn, program).await?;
        self.user(id, name, &format!("admin@{slug}.demo"), &[Role::AdminAgent]).await?;
        Ok(id)
    }

    pub async fn customer(&mut self, name: &str, slug: &str) -> AppResult<Uuid> {
        let id = self.organization(OrganizationKind::Customer, name).await?;
        organizations::insert_customer(&mut *self.db, id, &format!("{slug}.partner.onmschina.cn"), "CN")
            .await?;
        self.user(id, name, &format!("globaladmin@{slug}.demo"), &[Role::GlobalAdmin]).await?;
        Ok(id)
    }

    pub async fn relationship(
        &mut self,
        customer: Uuid,
        partner: Uuid,
        kind: RelationshipKind,
        provider: Option<Uuid>,
    ) -> AppResult<()> {
        relationships::upsert_active(
            &mut *self.db,
            &relationships::NewRelationship {
                customer_id: customer,
                partner_id: partner,
                kind,
                indirect_provider_id: provider,
                origin: RelationshipOrigin::Imported,
                invitation_id: None,
                at: self.now,
            },
        )
        .await?;
        Ok(())
    }

    pub async fn subscription(&mut self, s: Sub<'_>) -> AppResult<Uuid> {
        let start = (self.now - Duration::days(s.started_days_ago)).date_naive();
        let months = match s.term {
            TermDuration::P1M => 1,
            TermDuration::P1Y => 12,
            TermDuration::P3Y => 36,
        };
        let end = start.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX);
        subscriptions::insert(
            &mut *self.db,
            &subscriptions::NewSubscription {
                customer_id: s.customer,
                offer_id: s.offer,
                friendly_name: s.name,
                quantity: s.quantity,
                assigned_seats: s.assigned,
                status: SubscriptionStatus::Active,
                billing_cycle: if s.term == TermDuration::P1M {
                    BillingCycle::Monthly
                } else {
                    BillingCycle::Annual
                },
                term_duration: s.term,
                effective_start: start,
                commitment_end: end,
                auto_renew: true,
                suspended_at: None,
                purchase_channel: s.channel,
                partner_of_record_id: s.partner_of_record,
                indirect_reseller_id: s.reseller,
                provisioning_partner_id: None,
                support_partner_id: None,
            },
        )
        .await
    }

    /// An active delegated admin relationship that started `days_ago` and runs `days`.
    #[allow(clippy::too_many_arguments)]
    pub async fn delegated_admin(
        &mut self,
        name: &str,
        partner: Uuid,
        customer: Uuid,
        roles: &[DelegatedRole],
        services: &[Uuid],
        days: i32,
        days_ago: i64,
        origin: DelegatedAdminOrigin,
    ) -> AppResult<Uuid> {
        let activated = self.now - Duration::days(days_ago);
        delegated_admin::insert(
            self.db,
            &delegated_admin::NewRelationship {
                invitation_id: None,
                replace_existing: false,
                display_name: name,
                partner_id: partner,
                customer_id: customer,
                roles,
                service_ids: services,
                duration: &format!("P{days}D"),
                duration_days: days,
                auto_extend: "P0D",
                status: DelegatedAdminStatus::Active,
                origin,
                created_at: activated,
                activated_at: Some(activated),
                ends_at: Some(activated + Duration::days(i64::from(days))),
            },
        )
        .await
    }
}
