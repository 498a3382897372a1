//! The API's words in the viewer's language (`domain::Language`): the message catalogs
//! `backend/locales/<en|zh-CN>/*.ftl` (Fluent), embedded and parsed once. A refusal keeps its
//! specific English message; in another language its code's sentence (`reason-<CODE>`) stands
//! in, so codes stay the same and a client branching on them is unaffected.

use crate::domain::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::LazyLock;

/// Each language's catalog files. The audit log's words (`audit.ftl`) exist only in the other
/// languages: their English is `domain/audit.rs`.
const CATALOGS: [(Language, &[&str]); 2] = [
    (Language::En, &[include_str!("../locales/en/reasons.ftl")]),
    (
        Language::ZhCn,
        &[include_str!("../locales/zh-CN/reasons.ftl"), include_str!("../locales/zh-CN/audit.ftl")],
    ),
];

/// The bundles, built on first use (`concurrent::FluentBundle` is `Send + Sync`).
static BUNDLES: LazyLock<Vec<(Language, FluentBundle<FluentResource>)>> = LazyLock::new(|| {
    CATALOGS
        .iter()
        .map(|(language, sources)| {
            let id = language.tag().parse().expect("a valid language tag");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Plain text: no Unicode isolation marks around arguments.
            bundle.set_use_isolating(false);
            for source in *sources {
                // A unit test keeps the catalogs free of syntax errors and duplicate keys.
                let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(r, _)| r);
                let _ = bundle.add_resource(resource);
            }
            (*language, bundle)
        })
        .collect()
});

/// The message `key` in `language`, if its catalog has it.
pub fn message(language: Language, key: &str, args: Option<&FluentArgs>) -> Option<String> {
    let (_, bundle) = BUNDLES.iter().find(|(l, _)| *l == language)?;
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    Some(bundle.format_pattern(pattern, args, &mut errors).into_owned())
}

/// What a refusal with `code` (as the API spells it) and English `message` says in `language`:
/// the English message itself, or the code's sentence in the other language (the English
/// message when the catalog has none).
pub fn refusal(language: Language, code: &str, message: &str) -> String {
    if language == Language::En {
        return message.to_owned();
    }
    self::message(language, &format!("reason-{code}"), None).unwrap_or_else(|| message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    fn keys(source: &str) -> Vec<String> {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, e)| panic!("a catalog does not parse: {e:?}"));
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_code_has_a_reason_in_every_language() {
        for language in Language::ALL {
            for code in Code::ALL {
                let key = format!("reason-{code}");
                let text = message(language, &key, None);
                assert!(text.is_some_and(|t| !t.trim().is_empty()), "{}: no {key}", language.tag());
            }
        }
        let chinese = refusal(Language::ZhCn, "FORBIDDEN", "not allowed");
        assert!(chinese.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{chinese}");
    }

    #[test]
    fn the_catalogs_parse_and_have_the_same_keys() {
        let mut all = Vec::new();
        for (language, sources) in CATALOGS {
            let mut mine: Vec<String> = sources.iter().flat_map(|s| keys(s)).collect();
            let count = mine.len();
            mine.sort();
            mine.dedup();
            assert_eq!(mine.len(), count, "{}: a key is defined twice", language.tag());
            all.push(mine);
        }
        // The refusals are in both; the audit words' English lives in `domain/audit.rs`.
        let chinese_reasons = keys(CATALOGS[1].1[0]);
        let mut chinese_reasons: Vec<String> = chinese_reasons.into_iter().collect();
        chinese_reasons.sort();
        assert_eq!(all[0], chinese_reasons, "en and zh-CN differ in reason keys");
    }

    #[test]
    fn english_keeps_the_refusals_own_message() {
        assert_eq!(refusal(Language::En, "FORBIDDEN", "only an admin agent may"), "only an admin agent may");
        assert_eq!(refusal(Language::ZhCn, "NO_SUCH_CODE", "as it was"), "as it was");
    }
}
