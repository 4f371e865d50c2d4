//! Calendar days for the panels' date ranges: `YYYY-MM-DD` values as `<input type="date">` gives
//! them and the APIs take them, day arithmetic for the "Last 30 days" presets, the checks run
//! before a range is sent, the browser's own today and UTC offset, and the dates as people read
//! them (`Sun 3 May 2026`, an axis's `3 May`).
//!
//! Everything but [`browser_now`] is plain data, so it is tested natively.

use crate::chart::count_noun;
use crate::forms::FieldErrors;
use zelly_edge::analytics::{MAX_RANGE_DAYS, UTC_OFFSET_RANGE};

/// A day of the (proleptic) Gregorian calendar, years 1 to 9999.
///
/// The fields are in significance order, so the derived ordering is the calendar's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    year: i32,
    month: u32,
    day: u32,
}

/// Short month names, January first.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Short weekday names, Sunday first.
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Days in 400 Gregorian years, after which the calendar repeats itself.
const DAYS_PER_ERA: i64 = 146_097;

/// Days from 0000-03-01 (the start of the era the arithmetic counts in) to 1970-01-01.
const EPOCH_SHIFT: i64 = 719_468;

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The calendar date (year, month 1-12, day 1-31) of a day counted from 1970-01-01 (proleptic
/// Gregorian, as in Howard Hinnant's `civil_from_days`), for any year.
///
/// Counts in 400-year eras whose years start on 1 March, so that the leap day is the last day of a
/// year and every month but February has a fixed place in it.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + EPOCH_SHIFT;
    let era = shifted.div_euclid(DAYS_PER_ERA);
    let day_of_era = shifted.rem_euclid(DAYS_PER_ERA);
    // Undo the leap days: one every 4 years, none every 100, one again at 400.
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524
        - day_of_era / (DAYS_PER_ERA - 1))
        / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = era * 400 + year_of_era + i64::from(month <= 2);
    // Both are in range by construction (1-31 and 1-12).
    (year, month as u32, day as u32)
}

impl Day {
    /// The day `year-month-day`, if the calendar has it.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Day> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        valid.then_some(Day { year, month, day })
    }

    /// A `YYYY-MM-DD` value (what a date input holds), or `None` for anything else, including an
    /// empty or half-typed input.
    pub fn parse(text: &str) -> Option<Day> {
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return None;
        }
        let year = text[..4].parse().ok()?;
        let month = text[5..7].parse().ok()?;
        let day = text[8..].parse().ok()?;
        Day::new(year, month, day)
    }

    /// Days since 1970-01-01 (negative before it): the inverse of [`civil_from_days`].
    pub fn to_epoch_days(self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        // March is month 0 of the shifted year; the 153-days-per-5-months rule places each month.
        let shifted_month = (month + 9) % 12;
        let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * DAYS_PER_ERA + day_of_era - EPOCH_SHIFT
    }

    /// The day `days` after 1970-01-01, or `None` outside years 1 to 9999.
    pub fn from_epoch_days(days: i64) -> Option<Day> {
        let (year, month, day) = civil_from_days(days);
        Day::new(i32::try_from(year).ok()?, month, day)
    }

    /// The day `days` later (earlier when negative), or `None` past the calendar's ends.
    pub fn add_days(self, days: i64) -> Option<Day> {
        Day::from_epoch_days(self.to_epoch_days() + days)
    }

    /// How many days `later` comes after this day (negative when it comes before).
    pub fn days_until(self, later: Day) -> i64 {
        later.to_epoch_days() - self.to_epoch_days()
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The day of the week, e.g. `Sun`.
    pub fn weekday(self) -> &'static str {
        // 1970-01-01 was a Thursday.
        let index = (self.to_epoch_days() + 4).rem_euclid(7);
        WEEKDAYS[usize::try_from(index).unwrap_or_default()]
    }

    fn month_name(self) -> &'static str {
        MONTHS[(self.month as usize).saturating_sub(1).min(11)]
    }

    /// A chart axis label, e.g. `3 May`.
    pub fn short_label(self) -> String {
        format!("{} {}", self.day, self.month_name())
    }

    /// The day in full for a tooltip or a summary, e.g. `Sun 3 May 2026`.
    pub fn long_label(self) -> String {
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

/// The quick ranges above the date fields: how many days, ending today, and their label.
pub const PRESETS: [(u32, &str); 3] = [
    (7, "Last 7 days"),
    (30, "Last 30 days"),
    (90, "Last 90 days"),
];

/// The preset a range picker opens with.
pub const DEFAULT_PRESET_DAYS: u32 = 30;

/// The `days` days that end with `today`, both ends included: `(from, to)`.
pub fn last_days(today: Day, days: u32) -> (Day, Day) {
    let from = today.add_days(1 - i64::from(days.max(1))).unwrap_or(today);
    (from, today)
}

/// The date fields' values for the `days` days ending `today`; empty when today is unknown.
pub fn preset_values(today: Option<Day>, days: u32) -> (String, String) {
    today
        .map(|today| last_days(today, days))
        .map(|(from, to)| (from.to_string(), to.to_string()))
        .unwrap_or_default()
}

/// A picker's two fields checked before anything is sent: the range, or what is wrong, keyed
/// `from` and `to` like the APIs' 422 answers so that both show in the same place.
///
/// A range may cover at most [`MAX_RANGE_DAYS`] days counting both ends, the stricter reading of
/// the APIs' limit, so nothing the picker accepts is refused by the API.
pub fn check_range(from: &str, to: &str) -> Result<(Day, Day), FieldErrors> {
    let mut errors = FieldErrors::new();
    let from_day = Day::parse(from.trim());
    let to_day = Day::parse(to.trim());
    if from_day.is_none() {
        errors.insert("from".into(), "Enter a start date.".into());
    }
    if to_day.is_none() {
        errors.insert("to".into(), "Enter an end date.".into());
    }
    let (Some(from_day), Some(to_day)) = (from_day, to_day) else {
        return Err(errors);
    };
    let span = from_day.days_until(to_day) + 1;
    if span < 1 {
        errors.insert(
            "to".into(),
            "The end date must not be before the start date.".into(),
        );
    } else if span > i64::from(MAX_RANGE_DAYS) {
        errors.insert(
            "to".into(),
            format!("Choose at most {MAX_RANGE_DAYS} days (this range has {span})."),
        );
    }
    if errors.is_empty() {
        Ok((from_day, to_day))
    } else {
        Err(errors)
    }
}

/// How many days a report from `from` to `to` covers, both counted (0 when they are no dates).
pub fn span_days(from: &str, to: &str) -> u64 {
    match (Day::parse(from), Day::parse(to)) {
        (Some(from), Some(to)) => u64::try_from(from.days_until(to) + 1).unwrap_or_default(),
        _ => 0,
    }
}

/// The offset to send for JavaScript's `Date.getTimezoneOffset()`, which counts the other way
/// (UTC minus local time, so India is -330): whole minutes east of UTC, kept within what the APIs
/// accept.
pub fn utc_offset_from_js(timezone_offset: f64) -> i32 {
    if !timezone_offset.is_finite() {
        return 0;
    }
    let east = (-timezone_offset).round();
    let (lowest, highest) = (*UTC_OFFSET_RANGE.start(), *UTC_OFFSET_RANGE.end());
    // Clamped first, so the conversion cannot overflow.
    east.clamp(f64::from(lowest), f64::from(highest)) as i32
}

/// An offset as people write it, e.g. `UTC+05:30`, `UTC-03:00`, `UTC`.
pub fn describe_offset(minutes: i32) -> String {
    if minutes == 0 {
        return "UTC".to_owned();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Today in the browser's time zone and that zone's current offset from UTC in minutes east.
///
/// The offset is the one in force now: a range crossing a daylight-saving change is reported in
/// today's offset, as the APIs take one offset per report. Outside a browser: no today, UTC.
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
        (today, utc_offset_from_js(now.get_timezone_offset()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        (None, 0)
    }
}

/// `Sun 3 May 2026` for `2026-05-03` (the text itself when it is no date).
pub fn long_date(date: &str) -> String {
    Day::parse(date).map_or_else(|| date.to_owned(), Day::long_label)
}

/// A report's range, e.g. `Sat 4 Apr 2026 – Sun 3 May 2026 (30 days)`.
pub fn range_label(from: &str, to: &str) -> String {
    let days = span_days(from, to);
    let count = if days == 0 {
        String::new()
    } else {
        format!(" ({})", count_noun(days, "day", "days"))
    };
    format!("{} – {}{count}", long_date(from), long_date(to))
}

/// The x labels of `dates`, e.g. `3 May`; across a new year the first label and the first of each
/// year also name the year (`21 Dec 2025`, `8 Feb 2026`, `29 Mar`). Text that is no date is shown
/// as it came.
pub fn axis_dates(dates: &[&str]) -> Vec<String> {
    let days: Vec<Option<Day>> = dates.iter().map(|date| Day::parse(date)).collect();
    let years = days.iter().flatten().map(|day| day.year());
    let spans_years = years.clone().min() != years.max();
    let mut previous_year = None;
    dates
        .iter()
        .zip(days)
        .map(|(date, day)| match day {
            Some(day) if spans_years && previous_year != Some(day.year()) => {
                previous_year = Some(day.year());
                format!("{} {}", day.short_label(), day.year())
            }
            Some(day) => day.short_label(),
            None => (*date).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    #[test]
    fn a_date_inputs_value_round_trips() {
        assert_eq!(day("2026-05-03").to_string(), "2026-05-03");
        assert_eq!(day("0001-01-01").to_string(), "0001-01-01");
    }

    #[test]
    fn anything_but_a_real_yyyy_mm_dd_is_refused() {
        for text in [
            "",
            "2026-5-3",
            "2026/05/03",
            "03-05-2026",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2025-02-29",
            "0000-01-01",
            "+2026-05-03",
            "+026-05-03",
            "2026-05-0x",
            "2026-05-03 ",
        ] {
            assert_eq!(Day::parse(text), None, "{text:?}");
        }
        assert!(Day::parse("2024-02-29").is_some());
        assert!(Day::parse("2000-02-29").is_some());
        assert_eq!(Day::parse("1900-02-29"), None);
    }

    #[test]
    fn days_are_counted_from_the_unix_epoch() {
        assert_eq!(day("1970-01-01").to_epoch_days(), 0);
        assert_eq!(day("1969-12-31").to_epoch_days(), -1);
        assert_eq!(day("2000-03-01").to_epoch_days(), 11_017);
        // 2026-05-03T00:00:00Z is 1_777_766_400 seconds after the epoch.
        assert_eq!(day("2026-05-03").to_epoch_days(), 1_777_766_400 / 86_400);
    }

    #[test]
    fn days_become_calendar_dates_in_any_year() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_220), (2025, 5, 12));
        assert_eq!(
            Day::from_epoch_days(day("9999-12-31").to_epoch_days() + 1),
            None
        );
    }

    #[test]
    fn every_day_converts_back_to_itself() {
        let start = day("1899-12-25").to_epoch_days();
        let mut previous: Option<Day> = None;
        for days in start..start + 3 * DAYS_PER_ERA / 4 {
            let converted = Day::from_epoch_days(days).unwrap();
            assert_eq!(converted.to_epoch_days(), days);
            if let Some(previous) = previous {
                assert!(previous < converted);
            }
            previous = Some(converted);
        }
    }

    #[test]
    fn adding_days_crosses_months_years_and_leap_days() {
        assert_eq!(day("2024-02-28").add_days(1), Some(day("2024-02-29")));
        assert_eq!(day("2024-02-29").add_days(1), Some(day("2024-03-01")));
        assert_eq!(day("2026-01-01").add_days(-1), Some(day("2025-12-31")));
        assert_eq!(day("9999-12-31").add_days(1), None);
        assert_eq!(day("2026-01-01").days_until(day("2026-12-31")), 364);
    }

    #[test]
    fn labels_read_like_a_calendar() {
        assert_eq!(day("2026-05-03").short_label(), "3 May");
        assert_eq!(day("2026-05-03").long_label(), "Sun 3 May 2026");
        assert_eq!(day("1970-01-01").weekday(), "Thu");
        assert_eq!(day("1970-01-01").long_label(), "Thu 1 Jan 1970");
    }

    #[test]
    fn last_thirty_days_ends_today_and_counts_today() {
        let (from, to) = last_days(day("2026-05-03"), 30);
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2026-04-04".into(), "2026-05-03".into())
        );
        assert_eq!(from.days_until(to) + 1, 30);
        let (from, _) = last_days(day("2026-03-02"), 7);
        assert_eq!(from.to_string(), "2026-02-24");
        assert_eq!(last_days(day("2026-03-02"), 1).0, day("2026-03-02"));
    }

    #[test]
    fn presets_fill_the_fields_once_today_is_known() {
        assert_eq!(
            preset_values(Some(day("2026-05-03")), 90),
            ("2026-02-03".to_owned(), "2026-05-03".to_owned())
        );
        assert_eq!(preset_values(None, 7), (String::new(), String::new()));
        assert_eq!(span_days("2026-04-04", "2026-05-03"), 30);
        assert_eq!(span_days("", "2026-05-03"), 0);
    }

    #[test]
    fn a_good_range_passes_the_check() {
        assert_eq!(
            check_range("2026-04-04", "2026-05-03"),
            Ok((day("2026-04-04"), day("2026-05-03")))
        );
        assert_eq!(
            check_range("2026-04-04", " 2026-05-03 "),
            Ok((day("2026-04-04"), day("2026-05-03")))
        );
        assert!(check_range("2026-05-03", "2026-05-03").is_ok());
    }

    #[test]
    fn empty_fields_are_named() {
        let errors = check_range("", "2026-05-03").unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["from"]);
        let errors = check_range("", "").unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["from", "to"]);
    }

    #[test]
    fn an_end_before_the_start_is_refused_on_the_end_date() {
        let errors = check_range("2026-05-03", "2026-05-02").unwrap_err();
        assert_eq!(
            errors.get("to").map(String::as_str),
            Some("The end date must not be before the start date.")
        );
    }

    #[test]
    fn a_range_longer_than_the_api_allows_is_refused() {
        // 366 days counting both ends is the most.
        assert!(check_range("2025-05-03", "2026-05-03").is_ok());
        assert!(check_range("2024-01-01", "2024-12-31").is_ok());
        let errors = check_range("2024-01-01", "2025-01-01").unwrap_err();
        assert_eq!(
            errors.get("to").map(String::as_str),
            Some("Choose at most 366 days (this range has 367).")
        );
    }

    #[test]
    fn the_browsers_offset_is_turned_east_of_utc() {
        // India: getTimezoneOffset() is -330.
        assert_eq!(utc_offset_from_js(-330.0), 330);
        // New York in winter: +300.
        assert_eq!(utc_offset_from_js(300.0), -300);
        assert_eq!(utc_offset_from_js(0.0), 0);
        assert_eq!(utc_offset_from_js(-0.0), 0);
    }

    #[test]
    fn an_offset_out_of_the_apis_range_is_clamped() {
        assert_eq!(utc_offset_from_js(-900.0), 840);
        assert_eq!(utc_offset_from_js(800.0), -720);
        assert_eq!(utc_offset_from_js(f64::NAN), 0);
    }

    #[test]
    fn offsets_are_described_as_utc_plus_or_minus() {
        assert_eq!(describe_offset(330), "UTC+05:30");
        assert_eq!(describe_offset(-300), "UTC-05:00");
        assert_eq!(describe_offset(-570), "UTC-09:30");
        assert_eq!(describe_offset(0), "UTC");
    }

    #[test]
    fn the_range_names_its_days_and_their_number() {
        assert_eq!(
            range_label("2026-04-04", "2026-05-03"),
            "Sat 4 Apr 2026 – Sun 3 May 2026 (30 days)"
        );
        assert_eq!(
            range_label("2026-05-03", "2026-05-03"),
            "Sun 3 May 2026 – Sun 3 May 2026 (1 day)"
        );
    }

    #[test]
    fn an_unexpected_date_is_shown_as_it_came() {
        assert_eq!(long_date("someday"), "someday");
        assert_eq!(axis_dates(&["someday", "2026-05-03"]), ["someday", "3 May"]);
    }

    #[test]
    fn axis_labels_within_one_year_leave_the_year_out() {
        assert_eq!(
            axis_dates(&["2026-04-05", "2026-04-12", "2026-05-03"]),
            ["5 Apr", "12 Apr", "3 May"]
        );
    }

    #[test]
    fn axis_labels_across_new_year_name_each_year_once() {
        assert_eq!(
            axis_dates(&["2025-12-21", "2025-12-28", "2026-01-04", "2026-01-11"]),
            ["21 Dec 2025", "28 Dec", "4 Jan 2026", "11 Jan"]
        );
    }
}
