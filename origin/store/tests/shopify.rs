//! Shopify connections and webhook claims on both backends: a shop belongs to one store, and of
//! many repeats of one delivery, however concurrent, exactly one is claimed.
#![allow(clippy::unwrap_used, missing_docs)]

use uuid::Uuid;
use zelly_edge::TenantSlug;
use zelly_store::{DynStore, NewTenant, ShopifyConnection, StoreError};

zelly_store::on_both_backends!(
    a_shop_is_connected_to_one_store_at_a_time,
    of_many_repeats_of_a_delivery_one_is_claimed,
    an_install_state_works_once_until_it_expires,
    a_disconnected_shop_is_remembered_until_it_is_forgotten,
);

async fn tenant(store: &DynStore, slug: &str) -> Uuid {
    store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: slug.into() }).await.unwrap().id
}

fn connection(shop: &str) -> ShopifyConnection {
    ShopifyConnection { shop_domain: shop.into(), sealed_token: "sealed:abc".into(), scopes: "read_products".into(), connected_at_ms: 1 }
}

async fn a_shop_is_connected_to_one_store_at_a_time(store: DynStore) {
    let (a, b) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    store.connect_shopify(a, &connection("acme.myshopify.com")).await.unwrap();
    assert_eq!(store.shopify_connection(a).await.unwrap(), Some(connection("acme.myshopify.com")));
    assert_eq!(store.shopify_connection(b).await.unwrap(), None, "another store sees nothing");
    assert_eq!(store.tenant_of_shopify_shop("acme.myshopify.com").await.unwrap(), Some(a));
    // The shop is taken: another store cannot claim it.
    assert!(matches!(store.connect_shopify(b, &connection("acme.myshopify.com")).await, Err(StoreError::Conflict(_))));
    // Reconnecting the store to another shop replaces its connection.
    store.connect_shopify(a, &connection("acme-two.myshopify.com")).await.unwrap();
    assert_eq!(store.tenant_of_shopify_shop("acme.myshopify.com").await.unwrap(), None);
    assert_eq!(store.tenant_of_shopify_shop("acme-two.myshopify.com").await.unwrap(), Some(a));
    // A shop name that is not a myshopify.com domain is refused by the database too.
    assert!(store.connect_shopify(b, &connection("bolt.example.com")).await.is_err());
    assert!(!store.disconnect_shopify(b).await.unwrap());
    assert!(store.disconnect_shopify(a).await.unwrap());
    assert_eq!(store.tenant_of_shopify_shop("acme-two.myshopify.com").await.unwrap(), None);
}

async fn of_many_repeats_of_a_delivery_one_is_claimed(store: DynStore) {
    let (a, b) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    let claims: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_webhook(a, "shopify", "wh-1", "products/update", 1).await.unwrap() })
        })
        .collect();
    let mut won = 0;
    for claim in claims {
        won += usize::from(claim.await.unwrap());
    }
    assert_eq!(won, 1);
    // The same id at another store is that store's own delivery.
    assert!(store.claim_webhook(b, "shopify", "wh-1", "products/update", 1).await.unwrap());
    // A claim given back is taken by the next repeat.
    store.release_webhook(a, "shopify", "wh-1").await.unwrap();
    assert!(store.claim_webhook(a, "shopify", "wh-1", "products/update", 2).await.unwrap());
    assert!(!store.claim_webhook(a, "shopify", "wh-1", "products/update", 3).await.unwrap());
}

async fn an_install_state_works_once_until_it_expires(store: DynStore) {
    let a = tenant(&store, "acme").await;
    let (fresh, stale) = ("1".repeat(64), "2".repeat(64));
    store.start_shopify_install(a, &fresh, "acme.myshopify.com", 1_000).await.unwrap();
    store.start_shopify_install(a, &stale, "acme.myshopify.com", 1_000).await.unwrap();
    assert_eq!(store.finish_shopify_install(&fresh, 999).await.unwrap(), Some((a, "acme.myshopify.com".to_owned())));
    assert_eq!(store.finish_shopify_install(&fresh, 999).await.unwrap(), None, "spent");
    assert_eq!(store.finish_shopify_install(&stale, 1_000).await.unwrap(), None, "expired");
    assert_eq!(store.finish_shopify_install(&"3".repeat(64), 1).await.unwrap(), None, "never recorded");
}

async fn a_disconnected_shop_is_remembered_until_it_is_forgotten(store: DynStore) {
    let (a, b) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    store.connect_shopify(a, &connection("tea.myshopify.com")).await.unwrap();
    assert_eq!(store.tenant_of_former_shopify_shop("tea.myshopify.com").await.unwrap(), None, "still connected");
    store.disconnect_shopify(a).await.unwrap();
    assert_eq!(store.tenant_of_former_shopify_shop("tea.myshopify.com").await.unwrap(), Some(a));
    // The shop moves to another store and leaves it too: the latest is the one found.
    store.connect_shopify(b, &connection("tea.myshopify.com")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store.disconnect_shopify(b).await.unwrap();
    assert_eq!(store.tenant_of_former_shopify_shop("tea.myshopify.com").await.unwrap(), Some(b));
    assert!(store.claim_webhook(b, "shopify", "wh-1", "shop/redact", 1).await.unwrap());
    store.forget_shopify_shop(b, "tea.myshopify.com").await.unwrap();
    assert_eq!(store.tenant_of_former_shopify_shop("tea.myshopify.com").await.unwrap(), Some(a));
    assert!(store.claim_webhook(b, "shopify", "wh-1", "shop/redact", 2).await.unwrap(), "its webhook receipts are gone too");
}
