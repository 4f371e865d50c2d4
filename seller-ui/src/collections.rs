//! Collections: the list, and the editor of one (title, handle, description and its products in
//! order: add from a search of the store's products, remove, move up or down).

use crate::api::{Api, CollectionBody};
use crate::app::{Flash, image_src, status_badge};
use crate::config::Config;
use crate::form::move_entry;
use crate::handle::suggest_handle;
use crate::page::{
    DetailPage, FormActions, ListPage, Notice, NoticeBanner, PageState, ReorderButtons, TextField,
    editor_heading, load_record, scroll_to_top, show_save_failure,
};
use crate::route::{self, Route};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use std::time::Duration;
use zelly_edge::catalog::{Collection, ProductStatus, SellerProduct};
use zelly_ui_kit::forms::{FieldError, FieldErrors};
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel};

/// What the editor says when a save met a newer version.
pub const CONFLICT_MESSAGE: &str =
    "This collection was changed elsewhere — reload to see the latest version";

/// How many products the "Add products" search shows.
const PICKER_SIZE: u32 = 20;

/// How many store products the editor reads, at most, to name the collection's products.
const MAX_CATALOG_PAGES: usize = 20;

/// Where a list is: the collections, or the products the picker found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Load<T> {
    Loading,
    Failed(String),
    Ready(T),
}

/// Every collection of the store.
#[component]
pub fn CollectionsPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let load = RwSignal::new(Load::<Vec<Collection>>::Loading);
    let fetch = move || {
        load.set(Load::Loading);
        let api = api.clone();
        spawn_local(async move {
            match api.collections().await {
                Ok(list) => load.set(Load::Ready(list)),
                Err(error) => load.set(Load::Failed(error.message)),
            }
        });
    };
    fetch();

    view! {
        <ListPage
            heading_id="collections-heading"
            heading="Collections"
            new_route=Route::NewCollection
            new_label="New collection"
            new_testid="new-collection"
        >
            <p class="summary">"Group products for your storefront, in the order you choose."</p>
            {move || match load.get() {
                Load::Loading => view! { <LoadingState label="Loading collections…" /> }.into_any(),
                Load::Failed(message) => {
                    let fetch = fetch.clone();
                    view! {
                        <ErrorState
                            title="Your collections could not be loaded."
                            message
                            on_retry=move || fetch()
                        />
                    }
                        .into_any()
                }
                Load::Ready(list) if list.is_empty() => {
                    view! {
                        <EmptyState
                            title="No collections yet"
                            detail="Create one with “New collection”, then add products to it."
                        />
                    }
                        .into_any()
                }
                Load::Ready(list) => {
                    view! {
                        <div class="table-wrap">
                            <table class="data-table" data-testid="collection-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Title"</th>
                                        <th scope="col">"Handle"</th>
                                        <th scope="col" class="num">"Products"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|collection| {
                                            let target = Route::Collection(collection.id.to_string());
                                            let href = target.href();
                                            view! {
                                                <tr
                                                    data-testid="collection-row"
                                                    class="clickable"
                                                    on:click=move |_| route::navigate(&target)
                                                >
                                                    <td class="cell-title">
                                                        <a class="row-link" href=href>{collection.title}</a>
                                                    </td>
                                                    <td>
                                                        <code class="handle">{collection.handle.to_string()}</code>
                                                    </td>
                                                    <td class="num">{collection.product_ids.len()}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }
            }}
        </ListPage>
    }
}

/// What the editor shows of a product in the collection.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProductSummary {
    title: String,
    handle: String,
    status: ProductStatus,
    image: Option<String>,
}

impl ProductSummary {
    fn of(product: &SellerProduct) -> Self {
        Self {
            title: product.title.clone(),
            handle: product.handle.to_string(),
            status: product.status,
            image: product.images.first().map(|i| i.url.clone()),
        }
    }
}

/// Creates a collection (`id` is `None`) or edits the collection with this id.
#[component]
pub fn CollectionEditor(
    /// The collection to edit; `None` to create one.
    id: Option<String>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let flash = expect_context::<Flash>();
    let creating = id.is_none();
    let collection_id = StoredValue::new(id);
    let page = RwSignal::new(if creating {
        PageState::Ready
    } else {
        PageState::Loading
    });
    let original = RwSignal::new(None::<Collection>);
    let title = RwSignal::new(String::new());
    let handle = RwSignal::new(String::new());
    let handle_edited = RwSignal::new(!creating);
    let description = RwSignal::new(String::new());
    let items = RwSignal::new(Vec::<String>::new());
    let known = RwSignal::new(BTreeMap::<String, ProductSummary>::new());
    let errors = RwSignal::new(FieldErrors::new());
    let notice = RwSignal::new(flash.take().map(Notice::Done));
    let saving = RwSignal::new(false);

    let show_collection = move |collection: Collection| {
        title.set(collection.title.clone());
        handle.set(collection.handle.to_string());
        description.set(collection.description.clone());
        items.set(
            collection
                .product_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
        );
        original.set(Some(collection));
        errors.set(FieldErrors::new());
    };

    // Names the collection's products: reads the store's products a page at a time until every one
    // is known (or the pages run out).
    let name_products = {
        let api = api.clone();
        move || {
            let api = api.clone();
            spawn_local(async move {
                let mut cursor: Option<String> = None;
                for _ in 0..MAX_CATALOG_PAGES {
                    let missing = items
                        .try_with_untracked(|ids| {
                            known.with_untracked(|k| ids.iter().any(|id| !k.contains_key(id)))
                        })
                        .unwrap_or(false);
                    if !missing {
                        break;
                    }
                    let Ok(page) = api.products("", None, cursor.as_deref(), 100).await else {
                        break;
                    };
                    known.update(|k| {
                        for product in &page.items {
                            k.insert(product.id.to_string(), ProductSummary::of(product));
                        }
                    });
                    match page.next_cursor {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
            });
        }
    };

    let fetch = {
        let api = api.clone();
        let name_products = name_products.clone();
        move |then: Option<Notice>| {
            let Some(id) = collection_id.get_value() else {
                return;
            };
            let api = api.clone();
            let request = async move { api.collection(&id).await };
            let name_products = name_products.clone();
            // `name_products` only starts a task: it reads the store's products once the form shows.
            let show = move |collection| {
                show_collection(collection);
                name_products();
            };
            load_record(request, original, page, notice, then, show);
        }
    };
    if !creating {
        let keep = notice.get_untracked();
        fetch(keep);
    }

    Effect::new(move |_| {
        let title = title.get();
        if !handle_edited.get_untracked() {
            handle.set(suggest_handle(&title));
        }
    });

    let save = {
        let api = api.clone();
        move || {
            if saving.get_untracked() {
                return;
            }
            let body = CollectionBody {
                handle: handle.get_untracked().trim().to_owned(),
                title: title.get_untracked().trim().to_owned(),
                description: description.get_untracked(),
                product_ids: items.get_untracked(),
                version: original.with_untracked(|c| c.as_ref().map(|c| c.version)),
            };
            errors.set(FieldErrors::new());
            notice.set(None);
            saving.set(true);
            let api = api.clone();
            spawn_local(async move {
                let result = match collection_id.try_get_value().flatten() {
                    None => api.create_collection(&body).await,
                    Some(id) => api.update_collection(&id, &body).await,
                };
                saving.set(false);
                match result {
                    Ok(collection) if creating => {
                        flash.set("Collection created.");
                        route::navigate(&Route::Collection(collection.id.to_string()));
                    }
                    Ok(collection) => {
                        show_collection(collection);
                        notice.set(Some(Notice::Done("Changes saved.".to_owned())));
                    }
                    Err(error) => show_save_failure(error, errors, notice, |fields| {
                        let count = items.get_untracked().len();
                        fields
                            .iter()
                            .filter(|(path, _)| !shows_inline(path, count))
                            .map(|(p, m)| (p.clone(), m.clone()))
                            .collect()
                    }),
                }
                scroll_to_top();
            });
        }
    };

    let delete = {
        let api = api.clone();
        move || {
            let Some((id, name)) = original
                .with_untracked(|c| c.as_ref().map(|c| (c.id.to_string(), c.title.clone())))
            else {
                return;
            };
            let question = format!("Delete the collection “{name}”? Its products are kept.");
            if !window().confirm_with_message(&question).unwrap_or(false) {
                return;
            }
            saving.set(true);
            let api = api.clone();
            spawn_local(async move {
                let result = api.delete_collection(&id).await;
                saving.set(false);
                match result {
                    Ok(()) => {
                        flash.set("Collection deleted.");
                        route::navigate(&Route::Collections);
                    }
                    Err(error) if error.is_unauthorized() => {}
                    Err(error) => notice.set(Some(Notice::Failed(error.message))),
                }
            });
        }
    };

    let add_product = move |product: SellerProduct| {
        let id = product.id.to_string();
        known.update(|k| {
            k.insert(id.clone(), ProductSummary::of(&product));
        });
        items.update(|ids| {
            if !ids.contains(&id) {
                ids.push(id);
            }
        });
    };

    let heading = editor_heading(creating, original, "New collection", "Collection", |c| {
        &c.title
    });
    let retry = {
        let fetch = fetch.clone();
        Callback::new(move |()| fetch(None))
    };
    let reload = Callback::new(move |()| fetch(Some(Notice::reloaded())));
    let on_save = Callback::new(move |()| save());
    let on_delete = Callback::new(move |()| delete());
    let on_pick = Callback::new(add_product);

    view! {
        <DetailPage
            state=page
            list=Route::Collections
            breadcrumb="← Collections"
            loading="Loading collection…"
            missing_title="This collection does not exist"
            missing_detail="It may have been deleted, or the link is wrong."
            back_label="Back to collections"
            failed_title="This collection could not be loaded."
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
                <Panel heading_id="collection-heading" heading>
                    <div class="panel-body">
                        <NoticeBanner notice conflict_message=CONFLICT_MESSAGE on_reload=reload />
                        <div class="form-grid">
                            <TextField
                                label="Title"
                                value=title
                                errors
                                path="title"
                                testid="collection-title"
                                placeholder="e.g. Festive picks"
                            />
                            <TextField
                                label="Handle"
                                value=handle
                                errors
                                path="handle"
                                testid="collection-handle"
                                hint="The collection’s web address; suggested from the title."
                                on_input=Callback::new(move |()| handle_edited.set(true))
                            />
                            <label class="field span-2">
                                <span class="label">"Description"</span>
                                <textarea
                                    class="input"
                                    rows="3"
                                    data-testid="collection-description"
                                    bind:value=description
                                ></textarea>
                                <FieldError errors path="description" />
                            </label>
                        </div>
                    </div>
                </Panel>
                <Panel heading_id="collection-products-heading" heading="Products">
                    <div class="panel-body">
                        <CollectionItems items known errors />
                        <ProductPicker items on_pick />
                    </div>
                </Panel>
                <FormActions
                    cancel=Route::Collections
                    saving
                    creating
                    create_label="Create collection"
                    save_testid="collection-save"
                    danger_label="Delete"
                    danger_testid="collection-delete"
                    show_danger=Signal::derive(move || original.with(Option::is_some))
                    on_danger=on_delete
                />
            </form>
        </DetailPage>
    }
}

/// Whether the collection form shows the error of `path` next to an input.
fn shows_inline(path: &str, items: usize) -> bool {
    ["title", "handle", "description", "product_ids"].contains(&path)
        || (0..items).any(|i| path == format!("product_ids[{i}]"))
}

/// The collection's products in order, each with Move up / Move down / Remove.
#[component]
fn CollectionItems(
    items: RwSignal<Vec<String>>,
    known: RwSignal<BTreeMap<String, ProductSummary>>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let storefront_base = expect_context::<Config>().storefront_base;
    let rows = move || items.get().into_iter().enumerate().collect::<Vec<_>>();
    view! {
        <Show
            when=move || !items.with(Vec::is_empty)
            fallback=|| {
                view! {
                    <p class="empty-line">
                        "No products in this collection yet. Add some with “Add products” below."
                    </p>
                }
            }
        >
            <ol class="collection-items">
                <For
                    each=rows
                    key=|(i, id)| format!("{i}:{id}")
                    children={
                        let storefront_base = storefront_base.clone();
                        move |(index, id)| {
                            let summary = {
                                let id = id.clone();
                                move || known.with(|k| k.get(&id).cloned())
                            };
                            let storefront_base = storefront_base.clone();
                            let remove_id = id.clone();
                            view! {
                                <li class="collection-item" data-testid="collection-item">
                                    <span class="position">{index + 1}</span>
                                    {
                                        let summary = summary.clone();
                                        move || {
                                            match summary().and_then(|s| s.image) {
                                                Some(url) => {
                                                    view! {
                                                        <img class="thumb" src=image_src(&storefront_base, &url) alt="" width="40" height="40" />
                                                    }
                                                        .into_any()
                                                }
                                                None => view! { <span class="thumb thumb-empty" aria-hidden="true"></span> }.into_any(),
                                            }
                                        }
                                    }
                                    <span class="item-text">
                                        {
                                            let summary = summary.clone();
                                            let id = id.clone();
                                            move || match summary() {
                                                Some(s) => {
                                                    view! {
                                                        <span class="cell-title">{s.title}</span>
                                                        " "
                                                        <code class="handle">{s.handle}</code>
                                                        " "
                                                        {status_badge(s.status)}
                                                    }
                                                        .into_any()
                                                }
                                                None => view! { <span class="muted">{format!("Product {id}")}</span> }.into_any(),
                                            }
                                        }
                                        <FieldError errors path=format!("product_ids[{index}]") />
                                    </span>
                                    <span class="row-buttons">
                                        // collection-item-up-{i}, collection-item-down-{i},
                                        // collection-item-remove-{i}
                                        <ReorderButtons
                                            index
                                            count=Signal::derive(move || items.with(Vec::len))
                                            testid="collection-item"
                                            up_label="Move up"
                                            down_label="Move down"
                                            remove_title="Remove from the collection"
                                            remove_label="Remove from the collection"
                                            on_move=Callback::new(move |up| items.update(|ids| move_entry(ids, index, up)))
                                            on_remove=Callback::new(move |()| items.update(|ids| ids.retain(|i| *i != remove_id)))
                                        />
                                    </span>
                                </li>
                            }
                        }
                    }
                />
            </ol>
        </Show>
        <FieldError errors path="product_ids" />
    }
}

/// "Add products": searches the store's products and adds the one picked.
#[component]
fn ProductPicker(items: RwSignal<Vec<String>>, on_pick: Callback<SellerProduct>) -> impl IntoView {
    let api = expect_context::<Api>();
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let results = RwSignal::new(Load::<Vec<SellerProduct>>::Loading);
    let generation = StoredValue::new(0_u64);

    let search = move |q: String| {
        let ticket = generation.get_value() + 1;
        generation.set_value(ticket);
        results.set(Load::Loading);
        let api = api.clone();
        spawn_local(async move {
            let result = api.products(&q, None, None, PICKER_SIZE).await;
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            match result {
                Ok(page) => results.set(Load::Ready(page.items)),
                Err(error) => results.set(Load::Failed(error.message)),
            }
        });
    };
    let open_picker = {
        let search = search.clone();
        move |_| {
            open.set(true);
            search(query.get_untracked());
        }
    };
    let on_input = {
        let search = search.clone();
        move |ev| {
            let text = event_target_value(&ev);
            query.set(text.clone());
            let search = search.clone();
            set_timeout(
                move || {
                    if query.try_get_untracked().as_deref() == Some(text.as_str()) {
                        search(text);
                    }
                },
                Duration::from_millis(300),
            );
        }
    };

    view! {
        <Show
            when=move || open.get()
            fallback=move || {
                let open_picker = open_picker.clone();
                view! {
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        data-testid="collection-add-product"
                        on:click=open_picker
                    >
                        "+ Add products"
                    </button>
                }
            }
        >
            <div class="picker">
                <div class="picker-head">
                    <label class="toolbar-search">
                        <span class="visually-hidden">"Search products to add"</span>
                        <input
                            class="input"
                            type="search"
                            placeholder="Search products by title, SKU or tag"
                            data-testid="collection-product-search"
                            autofocus
                            prop:value=move || query.get()
                            on:input=on_input.clone()
                            on:keydown=|ev| {
                                if ev.key() == "Enter" {
                                    ev.prevent_default();
                                }
                            }
                        />
                    </label>
                    <button type="button" class="button button-secondary button-small" on:click=move |_| open.set(false)>
                        "Done"
                    </button>
                </div>
                {move || match results.get() {
                    Load::Loading => view! { <p class="muted picker-state">"Searching…"</p> }.into_any(),
                    Load::Failed(message) => {
                        view! { <p class="form-error" role="alert">{message}</p> }.into_any()
                    }
                        Load::Ready(list) if list.is_empty() => {
                        view! { <p class="muted picker-state">"No products match."</p> }.into_any()
                    }
                    Load::Ready(list) => {
                        view! {
                            <ul class="picker-results">
                                {list
                                    .into_iter()
                                    .map(|product| {
                                        let id = product.id.to_string();
                                        let added = {
                                            let id = id.clone();
                                            move || items.with(|ids| ids.contains(&id))
                                        };
                                        let label = move || items.with(|ids| ids.contains(&id));
                                        let title = product.title.clone();
                                        let handle = product.handle.to_string();
                                        let status = product.status;
                                        view! {
                                            <li class="picker-result">
                                                <span class="item-text">
                                                    <span class="cell-title">{title}</span>
                                                    " "
                                                    <code class="handle">{handle}</code>
                                                    " "
                                                    {status_badge(status)}
                                                </span>
                                                <button
                                                    type="button"
                                                    class="button button-secondary button-small"
                                                    data-testid="collection-pick"
                                                    disabled=added
                                                    on:click=move |_| on_pick.run(product.clone())
                                                >
                                                    {move || if label() { "Added" } else { "Add" }}
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::shows_inline;

    #[test]
    fn collection_errors_are_inline_when_an_input_or_item_shows_them() {
        assert!(shows_inline("title", 0));
        assert!(shows_inline("product_ids[1]", 2));
        assert!(!shows_inline("product_ids[2]", 2));
        assert!(!shows_inline("version", 2));
    }
}
