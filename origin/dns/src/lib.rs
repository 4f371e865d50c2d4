//! Custom domains' DNS: the check that a merchant owns and routes a domain, and a stand-in DNS
//! server to check against in development and tests.
//!
//! The flow:
//! 1. A merchant adds `shop.example.com`. Core-api stores a fresh [`new_token`] with it and shows
//!    the two records to publish: a TXT record at [`verification_name`]
//!    (`_zelly.shop.example.com`) holding the token, and a CNAME from `shop.example.com` to the
//!    storefront target (e.g. `stores.zelly.app`); an apex domain, which cannot have a CNAME,
//!    uses A/AAAA records with the target's addresses instead.
//! 2. [`DnsChecker::check`] looks both up and returns a [`DomainCheck`]: `ownership` proves the
//!    merchant controls the domain ([`DomainCheck::verified`]), `routing` that visitors reach the
//!    storefront ([`DomainCheck::active`] when both hold). Each failure is a sentence for the
//!    merchant: a missing record, a wrong value, or a lookup that failed (timeout, SERVFAIL),
//!    which is never reported as "not found".
//! 3. In development and tests the checker asks the [`standin`], never the real DNS: a test
//!    starts one with [`standin::spawn`], publishes records through
//!    [`standin::RunningStandin::records`] (or `PUT /records` over HTTP), and builds the checker
//!    with `DnsChecker::new(Some(standin.dns_addr))`.

pub mod check;
pub mod name;
pub mod standin;

pub use check::{new_token, verification_name, DnsChecker, DnsError, DomainCheck, TOKEN_PREFIX};
pub use name::{InvalidName, RecordName};
