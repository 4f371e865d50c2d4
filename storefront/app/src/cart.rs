//! Cart forms: the product page's "Add to cart" and the cart's quantity and remove buttons are
//! plain forms posting to `/cart`, so they work with JavaScript off. The cart itself (the
//! `zelly_cart` cookie) is `zelly_edge::cart`'s, shared with checkout.

use uuid::Uuid;
use zelly_edge::cart::{item_name, only_left_message};
use zelly_edge::dto::{PriceLookup, Product, Variant};
use zelly_edge::origin::{OriginError, StorefrontOrigin};
use zelly_edge::{DomainName, Handle};

pub use zelly_edge::cart::{Cart, CartAction, CartError, CartFailure, CartSummary, CartSummaryLine, CART_COOKIE, CART_MAX_AGE_SECS, MAX_LINES, MAX_QUANTITY};

/// The most bytes a cart form post may have.
pub const MAX_FORM_BYTES: usize = 4 * 1024;

/// A cart form as posted, before origin has been asked about an added product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartForm {
    /// Add `quantity` of the variant of `product` chosen by `variant_id`, or else by one value per
    /// option (`option0`, `option1`, …): the product page's selects post the option values, so
    /// the choice works with JavaScript off.
    Add {
        /// The product's handle.
        product: Handle,
        /// The variant, when the form names it.
        variant_id: Option<Uuid>,
        /// The chosen value of each option, in the product's option order.
        options: Vec<String>,
        /// How many, 1-99.
        quantity: u32,
    },
    /// Change or remove a line: no need to ask origin.
    Line(CartAction),
}

/// A cart form applied: the updated cart (whose [`Cart::set_cookie`] the host sends), what was
/// done, and what the shopper should be told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// The cart after the change.
    pub cart: Cart,
    /// What was done (an add names what was actually added).
    pub action: CartAction,
    /// Set when the store had fewer than asked and the line was capped at what is left.
    pub notice: Option<String>,
    /// The line that was capped, so the cart page can say so after a form post.
    pub capped: Option<Uuid>,
}

impl Posted {
    /// Where a plain form post (no JavaScript) is sent: the cart, naming a capped line so that
    /// the page can say how many are left.
    pub fn location(&self) -> String {
        match self.capped {
            Some(id) => format!("/cart?capped={}", id.simple()),
            None => "/cart".to_owned(),
        }
    }

    /// The JSON answer to a hydrated page: the cart's lines and any notice.
    pub fn summary(&self) -> CartSummary {
        CartSummary { notice: self.notice.clone(), ..self.cart.summary() }
    }
}

/// Applies a posted cart form to the cart in the request's cookies. An added variant is looked
/// up in the store on `domain`, so only a variant of that store's product, on sale and in stock,
/// gets in; an add or a new quantity above what the store has left is capped at that (with a
/// notice), and refused when the cart already holds all there is.
pub async fn post<O: StorefrontOrigin>(origin: &O, domain: &DomainName, cookie_header: Option<&str>, body: &[u8]) -> Result<Posted, CartError> {
    let mut cart = Cart::from_cookies(cookie_header);
    let (action, limit) = match parse_form(body)? {
        CartForm::Line(action @ CartAction::Set { variant_id, quantity }) if quantity > 0 => {
            // A new quantity is held to the stock too: ask origin what is left of the variant.
            let lookup = PriceLookup { variant_ids: vec![variant_id] };
            let list = origin.prices(domain, &lookup).await.map_err(|err| match err {
                OriginError::NotFound | OriginError::Suspended => CartError::Invalid("this store is not open".into()),
                OriginError::Unavailable(_) | OriginError::Rejected(_) => CartError::Unavailable,
            })?;
            let limit = list.detail(variant_id).and_then(|d| Some((d.available?, item_name(&d.product_title, &d.variant_title))));
            (action, limit)
        }
        CartForm::Line(action) => (action, None),
        CartForm::Add { product, variant_id, options, quantity } => {
            let found = match origin.product(domain, &product).await {
                Ok(found) => found,
                Err(OriginError::NotFound | OriginError::Suspended) => {
                    return Err(CartError::Invalid("product: this store has no such product".into()));
                }
                Err(OriginError::Unavailable(_) | OriginError::Rejected(_)) => return Err(CartError::Unavailable),
            };
            let variant = choose_variant(&found.product, variant_id, &options)?;
            let title = if found.product.variants.len() > 1 { variant.title.as_str() } else { "" };
            let limit = found.available(variant.id).map(|left| (left, item_name(&found.product.title, title)));
            (CartAction::Add { product_id: found.product.id, variant_id: variant.id, quantity }, limit)
        }
    };
    let (action, capped) = hold_to_stock(&cart, action, limit)?;
    cart.apply(&action)?;
    let notice = capped.as_ref().map(|(left, item)| only_left_message(item, *left, cart.quantity_of(action_variant(&action))));
    Ok(Posted { capped: capped.map(|_| action_variant(&action)), notice, cart, action })
}

/// The variant an action is about.
fn action_variant(action: &CartAction) -> Uuid {
    match *action {
        CartAction::Add { variant_id, .. } | CartAction::Set { variant_id, .. } | CartAction::Remove { variant_id } => variant_id,
    }
}

/// Holds an add or a new quantity to `limit` (units left, and the item's name): the action as
/// capped, with the limit when it had to be; refused when the cart already holds all there is.
fn hold_to_stock(cart: &Cart, action: CartAction, limit: Option<(u32, String)>) -> Result<(CartAction, Option<(u32, String)>), CartError> {
    let Some((left, item)) = limit else { return Ok((action, None)) };
    match action {
        CartAction::Add { product_id, variant_id, quantity } => {
            let has = cart.quantity_of(variant_id);
            let room = left.saturating_sub(has);
            if room == 0 {
                return Err(CartError::Invalid(only_left_message(&item, left, has)));
            }
            if quantity > room {
                return Ok((CartAction::Add { product_id, variant_id, quantity: room }, Some((left, item))));
            }
            Ok((CartAction::Add { product_id, variant_id, quantity }, None))
        }
        CartAction::Set { variant_id, quantity } if quantity > left => {
            // Nothing left at all: the line goes, and the shopper is told it sold out.
            Ok((CartAction::Set { variant_id, quantity: left }, Some((left, item))))
        }
        other => Ok((other, None)),
    }
}

/// The variant of `product` a form chose, if it can be bought.
pub fn choose_variant<'p>(product: &'p Product, variant_id: Option<Uuid>, options: &[String]) -> Result<&'p Variant, CartError> {
    let chosen = match variant_id {
        Some(id) => product.variants.iter().find(|v| v.id == id),
        None if product.variants.len() == 1 && options.is_empty() => product.variants.first(),
        None => product.variants.iter().find(|v| v.options.len() == options.len() && v.options.iter().zip(options).all(|(a, b)| a.trim() == b.trim())),
    };
    let Some(variant) = chosen else {
        return Err(CartError::Invalid(if variant_id.is_some() {
            "variant_id: not a variant of this product".into()
        } else {
            format!("{} is not available in that combination", product.title)
        }));
    };
    if !variant.available {
        return Err(CartError::Invalid(format!("{} ({}) is sold out", product.title, variant.title)));
    }
    Ok(variant)
}

/// Reads a cart form (`application/x-www-form-urlencoded`): `action` is `add` (with `product`,
/// then `variant_id` or `option0`, `option1`, …, and `quantity`), `set` (`variant_id`, `quantity`
/// 0-99) or `remove` (`variant_id`).
pub fn parse_form(body: &[u8]) -> Result<CartForm, CartError> {
    if body.len() > MAX_FORM_BYTES {
        return Err(CartError::TooLarge);
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    let id = |name: &str| {
        get(name)
            .and_then(|v| Uuid::parse_str(&v).ok())
            .ok_or_else(|| CartError::Invalid(format!("{name}: a variant must be chosen")))
    };
    let quantity = |range: std::ops::RangeInclusive<u32>| {
        get("quantity")
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|q| range.contains(q))
            .ok_or_else(|| CartError::Invalid(format!("quantity: must be {}-{}", range.start(), range.end())))
    };
    match get("action").as_deref() {
        Some("add") => {
            let product = get("product")
                .and_then(|h| Handle::parse(&h).ok())
                .ok_or_else(|| CartError::Invalid("product: which product to add is missing".into()))?;
            let variant_id = match get("variant_id") {
                Some(v) if !v.is_empty() => Some(Uuid::parse_str(&v).map_err(|_| CartError::Invalid("variant_id: not a variant id".into()))?),
                _ => None,
            };
            let options = (0..MAX_OPTIONS).map_while(|i| get(&format!("option{i}"))).collect();
            Ok(CartForm::Add { product, variant_id, options, quantity: quantity(1..=MAX_QUANTITY)? })
        }
        Some("set") => Ok(CartForm::Line(CartAction::Set { variant_id: id("variant_id")?, quantity: quantity(0..=MAX_QUANTITY)? })),
        Some("remove") => Ok(CartForm::Line(CartAction::Remove { variant_id: id("variant_id")? })),
        _ => Err(CartError::Invalid("action: must be add, set or remove".into())),
    }
}

/// The most options a product form carries.
const MAX_OPTIONS: usize = 8;

/// Whether a cart post asked for a JSON answer (`Accept: application/json`, as the product page
/// and cart do once hydrated) rather than a redirect.
pub fn wants_json(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| a.split(',').any(|t| t.trim().starts_with("application/json")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn forms_name_what_is_wrong() {
        let add = "action=add&product=tee&option0=Large&option1=Blue&quantity=2";
        let tee = Handle::parse("tee").unwrap();
        assert_eq!(
            parse_form(add.as_bytes()),
            Ok(CartForm::Add { product: tee.clone(), variant_id: None, options: vec!["Large".into(), "Blue".into()], quantity: 2 })
        );
        let by_id = format!("action=add&product=tee&variant_id={}&quantity=1", id(1));
        assert_eq!(parse_form(by_id.as_bytes()), Ok(CartForm::Add { product: tee, variant_id: Some(id(1)), options: vec![], quantity: 1 }));
        let Err(CartError::Invalid(why)) = parse_form(b"action=add&variant_id=x&quantity=2") else { panic!() };
        assert!(why.contains("product"), "{why}");
        let Err(CartError::Invalid(why)) = parse_form(b"action=add&product=tee&variant_id=x&quantity=2") else { panic!() };
        assert!(why.contains("variant_id"), "{why}");
        let Err(CartError::Invalid(why)) = parse_form(b"action=remove") else { panic!() };
        assert!(why.contains("variant_id"), "{why}");
        let Err(CartError::Invalid(why)) = parse_form(format!("action=set&variant_id={}&quantity=100", id(1)).as_bytes()) else { panic!() };
        assert!(why.contains("quantity"), "{why}");
        assert!(parse_form(b"action=steal").is_err());
        assert_eq!(parse_form(&vec![b'a'; MAX_FORM_BYTES + 1]), Err(CartError::TooLarge));
    }

    fn shirt() -> Product {
        let variant = |n: u128, size: &str, colour: &str, available: bool| Variant {
            id: id(n),
            sku: format!("SHIRT-{n}"),
            title: format!("{size} / {colour}"),
            price: zelly_edge::Money::new(1_000, zelly_edge::Currency::INR),
            options: vec![size.into(), colour.into()],
            compare_at_price: None,
            available,
        };
        Product {
            id: id(100),
            handle: Handle::parse("shirt").unwrap(),
            title: "Shirt".into(),
            description: String::new(),
            image_url: None,
            images: vec![],
            option_names: vec!["Size".into(), "Colour".into()],
            seo_title: None,
            seo_description: None,
            variants: vec![variant(1, "S", "Blue", true), variant(2, "L", "Blue", false), variant(3, "L", "Red", true)],
        }
    }

    #[test]
    fn the_chosen_options_pick_the_variant_and_only_a_buyable_one() {
        let shirt = shirt();
        let pick = |options: &[&str]| choose_variant(&shirt, None, &options.iter().map(|o| o.to_string()).collect::<Vec<_>>()).map(|v| v.id);
        assert_eq!(pick(&["L", "Red"]), Ok(id(3)));
        assert_eq!(pick(&["S", "Blue"]), Ok(id(1)));
        let Err(CartError::Invalid(why)) = pick(&["L", "Blue"]) else { panic!() };
        assert!(why.contains("sold out"), "{why}");
        let Err(CartError::Invalid(why)) = pick(&["S", "Red"]) else { panic!() };
        assert!(why.contains("not available in that combination"), "{why}");
        assert!(pick(&["L"]).is_err(), "every option must be chosen");
        assert_eq!(choose_variant(&shirt, Some(id(3)), &[]).map(|v| v.id), Ok(id(3)));
        let Err(CartError::Invalid(why)) = choose_variant(&shirt, Some(id(999)), &[]) else { panic!() };
        assert!(why.contains("not a variant of this product"), "{why}");
    }

    #[test]
    fn hydrated_pages_ask_for_json() {
        assert!(wants_json(Some("application/json")));
        assert!(wants_json(Some("text/html, application/json;q=0.9")));
        assert!(!wants_json(Some("text/html,application/xhtml+xml")));
        assert!(!wants_json(None));
        let mut cart = Cart::default();
        cart.apply(&CartAction::Add { product_id: id(9), variant_id: id(1), quantity: 2 }).unwrap();
        let json = serde_json::to_value(cart.summary()).unwrap();
        assert_eq!(json, serde_json::json!({ "count": 2, "lines": [{ "variant_id": id(1), "quantity": 2 }] }));
    }

    /// A store selling [`shirt`], of whose L / Red only 2 are left (stock tracked), the rest
    /// untracked.
    struct ShirtShop;

    impl StorefrontOrigin for ShirtShop {
        async fn listing(&self, _: &DomainName, _: &zelly_edge::dto::ListingRequest) -> Result<zelly_edge::dto::StoreListing, OriginError> { Err(OriginError::NotFound) }
        async fn product(&self, _: &DomainName, handle: &Handle) -> Result<zelly_edge::dto::StoreProduct, OriginError> {
            if handle.as_str() != "shirt" {
                return Err(OriginError::NotFound);
            }
            let stock = vec![zelly_edge::dto::VariantStock::of(id(3), true, 2), zelly_edge::dto::VariantStock::of(id(1), false, 0)];
            Ok(zelly_edge::dto::StoreProduct { store: store(), product: shirt(), stock })
        }
        async fn sitemap(&self, _: &DomainName, _: u64, _: u32) -> Result<zelly_edge::dto::StoreSitemap, OriginError> { Err(OriginError::NotFound) }
        async fn prices(&self, _: &DomainName, lookup: &PriceLookup) -> Result<zelly_edge::dto::PriceList, OriginError> {
            let details = lookup.variant_ids.iter().filter(|v| **v == id(3)).map(|v| zelly_edge::dto::VariantDetail {
                variant_id: *v,
                product_title: "Shirt".into(),
                product_handle: Handle::parse("shirt").unwrap(),
                variant_title: "L / Red".into(),
                image_url: None,
                available: Some(2),
            }).collect();
            Ok(zelly_edge::dto::PriceList { prices: vec![], store: Some(store()), cash_on_delivery: false, online_payments: true, details })
        }
        async fn validate_domain(&self, _: &DomainName) -> Result<bool, OriginError> { Ok(true) }
        async fn store_version(&self, _: &DomainName) -> Result<i64, OriginError> { Ok(1) }
        async fn send_events(&self, _: &DomainName, _: &zelly_edge::events::EventBatch, _: Option<&str>) -> Result<(), OriginError> { Ok(()) }
    }

    fn store() -> zelly_edge::dto::StoreInfo {
        zelly_edge::dto::StoreInfo {
            slug: zelly_edge::TenantSlug::parse("acme").unwrap(),
            name: "Acme".into(),
            domain: DomainName::parse("acme.example").unwrap(),
            logo_url: None,
            accent_color: None,
        }
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut future = std::pin::pin!(future);
        loop {
            if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    #[test]
    fn adding_more_than_is_left_is_capped_with_a_notice_then_refused() {
        let domain = DomainName::parse("acme.example").unwrap();
        let post_with = |cart: &Cart, body: &str| {
            let cookie = cart.set_cookie(false);
            let cookie = cookie.split(';').next().unwrap().to_owned();
            block_on(post(&ShirtShop, &domain, Some(&cookie), body.as_bytes()))
        };
        let add = |q: u32| format!("action=add&product=shirt&option0=L&option1=Red&quantity={q}");
        let one = post_with(&Cart::default(), &add(1)).unwrap();
        assert_eq!((one.cart.quantity_of(id(3)), one.notice.as_deref(), one.location()), (1, None, "/cart".to_owned()));
        // Five more asked for, one more left: capped at the two there are, and told so.
        let capped = post_with(&one.cart, &add(5)).unwrap();
        assert_eq!(capped.cart.quantity_of(id(3)), 2);
        assert_eq!(capped.notice.as_deref(), Some("Only 2 left of Shirt — L / Red; your cart has 2."));
        assert_eq!(capped.action, CartAction::Add { product_id: id(100), variant_id: id(3), quantity: 1 }, "the event counts what was added");
        assert_eq!(capped.location(), format!("/cart?capped={}", id(3).simple()));
        assert_eq!(capped.summary().notice, capped.notice);
        // The cart holds all there is: refused, and the cart is unchanged.
        let Err(CartError::Invalid(why)) = post_with(&capped.cart, &add(1)) else { panic!("accepted") };
        assert_eq!(why, "Only 2 left of Shirt — L / Red; your cart has 2.");
        // An untracked variant has no limit.
        let blue = post_with(&Cart::default(), "action=add&product=shirt&option0=S&option1=Blue&quantity=60").unwrap();
        assert_eq!((blue.cart.quantity_of(id(1)), blue.notice), (60, None));
    }

    #[test]
    fn a_new_quantity_above_what_is_left_is_held_to_it() {
        let domain = DomainName::parse("acme.example").unwrap();
        let mut cart = Cart::default();
        cart.apply(&CartAction::Add { product_id: id(100), variant_id: id(3), quantity: 1 }).unwrap();
        let cookie = cart.set_cookie(false).split(';').next().unwrap().to_owned();
        let set = format!("action=set&variant_id={}&quantity=9", id(3));
        let posted = block_on(post(&ShirtShop, &domain, Some(&cookie), set.as_bytes())).unwrap();
        assert_eq!(posted.cart.quantity_of(id(3)), 2);
        assert_eq!(posted.notice.as_deref(), Some("Only 2 left of Shirt — L / Red; your cart has 2."));
        let within = format!("action=set&variant_id={}&quantity=2", id(3));
        assert_eq!(block_on(post(&ShirtShop, &domain, Some(&cookie), within.as_bytes())).unwrap().notice, None);
    }
}
