//! Shoppers' accounts on both backends: one store's customers are invisible to another, emailed
//! links work once, sessions end when idle, at their end, on rotation and on a password change.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;
use uuid::Uuid;
use zelly_edge::TenantSlug;
use zelly_edge::customers::{SESSION_IDLE_MS, SESSION_LIFETIME_MS};
use zelly_store::customers::{NewCode, NewCustomer, NewSession, NewToken, TokenPurpose};
use zelly_store::{DynStore, NewTenant, StoreError};

zelly_store::on_both_backends!(
    the_same_email_is_two_accounts_at_two_stores_and_neither_sees_the_other,
    an_emailed_link_works_once_for_its_purpose_until_it_expires,
    sessions_end_when_idle_at_their_end_on_rotation_and_with_the_password,
    wrong_passwords_lock_sign_in_and_a_good_one_or_a_reset_lifts_it,
    a_sign_in_code_works_once_at_its_store_and_sign_out_ends_the_whole_sign_in,
    a_store_lists_and_searches_its_own_customers_only,
    saved_addresses_keep_one_default_and_stay_with_their_account,
);

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

async fn tenant(store: &DynStore, slug: &str) -> Uuid {
    store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: slug.into() }).await.unwrap().id
}

async fn customer(store: &DynStore, tenant: Uuid, email: &str) -> Uuid {
    let new = NewCustomer { email: email.into(), name: "Asha".into(), password_hash: HASH.into(), now_ms: 1_000 };
    store.create_customer(tenant, &new).await.unwrap().id
}

fn hash(secret: &str) -> String {
    zelly_edge::signature::sha256_hex(secret.as_bytes())
}

fn session(secret: &str, customer: Uuid, now_ms: i64) -> NewSession {
    NewSession { id_hash: hash(secret), family_hash: None, customer, now_ms, expires_at_ms: now_ms + SESSION_LIFETIME_MS }
}

async fn the_same_email_is_two_accounts_at_two_stores_and_neither_sees_the_other(store: DynStore) {
    let (a, b) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    let at_a = customer(&store, a, "asha@example.com").await;
    let at_b = customer(&store, b, "asha@example.com").await;
    assert_ne!(at_a, at_b);
    let again = NewCustomer { email: "asha@example.com".into(), name: String::new(), password_hash: HASH.into(), now_ms: 2_000 };
    assert!(matches!(store.create_customer(a, &again).await, Err(StoreError::Conflict(_))));
    // Each store finds its own account only.
    assert_eq!(store.customer_credentials(a, "asha@example.com").await.unwrap().unwrap().customer.id, at_a);
    assert!(store.customer(a, at_b).await.unwrap().is_none());
    assert!(store.customer(b, at_a).await.unwrap().is_none());
    // A session of one store's customer is nothing at the other.
    store.start_customer_session(a, &session("s-a", at_a, 1_000), None).await.unwrap();
    assert!(store.customer_session(b, &hash("s-a"), 2_000, SESSION_IDLE_MS).await.unwrap().is_none());
    assert_eq!(store.customer_session(a, &hash("s-a"), 2_000, SESSION_IDLE_MS).await.unwrap().unwrap().id, at_a);
    // Nor does a password change at one store touch the other's account.
    assert!(matches!(store.set_customer_password(b, at_a, HASH, None, 3_000).await, Err(StoreError::NotFound)));
    assert!(matches!(store.update_customer_name(b, at_a, "Mallory", 3_000).await, Err(StoreError::NotFound)));
}

async fn an_emailed_link_works_once_for_its_purpose_until_it_expires(store: DynStore) {
    let shop = tenant(&store, "acme").await;
    let other = tenant(&store, "bolt").await;
    let id = customer(&store, shop, "asha@example.com").await;
    let token = |secret: &str, purpose, expires_at_ms| NewToken {
        token_hash: hash(secret),
        customer: id,
        purpose,
        email: "asha@example.com".into(),
        now_ms: 1_000,
        expires_at_ms,
    };
    store.create_customer_token(shop, &token("verify", TokenPurpose::VerifyEmail, 10_000)).await.unwrap();
    // Wrong purpose, wrong store, too late: nothing.
    assert!(store.use_customer_token(shop, &hash("verify"), TokenPurpose::ResetPassword, 2_000).await.unwrap().is_none());
    assert!(store.use_customer_token(other, &hash("verify"), TokenPurpose::VerifyEmail, 2_000).await.unwrap().is_none());
    assert!(store.use_customer_token(shop, &hash("verify"), TokenPurpose::VerifyEmail, 10_000).await.unwrap().is_none());
    // In time: once.
    let used = store.use_customer_token(shop, &hash("verify"), TokenPurpose::VerifyEmail, 9_999).await.unwrap();
    assert_eq!(used, Some((id, "asha@example.com".to_owned())));
    assert!(store.use_customer_token(shop, &hash("verify"), TokenPurpose::VerifyEmail, 9_999).await.unwrap().is_none());
    let verified = store.verify_customer_email(shop, id, "asha@example.com", 9_999).await.unwrap();
    assert!(verified.email_verified);
    // Using the newest reset link spends the older ones.
    store.create_customer_token(shop, &token("reset-1", TokenPurpose::ResetPassword, 10_000)).await.unwrap();
    store.create_customer_token(shop, &token("reset-2", TokenPurpose::ResetPassword, 10_000)).await.unwrap();
    assert!(store.use_customer_token(shop, &hash("reset-2"), TokenPurpose::ResetPassword, 2_000).await.unwrap().is_some());
    assert!(store.use_customer_token(shop, &hash("reset-1"), TokenPurpose::ResetPassword, 2_000).await.unwrap().is_none());
    // Concurrent uses of one link: exactly one wins.
    store.create_customer_token(shop, &token("race", TokenPurpose::ResetPassword, 10_000)).await.unwrap();
    let tries = (0..6).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.use_customer_token(shop, &hash("race"), TokenPurpose::ResetPassword, 3_000).await.unwrap() })
    });
    let wins = futures_count(tries).await;
    assert_eq!(wins, 1);
}

async fn futures_count(tasks: impl Iterator<Item = tokio::task::JoinHandle<Option<(Uuid, String)>>>) -> usize {
    let mut wins = 0;
    for task in tasks {
        wins += usize::from(task.await.unwrap().is_some());
    }
    wins
}

async fn sessions_end_when_idle_at_their_end_on_rotation_and_with_the_password(store: DynStore) {
    let shop = tenant(&store, "acme").await;
    let id = customer(&store, shop, "asha@example.com").await;
    let live = |secret: &'static str, now: i64| {
        let store = Arc::clone(&store);
        async move { store.customer_session(shop, &hash(secret), now, SESSION_IDLE_MS).await.unwrap().is_some() }
    };
    // Idle: used within the idle window it lives on; left longer, it is gone for good.
    store.start_customer_session(shop, &session("idle", id, 0), None).await.unwrap();
    assert!(live("idle", SESSION_IDLE_MS - 1).await);
    assert!(live("idle", 2 * SESSION_IDLE_MS - 2).await, "use moves the idle window");
    assert!(!live("idle", 3 * SESSION_IDLE_MS).await);
    assert!(!live("idle", 2 * SESSION_IDLE_MS - 1).await, "an idle session does not come back");
    // Absolute end: however busy, it ends at expires_at_ms.
    store.start_customer_session(shop, &session("busy", id, 0), None).await.unwrap();
    let mut now = 0;
    while now + SESSION_IDLE_MS / 2 < SESSION_LIFETIME_MS {
        now += SESSION_IDLE_MS / 2;
        assert!(live("busy", now).await);
    }
    assert!(!live("busy", SESSION_LIFETIME_MS).await);
    // Rotation: the browser's previous session ends when the new one starts.
    store.start_customer_session(shop, &session("before", id, 0), None).await.unwrap();
    store.start_customer_session(shop, &session("after", id, 0), Some(&hash("before"))).await.unwrap();
    assert!(!live("before", 1).await);
    assert!(live("after", 1).await);
    // A password change ends every session but the one that made it.
    store.start_customer_session(shop, &session("phone", id, 0), None).await.unwrap();
    store.set_customer_password(shop, id, HASH, Some(&hash("after")), 2).await.unwrap();
    assert!(live("after", 3).await);
    assert!(!live("phone", 3).await);
    // Sign-out ends it.
    store.end_customer_session(shop, &hash("after")).await.unwrap();
    assert!(!live("after", 4).await);
}

async fn wrong_passwords_lock_sign_in_and_a_good_one_or_a_reset_lifts_it(store: DynStore) {
    let shop = tenant(&store, "acme").await;
    let id = customer(&store, shop, "asha@example.com").await;
    for n in 1..=4 {
        assert_eq!(store.record_failed_sign_in(shop, id, 5, 99_000).await.unwrap(), n);
    }
    assert_eq!(store.customer_credentials(shop, "asha@example.com").await.unwrap().unwrap().locked_until_ms, None);
    assert_eq!(store.record_failed_sign_in(shop, id, 5, 99_000).await.unwrap(), 5);
    let locked = store.customer_credentials(shop, "asha@example.com").await.unwrap().unwrap();
    assert_eq!((locked.failed_sign_ins, locked.locked_until_ms), (5, Some(99_000)));
    // The owner's way back: a reset sets a new password and lifts the lock.
    store.set_customer_password(shop, id, HASH, None, 5_000).await.unwrap();
    let lifted = store.customer_credentials(shop, "asha@example.com").await.unwrap().unwrap();
    assert_eq!((lifted.failed_sign_ins, lifted.locked_until_ms), (0, None));
    // A good sign-in clears the count too.
    store.record_failed_sign_in(shop, id, 5, 99_000).await.unwrap();
    store.start_customer_session(shop, &session("good", id, 6_000), None).await.unwrap();
    assert_eq!(store.customer_credentials(shop, "asha@example.com").await.unwrap().unwrap().failed_sign_ins, 0);
}

async fn a_sign_in_code_works_once_at_its_store_and_sign_out_ends_the_whole_sign_in(store: DynStore) {
    let (shop, other) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    let id = customer(&store, shop, "asha@example.com").await;
    store.start_customer_session(shop, &session("root", id, 1_000), None).await.unwrap();
    store.start_customer_session(shop, &session("other-device", id, 1_000), None).await.unwrap();
    let code = NewCode {
        code_hash: hash("code"),
        customer: id,
        family_hash: hash("root"),
        redirect_uri: "https://www.acme.test/account/callback".into(),
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
        now_ms: 1_000,
        expires_at_ms: 61_000,
    };
    store.create_customer_code(shop, &code).await.unwrap();
    assert!(store.use_customer_code(other, &hash("code"), 2_000).await.unwrap().is_none(), "another store");
    assert!(store.use_customer_code(shop, &hash("code"), 61_000).await.unwrap().is_none(), "expired");
    let grant = store.use_customer_code(shop, &hash("code"), 2_000).await.unwrap().unwrap();
    assert_eq!((grant.customer, grant.family_hash.as_str(), grant.redirect_uri.as_str()), (id, hash("root").as_str(), code.redirect_uri.as_str()));
    assert!(store.use_customer_code(shop, &hash("code"), 2_000).await.unwrap().is_none(), "replayed");
    // The store domain's own session joins the sign-in's family.
    let joined = NewSession { family_hash: Some(grant.family_hash), ..session("www", id, 2_000) };
    store.start_customer_session(shop, &joined, None).await.unwrap();
    let live = |secret: &'static str| {
        let store = Arc::clone(&store);
        async move { store.customer_session(shop, &hash(secret), 3_000, SESSION_IDLE_MS).await.unwrap().is_some() }
    };
    assert!(live("www").await && live("root").await);
    // Signing out on the store's domain ends the sign-in everywhere, and only it.
    store.end_customer_session(shop, &hash("www")).await.unwrap();
    assert!(!live("www").await);
    assert!(!live("root").await);
    assert!(live("other-device").await);
}

async fn a_store_lists_and_searches_its_own_customers_only(store: DynStore) {
    let (shop, other) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    for (n, (email, name)) in [("asha@example.com", "Asha Rao"), ("ravi@example.com", "Ravi"), ("100%_real@example.com", "")].iter().enumerate() {
        let new = NewCustomer { email: (*email).into(), name: (*name).into(), password_hash: HASH.into(), now_ms: 1_000 + n as i64 };
        store.create_customer(shop, &new).await.unwrap();
    }
    customer(&store, other, "mallory@example.com").await;
    let emails = |list: Vec<zelly_edge::customers::Customer>| list.into_iter().map(|c| c.email).collect::<Vec<_>>();
    assert_eq!(emails(store.list_customers(shop, None, 50).await.unwrap()), ["100%_real@example.com", "ravi@example.com", "asha@example.com"], "newest first");
    assert_eq!(emails(store.list_customers(shop, Some("RAO"), 50).await.unwrap()), ["asha@example.com"], "by name, any case");
    assert_eq!(emails(store.list_customers(shop, Some("ravi@"), 50).await.unwrap()), ["ravi@example.com"], "by email");
    assert_eq!(emails(store.list_customers(shop, Some("%_"), 50).await.unwrap()), ["100%_real@example.com"], "wildcards are literal");
    assert_eq!(store.list_customers(shop, None, 2).await.unwrap().len(), 2);
    assert!(store.list_customers(shop, Some("mallory"), 50).await.unwrap().is_empty(), "another store's");
}

fn address(city: &str) -> zelly_edge::orders::ShippingAddress {
    zelly_edge::orders::ShippingAddress {
        name: "Asha Rao".into(),
        line1: "12 MG Road".into(),
        line2: None,
        city: city.into(),
        state: "Karnataka".into(),
        postal_code: "560001".into(),
        country: "IN".into(),
        phone: "+91 98450 12345".into(),
    }
}

async fn saved_addresses_keep_one_default_and_stay_with_their_account(store: DynStore) {
    use zelly_edge::orders::AddressStatus;
    use zelly_store::AddressToSave;
    let (a, b) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    let asha = customer(&store, a, "asha@example.com").await;
    let ravi = customer(&store, a, "ravi@example.com").await;
    let (home, office) = (address("Bengaluru"), address("Mysuru"));
    let save = |address, is_default, now_ms| AddressToSave { address, is_default, status: AddressStatus::Verified, now_ms };
    // The first address is the default even when not asked; a later one only when asked.
    let first = store.save_customer_address(a, asha, None, &save(&home, false, 1)).await.unwrap();
    assert!(first.is_default);
    let second = store.save_customer_address(a, asha, None, &save(&office, false, 2)).await.unwrap();
    assert!(!second.is_default);
    let listed = store.customer_addresses(a, asha).await.unwrap();
    assert_eq!(listed.iter().map(|s| (s.id, s.is_default)).collect::<Vec<_>>(), [(first.id, true), (second.id, false)]);
    store.set_default_customer_address(a, asha, second.id).await.unwrap();
    let listed = store.customer_addresses(a, asha).await.unwrap();
    assert_eq!(listed.iter().filter(|s| s.is_default).map(|s| s.id).collect::<Vec<_>>(), [second.id]);
    // An edit keeps the default and records the new check.
    let hubballi = address("Hubballi");
    let edited = AddressToSave { status: AddressStatus::Mismatch, ..save(&hubballi, false, 3) };
    let edited = store.save_customer_address(a, asha, Some(second.id), &edited).await.unwrap();
    assert_eq!((edited.is_default, edited.status, edited.address.city.as_str()), (true, AddressStatus::Mismatch, "Hubballi"));
    // Another customer, or another store, can neither see, change, make default nor delete them.
    assert!(store.customer_addresses(a, ravi).await.unwrap().is_empty());
    assert!(store.customer_addresses(b, asha).await.unwrap().is_empty());
    assert!(matches!(store.save_customer_address(a, ravi, Some(first.id), &save(&office, true, 4)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.save_customer_address(b, asha, Some(first.id), &save(&office, true, 4)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.set_default_customer_address(a, ravi, first.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.delete_customer_address(b, asha, first.id, 4).await, Err(StoreError::NotFound)));
    // A refused change leaves the default where it was.
    assert_eq!(store.customer_addresses(a, asha).await.unwrap().iter().filter(|s| s.is_default).count(), 1);
    // Deleting the default hands it to the newest remaining address.
    store.delete_customer_address(a, asha, second.id, 5).await.unwrap();
    let listed = store.customer_addresses(a, asha).await.unwrap();
    assert_eq!(listed.iter().map(|s| (s.id, s.is_default)).collect::<Vec<_>>(), [(first.id, true)]);
    // An account keeps at most MAX_SAVED_ADDRESSES.
    for i in 1..zelly_store::customers::MAX_SAVED_ADDRESSES {
        store.save_customer_address(a, asha, None, &save(&home, false, 10 + i as i64)).await.unwrap();
    }
    assert!(matches!(store.save_customer_address(a, asha, None, &save(&home, false, 100)).await, Err(StoreError::Refused(_))));
}
