//! Fresh databases for tests: a new SQLite file or a new PostgreSQL database per test.
//!
//! PostgreSQL tests need `ZELLY_TEST_DATABASE_URL` (a URL of a server's maintenance database that
//! may `CREATE DATABASE`). `cargo xtask test` starts a throwaway server and sets it together with
//! `ZELLY_REQUIRE_POSTGRES=1`, which turns a missing server into a failure instead of a skip.

use crate::DynStore;
use sqlx::{Connection, PgConnection};
use std::path::PathBuf;
use std::sync::Arc;
use uuid::Uuid;

/// A path for a new SQLite database file in the system temp dir.
pub fn fresh_sqlite_path() -> PathBuf {
    std::env::temp_dir().join(format!("zelly-test-{}.db", Uuid::new_v4().simple()))
}

/// A new test database: the owner's URL (for migrations) and the application role's URL.
#[derive(Debug, Clone)]
pub struct PgUrls {
    /// As `zelly_test_owner`, which owns the database and applies migrations.
    pub owner: String,
    /// As `zelly_app`, which owns nothing: what the services connect as.
    pub app: String,
}

/// Creates an empty PostgreSQL database and returns its URLs, or `None` (with a notice) when no
/// test server is configured and none is required.
pub async fn fresh_postgres() -> Option<PgUrls> {
    let Ok(admin_url) = std::env::var("ZELLY_TEST_DATABASE_URL") else {
        assert!(
            std::env::var("ZELLY_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "ZELLY_REQUIRE_POSTGRES=1 but ZELLY_TEST_DATABASE_URL is not set"
        );
        eprintln!("skipping PostgreSQL case: ZELLY_TEST_DATABASE_URL is not set (cargo xtask test sets it)");
        return None;
    };
    let name = format!("zelly_test_{}", Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server: {e}"));
    // The database belongs to an ordinary role, as in production: superusers bypass row-level
    // security, and the tests must run with it in force. Tests create the role concurrently, so a
    // "duplicate" error just means another test won the race.
    for role in ["zelly_test_owner", "zelly_app"] {
        let sql = format!(
            "DO $$ BEGIN CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        );
        // Both names are constants of this function.
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await {
            panic!("cannot create the test role {role}: {e}");
        }
    }
    // The name is ours (a fixed prefix and a UUID), never user input.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} OWNER zelly_test_owner")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database: {e}"));
    Some(PgUrls { owner: role_url(&admin_url, "zelly_test_owner", &name), app: role_url(&admin_url, "zelly_app", &name) })
}

/// Like [`fresh_postgres`], the owner's URL only (a store connected with it migrates as itself).
pub async fn fresh_postgres_url() -> Option<String> {
    fresh_postgres().await.map(|urls| urls.owner)
}

/// The admin URL with `role` as user and `database` as path.
fn role_url(admin_url: &str, role: &str, database: &str) -> String {
    let rest = admin_url.split_once("://").map(|(_, rest)| rest).unwrap_or(admin_url);
    let host_and_path = rest.rsplit_once('@').map(|(_, host)| host).unwrap_or(rest);
    let host = host_and_path.split_once('/').map(|(host, _)| host).unwrap_or(host_and_path);
    format!("postgres://{role}@{host}/{database}")
}

/// A migrated store on a new SQLite file.
pub async fn sqlite_store() -> DynStore {
    let path = fresh_sqlite_path();
    let store = crate::sqlite::SqliteStore::open(&path)
        .await
        .unwrap_or_else(|e| panic!("cannot open test SQLite database {}: {e:?}", path.display()));
    Arc::new(store)
}

/// A store on a new PostgreSQL database, migrated by its owner and connected as the application
/// role, exactly as deployed; or `None` as [`fresh_postgres`] explains.
pub async fn postgres_store() -> Option<DynStore> {
    let urls = fresh_postgres().await?;
    let store = crate::postgres::PgStore::connect_as_app(&urls.app, &urls.owner)
        .await
        .unwrap_or_else(|e| panic!("cannot open test PostgreSQL database: {e:?}"));
    Some(Arc::new(store))
}

/// Declares each listed `async fn case(store: DynStore)` as a test on SQLite and on PostgreSQL
/// (modules `sqlite` and `postgres`), so one suite holds both backends to the same behaviour.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $case() {
                super::$case($crate::testing::sqlite_store().await).await
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $case() {
                if let Some(store) = $crate::testing::postgres_store().await { super::$case(store).await }
            })*
        }
    };
}

/// A checkout of `lines` (variant, units) by Asha in Bengaluru, paying by `method`, with a fresh
/// idempotency key: the shopper of the order tests.
pub fn checkout_input(lines: &[(Uuid, u32)], method: zelly_edge::orders::PaymentMethod) -> zelly_edge::orders::CheckoutInput {
    use zelly_edge::orders::{AddressStatus, CheckoutInput, CheckoutLineInput, ShippingAddress};
    CheckoutInput {
        lines: lines.iter().map(|(variant_id, quantity)| CheckoutLineInput { variant_id: *variant_id, quantity: *quantity }).collect(),
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
        payment_method: method,
        session_id: Some("visit-42".into()),
        idempotency_key: Uuid::new_v4().simple().to_string(),
        customer_session: None,
        address_status: AddressStatus::Unverified,
        customer: None,
    }
}
