//! The platform's analytics: visits, orders, GMV and conversion over a range of days, for every
//! store or one, as total figures, three inline SVG charts by day (with the same figures as a
//! table for those who cannot see the charts) and the top stores.
//!
//! Days are the staff member's calendar days: the browser's today and offset from UTC pick them
//! ([`zelly_ui_kit::calendar`]); the charts' geometry and axes are in [`zelly_ui_kit::chart`], the
//! range picker's parts in [`zelly_ui_kit::range`]. GMV comes per currency: the
//! GMV chart draws the currency with the largest total ([`primary_currency`]) and says so.

use crate::api::{AnalyticsQuery, Api, Failure};
use crate::directory::{Directory, StorePicker, short_id};
use crate::format::{NOTHING, field_sentence, money};
use crate::route::Route;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use zelly_edge::analytics::{Gmv, PlatformDay, PlatformReport, PlatformTotals, StoreFigures};
use zelly_ui_kit::calendar::{self, DEFAULT_PRESET_DAYS, long_date, range_label};
use zelly_ui_kit::chart::{
    self, ChartScroll, Frame, area_path, busiest, compact_count, compact_money, count_noun,
    grouped_count as figure, line_path, nice_axis, percent, svg_title, x_axis, y_axis,
};
use zelly_ui_kit::forms::{FieldErrors, describe_path};
use zelly_ui_kit::range::{DateField, RangePresets, RefreshButton, StatCard};
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel};

/// The range and the store the screen shows, kept while staff visit a store's page and come back.
#[derive(Debug, Clone, Copy)]
pub struct AnalyticsFilters {
    /// First day, `YYYY-MM-DD` (empty until the screen first opens).
    pub from: RwSignal<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: RwSignal<String>,
    /// The store's id, `""` for every store.
    pub tenant: RwSignal<String>,
}

impl Default for AnalyticsFilters {
    fn default() -> Self {
        Self {
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            tenant: RwSignal::new(String::new()),
        }
    }
}

/// Where the report for the chosen range and store is.
#[derive(Debug, Clone)]
enum Report {
    /// Not asked: the dates are not a range admin-api takes (their errors say why).
    Unasked,
    /// On its way.
    Loading,
    /// Here.
    Ready(Arc<PlatformReport>),
    /// 503: the analytics store cannot be read; why.
    Unavailable(String),
    /// Any other failure: why.
    Failed(String),
}

/// The visits chart: a line over a filled area.
const VISITS_FRAME: Frame = Frame {
    width: 800.0,
    height: 240.0,
    left: 56.0,
    right: 16.0,
    top: 12.0,
    bottom: 28.0,
};

/// The orders and GMV charts: bars, in the visits chart's columns, less tall.
const BARS_FRAME: Frame = Frame {
    height: 200.0,
    ..VISITS_FRAME
};

/// The most steps between y ticks (so at most five labels).
const Y_INTERVALS: u64 = 4;

/// The most x labels: "30 Sep" takes about 45 units of the 728 the plot has.
const MAX_X_LABELS: usize = 8;

/// Beyond this many days a line chart's dots show only under the pointer (a dot a day would
/// merge into a thick line).
const MAX_DAYS_WITH_DOTS: usize = 45;

/// The currency the GMV chart draws: the one with the largest total (the first by code among
/// equals, as admin-api sorts them by code); `None` without sales.
pub fn primary_currency(gmv: &[Gmv]) -> Option<&Gmv> {
    gmv.iter().fold(None, |best: Option<&Gmv>, entry| match best {
        Some(best) if best.amount_minor >= entry.amount_minor => Some(best),
        _ => Some(entry),
    })
}

/// The amount in `currency` of `gmv` (0 when nothing sold in it).
pub fn amount_in(gmv: &[Gmv], currency: &str) -> i64 {
    gmv.iter()
        .filter(|entry| entry.currency == currency)
        .map(|entry| entry.amount_minor)
        .sum()
}

/// Each currency's amount as staff read it (`₹1,234.50`, `USD 12.00`), largest first.
pub fn gmv_lines(gmv: &[Gmv]) -> Vec<String> {
    let mut sorted: Vec<&Gmv> = gmv.iter().collect();
    sorted.sort_by(|a, b| {
        b.amount_minor
            .cmp(&a.amount_minor)
            .then_with(|| a.currency.cmp(&b.currency))
    });
    sorted
        .into_iter()
        .map(|entry| money(entry.amount_minor, &entry.currency))
        .collect()
}

/// GMV in one line: every currency, joined by `+`; "—" without sales.
pub fn gmv_text(gmv: &[Gmv]) -> String {
    let lines = gmv_lines(gmv);
    if lines.is_empty() {
        NOTHING.to_owned()
    } else {
        lines.join(" + ")
    }
}

/// What the GMV chart says about its currency: which one it draws and why, and what it leaves out.
pub fn gmv_note(totals: &[Gmv]) -> Option<String> {
    let primary = primary_currency(totals)?;
    let others: Vec<&Gmv> = totals
        .iter()
        .filter(|entry| entry.currency != primary.currency)
        .collect();
    let mut note = format!(
        "Shown in {}, the currency with the largest total.",
        primary.currency
    );
    if !others.is_empty() {
        let owned: Vec<Gmv> = others.into_iter().cloned().collect();
        note.push_str(&format!(
            " Not drawn: {} in other currencies.",
            gmv_lines(&owned).join(", ")
        ));
    }
    Some(note)
}

/// Whether nothing happened in the range (then there is nothing to chart).
pub fn is_quiet(totals: &PlatformTotals) -> bool {
    totals.visits == 0 && totals.orders == 0 && totals.gmv.iter().all(|g| g.amount_minor == 0)
}

/// What a chart shows, for screen readers: `what` per day over the range, the total, and the
/// busiest day (`describe` writes a value).
pub fn chart_summary(
    what: &str,
    report: &PlatformReport,
    values: &[u64],
    total: &str,
    describe: impl Fn(u64) -> String,
) -> String {
    let dates: Vec<&str> = report.days.iter().map(|day| day.date.as_str()).collect();
    let mut text = format!(
        "{what} per day, {}: {total} in all.",
        range_label(&report.from, &report.to)
    );
    if let Some((date, most)) = busiest(&dates, values) {
        text.push_str(&format!(" Most on {} ({}).", long_date(date), describe(most)));
    }
    text
}

/// How a field of the range is named in its error.
fn field_subject(path: &str) -> String {
    match path {
        "from" => "The start date".to_owned(),
        "to" => "The end date".to_owned(),
        "utc_offset_minutes" => "Your time zone".to_owned(),
        "tenant" => "The store".to_owned(),
        other => describe_path(other),
    }
}

/// A day's GMV in `currency` as a chart value (a refund-heavy day below zero draws as zero).
fn chart_amount(gmv: &[Gmv], currency: &str) -> u64 {
    u64::try_from(amount_in(gmv, currency).max(0)).unwrap_or_default()
}

/// The analytics screen.
#[component]
pub fn AnalyticsPage(
    /// The store it starts with (from a store's page), if any.
    tenant: Option<String>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let filters = expect_context::<AnalyticsFilters>();
    let directory = expect_context::<Directory>();
    if let Some(tenant) = tenant
        && filters.tenant.get_untracked() != tenant
    {
        filters.tenant.set(tenant);
    }
    let (first_today, first_offset) = calendar::browser_now();
    if filters.from.get_untracked().is_empty() && filters.to.get_untracked().is_empty() {
        let (from, to) = calendar::preset_values(first_today, DEFAULT_PRESET_DAYS);
        filters.from.set(from);
        filters.to.set(to);
    }
    // Today and the offset as of the last request: the presets end on that today.
    let today = RwSignal::new(first_today);
    let offset = RwSignal::new(first_offset);
    let errors = RwSignal::new(FieldErrors::new());
    let report = RwSignal::new(Report::Loading);
    // Only the newest request may fill the screen: an older, slower one must not overwrite it.
    let ticket = StoredValue::new(0_u64);

    let fetch = Callback::new(move |()| {
        let mine = ticket.get_value() + 1;
        ticket.set_value(mine);
        let (from, to) =
            match calendar::check_range(&filters.from.get_untracked(), &filters.to.get_untracked()) {
                Ok(range) => range,
                Err(found) => {
                    errors.set(found);
                    report.set(Report::Unasked);
                    return;
                }
            };
        // Asked again each time: the screen may have stayed open past midnight, or the clocks
        // changed since it opened.
        let (now_today, utc_offset_minutes) = calendar::browser_now();
        if today.get_untracked() != now_today {
            today.set(now_today);
        }
        if offset.get_untracked() != utc_offset_minutes {
            offset.set(utc_offset_minutes);
        }
        errors.set(FieldErrors::new());
        report.set(Report::Loading);
        let query = AnalyticsQuery {
            from: from.to_string(),
            to: to.to_string(),
            utc_offset_minutes,
            tenant: filters.tenant.get_untracked(),
        };
        let api = api.clone();
        spawn_local(async move {
            let answer = api.analytics(&query).await;
            if ticket.try_get_value() != Some(mine)
                || answer.as_ref().is_err_and(Failure::is_unauthorized)
            {
                return;
            }
            match answer {
                Ok(found) => report.set(Report::Ready(Arc::new(found))),
                Err(failure) if failure.has_fields() => {
                    errors.set(failure.fields);
                    report.set(Report::Unasked);
                }
                Err(failure) if failure.status == Some(422) => {
                    report.set(Report::Failed(failure.said()));
                }
                Err(failure) if failure.status == Some(503) => {
                    report.set(Report::Unavailable(failure.said()));
                }
                Err(failure) => report.set(Report::Failed(failure.message)),
            }
        });
    });
    // The screen opening, and every store chosen, asks for the report.
    Effect::new(move |_| {
        filters.tenant.track();
        fetch.run(());
    });

    let refresh = move || {
        view! {
            <RefreshButton
                testid="analytics-refresh"
                busy=Signal::derive(move || matches!(report.get(), Report::Loading))
                on_click=fetch
            />
        }
        .into_any()
    };

    let field_error = move |path: &'static str| {
        move || {
            errors
                .with(|errors| errors.get(path).map(|message| field_sentence(&field_subject(path), message)))
                .map(|text| {
                    view! {
                        <p class="field-error" data-testid="field-error" data-field=path>
                            {text}
                        </p>
                    }
                })
        }
    };
    let date_field = move |label: &'static str,
                           path: &'static str,
                           value: RwSignal<String>,
                           testid: &'static str| {
        let invalid = Signal::derive(move || errors.with(|errors| errors.contains_key(path)));
        view! {
            <DateField label path value testid invalid on_change=fetch>
                {field_error(path)}
            </DateField>
        }
    };
    // A 422 about anything but the two dates has no input of its own to sit under.
    let other_errors = move || {
        errors.with(|errors| {
            errors
                .iter()
                .filter(|(path, _)| !matches!(path.as_str(), "from" | "to"))
                .map(|(path, message)| {
                    view! {
                        <p class="form-error" role="alert" data-testid="field-error" data-field=path.clone()>
                            {field_sentence(&field_subject(path), message)}
                        </p>
                    }
                })
                .collect_view()
        })
    };

    let status = move || match report.get() {
        Report::Loading => view! { <LoadingState label="Loading analytics…" /> }.into_any(),
        Report::Unasked => view! {
            <EmptyState
                title="Choose a valid range"
                detail="Fix the dates above to see the figures."
            />
        }
        .into_any(),
        Report::Unavailable(message) => view! {
            <ErrorState
                title="Analytics are unavailable right now."
                message
                on_retry=fetch
            />
        }
        .into_any(),
        Report::Failed(message) => view! {
            <ErrorState title="The analytics could not be loaded." message on_retry=fetch />
        }
        .into_any(),
        Report::Ready(found) => view! { <Totals report=found /> }.into_any(),
    };

    let details = move || match report.get() {
        Report::Ready(found) if !is_quiet(&found.totals) => Some(view! {
            <VisitsChart report=found.clone() />
            <OrdersChart report=found.clone() />
            <GmvChart report=found.clone() />
            <DaysTable report=found.clone() />
            {found.tenant_id.is_none().then(|| view! { <TopStores stores=found.top_stores.clone() /> })}
        }),
        _ => None,
    };

    let scope = move || {
        let id = filters.tenant.get();
        (!id.is_empty()).then(|| {
            let name = directory
                .entry_of(&id)
                .map_or_else(|| "this store".to_owned(), |entry| entry.name);
            let href = Route::Tenant(id).href();
            view! {
                <p class="range-note">
                    <a class="store-link" href=href data-testid="analytics-store-link">
                        {format!("Open {name}’s page")}
                    </a>
                </p>
            }
        })
    };

    view! {
        <div class="analytics" data-testid="analytics">
            <Panel heading_id="analytics-heading" heading="Analytics" actions=Box::new(refresh)>
                <p class="summary">
                    "Visits, orders, GMV and conversion across the platform or in one store, by day in your time zone ("
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
                    <RangePresets
                        from=filters.from
                        to=filters.to
                        today
                        testid_prefix="analytics-preset"
                        on_pick=fetch
                    />
                    <div class="range-fields">
                        {date_field("From", "from", filters.from, "analytics-from")}
                        {date_field("To", "to", filters.to, "analytics-to")}
                        <div class="field store-field">
                            <label class="label" for="analytics-store">"Store"</label>
                            <StorePicker
                                value=filters.tenant
                                any_label="All stores"
                                testid="analytics-store"
                                id="analytics-store"
                            />
                        </div>
                    </div>
                    {other_errors}
                </form>
                {scope}
                {status}
            </Panel>
            {details}
        </div>
    }
}

/// The figures over the whole range, or a note when nothing happened in it.
#[component]
fn Totals(report: Arc<PlatformReport>) -> impl IntoView {
    let totals = &report.totals;
    let gmv = gmv_lines(&totals.gmv);
    let gmv_view = if gmv.is_empty() {
        view! { <span class="muted">{NOTHING}</span> }.into_any()
    } else {
        gmv.into_iter()
            .map(|line| view! { <span class="gmv-line">{line}</span> })
            .collect_view()
            .into_any()
    };
    let quiet = is_quiet(totals);
    let (visits, orders, conversion) = (
        figure(totals.visits),
        figure(totals.orders),
        percent(totals.conversion_rate),
    );
    view! {
        <p class="range-note muted" data-testid="analytics-range">
            {range_label(&report.from, &report.to)}
            {format!(", days in {}", calendar::describe_offset(report.utc_offset_minutes))}
        </p>
        <dl class="stat-grid stat-grid-4">
            <StatCard label="Visits" testid="analytics-visits">{visits}</StatCard>
            <StatCard label="Orders" testid="analytics-orders">{orders}</StatCard>
            <StatCard label="GMV" testid="analytics-gmv" value_class="stat-gmv">{gmv_view}</StatCard>
            <StatCard label="Conversion" testid="analytics-conversion">{conversion}</StatCard>
        </dl>
        {quiet.then(|| view! {
            <div data-testid="analytics-empty">
                <EmptyState
                    title="No visits or orders in this range"
                    detail="Nothing was recorded for these days. Try a longer range, or another store."
                />
            </div>
        })}
    }
}

/// How a chart draws its days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A line over a filled area, with a dot a day.
    Line,
    /// A bar a day.
    Bars,
}

/// One value a day as an inline SVG, labelled for screen readers by `description`, with a tooltip
/// a day (`tips`) and y labels written by `tick`.
#[component]
fn DayChart(
    frame: Frame,
    shape: Shape,
    /// The days, `YYYY-MM-DD`.
    dates: Vec<String>,
    /// A value a day.
    values: Vec<u64>,
    /// A tooltip a day.
    tips: Vec<String>,
    /// A y label.
    tick: Callback<u64, String>,
    /// The series's class suffix (its colour): `visits`, `orders`, `gmv`.
    series: &'static str,
    /// What the chart shows, in words.
    description: String,
    testid: &'static str,
) -> impl IntoView {
    let count = values.len();
    let axis = nice_axis(values.iter().copied().max().unwrap_or_default(), Y_INTERVALS);
    let y_labels = y_axis(frame, &axis, &|value| tick.run(value));
    let date_refs: Vec<&str> = dates.iter().map(String::as_str).collect();
    let x_labels = x_axis(frame, &date_refs, MAX_X_LABELS);
    let hits = values
        .iter()
        .zip(tips)
        .enumerate()
        .map(|(i, (value, tip))| {
            let slot = frame.slot(i, count);
            let top = frame.y(*value, axis.max);
            let mark = match shape {
                Shape::Line => {
                    let x = chart::coord(slot.middle());
                    view! {
                        <line
                            class="chart-guide"
                            x1=x.clone()
                            x2=x.clone()
                            y1=chart::coord(frame.plot_top())
                            y2=chart::coord(frame.plot_bottom())
                        />
                        <circle class=format!("dot dot-{series}") cx=x cy=chart::coord(top) r="3" />
                    }
                    .into_any()
                }
                Shape::Bars => {
                    let (x, width) = slot.bar();
                    view! {
                        <rect
                            class=format!("bar bar-{series}")
                            x=chart::coord(x)
                            y=chart::coord(top)
                            width=chart::coord(width)
                            height=chart::coord(frame.plot_bottom() - top)
                        />
                    }
                    .into_any()
                }
            };
            view! {
                <g class="chart-hit">
                    {svg_title(tip)}
                    {chart::hit_band(frame, slot)}
                    {mark}
                </g>
            }
        })
        .collect_view();
    let lines = (shape == Shape::Line).then(|| {
        let points: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .map(|(i, value)| (frame.slot(i, count).middle(), frame.y(*value, axis.max)))
            .collect();
        view! {
            <path class=format!("area area-{series}") d=area_path(&points, frame.plot_bottom()) />
            <path class=format!("line line-{series}") d=line_path(&points) />
        }
    });
    let class = if shape == Shape::Line && count > MAX_DAYS_WITH_DOTS {
        "chart chart-dense"
    } else {
        "chart"
    };
    view! {
        <ChartScroll>
            <svg
                class=class
                viewBox=frame.view_box()
                role="img"
                aria-label=description
                data-testid=testid
            >
                {y_labels}
                {x_labels}
                {lines}
                {hits}
            </svg>
        </ChartScroll>
    }
}

/// The days of a report, `YYYY-MM-DD`.
fn dates_of(days: &[PlatformDay]) -> Vec<String> {
    days.iter().map(|day| day.date.clone()).collect()
}

/// Visits per day.
#[component]
fn VisitsChart(report: Arc<PlatformReport>) -> impl IntoView {
    let values: Vec<u64> = report.days.iter().map(|day| day.visits).collect();
    let tips = report
        .days
        .iter()
        .map(|day| format!("{}: {}", long_date(&day.date), count_noun(day.visits, "visit", "visits")))
        .collect();
    let total = count_noun(report.totals.visits, "visit", "visits");
    let description = chart_summary("Visits", &report, &values, &total, |n| {
        count_noun(n, "visit", "visits")
    });
    view! {
        <Panel heading_id="analytics-visits-heading" heading="Visits">
            <p class="summary chart-note">"Distinct shopper sessions a day."</p>
            <DayChart
                frame=VISITS_FRAME
                shape=Shape::Line
                dates=dates_of(&report.days)
                values
                tips
                tick=Callback::new(compact_count)
                series="visits"
                description
                testid="analytics-chart-visits"
            />
        </Panel>
    }
}

/// Orders per day.
#[component]
fn OrdersChart(report: Arc<PlatformReport>) -> impl IntoView {
    let values: Vec<u64> = report.days.iter().map(|day| day.orders).collect();
    let tips = report
        .days
        .iter()
        .map(|day| {
            format!(
                "{}: {}, {} conversion",
                long_date(&day.date),
                count_noun(day.orders, "order", "orders"),
                percent(day.conversion_rate)
            )
        })
        .collect();
    let total = count_noun(report.totals.orders, "order", "orders");
    let description = chart_summary("Orders", &report, &values, &total, |n| {
        count_noun(n, "order", "orders")
    });
    let none = report.totals.orders == 0;
    view! {
        <Panel heading_id="analytics-orders-heading" heading="Orders">
            {none.then(|| view! { <p class="summary chart-note">"No orders in this range."</p> })}
            <DayChart
                frame=BARS_FRAME
                shape=Shape::Bars
                dates=dates_of(&report.days)
                values
                tips
                tick=Callback::new(compact_count)
                series="orders"
                description
                testid="analytics-chart-orders"
            />
        </Panel>
    }
}

/// GMV per day in the primary currency, naming it (and what other currencies sold).
#[component]
fn GmvChart(report: Arc<PlatformReport>) -> impl IntoView {
    let Some(primary) = primary_currency(&report.totals.gmv).cloned() else {
        return view! {
            <Panel heading_id="analytics-gmv-heading" heading="GMV">
                <p class="summary chart-note" data-testid="analytics-gmv-note">
                    "No sales in this range, so no GMV to draw."
                </p>
            </Panel>
        }
        .into_any();
    };
    let currency = primary.currency.clone();
    let values: Vec<u64> = report
        .days
        .iter()
        .map(|day| chart_amount(&day.gmv, &currency))
        .collect();
    let tips = report
        .days
        .iter()
        .map(|day| format!("{}: {}", long_date(&day.date), money(amount_in(&day.gmv, &currency), &currency)))
        .collect();
    let total = money(primary.amount_minor, &currency);
    let description = {
        let currency = currency.clone();
        chart_summary(&format!("GMV in {currency}"), &report, &values, &total, move |minor| {
            money(i64::try_from(minor).unwrap_or(i64::MAX), &currency)
        })
    };
    let note = gmv_note(&report.totals.gmv).unwrap_or_default();
    let tick_currency = currency.clone();
    view! {
        <Panel heading_id="analytics-gmv-heading" heading=format!("GMV in {currency}")>
            <p class="summary chart-note" data-testid="analytics-gmv-note">{note}</p>
            <DayChart
                frame=BARS_FRAME
                shape=Shape::Bars
                dates=dates_of(&report.days)
                values
                tips
                tick=Callback::new(move |minor| compact_money(minor, &tick_currency))
                series="gmv"
                description
                testid="analytics-chart-gmv"
            />
        </Panel>
    }
    .into_any()
}

/// The charts' figures as a table, folded away: for screen readers and for reading exact numbers.
#[component]
fn DaysTable(report: Arc<PlatformReport>) -> impl IntoView {
    let rows = report
        .days
        .iter()
        .rev()
        .map(|day| {
            view! {
                <tr data-testid="analytics-day">
                    <th scope="row" class="cell-date">{long_date(&day.date)}</th>
                    <td class="num">{figure(day.visits)}</td>
                    <td class="num">{figure(day.orders)}</td>
                    <td class="num">{gmv_text(&day.gmv)}</td>
                    <td class="num">{percent(day.conversion_rate)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Panel heading_id="analytics-days-heading" heading="Day by day">
            <details class="chart-data" data-testid="analytics-days">
                <summary>"Show the figures of each day as a table"</summary>
                <div class="table-wrap">
                    <table class="data-table">
                        <caption class="visually-hidden">
                            {format!("Visits, orders, GMV and conversion per day, {}, latest first", range_label(&report.from, &report.to))}
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">"Day"</th>
                                <th scope="col" class="num">"Visits"</th>
                                <th scope="col" class="num">"Orders"</th>
                                <th scope="col" class="num">"GMV"</th>
                                <th scope="col" class="num">"Conversion"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </Panel>
    }
}

/// The stores with the most orders in the range, each linking to its page.
#[component]
fn TopStores(stores: Vec<StoreFigures>) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let body = if stores.is_empty() {
        view! { <p class="summary">"No store had visits or orders in this range."</p> }.into_any()
    } else {
        let rows = stores
            .into_iter()
            .map(|store| {
                let id = store.tenant_id.to_string();
                let href = Route::Tenant(id.clone()).href();
                let name = {
                    let id = id.clone();
                    move || match directory.entry_of(&id) {
                        Some(entry) => view! {
                            <a class="row-link" href=href.clone()>{entry.name}</a>
                            <code class="handle top-handle">{entry.slug}</code>
                        }
                        .into_any(),
                        None => view! {
                            <a class="row-link" href=href.clone()>{format!("Store {}", short_id(&id))}</a>
                        }
                        .into_any(),
                    }
                };
                let gmv = gmv_lines(&store.gmv);
                let gmv_view = if gmv.is_empty() {
                    view! { <span class="muted">{NOTHING}</span> }.into_any()
                } else {
                    gmv.into_iter()
                        .map(|line| view! { <span class="gmv-line">{line}</span> })
                        .collect_view()
                        .into_any()
                };
                view! {
                    <tr data-testid="analytics-top-store" data-tenant=id>
                        <td class="cell-title">{name}</td>
                        <td class="num">{figure(store.visits)}</td>
                        <td class="num">{figure(store.orders)}</td>
                        <td class="num">{gmv_view}</td>
                        <td class="num">{percent(store.conversion_rate)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="data-table" data-testid="analytics-top-stores">
                    <thead>
                        <tr>
                            <th scope="col">"Store"</th>
                            <th scope="col" class="num">"Visits"</th>
                            <th scope="col" class="num">"Orders"</th>
                            <th scope="col" class="num">"GMV"</th>
                            <th scope="col" class="num">"Conversion"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <Panel heading_id="analytics-top-heading" heading="Top stores">
            <p class="summary">"Most orders first, then most visits."</p>
            {body}
        </Panel>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gmv(currency: &str, amount_minor: i64) -> Gmv {
        Gmv {
            currency: currency.into(),
            amount_minor,
        }
    }

    fn day(date: &str, visits: u64, orders: u64, sales: Vec<Gmv>) -> PlatformDay {
        PlatformDay {
            date: date.into(),
            visits,
            orders,
            gmv: sales,
            conversion_rate: 0.0,
        }
    }

    fn report(days: Vec<PlatformDay>, totals: Vec<Gmv>) -> PlatformReport {
        PlatformReport {
            from: days.first().map(|d| d.date.clone()).unwrap_or_default(),
            to: days.last().map(|d| d.date.clone()).unwrap_or_default(),
            utc_offset_minutes: 330,
            tenant_id: None,
            totals: PlatformTotals {
                visits: days.iter().map(|d| d.visits).sum(),
                orders: days.iter().map(|d| d.orders).sum(),
                gmv: totals,
                conversion_rate: 0.0,
            },
            days,
            top_stores: Vec::new(),
        }
    }

    #[test]
    fn the_primary_currency_has_the_largest_total() {
        let totals = [gmv("EUR", 5_000), gmv("INR", 1_234_500), gmv("USD", 90_000)];
        assert_eq!(primary_currency(&totals).map(|g| g.currency.as_str()), Some("INR"));
        let tie = [gmv("EUR", 100), gmv("USD", 100)];
        assert_eq!(primary_currency(&tie).map(|g| g.currency.as_str()), Some("EUR"));
        assert_eq!(primary_currency(&[]), None);
        assert_eq!(amount_in(&totals, "USD"), 90_000);
        assert_eq!(amount_in(&totals, "GBP"), 0);
    }

    #[test]
    fn gmv_is_written_per_currency_largest_first() {
        let totals = [gmv("INR", 1_234_500), gmv("USD", 90_000)];
        assert_eq!(gmv_lines(&totals), ["₹12,345.00", "USD 900.00"]);
        assert_eq!(gmv_text(&totals), "₹12,345.00 + USD 900.00");
        assert_eq!(gmv_text(&[]), "—");
        assert_eq!(
            gmv_note(&totals).unwrap(),
            "Shown in INR, the currency with the largest total. Not drawn: USD 900.00 in other currencies."
        );
        assert_eq!(
            gmv_note(&[gmv("INR", 1)]).unwrap(),
            "Shown in INR, the currency with the largest total."
        );
        assert_eq!(gmv_note(&[]), None);
    }

    #[test]
    fn a_range_with_nothing_in_it_is_quiet() {
        assert!(is_quiet(&PlatformTotals::default()));
        let one_visit = PlatformTotals {
            visits: 1,
            ..PlatformTotals::default()
        };
        assert!(!is_quiet(&one_visit));
    }

    #[test]
    fn ranges_and_days_read_like_a_calendar() {
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
    fn the_charts_describe_themselves() {
        let report = report(
            vec![
                day("2026-05-02", 4, 1, vec![gmv("INR", 50_000)]),
                day("2026-05-03", 12, 1, vec![gmv("INR", 20_000), gmv("USD", 1_000)]),
            ],
            vec![gmv("INR", 70_000), gmv("USD", 1_000)],
        );
        let visits: Vec<u64> = report.days.iter().map(|d| d.visits).collect();
        assert_eq!(
            chart_summary("Visits", &report, &visits, "16 visits", |n| count_noun(n, "visit", "visits")),
            "Visits per day, Sat 2 May 2026 – Sun 3 May 2026 (2 days): 16 visits in all. \
             Most on Sun 3 May 2026 (12 visits)."
        );
        let orders: Vec<u64> = report.days.iter().map(|d| d.orders).collect();
        assert!(
            chart_summary("Orders", &report, &orders, "2 orders", |n| n.to_string())
                .ends_with("Most on Sat 2 May 2026 (1).")
        );
        let nothing = [0, 0];
        assert!(chart_summary("Orders", &report, &nothing, "0 orders", |n| n.to_string())
            .ends_with("0 orders in all."));
        let inr: Vec<u64> = report.days.iter().map(|d| chart_amount(&d.gmv, "INR")).collect();
        assert_eq!(inr, [50_000, 20_000]);
        assert_eq!(chart_amount(&[gmv("INR", -5)], "INR"), 0);
    }

    #[test]
    fn range_errors_name_their_field() {
        assert_eq!(
            field_sentence(&field_subject("from"), "must be a date, YYYY-MM-DD"),
            "The start date must be a date, YYYY-MM-DD."
        );
        assert_eq!(
            field_sentence(&field_subject("to"), "must not be before from"),
            "The end date must not be before from."
        );
        assert_eq!(
            field_sentence(&field_subject("utc_offset_minutes"), "must be -720 to 840 minutes"),
            "Your time zone must be -720 to 840 minutes."
        );
    }
}
