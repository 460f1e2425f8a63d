//! Rules for accounts: e-mail addresses, passwords, and the scope each role must carry.

use super::access::Role;

/// OWASP ASVS 5 (V6.2.1): at least 12 characters; a long upper bound keeps hashing cheap to
/// refuse.
pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 256;
/// Longest e-mail address accepted, in characters (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// Characters that show nothing or reorder text (zero-width spaces and joiners, bidirectional
/// controls, the byte order mark, fillers): an address holding one could pass for another.
/// The Basic Multilingual Plane's only, so that the OpenAPI pattern (`openapi::wire_rules`)
/// states the same set.
pub const INVISIBLE: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{034F}', '\u{034F}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFFB}'),
];

pub fn is_invisible(c: char) -> bool {
    INVISIBLE.iter().any(|(from, to)| (*from..=*to).contains(&c))
}

fn nfkc(text: &str) -> String {
    icu_normalizer::ComposingNormalizerBorrowed::new_nfkc()
        .normalize(text)
        .into_owned()
}

/// The key an address is found and kept unique by: NFKC-normalised and case-folded (Unicode
/// full case folding), so that `Ana@Example.org`, `ANA@EXAMPLE.ORG` and the full-width
/// `ａｎａ@example.org` are one account.
pub fn email_key(email: &str) -> String {
    icu_casemap::CaseMapperBorrowed::new()
        .fold_string(&nfkc(email.trim()))
        .into_owned()
}

/// Reads an e-mail address: trimmed, one `@`, a dotted domain, no white space, control or
/// invisible character ([`is_invisible`]) — judged on the address as sent, as the OpenAPI
/// pattern states it. Returns the address as given (trimmed) and its key ([`email_key`]):
/// NFKC-normalised and case-folded, which is what finds an account and keeps it unique.
pub fn parse_email(raw: &str) -> Result<(String, String), String> {
    let email = raw.trim();
    let valid = email.chars().count() <= MAX_EMAIL_CHARS
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if !valid {
        if email.chars().any(is_invisible) {
            return Err(
                "an e-mail address must not hold invisible or bidirectional control characters".into(),
            );
        }
        return Err(format!("'{email}' is not an e-mail address"));
    }
    // The address is kept as given (NFKC can turn a valid address into an invalid one: U+00B4
    // becomes a space and a combining accent); its key is normalised.
    Ok((email.to_string(), email_key(email)))
}

/// White space as `char::is_whitespace` has it, which a password may not consist of alone.
pub const WHITE_SPACE: &[(char, char)] = &[
    ('\t', '\r'),
    (' ', ' '),
    ('\u{0085}', '\u{0085}'),
    ('\u{00A0}', '\u{00A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];

/// Checks a new password against the policy.
pub fn check_password(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if password.chars().all(char::is_whitespace) {
        Err("must not be only white space".into())
    } else if chars < PASSWORD_MIN_CHARS {
        Err(format!("must be at least {PASSWORD_MIN_CHARS} characters long"))
    } else if chars > PASSWORD_MAX_CHARS {
        Err(format!("must be at most {PASSWORD_MAX_CHARS} characters long"))
    } else {
        Ok(())
    }
}

/// Single sign-on only: an account marked so has no password. Whether a new account's
/// password is given as its kind wants (`None` when it is): one is needed unless the account
/// is SSO-only, and an SSO-only account takes none.
pub fn password_wanted(sso_only: bool, given: bool) -> Option<&'static str> {
    match (sso_only, given) {
        (false, false) => {
            Some("needed, unless the account signs in through single sign-on only (sso_only: true)")
        }
        (true, true) => {
            Some("an account that signs in through single sign-on only (sso_only: true) takes no password")
        }
        _ => None,
    }
}

/// Why a password cannot be set for an account marked SSO-only (change or reset).
pub const SSO_ONLY: &str =
    "this account signs in through its organization's identity provider only (single sign-on); it has no password";

/// Checks a display name: printable text, not empty (`fields::text_field`).
pub fn check_display_name(name: &str) -> Result<(), String> {
    let mut errors = Vec::new();
    super::fields::text_field(&mut errors, "display_name", name, true);
    errors.into_iter().next().map_or(Ok(()), |e| Err(e.message))
}

/// The scope fields of an account, as requested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeRequest {
    pub countries: Vec<String>,
    pub country: Option<String>,
    pub organization: Option<i32>,
}

/// What the store knows about an organization named by an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationFacts {
    pub country: String,
    pub kind: crate::domain::reference::OrganizationKind,
}

/// A broken scope rule: the field it concerns and why.
pub type ScopeViolation = (&'static str, String);

/// Checks that the scope fits the role:
/// - `office` covers one or more countries (`countries`), and names no single country or
///   organization;
/// - `government`, `employer` and `worker` name one `country` and an `organization` of that
///   country whose kind matches the role;
/// - `admin` and `viewer` carry no scope.
///
/// `country_exists` and `organization` answer from the store.
pub fn check_scope(
    role: Role,
    scope: &ScopeRequest,
    country_exists: impl Fn(&str) -> bool,
    organization: Option<&OrganizationFacts>,
) -> Vec<ScopeViolation> {
    let mut violations = Vec::new();
    for c in &scope.countries {
        if !country_exists(c) {
            violations.push(("countries", format!("no member state has the code '{c}'")));
        }
    }
    match role {
        Role::Office => {
            if scope.countries.is_empty() {
                violations.push(("countries", "an office user covers at least one country".into()));
            }
            if scope.country.is_some() {
                violations.push((
                    "country",
                    "an office user names its countries in `countries`".into(),
                ));
            }
            if scope.organization.is_some() {
                violations.push(("organization", "an office user has no organization".into()));
            }
        }
        Role::Government | Role::Employer | Role::Worker => {
            if !scope.countries.is_empty() {
                violations.push((
                    "countries",
                    format!("a {role} user names one `country`, not `countries`"),
                ));
            }
            match &scope.country {
                None => violations.push(("country", format!("a {role} user needs a country"))),
                Some(c) if !country_exists(c) => {
                    violations.push(("country", format!("no member state has the code '{c}'")))
                }
                Some(_) => {}
            }
            match (scope.organization, organization) {
                (None, _) => {
                    violations.push(("organization", format!("a {role} user needs an organization")))
                }
                (Some(id), None) => {
                    violations.push(("organization", format!("no organization has the id {id}")))
                }
                (Some(_), Some(org)) => {
                    if scope.country.as_deref().is_some_and(|c| c != org.country) {
                        violations.push((
                            "organization",
                            "the organization belongs to another country".into(),
                        ));
                    }
                    if org.kind.as_str() != role.as_str() {
                        violations.push((
                            "organization",
                            format!(
                                "a {role} user needs a {role} organization, not a {} one",
                                org.kind
                            ),
                        ));
                    }
                }
            }
        }
        Role::Admin | Role::Viewer => {
            if !scope.countries.is_empty() || scope.country.is_some() || scope.organization.is_some() {
                violations.push(("role", format!("a {role} user has no country or organization")));
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exists(c: &str) -> bool {
        ["ZWE", "VNM"].contains(&c)
    }

    fn org(country: &str, kind: &str) -> OrganizationFacts {
        OrganizationFacts {
            country: country.into(),
            kind: kind.parse().unwrap(),
        }
    }

    #[test]
    fn email_is_nfkc_normalised_and_case_folded() {
        let (address, key) = parse_email("ａｎａ@Example.ORG").unwrap();
        assert_eq!(address, "ａｎａ@Example.ORG");
        assert_eq!(key, "ana@example.org");
        let (address, _) = parse_email("a\u{B4}b@example.org").unwrap();
        assert_eq!(address, "a\u{B4}b@example.org", "kept as given, still an address");
        assert_eq!(parse_email("STRASSE@x.org").unwrap().1, email_key("straße@x.org"));
    }

    #[test]
    fn white_space_table_is_rusts() {
        for c in (0..=0xFFFF).filter_map(char::from_u32) {
            let listed = WHITE_SPACE.iter().any(|(a, b)| (*a..=*b).contains(&c));
            assert_eq!(listed, c.is_whitespace(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn email_with_invisible_or_bidi_characters_is_refused() {
        for raw in [
            "ana\u{200B}@example.org",
            "ana@exa\u{202E}mple.org",
            "\u{FEFF}ana@example.org",
            "an\u{00AD}a@example.org",
        ] {
            assert!(parse_email(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn password_of_only_white_space_is_refused() {
        assert!(check_password(&" ".repeat(20)).is_err());
        assert!(check_password(&"\u{3000}".repeat(20)).is_err());
        assert!(check_password("  a long pass phrase  ").is_ok());
    }

    #[test]
    fn email_key_is_lower_case() {
        assert_eq!(
            parse_email(" Ana@Example.ORG ").unwrap(),
            ("Ana@Example.ORG".into(), "ana@example.org".into())
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a na@example.org",
            "a@b@c.org",
            "ana@.org",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn password_needs_twelve_characters() {
        assert!(check_password("elevenchars").is_err());
        assert!(check_password("twelve chars").is_ok());
        assert!(check_password(&"x".repeat(257)).is_err());
    }

    #[test]
    fn office_needs_countries_only() {
        let ok = ScopeRequest {
            countries: vec!["ZWE".into()],
            ..Default::default()
        };
        assert!(check_scope(Role::Office, &ok, exists, None).is_empty());
        let none = ScopeRequest::default();
        assert_eq!(check_scope(Role::Office, &none, exists, None)[0].0, "countries");
        let unknown = ScopeRequest {
            countries: vec!["XXX".into()],
            ..Default::default()
        };
        assert_eq!(
            check_scope(Role::Office, &unknown, exists, None)[0].0,
            "countries"
        );
    }

    #[test]
    fn constituent_needs_an_organization_of_its_country_and_kind() {
        let scope = ScopeRequest {
            country: Some("ZWE".into()),
            organization: Some(1),
            ..Default::default()
        };
        assert!(check_scope(Role::Worker, &scope, exists, Some(&org("ZWE", "worker"))).is_empty());
        let wrong_kind = check_scope(Role::Worker, &scope, exists, Some(&org("ZWE", "employer")));
        assert_eq!(wrong_kind.len(), 1);
        assert_eq!(wrong_kind[0].0, "organization");
        let wrong_country = check_scope(Role::Worker, &scope, exists, Some(&org("VNM", "worker")));
        assert_eq!(wrong_country[0].0, "organization");
        let missing = check_scope(Role::Government, &ScopeRequest::default(), exists, None);
        let fields: Vec<_> = missing.iter().map(|v| v.0).collect();
        assert_eq!(fields, ["country", "organization"]);
    }

    #[test]
    fn admin_and_viewer_carry_no_scope() {
        let scope = ScopeRequest {
            country: Some("ZWE".into()),
            ..Default::default()
        };
        assert_eq!(check_scope(Role::Admin, &scope, exists, None)[0].0, "role");
        assert!(check_scope(Role::Viewer, &ScopeRequest::default(), exists, None).is_empty());
    }
}
