//! Enrolling partners and creating customer tenants (users: `people.rs`).

use crate::AppState;
use crate::db::{audit, organizations, relationships, users};
use crate::domain::access::{ensure_may_create_customer, ensure_may_join_csp, ensure_may_register_partner};
use crate::domain::credentials::{check_password_strength, hash_password_blocking};
use crate::domain::inputs::{CountryCode, Domain, Email, MpnId, Name};
use crate::domain::*;
use uuid::Uuid;

pub async fn register_partner(
    state: &AppState,
    viewer: &Viewer,
    name: &str,
    mpn_id: &str,
    program: PartnerProgram,
) -> AppResult<Uuid> {
    ensure_may_register_partner(viewer, program)?;
    let name = Name::parse(name, "partner name")?;
    let mpn = MpnId::parse(mpn_id)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let id = organizations::insert_organization(&mut *tx, OrganizationKind::Partner, name.as_str()).await?;
    organizations::insert_partner(&mut *tx, id, mpn.as_str(), program).await?;
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new("partner.registered", "Partner", id).partner(id).details(
            serde_json::json!({ "name": name.as_str(), "mpnId": mpn.as_str(), "program": program.as_str() }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn join_csp_program(
    state: &AppState,
    viewer: &Viewer,
    partner_id: Uuid,
    program: PartnerProgram,
) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let current = organizations::partner_program_for_update(&mut *tx, partner_id)
        .await?
        .ok_or_else(|| AppError::not_found("partner"))?;
    ensure_may_join_csp(viewer, partner_id, current, program)?;
    organizations::join_csp(&mut *tx, partner_id, program, now).await?;
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        audit::Event::new("partner.joined_csp", "Partner", partner_id)
            .partner(partner_id)
            .details(serde_json::json!({ "from": "ADVISOR", "to": program.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub struct NewCustomer {
    pub name: String,
    pub primary_domain: String,
    pub country: String,
    pub indirect_reseller_id: Option<Uuid>,
    pub admin_email: String,
    pub admin_display_name: String,
    pub admin_password: String,
}

/// A partner creates a customer tenant with its first global admin; the partner (and the named
/// reseller) get their reseller relationship at once.
pub async fn create_customer(state: &AppState, viewer: &Viewer, input: NewCustomer) -> AppResult<Uuid> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let partnered = match (viewer.partner_id(), input.indirect_reseller_id) {
        (Some(provider), Some(reseller)) => {
            organizations::is_active_partnership(&mut *tx, provider, reseller).await?
        }
        _ => false,
    };
    ensure_may_create_customer(viewer, input.indirect_reseller_id, partnered)?;
    let partner_id = viewer.organization_id;
    let name = Name::parse(&input.name, "customer name")?;
    let domain = Domain::parse(&input.primary_domain)?;
    let country = CountryCode::parse(&input.country)?;
    let email = Email::parse(&input.admin_email)?;
    let display_name = Name::parse(&input.admin_display_name, "display name")?;
    check_password_strength(&input.admin_password).map_err(AppError::bad_input)?;
    let hash = hash_password_blocking(&input.admin_password).await?;

    let id = organizations::insert_organization(&mut *tx, OrganizationKind::Customer, name.as_str()).await?;
    organizations::insert_customer(&mut *tx, id, domain.as_str(), country.as_str()).await?;
    users::insert(&mut tx, id, email.as_str(), display_name.as_str(), &hash, &[Role::GlobalAdmin]).await?;
    let kind = if viewer.partner_program == Some(PartnerProgram::CspIndirectProvider) {
        RelationshipKind::IndirectProvider
    } else {
        RelationshipKind::Direct
    };
    let relationship = |partner_id, kind, indirect_provider_id| relationships::NewRelationship {
        customer_id: id,
        partner_id,
        kind,
        indirect_provider_id,
        origin: RelationshipOrigin::TenantCreated,
        invitation_id: None,
        at: now,
    };
    super::relationships::make_active(&mut tx, viewer.into(), &relationship(partner_id, kind, None)).await?;
    let mut event = audit::Event::new("customer.created", "Customer", id).customer(id).partner(partner_id);
    if let Some(reseller) = input.indirect_reseller_id {
        super::relationships::make_active(
            &mut tx,
            viewer.into(),
            &relationship(reseller, RelationshipKind::IndirectReseller, Some(partner_id)),
        )
        .await?;
        event = event.also_partner(reseller);
    }
    audit::append(
        &mut *tx,
        viewer.into(),
        now,
        event.details(serde_json::json!({
            "name": name.as_str(),
            "primaryDomain": domain.as_str(),
            "country": country.as_str(),
            "indirectResellerId": input.indirect_reseller_id,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
