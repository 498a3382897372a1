//! Depth and complexity limits, checked before any resolver runs. An extension rather than the
//! schema's `limit_depth`/`limit_complexity`, whose refusals carry only a message: these say
//! QUERY_TOO_COMPLEX in `extensions.code`. Depth is refused as soon as the query is parsed (so
//! a deep query is refused as too deep even when it is also invalid, as before); complexity,
//! which needs the schema, from the validation's result.

use crate::domain::Code;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, ServerError, ServerResult, ValidationResult, Variables};
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

fn too_complex(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    error.extensions.get_or_insert_with(Default::default).set("code", Code::QueryTooComplex.as_str());
    error
}

/// Whether some operation nests fields deeper than `max` (fragments counted where spread, as
/// async-graphql's own depth does; a fragment spread inside itself is left to validation).
fn deeper_than(doc: &ExecutableDocument, max: usize) -> bool {
    fn walk<'a>(
        doc: &'a ExecutableDocument,
        set: &'a SelectionSet,
        depth: usize,
        max: usize,
        spreading: &mut Vec<&'a Name>,
    ) -> bool {
        set.items.iter().any(|selection| match &selection.node {
            Selection::Field(f) => {
                depth + 1 > max || walk(doc, &f.node.selection_set.node, depth + 1, max, spreading)
            }
            Selection::InlineFragment(i) => walk(doc, &i.node.selection_set.node, depth, max, spreading),
            Selection::FragmentSpread(s) => {
                let name = &s.node.fragment_name.node;
                let Some(fragment) = doc.fragments.get(name) else { return false };
                if spreading.contains(&name) {
                    return false;
                }
                spreading.push(name);
                let deeper = walk(doc, &fragment.node.selection_set.node, depth, max, spreading);
                spreading.pop();
                deeper
            }
        })
    }
    doc.operations.iter().any(|(_, op)| walk(doc, &op.node.selection_set.node, 0, max, &mut Vec::new()))
}

#[async_graphql::async_trait::async_trait]
impl Extension for Limits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        if deeper_than(&doc, self.max_depth) {
            return Err(too_complex(format!("the query is nested deeper than {} levels", self.max_depth)));
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if result.complexity > self.max_complexity {
            return Err(vec![too_complex(format!(
                "the query is too complex ({}, at most {})",
                result.complexity, self.max_complexity
            ))]);
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    #[test]
    fn depth_counts_fields_through_fragments_and_stops_at_cycles() {
        let doc = |q: &str| parse_query(q).unwrap();
        assert!(!deeper_than(&doc("{ a { b } }"), 2));
        assert!(deeper_than(&doc("{ a { b { c } } }"), 2));
        assert!(deeper_than(&doc("{ a { ... on T { b { c } } } }"), 2));
        assert!(deeper_than(&doc("{ a { ...F } } fragment F on T { b { c } }"), 2));
        assert!(!deeper_than(&doc("{ ...F } fragment F on Query { a ...F }"), 1));
    }
}
