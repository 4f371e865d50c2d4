//! The stand-in's HTTP control API and its DNS over TCP, on real sockets.
#![allow(clippy::unwrap_used, missing_docs)]

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{RData, RecordType};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zelly_dns::standin::{self, Config, DnsRecord, RunningStandin};
use zelly_dns::DnsChecker;

struct TestApp {
    standin: RunningStandin,
    http: reqwest::Client,
}

impl TestApp {
    async fn spawn(config: Config) -> TestApp {
        TestApp { standin: standin::spawn(config).await.unwrap(), http: reqwest::Client::new() }
    }

    async fn send(&self, method: reqwest::Method, body: &Value) -> (StatusCode, Value) {
        let response = self.http.request(method, format!("{}/records", self.standin.http_url())).json(body).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn put(&self, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, body).await
    }

    async fn delete(&self, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::DELETE, body).await
    }

    async fn list(&self) -> Value {
        self.http.get(format!("{}/records", self.standin.http_url())).send().await.unwrap().json().await.unwrap()
    }

    /// One query over TCP: the two-byte length, the message, and the same back.
    async fn ask_over_tcp(&self, name: &str, query_type: RecordType) -> Message {
        let mut stream = tokio::net::TcpStream::connect(self.standin.dns_addr).await.unwrap();
        let query = standin::encode_query(42, name, query_type).unwrap();
        stream.write_all(&u16::try_from(query.len()).unwrap().to_be_bytes()).await.unwrap();
        stream.write_all(&query).await.unwrap();
        let mut length = [0u8; 2];
        stream.read_exact(&mut length).await.unwrap();
        let mut reply = vec![0u8; usize::from(u16::from_be_bytes(length))];
        stream.read_exact(&mut reply).await.unwrap();
        Message::from_vec(&reply).unwrap()
    }
}

fn token_record() -> Value {
    json!({"name": "_zelly.Shop.Example.com.", "type": "TXT", "value": "zelly-verify-abc"})
}

#[tokio::test]
async fn the_health_check_answers() {
    let app = TestApp::spawn(Config::ephemeral()).await;

    let response = app.http.get(format!("{}/health", app.standin.http_url())).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "ok");
}

#[tokio::test]
async fn a_record_put_over_http_is_listed_served_and_deleted() {
    let app = TestApp::spawn(Config::ephemeral()).await;
    let checker = DnsChecker::new(Some(app.standin.dns_addr)).unwrap();

    let (status, body) = app.put(&token_record()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["added"], true);
    assert_eq!(
        app.list().await,
        json!([{"name": "_zelly.shop.example.com", "type": "TXT", "value": "zelly-verify-abc"}]),
        "the name is stored in lower case without the trailing dot"
    );
    assert!(checker.check("shop.example.com", "zelly-verify-abc", "stores.zelly.app").await.verified());

    let (status, body) = app.delete(&token_record()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["removed"], true);
    assert_eq!(app.list().await, json!([]));
    assert!(!checker.check("shop.example.com", "zelly-verify-abc", "stores.zelly.app").await.verified());
}

#[tokio::test]
async fn putting_the_same_record_twice_keeps_one() {
    let app = TestApp::spawn(Config::ephemeral()).await;

    app.put(&token_record()).await;
    let (status, body) = app.put(&token_record()).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["added"], false);
    assert_eq!(app.list().await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn deleting_a_record_that_is_not_there_is_a_404() {
    let app = TestApp::spawn(Config::ephemeral()).await;

    let (status, body) = app.delete(&token_record()).await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn a_bad_type_an_empty_name_or_a_bad_address_is_a_422_saying_why() {
    let app = TestApp::spawn(Config::ephemeral()).await;
    let cases = [
        (json!({"name": "example.com", "type": "MX", "value": "mail.example.com"}), "type must be one of A, AAAA, CNAME or TXT"),
        (json!({"name": "", "type": "TXT", "value": "token"}), "is not a valid DNS name: it is empty"),
        (json!({"name": "example.com", "type": "A", "value": "not-an-ip"}), "must be an IPv4 address"),
        (json!({"name": "example.com", "type": "TXT"}), "value"),
    ];

    for (body, reason) in cases {
        let (status, answer) = app.put(&body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{body}: {message}");
    }
    assert_eq!(app.list().await, json!([]), "nothing bad was kept");
}

#[tokio::test]
async fn dns_over_tcp_answers_like_udp() {
    let app = TestApp::spawn(Config::ephemeral()).await;
    app.standin.add(DnsRecord::txt("_zelly.shop.example.com", "zelly-verify-abc").unwrap());

    let found = app.ask_over_tcp("_zelly.shop.example.com.", RecordType::TXT).await;
    let missing = app.ask_over_tcp("nothing.example.com.", RecordType::TXT).await;

    assert_eq!(found.id(), 42);
    assert_eq!(found.response_code(), ResponseCode::NoError);
    let [answer] = found.answers() else { panic!("answers: {:?}", found.answers()) };
    let RData::TXT(txt) = answer.data() else { panic!("not TXT: {answer:?}") };
    assert_eq!(txt.txt_data().concat(), b"zelly-verify-abc");
    assert_eq!(missing.response_code(), ResponseCode::NXDomain);
}

#[tokio::test]
async fn a_long_answer_reaches_the_checker_over_tcp_after_udp_truncates_it() {
    let app = TestApp::spawn(Config::ephemeral()).await;
    let token = format!("zelly-verify-{}", "b".repeat(700));
    app.standin.add(DnsRecord::txt("_zelly.shop.example.com", &token).unwrap());
    let checker = DnsChecker::new(Some(app.standin.dns_addr)).unwrap();

    let check = checker.check("shop.example.com", &token, "stores.zelly.app").await;

    assert_eq!(check.ownership, Ok(()));
}

#[tokio::test]
async fn preloaded_records_are_served_from_the_start() {
    let records = standin::parse_records("TXT:_zelly.shop.example.com:zelly-verify-abc, CNAME:shop.example.com:stores.zelly.app").unwrap();
    let app = TestApp::spawn(Config { records, ..Config::ephemeral() }).await;
    let checker = DnsChecker::new(Some(app.standin.dns_addr)).unwrap();

    let check = checker.check("shop.example.com", "zelly-verify-abc", "stores.zelly.app").await;

    assert!(check.active(), "{check:?}");
    assert_eq!(app.list().await.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn after_shutdown_nothing_listens() {
    let app = TestApp::spawn(Config::ephemeral()).await;
    let (dns_addr, http_addr) = (app.standin.dns_addr, app.standin.http_addr);

    app.standin.shutdown().await;

    assert!(tokio::net::TcpStream::connect(dns_addr).await.is_err(), "DNS over TCP still listens");
    assert!(tokio::net::TcpStream::connect(http_addr).await.is_err(), "HTTP still listens");
}
