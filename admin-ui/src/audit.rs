//! The audit log: what staff (and the platform) did, newest first, filtered by store, staff member
//! and kind of action, 50 rows at a time ("Older" asks for the rows before the last one shown).

use crate::api::{AUDIT_PAGE_SIZE, Api, AuditQuery, Failure};
use crate::directory::{Directory, StorePicker};
use crate::format::{NOTHING, change_text, iso_time, local_time};
use crate::route::Route;
use crate::tenants::Load;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::admin::AuditEntry;
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel};

/// The kinds of action the filter suggests (any prefix works).
pub const ACTION_PREFIXES: [&str; 5] = ["tenant.", "order.", "queue.", "job.", "staff."];

/// The filters applied, kept while staff visit a store or come back.
#[derive(Debug, Clone, Copy)]
pub struct AuditFilters {
    /// The store's id (`""`: every store).
    pub tenant: RwSignal<String>,
    /// A staff member's email (`""`: anyone).
    pub staff: RwSignal<String>,
    /// The start of the action's name, e.g. `tenant.` (`""`: any).
    pub action: RwSignal<String>,
}

impl Default for AuditFilters {
    fn default() -> Self {
        Self {
            tenant: RwSignal::new(String::new()),
            staff: RwSignal::new(String::new()),
            action: RwSignal::new(String::new()),
        }
    }
}

/// The id to ask for the page after `entries` (a page of `limit`): the last row's, when the page
/// was full (a shorter one was the last).
pub fn older_than(entries: &[AuditEntry], limit: u32) -> Option<i64> {
    if entries.len() < limit as usize {
        return None;
    }
    entries.last().map(|entry| entry.id)
}

/// The rows of `older` that `shown` does not have yet (a row logged between two pages is never
/// shown twice).
pub fn append_new(shown: &mut Vec<AuditEntry>, older: Vec<AuditEntry>) {
    for entry in older {
        if !shown.iter().any(|e| e.id == entry.id) {
            shown.push(entry);
        }
    }
}

/// Who did it: their email, or "Zelly" for the platform itself.
pub fn who(entry: &AuditEntry) -> String {
    match entry.staff_email.trim() {
        "" => "Zelly".to_owned(),
        email => email.to_owned(),
    }
}

/// The audit log.
#[component]
pub fn AuditPage(
    /// The store the log starts filtered by (from a store's page), if any.
    tenant: Option<String>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let filters = expect_context::<AuditFilters>();
    if let Some(tenant) = tenant
        && filters.tenant.get_untracked() != tenant
    {
        filters.tenant.set(tenant);
    }
    // What the form holds until Apply.
    let store = RwSignal::new(filters.tenant.get_untracked());
    let staff = RwSignal::new(filters.staff.get_untracked());
    let action = RwSignal::new(filters.action.get_untracked());

    let load = RwSignal::new(Load::<()>::Loading);
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let older = RwSignal::new(None::<i64>);
    let more_loading = RwSignal::new(false);
    let more_error = RwSignal::new(None::<String>);
    let ticket = StoredValue::new(0_u64);

    let query = move |before: Option<i64>| AuditQuery {
        tenant: filters.tenant.get_untracked(),
        staff: filters.staff.get_untracked(),
        action: filters.action.get_untracked(),
        before,
        limit: AUDIT_PAGE_SIZE,
    };
    let fetch_first = {
        let api = api.clone();
        move || {
            let mine = ticket.get_value() + 1;
            ticket.set_value(mine);
            load.set(Load::Loading);
            more_error.set(None);
            let (api, query) = (api.clone(), query(None));
            spawn_local(async move {
                let answer = api.audit(&query).await;
                if ticket.try_get_value() != Some(mine) || answer.as_ref().is_err_and(Failure::is_unauthorized) {
                    return;
                }
                match answer {
                    Ok(page) => {
                        older.set(older_than(&page, AUDIT_PAGE_SIZE));
                        entries.set(page);
                        load.set(Load::Ready(()));
                    }
                    Err(failure) if failure.status == Some(422) => load.set(Load::Failed(failure.said())),
                    Err(failure) => load.set(Load::Failed(failure.message)),
                }
            });
        }
    };
    let fetch_older = {
        let api = api.clone();
        move || {
            let Some(before) = older.get_untracked() else {
                return;
            };
            if more_loading.get_untracked() {
                return;
            }
            let mine = ticket.get_value();
            more_loading.set(true);
            more_error.set(None);
            let (api, query) = (api.clone(), query(Some(before)));
            spawn_local(async move {
                let answer = api.audit(&query).await;
                if ticket.try_get_value() != Some(mine) {
                    return;
                }
                more_loading.set(false);
                match answer {
                    Ok(page) => {
                        older.set(older_than(&page, AUDIT_PAGE_SIZE));
                        entries.update(|shown| append_new(shown, page));
                    }
                    Err(failure) if failure.is_unauthorized() => {}
                    Err(failure) => more_error.set(Some(failure.said())),
                }
            });
        }
    };
    Effect::new({
        let fetch_first = fetch_first.clone();
        move |_| {
            filters.tenant.track();
            filters.staff.track();
            filters.action.track();
            fetch_first();
        }
    });

    let apply = {
        let fetch_first = fetch_first.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (t, s, a) = (
                store.get_untracked(),
                staff.get_untracked().trim().to_owned(),
                action.get_untracked().trim().to_owned(),
            );
            let unchanged = filters.tenant.get_untracked() == t
                && filters.staff.get_untracked() == s
                && filters.action.get_untracked() == a;
            if unchanged {
                fetch_first();
            } else {
                filters.tenant.set(t);
                filters.staff.set(s);
                filters.action.set(a);
            }
        }
    };
    let filtered = move || {
        !filters.tenant.get().is_empty()
            || !filters.staff.get().is_empty()
            || !filters.action.get().is_empty()
    };
    let clear = move || {
        for signal in [store, staff, action, filters.tenant, filters.staff, filters.action] {
            signal.set(String::new());
        }
    };

    view! {
        <Panel heading_id="audit-heading" heading="Audit log">
            <form class="panel-body search-form" role="search" on:submit=apply novalidate>
                <div class="form-grid form-grid-3">
                    <div class="field">
                        <label class="label" for="audit-store">"Store"</label>
                        <StorePicker value=store any_label="Every store" testid="audit-store" id="audit-store" />
                    </div>
                    <label class="field">
                        <span class="label">"Staff member’s email"</span>
                        <input class="input" type="email" autocomplete="off" data-testid="audit-staff" bind:value=staff />
                    </label>
                    <label class="field">
                        <span class="label">"Action starts with"</span>
                        <input
                            class="input"
                            autocomplete="off"
                            spellcheck="false"
                            placeholder="e.g. tenant."
                            list="audit-actions"
                            data-testid="audit-action"
                            bind:value=action
                        />
                        <datalist id="audit-actions">
                            {ACTION_PREFIXES.into_iter().map(|prefix| view! { <option value=prefix></option> }).collect_view()}
                        </datalist>
                    </label>
                </div>
                <div class="form-row">
                    <button type="submit" class="button" data-testid="audit-apply">"Apply filters"</button>
                    <button type="button" class="button button-secondary" data-testid="audit-clear" on:click=move |_| clear()>
                        "Clear"
                    </button>
                </div>
            </form>
            {move || match load.get() {
                Load::Loading | Load::Missing => view! { <LoadingState label="Loading the audit log…" /> }.into_any(),
                Load::Failed(message) => {
                    let fetch_first = fetch_first.clone();
                    view! {
                        <ErrorState title="The audit log could not be loaded." message on_retry=move || fetch_first() />
                    }
                    .into_any()
                }
                Load::Ready(()) if entries.with(Vec::is_empty) && filtered() => view! {
                    <EmptyState title="Nothing matches" detail="No action matches these filters.">
                        <button type="button" class="button button-secondary" on:click=move |_| clear()>
                            "Clear filters"
                        </button>
                    </EmptyState>
                }
                .into_any(),
                Load::Ready(()) if entries.with(Vec::is_empty) => view! {
                    <EmptyState title="Nothing logged yet" detail="Every change staff make is written here." />
                }
                .into_any(),
                Load::Ready(()) => {
                    let fetch_older = fetch_older.clone();
                    view! {
                        <AuditTable entries />
                        <div class="list-footer">
                            <p class="muted">
                                {move || {
                                    let shown = crate::format::count(entries.with(Vec::len) as i64, "entry", "entries");
                                    if older.with(Option::is_some) {
                                        format!("Showing the newest {shown}")
                                    } else {
                                        format!("Showing all {shown}")
                                    }
                                }}
                            </p>
                            {move || more_error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                            <Show when=move || older.with(Option::is_some)>
                                <button
                                    type="button"
                                    class="button button-secondary"
                                    data-testid="audit-older"
                                    disabled=move || more_loading.get()
                                    on:click={
                                        let fetch_older = fetch_older.clone();
                                        move |_| fetch_older()
                                    }
                                >
                                    {move || if more_loading.get() { "Loading…" } else { "Older" }}
                                </button>
                            </Show>
                        </div>
                    }
                    .into_any()
                }
            }}
        </Panel>
    }
}

/// The rows shown.
#[component]
fn AuditTable(entries: RwSignal<Vec<AuditEntry>>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="audit-table">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Store"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"Change"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || entries.get()
                        key=|entry| entry.id
                        children=|entry| view! { <AuditRow entry /> }
                    />
                </tbody>
            </table>
        </div>
    }
}

/// One row of the log.
#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let store = entry.tenant_id.map(|id| {
        let id = id.to_string();
        let href = Route::Tenant(id.clone()).href();
        let label = {
            let id = id.clone();
            move || directory.slug_of(&id).unwrap_or_else(|| id.clone())
        };
        view! { <a class="row-link" href=href><code class="handle">{label}</code></a> }
    });
    let change = change_text(&entry.before, &entry.after);
    view! {
        <tr data-testid="audit-row" data-id=entry.id data-action=entry.action.clone()>
            <td class="cell-date">
                <time datetime=iso_time(entry.at_ms)>{local_time(entry.at_ms)}</time>
            </td>
            <td class="cell-email">{who(&entry)}</td>
            <td><code>{entry.action.clone()}</code></td>
            <td>
                {match store {
                    Some(link) => link.into_any(),
                    None => view! { <span class="muted">{NOTHING}</span> }.into_any(),
                }}
            </td>
            <td class="cell-target">
                {if entry.target.trim().is_empty() {
                    view! { <span class="muted">{NOTHING}</span> }.into_any()
                } else {
                    view! { <code>{entry.target.clone()}</code> }.into_any()
                }}
            </td>
            <td class="cell-change"><code>{change}</code></td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: i64, email: &str) -> AuditEntry {
        AuditEntry {
            id,
            at_ms: 0,
            staff_id: None,
            staff_email: email.into(),
            action: "tenant.suspend".into(),
            tenant_id: None,
            target: String::new(),
            before: json!({"status": "active"}),
            after: json!({"status": "suspended"}),
        }
    }

    #[test]
    fn older_pages_start_before_the_last_row_of_a_full_page() {
        let page: Vec<AuditEntry> = (0..3).map(|i| entry(100 - i, "a@zelly.in")).collect();
        assert_eq!(older_than(&page, 3), Some(98));
        assert_eq!(older_than(&page, 4), None);
        assert_eq!(older_than(&[], 50), None);
    }

    #[test]
    fn a_row_already_shown_is_not_shown_twice() {
        let mut shown = vec![entry(10, "a"), entry(9, "a")];
        append_new(&mut shown, vec![entry(9, "a"), entry(8, "a")]);
        let ids: Vec<i64> = shown.iter().map(|e| e.id).collect();
        assert_eq!(ids, [10, 9, 8]);
    }

    #[test]
    fn the_platform_itself_is_named_zelly() {
        assert_eq!(who(&entry(1, "")), "Zelly");
        assert_eq!(who(&entry(1, "ops@zelly.in")), "ops@zelly.in");
    }
}
