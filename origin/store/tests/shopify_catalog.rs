//! Products from Shopify on both backends: matched by GID so nothing is created twice, an older
//! state never overwrites a newer one, a deleted product stays archived, and a sync records its
//! progress with its pages and archives what Shopify no longer has.
#![allow(clippy::unwrap_used, missing_docs)]

use uuid::Uuid;
use zelly_edge::catalog::{ProductInput, ProductStatus, VariantInput};
use zelly_edge::shopify::SyncStatus;
use zelly_edge::{Currency, TenantSlug};
use zelly_store::shopify_catalog::{ShopifyApplied, SkippedProduct};
use zelly_store::{DynStore, NewTenant, ShopifyProductWrite, ShopifyVariantRef, StoreError, SyncPage};

zelly_store::on_both_backends!(
    a_product_is_matched_by_its_gid_and_older_states_change_nothing,
    taken_handles_and_skus_give_way,
    a_deleted_product_stays_archived,
    a_sync_records_its_pages_and_archives_what_is_gone,
);

async fn tenant(store: &DynStore, slug: &str) -> Uuid {
    store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: slug.into() }).await.unwrap().id
}

fn write(n: u32, title: &str, at: i64) -> ShopifyProductWrite {
    let variant = |i: u32| VariantInput {
        id: None,
        sku: format!("SKU-{n}-{i}"),
        options: vec![format!("Size {i}")],
        price_minor: 49_900,
        compare_at_price_minor: None,
        currency: Currency::INR,
        inventory_quantity: 5,
        track_inventory: true,
    };
    ShopifyProductWrite {
        shopify_id: format!("gid://shopify/Product/{n}"),
        updated_at_ms: at,
        input: ProductInput {
            handle: format!("product-{n}"),
            title: title.into(),
            description: String::new(),
            status: ProductStatus::Active,
            option_names: vec!["Size".into()],
            images: Vec::new(),
            tags: Vec::new(),
            seo_title: None,
            seo_description: None,
            variants: vec![variant(1), variant(2)],
            version: None,
        },
        variants: (1..=2)
            .map(|i| ShopifyVariantRef {
                shopify_id: format!("gid://shopify/ProductVariant/{n}{i}"),
                inventory_item_id: Some(format!("gid://shopify/InventoryItem/{n}{i}")),
                fallback_sku: format!("shopify-{n}{i}"),
            })
            .collect(),
    }
}

fn id_of(applied: ShopifyApplied) -> Uuid {
    match applied {
        ShopifyApplied::Created(id) | ShopifyApplied::Updated(id) | ShopifyApplied::Unchanged(id) => id,
        ShopifyApplied::Gone => panic!("the product was deleted"),
    }
}

async fn a_product_is_matched_by_its_gid_and_older_states_change_nothing(store: DynStore) {
    let (a, b) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    let created = store.apply_shopify_products(a, &[write(1, "Tea", 1_000)], None).await.unwrap();
    assert!(matches!(created[0], ShopifyApplied::Created(_)));
    let id = id_of(created[0]);
    let first = store.seller_product(a, id).await.unwrap().unwrap();
    // A newer state updates the same product and keeps its variants (matched by GID).
    let newer = store.apply_shopify_products(a, &[write(1, "Green tea", 3_000)], None).await.unwrap();
    assert_eq!(newer, vec![ShopifyApplied::Updated(id)]);
    let after = store.seller_product(a, id).await.unwrap().unwrap();
    assert_eq!(after.title, "Green tea");
    assert_eq!(after.variants.iter().map(|v| v.id).collect::<Vec<_>>(), first.variants.iter().map(|v| v.id).collect::<Vec<_>>());
    // An older state, or the same one again, changes nothing.
    for at in [2_000, 3_000] {
        let stale = store.apply_shopify_products(a, &[write(1, "Tea (old)", at)], None).await.unwrap();
        assert_eq!(stale, vec![ShopifyApplied::Unchanged(id)]);
    }
    assert_eq!(store.seller_product(a, id).await.unwrap().unwrap().title, "Green tea");
    // Stock follows Shopify, by inventory item.
    assert!(store.set_shopify_inventory(a, "gid://shopify/InventoryItem/11", 42).await.unwrap());
    assert!(!store.set_shopify_inventory(b, "gid://shopify/InventoryItem/11", 0).await.unwrap(), "another store has no such item");
    assert!(!store.set_shopify_inventory(a, "gid://shopify/InventoryItem/99", 1).await.unwrap());
    let variants = store.seller_product(a, id).await.unwrap().unwrap().variants;
    assert_eq!(variants[0].inventory_quantity, 42);
    let items = store.shopify_inventory_items(a, &[variants[0].id]).await.unwrap();
    assert_eq!(items, vec![(variants[0].id, "gid://shopify/InventoryItem/11".to_owned())]);
    assert!(store.shopify_inventory_items(b, &[variants[0].id]).await.unwrap().is_empty());
    assert_eq!(store.shopify_ids_of(a, &[id]).await.unwrap(), vec![(id, "gid://shopify/Product/1".to_owned())]);
    assert!(store.shopify_ids_of(b, &[id]).await.unwrap().is_empty());
    // The same GID at another store is that store's own product.
    let other = store.apply_shopify_products(b, &[write(1, "Tea", 1_000)], None).await.unwrap();
    assert!(matches!(other[0], ShopifyApplied::Created(x) if x != id));
    assert_eq!(store.shopify_product_count(a).await.unwrap(), 1);
}

async fn taken_handles_and_skus_give_way(store: DynStore) {
    let a = tenant(&store, "acme").await;
    // The merchant's own product holds the handle and a SKU Shopify also uses.
    let mut own = write(7, "Own", 0).input;
    own.handle = "product-1".into();
    own.variants[0].sku = "SKU-1-1".into();
    own.variants[1].sku = "OWN-2".into();
    store.create_seller_product(a, &own).await.unwrap();
    let id = id_of(store.apply_shopify_products(a, &[write(1, "Tea", 1)], None).await.unwrap()[0]);
    let imported = store.seller_product(a, id).await.unwrap().unwrap();
    assert_eq!(imported.handle.as_str(), "product-1-1");
    assert_eq!(imported.variants[0].sku, "shopify-11");
    assert_eq!(imported.variants[1].sku, "SKU-1-2");
    // A write that would break a rule is refused whole, naming the product.
    let mut bad = write(2, "Bad", 1);
    bad.input.title = String::new();
    let err = store.apply_shopify_products(a, &[write(3, "Fine", 1), bad], None).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(why) if why.starts_with("products[1]")), "{err:?}");
    assert_eq!(store.shopify_product_count(a).await.unwrap(), 1, "nothing of the refused batch was kept");
}

async fn a_deleted_product_stays_archived(store: DynStore) {
    let a = tenant(&store, "acme").await;
    let id = id_of(store.apply_shopify_products(a, &[write(1, "Tea", 1_000)], None).await.unwrap()[0]);
    assert_eq!(store.delete_shopify_product(a, "gid://shopify/Product/1", 5_000).await.unwrap(), Some(id));
    assert_eq!(store.delete_shopify_product(a, "gid://shopify/Product/404", 5_000).await.unwrap(), None);
    // An update from before the deletion, delivered late, does not bring it back.
    let late = store.apply_shopify_products(a, &[write(1, "Tea", 4_000)], None).await.unwrap();
    assert_eq!(late, vec![ShopifyApplied::Unchanged(id)]);
    assert_eq!(store.seller_product(a, id).await.unwrap().unwrap().status, ProductStatus::Archived);
    assert_eq!(store.shopify_product_count(a).await.unwrap(), 0);
    // A deletion delivered before its product's create: the older create makes nothing, twice.
    assert_eq!(store.delete_shopify_product(a, "gid://shopify/Product/2", 9_000).await.unwrap(), None);
    assert_eq!(store.delete_shopify_product(a, "gid://shopify/Product/2", 8_000).await.unwrap(), None);
    for at in [7_000, 9_000] {
        assert_eq!(store.apply_shopify_products(a, &[write(2, "Too late", at)], None).await.unwrap(), vec![ShopifyApplied::Gone]);
    }
    assert_eq!(store.shopify_product_count(a).await.unwrap(), 0);
    // Another store's deletion is its own.
    let b = tenant(&store, "bolt").await;
    assert!(matches!(store.apply_shopify_products(b, &[write(2, "Theirs", 7_000)], None).await.unwrap()[0], ShopifyApplied::Created(_)));
}

async fn a_sync_records_its_pages_and_archives_what_is_gone(store: DynStore) {
    let a = tenant(&store, "acme").await;
    // Known before the sync: product 9, which Shopify no longer has.
    let gone = id_of(store.apply_shopify_products(a, &[write(9, "Gone", 1)], None).await.unwrap()[0]);
    let sync = store.start_shopify_sync(a, "run-1", 10_000, 0).await.unwrap();
    assert_eq!((sync.status, sync.imported, sync.cursor.as_deref()), (SyncStatus::Running, 0, None));
    assert!(matches!(store.start_shopify_sync(a, "run-2", 10_001, 0).await, Err(StoreError::Conflict(_))));
    let skipped = SkippedProduct { shopify_id: "gid://shopify/Product/3".into(), title: "Odd".into(), reason: "no variants".into() };
    let page = SyncPage { run_id: "run-1".into(), cursor: Some("c1".into()), total: Some(3), skipped: vec![skipped.clone()] };
    store.apply_shopify_products(a, &[write(1, "Tea", 2)], Some(&page)).await.unwrap();
    let page2 = SyncPage { run_id: "run-1".into(), cursor: Some("c2".into()), total: None, skipped: Vec::new() };
    store.apply_shopify_products(a, &[write(2, "Coffee", 2)], Some(&page2)).await.unwrap();
    let now = store.shopify_sync(a).await.unwrap().unwrap();
    assert_eq!((now.imported, now.total, now.cursor.as_deref(), now.skipped.clone()), (3, Some(3), Some("c2"), vec![skipped]));
    // A page of another run is refused and stores nothing.
    let foreign = SyncPage { run_id: "run-0".into(), cursor: None, total: None, skipped: Vec::new() };
    assert!(matches!(store.apply_shopify_products(a, &[write(4, "X", 2)], Some(&foreign)).await, Err(StoreError::Stale)));
    let done = store.finish_shopify_sync(a, "run-1", None, 20_000).await.unwrap();
    assert_eq!((done.status, done.archived, done.finished_at_ms), (SyncStatus::Succeeded, 1, Some(20_000)));
    assert_eq!(store.seller_product(a, gone).await.unwrap().unwrap().status, ProductStatus::Archived);
    assert_eq!(store.shopify_product_count(a).await.unwrap(), 2);
    assert!(matches!(store.finish_shopify_sync(a, "run-1", None, 20_001).await, Err(StoreError::Stale)), "a run ends once");
    // A new run may start now; a failed one keeps its reason and archives nothing.
    store.start_shopify_sync(a, "run-2", 30_000, 0).await.unwrap();
    let failed = store.finish_shopify_sync(a, "run-2", Some("Shopify refused the token"), 30_500).await.unwrap();
    assert_eq!((failed.status, failed.error.as_deref(), failed.archived), (SyncStatus::Failed, Some("Shopify refused the token"), 0));
    assert_eq!(store.shopify_product_count(a).await.unwrap(), 2);
    // A run stuck past the limit may be replaced.
    store.start_shopify_sync(a, "run-3", 40_000, 0).await.unwrap();
    assert!(store.start_shopify_sync(a, "run-4", 50_000, 45_000).await.is_ok());
}
