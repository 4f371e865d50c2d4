//! The shopper's cart: which variants, how many, kept in the shopper's own `zelly_cart` cookie.
//!
//! The cookie holds ids and quantities only, never prices: every page that shows the cart (the
//! storefront's cart, checkout) prices each line from origin, so editing the cookie can change
//! what is in the cart but never what it costs, and a line for a variant that is gone or belongs
//! to another store simply drops out. Keeping the cart in the cookie makes it the same on every
//! host (storefront and checkout, Worker and native) with no session store at the edge.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The cart cookie's name.
pub const CART_COOKIE: &str = "zelly_cart";
pub use crate::limits::{MAX_LINES, MAX_QUANTITY};
/// How long an untouched cart is kept: 30 days.
pub const CART_MAX_AGE_SECS: u32 = 30 * 24 * 60 * 60;

/// Variants and quantities, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cart {
    lines: Vec<(Uuid, u32)>,
}

/// What a cart form asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartAction {
    /// Add `quantity` of a variant of `product` (from a product page).
    Add {
        /// The product (for analytics).
        product_id: Uuid,
        /// The variant.
        variant_id: Uuid,
        /// How many, 1-99.
        quantity: u32,
    },
    /// Set a line's quantity; 0 removes it.
    Set {
        /// The variant.
        variant_id: Uuid,
        /// How many, 0-99.
        quantity: u32,
    },
    /// Remove a line.
    Remove {
        /// The variant.
        variant_id: Uuid,
    },
}

/// Why a cart form was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    /// Over the most bytes a cart form may have.
    #[error("the form is too large")]
    TooLarge,
    /// A field is missing or malformed, or names something the store cannot sell; the message
    /// says which.
    #[error("{0}")]
    Invalid(String),
    /// Origin could not be asked about the product; nothing was changed.
    #[error("the store could not be reached; your cart is unchanged")]
    Unavailable,
    /// The cart already holds [`MAX_LINES`] different variants.
    #[error("the cart is full ({MAX_LINES} different items at most)")]
    Full,
}

/// The value of the cookie `name` in a `Cookie` header, trimmed.
pub fn cookie_value<'h>(cookie_header: Option<&'h str>, name: &str) -> Option<&'h str> {
    cookie_header?.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(n, _)| *n == name).map(|(_, v)| v.trim())
}

impl Cart {
    /// The cart in a `Cookie` header; malformed entries are dropped, not fatal.
    pub fn from_cookies(cookie_header: Option<&str>) -> Self {
        let Some(value) = cookie_value(cookie_header, CART_COOKIE) else {
            return Self::default();
        };
        let mut cart = Self::default();
        for entry in value.split('.').take(MAX_LINES) {
            let Some((id, quantity)) = entry.split_once('_') else { continue };
            let (Ok(id), Ok(quantity)) = (Uuid::parse_str(id), quantity.parse::<u32>()) else { continue };
            if (1..=MAX_QUANTITY).contains(&quantity) && !cart.lines.iter().any(|(v, _)| *v == id) {
                cart.lines.push((id, quantity));
            }
        }
        cart
    }

    /// The lines: variant and quantity.
    pub fn lines(&self) -> &[(Uuid, u32)] {
        &self.lines
    }

    /// Total units.
    pub fn count(&self) -> u32 {
        self.lines.iter().map(|(_, q)| q).sum()
    }

    /// Whether the cart is empty.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Keeps only the variants in `known` (the ones origin priced), dropping the rest.
    pub fn retain_known(&mut self, known: &[Uuid]) {
        self.lines.retain(|(id, _)| known.contains(id));
    }

    /// Applies an action. Adding to a line already there raises its quantity (up to 99).
    pub fn apply(&mut self, action: &CartAction) -> Result<(), CartError> {
        match *action {
            CartAction::Add { variant_id, quantity, .. } => {
                if let Some(line) = self.lines.iter_mut().find(|(v, _)| *v == variant_id) {
                    line.1 = (line.1 + quantity).min(MAX_QUANTITY);
                } else if self.lines.len() >= MAX_LINES {
                    return Err(CartError::Full);
                } else {
                    self.lines.push((variant_id, quantity));
                }
            }
            CartAction::Set { variant_id, quantity: 0 } | CartAction::Remove { variant_id } => {
                self.lines.retain(|(v, _)| *v != variant_id);
            }
            CartAction::Set { variant_id, quantity } => {
                if let Some(line) = self.lines.iter_mut().find(|(v, _)| *v == variant_id) {
                    line.1 = quantity;
                }
            }
        }
        Ok(())
    }

    /// The `Set-Cookie` value that stores the cart (or deletes the cookie when it is empty).
    pub fn set_cookie(&self, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        if self.lines.is_empty() {
            return format!("{CART_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly{secure}");
        }
        let value: Vec<String> = self.lines.iter().map(|(id, q)| format!("{}_{q}", id.simple())).collect();
        format!("{CART_COOKIE}={}; Path=/; Max-Age={CART_MAX_AGE_SECS}; SameSite=Lax; HttpOnly{secure}", value.join("."))
    }
}

/// What a hydrated page is told after a cart post: the cart's lines and how many units it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartSummary {
    /// Total units.
    pub count: u32,
    /// Variants and quantities, in the cart's order.
    pub lines: Vec<CartSummaryLine>,
    /// What the shopper should know about the change, e.g. that fewer were added than asked
    /// because the store has only so many left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

/// One line of a [`CartSummary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartSummaryLine {
    /// The variant.
    pub variant_id: Uuid,
    /// Units.
    pub quantity: u32,
}

/// Why a cart post failed, as JSON for a hydrated page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartFailure {
    /// What went wrong, for the shopper.
    pub error: String,
}

impl CartError {
    /// The HTTP status a host answers with.
    pub fn status(&self) -> u16 {
        match self {
            CartError::TooLarge => 413,
            CartError::Unavailable => 502,
            CartError::Invalid(_) | CartError::Full => 400,
        }
    }
}

impl Cart {
    /// The JSON answer to a hydrated page's cart post.
    pub fn summary(&self) -> CartSummary {
        CartSummary {
            count: self.count(),
            lines: self.lines.iter().map(|(variant_id, quantity)| CartSummaryLine { variant_id: *variant_id, quantity: *quantity }).collect(),
            notice: None,
        }
    }

    /// How many units of `variant` the cart holds (0 when it has no such line).
    pub fn quantity_of(&self, variant: Uuid) -> u32 {
        self.lines.iter().find(|(v, _)| *v == variant).map_or(0, |(_, q)| *q)
    }
}

/// What the shopper is told when the store has fewer of `item` than they asked for:
/// "Only 2 left of Brass Diya — Large; your cart has 2."
pub fn only_left_message(item: &str, available: u32, in_cart: u32) -> String {
    if available == 0 {
        format!("{item} is sold out.")
    } else {
        format!("Only {available} left of {item}; your cart has {in_cart}.")
    }
}

/// A variant's name as a shopper knows it: the product, and the variant's options when the
/// product comes in several (`Brass Diya — Large`).
pub fn item_name(product_title: &str, variant_title: &str) -> String {
    if variant_title.trim().is_empty() {
        product_title.to_owned()
    } else {
        format!("{product_title} — {variant_title}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn the_cookie_round_trips_and_ignores_what_it_cannot_read() {
        let mut cart = Cart::default();
        cart.apply(&CartAction::Add { product_id: id(9), variant_id: id(1), quantity: 2 }).unwrap();
        cart.apply(&CartAction::Add { product_id: id(9), variant_id: id(2), quantity: 1 }).unwrap();
        let cookie = cart.set_cookie(false);
        let value = cookie.split(';').next().unwrap();
        assert_eq!(Cart::from_cookies(Some(&format!("a=b; {value}"))), cart);
        let messy = format!("{CART_COOKIE}={}_3.garbage.{}_0.{}_500.{}_4", id(1).simple(), id(2).simple(), id(3).simple(), id(1).simple());
        assert_eq!(Cart::from_cookies(Some(&messy)).lines(), &[(id(1), 3)], "bad, zero, huge and repeated lines are dropped");
        assert!(Cart::from_cookies(None).is_empty());
    }

    #[test]
    fn adding_again_raises_the_quantity_up_to_the_limit_and_zero_removes() {
        let mut cart = Cart::default();
        for _ in 0..3 {
            cart.apply(&CartAction::Add { product_id: id(9), variant_id: id(1), quantity: 40 }).unwrap();
        }
        assert_eq!(cart.lines(), &[(id(1), 99)]);
        cart.apply(&CartAction::Set { variant_id: id(1), quantity: 5 }).unwrap();
        assert_eq!(cart.count(), 5);
        cart.apply(&CartAction::Set { variant_id: id(1), quantity: 0 }).unwrap();
        assert!(cart.is_empty());
        assert!(cart.set_cookie(true).contains("Max-Age=0") && cart.set_cookie(true).ends_with("; Secure"));
    }

    #[test]
    fn a_shopper_is_told_how_many_are_left_by_the_products_name() {
        assert_eq!(only_left_message(&item_name("Brass Diya", "Large"), 2, 2), "Only 2 left of Brass Diya — Large; your cart has 2.");
        assert_eq!(only_left_message(&item_name("Neem Comb", ""), 0, 0), "Neem Comb is sold out.");
        let mut cart = Cart::default();
        cart.apply(&CartAction::Add { product_id: id(9), variant_id: id(1), quantity: 3 }).unwrap();
        assert_eq!((cart.quantity_of(id(1)), cart.quantity_of(id(2))), (3, 0));
    }

    #[test]
    fn a_full_cart_refuses_new_lines() {
        let mut cart = Cart::default();
        for n in 0..MAX_LINES as u128 {
            cart.apply(&CartAction::Add { product_id: id(9), variant_id: id(n + 1), quantity: 1 }).unwrap();
        }
        assert_eq!(cart.apply(&CartAction::Add { product_id: id(9), variant_id: id(999), quantity: 1 }), Err(CartError::Full));
        assert!(cart.set_cookie(false).len() < 4096, "a full cart still fits in a cookie");
    }
}
