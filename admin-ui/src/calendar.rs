//! Calendar days for the analytics range: the `YYYY-MM-DD` values a date input holds and
//! admin-api takes, the "Last 30 days" presets, the checks run before a range is sent, and the
//! browser's own today and offset from UTC (the days a report counts are the staff member's days,
//! as in seller-ui).
//!
//! Everything but [`browser_now`] is plain data, tested natively at the bottom of this file.

use crate::format::civil_from_days;
use zelly_edge::analytics::{MAX_RANGE_DAYS, UTC_OFFSET_RANGE};
use zelly_ui_kit::forms::FieldErrors;

/// The quick ranges: how many days, ending today, and their label.
pub const PRESETS: [(u32, &str); 3] = [
    (7, "Last 7 days"),
    (30, "Last 30 days"),
    (90, "Last 90 days"),
];

/// The range the screen opens with.
pub const DEFAULT_PRESET_DAYS: u32 = 30;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// A day of the Gregorian calendar, years 1 to 9999. The fields run from the most significant,
/// so the derived order is the calendar's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    year: i32,
    month: u32,
    day: u32,
}

fn leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn month_length(year: i32, month: u32) -> u32 {
    match month {
        2 if leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Day {
    /// `year-month-day`, when the calendar has that day.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Day> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= month_length(year, month))
        .then_some(Day { year, month, day })
    }

    /// A `YYYY-MM-DD` value; `None` for anything else (an empty or half-typed input too).
    pub fn parse(text: &str) -> Option<Day> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        Day::new(year, digits(5..7)?, digits(8..10)?)
    }

    /// Days since 1970-01-01 (negative before it): the inverse of
    /// [`civil_from_days`](crate::format::civil_from_days), in eras of 400 years that start on
    /// 1 March so that a leap day ends its year.
    pub fn epoch_days(self) -> i64 {
        let march_based = i64::from(self.month > 2);
        let year = i64::from(self.year) - 1 + march_based;
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month_from_march = (i64::from(self.month) + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = 365 * year_of_era + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The day `days` after 1970-01-01, within years 1 to 9999.
    pub fn from_epoch_days(days: i64) -> Option<Day> {
        let (year, month, day) = civil_from_days(days);
        Day::new(i32::try_from(year).ok()?, month, day)
    }

    /// The day `days` later (earlier when negative), within the calendar.
    pub fn plus(self, days: i64) -> Option<Day> {
        Day::from_epoch_days(self.epoch_days() + days)
    }

    /// How many days after this one `later` is (negative when before).
    pub fn days_until(self, later: Day) -> i64 {
        later.epoch_days() - self.epoch_days()
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    fn month_name(self) -> &'static str {
        MONTHS[(self.month as usize).saturating_sub(1).min(11)]
    }

    fn weekday(self) -> &'static str {
        // 1970-01-01 was a Thursday.
        let index = (self.epoch_days() + 4).rem_euclid(7);
        WEEKDAYS[usize::try_from(index).unwrap_or_default()]
    }

    /// A chart's axis label, e.g. `3 May`.
    pub fn short(self) -> String {
        format!("{} {}", self.day, self.month_name())
    }

    /// The day in full, e.g. `Sun 3 May 2026`.
    pub fn long(self) -> String {
        format!(
            "{} {} {} {}",
            self.weekday(),
            self.day,
            self.month_name(),
            self.year
        )
    }
}

impl std::fmt::Display for Day {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The `days` days ending `today`, both counted: `(from, to)`.
pub fn last_days(today: Day, days: u32) -> (Day, Day) {
    let back = i64::from(days.max(1)) - 1;
    (today.plus(-back).unwrap_or(today), today)
}

/// The date fields' values for the `days` days ending `today`; empty when today is unknown.
pub fn preset_values(today: Option<Day>, days: u32) -> (String, String) {
    today
        .map(|today| last_days(today, days))
        .map(|(from, to)| (from.to_string(), to.to_string()))
        .unwrap_or_default()
}

/// The two date fields checked before a report is asked for: the range, or what is wrong keyed
/// `from` and `to` as admin-api's 422 names them. At most [`MAX_RANGE_DAYS`] days counting both
/// ends (the stricter reading of the API's limit, so the API never refuses what passes here).
pub fn check_range(from: &str, to: &str) -> Result<(Day, Day), FieldErrors> {
    let mut errors = FieldErrors::new();
    let (first, last) = (Day::parse(from.trim()), Day::parse(to.trim()));
    if first.is_none() {
        errors.insert("from".into(), "Enter a start date.".into());
    }
    if last.is_none() {
        errors.insert("to".into(), "Enter an end date.".into());
    }
    let (Some(first), Some(last)) = (first, last) else {
        return Err(errors);
    };
    let span = first.days_until(last) + 1;
    if span < 1 {
        errors.insert(
            "to".into(),
            "The end date must not be before the start date.".into(),
        );
        return Err(errors);
    }
    if span > i64::from(MAX_RANGE_DAYS) {
        errors.insert(
            "to".into(),
            format!("Choose at most {MAX_RANGE_DAYS} days (this range has {span})."),
        );
        return Err(errors);
    }
    Ok((first, last))
}

/// How many days a report from `from` to `to` covers, both counted (0 when they are no dates).
pub fn span_days(from: &str, to: &str) -> u64 {
    match (Day::parse(from), Day::parse(to)) {
        (Some(from), Some(to)) => u64::try_from(from.days_until(to) + 1).unwrap_or_default(),
        _ => 0,
    }
}

/// The offset admin-api takes (whole minutes east of UTC, within its range) for JavaScript's
/// `Date.getTimezoneOffset()`, which counts minutes west (India is -330).
pub fn offset_from_js(minutes_west: f64) -> i32 {
    if !minutes_west.is_finite() {
        return 0;
    }
    let (low, high) = (*UTC_OFFSET_RANGE.start(), *UTC_OFFSET_RANGE.end());
    // Clamped before the cast, so it cannot overflow.
    (-minutes_west.round()).clamp(f64::from(low), f64::from(high)) as i32
}

/// An offset as people write it: `UTC+05:30`, `UTC-03:00`, `UTC`.
pub fn offset_label(minutes: i32) -> String {
    if minutes == 0 {
        return "UTC".to_owned();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Today in the browser's time zone and that zone's offset now (minutes east of UTC). The offset
/// in force now is sent for the whole range, as admin-api takes one offset per report. Outside a
/// browser: no today, UTC.
pub fn browser_now() -> (Option<Day>, i32) {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos::web_sys::js_sys::Date;
        let now = Date::new_0();
        let today = Day::new(
            i32::try_from(now.get_full_year()).unwrap_or_default(),
            now.get_month() + 1,
            now.get_date(),
        );
        (today, offset_from_js(now.get_timezone_offset()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        (None, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    #[test]
    fn only_real_days_in_yyyy_mm_dd_are_read() {
        assert_eq!(day("2026-05-03").to_string(), "2026-05-03");
        assert_eq!(day("0001-01-01").to_string(), "0001-01-01");
        assert!(Day::parse("2024-02-29").is_some());
        for text in [
            "", "2026-5-3", "2026/05/03", "2026-13-01", "2026-00-01", "2026-04-31",
            "2025-02-29", "1900-02-29", "0000-06-01", "+026-05-03", "2026-05-0x", "2026-05-03 ",
        ] {
            assert_eq!(Day::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn days_count_from_the_epoch_both_ways() {
        assert_eq!(day("1970-01-01").epoch_days(), 0);
        assert_eq!(day("1969-12-31").epoch_days(), -1);
        assert_eq!(day("2000-03-01").epoch_days(), 11_017);
        assert_eq!(day("2026-05-03").epoch_days(), 1_777_766_400 / 86_400);
        let start = day("1895-01-01").epoch_days();
        for days in start..start + 60_000 {
            assert_eq!(Day::from_epoch_days(days).unwrap().epoch_days(), days);
        }
        assert_eq!(day("9999-12-31").plus(1), None);
        assert_eq!(day("2024-02-28").plus(1), Some(day("2024-02-29")));
        assert_eq!(day("2026-01-01").plus(-1), Some(day("2025-12-31")));
    }

    #[test]
    fn labels_read_like_a_calendar() {
        assert_eq!(day("2026-05-03").short(), "3 May");
        assert_eq!(day("2026-05-03").long(), "Sun 3 May 2026");
        assert_eq!(day("1970-01-01").long(), "Thu 1 Jan 1970");
    }

    #[test]
    fn presets_end_today_and_count_it() {
        let (from, to) = last_days(day("2026-05-03"), 30);
        assert_eq!((from, to), (day("2026-04-04"), day("2026-05-03")));
        assert_eq!(last_days(day("2026-03-02"), 7).0, day("2026-02-24"));
        assert_eq!(last_days(day("2026-03-02"), 1).0, day("2026-03-02"));
        assert_eq!(
            preset_values(Some(day("2026-05-03")), 90),
            ("2026-02-03".to_owned(), "2026-05-03".to_owned())
        );
        assert_eq!(preset_values(None, 7), (String::new(), String::new()));
        assert_eq!(span_days("2026-04-04", "2026-05-03"), 30);
        assert_eq!(span_days("", "2026-05-03"), 0);
    }

    #[test]
    fn a_range_is_checked_before_it_is_sent() {
        assert_eq!(
            check_range("2026-04-04", " 2026-05-03 "),
            Ok((day("2026-04-04"), day("2026-05-03")))
        );
        let both = check_range("", "").unwrap_err();
        assert_eq!(both.keys().collect::<Vec<_>>(), ["from", "to"]);
        let backwards = check_range("2026-05-03", "2026-05-02").unwrap_err();
        assert_eq!(
            backwards["to"],
            "The end date must not be before the start date."
        );
        assert!(check_range("2025-05-03", "2026-05-03").is_ok());
        assert_eq!(
            check_range("2024-01-01", "2025-01-01").unwrap_err()["to"],
            "Choose at most 366 days (this range has 367)."
        );
    }

    #[test]
    fn the_browsers_offset_is_turned_east_and_kept_in_range() {
        assert_eq!(offset_from_js(-330.0), 330);
        assert_eq!(offset_from_js(300.0), -300);
        assert_eq!(offset_from_js(-0.0), 0);
        assert_eq!(offset_from_js(-900.0), 840);
        assert_eq!(offset_from_js(800.0), -720);
        assert_eq!(offset_from_js(f64::NAN), 0);
        assert_eq!(offset_label(330), "UTC+05:30");
        assert_eq!(offset_label(-570), "UTC-09:30");
        assert_eq!(offset_label(0), "UTC");
    }
}
