//! Which webhook URLs normtrack will call (issue 17, server-side request forgery): `https`
//! only (or `http` when the deployment allows it), no credentials in the URL, and never an
//! address inside the deployment's own networks (loopback, private, link-local, shared,
//! multicast, reserved, or such an address wrapped in IPv6) unless
//! `NORMTRACK_WEBHOOK_ALLOW_PRIVATE=true`. A host name is checked through every address it
//! resolves to, at registration and again at each delivery (a name may change what it points
//! to): one private address refuses it. Pure rules; resolving is the caller's I/O.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// What a deployment allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// `http` besides `https` (`NORMTRACK_WEBHOOK_ALLOW_HTTP`).
    pub allow_http: bool,
    /// Addresses inside private networks (`NORMTRACK_WEBHOOK_ALLOW_PRIVATE`).
    pub allow_private: bool,
}

/// Why a URL is refused, said to the person who registered it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("is not an absolute URL of at most {MAX_URL_LEN} characters")]
    NotAUrl,
    #[error("must use https{}", if *.0 { " or http" } else { "" })]
    Scheme(bool),
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("must name a host")]
    NoHost,
    /// The address is kept for the log, never told (it would map internal host names).
    #[error("points to an address inside a private, loopback or reserved network")]
    PrivateAddress(IpAddr),
    #[error("names a host that resolves to no address")]
    NoAddress,
}

/// A URL's form: scheme, credentials, host, and the address when the host is one.
pub fn check_form(raw: &str, policy: UrlPolicy) -> Result<url::Url, UrlRefusal> {
    if raw.len() > MAX_URL_LEN {
        return Err(UrlRefusal::NotAUrl);
    }
    let url = url::Url::parse(raw.trim()).map_err(|_| UrlRefusal::NotAUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ => return Err(UrlRefusal::Scheme(policy.allow_http)),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Credentials);
    }
    let literal = match url.host() {
        None => return Err(UrlRefusal::NoHost),
        Some(url::Host::Domain(_)) => None,
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
    };
    if let Some(address) = literal {
        check_addresses(&[address], policy)?;
    }
    Ok(url)
}

/// The addresses a host resolved to: every one must be public (unless private ones are
/// allowed), and there must be one.
pub fn check_addresses(addresses: &[IpAddr], policy: UrlPolicy) -> Result<(), UrlRefusal> {
    if addresses.is_empty() {
        return Err(UrlRefusal::NoAddress);
    }
    if policy.allow_private {
        return Ok(());
    }
    match addresses.iter().find(|a| is_internal(**a)) {
        Some(address) => Err(UrlRefusal::PrivateAddress(*address)),
        None => Ok(()),
    }
}

/// Whether an address lies in a network no webhook may reach by default.
pub fn is_internal(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(a: Ipv4Addr) -> bool {
    let [first, second, third, _] = a.octets();
    a.is_unspecified()
        || a.is_loopback()
        || a.is_private()
        || a.is_link_local()
        || a.is_broadcast()
        || a.is_multicast()
        || a.is_documentation()
        || first == 0 // "this network"
        || (first == 100 && (64..128).contains(&second)) // shared address space (carrier NAT)
        || (first == 192 && second == 0 && third == 0) // IETF protocol assignments
        || (first == 198 && (18..20).contains(&second)) // benchmarking
        || first >= 240 // reserved
}

fn is_internal_v6(a: Ipv6Addr) -> bool {
    let segments = a.segments();
    // An IPv4 address carried in IPv6 (mapped, compatible, or NAT64) is judged as itself.
    if let Some(v4) = a.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    if segments[..6] == [0, 0, 0, 0, 0, 0] && !a.is_loopback() && !a.is_unspecified() {
        return is_internal_v4(Ipv4Addr::from(((segments[6] as u32) << 16) | segments[7] as u32));
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_internal_v4(Ipv4Addr::from(((segments[6] as u32) << 16) | segments[7] as u32));
    }
    // SIIT (::ffff:0:a.b.c.d) and 6to4 (2002:a.b.c.d::/16) carry an IPv4 address too.
    if segments[..5] == [0, 0, 0, 0, 0xffff] && segments[5] == 0 {
        return is_internal_v4(Ipv4Addr::from(((segments[6] as u32) << 16) | segments[7] as u32));
    }
    if segments[0] == 0x2002 {
        return is_internal_v4(Ipv4Addr::from(((segments[1] as u32) << 16) | segments[2] as u32));
    }
    a.is_unspecified()
        || a.is_loopback()
        || a.is_multicast()
        || (segments[0] == 0x64 && segments[1] == 0xff9b && segments[2] == 1) // local-use NAT64 (RFC 8215)
        || (segments[0] == 0x2001 && segments[1] == 0) // Teredo: reaches whatever the relay does
        || (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_carried_in_siit_6to4_local_nat64_and_teredo_is_refused() {
        for internal in [
            "::ffff:0:a00:1",
            "2002:a9fe:a9fe::",
            "64:ff9b:1::a00:1",
            "2001:0:4136:e378::1",
        ] {
            let a: IpAddr = internal.parse().expect("an address");
            assert!(is_internal(a), "{internal}");
        }
        for public in ["2002:5db8:d70e::", "2a00:1450:4001:80b::200e"] {
            let a: IpAddr = public.parse().expect("an address");
            assert!(!is_internal(a), "{public}");
        }
    }

    const STRICT: UrlPolicy = UrlPolicy {
        allow_http: false,
        allow_private: false,
    };

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn accepts_https_urls_of_public_hosts() {
        for good in [
            "https://hooks.example.org/normtrack",
            "https://hooks.example.org:8443/a?b=c",
            "https://93.184.216.34/hook",
            "https://[2606:2800:220:1:248:1893:25c8:1946]/hook",
        ] {
            assert!(check_form(good, STRICT).is_ok(), "{good}");
        }
    }

    #[test]
    fn refuses_other_schemes_and_http_unless_allowed() {
        assert_eq!(
            check_form("http://hooks.example.org/", STRICT),
            Err(UrlRefusal::Scheme(false))
        );
        let http = UrlPolicy {
            allow_http: true,
            ..STRICT
        };
        assert!(check_form("http://hooks.example.org/", http).is_ok());
        for bad in [
            "ftp://hooks.example.org/",
            "file:///etc/passwd",
            "gopher://x/",
            "javascript:alert(1)",
        ] {
            assert!(
                matches!(check_form(bad, http), Err(UrlRefusal::Scheme(true))),
                "{bad}"
            );
        }
    }

    #[test]
    fn refuses_credentials_missing_hosts_and_garbage() {
        assert_eq!(
            check_form("https://user:pw@hooks.example.org/", STRICT),
            Err(UrlRefusal::Credentials)
        );
        assert_eq!(
            check_form("https://user@hooks.example.org/", STRICT),
            Err(UrlRefusal::Credentials)
        );
        assert_eq!(check_form("not a url", STRICT), Err(UrlRefusal::NotAUrl));
        assert_eq!(check_form("/relative/path", STRICT), Err(UrlRefusal::NotAUrl));
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(check_form(&long, STRICT), Err(UrlRefusal::NotAUrl));
    }

    #[test]
    fn refuses_internal_address_literals_in_every_spelling() {
        for bad in [
            "https://127.0.0.1/",
            "https://127.1.2.3:8080/",
            "https://10.0.0.5/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://0.0.0.0/",
            "https://100.64.0.1/",
            "https://[::1]/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://[64:ff9b::a00:1]/",
            "https://2130706433/",   // 127.0.0.1 as one number
            "https://0x7f.0.0.1/",   // and in hexadecimal
            "https://017700000001/", // and in octal
        ] {
            assert!(
                matches!(check_form(bad, STRICT), Err(UrlRefusal::PrivateAddress(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn private_addresses_pass_only_when_the_deployment_allows_them() {
        let open = UrlPolicy {
            allow_private: true,
            ..STRICT
        };
        assert!(check_form("https://127.0.0.1:9000/hook", open).is_ok());
        assert!(check_addresses(&[ip("10.1.2.3")], open).is_ok());
    }

    #[test]
    fn one_internal_address_among_those_a_name_resolves_to_refuses_it() {
        assert!(check_addresses(&[ip("93.184.216.34")], STRICT).is_ok());
        assert_eq!(
            check_addresses(&[ip("93.184.216.34"), ip("10.0.0.1")], STRICT),
            Err(UrlRefusal::PrivateAddress(ip("10.0.0.1")))
        );
        assert_eq!(check_addresses(&[], STRICT), Err(UrlRefusal::NoAddress));
    }

    #[test]
    fn public_addresses_are_not_internal() {
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
        ] {
            assert!(!is_internal(ip(public)), "{public}");
        }
    }
}
