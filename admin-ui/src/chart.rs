//! The arithmetic of the analytics charts, apart from the views so that it is tested natively:
//! where the plot sits in the SVG, each day's slot, round y ticks, which days get an x label, the
//! SVG paths, and how values read on an axis (`1.5k`, `₹12k`) or in a sentence (`2.5%`).
//!
//! Coordinates are `viewBox` units, y growing downwards as in SVG. Each of `n` days owns an equal
//! slot of the plot's width: a line chart puts its point in the middle of the slot, a bar chart
//! its bar, so charts stacked on the screen line up day for day.

/// A chart's `viewBox` size and the margins around its plot (for the axis labels).
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

/// One day's share of the x axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// Its left edge.
    pub start: f64,
    /// Its width.
    pub width: f64,
}

impl Slot {
    /// The middle, where a line chart's point goes.
    pub fn middle(&self) -> f64 {
        self.start + self.width / 2.0
    }

    /// The bar drawn in the slot, `(x, width)`: a gap between neighbours while there is room for
    /// one to show.
    pub fn bar(&self) -> (f64, f64) {
        let gap = if self.width < 4.0 {
            0.0
        } else {
            (self.width / 4.0).min(8.0)
        };
        (self.start + gap / 2.0, self.width - gap)
    }
}

impl Frame {
    /// `0 0 {width} {height}`.
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

    /// The plot's bottom edge, where zero is.
    pub fn plot_bottom(&self) -> f64 {
        self.height - self.bottom
    }

    /// The plot's height.
    pub fn plot_height(&self) -> f64 {
        self.plot_bottom() - self.plot_top()
    }

    /// The slot of day `index` of `count`.
    pub fn slot(&self, index: usize, count: usize) -> Slot {
        let width = (self.plot_right() - self.plot_left()) / count.max(1) as f64;
        Slot {
            start: self.plot_left() + width * index as f64,
            width,
        }
    }

    /// The y of `value` on an axis from 0 (the plot's bottom) to `top` (the plot's top).
    pub fn y(&self, value: u64, top: u64) -> f64 {
        if top == 0 {
            return self.plot_bottom();
        }
        let share = (value as f64 / top as f64).clamp(0.0, 1.0);
        self.plot_bottom() - share * self.plot_height()
    }
}

/// A y axis from 0 to `max`, labelled at `ticks` (0 first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// The axis's top: at least the largest value.
    pub max: u64,
    /// The labelled values, evenly spaced, 0 first.
    pub ticks: Vec<u64>,
}

/// The axis for values up to `largest` with at most `intervals` steps: the step is the smallest
/// of 1, 2 or 5 times a power of ten that fits, so ticks are round (0, 250, 500…). Values are
/// whole (counts, minor units), so a step is at least 1; with nothing to show the axis goes to 1.
pub fn nice_axis(largest: u64, intervals: u64) -> Axis {
    let largest = largest.max(1);
    let intervals = intervals.max(1);
    let mut power: u64 = 1;
    let step = loop {
        if let Some(step) = [1, 2, 5]
            .into_iter()
            .map(|m| power.saturating_mul(m))
            .find(|step| largest.div_ceil(*step) <= intervals)
        {
            break step;
        }
        match power.checked_mul(10) {
            Some(next) => power = next,
            // Past any real figure: one step covers it all.
            None => break largest,
        }
    };
    let steps = largest.div_ceil(step);
    Axis {
        max: steps.saturating_mul(step),
        ticks: (0..=steps).map(|i| i.saturating_mul(step)).collect(),
    }
}

/// Which days (indices of `count`) get an x label, at most `most` of them: every day when they
/// fit, else every 2nd or 3rd, else whole weeks apart (labelled days share a weekday). Counted
/// back from the last day, which is always labelled.
pub fn x_label_indices(count: usize, most: usize) -> Vec<usize> {
    if count == 0 {
        return Vec::new();
    }
    let most = most.max(1);
    let step = [1, 2, 3]
        .into_iter()
        .chain((1..=count.div_ceil(7).max(1)).map(|weeks| weeks * 7))
        .find(|step| count.div_ceil(*step) <= most)
        .unwrap_or(count);
    let mut indices: Vec<usize> = (0..count).rev().step_by(step).collect();
    indices.reverse();
    indices
}

/// The SVG path through `points`: `M x y L x y …` (empty without points).
pub fn line_path(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .enumerate()
        .map(|(i, (x, y))| {
            let command = if i == 0 { 'M' } else { 'L' };
            format!("{command}{} {}", coord(*x), coord(*y))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The closed SVG path of the area between the line through `points` and the horizontal
/// `baseline` (empty without points).
pub fn area_path(points: &[(f64, f64)], baseline: f64) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let line = line_path(points);
    format!(
        "M{} {} L{} L{} {} Z",
        coord(first.0),
        coord(baseline),
        line.trim_start_matches('M'),
        coord(last.0),
        coord(baseline)
    )
}

/// A coordinate with at most one decimal and no trailing `.0` (nor `-0`): short paths.
pub fn coord(value: f64) -> String {
    let tenths = (value * 10.0).round() / 10.0;
    let tenths = if tenths == 0.0 { 0.0 } else { tenths };
    let text = format!("{tenths:.1}");
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => text,
    }
}

/// A count short enough for an axis: `950`, `1.5k`, `12k`, `2.5M`.
pub fn compact_count(value: u64) -> String {
    let (unit, suffix) = match value {
        0..1_000 => return value.to_string(),
        1_000..1_000_000 => (1_000, "k"),
        1_000_000..1_000_000_000 => (1_000_000, "M"),
        _ => (1_000_000_000, "B"),
    };
    let (whole, tenths) = (value / unit, value % unit * 10 / unit);
    if tenths == 0 || whole >= 10 {
        format!("{whole}{suffix}")
    } else {
        format!("{whole}.{tenths}{suffix}")
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

/// A rate from 0 to 1 as a percentage with one decimal: `0.025` is `2.5%`.
pub fn percent(rate: f64) -> String {
    let rate = if rate.is_finite() { rate.max(0.0) } else { 0.0 };
    format!("{:.1}%", rate * 100.0)
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
    fn ticks_are_round_and_cover_the_largest_value() {
        assert_eq!(nice_axis(1234, 4), Axis { max: 1500, ticks: vec![0, 500, 1000, 1500] });
        assert_eq!(nice_axis(7, 4), Axis { max: 8, ticks: vec![0, 2, 4, 6, 8] });
        assert_eq!(nice_axis(100, 4), Axis { max: 100, ticks: vec![0, 50, 100] });
        assert_eq!(nice_axis(3, 4).ticks, [0, 1, 2, 3]);
        assert_eq!(nice_axis(0, 4), Axis { max: 1, ticks: vec![0, 1] });
        assert_eq!(nice_axis(1, 4).ticks, [0, 1]);
        assert!(nice_axis(u64::MAX, 4).max >= u64::MAX / 2);
        for largest in 0..3_000 {
            let axis = nice_axis(largest, 4);
            assert!(axis.max >= largest && (2..=5).contains(&axis.ticks.len()), "{largest}");
        }
    }

    #[test]
    fn x_labels_fit_and_always_name_the_last_day() {
        assert_eq!(x_label_indices(7, 8), [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(x_label_indices(30, 8), [1, 8, 15, 22, 29]);
        assert_eq!(x_label_indices(0, 8), Vec::<usize>::new());
        for count in 1..=366 {
            let labels = x_label_indices(count, 8);
            assert!(labels.len() <= 8, "{count}");
            assert_eq!(labels.last(), Some(&(count - 1)));
        }
        let ninety = x_label_indices(90, 8);
        assert_eq!(ninety[1] - ninety[0], 14);
    }

    #[test]
    fn days_share_the_plot_and_values_rise_from_its_bottom() {
        let first = FRAME.slot(0, 30);
        assert!((first.start - 40.0).abs() < 1e-9 && (first.width - 20.0).abs() < 1e-9);
        let last = FRAME.slot(29, 30);
        assert!((last.start + last.width - 640.0).abs() < 1e-9);
        let (x, width) = first.bar();
        assert!((x - 42.5).abs() < 1e-9 && (width - 15.0).abs() < 1e-9);
        let thin = FRAME.slot(3, 366);
        assert_eq!(thin.bar(), (thin.start, thin.width));
        assert!((FRAME.y(0, 100) - 220.0).abs() < 1e-9);
        assert!((FRAME.y(100, 100) - 20.0).abs() < 1e-9);
        assert!((FRAME.y(25, 100) - 170.0).abs() < 1e-9);
        assert!((FRAME.y(9, 0) - 220.0).abs() < 1e-9);
        assert_eq!(FRAME.view_box(), "0 0 640 240");
    }

    #[test]
    fn paths_are_short() {
        let points = [(40.0, 220.0), (50.25, 100.04), (60.0, 20.0)];
        assert_eq!(line_path(&points), "M40 220 L50.3 100 L60 20");
        assert_eq!(area_path(&points, 220.0), "M40 220 L40 220 L50.3 100 L60 20 L60 220 Z");
        assert_eq!(line_path(&[]), "");
        assert_eq!(area_path(&[], 1.0), "");
        assert_eq!(coord(-0.01), "0");
        assert_eq!(coord(12.345), "12.3");
    }

    #[test]
    fn axis_values_are_compact() {
        assert_eq!(compact_count(950), "950");
        assert_eq!(compact_count(1_500), "1.5k");
        assert_eq!(compact_count(12_500), "12k");
        assert_eq!(compact_count(2_500_000), "2.5M");
        assert_eq!(compact_money(0, "INR"), "₹0");
        assert_eq!(compact_money(50, "INR"), "₹0.5");
        assert_eq!(compact_money(2_505, "INR"), "₹25.05");
        assert_eq!(compact_money(15_000_000, "INR"), "₹150k");
        assert_eq!(compact_money(1_200_000, "USD"), "$12k");
        assert_eq!(compact_money(100, "AED"), "AED 1");
        assert_eq!(percent(0.025), "2.5%");
        assert_eq!(percent(f64::NAN), "0.0%");
        assert_eq!(percent(1.0 / 3.0), "33.3%");
    }
}
