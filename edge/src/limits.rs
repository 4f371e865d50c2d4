//! The limits every tier applies alike, defined once: the cart, the checkout quote, checkouts,
//! orders and the events intake all read them from here, so a rule can never differ between the
//! page that shows it and the API that enforces it.

/// The most units of one line in a cart, a quote, a checkout or an order.
pub const MAX_QUANTITY: u32 = 99;
/// The most lines a cart, a quote or a checkout holds.
pub const MAX_LINES: usize = 50;
/// The longest id a payment provider's object may have (`order_…`, `pay_…`, `rfnd_…`, webhook
/// event ids). Razorpay's are about 20 characters; anything much longer is not one of theirs.
pub const MAX_PROVIDER_ID_LEN: usize = 64;
/// The longest idempotency key a client may send (letters, digits, '-' and '_').
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 64;

/// The latest time any API takes, in Unix milliseconds: the end of the year 9999. Times outside
/// `0..=MAX_TIME_MS` are nobody's orders or events, and are refused.
pub const MAX_TIME_MS: i64 = 253_402_300_799_999;

/// The largest price any API takes, in minor units: ₹1,00,00,00,000.00 (a hundred crore rupees,
/// 10^11 paise), far above any one product, and far enough below `i64::MAX` that 99 units of 50
/// lines can never overflow.
pub const MAX_AMOUNT_MINOR: i64 = 100_000_000_000;
/// The most units of stock a variant may hold, or an adjustment may move.
pub const MAX_STOCK_UNITS: i64 = 1_000_000_000;

/// Whether `key` is a well-formed idempotency key: 1-64 letters, digits, '-' or '_'.
pub fn is_idempotency_key(key: &str) -> bool {
    (1..=MAX_IDEMPOTENCY_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `key` is a key Zelly makes for itself under a namespace, `zelly:cancellation`: a
/// lower-case name, ':', and a well-formed key. Callers cannot send ':', so such a key never
/// meets one of theirs.
pub fn is_namespaced_key(key: &str) -> bool {
    key.split_once(':').is_some_and(|(space, rest)| {
        (1..=16).contains(&space.len()) && space.bytes().all(|b| b.is_ascii_lowercase()) && is_idempotency_key(rest)
    })
}

/// Whether `id` looks like a payment provider's id: 1-64 letters, digits, '_' or '-'.
pub fn is_provider_id(id: &str) -> bool {
    (1..=MAX_PROVIDER_ID_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether `c` is a control character no text field may hold: NUL and the other C0 controls
/// except tab, line feed and carriage return, DEL, and the C1 controls.
pub fn is_forbidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_escape_are_forbidden_but_newlines_and_tabs_are_text() {
        for c in ['\0', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert!(is_forbidden_control(c), "{c:?}");
        }
        for c in ['\n', '\r', '\t', 'a', '₹', ' '] {
            assert!(!is_forbidden_control(c), "{c:?}");
        }
    }

    #[test]
    fn provider_ids_are_short_and_plain() {
        assert!(is_provider_id("pay_29QQoUBi66xm2f"));
        assert!(!is_provider_id(""));
        assert!(!is_provider_id(&"p".repeat(65)));
        assert!(!is_provider_id("pay 1"));
        assert!(is_idempotency_key("refund-1a2b"));
        assert!(!is_idempotency_key("a b"));
        assert!(is_namespaced_key("zelly:cancellation"));
        assert!(!is_idempotency_key("zelly:cancellation"), "callers cannot send Zelly's own keys");
        assert!(!is_namespaced_key("cancellation") && !is_namespaced_key("Zelly:x") && !is_namespaced_key("zelly:"));
    }
}
