//! The checker against a real stand-in on free ports, over real sockets.
#![allow(clippy::unwrap_used, missing_docs)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, ResponseCode};
use zelly_dns::standin::{self, Config, DnsRecord, RunningStandin};
use zelly_dns::{DnsChecker, DomainCheck};

const DOMAIN: &str = "shop.example.com";
const TARGET: &str = "stores.zelly.app";
const TOKEN: &str = "zelly-verify-right-token";

struct TestDns {
    standin: RunningStandin,
    checker: DnsChecker,
}

impl TestDns {
    async fn spawn() -> TestDns {
        let standin = standin::spawn(Config::ephemeral()).await.unwrap();
        let checker = DnsChecker::new(Some(standin.dns_addr)).unwrap();
        TestDns { standin, checker }
    }

    fn publish(&self, record: DnsRecord) {
        assert!(self.standin.add(record));
    }

    async fn check(&self) -> DomainCheck {
        self.checker.check(DOMAIN, TOKEN, TARGET).await
    }
}

fn txt(value: &str) -> DnsRecord {
    DnsRecord::txt("_zelly.shop.example.com", value).unwrap()
}

fn error_of(result: &Result<(), String>) -> &str {
    result.as_ref().err().map(String::as_str).unwrap_or_else(|| panic!("expected an error, got {result:?}"))
}

#[tokio::test]
async fn without_a_txt_record_ownership_is_not_proved() {
    let dns = TestDns::spawn().await;

    let check = dns.check().await;

    assert_eq!(error_of(&check.ownership), "no TXT record at _zelly.shop.example.com");
    assert!(!check.verified());
}

#[tokio::test]
async fn a_txt_record_with_another_token_does_not_prove_ownership() {
    let dns = TestDns::spawn().await;
    dns.publish(txt("zelly-verify-someone-elses"));

    let check = dns.check().await;

    assert_eq!(error_of(&check.ownership), "the TXT record at _zelly.shop.example.com does not hold this domain's token");
}

#[tokio::test]
async fn the_right_token_among_other_txt_records_proves_ownership() {
    let dns = TestDns::spawn().await;
    dns.publish(txt("v=spf1 -all"));
    dns.publish(txt(TOKEN));

    let check = dns.check().await;

    assert_eq!(check.ownership, Ok(()));
    assert!(check.verified());
}

#[tokio::test]
async fn a_quoted_token_is_refused_with_a_hint() {
    let dns = TestDns::spawn().await;
    dns.publish(txt(&format!("\"{TOKEN}\"")));

    let check = dns.check().await;

    assert!(error_of(&check.ownership).contains("extra quotes or spaces"), "{check:?}");
}

#[tokio::test]
async fn a_token_longer_than_one_txt_string_is_joined_back() {
    let dns = TestDns::spawn().await;
    let long_token = format!("zelly-verify-{}", "a".repeat(300));
    dns.publish(txt(&long_token));

    let check = dns.checker.check(DOMAIN, &long_token, TARGET).await;

    assert_eq!(check.ownership, Ok(()));
}

#[tokio::test]
async fn a_removed_txt_record_fails_the_very_next_check() {
    let dns = TestDns::spawn().await;
    dns.publish(txt(TOKEN));
    assert_eq!(dns.check().await.ownership, Ok(()));

    assert!(dns.standin.remove(&txt(TOKEN)));

    assert_eq!(error_of(&dns.check().await.ownership), "no TXT record at _zelly.shop.example.com");
}

#[tokio::test]
async fn a_cname_to_the_target_routes_the_domain_whatever_its_case() {
    let dns = TestDns::spawn().await;
    dns.publish(txt(TOKEN));
    dns.publish(DnsRecord::cname(DOMAIN, TARGET).unwrap());

    let check = dns.checker.check("Shop.Example.COM.", TOKEN, "Stores.Zelly.App.").await;

    assert_eq!(check.routing, Ok(()));
    assert!(check.active());
}

#[tokio::test]
async fn a_cname_chain_that_ends_at_the_target_routes_the_domain() {
    let dns = TestDns::spawn().await;
    dns.publish(DnsRecord::cname(DOMAIN, "shops.merchant-cdn.net").unwrap());
    dns.publish(DnsRecord::cname("shops.merchant-cdn.net", TARGET).unwrap());

    assert_eq!(dns.check().await.routing, Ok(()));
}

#[tokio::test]
async fn a_cname_elsewhere_is_named_in_the_reason() {
    let dns = TestDns::spawn().await;
    dns.publish(txt(TOKEN));
    dns.publish(DnsRecord::cname(DOMAIN, "other.host").unwrap());

    let check = dns.check().await;

    assert_eq!(error_of(&check.routing), "shop.example.com points to other.host, not stores.zelly.app");
    assert!(check.verified() && !check.active());
}

#[tokio::test]
async fn an_apex_with_the_targets_addresses_is_routed() {
    let dns = TestDns::spawn().await;
    dns.publish(DnsRecord::a(TARGET, Ipv4Addr::new(192, 0, 2, 10)).unwrap());
    dns.publish(DnsRecord::a(TARGET, Ipv4Addr::new(192, 0, 2, 11)).unwrap());
    dns.publish(DnsRecord::a("example.com", Ipv4Addr::new(192, 0, 2, 10)).unwrap());
    dns.publish(DnsRecord::a("example.com", Ipv4Addr::new(192, 0, 2, 11)).unwrap());

    let check = dns.checker.check("example.com", TOKEN, TARGET).await;

    assert_eq!(check.routing, Ok(()));
}

#[tokio::test]
async fn an_apex_with_a_foreign_address_is_not_routed() {
    let dns = TestDns::spawn().await;
    dns.publish(DnsRecord::a(TARGET, Ipv4Addr::new(192, 0, 2, 10)).unwrap());
    dns.publish(DnsRecord::a("example.com", Ipv4Addr::new(192, 0, 2, 10)).unwrap());
    dns.publish(DnsRecord::a("example.com", Ipv4Addr::new(198, 51, 100, 7)).unwrap());

    let check = dns.checker.check("example.com", TOKEN, TARGET).await;

    assert_eq!(
        error_of(&check.routing),
        "example.com resolves to 192.0.2.10, 198.51.100.7, not to stores.zelly.app's addresses (192.0.2.10); add a CNAME to stores.zelly.app"
    );
}

#[tokio::test]
async fn a_domain_without_records_says_what_to_add() {
    let dns = TestDns::spawn().await;
    dns.publish(DnsRecord::a(TARGET, Ipv4Addr::new(192, 0, 2, 10)).unwrap());

    let check = dns.check().await;

    assert_eq!(error_of(&check.routing), "no CNAME or A record for shop.example.com; add a CNAME to stores.zelly.app");
}

#[tokio::test]
async fn an_invalid_domain_fails_both_halves_without_a_lookup() {
    let dns = TestDns::spawn().await;

    let check = dns.checker.check("shop..example.com", TOKEN, TARGET).await;

    assert!(error_of(&check.ownership).contains("not a valid domain name"), "{check:?}");
    assert_eq!(check.ownership, check.routing);
}

/// A free local port with nothing listening on it, UDP or TCP.
async fn dead_address() -> SocketAddr {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket.local_addr().unwrap()
}

#[tokio::test]
async fn a_nameserver_that_is_not_there_fails_fast_and_says_so() {
    let checker = DnsChecker::new(Some(dead_address().await)).unwrap();
    let started = Instant::now();

    let check = checker.check(DOMAIN, TOKEN, TARGET).await;

    assert!(started.elapsed() < Duration::from_secs(7), "took {:?}", started.elapsed());
    for reason in [error_of(&check.ownership), error_of(&check.routing)] {
        assert!(reason.starts_with("DNS lookup failed: "), "{reason}");
        assert!(!reason.contains("no TXT record") && !reason.contains("no CNAME"), "{reason}");
    }
}

#[tokio::test]
async fn a_nameserver_that_never_answers_is_a_timeout_not_a_missing_record() {
    // Bound, so queries are delivered; never read, so they are never answered.
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let checker = DnsChecker::new(Some(silent.local_addr().unwrap())).unwrap();
    let started = Instant::now();

    let check = checker.check(DOMAIN, TOKEN, TARGET).await;

    assert!(started.elapsed() < Duration::from_secs(9), "took {:?}", started.elapsed());
    assert!(error_of(&check.ownership).contains("timed out"), "{check:?}");
    assert!(error_of(&check.routing).contains("timed out"), "{check:?}");
}

#[tokio::test]
async fn servfail_is_reported_as_a_server_failure() {
    let server = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let checker = DnsChecker::new(Some(server.local_addr().unwrap())).unwrap();
    // A nameserver that fails every query, as a broken authoritative server makes a resolver do.
    tokio::spawn(async move {
        let mut buffer = [0u8; 1500];
        while let Ok((len, peer)) = server.recv_from(&mut buffer).await {
            let request = Message::from_vec(&buffer[..len]).unwrap();
            let mut reply = Message::error_msg(request.id(), request.op_code(), ResponseCode::ServFail);
            reply.set_message_type(MessageType::Response).add_queries(request.queries().to_vec());
            server.send_to(&reply.to_vec().unwrap(), peer).await.unwrap();
        }
    });

    let check = checker.check(DOMAIN, TOKEN, TARGET).await;

    assert!(error_of(&check.ownership).contains("SERVFAIL"), "{check:?}");
    assert!(error_of(&check.routing).contains("SERVFAIL"), "{check:?}");
}
