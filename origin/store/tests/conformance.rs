//! One behaviour, two backends: every case here runs against SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, missing_docs)]

use uuid::Uuid;
use zelly_edge::dto::TenantStatus;
use zelly_edge::{Currency, DomainName, Handle, Money, TenantSlug};
use zelly_store::{DynStore, NewProduct, NewTenant, NewVariant, StoreError};

zelly_store::on_both_backends!(
    a_tenant_is_found_by_slug_and_by_each_of_its_domains,
    a_taken_slug_or_domain_is_a_conflict,
    suspending_a_tenant_is_visible_to_lookups,
    products_round_trip_with_variants_in_order,
    a_handle_or_sku_is_unique_within_a_tenant_but_not_across_tenants,
    a_tenant_never_sees_another_tenants_products_or_prices,
    a_product_with_a_bad_variant_is_not_half_written,
    the_tenant_list_counts_products_and_lists_domains,
    seeding_the_demo_twice_changes_nothing,
);

fn slug(s: &str) -> TenantSlug {
    TenantSlug::parse(s).unwrap()
}

fn domain(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

async fn tenant(store: &DynStore, s: &str) -> Uuid {
    store.create_tenant(&NewTenant { slug: slug(s), name: format!("Store {s}") }).await.unwrap().id
}

fn product(handle: &str, skus: &[(&str, i64)]) -> NewProduct {
    NewProduct {
        handle: Handle::parse(handle).unwrap(),
        title: format!("Product {handle}"),
        description: "A thing".into(),
        image_url: Some(format!("/assets/{handle}.svg")),
        variants: skus
            .iter()
            .map(|(sku, price)| NewVariant {
                sku: (*sku).into(),
                title: format!("Option {sku}"),
                price: Money::new(*price, Currency::INR),
            })
            .collect(),
    }
}

async fn a_tenant_is_found_by_slug_and_by_each_of_its_domains(store: DynStore) {
    let id = tenant(&store, "acme").await;
    store.add_domain(id, &domain("acme.example"), true).await.unwrap();
    store.add_domain(id, &domain("www.acme.example"), false).await.unwrap();
    assert_eq!(store.tenant_by_slug(&slug("acme")).await.unwrap().unwrap().id, id);
    for d in ["acme.example", "www.acme.example"] {
        let found = store.tenant_by_domain(&domain(d)).await.unwrap().unwrap();
        assert_eq!((found.id, found.status), (id, TenantStatus::Active));
    }
    assert!(store.tenant_by_domain(&domain("nobody.example")).await.unwrap().is_none());
    assert!(store.tenant_by_slug(&slug("nobody")).await.unwrap().is_none());
}

async fn a_taken_slug_or_domain_is_a_conflict(store: DynStore) {
    let a = tenant(&store, "acme").await;
    let b = tenant(&store, "bolt").await;
    let again = store.create_tenant(&NewTenant { slug: slug("acme"), name: "Other".into() }).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    store.add_domain(a, &domain("acme.example"), true).await.unwrap();
    let stolen = store.add_domain(b, &domain("acme.example"), true).await;
    assert!(matches!(stolen, Err(StoreError::Conflict(_))), "{stolen:?}");
    // The domain still belongs to its first owner.
    assert_eq!(store.tenant_by_domain(&domain("acme.example")).await.unwrap().unwrap().id, a);
    let second_primary = store.add_domain(a, &domain("shop.acme.example"), true).await;
    assert!(matches!(second_primary, Err(StoreError::Conflict(_))), "{second_primary:?}");
}

async fn suspending_a_tenant_is_visible_to_lookups(store: DynStore) {
    let id = tenant(&store, "acme").await;
    store.add_domain(id, &domain("acme.example"), true).await.unwrap();
    store.set_tenant_status(id, TenantStatus::Suspended).await.unwrap();
    let found = store.tenant_by_domain(&domain("acme.example")).await.unwrap().unwrap();
    assert_eq!(found.status, TenantStatus::Suspended);
    let missing = store.set_tenant_status(Uuid::new_v4(), TenantStatus::Active).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn products_round_trip_with_variants_in_order(store: DynStore) {
    let id = tenant(&store, "acme").await;
    let created = store.create_product(id, &product("tee", &[("TEE-L", 59_900), ("TEE-S", 49_900)])).await.unwrap();
    assert_eq!(created.variants.len(), 2);
    assert_eq!(created.variants[0].sku, "TEE-L", "variants keep the order they were given");
    assert_eq!(created.from_price().unwrap().amount_minor, 49_900);
    let fetched = store.product_by_handle(id, &Handle::parse("tee").unwrap()).await.unwrap().unwrap();
    assert_eq!(fetched, created);
    let listed = store.list_products(id).await.unwrap();
    assert_eq!(listed, vec![created]);
    assert!(store.product_by_handle(id, &Handle::parse("nope").unwrap()).await.unwrap().is_none());
}

async fn a_handle_or_sku_is_unique_within_a_tenant_but_not_across_tenants(store: DynStore) {
    let a = tenant(&store, "acme").await;
    let b = tenant(&store, "bolt").await;
    store.create_product(a, &product("tee", &[("TEE-1", 100)])).await.unwrap();
    let same_handle = store.create_product(a, &product("tee", &[("TEE-2", 100)])).await;
    assert!(matches!(same_handle, Err(StoreError::Conflict(_))), "{same_handle:?}");
    let same_sku = store.create_product(a, &product("cap", &[("TEE-1", 100)])).await;
    assert!(matches!(same_sku, Err(StoreError::Conflict(_))), "{same_sku:?}");
    // Another tenant may use the same handle and SKU.
    store.create_product(b, &product("tee", &[("TEE-1", 100)])).await.unwrap();
    assert_eq!(store.list_products(a).await.unwrap().len(), 1);
}

async fn a_tenant_never_sees_another_tenants_products_or_prices(store: DynStore) {
    let a = tenant(&store, "acme").await;
    let b = tenant(&store, "bolt").await;
    let pa = store.create_product(a, &product("tee", &[("A-1", 100)])).await.unwrap();
    let pb = store.create_product(b, &product("mug", &[("B-1", 200)])).await.unwrap();
    assert_eq!(store.list_products(a).await.unwrap(), vec![pa.clone()]);
    assert!(store.product_by_handle(a, &Handle::parse("mug").unwrap()).await.unwrap().is_none());
    let ids = [pa.variants[0].id, pb.variants[0].id];
    let prices = store.variant_prices(a, &ids).await.unwrap();
    assert_eq!(prices.len(), 1, "only tenant A's variant is priced for tenant A");
    assert_eq!(prices[0].variant_id, pa.variants[0].id);
    assert_eq!(prices[0].title, "Product tee / Option A-1");
    assert!(store.variant_prices(a, &[]).await.unwrap().is_empty());
}

async fn a_product_with_a_bad_variant_is_not_half_written(store: DynStore) {
    let a = tenant(&store, "acme").await;
    store.create_product(a, &product("tee", &[("DUP", 100)])).await.unwrap();
    // The second variant's SKU is taken: the whole product must be rolled back.
    let failed = store.create_product(a, &product("cap", &[("CAP-1", 100), ("DUP", 100)])).await;
    assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
    assert!(store.product_by_handle(a, &Handle::parse("cap").unwrap()).await.unwrap().is_none());
    let no_variants = store.create_product(a, &product("hat", &[])).await;
    assert!(matches!(no_variants, Err(StoreError::Invalid(_))), "{no_variants:?}");
    let negative = store.create_product(a, &product("hat", &[("HAT", -1)])).await;
    assert!(matches!(negative, Err(StoreError::Invalid(_))), "{negative:?}");
    assert_eq!(store.list_products(a).await.unwrap().len(), 1);
}

async fn the_tenant_list_counts_products_and_lists_domains(store: DynStore) {
    let a = tenant(&store, "acme").await;
    let _b = tenant(&store, "bolt").await;
    store.add_domain(a, &domain("www.acme.example"), false).await.unwrap();
    store.add_domain(a, &domain("acme.example"), true).await.unwrap();
    store.create_product(a, &product("tee", &[("A-1", 100)])).await.unwrap();
    let list = store.list_tenants().await.unwrap();
    let slugs: Vec<_> = list.iter().map(|t| t.tenant.slug.to_string()).collect();
    assert_eq!(slugs, ["acme", "bolt"]);
    assert_eq!(list[0].product_count, 1);
    assert_eq!(list[0].domains, vec![domain("acme.example"), domain("www.acme.example")], "primary first");
    assert_eq!(list[1].product_count, 0);
}

async fn seeding_the_demo_twice_changes_nothing(store: DynStore) {
    let first = zelly_store::demo::seed_demo(&store).await.unwrap();
    let second = zelly_store::demo::seed_demo(&store).await.unwrap();
    assert_eq!(first, second);
    let products = store.list_products(first.id).await.unwrap();
    assert_eq!(products.len(), 12);
    assert!(products.iter().all(|p| p.image_url.is_some() && !p.variants.is_empty()));
    let by_domain = store.tenant_by_domain(&domain(zelly_store::demo::DEMO_DOMAIN)).await.unwrap();
    assert_eq!(by_domain.map(|t| t.id), Some(first.id));
    let chai = zelly_store::demo::seed_second_demo(&store).await.unwrap();
    assert_eq!(zelly_store::demo::seed_second_demo(&store).await.unwrap(), chai);
    assert_eq!(chai.accent_color.as_deref(), Some("#8a3b12"));
    assert_eq!(store.list_products(chai.id).await.unwrap().len(), 3);
    assert_eq!(store.list_products(first.id).await.unwrap().len(), 12, "the stores stay apart");
}
