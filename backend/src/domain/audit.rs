//! The audit log's words: each action code and each detail key has one label, so the log reads
//! as sentences and a search for "invitation" or "seats" finds the events a person means.
//! English is written here (the one source of English); other languages come from the API's
//! catalogs (`backend/locales/zh-CN/audit.ftl`, keys derived from the codes).

use super::Language;
use fluent_bundle::FluentArgs;

/// Every action code the workflows append, with its words. A code missing here still reads (see
/// [`action_label`]); add it here so people find it by its words.
pub const ACTIONS: &[(&str, &str)] = &[
    ("api_token.created", "API token created"),
    ("api_token.revoked", "API token revoked"),
    ("bulk_operation.cancelled", "Bulk operation cancelled"),
    ("bulk_operation.retried", "Bulk operation failures retried"),
    ("bulk_operation.started", "Bulk operation started"),
    ("customer.created", "Customer created"),
    ("delegated_admin.activated", "Delegated admin rights active"),
    ("delegated_admin.approval_requested", "Delegated admin approval requested"),
    ("delegated_admin.approved", "Delegated admin rights approved"),
    ("delegated_admin.auto_extend_changed", "Delegated admin auto-extension changed"),
    ("delegated_admin.consented", "Delegated admin consent given"),
    ("delegated_admin.created", "Delegated admin request drafted"),
    ("delegated_admin.deleted", "Delegated admin draft deleted"),
    ("delegated_admin.expired", "Delegated admin rights expired"),
    ("delegated_admin.expiring", "Delegated admin rights expiring soon"),
    ("delegated_admin.extended", "Delegated admin rights extended"),
    ("delegated_admin.granted", "Delegated admin rights granted"),
    ("delegated_admin.rejected", "Delegated admin request rejected"),
    ("delegated_admin.role_replaced", "Delegated admin role replaced"),
    ("delegated_admin.terminated", "Delegated admin rights terminated"),
    ("delegated_admin.updated", "Delegated admin request changed"),
    ("invitation.accepted", "Invitation accepted"),
    ("invitation.created", "Invitation created"),
    ("invitation.declined", "Invitation declined"),
    ("invitation.expired", "Invitation expired"),
    ("invitation.message_changed", "Invitation message changed"),
    ("invitation.revoked", "Invitation revoked"),
    ("partner.joined_csp", "Partner joined the CSP program"),
    ("partner.registered", "Partner registered"),
    ("partnership.accepted", "Reseller partnership accepted"),
    ("partnership.expired", "Reseller partnership link expired"),
    ("partnership.invited", "Reseller partnership link created"),
    ("partnership.removed", "Reseller partnership removed"),
    ("reseller_relationship.created", "Reseller relationship created"),
    ("reseller_relationship.removed", "Reseller relationship removed"),
    ("session.created", "Signed in"),
    ("session.ended", "Signed out"),
    ("subscription.auto_renew_changed", "Subscription auto-renewal changed"),
    ("subscription.cancelled", "Subscription cancelled"),
    ("subscription.created", "Subscription ordered"),
    ("subscription.deleted", "Subscription deleted"),
    ("subscription.expired", "Subscription expired"),
    ("subscription.quantity_changed", "Subscription quantity changed"),
    ("subscription.reactivated", "Subscription reactivated"),
    ("subscription.renewed", "Subscription renewed"),
    ("subscription.seats_assigned", "Seats assigned"),
    ("subscription.seats_unassigned", "Seats unassigned"),
    ("subscription.service_partner_assigned", "Service partner assigned"),
    ("subscription.suspended", "Subscription suspended"),
    ("support_request.commented", "Support request commented"),
    ("support_request.escalated", "Support request escalated"),
    ("support_request.opened", "Support request opened"),
    ("support_request.resolved", "Support request resolved"),
    ("support_request.updated", "Support request updated"),
    ("user.created", "User created"),
    ("webhook_endpoint.created", "Webhook endpoint created"),
    ("webhook_endpoint.deleted", "Webhook endpoint deleted"),
    ("webhook_endpoint.disabled", "Webhook endpoint disabled"),
    ("webhook_endpoint.redelivered", "Webhook delivery queued again"),
    ("webhook_endpoint.secret_rotated", "Webhook signing secret rotated"),
    ("webhook_endpoint.test_sent", "Webhook test sent"),
    ("webhook_endpoint.updated", "Webhook endpoint changed"),
];

/// The words of an action code in `language`: its label, or for a code not listed the code
/// itself in words ("user.deactivated" → "User deactivated"; in Chinese "其他操作（…）").
pub fn action_label(language: Language, code: &str) -> String {
    if language != Language::En {
        if let Some(words) = crate::i18n::message(language, &action_key(code), None) {
            return words;
        }
        let args = FluentArgs::from_iter([("code", code.to_owned())]);
        if let Some(words) = crate::i18n::message(language, "action-unknown", Some(&args)) {
            return words;
        }
    }
    match ACTIONS.iter().find(|(c, _)| *c == code) {
        Some((_, label)) => (*label).to_owned(),
        None => sentence(&code.replace(['.', '_'], " ")),
    }
}

/// The catalog key of an action code: Fluent ids have no dots ("invitation.accepted" →
/// "action-invitation-accepted").
fn action_key(code: &str) -> String {
    format!("action-{}", code.replace('.', "-"))
}

/// The longest search a person types into the log's filter.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The action codes whose words in any language (or code) contain every word of `search`,
/// ignoring case: "invitation" finds all invitation events, "seats assigned" both seat events,
/// 邀请 every invitation event.
pub fn actions_matching(search: &str) -> Vec<&'static str> {
    let words: Vec<String> = search.split_whitespace().map(str::to_lowercase).collect();
    ACTIONS
        .iter()
        .filter(|(code, label)| {
            let others: Vec<String> = Language::ALL
                .iter()
                .filter(|l| **l != Language::En)
                .filter_map(|l| crate::i18n::message(*l, &action_key(code), None))
                .collect();
            let hay =
                format!("{} {} {}", label.to_lowercase(), code.replace(['.', '_'], " "), others.join(" "));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .map(|(code, _)| *code)
        .collect()
}

/// Where a detail names a thing, the kind of thing it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    Customer,
    Partner,
    Subscription,
    Service,
    DelegatedAdminRelationship,
}

/// The label of a detail key in `language`, and the kind of thing its ids name (if any).
/// Unknown keys read as words from their camel case ("retryAfter" → "Retry after").
pub fn detail_label(language: Language, key: &str) -> (String, Option<Names>) {
    let (english, names) = detail_label_en(key);
    if language == Language::En {
        return (english, names);
    }
    let words = crate::i18n::message(language, &format!("detail-{key}"), None).or_else(|| {
        let args = FluentArgs::from_iter([("key", key.to_owned())]);
        crate::i18n::message(language, "detail-unknown", Some(&args))
    });
    (words.unwrap_or(english), names)
}

/// The English label of a detail key, and the kind of thing its ids name.
fn detail_label_en(key: &str) -> (String, Option<Names>) {
    let known = match key {
        "friendlyName" => ("Subscription name", None),
        "offer" => ("Offer", None),
        "quantity" => ("Quantity", None),
        "channel" => ("Channel", None),
        "commitmentEnd" => ("Commitment ends", None),
        "effectiveStart" => ("Term starts", None),
        "automatic" => ("Automatic", None),
        "reason" => ("Reason", None),
        "kind" | "relationshipKind" => ("Relationship", None),
        "status" => ("Status", None),
        "email" => ("Email", None),
        "roles" => ("Roles", None),
        "name" => ("Name", None),
        "mpnId" => ("MPN id", None),
        "program" => ("Program", None),
        "from" => ("From", None),
        "to" => ("To", None),
        "primaryDomain" => ("Primary domain", None),
        "country" => ("Country", None),
        "readOnly" => ("Read-only", None),
        "expiresAt" => ("Expires", None),
        "bootstrap" => ("Created at setup", None),
        "indirectResellerId" => ("Indirect reseller", Some(Names::Partner)),
        "partnerId" | "resellerId" | "providerId" => ("Partner", Some(Names::Partner)),
        "enrolOnly" => ("Only for setting up sign-in", None),
        "messageId" => ("Message id", None),
        "eventTypes" => ("Event types", None),
        "host" => ("Host", None),
        "endsAt" => ("Ends", None),
        "noticeDays" => ("Days of notice", None),
        "customerIds" => ("Customers", None),
        "displayName" => ("Display name", None),
        "field" => ("Field", None),
        "items" => ("Items", None),
        "previousSecretSignsUntil" => ("Previous secret signs until", None),
        "replaceExisting" => ("Replaces the existing one", None),
        "selection" => ("Selection", None),
        "sessionsEnded" => ("Sessions ended", None),
        "state" => ("State", None),
        "terms" => ("Terms", None),
        "tokensEnded" => ("Tokens ended", None),
        "customerId" => ("Customer", Some(Names::Customer)),
        "subscriptionId" => ("Subscription", Some(Names::Subscription)),
        "subscriptions" | "subscriptionsReleased" => ("Subscriptions affected", Some(Names::Subscription)),
        "serviceId" => ("Service", Some(Names::Service)),
        "replacedBy" => ("Replaced by", Some(Names::DelegatedAdminRelationship)),
        "terminated" | "delegatedAdminEnded" => {
            ("Delegated admin rights ended", Some(Names::DelegatedAdminRelationship))
        }
        "relationshipId" => ("Delegated admin relationship", Some(Names::DelegatedAdminRelationship)),
        _ => return (sentence(&split_camel(key)), None),
    };
    (known.0.to_owned(), known.1)
}

/// "retryAfterSeconds" → "retry after seconds".
fn split_camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// First letter upper case.
fn sentence(s: &str) -> String {
    let mut chars = s.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_labels_are_words() {
        let mut codes: Vec<&str> = ACTIONS.iter().map(|(c, _)| *c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ACTIONS.len());
        assert!(ACTIONS.iter().all(|(_, l)| !l.contains('.') && !l.contains('_')));
    }

    #[test]
    fn searches_words_and_codes() {
        let found = actions_matching("invitation");
        assert!(found.contains(&"invitation.accepted") && found.contains(&"invitation.revoked"));
        assert!(!found.contains(&"subscription.created"));
        assert!(actions_matching("SEATS assigned").contains(&"subscription.seats_assigned"));
        assert_eq!(actions_matching("accepted invitation"), ["invitation.accepted"]);
        assert!(actions_matching("ordered").contains(&"subscription.created"));
        assert!(actions_matching("zzz").is_empty());
    }

    #[test]
    fn unknown_codes_and_keys_read_as_words() {
        assert_eq!(action_label(Language::En, "invitation.accepted"), "Invitation accepted");
        assert_eq!(action_label(Language::En, "user.deactivated"), "User deactivated");
        assert_eq!(detail_label(Language::En, "retryAfterSeconds").0, "Retry after seconds");
        assert_eq!(detail_label(Language::En, "serviceId"), ("Service".to_owned(), Some(Names::Service)));
        assert_eq!(action_label(Language::ZhCn, "user.deactivated"), "其他操作（user.deactivated）");
        assert_eq!(detail_label(Language::ZhCn, "serviceId"), ("服务".to_owned(), Some(Names::Service)));
    }

    fn is_chinese(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_action_and_feed_event_has_chinese_words() {
        let missing: Vec<&str> = ACTIONS
            .iter()
            .map(|(code, _)| *code)
            .filter(|code| {
                !crate::i18n::message(Language::ZhCn, &action_key(code), None).is_some_and(|w| is_chinese(&w))
            })
            .collect();
        assert!(missing.is_empty(), "no Chinese words in backend/locales/zh-CN/audit.ftl for {missing:?}");
        // Every feed event type is raised by listed actions, so its label has Chinese words too.
        for event in super::super::feed::EventType::ALL {
            assert!(
                ACTIONS
                    .iter()
                    .any(|(code, _)| super::super::feed::EventType::of_action(code) == Some(*event)),
                "{event:?} is raised by no action listed in ACTIONS"
            );
        }
        for (key, _) in [("friendlyName", 0), ("customerId", 0), ("terminated", 0)] {
            assert!(is_chinese(&detail_label(Language::ZhCn, key).0), "{key}");
        }
    }

    #[test]
    fn a_chinese_search_finds_the_events() {
        let found = actions_matching("邀请");
        assert!(found.contains(&"invitation.accepted") && found.contains(&"invitation.created"), "{found:?}");
        assert!(!found.contains(&"subscription.created"));
        assert_eq!(actions_matching("已接受 邀请"), ["invitation.accepted"]);
        assert!(actions_matching("委派管理员").contains(&"delegated_admin.granted"));
    }
}
