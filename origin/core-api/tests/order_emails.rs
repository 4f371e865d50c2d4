//! An order's emails on both backends: the shopper's confirmation and the owners' notice leave
//! with the order's event, once; and a mail server that is down when the order is placed delays
//! the confirmation until it is back, losing nothing.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use zelly_edge::catalog::ProductInput;
use zelly_edge::orders::{CheckoutInput, CheckoutLineInput, PaymentConfirmation, PaymentMethod, ShippingAddress, RESERVATION_MS};
use zelly_edge::{Currency, DomainName, TenantSlug};
use zelly_mail::Email;
use zelly_store::{DynStore, OpenStore};

zelly_store::on_both_backends!(
    an_order_emails_its_shopper_and_the_owners_once,
    a_mail_server_down_at_order_time_gets_the_email_once_back,
    a_shoppers_orders_are_found_by_their_session_at_their_store_only,
);

/// A confirmed (or not) customer of the store on `domain`, signed in with `session`.
async fn signed_in(store: &DynStore, domain: &str, email: &str, verified: bool, session: &str) -> uuid::Uuid {
    use zelly_store::customers::{NewCustomer, NewSession};
    let tenant = store.tenant_by_domain(&DomainName::parse(domain).unwrap()).await.unwrap().unwrap().id;
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".to_owned();
    let now = zelly_service::now_ms();
    let customer = store.create_customer(tenant, &NewCustomer { email: email.into(), name: String::new(), password_hash: hash, now_ms: now }).await.unwrap();
    if verified {
        store.verify_customer_email(tenant, customer.id, email, now).await.unwrap();
    }
    let id_hash = zelly_edge::signature::sha256_hex(session.as_bytes());
    let new = NewSession { id_hash, family_hash: None, customer: customer.id, now_ms: now, expires_at_ms: now + 3_600_000 };
    store.start_customer_session(tenant, &new, None).await.unwrap();
    customer.id
}

async fn a_shoppers_orders_are_found_by_their_session_at_their_store_only(store: DynStore) {
    let guest_order = place_order(&store).await;
    let (asha_session, ravi_session) = ("a".repeat(64), "b".repeat(64));
    let asha = signed_in(&store, "tea-house.zelly.test", "asha@example.in", true, &asha_session).await;
    // Ravi never confirmed his address, which a guest order used: it is not his.
    signed_in(&store, "tea-house.zelly.test", "ravi@example.in", false, &ravi_session).await;
    let token = "test-storefront-token-0123456789";
    let base = zelly_service::serve_in_background(core_api::app(core_api::testing::state(store.clone(), token, None).await)).await.unwrap();
    let http = reqwest::Client::new();

    // A checkout started with Asha's session is hers; with an ended or unknown one, a guest's.
    let variant = guest_order.lines[0].variant_id;
    let start = |session: Option<&str>, email: &str| {
        let body = json!({
            "lines": [{ "variant_id": variant, "quantity": 1 }],
            "email": email,
            "shipping": { "name": "Asha Rao", "line1": "12 MG Road", "city": "Bengaluru", "state": "Karnataka", "postal_code": "560001", "country": "IN", "phone": "9845012345" },
            "payment_method": "razorpay",
            "idempotency_key": uuid::Uuid::new_v4().simple().to_string(),
            "customer_session": session,
            "address_status": "verified",
        });
        http.post(format!("{base}/api/storefront/domains/tea-house.zelly.test/checkouts")).bearer_auth(token).json(&body).send()
    };
    let mine: serde_json::Value = start(Some(&asha_session), "asha.other@example.in").await.unwrap().json().await.unwrap();
    assert_eq!((mine["customer_id"].as_str(), mine["address_status"].as_str()), (Some(asha.to_string().as_str()), Some("verified")), "{mine}");
    let stranger: serde_json::Value = start(Some(&"c".repeat(64)), "someone@example.in").await.unwrap().json().await.unwrap();
    assert_eq!(stranger["customer_id"], serde_json::Value::Null);
    // A customer named in the body is refused, not read.
    let forged = json!({ "lines": [{ "variant_id": variant, "quantity": 1 }], "email": "x@example.in", "customer": asha });
    let refused = http.post(format!("{base}/api/storefront/domains/tea-house.zelly.test/checkouts")).bearer_auth(token).json(&forged).send().await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let tenant = store.tenant_by_domain(&DomainName::parse("tea-house.zelly.test").unwrap()).await.unwrap().unwrap().id;
    let id: uuid::Uuid = mine["id"].as_str().unwrap().parse().unwrap();
    let placed = store.finalize_checkout(tenant, id, &PaymentConfirmation { payment_id: Some("pay_2".into()), amount_minor: 99_900 }, NOW).await.unwrap().order;

    let orders = |domain: &str, session: &str| {
        http.post(format!("{base}/api/storefront/domains/{domain}/shopper-orders")).bearer_auth(token).json(&json!({ "customer_session": session })).send()
    };
    // Asha's: the one placed signed in (under another email) and the guest one with her confirmed address.
    let found: serde_json::Value = orders("tea-house.zelly.test", &asha_session).await.unwrap().json().await.unwrap();
    let numbers: Vec<i64> = found.as_array().unwrap().iter().map(|o| o["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [placed.number, guest_order.number]);
    let theirs: serde_json::Value = orders("tea-house.zelly.test", &ravi_session).await.unwrap().json().await.unwrap();
    assert_eq!(theirs, json!([]));
    assert_eq!(orders("tea-house.zelly.test", &"c".repeat(64)).await.unwrap().status(), reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(orders("elsewhere.zelly.test", &asha_session).await.unwrap().status(), reqwest::StatusCode::NOT_FOUND);
    let anonymous = http
        .post(format!("{base}/api/storefront/domains/tea-house.zelly.test/shopper-orders"))
        .json(&json!({ "customer_session": asha_session }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED, "storefront hosts only");
}

const NOW: i64 = 1_800_000_000_000;

/// Opens "Tea House" (owner ana@example.com) and places a paid order of two lamps for asha.
async fn place_order(store: &DynStore) -> zelly_edge::orders::Order {
    let tenant = store
        .open_store(&OpenStore {
            slug: TenantSlug::parse("tea-house").unwrap(),
            name: "Tea House".into(),
            currency: Currency::INR,
            domain: DomainName::parse("tea-house.zelly.test").unwrap(),
            owner_uid: Some("ana".into()),
            owner_email: Some("ana@example.com".into()),
        })
        .await
        .unwrap()
        .id;
    let input: ProductInput = serde_json::from_value(json!({
        "handle": "lamp", "title": "Brass Lamp", "status": "active",
        "variants": [{ "sku": "LAMP", "price_minor": 99_900, "inventory_quantity": 5 }],
    }))
    .unwrap();
    let lamp = store.create_seller_product(tenant, &input).await.unwrap();
    let checkout = CheckoutInput {
        lines: vec![CheckoutLineInput { variant_id: lamp.variants[0].id, quantity: 2 }],
        email: "asha@example.in".into(),
        shipping: ShippingAddress {
            name: "Asha Rao".into(),
            line1: "12 MG Road".into(),
            line2: None,
            city: "Bengaluru".into(),
            state: "Karnataka".into(),
            postal_code: "560001".into(),
            country: "IN".into(),
            phone: "+91 98450 12345".into(),
        },
        payment_method: PaymentMethod::Razorpay,
        session_id: None,
        idempotency_key: uuid::Uuid::new_v4().simple().to_string(),
        customer_session: None,
        address_status: zelly_edge::orders::AddressStatus::Unverified,
        customer: None,
    };
    let c = store.create_checkout(tenant, &checkout, NOW, RESERVATION_MS).await.unwrap();
    let paid = PaymentConfirmation { payment_id: Some("pay_1".into()), amount_minor: c.total.amount_minor };
    store.finalize_checkout(tenant, c.id, &paid, NOW).await.unwrap().order
}

async fn an_order_emails_its_shopper_and_the_owners_once(store: DynStore) {
    let order = place_order(&store).await;
    let state = core_api::testing::state(store, "test-storefront-token-0123456789", None).await;
    assert_eq!(core_api::outbox::publish_once(&state).await.unwrap(), 2, "checkout_started and order_placed");
    assert_eq!(core_api::outbox::publish_once(&state).await.unwrap(), 0, "published once");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let processor = move |job: zelly_queue::Job| {
        let tx = tx.clone();
        async move {
            tx.send(serde_json::from_value::<Email>(job.data).unwrap()).unwrap();
            Ok(())
        }
    };
    let worker = state.queues.start_worker(zelly_mail::EMAILS, Arc::new(processor), Default::default()).await.unwrap();
    let mut emails = Vec::new();
    for _ in 0..2 {
        emails.push(tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap());
    }
    assert!(tokio::time::timeout(Duration::from_millis(500), rx.recv()).await.is_err(), "two emails, no more");
    emails.sort_by(|a, b| a.to.cmp(&b.to));
    let (notice, confirmation) = (&emails[0], &emails[1]);
    assert_eq!(confirmation.to, "asha@example.in");
    assert_eq!(confirmation.subject, format!("Your order #{} at Tea House", order.number));
    assert!(confirmation.text.contains("2 × Brass Lamp / Default  ₹999.00 each"), "{}", confirmation.text);
    assert!(confirmation.text.contains("Total: ₹1,998.00\nPaid online."), "{}", confirmation.text);
    assert!(confirmation.text.contains("Asha Rao, 12 MG Road, Bengaluru, Karnataka, 560001"), "{}", confirmation.text);
    assert_eq!(notice.to, "ana@example.com");
    assert_eq!(notice.subject, format!("New order #{} at Tea House: ₹1,998.00", order.number));
    assert!(notice.text.contains(&format!("http://localhost:5173/#/orders/{}", order.id)), "{}", notice.text);
    assert_eq!(notice.reply_to.as_deref(), Some("asha@example.in"));
    worker.shutdown(Duration::from_secs(5)).await.unwrap();
}

/// An SMTP server that keeps what it is sent (each connection served on its own task: the mail
/// worker keeps connections open in its pool).
async fn smtp_sink(listener: tokio::net::TcpListener, got: tokio::sync::mpsc::UnboundedSender<String>) {
    while let Ok((socket, _)) = listener.accept().await {
        tokio::spawn(smtp_session(socket, got.clone()));
    }
}

async fn smtp_session(socket: tokio::net::TcpStream, got: tokio::sync::mpsc::UnboundedSender<String>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ready\r\n").await.unwrap();
    let mut data: Option<String> = None;
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(body) = data.as_mut() {
            if line == "." {
                got.send(std::mem::take(body)).unwrap();
                data = None;
                write.write_all(b"250 queued\r\n").await.unwrap();
            } else {
                body.push_str(&line);
                body.push('\n');
            }
            continue;
        }
        let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 sink\r\n",
            "DATA" => {
                data = Some(String::new());
                b"354 go on\r\n"
            }
            "QUIT" => b"221 bye\r\n",
            _ => b"250 ok\r\n",
        };
        write.write_all(reply).await.unwrap();
        if verb == "QUIT" {
            break;
        }
    }
}

async fn a_mail_server_down_at_order_time_gets_the_email_once_back(store: DynStore) {
    place_order(&store).await;
    let state = core_api::testing::state(store, "test-storefront-token-0123456789", None).await;
    // A port where, for now, nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let vars = move |k: &str| (k == "SMTP_URL").then(|| format!("smtp://127.0.0.1:{port}"));
    let config = zelly_mail::MailConfig::from_vars(&vars, "zelly.test").unwrap();
    let worker = zelly_mail::start_worker(&state.queues, zelly_mail::Mailer::new(&config).unwrap().unwrap()).await.unwrap();
    core_api::outbox::publish_once(&state).await.unwrap();
    // Both emails: tried, failed, waiting to be tried again.
    let mut waited = 0;
    loop {
        let counts = state.queues.counts(zelly_mail::EMAILS).await.unwrap();
        if counts.delayed >= 2 {
            break;
        }
        waited += 1;
        assert!(waited < 100, "the emails were not tried: {counts:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The mail server comes back: both emails arrive, once each.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let (tx, mut got) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(smtp_sink(listener, tx));
    let mut received = Vec::new();
    for _ in 0..2 {
        let next = tokio::time::timeout(Duration::from_secs(30), got.recv()).await;
        let counts = state.queues.counts(zelly_mail::EMAILS).await.unwrap();
        received.push(next.unwrap_or_else(|_| panic!("not delivered after the retry: {counts:?}")).unwrap());
    }
    assert!(received.iter().any(|m| m.contains("To: asha@example.in")), "{received:?}");
    assert!(received.iter().any(|m| m.contains("To: ana@example.com")), "{received:?}");
    assert!(tokio::time::timeout(Duration::from_secs(2), got.recv()).await.is_err(), "once each");
    let counts = state.queues.counts(zelly_mail::EMAILS).await.unwrap();
    assert_eq!((counts.completed, counts.failed), (2, 0));
    worker.shutdown(Duration::from_secs(5)).await.unwrap();
}
