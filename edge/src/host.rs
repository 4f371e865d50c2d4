//! Host header → canonical domain, the key every storefront host resolves a tenant by.

use crate::domain::{DomainName, InvalidValue};

/// Turns a raw `Host` header (or a `?domain=` value) into a canonical [`DomainName`].
///
/// Case is folded, a `:port` suffix and a single trailing dot are dropped, so `Demo.LocalHost.:4321`
/// and `demo.localhost` name the same tenant. Bracketed IPv6 literals and IPv4 addresses are rejected:
/// no tenant is ever served, nor a certificate issued, for a bare address.
pub fn normalize_host(raw: &str) -> Result<DomainName, InvalidValue> {
    let trimmed = raw.trim();
    if trimmed.starts_with('[') {
        return Err(InvalidValue {
            field: "domain",
            reason: "IP addresses are not accepted",
        });
    }
    let without_port = match trimmed.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => {
            return Err(InvalidValue {
                field: "domain",
                reason: "malformed port",
            });
        }
        None => trimmed,
    };
    let without_dot = without_port.strip_suffix('.').unwrap_or(without_port);
    DomainName::parse(&without_dot.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str) -> Option<String> {
        normalize_host(raw).ok().map(|d| d.to_string())
    }

    #[test]
    fn case_port_and_trailing_dot_are_normalised_away() {
        assert_eq!(norm("Demo.LocalHost.:4321").as_deref(), Some("demo.localhost"));
        assert_eq!(norm("shop.example.com").as_deref(), Some("shop.example.com"));
        assert_eq!(norm(" shop.example.com. ").as_deref(), Some("shop.example.com"));
    }

    #[test]
    fn addresses_and_garbage_are_rejected() {
        for bad in ["127.0.0.1", "127.0.0.1:4321", "[::1]:4321", "", ":80", "a b.com", "x.com:port", "../etc"] {
            assert_eq!(norm(bad), None, "{bad:?} was accepted");
        }
    }
}
