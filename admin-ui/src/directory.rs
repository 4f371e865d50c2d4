//! The stores staff pick from (the order search, the analytics, the audit log's filter), the
//! slugs and names other screens name stores by, and the platform's own domain as the stores'
//! addresses show it: the first [`DIRECTORY_SIZE`] stores, fetched once, the first time a screen
//! needs them, and kept until sign-out (or a store is opened).

use crate::api::{Api, DIRECTORY_SIZE, TenantQuery};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
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

/// The first block of a store's id (`0b6f6c1e` of `0b6f6c1e-8d7a-…`): enough to tell stores apart
/// where the directory does not list one.
pub fn short_id(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}

/// The platform's own domain (`zelly.in` of `chai.zelly.in`) as the stores' addresses show it:
/// what follows `{slug}.` in most of their domains; `None` when no domain has that shape.
pub fn platform_domain_of(items: &[TenantSummary]) -> Option<String> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for item in items {
        let slug = item.tenant.slug.as_str();
        for domain in &item.domains {
            let rest = domain
                .strip_prefix(slug)
                .and_then(|rest| rest.strip_prefix('.'))
                .filter(|rest| !rest.is_empty());
            if let Some(rest) = rest {
                *seen.entry(rest).or_default() += 1;
            }
        }
    }
    // The most common; among equals, the first by name.
    seen.into_iter()
        .fold(None::<(&str, usize)>, |best, (domain, n)| match best {
            Some((_, most)) if most >= n => best,
            _ => Some((domain, n)),
        })
        .map(|(domain, _)| domain.to_owned())
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
    platform: RwSignal<Option<String>>,
}

impl Default for Directory {
    fn default() -> Self {
        Self {
            state: RwSignal::new(DirectoryState::Idle),
            platform: RwSignal::new(None),
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
        let (state, platform) = (self.state, self.platform);
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
                    if let Some(domain) = platform_domain_of(&page.items) {
                        platform.set(Some(domain));
                    }
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

    /// The platform's own domain, once the list is here and shows it (reactive); see
    /// [`platform_domain_of`].
    pub fn platform_domain(&self) -> Option<String> {
        self.platform.get()
    }

    /// The store with id `id`, once the list is here and has it (reactive).
    pub fn entry_of(&self, id: &str) -> Option<StoreEntry> {
        self.state.with(|state| match state {
            DirectoryState::Ready(entries, _) => {
                entries.iter().find(|entry| entry.id == id).cloned()
            }
            _ => None,
        })
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
/// bound to `value` (a store id, `""` for none); a chosen store the list does not have (past its
/// first 200, say) gets an option of its own. While the list loads it says so; when it cannot
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
    let unlisted = move || {
        let chosen = value.get();
        let ready = directory
            .state
            .with(|state| matches!(state, DirectoryState::Ready(..)));
        (ready && !chosen.is_empty() && directory.entry_of(&chosen).is_none()).then(|| {
            let label = format!("Store {} (not in the list)", short_id(&chosen));
            view! { <option value=chosen prop:selected=true>{label}</option> }
        })
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
            {unlisted}
            {options}
        </select>
        {note}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zelly_edge::dto::{Tenant, TenantStatus};

    fn with_domains(mut summary: TenantSummary, domains: &[&str]) -> TenantSummary {
        summary.domains = domains.iter().map(|d| (*d).to_owned()).collect();
        summary
    }

    #[test]
    fn an_unlisted_store_is_named_by_the_start_of_its_id() {
        assert_eq!(short_id("0b6f6c1e-8d7a-4c1e-9a51-3f2d1c0e9b7a"), "0b6f6c1e");
        assert_eq!(short_id("plain"), "plain");
    }

    #[test]
    fn the_platform_domain_is_what_most_stores_addresses_end_with() {
        let items = [
            with_domains(summary("Chai", "chai", 1), &["shop.chai.in", "chai.zelly.in"]),
            with_domains(summary("Demo", "demo", 2), &["demo.zelly.in"]),
            with_domains(summary("Odd", "odd", 3), &["odd.example.com"]),
            with_domains(summary("None", "none", 4), &[]),
        ];
        assert_eq!(platform_domain_of(&items).as_deref(), Some("zelly.in"));
        let local = [with_domains(summary("Demo", "demo", 2), &["demo.localhost"])];
        assert_eq!(platform_domain_of(&local).as_deref(), Some("localhost"));
        let unrelated = [with_domains(summary("Demo", "demo", 2), &["demoshop.in", "demo."])];
        assert_eq!(platform_domain_of(&unrelated), None);
        assert_eq!(platform_domain_of(&[]), None);
    }

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
