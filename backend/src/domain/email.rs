//! The ready-made invitation email a partner sends its customer, in English or Simplified
//! Chinese: who invites, what accepting grants, the fixed link and the day it expires.

use super::{DelegatedRole, InvitationLanguage, Language};
use chrono::{DateTime, Utc};

/// The language of a new invitation's email: the one chosen, else the request's language
/// (`Accept-Language`, read once in `domain::language`).
pub fn invitation_language(chosen: Option<InvitationLanguage>, request: Language) -> InvitationLanguage {
    chosen.unwrap_or(match request {
        Language::En => InvitationLanguage::En,
        Language::ZhCn => InvitationLanguage::ZhCn,
    })
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
    fn the_chosen_language_wins_else_the_request_s() {
        assert_eq!(
            invitation_language(None, Language::from_accept_language(Some("de"))),
            InvitationLanguage::En
        );
        assert_eq!(
            invitation_language(None, Language::from_accept_language(Some("fr, zh-Hans;q=0.5"))),
            InvitationLanguage::ZhCn
        );
        assert_eq!(invitation_language(Some(InvitationLanguage::En), Language::ZhCn), InvitationLanguage::En);
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
