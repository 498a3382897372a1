//! The app's two languages, English and Simplified Chinese. Every string on screen comes from a
//! message catalog, `locales/<en|zh-CN>/<area>.ftl` (Fluent): `t!("key")` or
//! `t!("key", n = 3, name = "Contoso")`. Dates and times go through the browser's `Intl`, in the
//! viewer's time zone and language ([`date`], [`date_time`], [`relative`]).
//!
//! The language is chosen once per visit: a remembered choice, else the first of
//! `navigator.languages` the app speaks, else English. The header's switch changes it at once
//! (`App` re-renders everything under a key on the language) and remembers it.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use std::cell::{Cell, RefCell};
use unic_langid::LanguageIdentifier;

include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

/// Where the choice is remembered.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // natively (unit tests) nothing is stored
const STORAGE_KEY: &str = "multichannel.lang";

/// A language the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The BCP 47 tag: the catalog's folder, `<html lang>`, `Accept-Language`, `Intl`'s locale.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, as the switch shows it whatever the current language is.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    /// The language a BCP 47 tag asks for, if the app speaks it (`zh`, `zh-Hans-CN` and `zh-CN`
    /// are Chinese; `zh-TW` and `zh-Hant` are not Simplified, so they fall through).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "en" || tag.starts_with("en-") {
            return Some(Lang::En);
        }
        let traditional = ["zh-tw", "zh-hk", "zh-mo", "zh-hant"].iter().any(|t| tag.starts_with(t));
        (tag == "zh" || (tag.starts_with("zh-") && !traditional)).then_some(Lang::ZhCn)
    }
}

thread_local! {
    static CURRENT: Cell<Option<Lang>> = const { Cell::new(None) };
    static BUNDLES: RefCell<Vec<(Lang, FluentBundle<FluentResource>)>> = const { RefCell::new(Vec::new()) };
}

/// The current language (chosen on first use).
pub fn lang() -> Lang {
    CURRENT.with(|c| match c.get() {
        Some(l) => l,
        None => {
            let l = initial();
            c.set(Some(l));
            mark_document(l);
            l
        }
    })
}

/// Makes `l` the language, remembers it, and labels the page with it. The caller re-renders.
pub fn set_lang(l: Lang) {
    CURRENT.with(|c| c.set(Some(l)));
    #[cfg(target_arch = "wasm32")]
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(STORAGE_KEY, l.code());
    }
    mark_document(l);
}

/// Natively (the unit tests) there is no browser: English.
#[cfg(not(target_arch = "wasm32"))]
fn initial() -> Lang {
    Lang::En
}

#[cfg(target_arch = "wasm32")]
fn initial() -> Lang {
    let Some(window) = web_sys::window() else { return Lang::En };
    let remembered =
        window.local_storage().ok().flatten().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    if let Some(l) = remembered.as_deref().and_then(Lang::from_tag) {
        return l;
    }
    let asked = window.navigator().languages();
    asked.iter().filter_map(|v| v.as_string()).find_map(|t| Lang::from_tag(&t)).unwrap_or(Lang::En)
}

#[cfg(not(target_arch = "wasm32"))]
fn mark_document(_: Lang) {}

#[cfg(target_arch = "wasm32")]
fn mark_document(l: Lang) {
    if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = html.set_attribute("lang", l.code());
    }
}

/// Builds a language's bundle from all its catalog files.
fn bundle(l: Lang) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = l.code().parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new(vec![id]);
    // No Unicode isolation marks around arguments: names are shown as they are, and tests and
    // screen readers see plain text.
    bundle.set_use_isolating(false);
    for (_, _, source) in CATALOGS.iter().filter(|(lang, _, _)| *lang == l.code()) {
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) => r,
            Err((r, _)) => r, // a unit test keeps the catalogs free of syntax errors
        };
        let _ = bundle.add_resource(resource); // and of duplicate keys
    }
    bundle
}

/// The message `key` in language `l`, or `None` when that catalog lacks it.
fn format_in(l: Lang, key: &str, args: Option<&FluentArgs>) -> Option<String> {
    BUNDLES.with(|b| {
        let mut bundles = b.borrow_mut();
        if !bundles.iter().any(|(bl, _)| *bl == l) {
            bundles.push((l, bundle(l)));
        }
        let (_, bundle) = bundles.iter().find(|(bl, _)| *bl == l)?;
        let pattern = bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        Some(bundle.format_pattern(pattern, args, &mut errors).into_owned())
    })
}

/// The message `key` in the current language; English when the current catalog lacks it, the
/// key itself when both do (a unit test finds every `t!` key missing from a catalog).
pub fn message(key: &str, args: Option<&FluentArgs>) -> String {
    format_in(lang(), key, args).or_else(|| format_in(Lang::En, key, args)).unwrap_or_else(|| key.to_owned())
}

/// Whether the catalogs have `key` (for codes that may or may not have words of their own).
pub fn has(key: &str) -> bool {
    format_in(Lang::En, key, None).is_some()
}

/// A Fluent argument from a Rust value (numbers stay numbers, so plurals work).
pub fn arg<'a>(v: impl Into<FluentValue<'a>>) -> FluentValue<'a> {
    v.into()
}

/// `t!("key")`, `t!("key", n = 3, name = &customer)`: the message in the current language.
#[macro_export]
macro_rules! t {
    ($key:expr) => {
        $crate::i18n::message($key, None)
    };
    ($key:expr, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = fluent_bundle::FluentArgs::new();
        $( args.set(stringify!($name), $crate::i18n::arg($value)); )+
        $crate::i18n::message($key, Some(&args))
    }};
}

fn locales() -> js_sys::Array {
    js_sys::Array::of1(&lang().code().into())
}

fn options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o
}

fn parse(iso: &str) -> Option<js_sys::Date> {
    let d = js_sys::Date::new(&iso.into());
    (!d.get_time().is_nan()).then_some(d)
}

fn intl_format(iso: &str, pairs: &[(&str, &str)]) -> String {
    let Some(d) = parse(iso) else { return iso.to_owned() };
    let format = js_sys::Intl::DateTimeFormat::new(&locales(), &options(pairs)).format();
    format
        .call1(&wasm_bindgen::JsValue::NULL, &d)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| iso.to_owned())
}

/// A timestamp's (or a `YYYY-MM-DD` date's) day in the viewer's time zone and language:
/// "Nov 27, 2026", "2026年11月27日". A bare date is a calendar day, not a UTC midnight, so it
/// is shown as written whatever the time zone.
pub fn date(iso: &str) -> String {
    if iso.len() == 10 {
        return intl_format(&format!("{iso}T12:00:00Z"), &[("dateStyle", "medium"), ("timeZone", "UTC")]);
    }
    intl_format(iso, &[("dateStyle", "medium")])
}

/// A timestamp's day and time of day in the viewer's time zone and language.
pub fn date_time(iso: &str) -> String {
    intl_format(iso, &[("dateStyle", "medium"), ("timeStyle", "short")])
}

/// How far away a moment is, in words: "in 6 days", "3 hours ago", "6天后", "3小时前".
pub fn relative(iso: &str) -> String {
    let Some(d) = parse(iso) else { return iso.to_owned() };
    let seconds = (d.get_time() - js_sys::Date::now()) / 1000.0;
    let (value, unit) = [
        (86_400.0 * 365.0, "year"),
        (86_400.0 * 30.0, "month"),
        (86_400.0, "day"),
        (3_600.0, "hour"),
        (60.0, "minute"),
    ]
    .iter()
    .find(|(size, _)| seconds.abs() >= *size)
    .map(|(size, unit)| ((seconds / size).trunc(), *unit))
    .unwrap_or((seconds.trunc(), "second"));
    js_sys::Intl::RelativeTimeFormat::new(&locales(), &options(&[("numeric", "auto")]))
        .format(value, unit)
        .as_string()
        .unwrap_or_else(|| iso.to_owned())
}

/// A number in the viewer's language: "1,234".
#[allow(dead_code)] // for the pages' counts as they move to the catalogs
pub fn number(n: f64) -> String {
    js_sys::Intl::NumberFormat::new(&locales(), &js_sys::Object::new())
        .format()
        .call1(&wasm_bindgen::JsValue::NULL, &n.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| n.to_string())
}

#[cfg(test)]
mod tests {
    //! The catalogs: both languages have the same keys in every area, every file parses, and
    //! every key the code asks for with `t!("…")` exists.

    use super::*;
    use fluent_bundle::FluentResource;
    use std::collections::BTreeSet;

    fn keys(source: &str) -> BTreeSet<String> {
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

    fn area(lang: &str, name: &str) -> Option<&'static str> {
        CATALOGS.iter().find(|(l, a, _)| *l == lang && *a == name).map(|(_, _, s)| *s)
    }

    #[test]
    fn both_languages_have_the_same_keys_in_every_area() {
        for (lang, name, source) in CATALOGS {
            let other = if *lang == "en" { "zh-CN" } else { "en" };
            let theirs =
                area(other, name).unwrap_or_else(|| panic!("{lang}/{name}.ftl has no {other}/{name}.ftl"));
            let (mine, theirs) = (keys(source), keys(theirs));
            let missing: Vec<_> = mine.difference(&theirs).collect();
            assert!(missing.is_empty(), "{other}/{name}.ftl lacks {missing:?} (in {lang}/{name}.ftl)");
        }
    }

    #[test]
    fn no_key_is_defined_twice() {
        for lang in ["en", "zh-CN"] {
            let mut seen = BTreeSet::new();
            for (_, name, source) in CATALOGS.iter().filter(|(l, _, _)| *l == lang) {
                for k in keys(source) {
                    assert!(seen.insert(k.clone()), "{lang}: {k} is defined twice (again in {name}.ftl)");
                }
            }
        }
    }

    /// Every `t!("key"` in the app's source names a key of the English catalog.
    #[test]
    fn every_key_the_code_uses_exists() {
        let all: BTreeSet<String> =
            CATALOGS.iter().filter(|(l, _, _)| *l == "en").flat_map(|(_, _, s)| keys(s)).collect();
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
                continue;
            }
            if p.ends_with("i18n.rs") {
                continue; // this file only shows how `t!` is written
            }
            let text = std::fs::read_to_string(&p).unwrap();
            // `t!("` not inside a longer name (`format!("` is not a use).
            for (at, _) in text.match_indices("t!(\"") {
                if text[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let key = text[at + 4..].split('"').next().unwrap_or_default();
                if !all.contains(key) && key != "key" {
                    missing.push(format!("{}: {key}", p.display()));
                }
            }
        }
        assert!(missing.is_empty(), "keys used but not in locales/en: {missing:#?}");
    }

    #[test]
    fn tags_pick_a_language() {
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("zh"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("zh-TW"), None);
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
