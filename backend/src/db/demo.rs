//! The demo data set: every channel, every role, the multi-channel cases. Built with [`Seeder`]
//! (in `seeder`), which test fixtures and (later) benchmark data at any size use too.
//! [`load`] stays one function of about 280 lines on purpose: it is one coherent data set, read
//! top to bottom next to README's table of demo sign-ins; cutting it up would scatter the ids
//! and names that later steps refer to.

mod seeder;

pub use seeder::*;

use super::{catalog, organizations, relationships, subscriptions};
use crate::domain::*;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

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
