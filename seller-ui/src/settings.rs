//! Store settings: the store's name, logo and accent colour as shoppers see them, with a live
//! preview of the storefront's header, the collection its home page features, and whether
//! shoppers may pay cash on delivery.
//!
//! Only owners change settings: staff see the same form read-only (core-api refuses their save
//! with a 403 anyway). The form is checked with the API's own rules
//! ([`StoreSettingsInput::validate`]) before it is sent, so most mistakes show without a round
//! trip; core-api's 422 field errors land in the same places.
//!
//! The form's logic is plain data ([`SettingsForm`], [`HeaderPreview`], the colour helpers) so that
//! it is tested without a browser.

use crate::api::Api;
use crate::app::image_src;
use crate::config::Config;
use crate::route::Route;
use crate::page::{
    Notice, NoticeBanner, TextField, scroll_to_top, show_field_errors, show_save_failure,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::catalog::{
    Collection, Role, SellerSession, StoreSettings, StoreSettingsInput, is_hex_color,
};
use zelly_ui_kit::forms::{FieldError, FieldErrors};
use zelly_ui_kit::views::{Banner, ErrorState, LoadingState, Panel, Tone};

/// The accent colour the preview shows while the store has none of its own.
///
/// Keep in step with the storefront's default (`var(--accent,#0b6b3a)` in
/// `storefront/app/src/style.css`).
pub const DEFAULT_ACCENT: &str = "#0b6b3a";

/// What the banner says after a save.
pub const SAVED_MESSAGE: &str = "Settings saved — your storefront shows them within a minute.";

/// What staff are told, above the read-only form and when a save is refused with a 403.
pub const OWNERS_ONLY_MESSAGE: &str = "Only the store’s owners can change its settings.";

/// What the editor says when a save met a newer version (core-api does not version settings
/// today, but the banner needs words should it ever answer 409).
const CONFLICT_MESSAGE: &str =
    "These settings were changed elsewhere — reload to see the latest version";

/// The contrast ratio below which white button text on the accent colour is hard to read (WCAG's
/// AA level for normal text).
pub const MIN_TEXT_CONTRAST: f64 = 4.5;

/// The settings form's inputs, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsForm {
    /// Store name.
    pub name: String,
    /// Logo URL; empty for none.
    pub logo_url: String,
    /// Accent colour, `#rrggbb`; empty for the default.
    pub accent: String,
    /// Handle of the collection the home page features; empty for none.
    pub featured: String,
    /// Whether shoppers may choose cash on delivery at checkout.
    pub cash_on_delivery: bool,
}

impl SettingsForm {
    /// The form showing `settings`.
    pub fn from_settings(settings: &StoreSettings) -> Self {
        Self {
            name: settings.name.clone(),
            logo_url: settings.logo_url.clone().unwrap_or_default(),
            accent: settings.accent_color.clone().unwrap_or_default(),
            featured: settings
                .featured_collection
                .as_ref()
                .map(|handle| handle.as_str().to_owned())
                .unwrap_or_default(),
            cash_on_delivery: settings.cash_on_delivery,
        }
    }

    /// What Save sends: trimmed, with an empty logo, colour or featured collection as `null`
    /// (none, the default).
    ///
    /// The result is not checked: [`StoreSettingsInput::validate`] does that, with the API's rules.
    pub fn to_input(&self) -> StoreSettingsInput {
        let logo_url = self.logo_url.trim();
        let featured = self.featured.trim();
        StoreSettingsInput {
            name: self.name.trim().to_owned(),
            logo_url: (!logo_url.is_empty()).then(|| logo_url.to_owned()),
            accent_color: normalize_accent(&self.accent),
            featured_collection: (!featured.is_empty()).then(|| featured.to_owned()),
            cash_on_delivery: self.cash_on_delivery,
        }
    }
}

/// What the featured collection's select offers, as `(value, label)`: "None" (value `""`), then
/// each of `collections` by title (value: its handle). A `current` handle none of them has (the
/// collections could not be loaded, or it was deleted since) is offered under its own handle, so
/// the select still shows what is saved.
pub fn featured_options(collections: &[Collection], current: &str) -> Vec<(String, String)> {
    let current = current.trim();
    let mut options = vec![(String::new(), "None".to_owned())];
    options.extend(
        collections
            .iter()
            .map(|c| (c.handle.as_str().to_owned(), c.title.clone())),
    );
    if !current.is_empty() && !options.iter().any(|(value, _)| value == current) {
        options.push((current.to_owned(), current.to_owned()));
    }
    options
}

/// An accent colour as typed, ready to send: trimmed, lowercase (as core-api stores it), with the
/// `#` added to six bare hex digits (`1f6feb`); `None` when empty. Anything else is returned
/// trimmed, for validation to refuse.
pub fn normalize_accent(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let prefixed = format!("#{text}");
    if is_hex_color(text) {
        Some(text.to_ascii_lowercase())
    } else if is_hex_color(&prefixed) {
        Some(prefixed.to_ascii_lowercase())
    } else {
        Some(text.to_owned())
    }
}

/// The colour the accent text means: its own when it is one, else [`DEFAULT_ACCENT`] (empty, or
/// still being typed). Lowercase `#rrggbb`, the only form an `<input type="color">` takes, so the
/// picker and the preview both show it.
pub fn effective_accent(text: &str) -> String {
    normalize_accent(text)
        .filter(|color| is_hex_color(color))
        .unwrap_or_else(|| DEFAULT_ACCENT.to_owned())
}

/// The red, green and blue of a `#rrggbb` colour.
fn rgb(color: &str) -> Option<[u8; 3]> {
    if !is_hex_color(color) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(color.get(i..i + 2)?, 16).ok();
    Some([channel(1)?, channel(3)?, channel(5)?])
}

/// The contrast ratio (1 to 21) of white text on `color` (`#rrggbb`), as WCAG defines it.
pub fn contrast_with_white(color: &str) -> Option<f64> {
    let linear = |channel: u8| {
        let c = f64::from(channel) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = rgb(color)?;
    let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    Some(1.05 / (luminance + 0.05))
}

/// What the accent field warns about `accent` (as typed): links and prices in it are hard to read
/// on the storefront's white. (Its buttons stay readable: the storefront writes on them in black
/// or white, whichever contrasts more; see [`button_text_on`].) The ratio is the same either way
/// round, so it is the one of white on the accent.
pub fn contrast_warning(accent: &str) -> Option<String> {
    let color = normalize_accent(accent)?;
    let ratio = contrast_with_white(&color)?;
    (ratio < MIN_TEXT_CONTRAST).then(|| {
        format!(
            "Links and prices in this colour are hard to read on white ({ratio:.1}:1; aim for at \
             least {MIN_TEXT_CONTRAST}:1). Buttons get black text so they stay readable."
        )
    })
}

/// The text colour the storefront puts on a button filled with `accent` (`#rrggbb`): black or
/// white, whichever contrasts more, as [`zelly_edge::catalog::text_color_on`] decides for the
/// storefront, so the preview shows the buttons shoppers will see.
pub fn button_text_on(accent: &str) -> &'static str {
    zelly_edge::catalog::text_color_on(accent)
}

/// How the storefront's header will look with a form's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderPreview {
    /// The store name: shown when there is no logo, and the logo's alternative text.
    pub name: String,
    /// The logo's URL, when one is set and well formed (a malformed one shows the name).
    pub logo_url: Option<String>,
    /// The accent colour, lowercase `#rrggbb`.
    pub accent: String,
    /// Whether `accent` is the default (no colour of the store's own, or one still being typed).
    pub default_accent: bool,
}

impl HeaderPreview {
    /// The preview of `form`.
    pub fn of(form: &SettingsForm) -> Self {
        let input = form.to_input();
        let logo_ok = match input.validate() {
            Ok(()) => true,
            Err(errors) => !errors.contains_key("logo_url"),
        };
        let name = if input.name.is_empty() {
            "Your store".to_owned()
        } else {
            input.name
        };
        let own_accent = input.accent_color.filter(|color| is_hex_color(color));
        Self {
            name,
            logo_url: input.logo_url.filter(|_| logo_ok),
            default_accent: own_accent.is_none(),
            accent: own_accent.unwrap_or_else(|| DEFAULT_ACCENT.to_owned()),
        }
    }
}

/// Whether the settings form shows the error of `path` next to an input.
fn shows_inline(path: &str) -> bool {
    matches!(
        path,
        "name" | "logo_url" | "accent_color" | "featured_collection" | "cash_on_delivery"
    )
}

/// The errors the banner lists because no input shows them.
pub fn unplaced_errors(errors: &FieldErrors) -> Vec<(String, String)> {
    errors
        .iter()
        .filter(|(path, _)| !shows_inline(path))
        .map(|(path, message)| (path.clone(), message.clone()))
        .collect()
}

/// Where loading the settings is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Load {
    Loading,
    Failed(String),
    Ready,
}

/// The form's inputs, one signal each.
#[derive(Debug, Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    logo_url: RwSignal<String>,
    accent: RwSignal<String>,
    featured: RwSignal<String>,
    cash_on_delivery: RwSignal<bool>,
}

impl Draft {
    fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            logo_url: RwSignal::new(String::new()),
            accent: RwSignal::new(String::new()),
            featured: RwSignal::new(String::new()),
            cash_on_delivery: RwSignal::new(false),
        }
    }

    /// Replaces every input's content with `form`.
    fn load(&self, form: SettingsForm) {
        self.name.set(form.name);
        self.logo_url.set(form.logo_url);
        self.accent.set(form.accent);
        self.featured.set(form.featured);
        self.cash_on_delivery.set(form.cash_on_delivery);
    }

    /// The inputs' content (reactive).
    fn form(&self) -> SettingsForm {
        SettingsForm {
            name: self.name.get(),
            logo_url: self.logo_url.get(),
            accent: self.accent.get(),
            featured: self.featured.get(),
            cash_on_delivery: self.cash_on_delivery.get(),
        }
    }
}

/// The store settings screen. `store` is the signed-in session: its role decides whether the form
/// can be changed, and a save updates the store name in the header.
#[component]
pub fn SettingsPage(
    /// The signed-in merchant and their store (always loaded by the time this screen shows).
    store: RwSignal<Option<SellerSession>>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let owner = store.with_untracked(|s| s.as_ref().is_some_and(|s| s.role == Role::Owner));
    let read_only = RwSignal::new(!owner);
    let load = RwSignal::new(Load::Loading);
    // Only a change of state redraws the form (a reload that succeeds again keeps the inputs).
    let state = Memo::new(move |_| load.get());
    let slug = RwSignal::new(String::new());
    let draft = Draft::new();
    let current = Memo::new(move |_| draft.form());
    let errors = RwSignal::new(FieldErrors::new());
    let notice = RwSignal::new(None::<Notice>);
    let saving = RwSignal::new(false);
    // The store's collections, for the featured collection's select: empty until loaded, and kept
    // as they were when loading them fails (the select then offers "None" and the saved handle).
    let collections = RwSignal::new(Vec::<Collection>::new());
    let collections_failed = RwSignal::new(false);

    let show = move |settings: StoreSettings| {
        slug.set(settings.slug.to_string());
        draft.load(SettingsForm::from_settings(&settings));
        errors.set(FieldErrors::new());
    };

    let fetch = {
        let api = api.clone();
        Callback::new(move |then: Option<Notice>| {
            if load.get_untracked() != Load::Ready {
                load.set(Load::Loading);
            }
            // The collections load on their own: failing to does not hold up the form or its save.
            let collections_api = api.clone();
            spawn_local(async move {
                match collections_api.collections().await {
                    Ok(list) => {
                        collections.set(list);
                        collections_failed.set(false);
                    }
                    // The settings call handles being signed out.
                    Err(error) if error.is_unauthorized() => {}
                    Err(_) => collections_failed.set(true),
                }
            });
            let api = api.clone();
            spawn_local(async move {
                match api.store_settings().await {
                    Ok(settings) => {
                        show(settings);
                        load.set(Load::Ready);
                        notice.set(then);
                    }
                    // The call has signed the merchant out already: the sign-in screen replaces
                    // this screen.
                    Err(error) if error.is_unauthorized() => {}
                    Err(error) if load.try_get_untracked() == Some(Load::Ready) => {
                        notice.set(Some(Notice::Failed(error.message)));
                    }
                    Err(error) => load.set(Load::Failed(error.message)),
                }
            });
        })
    };
    fetch.run(None);

    let save = Callback::new(move |()| {
        if saving.get_untracked() || read_only.get_untracked() {
            return;
        }
        let input = current.get_untracked().to_input();
        if let Err(fields) = input.validate() {
            show_field_errors(fields, errors, notice, unplaced_errors);
            scroll_to_top();
            return;
        }
        errors.set(FieldErrors::new());
        notice.set(None);
        saving.set(true);
        let api = api.clone();
        spawn_local(async move {
            let result = api.update_store_settings(&input).await;
            saving.set(false);
            match result {
                Ok(settings) => {
                    // The header names the store from the session: keep it in step.
                    store.update(|session| {
                        if let Some(session) = session {
                            session.tenant.name.clone_from(&settings.name);
                            session.tenant.logo_url.clone_from(&settings.logo_url);
                            session
                                .tenant
                                .accent_color
                                .clone_from(&settings.accent_color);
                        }
                    });
                    show(settings);
                    notice.set(Some(Notice::Done(SAVED_MESSAGE.to_owned())));
                }
                // The role changed since the session was read: the form becomes read-only.
                Err(error) if error.status == Some(403) => {
                    read_only.set(true);
                    notice.set(Some(Notice::Failed(OWNERS_ONLY_MESSAGE.to_owned())));
                }
                Err(error) => show_save_failure(error, errors, notice, unplaced_errors),
            }
            scroll_to_top();
        });
    });

    let reload = Callback::new(move |()| fetch.run(Some(Notice::reloaded())));

    let body = move || match state.get() {
        Load::Loading => view! { <LoadingState label="Loading your store settings…" /> }.into_any(),
        Load::Failed(message) => view! {
            <ErrorState
                title="Your store settings could not be loaded."
                message
                on_retry=move || fetch.run(None)
            />
        }
        .into_any(),
        Load::Ready => view! {
            <div class="panel-body">
                <NoticeBanner notice conflict_message=CONFLICT_MESSAGE on_reload=reload />
                <Show when=move || read_only.get()>
                    <Banner
                        tone=Tone::Warning
                        message=OWNERS_ONLY_MESSAGE
                        testid="settings-read-only"
                    >
                        <p class="banner-detail">
                            "You can see them here; ask an owner of the store to make changes."
                        </p>
                    </Banner>
                </Show>
                <div class="settings-layout">
                    <SettingsFields draft errors read_only collections collections_failed />
                    <PreviewBox current />
                </div>
                <p class="hint settings-slug">
                    "Store ID " <code data-testid="settings-slug">{move || slug.get()}</code>
                    " — part of your store’s address, so it cannot be changed."
                </p>
            </div>
        }
        .into_any(),
    };

    let actions = move || {
        (state.get() == Load::Ready && !read_only.get()).then(|| {
            view! {
                <div class="form-actions">
                    <span class="muted">"Shoppers see saved changes within a minute."</span>
                    <span class="spacer"></span>
                    <button
                        type="submit"
                        class="button"
                        data-testid="settings-save"
                        disabled=move || saving.get()
                    >
                        {move || if saving.get() { "Saving…" } else { "Save settings" }}
                    </button>
                </div>
            }
        })
    };

    view! {
        <form
            class="editor settings"
            data-testid="settings"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                save.run(());
            }
        >
            <Panel heading_id="settings-heading" heading="Store settings">
                <p class="summary">
                    "Your store’s name, logo and accent colour, as shoppers see them in your storefront, and the collection its home page features."
                    " Selling something else? "
                    <a href=Route::NewStore.href() data-testid="open-another-store">"Open another store"</a>
                    "."
                </p>
                {body}
            </Panel>
            <Panel heading_id="settings-shopify-heading" heading="Shopify">
                <p class="summary">
                    "Keep your products in Shopify? "
                    <a href=Route::Shopify.href() data-testid="settings-shopify">"Connect your Shopify shop"</a>
                    " and they are imported here, kept up to date as you change them in Shopify."
                </p>
            </Panel>
            {actions}
        </form>
    }
}

/// Name, logo URL, accent colour, featured collection (chosen among `collections`) and whether
/// shoppers may pay cash on delivery; all disabled while `read_only`.
#[component]
fn SettingsFields(
    draft: Draft,
    errors: RwSignal<FieldErrors>,
    read_only: RwSignal<bool>,
    collections: RwSignal<Vec<Collection>>,
    collections_failed: RwSignal<bool>,
) -> impl IntoView {
    let accent = draft.accent;
    let featured = draft.featured;
    let featured_invalid = move || errors.with(|e| e.contains_key("featured_collection"));
    // Redrawn only when the choices change, not at every pick.
    let options = Memo::new(move |_| {
        collections.with(|list| featured.with(|current| featured_options(list, current)))
    });
    let accent_invalid = move || errors.with(|e| e.contains_key("accent_color"));
    let cash_on_delivery = draft.cash_on_delivery;
    let cod_invalid = move || errors.with(|e| e.contains_key("cash_on_delivery"));
    view! {
        // A disabled fieldset disables every control in it, the colour buttons included.
        <fieldset class="settings-fields" disabled=move || read_only.get()>
            <legend class="visually-hidden">"Store settings"</legend>
            <TextField
                label="Store name"
                value=draft.name
                errors
                path="name"
                testid="settings-name"
                placeholder="e.g. Acme Crafts"
                max=100
            />
            <TextField
                label="Logo URL"
                value=draft.logo_url
                errors
                path="logo_url"
                testid="settings-logo"
                placeholder="https://…"
                hint="An https:// address or a path on your storefront such as /assets/logo.svg. Leave it empty to show the store name instead."
            />
            <div class="field">
                <label class="label" for="settings-accent">"Accent colour"</label>
                <div class="accent-row">
                    <input
                        type="color"
                        class="color-picker"
                        aria-label="Pick the accent colour"
                        data-testid="settings-accent-picker"
                        prop:value=move || effective_accent(&accent.get())
                        on:input=move |ev| accent.set(event_target_value(&ev))
                    />
                    <input
                        id="settings-accent"
                        class="input accent-text"
                        placeholder="Default"
                        spellcheck="false"
                        autocomplete="off"
                        data-testid="settings-accent"
                        class:invalid=accent_invalid
                        aria-invalid=move || accent_invalid().then_some("true")
                        bind:value=accent
                    />
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        data-testid="settings-accent-clear"
                        on:click=move |_| accent.set(String::new())
                    >
                        "Use default"
                    </button>
                </div>
                <span class="hint">
                    "Buttons and links in your storefront, as #rrggbb. Leave it empty for Zelly’s default ("
                    {DEFAULT_ACCENT}
                    ")."
                </span>
                {move || {
                    accent
                        .with(|text| contrast_warning(text))
                        .map(|message| {
                            view! {
                                <p class="field-warning" data-testid="settings-accent-contrast">
                                    {message}
                                </p>
                            }
                        })
                }}
                <FieldError errors path="accent_color" />
            </div>
            <label class="field">
                <span class="label">"Featured collection"</span>
                <select
                    class="input"
                    data-testid="settings-featured"
                    class:invalid=featured_invalid
                    aria-invalid=move || featured_invalid().then_some("true")
                    prop:value=move || featured.get()
                    on:change=move |ev| featured.set(event_target_value(&ev))
                >
                    {move || {
                        options
                            .get()
                            .into_iter()
                            .map(|(value, label)| {
                                let selected = {
                                    let value = value.clone();
                                    move || featured.with(|current| current.trim() == value)
                                };
                                view! {
                                    <option value=value prop:selected=selected>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <span class="hint">"Shown on your storefront’s home page, above all products."</span>
                <Show when=move || collections_failed.get()>
                    <p class="field-warning" data-testid="settings-featured-unavailable">
                        "Your collections could not be loaded: reload the page to pick another."
                    </p>
                </Show>
                <FieldError errors path="featured_collection" />
            </label>
            <div class="field">
                <label class="label">
                    <input
                        type="checkbox"
                        data-testid="settings-cod"
                        aria-describedby="settings-cod-hint"
                        aria-invalid=move || cod_invalid().then_some("true")
                        bind:checked=cash_on_delivery
                    />
                    "Offer cash on delivery"
                </label>
                <span class="hint" id="settings-cod-hint">
                    "Shoppers can pay the courier when the order arrives; you mark the order paid when the cash is in."
                </span>
                <FieldError errors path="cash_on_delivery" />
            </div>
        </fieldset>
    }
}

/// The storefront's header as it will look: the logo (or the name) over a border in the accent
/// colour, with a link and a button in it.
#[component]
fn PreviewBox(current: Memo<SettingsForm>) -> impl IntoView {
    let storefront_base = expect_context::<Config>().storefront_base;
    let preview = Memo::new(move |_| current.with(HeaderPreview::of));
    let name = Memo::new(move |_| preview.with(|p| p.name.clone()));
    let logo = Memo::new(move |_| preview.with(|p| p.logo_url.clone()));
    let accent = Memo::new(move |_| preview.with(|p| p.accent.clone()));
    let default_accent = Memo::new(move |_| preview.with(|p| p.default_accent));
    // Whether the browser failed to load the logo; forgotten when the URL changes.
    let logo_broken = RwSignal::new(false);
    Effect::new(move |_| {
        logo.track();
        logo_broken.set(false);
    });

    let brand = move || match logo.get().filter(|_| !logo_broken.get()) {
        Some(url) => view! {
            <img
                class="store-preview-logo"
                data-testid="settings-preview-logo"
                src=image_src(&storefront_base, &url)
                alt=move || name.get()
                on:error=move |_| logo_broken.set(true)
            />
        }
        .into_any(),
        None => view! {
            <span class="store-preview-name" data-testid="settings-preview-name">
                {move || name.get()}
            </span>
        }
        .into_any(),
    };

    view! {
        <figure class="settings-preview">
            <figcaption class="label">"Preview"</figcaption>
            <div
                class="store-preview"
                data-testid="settings-preview"
                data-accent=move || accent.get()
                // `accent` is always a checked `#rrggbb`, never text as typed.
                style=move || {
                    accent
                        .with(|accent| {
                            format!(
                                "--store-accent: {accent}; --store-on-accent: {}",
                                button_text_on(accent),
                            )
                        })
                }
            >
                <div class="store-preview-header">
                    <span class="store-preview-brand">{brand}</span>
                    <span class="store-preview-nav" aria-hidden="true">"Collections"</span>
                </div>
                <div class="store-preview-body" aria-hidden="true">
                    <span class="store-preview-image"></span>
                    <span class="store-preview-text">
                        <span class="store-preview-line"></span>
                        <span class="store-preview-line store-preview-line-short"></span>
                        <span class="store-preview-link">"View details"</span>
                        <span class="store-preview-button">"Add to cart"</span>
                    </span>
                </div>
            </div>
            <Show when=move || logo_broken.get()>
                <p class="field-warning" data-testid="settings-logo-broken">
                    "The logo could not be loaded: check its address. The preview shows the name instead."
                </p>
            </Show>
            <p class="hint">
                {move || {
                    if default_accent.get() {
                        "Shown with Zelly’s default accent colour."
                    } else {
                        "Shown with your accent colour."
                    }
                }}
            </p>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, logo_url: &str, accent: &str) -> SettingsForm {
        SettingsForm {
            name: name.into(),
            logo_url: logo_url.into(),
            accent: accent.into(),
            featured: String::new(),
            cash_on_delivery: false,
        }
    }

    fn collection(handle: &str, title: &str) -> Collection {
        Collection {
            // The nil id: seller-ui does not depend on `uuid` itself.
            id: Default::default(),
            handle: zelly_edge::Handle::parse(handle).unwrap(),
            title: title.into(),
            description: String::new(),
            product_ids: Vec::new(),
            version: 1,
        }
    }

    #[test]
    fn empty_logo_and_colour_are_sent_as_none() {
        let input = form("  Acme Crafts ", "   ", "").to_input();
        assert_eq!(
            input,
            StoreSettingsInput {
                name: "Acme Crafts".into(),
                logo_url: None,
                accent_color: None,
                featured_collection: None,
                cash_on_delivery: false,
            }
        );
        assert_eq!(input.validate(), Ok(()));
    }

    #[test]
    fn an_empty_featured_collection_is_sent_as_none_and_a_handle_as_itself() {
        let none = SettingsForm {
            featured: "  ".into(),
            ..form("Acme", "", "")
        };
        assert_eq!(none.to_input().featured_collection, None);
        let festive = SettingsForm {
            featured: "festive-picks".into(),
            ..form("Acme", "", "")
        };
        let input = festive.to_input();
        assert_eq!(input.featured_collection.as_deref(), Some("festive-picks"));
        assert_eq!(input.validate(), Ok(()));
    }

    #[test]
    fn the_featured_select_offers_none_the_collections_and_a_saved_handle_it_lacks() {
        let list = [
            collection("summer", "Summer"),
            collection("festive-picks", "Festive picks"),
        ];
        let expected = |extra: &[(&str, &str)]| {
            [
                ("", "None"),
                ("summer", "Summer"),
                ("festive-picks", "Festive picks"),
            ]
            .iter()
            .chain(extra)
            .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
            .collect::<Vec<_>>()
        };
        assert_eq!(featured_options(&list, ""), expected(&[]));
        assert_eq!(featured_options(&list, "summer"), expected(&[]));
        assert_eq!(
            featured_options(&list, "gone"),
            expected(&[("gone", "gone")])
        );
        // The collections could not be loaded: the saved handle is still shown.
        assert_eq!(
            featured_options(&[], "summer"),
            [
                (String::new(), "None".to_owned()),
                ("summer".to_owned(), "summer".to_owned())
            ]
        );
    }

    #[test]
    fn a_logo_and_colour_are_sent_trimmed_and_the_colour_lowercase() {
        let input = form("Acme", " /assets/logo.svg ", " #1F6FEB ").to_input();
        assert_eq!(input.logo_url.as_deref(), Some("/assets/logo.svg"));
        assert_eq!(input.accent_color.as_deref(), Some("#1f6feb"));
        assert_eq!(input.validate(), Ok(()));
    }

    #[test]
    fn six_bare_hex_digits_gain_their_hash() {
        assert_eq!(normalize_accent("1f6feb").as_deref(), Some("#1f6feb"));
        assert_eq!(normalize_accent("red").as_deref(), Some("red"));
        assert_eq!(normalize_accent(" ").as_deref(), None);
    }

    #[test]
    fn bad_fields_are_caught_before_the_round_trip() {
        let errors = form(" ", "javascript:alert(1)", "#12345")
            .to_input()
            .validate()
            .unwrap_err();
        assert_eq!(
            errors.keys().map(String::as_str).collect::<Vec<_>>(),
            ["accent_color", "logo_url", "name"]
        );
        assert!(unplaced_errors(&errors).is_empty());
    }

    #[test]
    fn errors_no_input_shows_go_in_the_banner() {
        let errors = FieldErrors::from([
            ("name".to_owned(), "must be 1-100 characters".to_owned()),
            ("slug".to_owned(), "is not editable".to_owned()),
            (
                "cash_on_delivery".to_owned(),
                "must be true or false".to_owned(),
            ),
        ]);
        assert_eq!(
            unplaced_errors(&errors),
            [("slug".to_owned(), "is not editable".to_owned())]
        );
    }

    #[test]
    fn saved_settings_fill_the_form_and_round_trip() {
        let settings = StoreSettings {
            slug: zelly_edge::TenantSlug::parse("acme").unwrap(),
            name: "Acme".into(),
            logo_url: Some("https://cdn.test/logo.png".into()),
            accent_color: Some("#0b6b3a".into()),
            featured_collection: Some(zelly_edge::Handle::parse("summer").unwrap()),
            cash_on_delivery: false,
        };
        let form = SettingsForm::from_settings(&settings);
        assert_eq!(
            form,
            SettingsForm {
                featured: "summer".into(),
                ..self::form("Acme", "https://cdn.test/logo.png", "#0b6b3a")
            }
        );
        let input = form.to_input();
        assert_eq!(input.name, settings.name);
        assert_eq!(input.logo_url, settings.logo_url);
        assert_eq!(input.accent_color, settings.accent_color);
        assert_eq!(input.featured_collection.as_deref(), Some("summer"));
        assert!(!input.cash_on_delivery);

        let plain = StoreSettings {
            logo_url: None,
            accent_color: None,
            featured_collection: None,
            ..settings
        };
        assert_eq!(
            SettingsForm::from_settings(&plain),
            self::form("Acme", "", "")
        );
    }

    #[test]
    fn cash_on_delivery_round_trips_through_the_form() {
        let settings = StoreSettings {
            slug: zelly_edge::TenantSlug::parse("acme").unwrap(),
            name: "Acme".into(),
            logo_url: None,
            accent_color: None,
            featured_collection: None,
            cash_on_delivery: true,
        };
        let form = SettingsForm::from_settings(&settings);
        assert!(form.cash_on_delivery);
        let input = form.to_input();
        assert!(input.cash_on_delivery);
        assert_eq!(input.validate(), Ok(()));

        let off = StoreSettings {
            cash_on_delivery: false,
            ..settings
        };
        let form = SettingsForm::from_settings(&off);
        assert!(!form.cash_on_delivery);
        assert!(!form.to_input().cash_on_delivery);
        // Ticking the box is what Save sends.
        let ticked = SettingsForm {
            cash_on_delivery: true,
            ..form
        };
        assert!(ticked.to_input().cash_on_delivery);
    }

    #[test]
    fn the_picker_follows_a_valid_colour_and_shows_the_default_otherwise() {
        assert_eq!(effective_accent("#1F6FEB"), "#1f6feb");
        assert_eq!(effective_accent("1f6feb"), "#1f6feb");
        assert_eq!(effective_accent(""), DEFAULT_ACCENT);
        // Half typed, or not a colour at all: the picker cannot show it.
        assert_eq!(effective_accent("#1f6"), DEFAULT_ACCENT);
        assert_eq!(effective_accent("red"), DEFAULT_ACCENT);
    }

    #[test]
    fn a_colour_picked_comes_back_unchanged_through_the_text() {
        // The picker writes its value into the text input, which feeds the picker again.
        for picked in ["#000000", "#ffffff", "#0b6b3a"] {
            assert_eq!(effective_accent(picked), picked);
            assert_eq!(normalize_accent(picked).as_deref(), Some(picked));
        }
    }

    #[test]
    fn white_on_a_light_accent_is_flagged() {
        let ratio = |color| contrast_with_white(color).unwrap();
        assert!((ratio("#000000") - 21.0).abs() < 1e-9);
        assert!((ratio("#ffffff") - 1.0).abs() < 1e-9);
        assert_eq!(contrast_with_white("yellow"), None);
        assert!(contrast_warning("#ffd700").is_some());
        assert!(contrast_warning(DEFAULT_ACCENT).is_none());
        assert!(contrast_warning("#0b6b3a").is_none());
        // Nothing to say about the default or a colour still being typed.
        assert!(contrast_warning("").is_none());
        assert!(contrast_warning("#ff").is_none());
    }

    #[test]
    fn the_preview_writes_on_a_pale_accent_in_black_as_the_storefront_does() {
        assert_eq!(button_text_on("#ffd700"), "#000000");
        assert_eq!(button_text_on(DEFAULT_ACCENT), "#ffffff");
        assert_eq!(button_text_on("#4f46e5"), "#ffffff");
        assert!(
            contrast_warning("#ffd700")
                .unwrap()
                .contains("Buttons get black text")
        );
    }

    #[test]
    fn the_preview_shows_the_logo_when_set_else_the_name() {
        let with_logo = HeaderPreview::of(&form("Acme", "/assets/logo.svg", "#0B6B3A"));
        assert_eq!(with_logo.logo_url.as_deref(), Some("/assets/logo.svg"));
        assert_eq!(with_logo.name, "Acme");
        assert_eq!(with_logo.accent, "#0b6b3a");
        assert!(!with_logo.default_accent);

        let without = HeaderPreview::of(&form(" Acme ", "", ""));
        assert_eq!(without.logo_url, None);
        assert_eq!(without.name, "Acme");
        assert_eq!(without.accent, DEFAULT_ACCENT);
        assert!(without.default_accent);
    }

    #[test]
    fn the_preview_ignores_a_malformed_logo_or_colour() {
        let preview = HeaderPreview::of(&form("", "javascript:alert(1)", "#12"));
        assert_eq!(preview.logo_url, None);
        assert_eq!(preview.name, "Your store");
        assert_eq!(preview.accent, DEFAULT_ACCENT);
        assert!(preview.default_accent);
        // A bad name does not hide a good logo.
        let preview = HeaderPreview::of(&form("", "https://cdn.test/logo.png", ""));
        assert_eq!(
            preview.logo_url.as_deref(),
            Some("https://cdn.test/logo.png")
        );
    }
}
