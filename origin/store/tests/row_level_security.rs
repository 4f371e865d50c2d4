//! PostgreSQL's second fence: with row-level security forced on every tenant-owned table, a query
//! that forgets the tenant sees and changes nothing, and one tenant's setting never reaches another's rows.
#![allow(clippy::unwrap_used, missing_docs)]

use sqlx::{Connection, PgConnection};
use std::sync::Arc;
use zelly_edge::{Currency, Handle, Money, TenantSlug};
use zelly_store::{DynStore, NewProduct, NewTenant, NewVariant};

async fn product(store: &DynStore, tenant: uuid::Uuid, handle: &str) {
    store
        .create_product(
            tenant,
            &NewProduct {
                handle: Handle::parse(handle).unwrap(),
                title: handle.into(),
                description: String::new(),
                image_url: None,
                variants: vec![NewVariant { sku: handle.to_uppercase(), title: "One".into(), price: Money::new(100, Currency::INR) }],
            },
        )
        .await
        .unwrap();
}

async fn count(conn: &mut PgConnection, table: &str) -> i64 {
    let sql = format!("SELECT count(*) FROM astro_primary.{table}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(conn).await.unwrap()
}

#[tokio::test]
async fn a_query_that_forgets_the_tenant_sees_and_changes_nothing() {
    let Some(urls) = zelly_store::testing::fresh_postgres().await else { return };
    let store: DynStore = Arc::new(zelly_store::postgres::PgStore::connect_as_app(&urls.app, &urls.owner).await.unwrap());
    let slug = |s: &str| TenantSlug::parse(s).unwrap();
    let a = store.create_tenant(&NewTenant { slug: slug("acme"), name: "Acme".into() }).await.unwrap().id;
    let b = store.create_tenant(&NewTenant { slug: slug("bolt"), name: "Bolt".into() }).await.unwrap().id;
    product(&store, a, "tee").await;
    product(&store, a, "cap").await;
    product(&store, b, "mug").await;

    // The role the services use: no superuser, and not the owner of any table.
    let mut conn = PgConnection::connect(&urls.app).await.unwrap();
    let is_super: bool = sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetch_one(&mut conn).await.unwrap();
    assert!(!is_super, "the test must not run as a superuser, which bypasses row-level security");
    let owns: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'astro_primary' AND tableowner = current_user")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(owns, 0, "the application role must not own tables");
    // Nor can it switch the fence off.
    let disable = sqlx::query("ALTER TABLE astro_primary.products DISABLE ROW LEVEL SECURITY").execute(&mut conn).await;
    assert!(disable.is_err(), "the application role could disable row-level security");

    for table in ["products", "variants"] {
        assert_eq!(count(&mut conn, table).await, 0, "{table} visible without a tenant");
    }
    let changed = sqlx::query("UPDATE astro_primary.products SET title = 'pwned'").execute(&mut conn).await.unwrap();
    assert_eq!(changed.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM astro_primary.variants").execute(&mut conn).await.unwrap();
    assert_eq!(deleted.rows_affected(), 0);

    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('zelly.tenant_id', $1, true)").bind(a.to_string()).execute(&mut *tx).await.unwrap();
    assert_eq!(count(&mut tx, "products").await, 2, "acme sees its own two products");
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM astro_primary.products ORDER BY title").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(titles, ["cap", "tee"]);
    // Writing a row for another tenant while acting as acme is refused.
    let smuggle = sqlx::query(
        "INSERT INTO astro_primary.collections (id, tenant_id, handle, title) VALUES (gen_random_uuid(), $1, 'x', 'x')",
    )
    .bind(b)
    .execute(&mut *tx)
    .await;
    assert!(smuggle.is_err(), "a row for bolt was written in acme's transaction");
    tx.rollback().await.unwrap();

    // The setting was local to that transaction: the connection is back to seeing nothing.
    assert_eq!(count(&mut conn, "products").await, 0);
    // The owner is bound by the policies too (FORCE).
    let mut owner = PgConnection::connect(&urls.owner).await.unwrap();
    assert_eq!(count(&mut owner, "products").await, 0, "FORCE binds the owner as well");
    // And the store itself still sees everything it should.
    assert_eq!(store.list_products(b).await.unwrap().len(), 1);
    assert_eq!(store.list_tenants().await.unwrap().iter().map(|t| t.product_count).sum::<i64>(), 3);
}

#[tokio::test]
async fn every_table_with_a_tenant_column_is_fenced_but_the_directory() {
    let Some(urls) = zelly_store::testing::fresh_postgres().await else { return };
    // Connecting applies every migration.
    zelly_store::postgres::PgStore::connect_as_app(&urls.app, &urls.owner).await.unwrap();
    let mut conn = PgConnection::connect(&urls.owner).await.unwrap();
    let unfenced: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname IN ('astro_primary', 'ecom_store_front', 'backoffice') AND c.relkind = 'r' \
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) \
           AND NOT (c.relrowsecurity AND c.relforcerowsecurity) ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    // tenant_domains is the directory every host resolves domains by; everything else is fenced,
    // including the checkout and order tables and the shoppers' accounts in ecom_store_front.
    assert_eq!(unfenced, ["tenant_domains"]);
}

#[tokio::test]
async fn shoppers_accounts_are_fenced_by_store() {
    let Some(urls) = zelly_store::testing::fresh_postgres().await else { return };
    let store: DynStore = Arc::new(zelly_store::postgres::PgStore::connect_as_app(&urls.app, &urls.owner).await.unwrap());
    let slug = |s: &str| TenantSlug::parse(s).unwrap();
    let a = store.create_tenant(&NewTenant { slug: slug("acme"), name: "Acme".into() }).await.unwrap().id;
    let b = store.create_tenant(&NewTenant { slug: slug("bolt"), name: "Bolt".into() }).await.unwrap().id;
    for (tenant, email) in [(a, "asha@example.com"), (a, "ravi@example.com"), (b, "asha@example.com")] {
        let new = zelly_store::customers::NewCustomer {
            email: email.into(),
            name: String::new(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            now_ms: 1,
        };
        let customer = store.create_customer(tenant, &new).await.unwrap().id;
        let address = zelly_edge::orders::ShippingAddress {
            name: "Asha".into(),
            line1: "1 Road".into(),
            line2: None,
            city: "Pune".into(),
            state: "Maharashtra".into(),
            postal_code: "411001".into(),
            country: "IN".into(),
            phone: "9845012345".into(),
        };
        let save = zelly_store::AddressToSave { address: &address, is_default: true, status: zelly_edge::orders::AddressStatus::Unverified, now_ms: 1 };
        store.save_customer_address(tenant, customer, None, &save).await.unwrap();
    }
    let mut conn = PgConnection::connect(&urls.app).await.unwrap();
    let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    assert_eq!(count("SELECT count(*) FROM ecom_store_front.customers").fetch_one(&mut conn).await.unwrap(), 0);
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('zelly.tenant_id', $1, true)").bind(b.to_string()).execute(&mut *tx).await.unwrap();
    assert_eq!(count("SELECT count(*) FROM ecom_store_front.customers").fetch_one(&mut *tx).await.unwrap(), 1);
    assert_eq!(count("SELECT count(*) FROM ecom_store_front.customer_addresses").fetch_one(&mut *tx).await.unwrap(), 1);
    // Writing another store's row is refused outright.
    let planted = sqlx::query(
        "INSERT INTO ecom_store_front.customers (id, tenant_id, email, password_hash, created_at_ms, updated_at_ms) \
         VALUES (gen_random_uuid(), $1, 'x@example.com', '$argon2id$x', 1, 1)",
    )
    .bind(a)
    .execute(&mut *tx)
    .await;
    assert!(planted.is_err(), "a row for another store was written");
}
