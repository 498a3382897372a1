//! Who is asking: the signed-in user, its organization and the token it came with.

use super::{OrganizationKind, PartnerProgram, Role, TokenKind};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub organization_kind: OrganizationKind,
    /// Set when the organization is a partner.
    pub partner_program: Option<PartnerProgram>,
    pub roles: Vec<Role>,
    pub token_id: Uuid,
    pub token_kind: TokenKind,
    /// A read-only API token may query but never mutate.
    pub read_only: bool,
    /// When the token the request came with expires.
    pub token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// A session that may only enrol in multi-factor sign-in (its organization requires it).
    pub enrol_only: bool,
}

#[cfg(test)]
impl Viewer {
    /// A user of organization `org` signed in with a session, for the rules' unit tests.
    pub fn for_test(
        kind: OrganizationKind,
        org: u128,
        program: Option<PartnerProgram>,
        roles: &[Role],
    ) -> Viewer {
        Viewer {
            user_id: Uuid::nil(),
            organization_id: Uuid::from_u128(org),
            organization_kind: kind,
            partner_program: program,
            roles: roles.to_vec(),
            token_id: Uuid::nil(),
            token_kind: TokenKind::Session,
            read_only: false,
            token_expires_at: None,
            enrol_only: false,
        }
    }
}

impl Viewer {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has_role(*r))
    }

    pub fn is_operator(&self) -> bool {
        self.organization_kind == OrganizationKind::Operator
    }

    /// The partner this viewer acts for, if it is one.
    pub fn partner_id(&self) -> Option<Uuid> {
        (self.organization_kind == OrganizationKind::Partner).then_some(self.organization_id)
    }

    /// The organization whose records the viewer is limited to; `None` for the operator, who
    /// reads everything.
    pub fn party(&self) -> Option<Uuid> {
        (!self.is_operator()).then_some(self.organization_id)
    }

    pub fn customer_id(&self) -> Option<Uuid> {
        (self.organization_kind == OrganizationKind::Customer).then_some(self.organization_id)
    }
}
