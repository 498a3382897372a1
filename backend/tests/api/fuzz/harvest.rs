//! What a viewer can read: every `id` (and invitation or partnership `code`) reachable from the
//! query fields that need no argument, filed by the `__typename` of the object it belongs to.

use super::schema::{InputValue, Schema};
use super::{Reply, post};
use crate::helpers::TestApp;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// How far below a root field ids are collected (the limits refuse deeper queries anyway).
const DEPTH: usize = 3;

#[derive(Debug, Default, Clone)]
pub struct Harvest {
    pub ids: BTreeMap<String, BTreeSet<String>>,
    pub codes: BTreeMap<String, BTreeSet<String>>,
}

impl Harvest {
    /// Everything in `self` that `other` lacks: what `other`'s viewer cannot see.
    pub fn minus(&self, other: &Harvest) -> Harvest {
        let diff = |a: &BTreeMap<String, BTreeSet<String>>, b: &BTreeMap<String, BTreeSet<String>>| {
            a.iter()
                .map(|(t, set)| {
                    let seen = b.get(t);
                    let rest = set.iter().filter(|v| seen.is_none_or(|s| !s.contains(*v))).cloned();
                    (t.clone(), rest.collect::<BTreeSet<_>>())
                })
                .filter(|(_, set)| !set.is_empty())
                .collect()
        };
        Harvest { ids: diff(&self.ids, &other.ids), codes: diff(&self.codes, &other.codes) }
    }

    /// Everything in either.
    pub fn union(mut self, other: &Harvest) -> Harvest {
        for (t, set) in &other.ids {
            self.ids.entry(t.clone()).or_default().extend(set.iter().cloned());
        }
        for (t, set) in &other.codes {
            self.codes.entry(t.clone()).or_default().extend(set.iter().cloned());
        }
        self
    }

    pub fn id_count(&self) -> usize {
        self.ids.values().map(BTreeSet::len).sum()
    }

    /// The `n`-th id of type `ty` (cycling), or of any type when `ty` is `None`.
    pub fn nth_id(&self, ty: Option<&str>, n: usize) -> Option<&str> {
        let all: Vec<&String> = match ty {
            Some(t) => self.ids.get(t)?.iter().collect(),
            None => self.ids.values().flatten().collect(),
        };
        (!all.is_empty()).then(|| all[n % all.len()].as_str())
    }

    /// The `n`-th `code` of objects of type `ty` (cycling), or of any type.
    pub fn nth_code(&self, ty: Option<&str>, n: usize) -> Option<&str> {
        let all: Vec<&String> = match ty.and_then(|t| self.codes.get(t)) {
            Some(set) => set.iter().collect(),
            None => self.codes.values().flatten().collect(),
        };
        (!all.is_empty()).then(|| all[n % all.len()].as_str())
    }

    fn walk(&mut self, v: &Value) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(t)) = o.get("__typename") {
                    if let Some(Value::String(id)) = o.get("id") {
                        self.ids.entry(t.clone()).or_default().insert(id.clone());
                    }
                    if let Some(Value::String(code)) = o.get("code") {
                        self.codes.entry(t.clone()).or_default().insert(code.clone());
                    }
                }
                o.values().for_each(|x| self.walk(x));
            }
            Value::Array(a) => a.iter().for_each(|x| self.walk(x)),
            _ => {}
        }
    }
}

/// Reads every query field that needs no argument as `token`'s viewer (the first 100 of a
/// connection) and collects the ids in the answers.
pub async fn harvest(app: &TestApp, schema: &Schema, token: &str) -> Harvest {
    let mut h = Harvest::default();
    for field in schema.query_fields() {
        if field.args.iter().any(InputValue::required) {
            continue;
        }
        let first = if field.args.iter().any(|a| a.name == "first") { "(first: 100)" } else { "" };
        // A query over the complexity limit is retried shallower.
        for depth in (0..=DEPTH).rev() {
            let query = format!("{{ {}{first} {} }}", field.name, schema.id_selection(&field.ty, depth));
            let Reply { body, .. } = post(app, Some(token), &query, &json!({})).await;
            let too_complex = body["errors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["extensions"]["code"] == "QUERY_TOO_COMPLEX"));
            if !too_complex {
                h.walk(&body["data"]);
                break;
            }
        }
    }
    h
}
