//! The storefront's reads on both backends, on a 10,000-product store: every listing pages through
//! the whole catalog exactly once, search runs in the database, and a domain only ever reads its
//! own store.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;
use zelly_edge::catalog::{CollectionInput, ProductInput};
use zelly_edge::dto::{ListingSort, TenantStatus};
use zelly_edge::{DomainName, Handle, TenantSlug};
use zelly_store::storefront::{Listing, ListingCursor, ListingQuery};
use zelly_store::{DynStore, NewTenant};

zelly_store::on_both_backends!(
    a_ten_thousand_product_catalog_pages_through_every_product_exactly_once_in_each_order,
    search_runs_in_the_database_and_finds_a_title_word_or_a_sku,
    a_collection_pages_in_the_merchants_order_and_the_home_page_leads_with_the_featured_one,
    a_domain_reads_only_its_own_store_even_with_the_same_handles,
    the_sitemap_pages_by_offset_and_counts_the_active_products,
);

const ADJECTIVES: [&str; 5] = ["Brass", "Clay", "Silk", "Teak", "Wool"];
const NOUNS: [&str; 4] = ["Lamp", "Bowl", "Scarf", "Stool"];

fn product(i: usize, prefix: &str) -> ProductInput {
    serde_json::from_value(json!({
        "handle": format!("{prefix}-{i:05}"),
        "title": format!("{} {} {i}", ADJECTIVES[i % 5], NOUNS[i % 4]),
        "description": "Made by hand in small batches.",
        "status": if i % 50 == 49 { "draft" } else { "active" },
        "option_names": ["Size"],
        "tags": ["handmade"],
        "variants": [
            { "sku": format!("{prefix}-{i:05}-S"), "options": ["S"], "price_minor": 1000 + (i * 7919) % 90_000, "inventory_quantity": 3 },
            { "sku": format!("{prefix}-{i:05}-L"), "options": ["L"], "price_minor": 2000 + (i * 7919) % 90_000, "inventory_quantity": 0, "track_inventory": false },
        ],
    }))
    .unwrap()
}

async fn store_with(store: &DynStore, slug: &str, domain: &str, count: usize) -> (Uuid, Vec<Uuid>) {
    let tenant = store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: slug.into() }).await.unwrap().id;
    store.add_domain(tenant, &DomainName::parse(domain).unwrap(), true).await.unwrap();
    let inputs: Vec<ProductInput> = (0..count).map(|i| product(i, "item")).collect();
    let ids = store.import_seller_products(tenant, &inputs).await.unwrap();
    (tenant, ids)
}

fn domain(name: &str) -> DomainName {
    DomainName::parse(name).unwrap()
}

async fn page(store: &DynStore, on: &str, query: &ListingQuery) -> Listing {
    store.storefront_listing(&domain(on), query).await.unwrap().unwrap()
}

/// Follows `next` from the first page to the last: every handle seen, in order.
async fn walk(store: &DynStore, on: &str, mut query: ListingQuery) -> (Vec<String>, Vec<i64>) {
    let (mut handles, mut prices) = (Vec::new(), Vec::new());
    for _ in 0..1_000 {
        let listing = page(store, on, &query).await;
        assert!(listing.products.len() <= query.limit as usize);
        for p in &listing.products {
            handles.push(p.handle.to_string());
            prices.push(p.from_price.unwrap().amount_minor);
        }
        match listing.next {
            Some(next) => query.after = Some(next),
            None => return (handles, prices),
        }
    }
    panic!("the listing never ended");
}

fn active_count(count: usize) -> usize {
    (0..count).filter(|i| i % 50 != 49).count()
}

async fn a_ten_thousand_product_catalog_pages_through_every_product_exactly_once_in_each_order(store: DynStore) {
    const COUNT: usize = 10_000;
    store_with(&store, "big", "big.example", COUNT).await;
    let active = active_count(COUNT);
    for sort in [ListingSort::Featured, ListingSort::PriceAsc, ListingSort::PriceDesc] {
        let (handles, prices) = walk(&store, "big.example", ListingQuery { sort, limit: 100, ..ListingQuery::default() }).await;
        assert_eq!(handles.len(), active, "{sort:?}: every active product, drafts never");
        assert_eq!(handles.iter().collect::<HashSet<_>>().len(), active, "{sort:?}: none twice");
        match sort {
            ListingSort::PriceAsc => assert!(prices.windows(2).all(|w| w[0] <= w[1]), "cheapest first"),
            ListingSort::PriceDesc => assert!(prices.windows(2).all(|w| w[0] >= w[1]), "dearest first"),
            _ => {}
        }
    }
    // A cursor from another listing, or one that is not a cursor, ends nothing badly.
    let first = page(&store, "big.example", &ListingQuery { limit: 48, ..ListingQuery::default() }).await;
    assert_eq!(first.products.len(), 48);
    let beyond = ListingCursor { key: i64::MIN, handle: String::new() };
    let last = page(&store, "big.example", &ListingQuery { limit: 48, after: Some(beyond), ..ListingQuery::default() }).await;
    assert!(last.products.is_empty() && last.next.is_none());
}

async fn search_runs_in_the_database_and_finds_a_title_word_or_a_sku(store: DynStore) {
    const COUNT: usize = 10_000;
    store_with(&store, "big", "big.example", COUNT).await;
    let search = |text: &str, sort: ListingSort| ListingQuery { search: Some(text.into()), sort, limit: 100, ..ListingQuery::default() };
    // By a word of the title: every active "Teak … Stool" (i % 5 == 3 and i % 4 == 3), through every page.
    let expected = (0..COUNT).filter(|i| i % 50 != 49 && i % 5 == 3 && i % 4 == 3).count();
    let (found, _) = walk(&store, "big.example", search("teak STOOL", ListingSort::Featured)).await;
    assert_eq!(found.len(), expected);
    assert_eq!(found.iter().collect::<HashSet<_>>().len(), expected, "relevance pages never repeat a product");
    let (by_price, prices) = walk(&store, "big.example", search("teak stool", ListingSort::PriceAsc)).await;
    assert_eq!(by_price.len(), expected);
    assert!(prices.windows(2).all(|w| w[0] <= w[1]));
    // By SKU, whole or by its number; the product whose title holds the word ranks first.
    let sku = page(&store, "big.example", &search("item-04242-L", ListingSort::Featured)).await;
    assert_eq!(sku.products.first().map(|p| p.handle.as_str()), Some("item-04242"));
    let number = page(&store, "big.example", &search("04242", ListingSort::Featured)).await;
    assert_eq!(number.products.iter().map(|p| p.handle.as_str()).collect::<Vec<_>>(), ["item-04242"]);
    let title = page(&store, "big.example", &search("scarf 4242", ListingSort::Featured)).await;
    assert_eq!(title.products.first().map(|p| p.handle.as_str()), Some("item-04242"), "title words rank first");
    // A word's beginning finds it; drafts, nonsense and punctuation find nothing.
    assert!(!page(&store, "big.example", &search("bra", ListingSort::Featured)).await.products.is_empty());
    assert!(page(&store, "big.example", &search("item-00049", ListingSort::Featured)).await.products.is_empty(), "a draft");
    for nothing in ["zzzz", "*:& !", "'); DROP TABLE products; --"] {
        assert!(page(&store, "big.example", &search(nothing, ListingSort::Featured)).await.products.is_empty(), "{nothing}");
    }
}

async fn a_collection_pages_in_the_merchants_order_and_the_home_page_leads_with_the_featured_one(store: DynStore) {
    let (tenant, ids) = store_with(&store, "shop", "shop.example", 300).await;
    // 150 products, in reverse of their creation, drafts among them.
    let members: Vec<Uuid> = ids.iter().rev().step_by(2).copied().collect();
    store
        .create_collection(tenant, &CollectionInput { handle: "picks".into(), title: "Picks".into(), description: "Ours".into(), product_ids: members.clone(), version: None })
        .await
        .unwrap();
    let query = ListingQuery { collection: Some(Handle::parse("picks").unwrap()), limit: 48, ..ListingQuery::default() };
    let (handles, _) = walk(&store, "shop.example", query.clone()).await;
    let expected: Vec<String> = (0..300).rev().step_by(2).filter(|i| i % 50 != 49).map(|i| format!("item-{i:05}")).collect();
    assert_eq!(handles, expected, "the merchant's order, active products only");
    let first = page(&store, "shop.example", &query).await;
    assert_eq!(first.collection.as_ref().map(|c| c.title.as_str()), Some("Picks"));
    assert!(first.featured.is_none(), "only the home page shows the featured collection");
    let (cheapest, prices) = walk(&store, "shop.example", ListingQuery { sort: ListingSort::PriceAsc, ..query.clone() }).await;
    assert_eq!(cheapest.iter().collect::<HashSet<_>>(), expected.iter().collect::<HashSet<_>>());
    assert!(prices.windows(2).all(|w| w[0] <= w[1]));
    let missing = ListingQuery { collection: Some(Handle::parse("nope").unwrap()), ..query };
    assert!(page(&store, "shop.example", &missing).await.collection.is_none());

    let mut settings = serde_json::from_value::<zelly_edge::catalog::StoreSettingsInput>(json!({ "name": "Shop", "featured_collection": "picks" })).unwrap();
    settings.cash_on_delivery = false;
    store.update_store_settings(tenant, &settings).await.unwrap();
    let home = page(&store, "shop.example", &ListingQuery { limit: 48, ..ListingQuery::default() }).await;
    let featured = home.featured.expect("the featured collection leads the home page");
    assert_eq!(featured.title, "Picks");
    assert_eq!(featured.products.iter().map(|p| p.handle.to_string()).collect::<Vec<_>>(), expected[..12]);
    assert_eq!(home.collections.iter().map(|c| c.handle.as_str()).collect::<Vec<_>>(), ["picks"]);
    let second = page(&store, "shop.example", &ListingQuery { limit: 48, after: home.next, ..ListingQuery::default() }).await;
    assert!(second.featured.is_none(), "only on the first page");
}

async fn a_domain_reads_only_its_own_store_even_with_the_same_handles(store: DynStore) {
    let (a, _) = store_with(&store, "alpha", "alpha.example", 30).await;
    let b = store.create_tenant(&NewTenant { slug: TenantSlug::parse("beta").unwrap(), name: "Beta".into() }).await.unwrap().id;
    store.add_domain(b, &domain("beta.example"), true).await.unwrap();
    let mut theirs = product(1, "item");
    theirs.title = "Beta's own".into();
    theirs.variants.iter_mut().for_each(|v| v.sku = format!("B{}", v.sku));
    store.import_seller_products(b, &[theirs]).await.unwrap();

    let handle = Handle::parse("item-00001").unwrap();
    let mine = store.storefront_product(&domain("alpha.example"), &handle).await.unwrap().unwrap();
    assert_eq!((mine.tenant.id, mine.product.unwrap().0.title), (a, "Clay Bowl 1".to_owned()));
    let (product, stock) = store.storefront_product(&domain("beta.example"), &handle).await.unwrap().unwrap().product.unwrap();
    assert_eq!(product.title, "Beta's own");
    assert_eq!(stock.iter().map(|s| s.available).collect::<Vec<_>>(), [Some(3), None], "tracked stock, and no limit");
    let beta = page(&store, "beta.example", &ListingQuery { limit: 100, ..ListingQuery::default() }).await;
    assert_eq!(beta.products.len(), 1);
    let card = &beta.products[0];
    assert_eq!((card.title.as_str(), card.variant_count, card.from_price.map(|m| m.amount_minor)), ("Beta's own", 2, Some(1000 + 7919)));
    let searched = page(&store, "beta.example", &ListingQuery { search: Some("clay".into()), limit: 100, ..ListingQuery::default() }).await;
    assert!(searched.products.is_empty(), "alpha's clay is not beta's");
    assert!(store.storefront_listing(&domain("nobody.example"), &ListingQuery::default()).await.unwrap().is_none());

    store.set_tenant_status(b, TenantStatus::Suspended).await.unwrap();
    let closed = page(&store, "beta.example", &ListingQuery { limit: 100, ..ListingQuery::default() }).await;
    assert_eq!(closed.tenant.status, TenantStatus::Suspended);
    assert!(closed.products.is_empty());
    assert!(store.storefront_product(&domain("beta.example"), &handle).await.unwrap().unwrap().product.is_none());
}

async fn the_sitemap_pages_by_offset_and_counts_the_active_products(store: DynStore) {
    store_with(&store, "shop", "shop.example", 250).await;
    let on = domain("shop.example");
    let first = store.storefront_sitemap(&on, 0, 100).await.unwrap().unwrap();
    assert_eq!(first.total as usize, active_count(250));
    assert_eq!(first.products.len(), 100);
    let mut all: Vec<String> = first.products.iter().map(ToString::to_string).collect();
    let mut offset = 100;
    while (offset as u64) < first.total {
        let next = store.storefront_sitemap(&on, offset as u64, 100).await.unwrap().unwrap();
        assert!(next.collections.is_empty());
        all.extend(next.products.iter().map(ToString::to_string));
        offset += 100;
    }
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((all.len(), sorted), (active_count(250), all));
}
