//! The viewer's language: English or Simplified Chinese, chosen per request from its
//! `Accept-Language` header (RFC 9110 §12.5.4: the highest-weighted language the service speaks;
//! `q=0` means "not this one"). Anything the service does not speak, and no header, is English.

/// A language the API answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    En,
    ZhCn,
}

impl Language {
    /// Every language, English (the fallback) first.
    pub const ALL: [Language; 2] = [Language::En, Language::ZhCn];

    /// The BCP 47 tag: the catalog's folder.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::ZhCn => "zh-CN",
        }
    }

    /// The language one range of `Accept-Language` asks for, if the service speaks it. `zh`,
    /// `zh-CN`, `zh-Hans(-CN)` and `zh-SG` are Simplified Chinese; `zh-TW`, `zh-HK`, `zh-MO` and
    /// `zh-Hant` are not, so they fall through. `*` names no language in particular.
    fn of_range(range: &str) -> Option<Language> {
        let range = range.trim().to_ascii_lowercase();
        if range == "en" || range.starts_with("en-") {
            return Some(Language::En);
        }
        let traditional = ["zh-tw", "zh-hk", "zh-mo", "zh-hant"].iter().any(|t| range.starts_with(t));
        (range == "zh" || (range.starts_with("zh-") && !traditional)).then_some(Language::ZhCn)
    }

    /// The language an `Accept-Language` header picks: among the ranges the service speaks,
    /// the one with the highest weight (the first of equals); English otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Language {
        let Some(header) = header else { return Language::En };
        let mut best: Option<(f32, Language)> = None;
        // A header is short; a longer one is not a browser's and gets no more reading.
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let Some(language) = parts.next().and_then(Language::of_range) else { continue };
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .map(|q| q.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)))
                .next()
                .unwrap_or(Some(1.0));
            let Some(weight) = weight.filter(|w| *w > 0.0) else { continue };
            if best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, language));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Language::{self, *};

    fn pick(h: &str) -> Language {
        Language::from_accept_language(Some(h))
    }

    #[test]
    fn the_highest_weighted_language_spoken_wins() {
        assert_eq!(Language::from_accept_language(None), En);
        assert_eq!(pick("zh-CN"), ZhCn);
        assert_eq!(pick("zh-CN,zh;q=0.9,en;q=0.8"), ZhCn);
        assert_eq!(pick("en-US,en;q=0.9,zh-CN;q=0.8"), En);
        assert_eq!(pick("en;q=0.5, zh-Hans-CN;q=0.7"), ZhCn);
        assert_eq!(pick("fr-FR, zh;q=0.3"), ZhCn);
        assert_eq!(pick("zh-CN;q=0, en;q=0.1"), En);
    }

    #[test]
    fn anything_else_is_english() {
        assert_eq!(pick(""), En);
        assert_eq!(pick("fr, de;q=0.5"), En);
        assert_eq!(pick("zh-TW"), En);
        assert_eq!(pick("zh-Hant-HK"), En);
        assert_eq!(pick("*"), En);
        assert_eq!(pick(";;;,,q=x, \u{0}"), En);
        assert_eq!(pick("zh-CN;q=abc"), En);
    }
}
