//! Cart forms: the product page's "Add to cart" and the cart's quantity and remove buttons are
//! plain forms posting to `/cart`, so they work with JavaScript off. The cart itself (the
//! `zelly_cart` cookie) is `zelly_edge::cart`'s, shared with checkout.

use uuid::Uuid;
use zelly_edge::dto::{Product, Variant};
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

/// Applies a posted cart form to the cart in the request's cookies: the updated cart (whose
/// [`Cart::set_cookie`] the host sends) and what was done. An added variant is looked up in the
/// store on `domain`, so only a variant of that store's product, on sale and in stock, gets in.
pub async fn post<O: StorefrontOrigin>(origin: &O, domain: &DomainName, cookie_header: Option<&str>, body: &[u8]) -> Result<(Cart, CartAction), CartError> {
    let action = match parse_form(body)? {
        CartForm::Line(action) => action,
        CartForm::Add { product, variant_id, options, quantity } => {
            let found = match origin.product(domain, &product).await {
                Ok(found) => found.product,
                Err(OriginError::NotFound | OriginError::Suspended) => {
                    return Err(CartError::Invalid("product: this store has no such product".into()));
                }
                Err(OriginError::Unavailable(_) | OriginError::Rejected(_)) => return Err(CartError::Unavailable),
            };
            let variant = choose_variant(&found, variant_id, &options)?;
            CartAction::Add { product_id: found.id, variant_id: variant.id, quantity }
        }
    };
    let mut cart = Cart::from_cookies(cookie_header);
    cart.apply(&action)?;
    Ok((cart, action))
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
}
