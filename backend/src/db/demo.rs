//! The demo data set: every channel, every role, the multi-channel cases. Built with [`Seeder`],
//! which test fixtures and (later) benchmark data at any size use too.

use super::{catalog, delegated_admin, organizations, relationships, subscriptions, users};
use crate::domain::credentials::hash_password;
use crate::domain::*;
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// One demo sign-in.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub email: String,
    pub roles: Vec<Role>,
    pub organization: String,
}

#[derive(Debug, Clone)]
pub struct Demo {
    pub password: String,
    pub users: Vec<DemoUser>,
}

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
        .await
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

/// Whether the database already holds an operator (demo or real).
pub async fn has_operator(db: &mut PgConnection) -> AppResult<bool> {
    Ok(organizations::operator_id(&mut *db).await?.is_some())
}

/// The demo set. See README's table of demo sign-ins.
pub async fn load(db: &mut PgConnection, now: DateTime<Utc>, password: &str) -> AppResult<Demo> {
    let mut s = Seeder::new(db, now, password)?;

    let operator = s.organization(OrganizationKind::Operator, "21Vianet").await?;
    s.user(operator, "21Vianet", "operator@21vianet.demo", &[Role::OperatorAdmin]).await?;

    // The catalogue as operated by 21Vianet.
    let o365 = catalog::insert_service(&mut *s.db, "Office 365").await?;
    let dyn365 = catalog::insert_service(&mut *s.db, "Dynamics 365").await?;
    let powerbi = catalog::insert_service(&mut *s.db, "Power BI").await?;
    let azure = catalog::insert_service(&mut *s.db, "Azure").await?;
    let e1 = catalog::insert_offer(&mut *s.db, o365, "Office 365 E1", BillingModel::License).await?;
    let e3 = catalog::insert_offer(&mut *s.db, o365, "Office 365 E3", BillingModel::License).await?;
    let sales =
        catalog::insert_offer(&mut *s.db, dyn365, "Dynamics 365 Sales Enterprise", BillingModel::License)
            .await?;
    let pbi = catalog::insert_offer(&mut *s.db, powerbi, "Power BI Pro", BillingModel::License).await?;
    let azure_plan = catalog::insert_offer(&mut *s.db, azure, "Azure plan", BillingModel::Usage).await?;

    // Partners: one direct, one indirect provider with two resellers, a former Advisor now in
    // CSP, and an Advisor that never joined.
    let contoso = s.partner("Contoso Cloud Direct", "1000001", PartnerProgram::CspDirect, "contoso").await?;
    s.user(contoso, "Contoso Cloud Direct", "sales@contoso.demo", &[Role::SalesAgent]).await?;
    s.user(contoso, "Contoso Cloud Direct", "helpdesk@contoso.demo", &[Role::HelpdeskAgent]).await?;
    let fabrikam = s
        .partner("Fabrikam Distribution", "1000002", PartnerProgram::CspIndirectProvider, "fabrikam")
        .await?;
    s.user(fabrikam, "Fabrikam Distribution", "sales@fabrikam.demo", &[Role::SalesAgent]).await?;
    let northwind =
        s.partner("Northwind Resellers", "1000003", PartnerProgram::CspIndirectReseller, "northwind").await?;
    s.user(northwind, "Northwind Resellers", "helpdesk@northwind.demo", &[Role::HelpdeskAgent]).await?;
    let tailspin =
        s.partner("Tailspin Solutions", "1000004", PartnerProgram::CspIndirectReseller, "tailspin").await?;
    let adatum = s.partner("Adatum Advisory", "1000005", PartnerProgram::Advisor, "adatum").await?;
    organizations::join_csp(&mut *s.db, adatum, PartnerProgram::CspDirect, now - Duration::days(200)).await?;
    let litware = s.partner("Litware Advisors", "1000006", PartnerProgram::Advisor, "litware").await?;
    relationships::insert_active_partnership(&mut *s.db, fabrikam, northwind, now - Duration::days(400))
        .await?;
    relationships::insert_active_partnership(&mut *s.db, fabrikam, tailspin, now - Duration::days(300))
        .await?;

    use PurchaseChannel::*;
    use RelationshipKind::*;

    // Woodgrove Bank bought from four channels, and hired Tailspin to support what it bought
    // online: the seed's multi-channel case.
    let woodgrove = s.customer("Woodgrove Bank", "woodgrove").await?;
    s.user(woodgrove, "Woodgrove Bank", "billing@woodgrove.demo", &[Role::BillingAdmin]).await?;
    s.user(woodgrove, "Woodgrove Bank", "user@woodgrove.demo", &[Role::User]).await?;
    let wg_o365 = s
        .subscription(Sub {
            customer: woodgrove,
            offer: e3,
            name: "Woodgrove Office 365 E3",
            quantity: 250,
            assigned: 231,
            channel: OnlineDirect,
            partner_of_record: None,
            reseller: None,
            term: TermDuration::P1Y,
            started_days_ago: 300,
        })
        .await?;
    s.subscription(Sub {
        customer: woodgrove,
        offer: sales,
        name: "Woodgrove Dynamics 365 Sales",
        quantity: 40,
        assigned: 38,
        channel: CspDirect,
        partner_of_record: Some(contoso),
        reseller: None,
        term: TermDuration::P1Y,
        started_days_ago: 100,
    })
    .await?;
    s.subscription(Sub {
        customer: woodgrove,
        offer: pbi,
        name: "Woodgrove Power BI Pro",
        quantity: 60,
        assigned: 12,
        channel: CspIndirect,
        partner_of_record: Some(fabrikam),
        reseller: Some(northwind),
        term: TermDuration::P1M,
        started_days_ago: 20,
    })
    .await?;
    s.subscription(Sub {
        customer: woodgrove,
        offer: azure_plan,
        name: "Woodgrove Azure plan",
        quantity: 1,
        assigned: 0,
        channel: Advisor,
        partner_of_record: Some(adatum),
        reseller: None,
        term: TermDuration::P3Y,
        started_days_ago: 700,
    })
    .await?;
    s.relationship(woodgrove, contoso, Direct, None).await?;
    s.relationship(woodgrove, fabrikam, IndirectProvider, None).await?;
    s.relationship(woodgrove, northwind, IndirectReseller, Some(fabrikam)).await?;
    s.relationship(woodgrove, adatum, Direct, None).await?;
    s.relationship(woodgrove, tailspin, IndirectReseller, Some(fabrikam)).await?;
    s.delegated_admin(
        "Woodgrove Office support",
        tailspin,
        woodgrove,
        &[DelegatedRole::Support],
        &[o365],
        90,
        70,
        DelegatedAdminOrigin::CustomerGrant,
    )
    .await?;
    s.delegated_admin(
        "Woodgrove Dynamics admin",
        contoso,
        woodgrove,
        &[DelegatedRole::GlobalAdmin],
        &[dyn365],
        730,
        100,
        DelegatedAdminOrigin::PartnerRequest,
    )
    .await?;
    subscriptions::set_stage_override(&mut *s.db, wg_o365, LifecycleStage::Support, Some(tailspin)).await?;

    // Alpine Ski House bought online direct and hired Northwind (through Fabrikam) to provision.
    let alpine = s.customer("Alpine Ski House", "alpineskihouse").await?;
    let alpine_o365 = s
        .subscription(Sub {
            customer: alpine,
            offer: e1,
            name: "Alpine Office 365 E1",
            quantity: 80,
            assigned: 75,
            channel: OnlineDirect,
            partner_of_record: None,
            reseller: None,
            term: TermDuration::P1Y,
            started_days_ago: 200,
        })
        .await?;
    s.relationship(alpine, fabrikam, IndirectProvider, None).await?;
    s.relationship(alpine, northwind, IndirectReseller, Some(fabrikam)).await?;
    s.delegated_admin(
        "Alpine provisioning",
        northwind,
        alpine,
        &[DelegatedRole::Provisioning, DelegatedRole::Support],
        &[o365],
        365,
        30,
        DelegatedAdminOrigin::Invitation,
    )
    .await?;
    subscriptions::set_stage_override(&mut *s.db, alpine_o365, LifecycleStage::Provisioning, Some(northwind))
        .await?;
    subscriptions::set_stage_override(&mut *s.db, alpine_o365, LifecycleStage::Support, Some(northwind))
        .await?;

    // Coho Winery buys from Contoso; one subscription is suspended.
    let coho = s.customer("Coho Winery", "cohowinery").await?;
    let coho_e3 = s
        .subscription(Sub {
            customer: coho,
            offer: e3,
            name: "Coho Office 365 E3",
            quantity: 25,
            assigned: 20,
            channel: CspDirect,
            partner_of_record: Some(contoso),
            reseller: None,
            term: TermDuration::P1Y,
            started_days_ago: 150,
        })
        .await?;
    subscriptions::suspend(&mut *s.db, coho_e3, now - Duration::days(10)).await?;
    s.subscription(Sub {
        customer: coho,
        offer: azure_plan,
        name: "Coho Azure plan",
        quantity: 1,
        assigned: 0,
        channel: CspDirect,
        partner_of_record: Some(contoso),
        reseller: None,
        term: TermDuration::P1Y,
        started_days_ago: 40,
    })
    .await?;
    s.relationship(coho, contoso, Direct, None).await?;

    // Fourth Coffee bought from Adatum as an Advisor, and again since Adatum joined CSP.
    let fourth = s.customer("Fourth Coffee", "fourthcoffee").await?;
    s.subscription(Sub {
        customer: fourth,
        offer: e1,
        name: "Fourth Coffee Office 365 E1",
        quantity: 15,
        assigned: 15,
        channel: Advisor,
        partner_of_record: Some(adatum),
        reseller: None,
        term: TermDuration::P1Y,
        started_days_ago: 330,
    })
    .await?;
    s.subscription(Sub {
        customer: fourth,
        offer: pbi,
        name: "Fourth Coffee Power BI Pro",
        quantity: 5,
        assigned: 3,
        channel: CspDirect,
        partner_of_record: Some(adatum),
        reseller: None,
        term: TermDuration::P1M,
        started_days_ago: 12,
    })
    .await?;
    s.relationship(fourth, adatum, Direct, None).await?;

    // Margie's Travel buys through Fabrikam and its reseller Tailspin; Litware still holds an
    // old Advisor sale there.
    let margie = s.customer("Margie's Travel", "margiestravel").await?;
    s.subscription(Sub {
        customer: margie,
        offer: e3,
        name: "Margie's Office 365 E3",
        quantity: 30,
        assigned: 28,
        channel: CspIndirect,
        partner_of_record: Some(fabrikam),
        reseller: Some(tailspin),
        term: TermDuration::P3Y,
        started_days_ago: 500,
    })
    .await?;
    s.subscription(Sub {
        customer: margie,
        offer: sales,
        name: "Margie's Dynamics 365 Sales",
        quantity: 10,
        assigned: 4,
        channel: Advisor,
        partner_of_record: Some(litware),
        reseller: None,
        term: TermDuration::P1Y,
        started_days_ago: 90,
    })
    .await?;
    s.relationship(margie, fabrikam, IndirectProvider, None).await?;
    s.relationship(margie, tailspin, IndirectReseller, Some(fabrikam)).await?;

    // Proseware bought online direct and has no partner yet.
    let proseware = s.customer("Proseware", "proseware").await?;
    s.subscription(Sub {
        customer: proseware,
        offer: e1,
        name: "Proseware Office 365 E1",
        quantity: 12,
        assigned: 9,
        channel: OnlineDirect,
        partner_of_record: None,
        reseller: None,
        term: TermDuration::P1M,
        started_days_ago: 45,
    })
    .await?;

    Ok(Demo { password: password.to_owned(), users: s.users })
}
