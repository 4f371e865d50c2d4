//! How the panel writes things for staff: money, dates and times, roles and statuses, a TOTP
//! secret to type in, JSON in the audit log; and how it reads what staff type (an order number, a
//! refund amount, a six-digit code).
//!
//! Everything here is plain data in and text out, tested natively at the bottom of this file. The
//! one thing that needs the browser, the local time zone, is asked for in [`local_time`] and passed
//! to [`datetime_text`] as a number.

use zelly_edge::Money;
use zelly_edge::admin::StaffRole;
use zelly_edge::dto::TenantStatus;
use zelly_edge::orders::OrderStatus;
use zelly_edge::team::{DomainKind, DomainStatus};
use zelly_ui_kit::calendar::{MONTHS, civil_from_days};

/// What an absent value shows as in a table cell or a list of facts.
pub const NOTHING: &str = "—";

/// Milliseconds in a calendar day.
const DAY_MS: i64 = 86_400_000;

/// An amount in minor units of `currency` (an ISO 4217 code) as staff read it: rupees with their
/// symbol and Indian digit grouping (`₹1,234.50`, `₹1,37,747.00`), any other currency with its
/// code in front and grouping in threes (`USD 1,234.50`). Every currency here has two decimals.
pub fn money(minor: i64, currency: &str) -> String {
    let currency = currency.trim();
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let (major, cents) = (abs / 100, abs % 100);
    let indian = currency.eq_ignore_ascii_case("INR");
    let grouped = group_digits(&major.to_string(), indian);
    if indian {
        format!("{sign}₹{grouped}.{cents:02}")
    } else if currency.is_empty() {
        format!("{sign}{grouped}.{cents:02}")
    } else {
        format!("{sign}{currency} {grouped}.{cents:02}")
    }
}

/// [`money`] of a [`Money`].
pub fn money_of(amount: Money) -> String {
    money(amount.amount_minor, amount.currency.as_str())
}

/// Puts commas into a string of digits: in threes, or (`indian`) the last three and then pairs.
pub fn group_digits(digits: &str, indian: bool) -> String {
    let len = digits.len();
    let mut grouped = String::with_capacity(len + len / 2);
    for (i, ch) in digits.chars().enumerate() {
        let left = len - i;
        let boundary = if indian {
            left >= 3 && (left - 3).is_multiple_of(2)
        } else {
            left.is_multiple_of(3)
        };
        if i > 0 && boundary {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

/// A count with its noun, e.g. `1 store`, `12 stores`.
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    let noun = if n == 1 { one } else { many };
    format!("{} {noun}", group_digits(&n.unsigned_abs().to_string(), false))
}

/// A number with thousands separators, e.g. `12,345`.
pub fn number(n: impl Into<i64>) -> String {
    let n = n.into();
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group_digits(&n.unsigned_abs().to_string(), false))
}

/// Milliseconds since the epoch as a date and time at `offset_minutes` east of UTC, e.g.
/// `12 May 2025, 14:03`.
pub fn datetime_text(ms: i64, offset_minutes: i32) -> String {
    let local = ms + i64::from(offset_minutes) * 60_000;
    let (days, rest) = (local.div_euclid(DAY_MS), local.rem_euclid(DAY_MS));
    let (year, month, day) = civil_from_days(days);
    let minutes = rest / 60_000;
    let month = MONTHS[(month as usize).saturating_sub(1).min(11)];
    format!("{day} {month} {year}, {:02}:{:02}", minutes / 60, minutes % 60)
}

/// Milliseconds since the epoch as an ISO 8601 UTC instant for `<time datetime>`, e.g.
/// `2025-05-12T08:33:00Z`.
pub fn iso_time(ms: i64) -> String {
    let (days, rest) = (ms.div_euclid(DAY_MS), ms.rem_euclid(DAY_MS) / 1000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Milliseconds since the epoch in the browser's time zone (see [`datetime_text`]); UTC outside a
/// browser.
pub fn local_time(ms: i64) -> String {
    datetime_text(ms, browser_offset_minutes(ms))
}

/// The browser's offset from UTC at `ms`, in minutes east (India: 330).
fn browser_offset_minutes(ms: i64) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos::wasm_bindgen::JsValue;
        use leptos::web_sys::js_sys::Date;
        // JavaScript counts minutes west, and its offsets are whole minutes.
        let west = Date::new(&JsValue::from_f64(ms as f64)).get_timezone_offset();
        -(west.round() as i32)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = ms;
        0
    }
}

/// A store's last activity: its local date and time, or "Never" for a store never used.
pub fn last_activity(ms: Option<i64>) -> String {
    ms.map_or_else(|| "Never".to_owned(), local_time)
}

/// A TOTP secret in groups of four, as authenticator apps show and people type it:
/// `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`.
pub fn group_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What staff typed as an authenticator code, without the spaces and dashes apps show in it.
pub fn clean_code(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// Whether `code` (cleaned, see [`clean_code`]) is six digits.
pub fn is_totp_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// A role as staff read it.
pub fn role_label(role: StaffRole) -> &'static str {
    match role {
        StaffRole::ReadOnly => "Read only",
        StaffRole::Support => "Support",
        StaffRole::Admin => "Admin",
    }
}

/// Whether `role` may act for merchants: suspend and reopen stores, retry and remove jobs, pause
/// queues.
pub fn can_act(role: StaffRole) -> bool {
    role.allows(StaffRole::Support)
}

/// Whether `role` may refund orders.
pub fn can_refund(role: StaffRole) -> bool {
    role.allows(StaffRole::Admin)
}

/// Whether `role` may open a store for a merchant.
pub fn can_open_stores(role: StaffRole) -> bool {
    role.allows(StaffRole::Admin)
}

/// Whether staff may ask for a domain's DNS to be checked again: only a merchant's own domain
/// that is live or has lost its proof (the ones core-api's re-check loop looks at).
pub fn can_recheck(kind: DomainKind, status: DomainStatus) -> bool {
    kind == DomainKind::Custom && matches!(status, DomainStatus::Active | DomainStatus::Flagged)
}

/// A field's error from admin-api (`must be 1-100 characters`, `is taken; choose another`) as a
/// sentence about `subject` (`The slug is taken; choose another.`); a message that does not
/// start with a verb follows the subject after a colon. A message that is a sentence already (it
/// starts with a capital) is kept, with a full stop.
pub fn field_sentence(subject: &str, message: &str) -> String {
    const VERBS: [&str; 9] = [
        "must ", "is ", "are ", "has ", "have ", "cannot ", "can't ", "should ", "needs ",
    ];
    let message = message.trim();
    let starts_lower = message.chars().next().is_some_and(char::is_lowercase);
    let mut text = if !starts_lower || subject.is_empty() {
        capitalise(message)
    } else if VERBS.iter().any(|verb| message.starts_with(verb)) {
        format!("{subject} {message}")
    } else {
        format!("{subject}: {message}")
    };
    if !text.is_empty() && !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// A store's status as staff read it.
pub fn tenant_status_label(status: TenantStatus) -> &'static str {
    match status {
        TenantStatus::Active => "Active",
        TenantStatus::Suspended => "Suspended",
    }
}

/// An order's status (its stored name, e.g. `partially_refunded`) as staff read it; a name this
/// panel does not know is shown with its underscores as spaces.
pub fn order_status_label(status: &str) -> String {
    match OrderStatus::parse(status) {
        Some(OrderStatus::PendingPayment) => "Pending payment".to_owned(),
        Some(OrderStatus::Paid) => "Paid".to_owned(),
        Some(OrderStatus::Fulfilled) => "Fulfilled".to_owned(),
        Some(OrderStatus::Cancelled) => "Cancelled".to_owned(),
        Some(OrderStatus::PartiallyRefunded) => "Partially refunded".to_owned(),
        Some(OrderStatus::Refunded) => "Refunded".to_owned(),
        None => capitalise(&status.replace('_', " ")),
    }
}

/// The classes of an order status's badge, e.g. `badge badge-pending-payment`.
pub fn order_status_class(status: &str) -> String {
    let slug: String = status
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("badge badge-{slug}")
}

/// A domain's verification state as staff read it.
pub fn domain_status_label(status: DomainStatus) -> &'static str {
    match status {
        DomainStatus::Pending => "Waiting for DNS",
        DomainStatus::Failed => "Check failed",
        DomainStatus::Verified => "Verified, not pointing here",
        DomainStatus::Active => "Live",
        DomainStatus::Flagged => "Lost its proof",
    }
}

/// A domain's kind as staff read it.
pub fn domain_kind_label(kind: DomainKind) -> &'static str {
    match kind {
        DomainKind::Platform => "Zelly address",
        DomainKind::Custom => "Merchant's own",
    }
}

/// Who did something to an order, as the timeline names them.
pub fn actor_label(actor: &str) -> String {
    match actor.trim() {
        "" => "Zelly".to_owned(),
        "shopper" => "Shopper".to_owned(),
        other => other.to_owned(),
    }
}

/// A value in the audit log as one line of compact JSON; nothing (`null`) is "—". A plain string
/// is shown without its quotes.
pub fn compact_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => NOTHING.to_owned(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// An audit row's change: `before → after`, or only the side that is there.
pub fn change_text(before: &serde_json::Value, after: &serde_json::Value) -> String {
    match (before.is_null(), after.is_null()) {
        (true, true) => NOTHING.to_owned(),
        (true, false) => compact_json(after),
        (false, true) => format!("{} → {NOTHING}", compact_json(before)),
        (false, false) => format!("{} → {}", compact_json(before), compact_json(after)),
    }
}

/// A failed job's payload, indented for reading.
pub fn pretty_json(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// Parses an order number as staff type it (`1042`, `#1042`); empty is `None`. `Err` is a sentence
/// to show under the field.
pub fn parse_order_number(text: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    let digits = text.strip_prefix('#').unwrap_or(text).trim();
    if digits.is_empty() {
        return if text.is_empty() {
            Ok(None)
        } else {
            Err("Enter the order number, e.g. 1042".to_owned())
        };
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("An order number is digits only, e.g. 1042".to_owned());
    }
    match digits.parse::<i64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err("Enter a real order number, e.g. 1042".to_owned()),
    }
}

/// Parses a refund amount typed in major units of `left`'s currency (`1299`, `1299.5`,
/// `₹1,299.50`, `USD 12`) into minor units, between one minor unit and `left` (what is left to
/// refund). No float touches it. `Err` is a sentence to show next to the input.
pub fn parse_amount(text: &str, left: Money) -> Result<i64, String> {
    let code = left.currency.as_str();
    let mut text = text.trim();
    for prefix in [left.currency.symbol(), code] {
        text = text.strip_prefix(prefix).unwrap_or(text).trim_start();
    }
    let example = if code == "INR" { "1299.50" } else { "12.50" };
    if text.is_empty() {
        return Err(format!("Enter the amount to refund, e.g. {example}"));
    }
    if text.starts_with('-') {
        return Err("A refund can’t be negative".to_owned());
    }
    let text: String = text.chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return Err(format!("Enter an amount like {example}"));
    }
    if fraction.len() > 2 {
        return Err("Use at most two decimal places".to_owned());
    }
    let too_much = || format!("At most {} is left to refund", money_of(left));
    let major: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_much())?
    };
    let minor: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let amount = major
        .checked_mul(100)
        .and_then(|m| m.checked_add(minor))
        .ok_or_else(too_much)?;
    if amount == 0 {
        return Err(format!(
            "Enter more than {}",
            money(0, left.currency.as_str())
        ));
    }
    if amount > left.amount_minor {
        return Err(too_much());
    }
    Ok(amount)
}

/// Minor units as the text of an amount input: `129950` → `1299.50`.
pub fn amount_text(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `text` with its first letter in upper case.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A queue's name as staff read it: `STORE_EVENTS` → `Store events`, `emails` → `Emails`.
pub fn queue_label(name: &str) -> String {
    capitalise(&name.to_lowercase().replace(['-', '_'], " "))
}

/// The body's message of a failed call as staff read it: a leading field name (`code: that is
/// not…`, the API's way of naming the bad input) dropped, the first letter capitalised and a full
/// stop at the end. `sign in again: this session has ended` keeps its words: they are not a field.
pub fn friendly_detail(detail: &str) -> String {
    let detail = detail.trim();
    let detail = match detail.split_once(": ") {
        Some((field, rest))
            if !field.is_empty()
                && !rest.trim().is_empty()
                && field
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
        {
            rest.trim()
        }
        _ => detail,
    };
    let mut text = capitalise(detail);
    if !text.is_empty() && !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use zelly_edge::Currency;

    fn inr(minor: i64) -> Money {
        Money::new(minor, Currency::INR)
    }

    #[test]
    fn rupees_have_their_symbol_and_indian_grouping() {
        assert_eq!(money(123_450, "INR"), "₹1,234.50");
        assert_eq!(money(13_774_700, "INR"), "₹1,37,747.00");
        assert_eq!(money(5, "INR"), "₹0.05");
        assert_eq!(money(0, "INR"), "₹0.00");
        assert_eq!(money(-250, "INR"), "-₹2.50");
        assert_eq!(money_of(inr(99_999_999_900)), "₹99,99,99,999.00");
    }

    #[test]
    fn other_currencies_show_their_code_and_group_in_threes() {
        assert_eq!(money(123_450, "USD"), "USD 1,234.50");
        assert_eq!(money(13_774_700, "EUR"), "EUR 137,747.00");
        assert_eq!(money(100, ""), "1.00");
        let usd = Money::new(-99, Currency::parse("USD").unwrap());
        assert_eq!(money_of(usd), "-USD 0.99");
    }

    #[test]
    fn counts_and_numbers_are_grouped() {
        assert_eq!(count(1, "store", "stores"), "1 store");
        assert_eq!(count(0, "store", "stores"), "0 stores");
        assert_eq!(count(12_345, "order", "orders"), "12,345 orders");
        assert_eq!(number(1_234_567), "1,234,567");
        assert_eq!(number(-1000), "-1,000");
        assert_eq!(number(12), "12");
    }

    #[test]
    fn times_read_in_the_given_zone() {
        // 2025-05-12T08:33:00Z
        let ms = 1_747_038_780_000;
        assert_eq!(datetime_text(ms, 0), "12 May 2025, 08:33");
        assert_eq!(datetime_text(ms, 330), "12 May 2025, 14:03");
        assert_eq!(datetime_text(ms, -600), "11 May 2025, 22:33");
        assert_eq!(datetime_text(0, 0), "1 Jan 1970, 00:00");
        assert_eq!(iso_time(ms), "2025-05-12T08:33:00Z");
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn a_store_never_used_says_never() {
        assert_eq!(last_activity(None), "Never");
        assert_eq!(last_activity(Some(0)), "1 Jan 1970, 00:00");
    }

    #[test]
    fn a_secret_is_shown_in_fours() {
        assert_eq!(group_secret("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(group_secret("ABCDEF"), "ABCD EF");
        assert_eq!(group_secret(" AB CD E "), "ABCD E");
        assert_eq!(group_secret(""), "");
    }

    #[test]
    fn codes_are_six_digits_with_spaces_ignored() {
        assert_eq!(clean_code(" 123 456 "), "123456");
        assert_eq!(clean_code("123-456"), "123456");
        assert!(is_totp_code("123456"));
        assert!(!is_totp_code("12345"));
        assert!(!is_totp_code("1234567"));
        assert!(!is_totp_code("12345a"));
        assert!(!is_totp_code(""));
    }

    #[test]
    fn roles_decide_what_staff_may_do() {
        assert!(!can_act(StaffRole::ReadOnly));
        assert!(can_act(StaffRole::Support));
        assert!(can_act(StaffRole::Admin));
        assert!(!can_refund(StaffRole::ReadOnly));
        assert!(!can_refund(StaffRole::Support));
        assert!(can_refund(StaffRole::Admin));
        assert_eq!(role_label(StaffRole::ReadOnly), "Read only");
        assert_eq!(role_label(StaffRole::Admin), "Admin");
    }

    #[test]
    fn statuses_read_as_words() {
        assert_eq!(order_status_label("pending_payment"), "Pending payment");
        assert_eq!(order_status_label("partially_refunded"), "Partially refunded");
        assert_eq!(order_status_label("on_hold"), "On hold");
        assert_eq!(order_status_class("partially_refunded"), "badge badge-partially-refunded");
        assert_eq!(order_status_class("Odd status!"), "badge badge-odd-status-");
        assert_eq!(tenant_status_label(TenantStatus::Suspended), "Suspended");
        assert_eq!(domain_status_label(DomainStatus::Active), "Live");
        assert_eq!(queue_label("order-emails"), "Order emails");
        assert_eq!(queue_label("STORE_EVENTS"), "Store events");
        assert_eq!(actor_label("shopper"), "Shopper");
        assert_eq!(actor_label(" "), "Zelly");
        assert_eq!(actor_label("ops@zelly.in"), "ops@zelly.in");
    }

    #[test]
    fn only_admins_open_stores_and_only_served_custom_domains_are_checked_again() {
        assert!(can_open_stores(StaffRole::Admin));
        assert!(!can_open_stores(StaffRole::Support));
        assert!(!can_open_stores(StaffRole::ReadOnly));
        assert!(can_recheck(DomainKind::Custom, DomainStatus::Active));
        assert!(can_recheck(DomainKind::Custom, DomainStatus::Flagged));
        assert!(!can_recheck(DomainKind::Custom, DomainStatus::Pending));
        assert!(!can_recheck(DomainKind::Custom, DomainStatus::Failed));
        assert!(!can_recheck(DomainKind::Custom, DomainStatus::Verified));
        assert!(!can_recheck(DomainKind::Platform, DomainStatus::Active));
    }

    #[test]
    fn field_errors_read_as_sentences_about_their_field() {
        assert_eq!(
            field_sentence("The slug", "is taken; choose another"),
            "The slug is taken; choose another."
        );
        assert_eq!(
            field_sentence("The store name", "must be 1-100 characters"),
            "The store name must be 1-100 characters."
        );
        assert_eq!(field_sentence("The start date", "Enter a start date."), "Enter a start date.");
        assert_eq!(
            field_sentence("The end date", "the range may cover at most 366 days"),
            "The end date: the range may cover at most 366 days."
        );
        assert_eq!(field_sentence("", "bad"), "Bad.");
        assert_eq!(field_sentence("X", "  "), "");
    }

    #[test]
    fn the_apis_messages_read_as_sentences() {
        assert_eq!(
            friendly_detail("code: that is not the code the app shows now"),
            "That is not the code the app shows now."
        );
        assert_eq!(
            friendly_detail("sign in again: this session has ended"),
            "Sign in again: this session has ended."
        );
        assert_eq!(
            friendly_detail("payment_id: too long"),
            "Too long."
        );
        assert_eq!(friendly_detail("Payments are not configured."), "Payments are not configured.");
        assert_eq!(friendly_detail(""), "");
    }

    #[test]
    fn audit_values_are_compact_json() {
        use serde_json::json;
        assert_eq!(compact_json(&json!(null)), "—");
        assert_eq!(compact_json(&json!("active")), "active");
        assert_eq!(
            compact_json(&json!({"status": "active", "n": 2})),
            r#"{"n":2,"status":"active"}"#
        );
        assert_eq!(
            change_text(&json!({"status": "active"}), &json!({"status": "suspended"})),
            r#"{"status":"active"} → {"status":"suspended"}"#
        );
        assert_eq!(change_text(&json!(null), &json!({"a": 1})), r#"{"a":1}"#);
        assert_eq!(change_text(&json!(1), &json!(null)), "1 → —");
        assert_eq!(change_text(&json!(null), &json!(null)), "—");
        assert_eq!(pretty_json(&json!({"a": 1})), "{\n  \"a\": 1\n}");
    }

    #[test]
    fn order_numbers_are_digits_with_an_optional_hash() {
        assert_eq!(parse_order_number(""), Ok(None));
        assert_eq!(parse_order_number("  "), Ok(None));
        assert_eq!(parse_order_number("1042"), Ok(Some(1042)));
        assert_eq!(parse_order_number(" #1042 "), Ok(Some(1042)));
        assert_eq!(parse_order_number("# 7"), Ok(Some(7)));
        assert!(parse_order_number("#").is_err());
        assert!(parse_order_number("10a").is_err());
        assert!(parse_order_number("-3").is_err());
        assert!(parse_order_number("0").is_err());
        assert!(parse_order_number("99999999999999999999").is_err());
    }

    #[test]
    fn refund_amounts_become_exact_minor_units() {
        let left = inr(129_950);
        assert_eq!(parse_amount("1299.50", left), Ok(129_950));
        assert_eq!(parse_amount("1299.5", left), Ok(129_950));
        assert_eq!(parse_amount("₹1,299", left), Ok(129_900));
        assert_eq!(parse_amount("INR 10", left), Ok(1000));
        assert_eq!(parse_amount(".05", left), Ok(5));
        assert_eq!(parse_amount("0.29", left), Ok(29));
        let usd = Money::new(5000, Currency::parse("USD").unwrap());
        assert_eq!(parse_amount("USD 12.5", usd), Ok(1250));
        assert_eq!(parse_amount("$12", usd), Ok(1200));
    }

    #[test]
    fn bad_refund_amounts_are_explained() {
        let left = inr(10_000);
        assert!(parse_amount("", left).unwrap_err().starts_with("Enter the amount"));
        assert!(parse_amount("-5", left).unwrap_err().contains("negative"));
        assert!(parse_amount("1.234", left).unwrap_err().contains("two decimal"));
        assert!(parse_amount("abc", left).unwrap_err().contains("like 1299.50"));
        assert_eq!(parse_amount("0", left).unwrap_err(), "Enter more than ₹0.00");
        assert_eq!(
            parse_amount("100.01", left).unwrap_err(),
            "At most ₹100.00 is left to refund"
        );
        assert!(
            parse_amount("99999999999999999999999", left)
                .unwrap_err()
                .starts_with("At most")
        );
    }

    #[test]
    fn amounts_read_back_as_typed() {
        assert_eq!(amount_text(129_950), "1299.50");
        assert_eq!(amount_text(5), "0.05");
        assert_eq!(amount_text(-5), "-0.05");
        let left = inr(i64::from(i32::MAX));
        for minor in [1, 10, 99, 100, 129_950] {
            assert_eq!(parse_amount(&amount_text(minor), left), Ok(minor));
        }
    }
}
