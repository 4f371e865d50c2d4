//! The product editor (create and edit) and, for a saved product, each variant's stock adjustments.
//!
//! The form's inputs are signals mirroring [`ProductForm`]; Save reads them into a `ProductForm`,
//! which turns them into the API's `ProductInput` (see [`crate::form`]). Errors the API names by
//! path (`variants[1].sku`) are shown under their inputs; anything else goes in the banner above
//! the form.

use crate::api::{Api, field_errors};
use crate::app::{CurrentStore, Flash, format_time, image_src, status_badge};
use crate::config::{Config, product_url};
use crate::form::{ProductForm, VariantForm, move_entry};
use crate::handle::suggest_handle;
use crate::money::parse_units;
use crate::page::{
    DetailPage, FormActions, Notice, NoticeBanner, PageState, ReorderButtons, TextAreaField,
    TextField, editor_heading, load_record, scroll_to_top, show_field_errors, show_save_failure,
};
use crate::route::{self, Route};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::atomic::{AtomicU64, Ordering};
use zelly_edge::catalog::{
    InventoryAdjustment, InventoryAdjustmentInput, MAX_OPTIONS, ProductImage, ProductStatus,
    SellerProduct, SellerVariant,
};
use zelly_ui_kit::api::ApiError;
use zelly_ui_kit::forms::{FieldError, FieldErrors, ListFieldErrors};
use zelly_ui_kit::views::Panel;

/// What the editor says when a save or an archive met a newer version.
pub const CONFLICT_MESSAGE: &str =
    "This product was changed elsewhere — reload to see the latest version";

/// A fresh key for a row of a `<For>` list.
fn next_key() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A row of an editable list, known by a key that stays with it while it moves.
trait Keyed {
    fn key(&self) -> u64;
}

/// The position of the row with `key` in `rows`, kept current as rows move (0 once it is gone).
fn position<R: Keyed + Send + Sync + 'static>(
    rows: RwSignal<Vec<R>>,
    key: u64,
) -> impl Fn() -> usize + Copy + Send + Sync + 'static {
    move || {
        rows.with(|rows| rows.iter().position(|r| r.key() == key))
            .unwrap_or_default()
    }
}

/// Moves the row with `key` one place up (`up`) or down in `rows`.
fn move_row<R: Keyed + Send + Sync + 'static>(rows: RwSignal<Vec<R>>, key: u64, up: bool) {
    rows.update(|rows| {
        if let Some(index) = rows.iter().position(|r| r.key() == key) {
            move_entry(rows, index, up);
        }
    });
}

/// Removes the row with `key` from `rows`.
fn remove_row<R: Keyed + Send + Sync + 'static>(rows: RwSignal<Vec<R>>, key: u64) {
    rows.update(|rows| rows.retain(|r| r.key() != key));
}

/// One variant row's inputs.
#[derive(Debug, Clone)]
struct VariantRow {
    key: u64,
    existing: Option<SellerVariant>,
    sku: RwSignal<String>,
    options: [RwSignal<String>; MAX_OPTIONS],
    price: RwSignal<String>,
    compare_at: RwSignal<String>,
    stock: RwSignal<String>,
    track_inventory: RwSignal<bool>,
}

impl VariantRow {
    fn new(form: &VariantForm) -> Self {
        let option = |j: usize| RwSignal::new(form.options.get(j).cloned().unwrap_or_default());
        Self {
            key: next_key(),
            existing: form.existing.clone(),
            sku: RwSignal::new(form.sku.clone()),
            options: [option(0), option(1), option(2)],
            price: RwSignal::new(form.price.clone()),
            compare_at: RwSignal::new(form.compare_at.clone()),
            stock: RwSignal::new(form.stock.clone()),
            track_inventory: RwSignal::new(form.track_inventory),
        }
    }

    fn form(&self, slots: usize) -> VariantForm {
        VariantForm {
            existing: self.existing.clone(),
            sku: self.sku.get_untracked(),
            options: self.options[..slots]
                .iter()
                .map(|o| o.get_untracked())
                .collect(),
            price: self.price.get_untracked(),
            compare_at: self.compare_at.get_untracked(),
            stock: self.stock.get_untracked(),
            track_inventory: self.track_inventory.get_untracked(),
        }
    }
}

impl Keyed for VariantRow {
    fn key(&self) -> u64 {
        self.key
    }
}

/// One image row's inputs.
#[derive(Debug, Clone, Copy)]
struct ImageRow {
    key: u64,
    url: RwSignal<String>,
    alt: RwSignal<String>,
}

impl ImageRow {
    fn new(image: &ProductImage) -> Self {
        Self {
            key: next_key(),
            url: RwSignal::new(image.url.clone()),
            alt: RwSignal::new(image.alt.clone()),
        }
    }
}

impl Keyed for ImageRow {
    fn key(&self) -> u64 {
        self.key
    }
}

/// The editor's inputs, one signal each.
#[derive(Debug, Clone, Copy)]
struct Draft {
    handle: RwSignal<String>,
    /// Whether the merchant typed a handle (then it no longer follows the title).
    handle_edited: RwSignal<bool>,
    title: RwSignal<String>,
    description: RwSignal<String>,
    status: RwSignal<ProductStatus>,
    option_count: RwSignal<usize>,
    option_names: [RwSignal<String>; MAX_OPTIONS],
    variants: RwSignal<Vec<VariantRow>>,
    images: RwSignal<Vec<ImageRow>>,
    tags: RwSignal<String>,
    seo_title: RwSignal<String>,
    seo_description: RwSignal<String>,
}

impl Draft {
    fn new(form: &ProductForm) -> Self {
        let draft = Self {
            handle: RwSignal::new(String::new()),
            handle_edited: RwSignal::new(false),
            title: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            status: RwSignal::new(ProductStatus::Draft),
            option_count: RwSignal::new(0),
            option_names: [
                RwSignal::new(String::new()),
                RwSignal::new(String::new()),
                RwSignal::new(String::new()),
            ],
            variants: RwSignal::new(vec![]),
            images: RwSignal::new(vec![]),
            tags: RwSignal::new(String::new()),
            seo_title: RwSignal::new(String::new()),
            seo_description: RwSignal::new(String::new()),
        };
        draft.load(form);
        draft
    }

    /// Replaces every input's content with `form`.
    fn load(&self, form: &ProductForm) {
        self.handle.set(form.handle.clone());
        self.handle_edited.set(form.version.is_some());
        self.title.set(form.title.clone());
        self.description.set(form.description.clone());
        self.status.set(form.status);
        let slots = form.option_names.len().min(MAX_OPTIONS);
        for (j, name) in self.option_names.iter().enumerate() {
            name.set(form.option_names.get(j).cloned().unwrap_or_default());
        }
        self.option_count.set(slots);
        self.variants
            .set(form.variants.iter().map(VariantRow::new).collect());
        self.images
            .set(form.images.iter().map(ImageRow::new).collect());
        self.tags.set(form.tags.clone());
        self.seo_title.set(form.seo_title.clone());
        self.seo_description.set(form.seo_description.clone());
    }

    /// The inputs' content as a form, editing `version`.
    fn form(&self, version: Option<i64>) -> ProductForm {
        let slots = self.option_count.get_untracked();
        ProductForm {
            handle: self.handle.get_untracked(),
            title: self.title.get_untracked(),
            description: self.description.get_untracked(),
            status: self.status.get_untracked(),
            option_names: self.option_names[..slots]
                .iter()
                .map(|n| n.get_untracked())
                .collect(),
            variants: self
                .variants
                .get_untracked()
                .iter()
                .map(|row| row.form(slots))
                .collect(),
            images: self
                .images
                .get_untracked()
                .iter()
                .map(|row| ProductImage {
                    url: row.url.get_untracked(),
                    alt: row.alt.get_untracked(),
                })
                .collect(),
            tags: self.tags.get_untracked(),
            seo_title: self.seo_title.get_untracked(),
            seo_description: self.seo_description.get_untracked(),
            version,
        }
    }

    /// Removes option slot `j`, moving the later names and values one slot left.
    fn remove_option(&self, j: usize) {
        let count = self.option_count.get_untracked();
        if j >= count {
            return;
        }
        let shift = |slots: &[RwSignal<String>; MAX_OPTIONS]| {
            for k in j..MAX_OPTIONS - 1 {
                slots[k].set(slots[k + 1].get_untracked());
            }
            slots[MAX_OPTIONS - 1].set(String::new());
        };
        shift(&self.option_names);
        for row in self.variants.get_untracked() {
            shift(&row.options);
        }
        self.option_count.set(count - 1);
    }

    /// What option slot `j` is called: its name, or "Option 1" (…) while it has none.
    fn option_label(&self, j: usize) -> String {
        let name = self.option_names[j].get();
        if name.trim().is_empty() {
            format!("Option {}", j + 1)
        } else {
            name
        }
    }
}

/// Creates a product (`id` is `None`) or edits the product with this id.
#[component]
pub fn ProductEditor(
    /// The product to edit; `None` to create one.
    id: Option<String>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let flash = expect_context::<Flash>();
    let creating = id.is_none();
    let product_id = StoredValue::new(id);
    let page = RwSignal::new(if creating {
        PageState::Ready
    } else {
        PageState::Loading
    });
    let original = RwSignal::new(None::<SellerProduct>);
    let draft = Draft::new(&ProductForm::blank());
    let errors = RwSignal::new(FieldErrors::new());
    let notice = RwSignal::new(flash.take().map(Notice::Done));
    let saving = RwSignal::new(false);

    let show_product = move |product: SellerProduct| {
        draft.load(&ProductForm::from_product(&product));
        original.set(Some(product));
        errors.set(FieldErrors::new());
    };

    let fetch = {
        let api = api.clone();
        move |then: Option<Notice>| {
            let Some(id) = product_id.get_value() else {
                return;
            };
            let api = api.clone();
            let request = async move { api.product(&id).await };
            load_record(request, original, page, notice, then, show_product);
        }
    };
    if !creating {
        let keep = notice.get_untracked();
        fetch(keep);
    }

    // While creating, the handle follows the title until the merchant types one.
    Effect::new(move |_| {
        let title = draft.title.get();
        if creating && !draft.handle_edited.get_untracked() {
            draft.handle.set(suggest_handle(&title));
        }
    });

    let fail = move |error: ApiError| {
        show_save_failure(error, errors, notice, |fields| {
            draft.form(None).unplaced_errors(fields)
        });
        scroll_to_top();
    };

    let save = {
        let api = api.clone();
        move || {
            if saving.get_untracked() {
                return;
            }
            let version = original.with_untracked(|p| p.as_ref().map(|p| p.version));
            let form = draft.form(version);
            let input = match form.to_input() {
                Ok(input) => input,
                Err(fields) => {
                    show_field_errors(fields, errors, notice, |fields| {
                        form.unplaced_errors(fields)
                    });
                    scroll_to_top();
                    return;
                }
            };
            errors.set(FieldErrors::new());
            notice.set(None);
            saving.set(true);
            let api = api.clone();
            spawn_local(async move {
                let result = match product_id.try_get_value().flatten() {
                    None => api.create_product(&input).await,
                    Some(id) => api.update_product(&id, &input).await,
                };
                saving.set(false);
                match result {
                    Ok(product) if creating => {
                        flash.set("Product created.");
                        route::navigate(&Route::Product(product.id.to_string()));
                    }
                    Ok(product) => {
                        show_product(product);
                        notice.set(Some(Notice::Done("Changes saved.".to_owned())));
                        scroll_to_top();
                    }
                    Err(error) => fail(error),
                }
            });
        }
    };

    let archive = {
        let api = api.clone();
        move || {
            let Some((id, version, title)) = original.with_untracked(|p| {
                p.as_ref()
                    .map(|p| (p.id.to_string(), p.version, p.title.clone()))
            }) else {
                return;
            };
            let question = format!(
                "Archive “{title}”? Shoppers will no longer see it; orders and history are kept."
            );
            if !window().confirm_with_message(&question).unwrap_or(false) {
                return;
            }
            notice.set(None);
            saving.set(true);
            let api = api.clone();
            spawn_local(async move {
                let result = api.archive_product(&id, version).await;
                saving.set(false);
                match result {
                    Ok(product) => {
                        draft.status.set(product.status);
                        original.set(Some(product));
                        notice.set(Some(Notice::Done(
                            "Product archived. Shoppers no longer see it.".to_owned(),
                        )));
                        scroll_to_top();
                    }
                    Err(error) => fail(error),
                }
            });
        }
    };

    // After a stock adjustment: take the product's new version if nothing but stock changed, so
    // that a later Save is not refused as stale.
    let refresh_version = {
        let api = api.clone();
        Callback::new(move |()| {
            let Some(id) = product_id.get_value() else {
                return;
            };
            let api = api.clone();
            spawn_local(async move {
                if let Ok(fresh) = api.product(&id).await {
                    let same = original
                        .try_with_untracked(|p| {
                            p.as_ref()
                                .is_some_and(|p| crate::form::same_content(p, &fresh))
                        })
                        .unwrap_or(false);
                    if same {
                        original.set(Some(fresh));
                    }
                }
            });
        })
    };

    let heading = editor_heading(creating, original, "New product", "Product", |p| &p.title);
    let retry = {
        let fetch = fetch.clone();
        Callback::new(move |()| fetch(None))
    };
    let reload = Callback::new(move |()| fetch(Some(Notice::reloaded())));
    let on_save = Callback::new(move |()| save());
    let on_archive = Callback::new(move |()| archive());
    let from_shopify = Signal::derive(move || {
        original.with(|p| p.as_ref().is_some_and(|p| p.shopify_id.is_some()))
    });
    let archivable = Signal::derive(move || {
        original.with(|p| {
            p.as_ref()
                .is_some_and(|p| p.status != ProductStatus::Archived && p.shopify_id.is_none())
        })
    });

    view! {
        <DetailPage
            state=page
            list=Route::Products
            breadcrumb="← Products"
            loading="Loading product…"
            missing_title="This product does not exist"
            missing_detail="It may have been removed, or the link is wrong."
            back_label="Back to products"
            failed_title="This product could not be loaded."
            on_retry=retry
        >
            <form
                class="editor"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    on_save.run(());
                }
            >
                <Show when=move || from_shopify.get()>
                    <p class="banner banner-warning" role="note" data-testid="from-shopify">
                        "This product comes from your Shopify shop: change its details, variants, images and stock in Shopify, and they arrive here within seconds. Its search engine listing is edited here."
                    </p>
                </Show>
                // A product from Shopify keeps Shopify's fields read-only: a disabled fieldset
                // disables every control in it (core-api refuses such changes anyway).
                <fieldset class="shopify-owned" disabled=move || from_shopify.get()>
                    <Panel heading_id="product-heading" heading>
                        <div class="panel-body">
                            <NoticeBanner notice conflict_message=CONFLICT_MESSAGE on_reload=reload />
                            <Details draft errors creating original />
                        </div>
                    </Panel>
                    <OptionsAndVariants draft errors original />
                    <Images draft errors />
                </fieldset>
                <Seo draft errors />
                <fieldset class="shopify-owned" disabled=move || from_shopify.get()>
                    <Show when=move || original.with(Option::is_some)>
                        <Inventory original on_adjusted=refresh_version />
                    </Show>
                </fieldset>
                <FormActions
                    cancel=Route::Products
                    saving
                    creating
                    create_label="Create product"
                    save_testid="product-save"
                    danger_label="Archive"
                    danger_testid="product-archive"
                    show_danger=archivable
                    on_danger=on_archive
                />
            </form>
        </DetailPage>
    }
}

/// Title, handle, status, description and tags.
#[component]
fn Details(
    draft: Draft,
    errors: RwSignal<FieldErrors>,
    creating: bool,
    original: RwSignal<Option<SellerProduct>>,
) -> impl IntoView {
    let storefront_base = expect_context::<Config>().storefront_base;
    let store = expect_context::<CurrentStore>();
    let handle_hint = if creating {
        "The product’s web address; suggested from the title."
    } else {
        "The product’s web address. Changing it breaks links to the old one."
    };
    let store_link = move || {
        original.with(|p| {
            p.as_ref()
                .filter(|p| p.status == ProductStatus::Active)
                .map(|p| product_url(&store.storefront_url(&storefront_base), p.handle.as_str()))
        })
    };
    view! {
        <div class="form-grid">
            <div class="span-2">
                <TextField label="Title" value=draft.title errors path="title" testid="product-title" max=200 />
            </div>
            <TextField
                label="Handle"
                value=draft.handle
                errors
                path="handle"
                testid="product-handle"
                hint=handle_hint
                on_input=Callback::new(move |()| draft.handle_edited.set(true))
            />
            <label class="field">
                <span class="label">
                    "Status "
                    {move || original.with(|p| p.as_ref().map(|p| status_badge(p.status)))}
                </span>
                <select
                    class="input"
                    data-testid="product-status"
                    prop:value=move || draft.status.get().as_str()
                    on:change=move |ev| {
                        if let Some(status) = ProductStatus::parse(&event_target_value(&ev)) {
                            draft.status.set(status);
                        }
                    }
                >
                    {[
                        (ProductStatus::Draft, "Draft — hidden from shoppers"),
                        (ProductStatus::Active, "Active — for sale"),
                        (ProductStatus::Archived, "Archived — retired"),
                    ]
                        .into_iter()
                        .map(|(status, label)| {
                            view! {
                                <option
                                    value=status.as_str()
                                    prop:selected=move || draft.status.get() == status
                                >
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                {move || {
                    store_link()
                        .map(|href| {
                            view! {
                                <a class="hint store-link" href=href target="_blank" rel="noopener" data-testid="view-in-store">
                                    "View in store ↗"
                                </a>
                            }
                        })
                }}
                <FieldError errors path="status" />
            </label>
            <TextAreaField
                label="Description"
                value=draft.description
                errors
                path="description"
                testid="product-description"
                rows="5"
            />
            <label class="field span-2">
                <span class="label">"Tags"</span>
                <input
                    class="input"
                    data-testid="product-tags"
                    placeholder="e.g. summer, cotton, gifts"
                    class:invalid=move || errors.with(|e| e.keys().any(|k| k.starts_with("tags")))
                    bind:value=draft.tags
                />
                <span class="hint">"Separate tags with commas. Shoppers and search use them."</span>
                <ListFieldErrors errors list="tags" entry_label="Tag" />
            </label>
        </div>
    }
}

/// Option names (at most three) and the variants table.
#[component]
fn OptionsAndVariants(
    draft: Draft,
    errors: RwSignal<FieldErrors>,
    original: RwSignal<Option<SellerProduct>>,
) -> impl IntoView {
    let slots = move || draft.option_count.get();
    let add_option = move |_| {
        let count = draft.option_count.get_untracked();
        if count < MAX_OPTIONS {
            draft.option_names[count].set(String::new());
            for row in draft.variants.get_untracked() {
                row.options[count].set(String::new());
            }
            draft.option_count.set(count + 1);
        }
    };
    let add_variant = move |_| {
        let slots = draft.option_count.get_untracked();
        draft
            .variants
            .update(|rows| rows.push(VariantRow::new(&VariantForm::blank(slots))));
    };

    view! {
        <Panel heading_id="variants-heading" heading="Options and variants">
            <div class="panel-body">
                <p class="muted">
                    "Options are what shoppers choose between, such as Size or Colour. Each variant is one combination, with its own SKU, price and stock."
                </p>
                <div class="options-row">
                    {(0..MAX_OPTIONS)
                        .map(|j| {
                            view! {
                                <Show when=move || { j < slots() }>
                                    <div class="field option-field">
                                        <label class="label" for=format!("option-name-{j}")>
                                            {format!("Option {}", j + 1)}
                                        </label>
                                        <div class="input-with-button">
                                            <input
                                                class="input"
                                                id=format!("option-name-{j}")
                                                data-testid=format!("option-name-{j}")
                                                placeholder=match j {
                                                    0 => "e.g. Size",
                                                    1 => "e.g. Colour",
                                                    _ => "e.g. Material",
                                                }
                                                class:invalid=move || {
                                                    errors.with(|e| e.contains_key(&format!("option_names[{j}]")))
                                                }
                                                bind:value=draft.option_names[j]
                                            />
                                            <button
                                                type="button"
                                                class="icon-button"
                                                title="Remove this option"
                                                aria-label=format!("Remove option {}", j + 1)
                                                on:click=move |_| draft.remove_option(j)
                                            >
                                                "×"
                                            </button>
                                        </div>
                                        <FieldError errors path=format!("option_names[{j}]") />
                                    </div>
                                </Show>
                            }
                        })
                        .collect_view()}
                    <Show when=move || { slots() < MAX_OPTIONS }>
                        <button
                            type="button"
                            class="button button-secondary button-small add-option"
                            data-testid="add-option"
                            on:click=add_option
                        >
                            "+ Add option"
                        </button>
                    </Show>
                </div>
                <FieldError errors path="option_names" />
                <div class="table-wrap">
                    <table class="data-table variants-table">
                        <thead>
                            <tr>
                                <th scope="col">"SKU"</th>
                                {(0..MAX_OPTIONS)
                                    .map(|j| {
                                        view! {
                                            <Show when=move || { j < slots() }>
                                                <th scope="col">{move || draft.option_label(j)}</th>
                                            </Show>
                                        }
                                    })
                                    .collect_view()}
                                <th scope="col">"Price (₹)"</th>
                                <th scope="col">"Compare-at (₹)"</th>
                                <th scope="col">"Stock"</th>
                                <th scope="col">"Track"</th>
                                <th scope="col">
                                    <span class="visually-hidden">"Remove"</span>
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || draft.variants.get()
                                key=|row| row.key
                                children=move |row| view! { <VariantRowView row draft errors original /> }
                            />
                        </tbody>
                    </table>
                </div>
                <FieldError errors path="variants" />
                <button
                    type="button"
                    class="button button-secondary button-small"
                    data-testid="add-variant"
                    on:click=add_variant
                >
                    "+ Add variant"
                </button>
            </div>
        </Panel>
    }
}

/// One row of the variants table.
#[component]
fn VariantRowView(
    row: VariantRow,
    draft: Draft,
    errors: RwSignal<FieldErrors>,
    original: RwSignal<Option<SellerProduct>>,
) -> impl IntoView {
    let key = row.key;
    let index = position(draft.variants, key);
    let path =
        move |field: &'static str| Signal::derive(move || format!("variants[{}].{field}", index()));
    let invalid = move |field: &'static str| {
        move || errors.with(|e| e.contains_key(&format!("variants[{}].{field}", index())))
    };
    let slots = move || draft.option_count.get();
    // A saved variant's stock, kept current as adjustments are made below.
    let existing_stock = row.existing.as_ref().map(|existing| {
        let (id, saved) = (existing.id, existing.inventory_quantity);
        move || {
            original
                .with(|p| {
                    p.as_ref()
                        .and_then(|p| p.variants.iter().find(|v| v.id == id))
                        .map(|v| v.inventory_quantity)
                })
                .unwrap_or(saved)
        }
    });

    view! {
        <tr>
            <td class="cell-sku">
                <input
                    class="input"
                    aria-label="SKU"
                    placeholder="e.g. LAMP-S"
                    data-testid=move || format!("variant-sku-{}", index())
                    class:invalid=invalid("sku")
                    bind:value=row.sku
                />
                <FieldError errors path=path("sku") />
                <Show when=move || { slots() == 0 }>
                    <FieldError errors path=path("options") />
                </Show>
            </td>
            {(0..MAX_OPTIONS)
                .map(|j| {
                    let value = row.options[j];
                    view! {
                        <Show when=move || { j < slots() }>
                            <td>
                                <input
                                    class="input"
                                    aria-label=move || draft.option_label(j)
                                    data-testid=move || format!("variant-option-{}-{j}", index())
                                    class:invalid=move || {
                                        errors.with(|e| e.contains_key(&format!("variants[{}].options[{j}]", index())))
                                    }
                                    bind:value=value
                                />
                                <FieldError
                                    errors
                                    path=Signal::derive(move || format!("variants[{}].options[{j}]", index()))
                                />
                                {(j == 0).then(|| view! { <FieldError errors path=path("options") /> })}
                            </td>
                        </Show>
                    }
                })
                .collect_view()}
            <MoneyCell
                label="Price in rupees"
                placeholder="0.00"
                testid=Signal::derive(move || format!("variant-price-{}", index()))
                path=path("price_minor")
                value=row.price
                errors
            />
            <MoneyCell
                label="Compare-at price in rupees"
                placeholder="optional"
                testid=Signal::derive(move || format!("variant-compare-{}", index()))
                path=path("compare_at_price_minor")
                value=row.compare_at
                errors
            />
            <td class="cell-stock">
                {match existing_stock {
                    Some(quantity) => {
                        view! {
                            <span class="stock-now" title="Change stock with “Adjust stock” below">
                                {quantity}
                            </span>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <input
                                class="input num"
                                inputmode="numeric"
                                aria-label="Starting stock"
                                placeholder="0"
                                data-testid=move || format!("variant-stock-{}", index())
                                class:invalid=invalid("inventory_quantity")
                                bind:value=row.stock
                            />
                        }
                            .into_any()
                    }
                }}
                <FieldError errors path=path("inventory_quantity") />
            </td>
            <td class="cell-check">
                <input
                    type="checkbox"
                    aria-label="Track stock"
                    data-testid=move || format!("variant-track-{}", index())
                    bind:checked=row.track_inventory
                />
            </td>
            <td class="cell-actions">
                <button
                    type="button"
                    class="icon-button"
                    title="Remove this variant"
                    aria-label="Remove this variant"
                    data-testid=move || format!("remove-variant-{}", index())
                    disabled=move || { draft.variants.with(|rows| rows.len() <= 1) }
                    on:click=move |_| remove_row(draft.variants, key)
                >
                    "×"
                </button>
            </td>
        </tr>
    }
}

/// A cell of the variants table with an amount in rupees, and its error below.
#[component]
fn MoneyCell(
    /// The input's accessible name.
    label: &'static str,
    placeholder: &'static str,
    testid: Signal<String>,
    /// The amount's path in `errors`, e.g. `variants[0].price_minor`.
    path: Signal<String>,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    view! {
        <td class="cell-money">
            <input
                class="input num"
                inputmode="decimal"
                aria-label=label
                placeholder=placeholder
                data-testid=testid
                class:invalid=move || path.with(|path| errors.with(|e| e.contains_key(path)))
                bind:value=value
            />
            <FieldError errors path />
        </td>
    }
}

/// The image list: URL and alt text, in order (the first is the main image).
#[component]
fn Images(draft: Draft, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let add_image = move |_| {
        draft.images.update(|rows| {
            rows.push(ImageRow::new(&ProductImage {
                url: String::new(),
                alt: String::new(),
            }))
        });
    };
    view! {
        <Panel heading_id="images-heading" heading="Images">
            <div class="panel-body">
                <p class="muted">
                    "An https:// address or a path on your store such as /assets/lamp.jpg. The first image is the main one."
                </p>
                <Show when=move || draft.images.with(Vec::is_empty)>
                    <p class="empty-line">"No images yet."</p>
                </Show>
                <ol class="image-list">
                    <For
                        each=move || draft.images.get()
                        key=|row| row.key
                        children=move |row| view! { <ImageRowView row draft errors /> }
                    />
                </ol>
                <FieldError errors path="images" />
                <button
                    type="button"
                    class="button button-secondary button-small"
                    data-testid="add-image"
                    on:click=add_image
                >
                    "+ Add image"
                </button>
            </div>
        </Panel>
    }
}

/// One image row with its preview and Move up / Move down / Remove.
#[component]
fn ImageRowView(row: ImageRow, draft: Draft, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let storefront_base = expect_context::<Config>().storefront_base;
    let key = row.key;
    let index = position(draft.images, key);
    let preview = move || {
        let url = row.url.get();
        let url = url.trim();
        let usable = url.starts_with("https://")
            || url.starts_with("http://")
            || (url.starts_with('/') && !url.starts_with("//"));
        if usable {
            let src = image_src(&storefront_base, url);
            view! { <img class="thumb" src=src alt="" width="48" height="48" /> }.into_any()
        } else {
            view! { <span class="thumb thumb-empty" aria-hidden="true"></span> }.into_any()
        }
    };
    view! {
        <li class="image-row">
            {preview}
            <div class="image-fields">
                <label class="field">
                    <span class="label">{move || format!("Image {} URL", index() + 1)}</span>
                    <input
                        class="input"
                        type="url"
                        placeholder="https://…"
                        data-testid=move || format!("image-url-{}", index())
                        class:invalid=move || errors.with(|e| e.contains_key(&format!("images[{}].url", index())))
                        bind:value=row.url
                    />
                    <FieldError errors path=Signal::derive(move || format!("images[{}].url", index())) />
                </label>
                <label class="field">
                    <span class="label">"Alt text"</span>
                    <input
                        class="input"
                        placeholder="What the image shows, for screen readers"
                        data-testid=move || format!("image-alt-{}", index())
                        bind:value=row.alt
                    />
                    <FieldError errors path=Signal::derive(move || format!("images[{}].alt", index())) />
                </label>
            </div>
            <div class="row-buttons">
                // image-up-{i}, image-down-{i}, image-remove-{i}
                <ReorderButtons
                    index=Signal::derive(index)
                    count=Signal::derive(move || draft.images.with(Vec::len))
                    testid="image"
                    up_label="Move image up"
                    down_label="Move image down"
                    remove_title="Remove"
                    remove_label="Remove image"
                    on_move=Callback::new(move |up| move_row(draft.images, key, up))
                    on_remove=Callback::new(move |()| remove_row(draft.images, key))
                />
            </div>
        </li>
    }
}

/// Search-engine title and description.
#[component]
fn Seo(draft: Draft, errors: RwSignal<FieldErrors>) -> impl IntoView {
    view! {
        <Panel heading_id="seo-heading" heading="Search engine listing">
            <div class="panel-body form-grid">
                <div class="span-2">
                    <TextField
                        label="SEO title"
                        value=draft.seo_title
                        errors
                        path="seo_title"
                        testid="product-seo-title"
                        hint="Leave blank to use the product title."
                        max=70
                    />
                </div>
                <TextAreaField
                    label="SEO description"
                    value=draft.seo_description
                    errors
                    path="seo_description"
                    testid="product-seo-description"
                    rows="3"
                    max=320
                />
            </div>
        </Panel>
    }
}

/// Stock of each saved variant: adjust it (with a reason) and see the history.
#[component]
fn Inventory(
    original: RwSignal<Option<SellerProduct>>,
    on_adjusted: Callback<()>,
) -> impl IntoView {
    let rows = move || {
        original.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.variants
                        .iter()
                        .cloned()
                        .enumerate()
                        .map(|(i, variant)| (i, variant, p.option_names.len()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <Panel heading_id="inventory-heading" heading="Inventory">
            <div class="panel-body">
                <p class="muted">
                    "Stock changes only through adjustments, each with a reason, so that the history shows every change. New variants get stock here once the product is saved."
                </p>
                <div class="inventory-list">
                    <For
                        each=rows
                        key=|(i, variant, _)| format!("{i}:{}", variant.id)
                        children=move |(index, variant, _)| {
                            view! { <InventoryRow index variant on_adjusted /> }
                        }
                    />
                </div>
            </div>
        </Panel>
    }
}

/// Where a variant's adjustment history is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum History {
    Loading,
    Failed(String),
    Ready(Vec<InventoryAdjustment>),
}

/// One variant's stock, its adjustment form and its history.
#[component]
fn InventoryRow(index: usize, variant: SellerVariant, on_adjusted: Callback<()>) -> impl IntoView {
    let api = expect_context::<Api>();
    let variant_id = variant.id.to_string();
    let stock = RwSignal::new(variant.inventory_quantity);
    let history = RwSignal::new(History::Loading);
    let delta = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let load_history = {
        let api = api.clone();
        let variant_id = variant_id.clone();
        move || {
            history.set(History::Loading);
            let api = api.clone();
            let variant_id = variant_id.clone();
            spawn_local(async move {
                match api.inventory_history(&variant_id).await {
                    Ok(list) => history.set(History::Ready(list)),
                    Err(error) => history.set(History::Failed(error.message)),
                }
            });
        }
    };
    load_history();

    let submit = {
        let api = api.clone();
        let variant_id = variant_id.clone();
        move || {
            if busy.get_untracked() {
                return;
            }
            failure.set(None);
            let delta_value = match parse_units(&delta.get_untracked(), true) {
                Ok(0) => Err(
                    "Enter a number other than 0: +10 adds ten units, -2 removes two".to_owned(),
                ),
                Ok(value) => Ok(value),
                Err(message) => Err(message),
            };
            let delta_value = match delta_value {
                Ok(value) => value,
                Err(message) => {
                    errors.set(FieldErrors::from([("delta".to_owned(), message)]));
                    return;
                }
            };
            errors.set(FieldErrors::new());
            busy.set(true);
            let input = InventoryAdjustmentInput {
                delta: delta_value,
                reason: reason.get_untracked().trim().to_owned(),
            };
            let api = api.clone();
            let variant_id = variant_id.clone();
            spawn_local(async move {
                let result = api.adjust_inventory(&variant_id, &input).await;
                busy.set(false);
                match result {
                    Ok(adjustment) => {
                        stock.set(adjustment.quantity_after);
                        history.update(|h| match h {
                            History::Ready(list) => list.insert(0, adjustment),
                            other => *other = History::Ready(vec![adjustment]),
                        });
                        delta.set(String::new());
                        reason.set(String::new());
                        on_adjusted.run(());
                    }
                    Err(error) if error.is_invalid() => errors.set(field_errors(&error)),
                    Err(error) if error.is_unauthorized() => {}
                    Err(error) => failure.set(Some(error.message)),
                }
            });
        }
    };

    let label = if variant.options.is_empty() {
        variant.sku.clone()
    } else {
        format!("{} · {}", variant.sku, variant.options.join(" / "))
    };
    let tracked = variant.track_inventory;
    let retry = load_history.clone();
    let on_submit = Callback::new(move |()| submit());

    view! {
        <div class="inventory-row" data-testid=format!("inventory-{index}")>
            <div class="inventory-head">
                <span class="inventory-label">{label}</span>
                <span class="stock-badge" data-testid=format!("inventory-stock-{index}")>
                    {move || format!("{} in stock", stock.get())}
                </span>
                {(!tracked).then(|| view! { <span class="muted">"(not tracked)"</span> })}
            </div>
            <div class="adjust-form" role="group" aria-label=format!("Adjust stock of {}", variant.sku)>
                <AdjustField
                    label="Change"
                    label_class="field adjust-delta"
                    numeric=true
                    placeholder="+10 or -2"
                    testid=format!("adjust-delta-{index}")
                    path="delta"
                    value=delta
                    errors
                    on_enter=on_submit
                />
                <AdjustField
                    label="Reason"
                    label_class="field adjust-reason"
                    numeric=false
                    placeholder="e.g. Received shipment, Damaged"
                    testid=format!("adjust-reason-{index}")
                    path="reason"
                    value=reason
                    errors
                    on_enter=on_submit
                />
                <button
                    type="button"
                    class="button button-secondary adjust-submit"
                    data-testid=format!("adjust-submit-{index}")
                    disabled=move || busy.get()
                    on:click=move |_| on_submit.run(())
                >
                    {move || if busy.get() { "Adjusting…" } else { "Adjust stock" }}
                </button>
            </div>
            {move || failure.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <div class="history">
                <p class="history-title">"History"</p>
                {move || match history.get() {
                    History::Loading => view! { <p class="muted">"Loading history…"</p> }.into_any(),
                    History::Failed(message) => {
                        let retry = retry.clone();
                        view! {
                            <p class="form-error" role="alert">
                                {message} " "
                                <button type="button" class="link-button" on:click=move |_| retry()>
                                    "Retry"
                                </button>
                            </p>
                        }
                            .into_any()
                    }
                    History::Ready(list) => {
                        view! {
                            <ol class="history-list" data-testid=format!("inventory-history-{index}")>
                                {list
                                    .into_iter()
                                    .map(|adjustment| {
                                        let sign = if adjustment.delta > 0 { "+" } else { "" };
                                        let tone = if adjustment.delta > 0 { "delta delta-up" } else { "delta delta-down" };
                                        view! {
                                            <li data-testid="inventory-entry">
                                                <span class=tone>{format!("{sign}{}", adjustment.delta)}</span>
                                                <span class="history-reason">{adjustment.reason}</span>
                                                <span class="muted">{format!("→ {} in stock", adjustment.quantity_after)}</span>
                                                <time class="muted">{format_time(adjustment.created_at_ms)}</time>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                            <Show when=move || history.with(|h| matches!(h, History::Ready(l) if l.is_empty()))>
                                <p class="muted">"No adjustments yet."</p>
                            </Show>
                        }
                            .into_any()
                    }
                }}
            </div>
        </div>
    }
}

/// One input of a stock adjustment, with its error below; Enter adjusts (rather than submitting
/// the product's form).
#[component]
fn AdjustField(
    label: &'static str,
    /// The label's classes.
    label_class: &'static str,
    /// Whether the input takes a whole number (right-aligned, with a numeric keypad).
    numeric: bool,
    placeholder: &'static str,
    testid: String,
    /// The input's path in `errors`.
    path: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    on_enter: Callback<()>,
) -> impl IntoView {
    view! {
        <label class=label_class>
            <span class="label">{label}</span>
            <input
                class=if numeric { "input num" } else { "input" }
                inputmode=numeric.then_some("numeric")
                placeholder=placeholder
                data-testid=testid
                class:invalid=move || errors.with(|e| e.contains_key(path))
                bind:value=value
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        on_enter.run(());
                    }
                }
            />
            <FieldError errors path=path />
        </label>
    }
}
