//! The staff side on both backends: accounts, one-time TOTP steps, sessions that rotate and
//! revoke, an audit log nobody can rewrite, and the platform-wide reads.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::json;
use sqlx::Connection;
use uuid::Uuid;
use zelly_edge::admin::StaffRole;
use zelly_edge::catalog::ProductInput;
use zelly_edge::dto::TenantStatus;
use zelly_edge::orders::{PaymentConfirmation, PaymentMethod, RESERVATION_MS};
use zelly_edge::TenantSlug;
use zelly_store::{AuditQuery, DynStore, NewAudit, NewStaff, NewTenant, OrderSearch, StoreError, TenantSearch};

zelly_store::on_both_backends!(
    staff_accounts_are_unique_by_email_in_any_case,
    a_totp_step_is_spent_once,
    a_refresh_token_rotates_and_a_revoked_session_is_dead,
    the_audit_log_filters_and_pages_newest_first,
    suspending_writes_its_audit_row_with_the_status_change,
    stores_are_listed_with_their_figures_and_found_by_text_and_status,
    orders_are_found_across_stores_by_number_email_phone_and_payment,
);

const NOW: i64 = 1_800_000_000_000;
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

async fn staff(store: &DynStore, email: &str, role: StaffRole) -> zelly_store::StaffAccount {
    let new = NewStaff { email: email.into(), name: "Meera".into(), role, password_hash: HASH.into() };
    store.create_staff(&new, NOW).await.unwrap()
}

fn audit(action: &str, tenant: Option<Uuid>, email: &str) -> NewAudit {
    NewAudit {
        staff_id: None,
        staff_email: email.into(),
        action: action.into(),
        tenant_id: tenant,
        target: "t".into(),
        before: json!({"status": "active"}),
        after: json!({"status": "suspended"}),
        at_ms: NOW,
    }
}

async fn tenant(store: &DynStore, slug: &str, name: &str) -> Uuid {
    store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: name.into() }).await.unwrap().id
}

async fn staff_accounts_are_unique_by_email_in_any_case(store: DynStore) {
    let meera = staff(&store, "Meera@Zelly.test", StaffRole::Admin).await;
    assert_eq!(meera.email, "meera@zelly.test");
    assert_eq!(meera.role, StaffRole::Admin);
    assert!(meera.totp_secret.is_none());
    let again = NewStaff { email: "MEERA@zelly.test".into(), name: "x".into(), role: StaffRole::Support, password_hash: HASH.into() };
    assert!(matches!(store.create_staff(&again, NOW).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.staff_by_email(" meera@ZELLY.test ").await.unwrap().unwrap().id, meera.id);
    assert_eq!(store.staff_by_id(meera.id).await.unwrap().unwrap().email, meera.email);
    assert!(store.staff_by_email("nobody@zelly.test").await.unwrap().is_none());
    let bad = NewStaff { email: "a@b.c".into(), name: "x".into(), role: StaffRole::Support, password_hash: "plain".into() };
    assert!(store.create_staff(&bad, NOW).await.is_err(), "only argon2id hashes are stored");
    assert_eq!(store.list_staff().await.unwrap().len(), 1);
}

async fn a_totp_step_is_spent_once(store: DynStore) {
    let meera = staff(&store, "meera@zelly.test", StaffRole::Admin).await;
    store.set_totp_pending(meera.id, "JBSWY3DPEHPK3PXP").await.unwrap();
    assert!(!store.confirm_totp(meera.id, "OTHERSECRET", 100).await.unwrap(), "only the pending secret");
    assert!(store.confirm_totp(meera.id, "JBSWY3DPEHPK3PXP", 100).await.unwrap());
    let after = store.staff_by_id(meera.id).await.unwrap().unwrap();
    assert_eq!(after.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert_eq!(after.totp_pending, None);
    assert!(!store.use_totp_step(meera.id, 100).await.unwrap(), "the enrolment's code is spent");
    assert!(store.use_totp_step(meera.id, 101).await.unwrap());
    assert!(!store.use_totp_step(meera.id, 101).await.unwrap(), "a replay");
    assert!(!store.use_totp_step(meera.id, 99).await.unwrap(), "an older code");
    // Ten concurrent uses of one step: one wins.
    let wins = futures::future::join_all((0..10).map(|_| store.use_totp_step(meera.id, 102))).await;
    assert_eq!(wins.into_iter().filter(|w| *w.as_ref().unwrap()).count(), 1);
}

async fn a_refresh_token_rotates_and_a_revoked_session_is_dead(store: DynStore) {
    let meera = staff(&store, "meera@zelly.test", StaffRole::Support).await;
    let sid = Uuid::new_v4();
    let (a, b, c) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
    store.start_staff_session(sid, meera.id, &a, NOW, NOW + 1_000).await.unwrap();
    assert!(store.staff_session_live(sid, NOW).await.unwrap());
    assert!(!store.staff_session_live(sid, NOW + 1_000).await.unwrap(), "expired");
    assert_eq!(store.refresh_staff_session(&a, &b, NOW, NOW + 2_000).await.unwrap(), Some((sid, meera.id)));
    assert_eq!(store.refresh_staff_session(&a, &c, NOW, NOW + 2_000).await.unwrap(), None, "the old token is spent");
    assert!(store.staff_session_live(sid, NOW + 1_500).await.unwrap(), "the refresh extended it");
    store.revoke_staff_session(sid, NOW).await.unwrap();
    assert!(!store.staff_session_live(sid, NOW).await.unwrap());
    assert_eq!(store.refresh_staff_session(&b, &c, NOW, NOW + 2_000).await.unwrap(), None, "revoked");
}

async fn the_audit_log_filters_and_pages_newest_first(store: DynStore) {
    let (t1, t2) = (tenant(&store, "bolt", "Bolt").await, tenant(&store, "kite", "Kite").await);
    let first = store.record_audit(&audit("tenant.suspend", Some(t1), "meera@zelly.test")).await.unwrap();
    store.record_audit(&audit("tenant.reopen", Some(t1), "ravi@zelly.test")).await.unwrap();
    store.record_audit(&audit("queue.retry", None, "meera@zelly.test")).await.unwrap();
    store.record_audit(&audit("tenant_x", Some(t2), "meera@zelly.test")).await.unwrap();
    let all = store.audit_log(&AuditQuery { limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(all.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["tenant_x", "queue.retry", "tenant.reopen", "tenant.suspend"]);
    assert_eq!(all[3].id, first);
    assert_eq!(all[3].before, json!({"status": "active"}));
    let of_bolt = store.audit_log(&AuditQuery { tenant: Some(t1), limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(of_bolt.len(), 2);
    let tenant_actions = store.audit_log(&AuditQuery { action: Some("tenant.".into()), limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(tenant_actions.len(), 2, "`.` and `_` are literal");
    let by_ravi = store.audit_log(&AuditQuery { staff_email: Some("RAVI@zelly.test".into()), limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(by_ravi.len(), 1);
    let page = store.audit_log(&AuditQuery { before_id: Some(all[1].id), limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!(page[0].id, all[2].id);
}

async fn suspending_writes_its_audit_row_with_the_status_change(store: DynStore) {
    let bolt = tenant(&store, "bolt", "Bolt").await;
    let before = store.tenant_by_slug(&TenantSlug::parse("bolt").unwrap()).await.unwrap().unwrap();
    let old = store.set_tenant_status_audited(bolt, TenantStatus::Suspended, &audit("tenant.suspend", Some(bolt), "m@z.test")).await.unwrap();
    assert_eq!(old, TenantStatus::Active);
    let after = store.tenant_by_slug(&TenantSlug::parse("bolt").unwrap()).await.unwrap().unwrap();
    assert_eq!(after.status, TenantStatus::Suspended);
    assert!(after.catalog_version > before.catalog_version, "cached pages go stale");
    assert_eq!(store.audit_log(&AuditQuery { tenant: Some(bolt), limit: 5, ..Default::default() }).await.unwrap().len(), 1);
    let missing = store.set_tenant_status_audited(Uuid::new_v4(), TenantStatus::Active, &audit("tenant.reopen", None, "m@z.test")).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
    assert_eq!(store.audit_log(&AuditQuery { limit: 5, ..Default::default() }).await.unwrap().len(), 1, "nothing logged for nothing done");
}

/// A product with one variant of `stock` units at ₹500.
async fn mug(store: &DynStore, tenant: Uuid) -> Uuid {
    let input: ProductInput = serde_json::from_value(json!({
        "handle": "mug", "title": "Mug", "status": "active",
        "variants": [{ "sku": "MUG", "price_minor": 50_000, "inventory_quantity": 10 }],
    }))
    .unwrap();
    store.create_seller_product(tenant, &input).await.unwrap().variants[0].id
}

async fn paid_order(store: &DynStore, tenant: Uuid, variant: Uuid, email: &str, payment_id: &str) -> zelly_edge::orders::Order {
    let mut input = zelly_store::testing::checkout_input(&[(variant, 1)], PaymentMethod::Razorpay);
    input.email = email.into();
    let c = store.create_checkout(tenant, &input, NOW, RESERVATION_MS).await.unwrap();
    let paid = PaymentConfirmation { payment_id: Some(payment_id.into()), amount_minor: c.total.amount_minor };
    store.finalize_checkout(tenant, c.id, &paid, NOW).await.unwrap().order
}

async fn stores_are_listed_with_their_figures_and_found_by_text_and_status(store: DynStore) {
    let bolt = tenant(&store, "bolt", "Bolt Cycles").await;
    let kite = tenant(&store, "kite", "Kite 100% Cotton").await;
    let mug = mug(&store, bolt).await;
    paid_order(&store, bolt, mug, "a@example.in", "pay_1").await;
    paid_order(&store, bolt, mug, "b@example.in", "pay_2").await;
    store.set_tenant_status(kite, TenantStatus::Suspended).await.unwrap();

    let all = store.platform_tenants(&TenantSearch { limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(all.total, 2);
    let b = &all.items[0];
    assert_eq!(b.tenant.slug.as_str(), "bolt");
    assert_eq!((b.product_count, b.order_count, b.gmv_minor), (1, 2, 100_000));
    assert!(b.last_activity_ms.is_some());
    let k = &all.items[1];
    assert_eq!((k.order_count, k.gmv_minor, k.last_activity_ms), (0, 0, None));

    let by_text = store.platform_tenants(&TenantSearch { text: Some("CYCLES".into()), limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(by_text.items.iter().map(|t| t.tenant.slug.as_str()).collect::<Vec<_>>(), ["bolt"]);
    let percent = store.platform_tenants(&TenantSearch { text: Some("100%".into()), limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(percent.total, 1);
    let suspended = store.platform_tenants(&TenantSearch { status: Some(TenantStatus::Suspended), limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(suspended.items.iter().map(|t| t.tenant.slug.as_str()).collect::<Vec<_>>(), ["kite"]);
    let second = store.platform_tenants(&TenantSearch { limit: 1, offset: 1, ..Default::default() }).await.unwrap();
    assert_eq!((second.total, second.items.len(), second.items[0].tenant.slug.as_str()), (2, 1, "kite"));
}

async fn orders_are_found_across_stores_by_number_email_phone_and_payment(store: DynStore) {
    let bolt = tenant(&store, "bolt", "Bolt").await;
    let kite = tenant(&store, "kite", "Kite").await;
    let (bm, km) = (mug(&store, bolt).await, mug(&store, kite).await);
    let o1 = paid_order(&store, bolt, bm, "Asha@Example.in", "pay_A").await;
    let o2 = paid_order(&store, kite, km, "asha@example.in", "pay_B").await;
    paid_order(&store, kite, km, "ravi@example.in", "pay_C").await;

    let find = |s: OrderSearch| {
        let store = store.clone();
        async move { store.find_orders(&OrderSearch { limit: 50, ..s }).await.unwrap() }
    };
    let by_email = find(OrderSearch { email: Some(" ASHA@example.in".into()), ..Default::default() }).await;
    assert_eq!(by_email.len(), 2, "both stores");
    let by_number = find(OrderSearch { tenant: Some(bolt), number: Some(o1.number), ..Default::default() }).await;
    assert_eq!(by_number.iter().map(|h| h.id).collect::<Vec<_>>(), [o1.id]);
    assert_eq!(by_number[0].tenant_slug, "bolt");
    assert_eq!(by_number[0].phone.as_deref(), Some("+91 98450 12345"));
    let by_payment = find(OrderSearch { payment_id: Some("pay_B".into()), ..Default::default() }).await;
    assert_eq!(by_payment.iter().map(|h| h.id).collect::<Vec<_>>(), [o2.id]);
    let by_phone = find(OrderSearch { phone_digits: Some("98450-12345".into()), ..Default::default() }).await;
    assert_eq!(by_phone.len(), 3);
    let none = find(OrderSearch { email: Some("asha@example.in".into()), payment_id: Some("pay_C".into()), ..Default::default() }).await;
    assert!(none.is_empty(), "every condition holds");
}

/// The audit log is append-only for the role the services connect as, on both backends.
#[tokio::test]
async fn the_service_role_cannot_change_or_remove_audit_rows() {
    use zelly_store::BackofficeStore;
    let path = zelly_store::testing::fresh_sqlite_path();
    let store = zelly_store::sqlite::SqliteStore::open(&path).await.unwrap();
    store.record_audit(&audit("tenant.suspend", None, "m@z.test")).await.unwrap();
    let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    for sql in ["UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"] {
        let err = sqlx::query(sql).execute(&raw).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let Some(urls) = zelly_store::testing::fresh_postgres().await else { return };
    let store = zelly_store::postgres::PgStore::connect_as_app(&urls.app, &urls.owner).await.unwrap();
    store.record_audit(&audit("tenant.suspend", None, "m@z.test")).await.unwrap();
    let app = sqlx::PgPool::connect(&urls.app).await.unwrap();
    for sql in ["UPDATE backoffice.audit_log SET action = 'nothing'", "DELETE FROM backoffice.audit_log", "TRUNCATE backoffice.audit_log"] {
        let err = sqlx::query(sql).execute(&app).await.unwrap_err();
        assert!(err.to_string().contains("permission denied"), "{sql}: {err}");
    }
    // Even the owner's changes stop at the trigger, in the platform scope where the rows show.
    let mut owner = sqlx::PgConnection::connect(&urls.owner).await.unwrap();
    sqlx::query("SELECT set_config('zelly.platform', 'on', false)").execute(&mut owner).await.unwrap();
    let err = sqlx::query("DELETE FROM backoffice.audit_log").execute(&mut owner).await.unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM backoffice.audit_log").fetch_one(&mut owner).await.unwrap();
    assert_eq!(rows, 1);
    // Outside the platform scope (a store's transaction) the log shows nothing.
    let mut app_conn = sqlx::PgConnection::connect(&urls.app).await.unwrap();
    let (seen,): (i64,) = sqlx::query_as("SELECT count(*) FROM backoffice.audit_log").fetch_one(&mut app_conn).await.unwrap();
    assert_eq!(seen, 0, "fenced to the platform scope");
}
