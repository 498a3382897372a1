//! The ready-made invitation email a partner sends its customer, in English or Simplified
//! Chinese: who invites, what accepting grants, the fixed link and the day it expires.

use super::{DelegatedRole, InvitationLanguage};
use chrono::{DateTime, Utc};

/// The language an `Accept-Language` header asks for first among those the email is written
/// in (`zh`, `zh-CN`, `zh-Hans*` are Simplified Chinese; `zh-TW`/`zh-HK`/`zh-Hant` are not),
/// or `None` when it names neither. Quality values are honoured; ties keep the header's order.
pub fn language_from_accept(header: &str) -> Option<InvitationLanguage> {
    let mut asked: Vec<(f32, usize, InvitationLanguage)> = Vec::new();
    for (order, part) in header.split(',').enumerate() {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = pieces
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
            .unwrap_or(1.0);
        let traditional = ["zh-tw", "zh-hk", "zh-mo", "zh-hant"].iter().any(|t| tag.starts_with(t));
        let lang = if tag == "en" || tag.starts_with("en-") {
            InvitationLanguage::En
        } else if tag == "zh" || (tag.starts_with("zh-") && !traditional) {
            InvitationLanguage::ZhCn
        } else {
            continue;
        };
        if quality > 0.0 {
            asked.push((quality, order, lang));
        }
    }
    asked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    asked.first().map(|a| a.2)
}

/// The language of a new invitation's email: the one chosen, else the request's language,
/// else English.
pub fn invitation_language(
    chosen: Option<InvitationLanguage>,
    accept_language: Option<&str>,
) -> InvitationLanguage {
    chosen.or_else(|| accept_language.and_then(language_from_accept)).unwrap_or(InvitationLanguage::En)
}

/// What the email says.
pub struct InvitationEmail<'a> {
    /// The partner's own message, first (may be empty).
    pub message: &'a str,
    pub inviter: &'a str,
    /// The indirect reseller named on it, which would sell through the inviter.
    pub reseller: Option<&'a str>,
    pub roles: &'a [DelegatedRole],
    pub services: &'a str,
    /// ISO-8601, e.g. `P1Y`.
    pub duration: &'a str,
    /// Who would hold the delegated rights.
    pub holder: &'a str,
    pub url: &'a str,
    pub expires_at: DateTime<Utc>,
}

fn role_zh(role: DelegatedRole) -> &'static str {
    match role {
        DelegatedRole::GlobalAdmin => "全局管理员",
        DelegatedRole::Provisioning => "预配",
        DelegatedRole::Support => "支持",
    }
}

/// An ISO-8601 duration in Chinese: `P1Y` → "1年", `P6M` → "6个月", `P180D` → "180天".
fn duration_zh(iso: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    for c in iso.trim_start_matches('P').chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'Y' => "年",
            'M' => "个月",
            'W' => "周",
            'D' => "天",
            _ => return iso.to_owned(),
        };
        if digits.trim_start_matches('0').is_empty() {
            digits.clear();
            continue;
        }
        out.push_str(&digits);
        out.push_str(unit);
        digits.clear();
    }
    if out.is_empty() { iso.to_owned() } else { out }
}

/// The email's text in `lang`.
pub fn invitation_email(lang: InvitationLanguage, e: &InvitationEmail<'_>) -> String {
    let mut text = String::new();
    if !e.message.trim().is_empty() {
        text.push_str(e.message.trim());
        text.push_str("\n\n");
    }
    match lang {
        InvitationLanguage::En => {
            text.push_str(&format!(
                "{} invites you to a reseller relationship on the partner center operated by 21Vianet.\n",
                e.inviter
            ));
            if let Some(r) = e.reseller {
                text.push_str(&format!("{r} would be your indirect reseller, through {}.\n", e.inviter));
            }
            if !e.roles.is_empty() {
                text.push_str(&format!(
                    "It asks for delegated admin rights ({}) for {} for {}, held by {}.\n",
                    e.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
                    e.services,
                    e.duration,
                    e.holder
                ));
            }
            text.push_str(&format!(
                "\nA global admin of your organization can review and accept it here:\n{}\n\nThis link expires on {}.\n",
                e.url,
                e.expires_at.format("%Y-%m-%d")
            ));
        }
        InvitationLanguage::ZhCn => {
            text.push_str("您好！\n\n");
            text.push_str(&format!(
                "{} 邀请您在由世纪互联运营的合作伙伴中心与其建立经销商关系。\n",
                e.inviter
            ));
            if let Some(r) = e.reseller {
                text.push_str(&format!("{r} 将通过 {} 成为您的间接经销商。\n", e.inviter));
            }
            if !e.roles.is_empty() {
                text.push_str(&format!(
                    "接受后，{} 将获得 {} 的委派管理员权限（{}），期限为 {}。\n",
                    e.holder,
                    e.services,
                    e.roles.iter().map(|r| role_zh(*r)).collect::<Vec<_>>().join("、"),
                    duration_zh(e.duration)
                ));
            }
            text.push_str(&format!(
                "\n贵组织的全局管理员可以在此查看并接受邀请：\n{}\n\n此链接将于 {} 失效。\n",
                e.url,
                e.expires_at.format("%Y年%-m月%-d日")
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_spoken() {
        assert_eq!(language_from_accept("zh-CN,zh;q=0.9,en;q=0.8"), Some(InvitationLanguage::ZhCn));
        assert_eq!(language_from_accept("en-US,en;q=0.9"), Some(InvitationLanguage::En));
        assert_eq!(language_from_accept("fr, zh-Hans;q=0.5"), Some(InvitationLanguage::ZhCn));
        assert_eq!(language_from_accept("zh-TW"), None);
        assert_eq!(language_from_accept("en;q=0.2, zh;q=0.8"), Some(InvitationLanguage::ZhCn));
        assert_eq!(invitation_language(None, Some("de")), InvitationLanguage::En);
        assert_eq!(invitation_language(Some(InvitationLanguage::En), Some("zh-CN")), InvitationLanguage::En);
    }

    #[test]
    fn chinese_email_names_the_rights_and_the_expiry() {
        let text = invitation_email(
            InvitationLanguage::ZhCn,
            &InvitationEmail {
                message: "",
                inviter: "Fabrikam",
                reseller: None,
                roles: &[DelegatedRole::GlobalAdmin, DelegatedRole::Support],
                services: "Azure",
                duration: "P1Y6M",
                holder: "Fabrikam",
                url: "https://x/invitations/abc",
                expires_at: "2027-02-03T00:00:00Z".parse().unwrap(),
            },
        );
        assert!(text.contains("全局管理员、支持"), "{text}");
        assert!(text.contains("1年6个月"), "{text}");
        assert!(text.contains("2027年2月3日"), "{text}");
        assert!(text.contains("https://x/invitations/abc"), "{text}");
    }
}
