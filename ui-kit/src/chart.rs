//! The panels' inline SVG charts of values by day: the arithmetic, kept apart from the views so
//! that it is tested natively (where the plot sits in the SVG, where each day's point or bar goes,
//! the y axis's round ticks, which days get an x label, the SVG path strings, and how values read
//! on an axis or in a sentence), and the pieces every chart is drawn with ([`ChartScroll`],
//! [`y_axis`], [`x_axis`], [`hit_band`], [`svg_title`]).
//!
//! Coordinates are in the SVG's `viewBox` units, y growing downwards as SVG has it. Each of `n` days
//! owns an equal slot of the plot's width: a line chart puts its point in the slot's middle, a bar
//! chart its bar, so the two charts line up day for day.

use crate::calendar::axis_dates;
use leptos::prelude::*;

/// Where a chart's plot area sits inside its `viewBox`: the whole size, then the margins kept for
/// the axis labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// The `viewBox` width.
    pub width: f64,
    /// The `viewBox` height.
    pub height: f64,
    /// Room left of the plot, for the y labels.
    pub left: f64,
    /// Room right of the plot.
    pub right: f64,
    /// Room above the plot.
    pub top: f64,
    /// Room below the plot, for the x labels.
    pub bottom: f64,
}

/// A day's slot along the x axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// Its left edge.
    pub start: f64,
    /// Its width.
    pub width: f64,
}

impl Slot {
    /// The slot's middle, where a line chart's point goes.
    pub fn middle(&self) -> f64 {
        self.start + self.width / 2.0
    }

    /// The bar drawn in the slot: `(x, width)`, leaving a gap between neighbours (none once the
    /// slots are too thin for one to show).
    pub fn bar(&self) -> (f64, f64) {
        let gap = if self.width >= 4.0 {
            (self.width * 0.25).min(8.0)
        } else {
            0.0
        };
        (self.start + gap / 2.0, self.width - gap)
    }
}

impl Frame {
    /// The `viewBox` attribute, e.g. `0 0 640 240`.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", coord(self.width), coord(self.height))
    }

    /// The plot's left edge.
    pub fn plot_left(&self) -> f64 {
        self.left
    }

    /// The plot's right edge.
    pub fn plot_right(&self) -> f64 {
        self.width - self.right
    }

    /// The plot's top edge.
    pub fn plot_top(&self) -> f64 {
        self.top
    }

    /// The plot's bottom edge: the x axis, where zero is.
    pub fn plot_bottom(&self) -> f64 {
        self.height - self.bottom
    }

    /// The plot's height.
    pub fn plot_height(&self) -> f64 {
        self.plot_bottom() - self.plot_top()
    }

    /// The slot of day `index` of `count` days.
    pub fn slot(&self, index: usize, count: usize) -> Slot {
        let width = (self.plot_right() - self.plot_left()) / count.max(1) as f64;
        Slot {
            start: self.plot_left() + width * index as f64,
            width,
        }
    }

    /// The y of `value` on an axis from 0 (the plot's bottom) to `axis_max` (its top).
    pub fn y(&self, value: u64, axis_max: u64) -> f64 {
        if axis_max == 0 {
            return self.plot_bottom();
        }
        let share = (value as f64 / axis_max as f64).clamp(0.0, 1.0);
        self.plot_bottom() - share * self.plot_height()
    }
}

/// A y axis of counts: from 0 to `max`, labelled at `ticks` (0 included), evenly spaced by a round
/// step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// The top of the axis, at least the largest value.
    pub max: u64,
    /// The labelled values, 0 first.
    pub ticks: Vec<u64>,
}

/// The axis for values up to `largest` with at most `max_intervals` steps between ticks: the step is
/// the smallest of 1, 2 or 5 times a power of ten that fits, so the ticks are round numbers (0, 250,
/// 500…). Counts are whole, so the step is at least 1; with nothing to show the axis goes to 1.
pub fn nice_axis(largest: u64, max_intervals: u64) -> Axis {
    let largest = largest.max(1);
    let intervals = max_intervals.max(1);
    let mut magnitude: u64 = 1;
    let step = 'search: loop {
        for multiple in [1, 2, 5] {
            let step = magnitude.saturating_mul(multiple);
            if largest.div_ceil(step) <= intervals {
                break 'search step;
            }
        }
        if magnitude > u64::MAX / 10 {
            // Beyond any count a store will see; one step then covers everything.
            break largest;
        }
        magnitude *= 10;
    };
    let steps = largest.div_ceil(step);
    Axis {
        max: steps.saturating_mul(step),
        ticks: (0..=steps).map(|i| i.saturating_mul(step)).collect(),
    }
}

/// The days (indices of `count`) that get an x label, at most `max_labels` of them: every day when
/// they fit, else every 2nd or 3rd day, else whole weeks apart so the labelled days share a weekday.
/// Counted back from the last day, which is always labelled: the newest day is the one looked for.
pub fn x_label_indices(count: usize, max_labels: usize) -> Vec<usize> {
    if count == 0 {
        return Vec::new();
    }
    let max_labels = max_labels.max(1);
    let fits = |step: usize| count.div_ceil(step) <= max_labels;
    let step = [1, 2, 3]
        .into_iter()
        .chain((1..).map(|weeks| weeks * 7))
        .find(|step| fits(*step))
        .unwrap_or(count);
    let mut indices: Vec<usize> = (0..count).rev().step_by(step).collect();
    indices.reverse();
    indices
}

/// An SVG path through `points` (`M x y L x y …`); empty without points.
pub fn line_path(points: &[(f64, f64)]) -> String {
    let mut path = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        let command = if i == 0 { 'M' } else { 'L' };
        if i > 0 {
            path.push(' ');
        }
        path.push_str(&format!("{command}{} {}", coord(*x), coord(*y)));
    }
    path
}

/// An SVG path of the area between the line through `points` and the horizontal `baseline`
/// (closed, to be filled); empty without points.
pub fn area_path(points: &[(f64, f64)], baseline: f64) -> String {
    let (Some((first_x, _)), Some((last_x, _))) = (points.first(), points.last()) else {
        return String::new();
    };
    format!(
        "M{} {} L{} L{} {} Z",
        coord(*first_x),
        coord(baseline),
        line_path(points).trim_start_matches('M'),
        coord(*last_x),
        coord(baseline)
    )
}

/// A coordinate with at most one decimal (a tenth of a unit is finer than any screen shows), and
/// no trailing `.0`: keeps the paths short.
pub fn coord(value: f64) -> String {
    let tenths = (value * 10.0).round() / 10.0;
    // Avoids printing "-0".
    let tenths = if tenths == 0.0 { 0.0 } else { tenths };
    let text = format!("{tenths:.1}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

/// A count as a y label fits it: `950`, `1.5k`, `12k`, `2.5M`.
pub fn compact_count(value: u64) -> String {
    let scaled = |unit: u64, suffix: &str| {
        let whole = value / unit;
        let tenths = (value % unit) * 10 / unit;
        if tenths == 0 || whole >= 10 {
            format!("{whole}{suffix}")
        } else {
            format!("{whole}.{tenths}{suffix}")
        }
    };
    match value {
        0..1_000 => value.to_string(),
        1_000..1_000_000 => scaled(1_000, "k"),
        1_000_000..1_000_000_000 => scaled(1_000_000, "M"),
        _ => scaled(1_000_000_000, "B"),
    }
}

/// The prefix of amounts in `currency` on an axis: its symbol (`₹`, `$`), or its code and a space.
pub fn currency_prefix(currency: &str) -> String {
    match zelly_edge::Currency::parse(currency.trim()) {
        Ok(parsed) if parsed.symbol() != parsed.as_str() => parsed.symbol().to_owned(),
        Ok(parsed) => format!("{} ", parsed.as_str()),
        Err(_) if currency.trim().is_empty() => String::new(),
        Err(_) => format!("{} ", currency.trim()),
    }
}

/// An amount in minor units short enough for an axis: `₹0`, `₹0.5`, `₹25`, `₹1.5k`, `USD 12k`.
pub fn compact_money(minor: u64, currency: &str) -> String {
    let (major, cents) = (minor / 100, minor % 100);
    let amount = if cents == 0 || major >= 1_000 {
        compact_count(major)
    } else {
        let text = format!("{major}.{cents:02}");
        text.trim_end_matches('0').to_owned()
    };
    format!("{}{amount}", currency_prefix(currency))
}

/// A count for people to read: `1,234,567`.
pub fn grouped_count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `1 order`, `2 orders`, `1,500 visits`.
pub fn count_noun(count: u64, one: &str, many: &str) -> String {
    let noun = if count == 1 { one } else { many };
    format!("{} {noun}", grouped_count(count))
}

/// The first of `dates` with the most of `values` (a value a day), if any day had some.
pub fn busiest<'a>(dates: &[&'a str], values: &[u64]) -> Option<(&'a str, u64)> {
    dates
        .iter()
        .zip(values)
        .filter(|(_, value)| **value > 0)
        .fold(None, |best, (date, value)| match best {
            Some((_, most)) if most >= *value => best,
            _ => Some((*date, *value)),
        })
}

/// A rate from 0 to 1 as a percentage with one decimal, e.g. `0.025` is `2.5%`.
pub fn percent(rate: f64) -> String {
    let rate = if rate.is_finite() { rate.max(0.0) } else { 0.0 };
    format!("{:.1}%", rate * 100.0)
}

/// A chart's sideways scroller, opened at its right end: on a phone the chart is wider than the
/// screen, and the latest days are the ones looked at first.
#[component]
pub fn ChartScroll(children: Children) -> impl IntoView {
    let scroller = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(element) = scroller.get() {
            // After layout, when the scroller knows how wide its chart is.
            request_animation_frame(move || element.set_scroll_left(element.scroll_width()));
        }
    });
    view! {
        <div class="chart-scroll" node_ref=scroller>
            {children()}
        </div>
    }
}

/// The horizontal grid lines of `axis` and their labels, written by `tick`.
pub fn y_axis(frame: Frame, axis: &Axis, tick: &dyn Fn(u64) -> String) -> impl IntoView + use<> {
    let ticks = axis
        .ticks
        .iter()
        .map(|&value| {
            let y = frame.y(value, axis.max);
            let line_class = if value == 0 { "axis-line" } else { "grid-line" };
            view! {
                <line
                    class=line_class
                    x1=coord(frame.plot_left())
                    x2=coord(frame.plot_right())
                    y1=coord(y)
                    y2=coord(y)
                />
                <text
                    class="tick-label"
                    x=coord(frame.plot_left() - 8.0)
                    y=coord(y + 4.0)
                    text-anchor="end"
                >
                    {tick(value)}
                </text>
            }
        })
        .collect_view();
    view! { <g class="y-axis" aria-hidden="true">{ticks}</g> }
}

/// The date labels under the plot of `dates` (`YYYY-MM-DD`, a day a slot), for at most
/// `max_labels` days that [`x_label_indices`] picks.
pub fn x_axis(frame: Frame, dates: &[&str], max_labels: usize) -> impl IntoView + use<> {
    let count = dates.len();
    let indices = x_label_indices(count, max_labels);
    let picked: Vec<&str> = indices
        .iter()
        .filter_map(|&index| dates.get(index).copied())
        .collect();
    let labels = indices
        .into_iter()
        .zip(axis_dates(&picked))
        .map(|(index, label)| {
            view! {
                <text
                    class="tick-label"
                    x=coord(frame.slot(index, count).middle())
                    y=coord(frame.plot_bottom() + 18.0)
                    text-anchor="middle"
                >
                    {label}
                </text>
            }
        })
        .collect_view();
    view! { <g class="x-axis" aria-hidden="true">{labels}</g> }
}

/// An SVG `<title>`, the tooltip of the element it is the first child of.
///
/// Built by hand: among several siblings, `view!` (leptos_macro 0.8) makes `<title>` the HTML
/// element of that name, which browsers do not show as a tooltip inside an SVG.
pub fn svg_title(text: String) -> impl IntoView {
    leptos::svg::title().child(text)
}

/// The invisible full-height column of a day, so that its tooltip shows anywhere above the day
/// (a zero-height bar has no area of its own to point at).
pub fn hit_band(frame: Frame, slot: Slot) -> impl IntoView + use<> {
    view! {
        <rect
            class="hit-band"
            x=coord(slot.start)
            y=coord(frame.plot_top())
            width=coord(slot.width)
            height=coord(frame.plot_height())
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Frame = Frame {
        width: 640.0,
        height: 240.0,
        left: 40.0,
        right: 0.0,
        top: 20.0,
        bottom: 20.0,
    };

    #[test]
    fn ticks_are_round_numbers_covering_the_largest_value() {
        assert_eq!(
            nice_axis(1234, 4),
            Axis {
                max: 1500,
                ticks: vec![0, 500, 1000, 1500]
            }
        );
        assert_eq!(
            nice_axis(7, 4),
            Axis {
                max: 8,
                ticks: vec![0, 2, 4, 6, 8]
            }
        );
        assert_eq!(
            nice_axis(100, 4),
            Axis {
                max: 100,
                ticks: vec![0, 50, 100]
            }
        );
        assert_eq!(
            nice_axis(101, 4),
            Axis {
                max: 150,
                ticks: vec![0, 50, 100, 150]
            }
        );
        assert_eq!(
            nice_axis(3, 4),
            Axis {
                max: 3,
                ticks: vec![0, 1, 2, 3]
            }
        );
    }

    #[test]
    fn small_counts_never_get_fractional_ticks() {
        assert_eq!(nice_axis(1, 4).ticks, [0, 1]);
        assert_eq!(nice_axis(2, 4).ticks, [0, 1, 2]);
    }

    #[test]
    fn an_axis_with_nothing_on_it_still_has_a_top() {
        assert_eq!(
            nice_axis(0, 4),
            Axis {
                max: 1,
                ticks: vec![0, 1]
            }
        );
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        let axis = nice_axis(u64::MAX, 4);
        assert!(axis.max >= u64::MAX / 2);
        assert_eq!(axis.ticks.first(), Some(&0));
    }

    #[test]
    fn every_axis_stays_within_the_interval_budget() {
        for largest in 0..5_000 {
            let axis = nice_axis(largest, 4);
            assert!(axis.max >= largest);
            assert!(axis.ticks.len() <= 5, "{largest}: {axis:?}");
            assert!(axis.ticks.len() >= 2, "{largest}: {axis:?}");
        }
    }

    #[test]
    fn a_week_labels_every_day() {
        assert_eq!(x_label_indices(7, 8), [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(x_label_indices(1, 8), [0]);
        assert_eq!(x_label_indices(0, 8), Vec::<usize>::new());
    }

    #[test]
    fn a_month_labels_days_a_week_apart_ending_today() {
        assert_eq!(x_label_indices(30, 8), [1, 8, 15, 22, 29]);
    }

    #[test]
    fn long_ranges_never_get_more_labels_than_fit() {
        for count in 1..=366 {
            let labels = x_label_indices(count, 8);
            assert!(labels.len() <= 8, "{count} days: {labels:?}");
            assert_eq!(labels.last(), Some(&(count - 1)));
            assert!(labels.windows(2).all(|pair| pair[0] < pair[1]));
        }
        let ninety = x_label_indices(90, 8);
        assert_eq!(ninety.len(), 7);
        assert_eq!(ninety[1] - ninety[0], 14);
    }

    #[test]
    fn days_share_the_plot_width_equally() {
        let first = FRAME.slot(0, 30);
        let last = FRAME.slot(29, 30);
        assert!((first.start - 40.0).abs() < 1e-9);
        assert!((first.width - 20.0).abs() < 1e-9);
        assert!((last.start + last.width - 640.0).abs() < 1e-9);
        assert!((FRAME.slot(0, 1).middle() - 340.0).abs() < 1e-9);
    }

    #[test]
    fn bars_leave_a_gap_unless_too_thin() {
        let (x, width) = FRAME.slot(0, 30).bar();
        assert!((x - 42.5).abs() < 1e-9 && (width - 15.0).abs() < 1e-9);
        let thin = FRAME.slot(0, 366);
        assert_eq!(thin.bar(), (thin.start, thin.width));
    }

    #[test]
    fn values_map_from_the_bottom_to_the_top_of_the_plot() {
        assert!((FRAME.y(0, 100) - 220.0).abs() < 1e-9);
        assert!((FRAME.y(100, 100) - 20.0).abs() < 1e-9);
        assert!((FRAME.y(25, 100) - 170.0).abs() < 1e-9);
        assert!((FRAME.y(5, 0) - 220.0).abs() < 1e-9);
    }

    #[test]
    fn paths_are_short_and_valid() {
        let points = [(40.0, 220.0), (50.25, 100.04), (60.0, 20.0)];
        assert_eq!(line_path(&points), "M40 220 L50.3 100 L60 20");
        assert_eq!(
            area_path(&points, 220.0),
            "M40 220 L40 220 L50.3 100 L60 20 L60 220 Z"
        );
        assert_eq!(line_path(&[]), "");
        assert_eq!(area_path(&[], 220.0), "");
        assert_eq!(FRAME.view_box(), "0 0 640 240");
    }

    #[test]
    fn coordinates_keep_one_decimal_without_negative_zero() {
        assert_eq!(coord(12.345), "12.3");
        assert_eq!(coord(12.0), "12");
        assert_eq!(coord(-0.01), "0");
    }

    #[test]
    fn y_labels_are_compact() {
        assert_eq!(compact_count(0), "0");
        assert_eq!(compact_count(950), "950");
        assert_eq!(compact_count(1_000), "1k");
        assert_eq!(compact_count(1_500), "1.5k");
        assert_eq!(compact_count(12_500), "12k");
        assert_eq!(compact_count(2_500_000), "2.5M");
        assert_eq!(compact_count(3_000_000_000), "3B");
    }

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(grouped_count(0), "0");
        assert_eq!(grouped_count(999), "999");
        assert_eq!(grouped_count(1_000), "1,000");
        assert_eq!(grouped_count(1_234_567), "1,234,567");
    }

    #[test]
    fn amounts_on_an_axis_are_compact_and_carry_their_currency() {
        assert_eq!(compact_money(0, "INR"), "₹0");
        assert_eq!(compact_money(50, "INR"), "₹0.5");
        assert_eq!(compact_money(2_505, "INR"), "₹25.05");
        assert_eq!(compact_money(15_000_000, "INR"), "₹150k");
        assert_eq!(compact_money(1_200_000, "USD"), "$12k");
        assert_eq!(compact_money(100, "AED"), "AED 1");
        assert_eq!(currency_prefix(""), "");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count_noun(1, "order", "orders"), "1 order");
        assert_eq!(count_noun(0, "order", "orders"), "0 orders");
        assert_eq!(count_noun(1_500, "visit", "visits"), "1,500 visits");
    }

    #[test]
    fn the_busiest_day_is_the_first_with_the_most() {
        let dates = ["2026-05-01", "2026-05-02", "2026-05-03"];
        assert_eq!(busiest(&dates, &[3, 7, 7]), Some(("2026-05-02", 7)));
        assert_eq!(busiest(&dates, &[0, 0, 0]), None);
    }

    #[test]
    fn conversion_is_a_percentage_with_one_decimal() {
        assert_eq!(percent(0.025), "2.5%");
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(1.0 / 3.0), "33.3%");
        assert_eq!(percent(f64::NAN), "0.0%");
    }
}
