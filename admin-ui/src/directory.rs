//! The stores staff pick from (the order search, the audit log's filter) and the slugs the audit
//! log names stores by: the first [`DIRECTORY_SIZE`] stores, fetched once, the first time a screen
//! needs them, and kept until sign-out.

use crate::api::{Api, DIRECTORY_SIZE, TenantQuery};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use zelly_edge::admin::TenantSummary;

/// One store in a picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreEntry {
    /// Its id.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// A picker's entries from a page of stores, by name (then slug).
pub fn entries_of(items: &[TenantSummary]) -> Vec<StoreEntry> {
    let mut entries: Vec<StoreEntry> = items
        .iter()
        .map(|item| StoreEntry {
            id: item.tenant.id.to_string(),
            slug: item.tenant.slug.as_str().to_owned(),
            name: item.tenant.name.clone(),
        })
        .collect();
    entries.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    entries
}

/// Where the store list of the pickers is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryState {
    /// Not asked for yet.
    Idle,
    /// Being fetched.
    Loading,
    /// Fetched: the stores, and whether there are more than the pickers list.
    Ready(Arc<Vec<StoreEntry>>, bool),
    /// Could not be fetched: why.
    Failed(String),
}

/// The store list of the pickers, shared through the context.
#[derive(Debug, Clone, Copy)]
pub struct Directory {
    state: RwSignal<DirectoryState>,
}

impl Default for Directory {
    fn default() -> Self {
        Self {
            state: RwSignal::new(DirectoryState::Idle),
        }
    }
}

impl Directory {
    /// Fetches the stores unless they are here or on their way.
    pub fn ensure(&self, api: &Api) {
        let idle = self.state.with_untracked(|state| {
            matches!(state, DirectoryState::Idle | DirectoryState::Failed(_))
        });
        if idle {
            self.load(api);
        }
    }

    /// Fetches the stores (again).
    pub fn load(&self, api: &Api) {
        let state = self.state;
        state.set(DirectoryState::Loading);
        let api = api.clone();
        spawn_local(async move {
            let query = TenantQuery {
                limit: DIRECTORY_SIZE,
                ..TenantQuery::default()
            };
            let answer = api.tenants(&query).await;
            if state.is_disposed() {
                return;
            }
            state.set(match answer {
                Ok(page) => {
                    let more = page.total > page.items.len() as i64;
                    DirectoryState::Ready(Arc::new(entries_of(&page.items)), more)
                }
                Err(failure) => DirectoryState::Failed(failure.message),
            });
        });
    }

    /// Forgets the stores (on sign-out).
    pub fn clear(&self) {
        self.state.set(DirectoryState::Idle);
    }

    /// Where the list is (reactive).
    pub fn state(&self) -> DirectoryState {
        self.state.get()
    }

    /// The slug of the store with id `id`, once the list is here and has it (reactive).
    pub fn slug_of(&self, id: &str) -> Option<String> {
        self.state.with(|state| match state {
            DirectoryState::Ready(entries, _) => entries
                .iter()
                .find(|entry| entry.id == id)
                .map(|entry| entry.slug.clone()),
            _ => None,
        })
    }
}

/// A store picker: "All stores" (or `any_label`) and every store of the [`Directory`] by name,
/// bound to `value` (a store id, `""` for none). While the list loads it says so; when it cannot
/// load, it says why with a Retry button.
#[component]
pub fn StorePicker(
    /// The chosen store's id (`""`: none).
    value: RwSignal<String>,
    /// The first option, meaning no store.
    any_label: &'static str,
    /// The select's `data-testid`.
    testid: &'static str,
    /// The `id` of the select, for its `<label for>`.
    id: &'static str,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let directory = expect_context::<Directory>();
    directory.ensure(&api);
    let options = move || match directory.state() {
        DirectoryState::Ready(entries, _) => entries
            .iter()
            .map(|entry| {
                let store_id = entry.id.clone();
                let selected = {
                    let store_id = store_id.clone();
                    move || value.with(|v| *v == store_id)
                };
                view! {
                    <option value=store_id prop:selected=selected>
                        {format!("{} ({})", entry.name, entry.slug)}
                    </option>
                }
            })
            .collect_view()
            .into_any(),
        _ => ().into_any(),
    };
    let note = move || match directory.state() {
        DirectoryState::Loading | DirectoryState::Idle => {
            view! { <span class="hint">"Loading the stores…"</span> }.into_any()
        }
        DirectoryState::Failed(message) => {
            let api = api.clone();
            view! {
                <span class="field-error" role="alert">
                    "The stores could not be loaded. "
                    <button type="button" class="link-button" on:click=move |_| directory.load(&api)>
                        "Retry"
                    </button>
                    <span class="visually-hidden">{message}</span>
                </span>
            }
            .into_any()
        }
        DirectoryState::Ready(_, true) => view! {
            <span class="hint">"Only the first 200 stores are listed."</span>
        }
        .into_any(),
        DirectoryState::Ready(_, false) => ().into_any(),
    };
    view! {
        <select
            class="input"
            id=id
            data-testid=testid
            prop:value=move || value.get()
            on:change=move |ev| value.set(event_target_value(&ev))
        >
            <option value="" prop:selected=move || value.with(String::is_empty)>
                {any_label}
            </option>
            {options}
        </select>
        {note}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zelly_edge::dto::{Tenant, TenantStatus};

    fn summary(name: &str, slug: &str, id: u128) -> TenantSummary {
        let tenant: Tenant = serde_json::from_value(serde_json::json!({
            "id": format!("00000000-0000-0000-0000-{id:012}"),
            "slug": slug,
            "name": name,
            "status": TenantStatus::Active,
        }))
        .unwrap();
        TenantSummary {
            tenant,
            domains: vec![],
            product_count: 0,
            order_count: 0,
            gmv_minor: 0,
            last_activity_ms: None,
        }
    }

    #[test]
    fn the_stores_are_listed_by_name() {
        let entries = entries_of(&[
            summary("Zelly Demo Bazaar", "demo", 1),
            summary("chai corner", "chai", 2),
            summary("Chai Corner", "chai-2", 3),
        ]);
        let slugs: Vec<&str> = entries.iter().map(|e| e.slug.as_str()).collect();
        assert_eq!(slugs, ["chai", "chai-2", "demo"]);
        assert_eq!(entries[2].id, "00000000-0000-0000-0000-000000000001");
    }
}
