//! The analytics dashboard: how many shoppers visited the store, looked at products, added to cart,
//! checked out and ordered over a range of days, drawn as summary cards, two inline SVG charts and
//! the most viewed products.
//!
//! Days are the merchant's calendar days: the browser's today and UTC offset pick them (see
//! [`crate::calendar`]); the chart geometry lives in [`crate::chart`].

use crate::api::Api;
use crate::calendar::{self, DEFAULT_PRESET_DAYS, Day, PRESETS};
use crate::chart::{
    self, Axis, Frame, area_path, compact_count, grouped_count, line_path, nice_axis, percent,
    x_label_indices,
};
use crate::route::Route;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use zelly_edge::analytics::{AnalyticsQuery, AnalyticsReport, DailyMetrics, Metrics, TopProduct};
use zelly_ui_kit::forms::{FieldError, FieldErrors};
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel};

/// Where the report for the range in the fields is.
#[derive(Debug, Clone)]
enum Load {
    /// Nothing was asked: the fields hold no range the API would take (their errors say why).
    Unasked,
    /// The answer has not come yet.
    Loading,
    /// The report.
    Ready(Arc<AnalyticsReport>),
    /// 503: the analytics storage is down; why, as a readable sentence.
    Unavailable(String),
    /// Any other failure: why.
    Failed(String),
}

/// The visits and product views chart's geometry.
const TRAFFIC_FRAME: Frame = Frame {
    width: 800.0,
    height: 260.0,
    left: 48.0,
    right: 16.0,
    top: 12.0,
    bottom: 28.0,
};

/// The orders chart's geometry: the traffic chart's columns, less tall.
const ORDERS_FRAME: Frame = Frame {
    height: 190.0,
    ..TRAFFIC_FRAME
};

/// The most steps between y ticks (so at most five labels).
const Y_INTERVALS: u64 = 4;

/// The most x labels: "30 Sep" needs about 45 units, the plot is 736 wide.
const MAX_X_LABELS: usize = 8;

/// Above this many days the points are only drawn under the pointer: a dot a day would merge into
/// a thick line.
const MAX_DAYS_WITH_DOTS: usize = 45;

/// The dashboard.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let (first_today, first_offset) = calendar::browser_now();
    let (first_from, first_to) = preset_range(first_today, DEFAULT_PRESET_DAYS);
    let from = RwSignal::new(first_from);
    let to = RwSignal::new(first_to);
    // Today and the offset as of the last request: the presets end on that today.
    let today = RwSignal::new(first_today);
    let offset = RwSignal::new(first_offset);
    let errors = RwSignal::new(FieldErrors::new());
    let load = RwSignal::new(Load::Loading);
    // Only the newest request may fill the page: an older, slower range must not overwrite it.
    let generation = StoredValue::new(0_u64);

    let fetch = Callback::new(move |()| {
        let ticket = generation.get_value() + 1;
        generation.set_value(ticket);
        let (from_day, to_day) =
            match calendar::check_range(&from.get_untracked(), &to.get_untracked()) {
                Ok(range) => range,
                Err(found) => {
                    errors.set(found);
                    load.set(Load::Unasked);
                    return;
                }
            };
        // Read again on every call: the page may have stayed open past midnight, the laptop may
        // have travelled or the clocks changed since it opened.
        let (now_today, utc_offset_minutes) = calendar::browser_now();
        if today.get_untracked() != now_today {
            today.set(now_today);
        }
        if offset.get_untracked() != utc_offset_minutes {
            offset.set(utc_offset_minutes);
        }
        errors.set(FieldErrors::new());
        load.set(Load::Loading);
        let query = AnalyticsQuery {
            from: from_day.to_string(),
            to: to_day.to_string(),
            utc_offset_minutes,
        };
        let api = api.clone();
        spawn_local(async move {
            let result = api.analytics(&query).await;
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            match result {
                Ok(report) => load.set(Load::Ready(Arc::new(report))),
                // The call has signed the merchant out already: the sign-in screen replaces this.
                Err(error) if error.is_unauthorized() => {}
                Err(error) if error.is_invalid() && !error.fields.is_empty() => {
                    errors.set(error.fields);
                    load.set(Load::Unasked);
                }
                Err(error) if error.status == Some(503) => {
                    load.set(Load::Unavailable(error.message));
                }
                Err(error) => load.set(Load::Failed(error.message)),
            }
        });
    });
    fetch.run(());

    let refresh_button = move || {
        view! {
            <button
                type="button"
                class="button button-secondary button-inline"
                data-testid="analytics-refresh"
                aria-busy=move || matches!(load.get(), Load::Loading).then_some("true")
                on:click=move |_| fetch.run(())
            >
                "Refresh"
            </button>
        }
        .into_any()
    };

    let presets = PRESETS
        .into_iter()
        .map(|(days, label)| {
            let chosen = move || {
                let (preset_from, preset_to) = preset_range(today.get(), days);
                !preset_from.is_empty()
                    && from.with(|f| *f == preset_from)
                    && to.with(|t| *t == preset_to)
            };
            view! {
                <button
                    type="button"
                    class="preset"
                    data-testid=format!("analytics-preset-{days}")
                    aria-pressed=move || if chosen() { "true" } else { "false" }
                    on:click=move |_| {
                        // Today as of the click, not as of the page opening.
                        let (preset_from, preset_to) = preset_range(calendar::browser_now().0, days);
                        from.set(preset_from);
                        to.set(preset_to);
                        fetch.run(());
                    }
                >
                    {label}
                </button>
            }
        })
        .collect_view();

    let date_field = move |label: &'static str,
                           path: &'static str,
                           value: RwSignal<String>,
                           testid: &'static str| {
        let invalid = move || errors.with(|errors| errors.contains_key(path));
        view! {
            <label class="field range-field">
                <span class="label">{label}</span>
                <input
                    class="input"
                    type="date"
                    name=path
                    required
                    data-testid=testid
                    aria-invalid=move || invalid().then_some("true")
                    prop:value=move || value.get()
                    on:change=move |ev| {
                        value.set(event_target_value(&ev));
                        fetch.run(());
                    }
                />
                <FieldError errors path=path />
            </label>
        }
    };

    // A 422 about anything but the two dates (the offset) has no input to sit under.
    let other_errors = move || {
        errors.with(|errors| {
            errors
                .iter()
                .filter(|(path, _)| !matches!(path.as_str(), "from" | "to"))
                .map(|(path, message)| {
                    let field = if path == "utc_offset_minutes" {
                        "Your time zone".to_owned()
                    } else {
                        zelly_ui_kit::forms::describe_path(path)
                    };
                    view! {
                        <p class="form-error" data-testid="field-error" data-field=path.clone()>
                            {format!("{field}: {message}")}
                        </p>
                    }
                })
                .collect_view()
        })
    };

    let status = move || match load.get() {
        Load::Loading => view! { <LoadingState label="Loading analytics…" /> }.into_any(),
        Load::Unasked => view! {
            <EmptyState
                title="Choose a valid range"
                detail="Fix the dates above to see your store's numbers."
            />
        }
        .into_any(),
        Load::Unavailable(message) => view! {
            <ErrorState
                title="Analytics are unavailable right now."
                message=format!("Your data is safe; try again in a few minutes. {message}")
                on_retry=fetch
            />
        }
        .into_any(),
        Load::Failed(message) => view! {
            <ErrorState title="Your analytics could not be loaded." message on_retry=fetch />
        }
        .into_any(),
        Load::Ready(report) => view! { <Summary report /> }.into_any(),
    };

    let details = move || match load.get() {
        Load::Ready(report) if !is_quiet(&report.totals) => Some(view! {
            <TrafficChart report=report.clone() />
            <OrdersChart report=report.clone() />
            <TopProducts products=report.top_products.clone() />
        }),
        _ => None,
    };

    view! {
        <div class="analytics" data-testid="analytics">
            <Panel heading_id="analytics-heading" heading="Analytics" actions=Box::new(refresh_button)>
                <p class="summary">
                    "Visits, product views and orders in your store, by day in your time zone ("
                    {move || calendar::describe_offset(offset.get())}
                    ")."
                </p>
                <form
                    class="range-bar"
                    novalidate
                    on:submit=move |ev| {
                        ev.prevent_default();
                        fetch.run(());
                    }
                >
                    <div class="presets" role="group" aria-label="Quick ranges">
                        {presets}
                    </div>
                    <div class="range-fields">
                        {date_field("From", "from", from, "analytics-from")}
                        {date_field("To", "to", to, "analytics-to")}
                    </div>
                    {other_errors}
                </form>
                {status}
            </Panel>
            {details}
        </div>
    }
}

/// The fields' values for the `days` days ending `today`: empty when today is unknown.
fn preset_range(today: Option<Day>, days: u32) -> (String, String) {
    today
        .map(|today| calendar::last_days(today, days))
        .map(|(from, to)| (from.to_string(), to.to_string()))
        .unwrap_or_default()
}

/// The totals as cards, or the friendly note when nothing happened in the range.
#[component]
fn Summary(report: Arc<AnalyticsReport>) -> impl IntoView {
    let totals = &report.totals;
    let cards = [
        ("Visits", "analytics-visits", totals.visits.to_string()),
        (
            "Product views",
            "analytics-product-views",
            totals.product_views.to_string(),
        ),
        (
            "Add to carts",
            "analytics-add-to-carts",
            totals.add_to_carts.to_string(),
        ),
        (
            "Checkouts",
            "analytics-checkouts",
            totals.checkouts.to_string(),
        ),
        ("Orders", "analytics-orders", totals.orders.to_string()),
        (
            "Conversion rate",
            "analytics-conversion",
            percent(totals.conversion_rate),
        ),
    ];
    let quiet = is_quiet(totals);
    view! {
        <p class="range-note muted" data-testid="analytics-range">
            {range_label(&report.from, &report.to)}
        </p>
        <dl class="stat-grid">
            {cards
                .into_iter()
                .map(|(label, testid, value)| {
                    view! {
                        <div class="stat-card">
                            <dt class="stat-label">{label}</dt>
                            <dd class="stat-value" data-testid=testid>{value}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
        {quiet
            .then(|| {
                view! {
                    <div data-testid="analytics-empty">
                        <EmptyState
                            title="No visits in this range yet"
                            detail="Share your store link with your customers — on social media, in messages, on your packaging — and their visits, product views and orders will show here."
                        />
                    </div>
                }
            })}
    }
}

/// A chart's sideways scroller, opened at its right end: on a phone the chart is wider than the
/// screen, and the latest days are the ones a merchant looks at first.
#[component]
fn ChartScroll(children: Children) -> impl IntoView {
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

/// Daily visits (a filled line) and product views (a line), with a tooltip per day.
#[component]
fn TrafficChart(report: Arc<AnalyticsReport>) -> impl IntoView {
    let frame = TRAFFIC_FRAME;
    let days = &report.days;
    let count = days.len();
    let largest = days
        .iter()
        .map(|day| day.metrics.visits.max(day.metrics.product_views))
        .max()
        .unwrap_or_default();
    let axis = nice_axis(largest, Y_INTERVALS);
    let points = |value: fn(&Metrics) -> u64| -> Vec<(f64, f64)> {
        days.iter()
            .enumerate()
            .map(|(i, day)| {
                (
                    frame.slot(i, count).middle(),
                    frame.y(value(&day.metrics), axis.max),
                )
            })
            .collect()
    };
    let visits = points(|m| m.visits);
    let views = points(|m| m.product_views);
    let svg_class = if count > MAX_DAYS_WITH_DOTS {
        "chart chart-dense"
    } else {
        "chart"
    };
    let hits = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let slot = frame.slot(i, count);
            let x = chart::coord(slot.middle());
            let tooltip = format!(
                "{}: {}, {}",
                long_date(&day.date),
                count_noun(day.metrics.visits, "visit", "visits"),
                count_noun(day.metrics.product_views, "product view", "product views"),
            );
            let visit_y = chart::coord(frame.y(day.metrics.visits, axis.max));
            let view_y = chart::coord(frame.y(day.metrics.product_views, axis.max));
            view! {
                <g class="chart-hit">
                    {svg_title(tooltip)}
                    {hit_band(frame, slot)}
                    <line
                        class="chart-guide"
                        x1=x.clone()
                        x2=x.clone()
                        y1=chart::coord(frame.plot_top())
                        y2=chart::coord(frame.plot_bottom())
                    />
                    <circle class="dot dot-views" cx=x.clone() cy=view_y r="3" />
                    <circle class="dot dot-visits" cx=x cy=visit_y r="3" />
                </g>
            }
        })
        .collect_view();
    let (y_labels, x_labels) = (y_axis(frame, &axis), x_axis(frame, days));
    let (visits_area, visits_line, views_line) = (
        area_path(&visits, frame.plot_bottom()),
        line_path(&visits),
        line_path(&views),
    );
    let description = traffic_summary(&report);

    view! {
        <Panel heading_id="analytics-visits-heading" heading="Visits and product views">
            <ul class="legend">
                <li>
                    <span class="swatch swatch-visits" aria-hidden="true"></span>
                    "Visits"
                </li>
                <li>
                    <span class="swatch swatch-views" aria-hidden="true"></span>
                    "Product views"
                </li>
            </ul>
            <ChartScroll>
                <svg
                    class=svg_class
                    viewBox=frame.view_box()
                    role="img"
                    aria-label=description
                    data-testid="analytics-chart-visits"
                >
                    {y_labels}
                    {x_labels}
                    <path class="area-visits" d=visits_area />
                    <path class="line line-views" d=views_line />
                    <path class="line line-visits" d=visits_line />
                    {hits}
                </svg>
            </ChartScroll>
        </Panel>
    }
}

/// Orders per day as bars, with a tooltip per day.
#[component]
fn OrdersChart(report: Arc<AnalyticsReport>) -> impl IntoView {
    let frame = ORDERS_FRAME;
    let days = &report.days;
    let count = days.len();
    let largest = days
        .iter()
        .map(|day| day.metrics.orders)
        .max()
        .unwrap_or_default();
    let axis = nice_axis(largest, Y_INTERVALS);
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let slot = frame.slot(i, count);
            let (x, width) = slot.bar();
            let top = frame.y(day.metrics.orders, axis.max);
            let tooltip = format!(
                "{}: {}",
                long_date(&day.date),
                count_noun(day.metrics.orders, "order", "orders")
            );
            view! {
                <g class="chart-hit">
                    {svg_title(tooltip)}
                    {hit_band(frame, slot)}
                    <rect
                        class="bar"
                        x=chart::coord(x)
                        y=chart::coord(top)
                        width=chart::coord(width)
                        height=chart::coord(frame.plot_bottom() - top)
                    />
                </g>
            }
        })
        .collect_view();
    let (y_labels, x_labels) = (y_axis(frame, &axis), x_axis(frame, days));
    let description = orders_summary(&report);
    let no_orders = report.totals.orders == 0;

    view! {
        <Panel heading_id="analytics-orders-heading" heading="Orders">
            {no_orders
                .then(|| view! { <p class="summary">"No orders in this range yet."</p> })}
            <ChartScroll>
                <svg
                    class="chart"
                    viewBox=frame.view_box()
                    role="img"
                    aria-label=description
                    data-testid="analytics-chart-orders"
                >
                    {y_labels}
                    {x_labels}
                    {bars}
                </svg>
            </ChartScroll>
        </Panel>
    }
}

/// The most viewed products, each linking to its editor.
#[component]
fn TopProducts(products: Vec<TopProduct>) -> impl IntoView {
    let body = if products.is_empty() {
        view! { <p class="summary">"No product pages were viewed in this range."</p> }.into_any()
    } else {
        let rows = products
            .into_iter()
            .map(|product| {
                let name = match product.title {
                    Some(title) => {
                        let href = Route::Product(product.product_id.to_string()).href();
                        view! { <a class="row-link" href=href>{title}</a> }.into_any()
                    }
                    None => view! { <span class="muted">"Deleted product"</span> }.into_any(),
                };
                let handle = product
                    .handle
                    .map(|handle| view! { <code class="handle top-handle">{handle}</code> });
                view! {
                    <tr data-testid="analytics-top-product">
                        <td class="cell-title">{name} {handle}</td>
                        <td class="num">{grouped_count(product.views)}</td>
                        <td class="num">{grouped_count(product.add_to_carts)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="data-table" data-testid="analytics-top-products">
                    <thead>
                        <tr>
                            <th scope="col">"Product"</th>
                            <th scope="col" class="num">"Views"</th>
                            <th scope="col" class="num">"Add to carts"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <Panel heading_id="analytics-top-heading" heading="Top products">
            {body}
        </Panel>
    }
}

/// The horizontal grid lines and their labels.
fn y_axis(frame: Frame, axis: &Axis) -> impl IntoView + use<> {
    let ticks = axis
        .ticks
        .iter()
        .map(|&tick| {
            let y = frame.y(tick, axis.max);
            let line_class = if tick == 0 { "axis-line" } else { "grid-line" };
            view! {
                <line
                    class=line_class
                    x1=chart::coord(frame.plot_left())
                    x2=chart::coord(frame.plot_right())
                    y1=chart::coord(y)
                    y2=chart::coord(y)
                />
                <text
                    class="tick-label"
                    x=chart::coord(frame.plot_left() - 8.0)
                    y=chart::coord(y + 4.0)
                    text-anchor="end"
                >
                    {compact_count(tick)}
                </text>
            }
        })
        .collect_view();
    view! { <g class="y-axis" aria-hidden="true">{ticks}</g> }
}

/// The date labels under the plot, for the days [`x_label_indices`] picks.
fn x_axis(frame: Frame, days: &[DailyMetrics]) -> impl IntoView + use<> {
    let count = days.len();
    let indices = x_label_indices(count, MAX_X_LABELS);
    let dates: Vec<&str> = indices
        .iter()
        .filter_map(|&index| days.get(index).map(|day| day.date.as_str()))
        .collect();
    let labels = indices
        .into_iter()
        .zip(axis_dates(&dates))
        .map(|(index, label)| {
            let x = chart::coord(frame.slot(index, count).middle());
            view! {
                <text
                    class="tick-label"
                    x=x
                    y=chart::coord(frame.plot_bottom() + 18.0)
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
fn svg_title(text: String) -> impl IntoView {
    leptos::svg::title().child(text)
}

/// The invisible full-height column of a day, so that its tooltip shows anywhere above the day
/// (a zero-height bar has no area of its own to point at).
fn hit_band(frame: Frame, slot: chart::Slot) -> impl IntoView + use<> {
    view! {
        <rect
            class="hit-band"
            x=chart::coord(slot.start)
            y=chart::coord(frame.plot_top())
            width=chart::coord(slot.width)
            height=chart::coord(frame.plot_height())
        />
    }
}

/// Whether nothing at all happened in the range (then there is nothing to chart).
fn is_quiet(totals: &Metrics) -> bool {
    [
        totals.visits,
        totals.page_views,
        totals.product_views,
        totals.add_to_carts,
        totals.checkouts,
        totals.orders,
    ]
    .iter()
    .all(|&count| count == 0)
}

/// `1 order`, `2 orders`, `1,500 visits`.
fn count_noun(count: u64, one: &str, many: &str) -> String {
    let noun = if count == 1 { one } else { many };
    format!("{} {noun}", grouped_count(count))
}

/// `Sun 3 May 2026` for `2026-05-03` (the text itself when it is no date).
fn long_date(date: &str) -> String {
    Day::parse(date).map_or_else(|| date.to_owned(), Day::long_label)
}

/// The x labels of `dates`, e.g. `3 May`; across a new year the first label and the first of each
/// year also name the year (`21 Dec 2025`, `8 Feb 2026`, `29 Mar`). Text that is no date is shown
/// as it came.
fn axis_dates(dates: &[&str]) -> Vec<String> {
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

/// The report's range, e.g. `Sat 4 Apr 2026 – Sun 3 May 2026 (30 days)`.
fn range_label(from: &str, to: &str) -> String {
    let days = match (Day::parse(from), Day::parse(to)) {
        (Some(from), Some(to)) => {
            let count = u64::try_from(from.days_until(to) + 1).unwrap_or_default();
            format!(" ({})", count_noun(count, "day", "days"))
        }
        _ => String::new(),
    };
    format!("{} – {}{days}", long_date(from), long_date(to))
}

/// The day with the most of `value` (the earliest of equals), if any had some.
fn busiest_day(days: &[DailyMetrics], value: fn(&Metrics) -> u64) -> Option<(&str, u64)> {
    days.iter()
        .map(|day| (day.date.as_str(), value(&day.metrics)))
        .filter(|(_, count)| *count > 0)
        .fold(None, |best, (date, count)| match best {
            Some((_, most)) if most >= count => best,
            _ => Some((date, count)),
        })
}

/// What the traffic chart shows, for screen readers.
fn traffic_summary(report: &AnalyticsReport) -> String {
    let mut text = format!(
        "Visits and product views per day, {}: {} and {} in all.",
        range_label(&report.from, &report.to),
        count_noun(report.totals.visits, "visit", "visits"),
        count_noun(report.totals.product_views, "product view", "product views"),
    );
    if let Some((date, visits)) = busiest_day(&report.days, |m| m.visits) {
        text.push_str(&format!(
            " Most visits on {} ({}).",
            long_date(date),
            grouped_count(visits)
        ));
    }
    text
}

/// What the orders chart shows, for screen readers.
fn orders_summary(report: &AnalyticsReport) -> String {
    let mut text = format!(
        "Orders per day, {}: {} in all.",
        range_label(&report.from, &report.to),
        count_noun(report.totals.orders, "order", "orders"),
    );
    if let Some((date, orders)) = busiest_day(&report.days, |m| m.orders) {
        text.push_str(&format!(
            " Most orders on {} ({}).",
            long_date(date),
            grouped_count(orders)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, visits: u64, product_views: u64, orders: u64) -> DailyMetrics {
        DailyMetrics {
            date: date.into(),
            metrics: Metrics {
                visits,
                page_views: visits,
                product_views,
                orders,
                ..Metrics::default()
            },
        }
    }

    fn report(days: Vec<DailyMetrics>) -> AnalyticsReport {
        let sum = |value: fn(&Metrics) -> u64| days.iter().map(|d| value(&d.metrics)).sum();
        AnalyticsReport {
            from: days.first().map(|d| d.date.clone()).unwrap_or_default(),
            to: days.last().map(|d| d.date.clone()).unwrap_or_default(),
            utc_offset_minutes: 330,
            totals: Metrics {
                visits: sum(|m| m.visits),
                page_views: sum(|m| m.page_views),
                product_views: sum(|m| m.product_views),
                orders: sum(|m| m.orders),
                ..Metrics::default()
            },
            days,
            top_products: Vec::new(),
        }
    }

    #[test]
    fn a_range_with_no_events_is_quiet() {
        assert!(is_quiet(&Metrics::default()));
        let only_a_checkout = Metrics {
            checkouts: 1,
            ..Metrics::default()
        };
        assert!(!is_quiet(&only_a_checkout));
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count_noun(1, "order", "orders"), "1 order");
        assert_eq!(count_noun(0, "order", "orders"), "0 orders");
        assert_eq!(count_noun(1_500, "visit", "visits"), "1,500 visits");
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
    fn the_busiest_day_is_the_first_with_the_most() {
        let days = vec![
            day("2026-05-01", 3, 0, 0),
            day("2026-05-02", 7, 0, 1),
            day("2026-05-03", 7, 0, 0),
        ];
        assert_eq!(busiest_day(&days, |m| m.visits), Some(("2026-05-02", 7)));
        assert_eq!(busiest_day(&days, |m| m.checkouts), None);
    }

    #[test]
    fn the_charts_describe_themselves_to_screen_readers() {
        let report = report(vec![
            day("2026-05-02", 4, 9, 0),
            day("2026-05-03", 12, 30, 2),
        ]);
        assert_eq!(
            traffic_summary(&report),
            "Visits and product views per day, Sat 2 May 2026 – Sun 3 May 2026 (2 days): \
             16 visits and 39 product views in all. Most visits on Sun 3 May 2026 (12)."
        );
        assert_eq!(
            orders_summary(&report),
            "Orders per day, Sat 2 May 2026 – Sun 3 May 2026 (2 days): 2 orders in all. \
             Most orders on Sun 3 May 2026 (2)."
        );
    }

    #[test]
    fn a_chart_with_no_orders_says_so_without_a_busiest_day() {
        let report = report(vec![day("2026-05-03", 5, 2, 0)]);
        assert_eq!(
            orders_summary(&report),
            "Orders per day, Sun 3 May 2026 – Sun 3 May 2026 (1 day): 0 orders in all."
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
