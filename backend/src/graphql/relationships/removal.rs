//! Removing a reseller relationship: the input, the payload and the mutation.

use super::ResellerRelationshipRemovalPreview;
use crate::db::relationships as db;
use crate::graphql::context::RequestContext;
use crate::graphql::error::GqlResult;
use crate::graphql::ids;
use crate::graphql::ids::NodeType;
use crate::workflows::relationships as workflows;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// Which relationship to remove.
#[derive(InputObject)]
pub struct RemoveResellerRelationshipInput {
    /// The relationship.
    pub id: ID,
}

/// What the removal did (exactly what the preview said).
#[derive(SimpleObject)]
pub struct RemoveResellerRelationshipPayload {
    /// The effects.
    pub removed: ResellerRelationshipRemovalPreview,
}

#[derive(Default)]
pub struct RelationshipsMutation;

#[Object]
impl RelationshipsMutation {
    /// The customer's global admin or the partner's admin agent removes a relationship; refused
    /// while the partner is partner of record on ACTIVE subscriptions (ACTIVE_SUBSCRIPTIONS_EXIST).
    async fn remove_reseller_relationship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which relationship to remove.")] input: RemoveResellerRelationshipInput,
    ) -> GqlResult<RemoveResellerRelationshipPayload> {
        let viewer = ctx.writer()?;
        let uuid = ids::decode(&input.id, &[NodeType::ResellerRelationship])?;
        let mut done = workflows::remove(ctx.state(), viewer, uuid).await?;
        if let Some(r) = db::by_id(&ctx.state().pool, uuid).await? {
            done.relationship = r;
        }
        Ok(RemoveResellerRelationshipPayload { removed: ResellerRelationshipRemovalPreview(done) })
    }
}
