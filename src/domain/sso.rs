//! Single sign-on's rules about addresses: which a provider may vouch for, and when its
//! address names an account.

/// Whether `email` is in one of the provider's domains (any, when it lists none).
pub fn domain_allowed(email: &str, domains: &[String]) -> bool {
    if domains.is_empty() {
        return true;
    }
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let domain = domain.trim().to_lowercase();
    domains.contains(&domain)
}

/// Whether the address a provider vouches for is the account's own, not merely the same
/// lookup key: the key folds compatibility forms and case fully (`straße` = `strasse`,
/// full-width letters = ASCII), which is right for finding a typed address and wrong for
/// letting another mailbox in. Only letter case may differ.
pub fn same_address(account: &str, vouched: &str) -> bool {
    account.trim().to_lowercase() == vouched.trim().to_lowercase()
}

/// Why a sign-in to an account already linked to another identity at the provider is refused.
pub const ANOTHER_SUBJECT: &str =
    "this account signed in with another identity at this provider before (an address given to someone else?); an administrator can link it again by changing the account's address";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_vouches_only_for_its_domains_when_it_lists_them() {
        let domains = vec!["ilo.org".to_string(), "itcilo.org".to_string()];
        assert!(domain_allowed("ana@ilo.org", &domains));
        assert!(domain_allowed("ana@ILO.org", &domains));
        assert!(!domain_allowed("ana@evil-ilo.org", &domains));
        assert!(!domain_allowed("ana@ilo.org.evil.example", &domains));
        assert!(!domain_allowed("no-at-sign", &domains));
        assert!(domain_allowed("anyone@anywhere.example", &[]));
    }

    #[test]
    fn only_letter_case_may_differ_between_the_account_and_the_vouched_address() {
        assert!(same_address("Ana.Perez@Example.org", "ana.perez@example.org"));
        assert!(!same_address("strasse@example.org", "straße@example.org"));
        assert!(!same_address("ana@example.org", "ａｎａ@example.org"));
    }
}
