//! The demo tenant `cargo xtask dev` and the browser tests run against.

use crate::{DynStore, NewProduct, NewTenant, NewVariant, StoreError};
use zelly_edge::catalog::{CollectionInput, Role};
use zelly_edge::dto::Tenant;
use zelly_edge::{Currency, DomainName, Handle, Money, TenantSlug};

/// The demo tenant's slug.
pub const DEMO_SLUG: &str = "demo";
/// The demo tenant's domain.
pub const DEMO_DOMAIN: &str = "demo.localhost";
/// The demo store's second address, so that signing in on one of a store's domains and being
/// signed in on another can be tried (and is tested) in development.
pub const DEMO_SECOND_ADDRESS: &str = "bazaar.localhost";
/// Firebase uid of the demo store's owner (the dev issuer's default account).
pub const DEMO_MERCHANT_UID: &str = "demo-merchant";

/// (handle, title, description, price in paise, variant labels)
const CATALOG: [(&str, &str, &str, i64, &[&str]); 12] = [
    ("indigo-kurta", "Indigo Kurta", "Hand-block printed cotton kurta in deep indigo.", 149_900, &["S", "M", "L"]),
    ("saffron-scarf", "Saffron Scarf", "Light silk-blend scarf dyed saffron.", 79_900, &["One size"]),
    ("brass-diya", "Brass Diya", "Polished brass oil lamp, hand-cast.", 59_900, &["Small", "Large"]),
    ("terracotta-planter", "Terracotta Planter", "Unglazed clay planter with drainage hole.", 44_900, &["15 cm", "25 cm"]),
    ("masala-chai-tin", "Masala Chai Tin", "250 g of Assam tea with whole spices.", 34_900, &["250 g"]),
    ("jute-tote", "Jute Tote", "Sturdy jute shopping bag with cotton handles.", 29_900, &["One size"]),
    ("copper-bottle", "Copper Bottle", "One-litre pure copper water bottle.", 99_900, &["1 L"]),
    ("block-print-cushion", "Block Print Cushion", "Cushion cover in hand-block printed cotton.", 69_900, &["40 cm", "50 cm"]),
    ("neem-comb", "Neem Wood Comb", "Wide-tooth comb carved from neem wood.", 19_900, &["One size"]),
    ("pashmina-shawl", "Pashmina Shawl", "Soft woollen shawl woven in Kashmir.", 499_900, &["Natural", "Charcoal"]),
    ("khadi-notebook", "Khadi Notebook", "A5 notebook of handmade khadi paper.", 24_900, &["Plain", "Ruled"]),
    ("sandalwood-soap", "Sandalwood Soap", "Cold-process soap with sandalwood oil.", 14_900, &["Single", "Pack of 3"]),
];

/// Gives the demo store its second address, unless it has it (older data directories lack it).
async fn add_second_address(store: &DynStore, tenant: uuid::Uuid) -> Result<(), StoreError> {
    let second = DomainName::parse(DEMO_SECOND_ADDRESS).map_err(|e| StoreError::Invalid(e.to_string()))?;
    match store.add_domain(tenant, &second, false).await {
        Ok(()) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(other) => Err(other),
    }
}

/// Creates the demo tenant, its domain, its owner's membership and its twelve products, unless the
/// tenant already exists.
///
/// Safe to call on every start: an existing demo tenant keeps its catalog; only the owner's
/// membership is (re)asserted.
pub async fn seed_demo(store: &DynStore) -> Result<Tenant, StoreError> {
    let slug = TenantSlug::parse(DEMO_SLUG).map_err(|e| StoreError::Invalid(e.to_string()))?;
    if let Some(existing) = store.tenant_by_slug(&slug).await? {
        store.add_membership(existing.id, DEMO_MERCHANT_UID, Role::Owner).await?;
        add_second_address(store, existing.id).await?;
        return Ok(existing);
    }
    let tenant = store
        .create_tenant(&NewTenant { slug, name: "Zelly Demo Bazaar".into() })
        .await?;
    let domain = DomainName::parse(DEMO_DOMAIN).map_err(|e| StoreError::Invalid(e.to_string()))?;
    store.add_domain(tenant.id, &domain, true).await?;
    add_second_address(store, tenant.id).await?;
    store.add_membership(tenant.id, DEMO_MERCHANT_UID, Role::Owner).await?;
    let mut created = Vec::new();
    for (handle, title, description, price, options) in CATALOG {
        let handle = Handle::parse(handle).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let variants = options
            .iter()
            .enumerate()
            .map(|(i, label)| NewVariant {
                sku: format!("{}-{}", handle.as_str().to_uppercase(), i + 1),
                title: (*label).to_owned(),
                // Larger options cost a little more, so a variant picker has something to show.
                price: Money::new(price + i as i64 * 10_000, Currency::INR),
            })
            .collect();
        let product = store
            .create_product(
                tenant.id,
                &NewProduct {
                    image_url: Some(format!("/assets/demo/{handle}.svg")),
                    handle,
                    title: title.to_owned(),
                    description: description.to_owned(),
                    variants,
                },
            )
            .await?;
        created.push(product);
    }
    let festive: Vec<_> = created
        .iter()
        .filter(|p| ["brass-diya", "pashmina-shawl", "indigo-kurta", "masala-chai-tin"].contains(&p.handle.as_str()))
        .map(|p| p.id)
        .collect();
    store
        .create_collection(
            tenant.id,
            &CollectionInput {
                handle: "festive-picks".into(),
                title: "Festive Picks".into(),
                description: "Gifts for the season of lights.".into(),
                product_ids: festive,
                version: None,
            },
        )
        .await?;
    // The home page features it.
    let look = zelly_edge::catalog::StoreSettingsInput {
        name: tenant.name.clone(),
        logo_url: None,
        accent_color: None,
        featured_collection: Some("festive-picks".into()),
        cash_on_delivery: true,
    };
    store.update_store_settings(tenant.id, &look).await
}

/// The second demo tenant's slug: a small tea shop on its own domain, with its own look, so that two
/// stores can be seen side by side (isolation, theming, edge caching).
pub const SECOND_SLUG: &str = "chai";
/// The second demo tenant's domain.
pub const SECOND_DOMAIN: &str = "chai.localhost";
/// Firebase uid of the second demo store's owner.
pub const SECOND_MERCHANT_UID: &str = "chai-merchant";

/// Creates the second demo tenant ("Chai Corner", `chai.localhost`, three products, one of them
/// with the same handle as a product of the first demo store), unless it exists.
pub async fn seed_second_demo(store: &DynStore) -> Result<Tenant, StoreError> {
    let slug = TenantSlug::parse(SECOND_SLUG).map_err(|e| StoreError::Invalid(e.to_string()))?;
    if let Some(existing) = store.tenant_by_slug(&slug).await? {
        store.add_membership(existing.id, SECOND_MERCHANT_UID, Role::Owner).await?;
        return Ok(existing);
    }
    let tenant = store.create_tenant(&NewTenant { slug, name: "Chai Corner".into() }).await?;
    let domain = DomainName::parse(SECOND_DOMAIN).map_err(|e| StoreError::Invalid(e.to_string()))?;
    store.add_domain(tenant.id, &domain, true).await?;
    store.add_membership(tenant.id, SECOND_MERCHANT_UID, Role::Owner).await?;
    let products: [(&str, &str, &str, i64, &str); 3] = [
        ("masala-chai-tin", "Assam Masala Chai", "Strong CTC tea with cardamom and ginger, 500 g.", 42_000, "masala-chai-tin"),
        ("copper-kettle", "Copper Kettle", "Hammered copper kettle for two.", 189_000, "copper-bottle"),
        ("tea-journal", "Tea Tasting Journal", "Khadi-paper notebook for tasting notes.", 31_000, "khadi-notebook"),
    ];
    for (handle, title, description, price, image) in products {
        let handle = Handle::parse(handle).map_err(|e| StoreError::Invalid(e.to_string()))?;
        store
            .create_product(
                tenant.id,
                &NewProduct {
                    image_url: Some(format!("/assets/demo/{image}.svg")),
                    variants: vec![NewVariant {
                        sku: format!("CHAI-{}", handle.as_str().to_uppercase()),
                        title: "One size".into(),
                        price: Money::new(price, Currency::INR),
                    }],
                    handle,
                    title: title.to_owned(),
                    description: description.to_owned(),
                },
            )
            .await?;
    }
    let look = zelly_edge::catalog::StoreSettingsInput {
        name: "Chai Corner".into(),
        logo_url: Some("/assets/demo/masala-chai-tin.svg".into()),
        accent_color: Some("#8a3b12".into()),
        featured_collection: None,
        cash_on_delivery: false,
    };
    store.update_store_settings(tenant.id, &look).await
}

/// Handles of the demo products, for tests and the image generator.
pub fn demo_handles() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|(handle, ..)| *handle)
}
