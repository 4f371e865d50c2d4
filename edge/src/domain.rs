//! Domain newtypes: each `parse` rejects bad input at the edge of the system, so the rest of the code
//! can trust what it holds.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a value could not be accepted as one of the domain newtypes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidValue {
    /// Which kind of value was rejected (`handle`, `slug`, …).
    pub field: &'static str,
    /// A human-readable reason.
    pub reason: &'static str,
}

impl InvalidValue {
    fn new(field: &'static str, reason: &'static str) -> Self {
        Self { field, reason }
    }
}

/// Lower-case ASCII letters, digits and single inner hyphens, 1..=max characters.
fn is_slug_like(value: &str, max: usize) -> bool {
    !value.is_empty()
        && value.len() <= max
        && !value.starts_with('-')
        && !value.ends_with('-')
        && !value.contains("--")
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The validated value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_newtype!(
    /// A tenant's short, URL-safe identifier, e.g. `demo`.
    TenantSlug
);

impl TenantSlug {
    /// Accepts 1–63 characters of lower-case letters, digits and inner hyphens.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        if is_slug_like(value, 63) {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidValue::new(
                "slug",
                "must be 1-63 lower-case letters, digits or inner hyphens",
            ))
        }
    }
}

string_newtype!(
    /// A product's handle: the URL segment of its page, unique within a tenant.
    Handle
);

impl Handle {
    /// Accepts 1–100 characters of lower-case letters, digits and inner hyphens.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        if is_slug_like(value, 100) {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidValue::new(
                "handle",
                "must be 1-100 lower-case letters, digits or inner hyphens",
            ))
        }
    }
}

string_newtype!(
    /// A fully-qualified domain name in canonical form: lower case, no port, no trailing dot.
    DomainName
);

impl DomainName {
    /// Accepts a canonical host name (see [`crate::host::normalize_host`] for raw `Host` headers).
    ///
    /// Labels are 1–63 characters of letters, digits and inner hyphens; the whole name is at most 253
    /// characters; IP addresses are not domain names.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        const FIELD: &str = "domain";
        if value.is_empty() || value.len() > 253 {
            return Err(InvalidValue::new(FIELD, "must be 1-253 characters"));
        }
        for label in value.split('.') {
            if !is_slug_like(label, 63) {
                return Err(InvalidValue::new(
                    FIELD,
                    "each label must be 1-63 lower-case letters, digits or inner hyphens",
                ));
            }
        }
        // An all-numeric last label means an IPv4 address (or nonsense), never a tenant's domain.
        let tld = value.rsplit('.').next().unwrap_or_default();
        if tld.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new(FIELD, "IP addresses are not accepted"));
        }
        Ok(Self(value.to_owned()))
    }
}

/// An ISO 4217 currency code such as `INR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "INR"))]
#[serde(into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Indian rupee, the platform's default currency.
    pub const INR: Currency = Currency(*b"INR");

    /// Accepts exactly three upper-case ASCII letters.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        match value.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(InvalidValue::new("currency", "must be a three-letter ISO 4217 code")),
        }
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// The symbol shoppers expect in front of an amount, or the code itself.
    pub fn symbol(&self) -> &str {
        match &self.0 {
            b"INR" => "₹",
            b"USD" => "$",
            b"EUR" => "€",
            b"GBP" => "£",
            _ => self.as_str(),
        }
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Currency::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money in the currency's minor unit (paise for INR): never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// Amount in minor units (e.g. 129900 = ₹1,299.00).
    pub amount_minor: i64,
    /// ISO 4217 currency code.
    pub currency: Currency,
}

impl Money {
    /// A new amount.
    pub fn new(amount_minor: i64, currency: Currency) -> Self {
        Self { amount_minor, currency }
    }

    /// `self × quantity`, or `None` on overflow.
    pub fn checked_mul(self, quantity: u32) -> Option<Money> {
        self.amount_minor
            .checked_mul(i64::from(quantity))
            .map(|amount_minor| Money::new(amount_minor, self.currency))
    }

    /// The amount as a plain decimal in major units, `1299.50`: what schema.org offers and payment
    /// APIs expect (no symbol, no separators; currencies here have two decimals).
    pub fn decimal(&self) -> String {
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let abs = self.amount_minor.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `self + other`, or `None` on overflow or when the currencies differ.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        self.amount_minor
            .checked_add(other.amount_minor)
            .map(|amount_minor| Money::new(amount_minor, self.currency))
    }
}

impl fmt::Display for Money {
    /// Formats with the currency symbol, digit grouping and two decimals. Rupees are grouped the
    /// Indian way (the last three digits, then pairs: `₹1,37,747.00`), as shoppers in India read
    /// amounts; other currencies in threes (`$137,747.00`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let abs = self.amount_minor.unsigned_abs();
        let (major, minor) = (abs / 100, abs % 100);
        let grouped = group_digits(&major.to_string(), self.currency == Currency::INR);
        write!(f, "{sign}{}{grouped}.{minor:02}", self.currency.symbol())
    }
}

/// Puts commas into a string of digits: in threes, or (`indian`) the last three and then pairs.
fn group_digits(digits: &str, indian: bool) -> String {
    let len = digits.len();
    let mut grouped = String::with_capacity(len + len / 2);
    for (i, ch) in digits.chars().enumerate() {
        let left = len - i;
        let boundary = if indian { left >= 3 && (left - 3).is_multiple_of(2) } else { left.is_multiple_of(3) };
        if i > 0 && boundary {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_amount_has_no_symbol_or_separators() {
        assert_eq!(Money::new(129_950, Currency::INR).decimal(), "1299.50");
        assert_eq!(Money::new(-5, Currency::INR).decimal(), "-0.05");
    }

    #[test]
    fn a_handle_with_spaces_is_rejected() {
        assert!(Handle::parse("blue shirt").is_err());
    }

    #[test]
    fn a_handle_with_upper_case_or_edge_hyphens_is_rejected() {
        for bad in ["Blue", "-blue", "blue-", "blue--shirt", ""] {
            assert!(Handle::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_lower_case_hyphenated_handle_is_accepted() {
        assert_eq!(Handle::parse("blue-shirt-2").map(|h| h.to_string()), Ok("blue-shirt-2".into()));
    }

    #[test]
    fn a_tenant_slug_longer_than_63_characters_is_rejected() {
        assert!(TenantSlug::parse(&"a".repeat(64)).is_err());
        assert!(TenantSlug::parse(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn an_ip_address_is_not_a_domain_name() {
        assert!(DomainName::parse("127.0.0.1").is_err());
        assert!(DomainName::parse("10.0.0.300").is_err());
    }

    #[test]
    fn a_domain_with_an_empty_label_is_rejected() {
        assert!(DomainName::parse("shop..example.com").is_err());
        assert!(DomainName::parse(".example.com").is_err());
    }

    #[test]
    fn a_well_formed_domain_is_accepted() {
        assert!(DomainName::parse("demo.localhost").is_ok());
        assert!(DomainName::parse("shop.example-store.in").is_ok());
    }

    #[test]
    fn a_currency_must_be_three_upper_case_letters() {
        assert!(Currency::parse("inr").is_err());
        assert!(Currency::parse("INRR").is_err());
        assert_eq!(Currency::parse("INR"), Ok(Currency::INR));
    }

    #[test]
    fn money_is_shown_with_symbol_grouping_and_two_decimals() {
        assert_eq!(Money::new(129_900, Currency::INR).to_string(), "₹1,299.00");
        assert_eq!(Money::new(5, Currency::INR).to_string(), "₹0.05");
        assert_eq!(Money::new(-250, Currency::parse("USD").unwrap()).to_string(), "-$2.50");
    }

    #[test]
    fn rupees_are_grouped_in_lakhs_and_crores() {
        let inr = |minor: i64| Money::new(minor, Currency::INR).to_string();
        assert_eq!(inr(13_774_700), "₹1,37,747.00");
        assert_eq!(inr(123_456_789), "₹12,34,567.89");
        assert_eq!(inr(123_456_789_000), "₹1,23,45,67,890.00");
        assert_eq!(inr(99_999), "₹999.99");
        assert_eq!(inr(100_000), "₹1,000.00");
        assert_eq!(inr(10_000_000), "₹1,00,000.00");
        assert_eq!(inr(-13_774_700), "-₹1,37,747.00");
    }

    #[test]
    fn other_currencies_are_grouped_in_thousands() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(Money::new(13_774_700, usd).to_string(), "$137,747.00");
        assert_eq!(Money::new(123_456_789, usd).to_string(), "$1,234,567.89");
        assert_eq!(Money::new(99_999, usd).to_string(), "$999.99");
    }

    #[test]
    fn adding_money_in_different_currencies_fails() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(Money::new(1, Currency::INR).checked_add(Money::new(1, usd)), None);
    }

    #[test]
    fn multiplying_money_past_i64_fails_instead_of_wrapping() {
        assert_eq!(Money::new(i64::MAX, Currency::INR).checked_mul(2), None);
    }

    #[test]
    fn json_with_a_bad_handle_does_not_deserialize() {
        assert!(serde_json::from_str::<Handle>("\"Bad Handle\"").is_err());
    }
}
