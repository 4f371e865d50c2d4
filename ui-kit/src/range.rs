//! The parts of a report over a range of days that the panels' analytics screens share: the
//! quick-range buttons ([`RangePresets`]), a date field ([`DateField`]), the refresh button
//! ([`RefreshButton`]) and a total figure's card ([`StatCard`]).
//!
//! The screen keeps the range's fields (`YYYY-MM-DD` strings, see [`crate::calendar`]) and asks for
//! its report; these parts show the fields and say when they changed.

use crate::calendar::{Day, PRESETS, browser_now, preset_values};
use leptos::prelude::*;

/// The quick ranges ([`PRESETS`]): each button fills the two fields with its days ending today
/// and is shown pressed while the fields hold them.
#[component]
pub fn RangePresets(
    /// The first day's field.
    from: RwSignal<String>,
    /// The last day's field.
    to: RwSignal<String>,
    /// Today as of the last report: a preset counts as chosen when its days end on it.
    #[prop(into)]
    today: Signal<Option<Day>>,
    /// Each button's `data-testid` is this, a dash and its number of days.
    testid_prefix: &'static str,
    /// Runs once a button has filled the fields.
    on_pick: Callback<()>,
) -> impl IntoView {
    let buttons = PRESETS
        .into_iter()
        .map(|(days, label)| {
            let chosen = move || {
                let (preset_from, preset_to) = preset_values(today.get(), days);
                !preset_from.is_empty()
                    && from.with(|f| *f == preset_from)
                    && to.with(|t| *t == preset_to)
            };
            view! {
                <button
                    type="button"
                    class="preset"
                    data-testid=format!("{testid_prefix}-{days}")
                    aria-pressed=move || if chosen() { "true" } else { "false" }
                    on:click=move |_| {
                        // Today as of the click, not as of the screen opening.
                        let (preset_from, preset_to) = preset_values(browser_now().0, days);
                        from.set(preset_from);
                        to.set(preset_to);
                        on_pick.run(());
                    }
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="presets" role="group" aria-label="Quick ranges">
            {buttons}
        </div>
    }
}

/// A labelled date input of a range, with its error (the children) under it.
#[component]
pub fn DateField(
    /// What the field is called, e.g. `From`.
    label: &'static str,
    /// The input's name, as the API's field errors name it: `from` or `to`.
    path: &'static str,
    /// The field's value, `YYYY-MM-DD` (empty while nothing valid is typed).
    value: RwSignal<String>,
    /// The input's `data-testid`.
    testid: &'static str,
    /// Whether the field has an error.
    #[prop(into)]
    invalid: Signal<bool>,
    /// Runs once a new value is in `value`.
    on_change: Callback<()>,
    /// The field's error, shown under the input.
    children: Children,
) -> impl IntoView {
    view! {
        <label class="field range-field">
            <span class="label">{label}</span>
            <input
                class="input"
                type="date"
                name=path
                required
                data-testid=testid
                aria-invalid=move || invalid.get().then_some("true")
                prop:value=move || value.get()
                on:change=move |ev| {
                    value.set(event_target_value(&ev));
                    on_change.run(());
                }
            />
            {children()}
        </label>
    }
}

/// The "Refresh" button of a report's panel, busy while the report loads.
#[component]
pub fn RefreshButton(
    /// The button's `data-testid`.
    testid: &'static str,
    /// Whether the report is loading.
    #[prop(into)]
    busy: Signal<bool>,
    /// Asks for the report again.
    on_click: Callback<()>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button button-secondary button-inline"
            data-testid=testid
            aria-busy=move || busy.get().then_some("true")
            on:click=move |_| on_click.run(())
        >
            "Refresh"
        </button>
    }
}

/// One total of a report in a `<dl class="stat-grid">`: its label and its value (the children).
#[component]
pub fn StatCard(
    /// What the figure is, e.g. `Visits`.
    label: &'static str,
    /// The value's `data-testid`.
    testid: &'static str,
    /// A class the value gets besides `stat-value`.
    #[prop(optional)]
    value_class: Option<&'static str>,
    /// The value.
    children: Children,
) -> impl IntoView {
    let class = match value_class {
        Some(extra) => format!("stat-value {extra}"),
        None => "stat-value".to_owned(),
    };
    view! {
        <div class="stat-card">
            <dt class="stat-label">{label}</dt>
            <dd class=class data-testid=testid>
                {children()}
            </dd>
        </div>
    }
}
