//! What the screens for products ([`crate::products`], [`crate::editor`]) and collections
//! ([`crate::collections`]) are made of: the list page's frame, the editor page's frame with its
//! load states, the banner above an editor's form, text fields, the buttons that reorder a list and
//! the action bar under the form.
//!
//! The words differ between products and collections, so they are props; the markup, classes and
//! behaviour are the same for both.

use crate::app::Flash;
use crate::route::Route;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;
use std::time::Duration;
use zelly_ui_kit::api::ApiError;
use zelly_ui_kit::forms::{FieldError, FieldErrors, describe_path};
use zelly_ui_kit::views::{Banner, EmptyState, ErrorState, LoadingState, Panel, Tone};

/// Where loading the record an editor edits is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageState {
    /// The first answer has not come yet.
    Loading,
    /// There is no such record (404).
    Missing,
    /// The record could not be loaded: why, as a readable sentence.
    Failed(String),
    /// The form is shown (at once while creating).
    Ready,
}

/// What the banner above an editor's form says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Something worked, e.g. "Changes saved.".
    Done(String),
    /// The save was refused with field errors: those no input shows, as (path, message).
    Invalid(Vec<(String, String)>),
    /// The record was changed elsewhere since it was loaded.
    Conflict,
    /// Anything else that failed: why.
    Failed(String),
}

impl Notice {
    /// What the banner says once Reload (after a conflict) has loaded the latest version.
    pub fn reloaded() -> Self {
        Notice::Done("Reloaded the latest version.".to_owned())
    }
}

/// Loads the record an editor edits with `request`; `show` puts it in the form.
///
/// The page shows its loading state only while nothing is shown yet. Once the record is there,
/// `then` goes in the banner. A 404 is the "missing" state; another failure is the page's error
/// state, or only a banner when an earlier version is already shown (a reload).
pub fn load_record<T: Send + Sync + 'static>(
    request: impl Future<Output = Result<T, ApiError>> + 'static,
    original: RwSignal<Option<T>>,
    page: RwSignal<PageState>,
    notice: RwSignal<Option<Notice>>,
    then: Option<Notice>,
    show: impl FnOnce(T) + 'static,
) {
    if original.with_untracked(Option::is_none) {
        page.set(PageState::Loading);
    }
    spawn_local(async move {
        match request.await {
            Ok(record) => {
                show(record);
                page.set(PageState::Ready);
                notice.set(then);
            }
            Err(error) if error.is_not_found() => page.set(PageState::Missing),
            Err(error) if original.try_with_untracked(Option::is_some) == Some(true) => {
                notice.set(Some(Notice::Failed(error.message)));
            }
            Err(error) => page.set(PageState::Failed(error.message)),
        }
    });
}

/// Loads a screen's data with `request` into `into`, clearing `failed` first; a failure goes in
/// `failed` (a 401 shows nothing: it has signed the merchant out already). If the screen went away
/// (another store or screen) while the call was out, nothing is set.
pub fn load_into<T: Send + Sync + 'static>(
    request: impl Future<Output = Result<T, ApiError>> + 'static,
    into: RwSignal<Option<T>>,
    failed: RwSignal<Option<String>>,
) {
    failed.set(None);
    spawn_local(async move {
        let answer = request.await;
        if into.is_disposed() {
            return;
        }
        match answer {
            Ok(loaded) => into.set(Some(loaded)),
            Err(error) if error.is_unauthorized() => {}
            Err(error) => failed.set(Some(error.message)),
        }
    });
}

/// Shows why a save failed: a newer version elsewhere, the field errors of a 422 (next to their
/// inputs, and in the banner those `unplaced` picks as shown by no input) or any other failure. A
/// 401 shows nothing: it has signed the merchant out already.
pub fn show_save_failure(
    error: ApiError,
    errors: RwSignal<FieldErrors>,
    notice: RwSignal<Option<Notice>>,
    unplaced: impl FnOnce(&FieldErrors) -> Vec<(String, String)>,
) {
    if error.is_conflict() {
        notice.set(Some(Notice::Conflict));
    } else if error.is_invalid() {
        show_field_errors(error.fields, errors, notice, unplaced);
    } else if !error.is_unauthorized() {
        notice.set(Some(Notice::Failed(error.message)));
    }
}

/// Shows `fields` next to their inputs, and in the banner those `unplaced` picks.
pub fn show_field_errors(
    fields: FieldErrors,
    errors: RwSignal<FieldErrors>,
    notice: RwSignal<Option<Notice>>,
    unplaced: impl FnOnce(&FieldErrors) -> Vec<(String, String)>,
) {
    let unplaced = unplaced(&fields);
    errors.set(fields);
    notice.set(Some(Notice::Invalid(unplaced)));
}

/// An editor's heading: `new` while creating, else the record's title (`fallback` until it has
/// loaded).
pub fn editor_heading<T: Send + Sync + 'static>(
    creating: bool,
    original: RwSignal<Option<T>>,
    new: &'static str,
    fallback: &'static str,
    title: fn(&T) -> &str,
) -> Signal<String> {
    Signal::derive(move || {
        if creating {
            new.to_owned()
        } else {
            original.with(|record| {
                record
                    .as_ref()
                    .map_or_else(|| fallback.to_owned(), |record| title(record).to_owned())
            })
        }
    })
}

/// Scrolls to the top of the page, where the banner is.
pub fn scroll_to_top() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
}

/// A list page: a panel headed `heading` with a button to create a record, the message the last
/// screen left (e.g. "Collection deleted."), then the list (`children`).
#[component]
pub fn ListPage(
    /// The heading's `id`, which labels the panel.
    heading_id: &'static str,
    /// The heading, e.g. "Products".
    heading: &'static str,
    /// Where the New button leads.
    new_route: Route,
    /// The New button's text, e.g. "New product".
    new_label: &'static str,
    /// The New button's `data-testid`.
    new_testid: &'static str,
    /// The toolbar, state or table below.
    children: Children,
) -> impl IntoView {
    let flash = expect_context::<Flash>().take();
    let new_button = move || {
        view! {
            <a class="button button-inline" href=new_route.href() data-testid=new_testid>
                {new_label}
            </a>
        }
        .into_any()
    };
    view! {
        <Panel heading_id heading actions=Box::new(new_button)>
            {flash.map(|message| view! { <div class="panel-notice"><Banner tone=Tone::Success message /></div> })}
            {children()}
        </Panel>
    }
}

/// An editor page: a breadcrumb back to `list`, then the form (`children`) once `state` is
/// ready, else a panel saying that the record is loading, missing or failed to load (with Retry).
#[component]
pub fn DetailPage(
    /// Where loading the record is.
    #[prop(into)]
    state: Signal<PageState>,
    /// The list the record belongs to: the breadcrumb leads there, as does the "missing" state.
    list: Route,
    /// The breadcrumb's text, e.g. "← Products".
    breadcrumb: &'static str,
    /// The loading state's text, e.g. "Loading product…".
    loading: &'static str,
    /// The "missing" state's headline, e.g. "This product does not exist".
    missing_title: &'static str,
    /// The "missing" state's explanation.
    missing_detail: &'static str,
    /// The "missing" state's link to `list`, e.g. "Back to products".
    back_label: &'static str,
    /// The error state's headline, e.g. "This product could not be loaded.".
    failed_title: &'static str,
    /// Run when Retry is pressed in the error state.
    on_retry: Callback<()>,
    /// The form, shown (again) each time `state` becomes ready.
    children: ChildrenFn,
) -> impl IntoView {
    let href = list.href();
    view! {
        <p class="breadcrumb">
            <a href=href.clone()>{breadcrumb}</a>
        </p>
        {move || match state.get() {
            PageState::Loading => {
                view! {
                    <section class="panel">
                        <LoadingState label=loading />
                    </section>
                }
                    .into_any()
            }
            PageState::Missing => {
                let href = href.clone();
                view! {
                    <section class="panel">
                        <EmptyState title=missing_title detail=missing_detail>
                            <a class="button" href=href>{back_label}</a>
                        </EmptyState>
                    </section>
                }
                    .into_any()
            }
            PageState::Failed(message) => {
                view! {
                    <section class="panel">
                        <ErrorState title=failed_title message on_retry />
                    </section>
                }
                    .into_any()
            }
            PageState::Ready => children().into_any(),
        }}
    }
}

/// The banner above a form: success, the 422 errors no input shows, a conflict (with Reload) or
/// another failure.
#[component]
pub fn NoticeBanner(
    /// What to say, if anything.
    notice: RwSignal<Option<Notice>>,
    /// What a conflict is called, e.g. "This product was changed elsewhere — …".
    conflict_message: &'static str,
    /// Run when Reload is pressed after a conflict.
    on_reload: Callback<()>,
) -> impl IntoView {
    move || {
        notice.get().map(|current| match current {
            Notice::Done(message) => {
                view! { <Banner tone=Tone::Success message testid="form-notice" /> }.into_any()
            }
            Notice::Failed(message) => view! {
                <Banner tone=Tone::Error message="This could not be saved." testid="form-error">
                    <p class="banner-detail">{message}</p>
                </Banner>
            }
            .into_any(),
            Notice::Invalid(unplaced) => view! {
                <Banner
                    tone=Tone::Error
                    message="Some fields need attention: see the messages below."
                    testid="form-error"
                >
                    {(!unplaced.is_empty())
                        .then(|| {
                            view! {
                                <ul class="banner-list">
                                    {unplaced
                                        .into_iter()
                                        .map(|(path, message)| {
                                            view! {
                                                <li data-testid="field-error" data-field=path.clone()>
                                                    <strong>{describe_path(&path)}</strong>
                                                    ": "
                                                    {message}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                        })}
                </Banner>
            }
            .into_any(),
            Notice::Conflict => view! {
                <Banner tone=Tone::Warning message=conflict_message testid="conflict">
                    <p class="banner-detail">
                        "Reloading replaces your unsaved changes with the saved version."
                    </p>
                    <button
                        type="button"
                        class="button button-small"
                        data-testid="conflict-reload"
                        on:click=move |_| on_reload.run(())
                    >
                        "Reload"
                    </button>
                </Banner>
            }
            .into_any(),
        })
    }
}

/// A labelled text input bound to `value`, with its error below.
#[component]
pub fn TextField(
    /// The label, e.g. "Title".
    label: &'static str,
    /// The input's content.
    value: RwSignal<String>,
    /// All of the form's errors.
    errors: RwSignal<FieldErrors>,
    /// The field's path in `errors`, e.g. `title`.
    path: &'static str,
    /// The input's `data-testid`.
    testid: &'static str,
    /// A hint under the input.
    #[prop(optional)]
    hint: &'static str,
    /// The input's placeholder.
    #[prop(optional)]
    placeholder: &'static str,
    /// The most characters allowed: shows a counter next to the label (none when 0).
    #[prop(optional)]
    max: usize,
    /// Run on every keystroke.
    #[prop(optional, into)]
    on_input: Option<Callback<()>>,
) -> impl IntoView {
    let invalid = move || errors.with(|e| e.contains_key(path));
    view! {
        <label class="field">
            <FieldLabel label value max />
            <input
                class="input"
                class:invalid=invalid
                aria-invalid=move || invalid().then_some("true")
                data-testid=testid
                placeholder=placeholder
                bind:value=value
                on:input=move |_| {
                    if let Some(on_input) = on_input {
                        on_input.run(());
                    }
                }
            />
            {(!hint.is_empty()).then(|| view! { <span class="hint">{hint}</span> })}
            <FieldError errors path=path />
        </label>
    }
}

/// A labelled text area bound to `value`, across both columns of a form grid, with its error
/// below.
#[component]
pub fn TextAreaField(
    /// The label, e.g. "Description".
    label: &'static str,
    /// The text area's content.
    value: RwSignal<String>,
    /// All of the form's errors.
    errors: RwSignal<FieldErrors>,
    /// The field's path in `errors`, e.g. `description`.
    path: &'static str,
    /// The text area's `data-testid`.
    testid: &'static str,
    /// How many lines it shows.
    rows: &'static str,
    /// The most characters allowed: shows a counter next to the label (none when 0).
    #[prop(optional)]
    max: usize,
) -> impl IntoView {
    view! {
        <label class="field span-2">
            <FieldLabel label value max />
            <textarea
                class="input"
                rows=rows
                data-testid=testid
                class:invalid=move || errors.with(|e| e.contains_key(path))
                bind:value=value
            ></textarea>
            <FieldError errors path=path />
        </label>
    }
}

/// A field's label, with `value`'s length out of `max` characters next to it (none when 0).
#[component]
fn FieldLabel(label: &'static str, value: RwSignal<String>, max: usize) -> impl IntoView {
    view! {
        <span class="label">
            {label}
            {(max > 0)
                .then(|| {
                    view! {
                        <span class="counter">
                            {move || format!("{}/{max}", value.with(|v| v.chars().count()))}
                        </span>
                    }
                })}
        </span>
    }
}

/// A button that copies `text` to the clipboard, saying "Copied" for a moment. Where the browser
/// refuses (no permission), the text stays on screen to copy by hand.
#[component]
pub fn CopyButton(
    /// What to copy.
    #[prop(into)]
    text: String,
    /// What is copied, for screen readers, e.g. "the invite link".
    what: &'static str,
    /// The button's `data-testid`.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        copy_text(&text);
        copied.set(true);
        set_timeout(move || copied.set(false), Duration::from_secs(2));
    };
    view! {
        <button
            type="button"
            class="button button-secondary button-small copy-button"
            data-testid=testid
            aria-label=format!("Copy {what}")
            on:click=copy
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}

/// Puts `text` on the clipboard; a refusal is ignored (the text is on screen to copy by hand).
fn copy_text(text: &str) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::closure::Closure;
        let promise = window().navigator().clipboard().write_text(text);
        // Handled, so that a refusal is not an uncaught error in the console. The handler lives
        // as long as the page: a few bytes per press.
        let ignore = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
        let _ = promise.catch(&ignore);
        ignore.forget();
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = text;
}

/// Move up, Move down and Remove for one entry of an ordered list.
#[component]
pub fn ReorderButtons(
    /// The entry's position in the list (reactive: entries move).
    #[prop(into)]
    index: Signal<usize>,
    /// How many entries the list has.
    #[prop(into)]
    count: Signal<usize>,
    /// What the buttons' `data-testid`s start with: `{testid}-up-{index}`, `{testid}-down-{index}`
    /// and `{testid}-remove-{index}`.
    testid: &'static str,
    /// Move up's accessible name, e.g. "Move image up".
    up_label: &'static str,
    /// Move down's accessible name.
    down_label: &'static str,
    /// Remove's tooltip.
    remove_title: &'static str,
    /// Remove's accessible name.
    remove_label: &'static str,
    /// Run with `true` to move the entry up, `false` to move it down.
    on_move: Callback<bool>,
    /// Run to remove the entry.
    on_remove: Callback<()>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="icon-button"
            title="Move up"
            aria-label=up_label
            data-testid=move || format!("{testid}-up-{}", index.get())
            disabled=move || index.get() == 0
            on:click=move |_| on_move.run(true)
        >
            "↑"
        </button>
        <button
            type="button"
            class="icon-button"
            title="Move down"
            aria-label=down_label
            data-testid=move || format!("{testid}-down-{}", index.get())
            disabled=move || { index.get() + 1 >= count.get() }
            on:click=move |_| on_move.run(false)
        >
            "↓"
        </button>
        <button
            type="button"
            class="icon-button"
            title=remove_title
            aria-label=remove_label
            data-testid=move || format!("{testid}-remove-{}", index.get())
            on:click=move |_| on_remove.run(())
        >
            "×"
        </button>
    }
}

/// The buttons under an editor's form: Cancel (back to the list), the danger action (e.g.
/// Archive) while `show_danger`, and Save. Both actions are disabled while `saving`.
#[component]
pub fn FormActions(
    /// Where Cancel leads.
    cancel: Route,
    /// Whether a save or the danger action is under way.
    saving: RwSignal<bool>,
    /// Whether the form creates a record (else it saves changes to one).
    creating: bool,
    /// The submit button's text while creating, e.g. "Create product".
    create_label: &'static str,
    /// The submit button's `data-testid`.
    save_testid: &'static str,
    /// The danger button's text, e.g. "Archive".
    danger_label: &'static str,
    /// The danger button's `data-testid`.
    danger_testid: &'static str,
    /// Whether the danger button is shown.
    #[prop(into)]
    show_danger: Signal<bool>,
    /// Run when the danger button is pressed.
    on_danger: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="form-actions">
            <a class="button button-secondary" href=cancel.href()>"Cancel"</a>
            <span class="spacer"></span>
            <Show when=move || show_danger.get()>
                <button
                    type="button"
                    class="button button-danger"
                    data-testid=danger_testid
                    disabled=move || saving.get()
                    on:click=move |_| on_danger.run(())
                >
                    {danger_label}
                </button>
            </Show>
            <button
                type="submit"
                class="button"
                data-testid=save_testid
                disabled=move || saving.get()
            >
                {move || match (saving.get(), creating) {
                    (true, _) => "Saving…",
                    (false, true) => create_label,
                    (false, false) => "Save changes",
                }}
            </button>
        </div>
    }
}

/// How long a list waits after the last keystroke in its search box before searching.
pub const SEARCH_DELAY: Duration = Duration::from_millis(300);

/// Makes `text` a list's applied search, unless it already is (so the list does not reload).
pub fn apply_search(applied: RwSignal<String>, text: String) {
    if applied.get_untracked() != text {
        applied.set(text);
    }
}

/// A list's search box: what is typed goes into `typed`, and becomes the `applied` search once
/// typing pauses for [`SEARCH_DELAY`]. The toolbar form around it applies at once on Enter.
#[component]
pub fn SearchBox(
    /// The box's accessible name.
    label: &'static str,
    /// Its placeholder.
    placeholder: &'static str,
    /// Its `data-testid`.
    testid: &'static str,
    /// What is typed.
    typed: RwSignal<String>,
    /// The search the list applies.
    applied: RwSignal<String>,
) -> impl IntoView {
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        typed.set(text.clone());
        set_timeout(
            move || {
                if typed.try_get_untracked().as_deref() == Some(text.as_str()) {
                    apply_search(applied, text.trim().to_owned());
                }
            },
            SEARCH_DELAY,
        );
    };
    view! {
        <label class="toolbar-search">
            <span class="visually-hidden">{label}</span>
            <input
                class="input"
                type="search"
                placeholder=placeholder
                data-testid=testid
                prop:value=move || typed.get()
                on:input=on_input
            />
        </label>
    }
}
