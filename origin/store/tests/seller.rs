//! The seller catalog on both backends: validation lives in edge, here the store's promises —
//! tenant isolation, no lost updates, an exact inventory trail, stable cursor paging.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::json;
use uuid::Uuid;
use zelly_edge::catalog::{CollectionInput, InventoryAdjustmentInput, ProductInput, ProductStatus, Role};
use zelly_edge::{Handle, TenantSlug};
use zelly_store::{DynStore, NewTenant, ProductQuery, StoreError};

zelly_store::on_both_backends!(
    a_product_round_trips_with_options_images_tags_and_seo,
    drafts_and_archived_products_never_reach_the_storefront,
    a_stale_version_is_refused_and_nothing_is_lost,
    concurrent_edits_of_one_version_let_exactly_one_win,
    variants_are_added_updated_removed_and_may_swap_skus,
    another_tenants_ids_are_never_found_or_changed,
    search_finds_by_title_sku_or_tag_and_pages_without_gaps,
    inventory_adjustments_change_stock_and_leave_an_exact_trail,
    collections_keep_their_order_and_only_the_tenants_products,
    a_merchant_sees_only_their_memberships,
);

async fn tenant(store: &DynStore, slug: &str) -> Uuid {
    store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: slug.into() }).await.unwrap().id
}

fn input(handle: &str, status: &str, skus: &[(&str, &str, i64)]) -> ProductInput {
    serde_json::from_value(json!({
        "handle": handle,
        "title": format!("Title {handle}"),
        "description": "Soft cotton",
        "status": status,
        "option_names": ["Size"],
        "images": [{ "url": format!("/assets/{handle}.svg"), "alt": "front" }],
        "tags": ["Summer", " summer ", "cotton"],
        "seo_title": format!("Buy {handle}"),
        "variants": skus.iter().map(|(sku, size, price)| json!({
            "sku": sku, "options": [size], "price_minor": price, "inventory_quantity": 5
        })).collect::<Vec<_>>(),
    }))
    .unwrap()
}

async fn a_product_round_trips_with_options_images_tags_and_seo(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let created = store.create_seller_product(t, &input("tee", "draft", &[("TEE-S", "S", 100), ("TEE-M", "M", 200)])).await.unwrap();
    assert_eq!(created.status, ProductStatus::Draft);
    assert_eq!(created.option_names, vec!["Size"]);
    assert_eq!(created.tags, vec!["Summer", "cotton"], "tags are trimmed and deduplicated");
    assert_eq!(created.images[0].url, "/assets/tee.svg");
    assert_eq!(created.seo_title.as_deref(), Some("Buy tee"));
    assert_eq!(created.variants.iter().map(|v| v.sku.as_str()).collect::<Vec<_>>(), ["TEE-S", "TEE-M"]);
    assert_eq!(created.variants[1].options, vec!["M"]);
    assert_eq!(created.variants[0].inventory_quantity, 5);
    assert_eq!(created.version, 1);
    assert_eq!(store.seller_product(t, created.id).await.unwrap(), Some(created));
}

async fn drafts_and_archived_products_never_reach_the_storefront(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let draft = store.create_seller_product(t, &input("draft-tee", "draft", &[("D-1", "S", 100)])).await.unwrap();
    let live = store.create_seller_product(t, &input("live-tee", "active", &[("L-1", "S", 100)])).await.unwrap();
    let listed: Vec<String> = store.list_products(t).await.unwrap().into_iter().map(|p| p.handle.to_string()).collect();
    assert_eq!(listed, ["live-tee"]);
    assert!(store.product_by_handle(t, &draft.handle).await.unwrap().is_none());
    assert!(store.variant_prices(t, &[draft.variants[0].id]).await.unwrap().is_empty(), "a draft cannot be bought");
    store.archive_product(t, live.id, live.version).await.unwrap();
    assert!(store.list_products(t).await.unwrap().is_empty());
    assert!(store.product_by_handle(t, &live.handle).await.unwrap().is_none());
    // Still there for the merchant.
    assert_eq!(store.seller_product(t, live.id).await.unwrap().unwrap().status, ProductStatus::Archived);
}

async fn a_stale_version_is_refused_and_nothing_is_lost(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let p = store.create_seller_product(t, &input("tee", "active", &[("TEE-S", "S", 100)])).await.unwrap();
    let mut first = input("tee", "active", &[("TEE-S", "S", 150)]);
    first.variants[0].id = Some(p.variants[0].id);
    first.version = Some(p.version);
    let updated = store.update_seller_product(t, p.id, &first).await.unwrap();
    assert_eq!((updated.version, updated.variants[0].price.amount_minor), (2, 150));
    // A second editor still holding version 1 must not overwrite the first's change.
    let mut second = first.clone();
    second.title = "Overwritten".into();
    second.version = Some(1);
    assert!(matches!(store.update_seller_product(t, p.id, &second).await, Err(StoreError::Stale)));
    assert!(matches!(store.archive_product(t, p.id, 1).await, Err(StoreError::Stale)));
    let now = store.seller_product(t, p.id).await.unwrap().unwrap();
    assert_eq!((now.title.as_str(), now.version, now.status), ("Title tee", 2, ProductStatus::Active));
    let mut no_version = first.clone();
    no_version.version = None;
    assert!(matches!(store.update_seller_product(t, p.id, &no_version).await, Err(StoreError::Invalid(_))));
}

async fn concurrent_edits_of_one_version_let_exactly_one_win(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let p = store.create_seller_product(t, &input("tee", "active", &[("TEE-S", "S", 100)])).await.unwrap();
    let edits = (0..6).map(|i| {
        let store = store.clone();
        let mut edit = input("tee", "active", &[("TEE-S", "S", 100 + i)]);
        edit.variants[0].id = Some(p.variants[0].id);
        edit.version = Some(p.version);
        tokio::spawn(async move { store.update_seller_product(t, p.id, &edit).await })
    });
    let mut won = 0;
    for edit in edits {
        match edit.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::Stale) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 1, "exactly one edit of version 1 may succeed");
    assert_eq!(store.seller_product(t, p.id).await.unwrap().unwrap().version, 2);
}

async fn variants_are_added_updated_removed_and_may_swap_skus(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let p = store
        .create_seller_product(t, &input("tee", "active", &[("A", "S", 100), ("B", "M", 200), ("C", "L", 300)]))
        .await
        .unwrap();
    // Keep S and M with their SKUs swapped, drop L, add XL.
    let mut edit = input("tee", "active", &[("B", "S", 110), ("A", "M", 210), ("D", "XL", 400)]);
    edit.variants[0].id = Some(p.variants[0].id);
    edit.variants[1].id = Some(p.variants[1].id);
    edit.version = Some(1);
    let after = store.update_seller_product(t, p.id, &edit).await.unwrap();
    let got: Vec<(Uuid, &str, i64)> = after.variants.iter().map(|v| (v.id, v.sku.as_str(), v.price.amount_minor)).collect();
    assert_eq!(&got[..2], &[(p.variants[0].id, "B", 110), (p.variants[1].id, "A", 210)]);
    assert_eq!((got[2].1, got[2].2), ("D", 400));
    assert!(after.variants.iter().all(|v| v.id != p.variants[2].id), "the removed variant is gone");
    // Stock is not editable through the product: only adjustments change it.
    assert_eq!(after.variants[0].inventory_quantity, 5);
    // A variant id of another product is refused and nothing changes.
    let other = store.create_seller_product(t, &input("cap", "active", &[("CAP", "S", 100)])).await.unwrap();
    let mut bad = edit.clone();
    bad.version = Some(after.version);
    bad.variants[0].id = Some(other.variants[0].id);
    assert!(matches!(store.update_seller_product(t, p.id, &bad).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.seller_product(t, p.id).await.unwrap().unwrap(), after);
}

async fn another_tenants_ids_are_never_found_or_changed(store: DynStore) {
    let a = tenant(&store, "acme").await;
    let b = tenant(&store, "bolt").await;
    let pa = store.create_seller_product(a, &input("tee", "active", &[("A-1", "S", 100)])).await.unwrap();
    let cb = store
        .create_collection(b, &CollectionInput { handle: "sale".into(), title: "Sale".into(), description: String::new(), product_ids: vec![], version: None })
        .await
        .unwrap();
    assert!(store.seller_product(b, pa.id).await.unwrap().is_none());
    let mut edit = input("tee", "active", &[("A-1", "S", 1)]);
    edit.version = Some(pa.version);
    assert!(matches!(store.update_seller_product(b, pa.id, &edit).await, Err(StoreError::NotFound)));
    assert!(matches!(store.archive_product(b, pa.id, pa.version).await, Err(StoreError::NotFound)));
    let adjust = InventoryAdjustmentInput { delta: -5, reason: "theft".into() };
    assert!(matches!(store.adjust_inventory(b, pa.variants[0].id, &adjust, "mallory").await, Err(StoreError::NotFound)));
    assert!(store.inventory_history(b, pa.variants[0].id).await.unwrap().is_none());
    assert!(store.collection(a, cb.id).await.unwrap().is_none());
    assert!(matches!(store.delete_collection(a, cb.id).await, Err(StoreError::NotFound)));
    // Bolt cannot put Acme's product into its collection.
    let steal = CollectionInput { handle: "sale".into(), title: "Sale".into(), description: String::new(), product_ids: vec![pa.id], version: Some(cb.version) };
    assert!(matches!(store.update_collection(b, cb.id, &steal).await, Err(StoreError::Invalid(_))));
    assert!(store.seller_products(b, &ProductQuery { limit: 50, ..Default::default() }).await.unwrap().items.is_empty());
    // Acme's product is untouched.
    assert_eq!(store.seller_product(a, pa.id).await.unwrap().unwrap(), pa);
}

async fn search_finds_by_title_sku_or_tag_and_pages_without_gaps(store: DynStore) {
    let t = tenant(&store, "acme").await;
    for i in 0..7 {
        store.create_seller_product(t, &input(&format!("item-{i}"), "active", &[(&format!("SKU-{i}"), "S", 100)])).await.unwrap();
    }
    let mut special = input("lamp", "draft", &[("LMP_100%", "S", 100)]);
    special.title = "Brass Lamp".into();
    special.tags = vec!["Lighting".into()];
    store.create_seller_product(t, &special).await.unwrap();
    let find = |text: &str| ProductQuery { text: Some(text.into()), limit: 50, ..Default::default() };
    let titles = |page: zelly_edge::catalog::Page<zelly_edge::catalog::SellerProduct>| page.items.into_iter().map(|p| p.title).collect::<Vec<_>>();
    assert_eq!(titles(store.seller_products(t, &find("brass")).await.unwrap()), ["Brass Lamp"]);
    assert_eq!(titles(store.seller_products(t, &find("lmp_100%")).await.unwrap()), ["Brass Lamp"], "SKU match, wildcards literal");
    assert!(store.seller_products(t, &find("_")).await.unwrap().items.len() == 1, "'_' is not a wildcard");
    assert_eq!(titles(store.seller_products(t, &find("LIGHTING")).await.unwrap()), ["Brass Lamp"], "tag match ignores case");
    let drafts = ProductQuery { status: Some(ProductStatus::Draft), limit: 50, ..Default::default() };
    assert_eq!(titles(store.seller_products(t, &drafts).await.unwrap()), ["Brass Lamp"]);
    // Page through everything three at a time: every product exactly once.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.seller_products(t, &ProductQuery { limit: 3, cursor: cursor.clone(), ..Default::default() }).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().map(|p| p.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (8, 8));
    let bad = ProductQuery { cursor: Some("nonsense".into()), limit: 3, ..Default::default() };
    assert!(matches!(store.seller_products(t, &bad).await, Err(StoreError::Invalid(_))));
}

async fn inventory_adjustments_change_stock_and_leave_an_exact_trail(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let p = store.create_seller_product(t, &input("tee", "active", &[("TEE-S", "S", 100)])).await.unwrap();
    let v = p.variants[0].id;
    let add = store.adjust_inventory(t, v, &InventoryAdjustmentInput { delta: 10, reason: "received shipment".into() }, "uid-1").await.unwrap();
    assert_eq!((add.delta, add.quantity_after, add.actor.as_str()), (10, 15, "uid-1"));
    let remove = store.adjust_inventory(t, v, &InventoryAdjustmentInput { delta: -4, reason: "damaged".into() }, "uid-2").await.unwrap();
    assert_eq!(remove.quantity_after, 11);
    // Below zero is refused and leaves no trace.
    let too_many = store.adjust_inventory(t, v, &InventoryAdjustmentInput { delta: -12, reason: "lost".into() }, "uid-2").await;
    assert!(matches!(too_many, Err(StoreError::Invalid(_))), "{too_many:?}");
    let history = store.inventory_history(t, v).await.unwrap().unwrap();
    assert_eq!(history.iter().map(|a| a.reason.as_str()).collect::<Vec<_>>(), ["damaged", "received shipment"]);
    assert_eq!(store.seller_product(t, p.id).await.unwrap().unwrap().variants[0].inventory_quantity, 11);
    // Concurrent adjustments are all counted.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.adjust_inventory(t, v, &InventoryAdjustmentInput { delta: 1, reason: "count".into() }, "uid-3").await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let stock = store.seller_product(t, p.id).await.unwrap().unwrap().variants[0].inventory_quantity;
    let trail = store.inventory_history(t, v).await.unwrap().unwrap().len();
    assert_eq!(stock, 19, "no concurrent adjustment is lost");
    assert_eq!(trail, 10, "every adjustment is in the trail");
}

async fn collections_keep_their_order_and_only_the_tenants_products(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let a = store.create_seller_product(t, &input("a", "active", &[("A", "S", 100)])).await.unwrap();
    // Apart in time, so that "newest first" has one answer.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let b = store.create_seller_product(t, &input("b", "active", &[("B", "S", 100)])).await.unwrap();
    let d = store.create_seller_product(t, &input("d", "draft", &[("D", "S", 100)])).await.unwrap();
    let new = CollectionInput { handle: "picks".into(), title: "Picks".into(), description: "ours".into(), product_ids: vec![b.id, a.id, d.id], version: None };
    let c = store.create_collection(t, &new).await.unwrap();
    assert_eq!(c.product_ids, vec![b.id, a.id, d.id]);
    store.add_domain(t, &zelly_edge::DomainName::parse("acme.example").unwrap(), true).await.unwrap();
    let shown = |sort| {
        let store = store.clone();
        async move {
            let query = zelly_store::storefront::ListingQuery { collection: Some(Handle::parse("picks").unwrap()), sort, limit: 50, ..Default::default() };
            let listing = store.storefront_listing(&zelly_edge::DomainName::parse("acme.example").unwrap(), &query).await.unwrap().unwrap();
            (listing.collection.map(|c| c.title), listing.products.iter().map(|p| p.id).collect::<Vec<_>>())
        }
    };
    use zelly_edge::dto::ListingSort::{Featured, Newest};
    assert_eq!(shown(Featured).await, (Some("Picks".to_owned()), vec![b.id, a.id]), "drafts are not shown");
    assert_eq!(shown(Newest).await.1, vec![b.id, a.id], "newest first, drafts left out");
    // Reorder and remove in one save; a stale version is refused.
    let reorder = CollectionInput { product_ids: vec![a.id, b.id], version: Some(c.version), ..new.clone() };
    let c2 = store.update_collection(t, c.id, &reorder).await.unwrap();
    assert_eq!((c2.product_ids.clone(), c2.version), (vec![a.id, b.id], 2));
    assert_eq!(shown(Featured).await.1, vec![a.id, b.id]);
    assert_eq!(shown(Newest).await.1, vec![b.id, a.id], "the merchant's order does not change which is newest");
    assert!(matches!(store.update_collection(t, c.id, &reorder).await, Err(StoreError::Stale)));
    let dup = store.create_collection(t, &CollectionInput { version: None, ..reorder.clone() }).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "handles are unique per tenant");
    assert_eq!(store.collections(t).await.unwrap(), vec![c2.clone()]);
    store.delete_collection(t, c.id).await.unwrap();
    assert!(store.collections(t).await.unwrap().is_empty());
    assert!(store.seller_product(t, a.id).await.unwrap().is_some(), "deleting a collection keeps its products");
}

async fn a_merchant_sees_only_their_memberships(store: DynStore) {
    let a = tenant(&store, "acme").await;
    let b = tenant(&store, "bolt").await;
    store.add_membership(a, "uid-alice", Role::Owner).await.unwrap();
    store.add_membership(b, "uid-alice", Role::Staff).await.unwrap();
    store.add_membership(b, "uid-bob", Role::Owner).await.unwrap();
    let alice: Vec<(String, Role)> =
        store.memberships_of("uid-alice").await.unwrap().into_iter().map(|(t, r)| (t.slug.to_string(), r)).collect();
    assert_eq!(alice, [("acme".to_owned(), Role::Owner), ("bolt".to_owned(), Role::Staff)]);
    let bob = store.memberships_of("uid-bob").await.unwrap();
    assert_eq!(bob.len(), 1);
    assert!(store.memberships_of("uid-nobody").await.unwrap().is_empty());
    store.add_membership(b, "uid-alice", Role::Owner).await.unwrap();
    assert_eq!(store.memberships_of("uid-alice").await.unwrap()[1].1, Role::Owner, "a new role replaces the old");
}
