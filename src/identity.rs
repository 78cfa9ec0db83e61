//! Turning the many spellings of an address into one key.
//!
//! A person is found by identity, so two spellings of one address must compare equal:
//! `Brian.Miller@Example.com` and `brian.miller@example.com`, or
//! `https://www.linkedin.com/in/Jos%C3%A9-Garc%C3%ADa/?originalSubdomain=es` and
//! `linkedin.com/in/josé-garcía`.

use crate::model::Identity;
use percent_encoding::percent_decode_str;

/// Reads an email address or a LinkedIn profile URL; `None` for anything else (a bare
/// name is not an identity).
///
/// ```
/// use rapport::identity::parse_identity;
/// use rapport::model::Identity;
/// assert_eq!(
///     parse_identity("https://uk.linkedin.com/in/Brian-Miller/en/?trk=x"),
///     Some(Identity::Linkedin("brian-miller".into()))
/// );
/// assert_eq!(parse_identity("<Brian@Example.COM>"), Some(Identity::Email("brian@example.com".into())));
/// assert_eq!(parse_identity("Brian Miller"), None);
/// ```
pub fn parse_identity(raw: &str) -> Option<Identity> {
    let s = raw.trim().trim_start_matches("mailto:");
    if let Some(slug) = linkedin_slug(s) {
        return Some(Identity::Linkedin(slug));
    }
    normalize_email(s).map(Identity::Email)
}

/// Lowercased address without surrounding angle brackets or a display name.
pub fn normalize_email(raw: &str) -> Option<String> {
    let s = raw.trim();
    // "Name <addr>" as well as a bare address.
    let s = match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    };
    let s = s.trim().trim_matches(|c| c == '<' || c == '>' || c == '"');
    let (local, domain) = s.rsplit_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == ',' || c == ';');
    valid.then(|| s.to_lowercase())
}

/// The profile slug of a LinkedIn member URL, normalized for scheme, subdomain,
/// trailing slash, query, fragment, locale segment and percent-encoding.
pub fn linkedin_slug(raw: &str) -> Option<String> {
    let s = raw.trim();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let (host, path) = s.split_once('/')?;
    // Compared in place: a lowercased copy of every host cost an allocation per row.
    let host = host.as_bytes();
    let suffix = b".linkedin.com";
    let subdomain = host.len() >= suffix.len()
        && host[host.len() - suffix.len()..].eq_ignore_ascii_case(suffix);
    if !host.eq_ignore_ascii_case(&suffix[1..]) && !subdomain {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segments = path.split('/').filter(|p| !p.is_empty());
    if segments.next()? != "in" {
        return None;
    }
    let slug = percent_decode_str(segments.next()?).decode_utf8().ok()?;
    // ASCII needs no normalization: one copy, lowercased, per slug of a large import.
    let slug = if slug.is_ascii() {
        slug.to_ascii_lowercase()
    } else {
        crate::text::unicode::nfc(&slug).to_lowercase()
    };
    (!slug.is_empty()).then_some(slug)
}

/// The canonical URL for a slug, for display and links.
pub fn linkedin_url(slug: &str) -> String {
    format!("https://www.linkedin.com/in/{slug}/")
}

/// A key for comparing full names: case, diacritics, punctuation and spacing folded.
/// Equal keys are only a *suggestion* that two records are one person.
///
/// ```
/// assert_eq!(rapport::identity::name_key("  José  GARCÍA-López "), "jose garcia lopez");
/// ```
pub fn name_key(name: &str) -> String {
    let folded: String = crate::text::unicode::without_marks(name)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Identity {
    /// A single string key, `email:<addr>` or `linkedin:<slug>`, for store indexes.
    pub fn key(&self) -> String {
        // Concatenated, not formatted: importers build a key per message.
        match self {
            Identity::Email(e) => ["email:", e].concat(),
            Identity::Linkedin(s) => ["linkedin:", s].concat(),
        }
    }

    pub fn channel(&self) -> crate::model::Channel {
        match self {
            Identity::Email(_) => crate::model::Channel::Email,
            Identity::Linkedin(_) => crate::model::Channel::Linkedin,
        }
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identity::Email(e) => f.write_str(e),
            Identity::Linkedin(s) => f.write_str(&linkedin_url(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linkedin_urls_fold_to_one_slug() {
        for url in [
            "https://www.linkedin.com/in/jose-garcia",
            "http://linkedin.com/in/jose-garcia/",
            "www.linkedin.com/in/Jose-Garcia?trk=public_profile",
            "https://es.linkedin.com/in/jose-garcia/en/",
            "https://www.linkedin.com/in/jose-garcia/#experience",
        ] {
            assert_eq!(linkedin_slug(url).as_deref(), Some("jose-garcia"), "{url}");
        }
        assert_eq!(
            linkedin_slug("https://www.linkedin.com/in/Jos%C3%A9-Garc%C3%ADa/").as_deref(),
            Some("josé-garcía")
        );
        assert_eq!(
            linkedin_slug("https://www.linkedin.com/company/acme/"),
            None
        );
        assert_eq!(linkedin_slug("https://evil.com/in/jose"), None);
        assert_eq!(linkedin_slug("https://notlinkedin.com/in/jose"), None);
        assert_eq!(linkedin_slug("https://linkedin.com.evil.com/in/jose"), None);
        assert_eq!(
            linkedin_slug("https://WWW.LinkedIn.COM/in/JOSE").as_deref(),
            Some("jose")
        );
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            normalize_email("Brian Miller <B.Miller@Acme.io>").as_deref(),
            Some("b.miller@acme.io")
        );
        assert_eq!(normalize_email("brian@localhost"), None);
        assert_eq!(normalize_email("@acme.io"), None);
        assert_eq!(normalize_email("a b@acme.io"), None);
    }
}
