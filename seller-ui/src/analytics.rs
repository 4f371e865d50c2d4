//! The analytics dashboard: how many shoppers visited the store, looked at products, added to cart,
//! checked out and ordered over a range of days, drawn as summary cards, two inline SVG charts and
//! the most viewed products.
//!
//! Days are the merchant's calendar days: the browser's today and UTC offset pick them (see
//! [`zelly_ui_kit::calendar`]); the chart geometry and axes live in [`zelly_ui_kit::chart`], the
//! range picker's parts in [`zelly_ui_kit::range`].

use crate::api::Api;
use crate::route::Route;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use zelly_edge::analytics::{AnalyticsQuery, AnalyticsReport, DailyMetrics, Metrics, TopProduct};
use zelly_ui_kit::calendar::{self, DEFAULT_PRESET_DAYS, long_date, range_label};
use zelly_ui_kit::chart::{
    self, ChartScroll, Frame, area_path, busiest, compact_count, count_noun, grouped_count,
    hit_band, line_path, nice_axis, percent, svg_title, x_axis, y_axis,
};
use zelly_ui_kit::forms::{FieldError, FieldErrors};
use zelly_ui_kit::range::{DateField, RangePresets, RefreshButton, StatCard};
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
    let (first_from, first_to) = calendar::preset_values(first_today, DEFAULT_PRESET_DAYS);
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
            <RefreshButton
                testid="analytics-refresh"
                busy=Signal::derive(move || matches!(load.get(), Load::Loading))
                on_click=fetch
            />
        }
        .into_any()
    };

    let date_field = move |label: &'static str,
                           path: &'static str,
                           value: RwSignal<String>,
                           testid: &'static str| {
        let invalid = Signal::derive(move || errors.with(|errors| errors.contains_key(path)));
        view! {
            <DateField label path value testid invalid on_change=fetch>
                <FieldError errors path=path />
            </DateField>
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
                    <RangePresets from to today testid_prefix="analytics-preset" on_pick=fetch />
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
                    view! { <StatCard label testid>{value}</StatCard> }
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
    let (y_labels, x_labels) = axes(frame, &axis, days);
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
    let (y_labels, x_labels) = axes(frame, &axis, days);
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

/// The y axis's grid lines and counts, and the x axis's date labels, of a chart of `days`.
fn axes(
    frame: Frame,
    axis: &chart::Axis,
    days: &[DailyMetrics],
) -> (impl IntoView + use<>, impl IntoView + use<>) {
    let dates: Vec<&str> = days.iter().map(|day| day.date.as_str()).collect();
    (
        y_axis(frame, axis, &compact_count),
        x_axis(frame, &dates, MAX_X_LABELS),
    )
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

/// The day with the most of `value` (the earliest of equals), if any had some.
fn busiest_day(days: &[DailyMetrics], value: fn(&Metrics) -> u64) -> Option<(&str, u64)> {
    let dates: Vec<&str> = days.iter().map(|day| day.date.as_str()).collect();
    let values: Vec<u64> = days.iter().map(|day| value(&day.metrics)).collect();
    busiest(&dates, &values)
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
}
