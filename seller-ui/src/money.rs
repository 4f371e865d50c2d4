//! Rupee amounts as merchants type them ("1,299.50") and as the API stores them (paise, `129950`),
//! converted with string arithmetic only: no float ever touches a price.

/// The largest price the API accepts, in paise (₹1,00,00,00,000.00).
pub const MAX_PRICE_MINOR: i64 = zelly_edge::limits::MAX_AMOUNT_MINOR;

/// Parses a rupee amount typed by a merchant into paise.
///
/// Accepts digits with an optional `.` and at most two decimals, an optional leading `₹` and
/// thousands commas (`₹1,299.5` → `129950`). `Err` is a sentence to show under the input.
pub fn parse_rupees(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let text = text.strip_prefix('₹').unwrap_or(text).trim_start();
    if text.is_empty() {
        return Err("Enter a price, e.g. 1299.50".to_owned());
    }
    if text.starts_with('-') {
        return Err("A price can’t be negative".to_owned());
    }
    let text: String = text.chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return Err("Enter a number of rupees, e.g. 1299.50".to_owned());
    }
    if fraction.len() > 2 {
        return Err("Use at most two decimal places (paise)".to_owned());
    }
    let too_large = || "Must be at most ₹1,00,00,00,000.00".to_owned();
    let whole = whole.trim_start_matches('0');
    if whole.len() > 10 {
        return Err(too_large());
    }
    let rupees: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let paise: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| too_large())? * 10,
        _ => fraction.parse().map_err(|_| too_large())?,
    };
    let minor = rupees
        .checked_mul(100)
        .and_then(|r| r.checked_add(paise))
        .ok_or_else(too_large)?;
    if minor > MAX_PRICE_MINOR {
        return Err(too_large());
    }
    Ok(minor)
}

/// Paise as the text of a price input: `129950` → `1299.50`, `-5` → `-0.05`.
pub fn rupees_text(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Parses a whole number of units (stock) typed by a merchant; `allow_negative` for adjustments.
pub fn parse_units(text: &str, allow_negative: bool) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Enter a number of units".to_owned());
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter a whole number of units, e.g. 12".to_owned());
    }
    if negative && !allow_negative {
        return Err("Stock can’t be negative".to_owned());
    }
    let value: i64 = digits
        .parse()
        .ok()
        .filter(|v| *v <= zelly_edge::limits::MAX_STOCK_UNITS)
        .ok_or_else(|| "Must be at most 1,00,00,00,000 units".to_owned())?;
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupees_become_exact_paise() {
        assert_eq!(parse_rupees("1299.50"), Ok(129_950));
        assert_eq!(parse_rupees("1299.5"), Ok(129_950));
        assert_eq!(parse_rupees("1299"), Ok(129_900));
        assert_eq!(parse_rupees("1299."), Ok(129_900));
        assert_eq!(parse_rupees(".05"), Ok(5));
        assert_eq!(parse_rupees("0.1"), Ok(10));
        assert_eq!(parse_rupees(" ₹1,29,999.99 "), Ok(12_999_999));
        assert_eq!(parse_rupees("0"), Ok(0));
        assert_eq!(parse_rupees("007.07"), Ok(707));
        // The classic float trap: 0.29 * 100 = 28.999999999999996.
        assert_eq!(parse_rupees("0.29"), Ok(29));
        assert_eq!(parse_rupees("1000000000"), Ok(MAX_PRICE_MINOR));
    }

    #[test]
    fn malformed_prices_are_explained() {
        assert!(parse_rupees("").unwrap_err().starts_with("Enter a price"));
        assert!(parse_rupees("₹").unwrap_err().starts_with("Enter a price"));
        assert!(parse_rupees("-5").unwrap_err().contains("negative"));
        assert!(parse_rupees("12.345").unwrap_err().contains("two decimal"));
        for bad in ["abc", "1.2.3", "1e3", "12 34", ".", "1.-5", "+5"] {
            assert!(parse_rupees(bad).unwrap_err().contains("number"), "{bad}");
        }
        assert!(
            parse_rupees("1000000000.01")
                .unwrap_err()
                .contains("at most")
        );
        assert!(
            parse_rupees("99999999999999999999999")
                .unwrap_err()
                .contains("at most")
        );
    }

    #[test]
    fn paise_read_back_as_rupees() {
        assert_eq!(rupees_text(129_950), "1299.50");
        assert_eq!(rupees_text(5), "0.05");
        assert_eq!(rupees_text(0), "0.00");
        assert_eq!(rupees_text(-5), "-0.05");
        for minor in [0, 1, 10, 99, 100, 129_950, MAX_PRICE_MINOR] {
            assert_eq!(parse_rupees(&rupees_text(minor)), Ok(minor));
        }
    }

    #[test]
    fn units_are_whole_numbers() {
        assert_eq!(parse_units(" 12 ", false), Ok(12));
        assert_eq!(parse_units("-3", true), Ok(-3));
        assert_eq!(parse_units("+3", true), Ok(3));
        assert!(parse_units("-3", false).is_err());
        assert!(parse_units("1.5", true).is_err());
        assert!(parse_units("", true).is_err());
        assert!(parse_units("-", true).is_err());
        assert!(parse_units("1000000001", true).is_err());
    }
}
