//! Stores: the list (search by name, slug or domain; status filter; a page of 50 at a time), where
//! admins open a store for a merchant (whose owner is invited by email), and a store's page
//! (figures, domains, team, Shopify shop, latest orders), where support and admins suspend or
//! reopen it with a reason for the audit log and have a custom domain's DNS checked again.

use crate::api::{Api, Auth, Failure, TENANT_PAGE_SIZE, TenantQuery};
use crate::app::{Outcome, OutcomeBanner};
use crate::directory::Directory;
use crate::format::{
    NOTHING, can_act, can_open_stores, can_recheck, count, domain_kind_label, domain_status_label,
    field_sentence, last_activity, local_time, money, number, order_status_class,
    order_status_label, tenant_status_label,
};
use crate::route::{self, Route};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::admin::{
    AdminOrderHit, NewStoreForMerchant, TenantDetail, TenantPage as Page, TenantSummary,
};
use zelly_edge::dto::TenantStatus;
use zelly_edge::team::{RESERVED_SLUGS, is_email};
use zelly_ui_kit::forms::{FieldErrors, describe_path};
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel};

/// The longest reason admin-api keeps for a status change.
pub const REASON_MAX: usize = 500;

/// What suspending a store does, in the words staff read before they confirm.
pub const SUSPEND_EXPLAINED: &str = "Shoppers see the store as closed and the merchant cannot make changes until it is reopened.";
/// What reopening a store does.
pub const REOPEN_EXPLAINED: &str =
    "Shoppers can visit and buy again, and the merchant can make changes again.";

/// The shortest and longest slug admin-api takes for a new store.
pub const SLUG_LENGTH: std::ops::RangeInclusive<usize> = 3..=40;
/// The longest store name.
pub const NAME_MAX: usize = 100;
/// A new store's currency unless staff choose another.
pub const DEFAULT_CURRENCY: &str = "INR";
/// The fields of the new-store form, by admin-api's names, in the form's order.
pub const NEW_STORE_FIELDS: [&str; 4] = ["name", "slug", "owner_email", "currency"];

/// What staff read when a domain cannot be checked again (404).
pub const RECHECK_REFUSED: &str =
    "Only custom domains that are live or flagged can be checked again.";

/// A banner left for a store's page to show when it opens: set when a store has just been opened,
/// as the form that opened it goes away.
#[derive(Debug, Clone, Copy)]
pub struct StoreNotice(RwSignal<Option<(String, String)>>);

impl Default for StoreNotice {
    fn default() -> Self {
        Self(RwSignal::new(None))
    }
}

impl StoreNotice {
    /// Leaves `message` for the page of the store `id`.
    pub fn leave(&self, id: String, message: String) {
        self.0.set(Some((id, message)));
    }

    /// The message left for the store `id`, once (any other is dropped).
    pub fn take(&self, id: &str) -> Option<String> {
        let left = self.0.try_update_untracked(Option::take).flatten()?;
        (left.0 == id).then_some(left.1)
    }
}

/// A slug for a store called `name`: lower-case letters and digits, anything else a single
/// hyphen, none at either end, at most 40 characters.
pub fn suggest_slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(*SLUG_LENGTH.end());
    slug.trim_end_matches('-').to_owned()
}

/// Whether `slug` has the shape admin-api takes: 3-40 lower-case letters, digits or inner hyphens.
pub fn is_slug(slug: &str) -> bool {
    SLUG_LENGTH.contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

/// Where shoppers find the store `slug`: `{slug}.{platform domain}`, with placeholders for what
/// is not known yet.
pub fn store_address(slug: &str, platform_domain: Option<&str>) -> String {
    let slug = slug.trim();
    let slug = if slug.is_empty() { "{slug}" } else { slug };
    format!("{slug}.{}", platform_domain.unwrap_or("<platform domain>"))
}

/// What is wrong with a new store before it is sent, keyed by admin-api's field names; empty when
/// nothing is.
pub fn check_new_store(store: &NewStoreForMerchant) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let name = store.name.trim();
    if name.is_empty() {
        errors.insert("name".into(), "Enter the store’s name.".into());
    } else if name.chars().count() > NAME_MAX {
        errors.insert(
            "name".into(),
            format!("Keep the name to {NAME_MAX} characters."),
        );
    }
    let slug = store.slug.trim();
    if slug.is_empty() {
        errors.insert("slug".into(), "Enter a slug, such as chai-corner.".into());
    } else if !is_slug(slug) {
        errors.insert(
            "slug".into(),
            "Use 3 to 40 lower-case letters, digits or hyphens, with no hyphen at either end."
                .into(),
        );
    } else if RESERVED_SLUGS.contains(&slug) {
        errors.insert(
            "slug".into(),
            format!("“{slug}” is kept for Zelly itself; choose another."),
        );
    }
    let email = store.owner_email.trim();
    if email.is_empty() {
        errors.insert("owner_email".into(), "Enter the owner’s email.".into());
    } else if !is_email(email) {
        errors.insert(
            "owner_email".into(),
            "Enter an email address, like name@example.com.".into(),
        );
    }
    let currency = store.currency.as_deref().unwrap_or(DEFAULT_CURRENCY).trim();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.insert(
            "currency".into(),
            "Use a three-letter currency code, such as INR.".into(),
        );
    }
    errors
}

/// How a field of the new-store form is named in its error.
fn store_field_subject(path: &str) -> String {
    match path {
        "name" => "The store name".to_owned(),
        "slug" => "The slug".to_owned(),
        "owner_email" => "The owner’s email".to_owned(),
        "currency" => "The currency".to_owned(),
        other => describe_path(other),
    }
}

/// What staff read once a store is open and its owner invited.
pub fn invite_sent(name: &str, email: &str) -> String {
    format!("{name} is open. We emailed an invite to {email}; they become the owner when they accept it.")
}

/// The list's search, status filter and page, kept while staff visit a store.
#[derive(Debug, Clone, Copy)]
pub struct TenantFilters {
    /// The search applied (name, slug or domain).
    pub q: RwSignal<String>,
    /// `""`, `active` or `suspended`.
    pub status: RwSignal<String>,
    /// Stores skipped (the page).
    pub offset: RwSignal<u32>,
}

impl Default for TenantFilters {
    fn default() -> Self {
        Self {
            q: RwSignal::new(String::new()),
            status: RwSignal::new(String::new()),
            offset: RwSignal::new(0),
        }
    }
}

/// "Showing 51–100 of 123 stores" for a page of `shown` stores at `offset`, of `total`.
pub fn page_summary(offset: u32, shown: usize, total: i64) -> String {
    if shown == 0 {
        return count(total, "store", "stores");
    }
    let first = i64::from(offset) + 1;
    let last = i64::from(offset) + shown as i64;
    format!(
        "Showing {}–{} of {}",
        number(first),
        number(last),
        count(total.max(last), "store", "stores")
    )
}

/// Whether there are stores after a page of `shown` at `offset`, of `total`.
pub fn has_next(offset: u32, shown: usize, total: i64) -> bool {
    i64::from(offset) + (shown as i64) < total
}

/// The offset of the page before the one at `offset`.
pub fn previous_offset(offset: u32, page: u32) -> u32 {
    offset.saturating_sub(page)
}

/// What the status button does to a store with `status`: the new status, the button's words and
/// what it does, in plain words.
pub fn status_action(status: TenantStatus) -> (TenantStatus, &'static str, &'static str) {
    match status {
        TenantStatus::Active => (TenantStatus::Suspended, "Suspend store", SUSPEND_EXPLAINED),
        TenantStatus::Suspended => (TenantStatus::Active, "Reopen store", REOPEN_EXPLAINED),
    }
}

/// What is wrong with a status change's reason, if anything.
pub fn reason_problem(reason: &str) -> Option<String> {
    let length = reason.trim().chars().count();
    if length == 0 {
        Some("Write why: it is kept in the audit log.".to_owned())
    } else if length > REASON_MAX {
        Some(format!(
            "Keep it to {REASON_MAX} characters (now {length})."
        ))
    } else {
        None
    }
}

/// The banner once a store's status has changed.
pub fn status_done(name: &str, status: TenantStatus) -> String {
    match status {
        TenantStatus::Suspended => format!("{name} is suspended."),
        TenantStatus::Active => format!("{name} is open again."),
    }
}

/// A store's status as a badge.
pub fn tenant_badge(status: TenantStatus) -> impl IntoView + use<> {
    view! {
        <span class=format!("badge badge-{}", status.as_str()) data-status=status.as_str()>
            {tenant_status_label(status)}
        </span>
    }
}

/// An order's status as a badge.
pub fn order_badge(status: &str) -> impl IntoView + use<> {
    view! {
        <span class=order_status_class(status) data-status=status.to_owned()>
            {order_status_label(status)}
        </span>
    }
}

/// A store's GMV in its currency.
fn gmv(summary: &TenantSummary) -> String {
    money(summary.gmv_minor, summary.tenant.currency.as_str())
}

/// Where a list or a page is.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    /// The answer has not come yet.
    Loading,
    /// There is no such thing (404).
    Missing,
    /// It could not be loaded: why.
    Failed(String),
    /// Here it is.
    Ready(T),
}

impl<T> Load<T> {
    /// The state for an answer.
    pub fn of(answer: Result<T, Failure>) -> Self {
        match answer {
            Ok(value) => Load::Ready(value),
            Err(failure) if failure.is_not_found() => Load::Missing,
            Err(failure) => Load::Failed(failure.message),
        }
    }
}

/// Every store on the platform.
#[component]
pub fn TenantsPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let auth = expect_context::<Auth>();
    let filters = expect_context::<TenantFilters>();
    let opening = RwSignal::new(false);
    let may_open = move || can_open_stores(auth.role());
    let typed = RwSignal::new(filters.q.get_untracked());
    let load = RwSignal::new(Load::<Page>::Loading);
    // Only the newest request may fill the list: an older, slower one must not overwrite it.
    let ticket = StoredValue::new(0_u64);

    let fetch = move || {
        let query = TenantQuery {
            q: filters.q.get_untracked(),
            status: filters.status.get_untracked(),
            limit: TENANT_PAGE_SIZE,
            offset: filters.offset.get_untracked(),
        };
        let mine = ticket.get_value() + 1;
        ticket.set_value(mine);
        load.set(Load::Loading);
        let api = api.clone();
        spawn_local(async move {
            let answer = api.tenants(&query).await;
            if ticket.try_get_value() != Some(mine) || answer.as_ref().is_err_and(Failure::is_unauthorized) {
                return;
            }
            load.set(match answer {
                Ok(page) => Load::Ready(page),
                Err(failure) => Load::Failed(failure.message),
            });
        });
    };
    Effect::new({
        let fetch = fetch.clone();
        move |_| {
            filters.q.track();
            filters.status.track();
            filters.offset.track();
            fetch();
        }
    });

    let filtered = move || !filters.q.get().is_empty() || !filters.status.get().is_empty();
    let clear = move || {
        typed.set(String::new());
        filters.q.set(String::new());
        filters.status.set(String::new());
        filters.offset.set(0);
    };
    let reload = {
        let fetch = fetch.clone();
        Callback::new(move |()| fetch())
    };
    let open_button = move || {
        let button = move || {
            may_open().then(|| {
                view! {
                    <button
                        type="button"
                        class="button button-inline"
                        data-testid="open-store"
                        aria-expanded=move || opening.get().to_string()
                        aria-controls="open-store-form"
                        on:click=move |_| opening.update(|open| *open = !*open)
                    >
                        "Open a store for a merchant"
                    </button>
                }
            })
        };
        button.into_any()
    };
    let search = {
        let fetch = fetch.clone();
        move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = typed.get_untracked().trim().to_owned();
        if filters.q.get_untracked() != q {
            filters.offset.set(0);
            filters.q.set(q);
        } else {
            fetch();
        }
    }
    };

    view! {
        <Panel heading_id="tenants-heading" heading="Tenants" actions=Box::new(open_button)>
            <Show when=move || opening.get() && may_open()>
                <OpenStoreForm opening reload />
            </Show>
            <form class="toolbar" role="search" on:submit=search>
                <label class="toolbar-search field">
                    <span class="visually-hidden">"Search stores"</span>
                    <input
                        class="input"
                        type="search"
                        placeholder="Search by name, slug or domain"
                        data-testid="tenant-search"
                        bind:value=typed
                    />
                </label>
                <label class="toolbar-filter">
                    <span class="visually-hidden">"Status"</span>
                    <select
                        class="input"
                        data-testid="tenant-status-filter"
                        prop:value=move || filters.status.get()
                        on:change=move |ev| {
                            filters.offset.set(0);
                            filters.status.set(event_target_value(&ev));
                        }
                    >
                        {[("", "All statuses"), ("active", "Active"), ("suspended", "Suspended")]
                            .into_iter()
                            .map(|(value, label)| {
                                view! {
                                    <option value=value prop:selected=move || filters.status.get() == value>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" class="button button-secondary button-inline" data-testid="tenant-search-submit">
                    "Search"
                </button>
            </form>
            {move || match load.get() {
                Load::Loading | Load::Missing => {
                    view! { <LoadingState label="Loading stores…" /> }.into_any()
                }
                Load::Failed(message) => {
                    let fetch = fetch.clone();
                    view! {
                        <ErrorState
                            title="The stores could not be loaded."
                            message
                            on_retry=move || fetch()
                        />
                    }
                    .into_any()
                }
                Load::Ready(page) if page.items.is_empty() && filtered() => view! {
                    <EmptyState title="No stores match" detail="Try another search or status.">
                        <button type="button" class="button button-secondary" on:click=move |_| clear()>
                            "Clear filters"
                        </button>
                    </EmptyState>
                }
                .into_any(),
                Load::Ready(page) if page.items.is_empty() && filters.offset.get_untracked() > 0 => view! {
                    <EmptyState title="No more stores" detail="This page is past the last store.">
                        <button type="button" class="button button-secondary" on:click=move |_| filters.offset.set(0)>
                            "Back to the first page"
                        </button>
                    </EmptyState>
                }
                .into_any(),
                Load::Ready(page) if page.items.is_empty() => view! {
                    <EmptyState
                        title="No stores yet"
                        detail="Stores appear here once merchants open them."
                    />
                }
                .into_any(),
                Load::Ready(page) => view! { <TenantTable page /> }.into_any(),
            }}
        </Panel>
    }
}

/// A page of stores, with Previous and Next under it.
#[component]
fn TenantTable(page: Page) -> impl IntoView {
    let filters = expect_context::<TenantFilters>();
    let offset = filters.offset.get_untracked();
    let shown = page.items.len();
    let summary = page_summary(offset, shown, page.total);
    let next = has_next(offset, shown, page.total);
    let rows = page
        .items
        .into_iter()
        .map(|tenant| view! { <TenantRow tenant /> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="tenant-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Slug"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Domains"</th>
                        <th scope="col" class="num">"Products"</th>
                        <th scope="col" class="num">"Orders"</th>
                        <th scope="col" class="num">"GMV"</th>
                        <th scope="col">"Last activity"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <div class="list-footer">
            <p class="muted" data-testid="tenant-count">{summary}</p>
            <div class="pager">
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="tenants-previous"
                    disabled=offset == 0
                    on:click=move |_| filters.offset.set(previous_offset(offset, TENANT_PAGE_SIZE))
                >
                    "Previous"
                </button>
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="tenants-next"
                    disabled=!next
                    on:click=move |_| filters.offset.set(offset + shown as u32)
                >
                    "Next"
                </button>
            </div>
        </div>
    }
}

/// One store's row; it opens the store's page.
#[component]
fn TenantRow(tenant: TenantSummary) -> impl IntoView {
    let target = Route::Tenant(tenant.tenant.id.to_string());
    let href = target.href();
    let gmv = gmv(&tenant);
    let domains = tenant.domains.join(", ");
    view! {
        <tr
            class="clickable"
            data-testid="tenant-row"
            data-tenant=tenant.tenant.slug.as_str().to_owned()
            on:click=move |_| route::navigate(&target)
        >
            <td class="cell-title">
                <a class="row-link" href=href>{tenant.tenant.name.clone()}</a>
            </td>
            <td>
                <code class="handle">{tenant.tenant.slug.as_str().to_owned()}</code>
            </td>
            <td>{tenant_badge(tenant.tenant.status)}</td>
            <td class="cell-domains">
                {if domains.is_empty() {
                    view! { <span class="muted">{NOTHING}</span> }.into_any()
                } else {
                    domains.into_any()
                }}
            </td>
            <td class="num">{number(tenant.product_count)}</td>
            <td class="num">{number(tenant.order_count)}</td>
            <td class="num">{gmv}</td>
            <td class="cell-date">{last_activity(tenant.last_activity_ms)}</td>
        </tr>
    }
}

/// One store in full.
#[component]
pub fn TenantPage(
    /// The store's id.
    id: String,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let notice = expect_context::<StoreNotice>();
    let load = RwSignal::new(Load::<TenantDetail>::Loading);
    // A store just opened says so (and who was invited) on its page.
    let outcome = RwSignal::new(notice.take(&id).map(Outcome::Done));

    let fetch = {
        let (api, id) = (api.clone(), id.clone());
        move || {
            load.set(Load::Loading);
            let (api, id) = (api.clone(), id.clone());
            spawn_local(async move {
                let answer = api.tenant(&id).await;
                if load.is_disposed() || answer.as_ref().is_err_and(Failure::is_unauthorized) {
                    return;
                }
                load.set(Load::of(answer));
            });
        }
    };
    fetch();

    view! {
        <p class="breadcrumb">
            <a href=Route::Tenants.href() data-testid="back-to-tenants">"← Tenants"</a>
        </p>
        {move || match load.get() {
            Load::Loading => view! {
                <section class="panel">
                    <LoadingState label="Loading the store…" />
                </section>
            }
            .into_any(),
            Load::Missing => view! {
                <section class="panel">
                    <EmptyState
                        title="This store does not exist"
                        detail="It may have been removed, or the link is wrong."
                    >
                        <a class="button button-secondary" href=Route::Tenants.href()>"Back to the stores"</a>
                    </EmptyState>
                </section>
            }
            .into_any(),
            Load::Failed(message) => {
                let fetch = fetch.clone();
                view! {
                    <section class="panel">
                        <ErrorState title="The store could not be loaded." message on_retry=move || fetch() />
                    </section>
                }
                .into_any()
            }
            Load::Ready(detail) => view! { <TenantDetailView detail load outcome /> }.into_any(),
        }}
    }
}

/// A store's figures, domains, team, Shopify shop and latest orders.
#[component]
fn TenantDetailView(
    detail: TenantDetail,
    load: RwSignal<Load<TenantDetail>>,
    outcome: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let TenantDetail {
        summary,
        domains,
        team,
        shopify_shop,
        recent_orders,
    } = detail;
    let tenant = summary.tenant.clone();
    let id = tenant.id.to_string();
    let status = tenant.status;
    let editing = RwSignal::new(false);
    let may_act = move || can_act(auth.role());
    let (_, button_label, _) = status_action(status);
    let status_button = move || {
        may_act().then(|| {
            view! {
                <button
                    type="button"
                    class=if status == TenantStatus::Active {
                        "button button-danger button-inline"
                    } else {
                        "button button-inline"
                    }
                    data-testid="tenant-status-button"
                    aria-expanded=move || editing.get().to_string()
                    on:click=move |_| {
                        outcome.set(None);
                        editing.update(|open| *open = !*open);
                    }
                >
                    {button_label}
                </button>
            }
        })
        .into_any()
    };
    let store_orders = Route::Orders(Some(id.clone())).href();
    let store_audit = Route::Audit(Some(id.clone())).href();
    let store_analytics = Route::Analytics(Some(id.clone())).href();
    let domain_rows = if domains.is_empty() {
        view! { <p class="empty-line">"No domains."</p> }.into_any()
    } else {
        let items = domains
            .into_iter()
            .map(|domain| {
                let recheck = can_recheck(domain.kind, domain.status).then(|| {
                    let (tenant, name) = (id.clone(), domain.domain.as_str().to_owned());
                    move || {
                        may_act().then(|| {
                            view! { <RecheckDomain tenant=tenant.clone() domain=name.clone() /> }
                        })
                    }
                });
                let status = domain.status.as_str();
                view! {
                    <li class="domain-row" data-testid="tenant-domain">
                        <span class="domain-name">{domain.domain.as_str().to_owned()}</span>
                        <span class=format!("badge badge-domain-{status}") data-status=status>
                            {domain_status_label(domain.status)}
                        </span>
                        <span class="muted">{domain_kind_label(domain.kind)}</span>
                        {domain.primary.then(|| view! { <span class="chip">"Primary"</span> })}
                        {domain.failure.map(|failure| view! { <span class="domain-failure">{failure}</span> })}
                        {domain.checked_at_ms.map(|ms| view! {
                            <span class="muted domain-checked">{format!("Checked {}", local_time(ms))}</span>
                        })}
                        {recheck}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain-list">{items}</ul> }.into_any()
    };
    let team_rows = if team.is_empty() {
        view! { <p class="empty-line">"No team members."</p> }.into_any()
    } else {
        let items = team
            .into_iter()
            .map(|member| {
                let email = member.email.unwrap_or_else(|| "No email on file".to_owned());
                view! {
                    <li class="team-row" data-testid="tenant-member">
                        <span class="team-email">{email}</span>
                        <span class="chip">{crate::format::capitalise(&member.role)}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain-list">{items}</ul> }.into_any()
    };

    view! {
        <Panel
            heading_id="tenant-heading"
            heading=tenant.name.clone()
            actions=Box::new(move || status_button.into_any())
        >
            <div class="panel-body">
                <OutcomeBanner outcome />
                <Show when=move || editing.get() && may_act()>
                    <StatusForm
                        id=id.clone()
                        name=tenant.name.clone()
                        status
                        editing
                        load
                        outcome
                    />
                </Show>
                <dl class="facts" data-testid="tenant-facts">
                    <div>
                        <dt>"Status"</dt>
                        <dd data-testid="tenant-status">{tenant_badge(status)}</dd>
                    </div>
                    <div>
                        <dt>"Slug"</dt>
                        <dd><code>{tenant.slug.as_str().to_owned()}</code></dd>
                    </div>
                    <div>
                        <dt>"Products"</dt>
                        <dd>{number(summary.product_count)}</dd>
                    </div>
                    <div>
                        <dt>"Orders"</dt>
                        <dd>{number(summary.order_count)}</dd>
                    </div>
                    <div>
                        <dt>"GMV"</dt>
                        <dd data-testid="tenant-gmv">{gmv(&summary)}</dd>
                    </div>
                    <div>
                        <dt>"Last activity"</dt>
                        <dd>{last_activity(summary.last_activity_ms)}</dd>
                    </div>
                    <div>
                        <dt>"Currency"</dt>
                        <dd>{tenant.currency.as_str().to_owned()}</dd>
                    </div>
                    <div>
                        <dt>"Shopify shop"</dt>
                        <dd data-testid="tenant-shopify">
                            {shopify_shop.unwrap_or_else(|| "Not connected".to_owned())}
                        </dd>
                    </div>
                </dl>
                <p class="links">
                    <a href=store_orders data-testid="tenant-orders-link">"Find this store’s orders"</a>
                    <a href=store_audit data-testid="tenant-audit-link">"This store’s audit log"</a>
                    <a href=store_analytics data-testid="tenant-analytics-link">"This store’s analytics"</a>
                </p>
            </div>
        </Panel>
        <div class="two-columns">
            <Panel heading_id="tenant-domains-heading" heading="Domains">
                <div class="panel-body">{domain_rows}</div>
            </Panel>
            <Panel heading_id="tenant-team-heading" heading="Team">
                <div class="panel-body">{team_rows}</div>
            </Panel>
        </div>
        <Panel heading_id="tenant-orders-heading" heading="Latest orders">
            {if recent_orders.is_empty() {
                view! { <EmptyState title="No orders yet" detail="Orders appear here once shoppers buy." /> }.into_any()
            } else {
                view! { <OrderHits hits=recent_orders show_store=false /> }.into_any()
            }}
        </Panel>
    }
}

/// Suspending or reopening a store: what it does, the reason (required) and Confirm.
#[component]
fn StatusForm(
    id: String,
    name: String,
    status: TenantStatus,
    editing: RwSignal<bool>,
    load: RwSignal<Load<TenantDetail>>,
    outcome: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let (next, label, explained) = status_action(status);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let heading = if next == TenantStatus::Suspended {
        format!("Suspend {name}?")
    } else {
        format!("Reopen {name}?")
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let text = reason.get_untracked().trim().to_owned();
        if let Some(problem) = reason_problem(&text) {
            error.set(Some(problem));
            return;
        }
        error.set(None);
        busy.set(true);
        let (api, id, name) = (api.clone(), id.clone(), name.clone());
        spawn_local(async move {
            let answer = api.set_tenant_status(&id, next, &text).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match answer {
                Ok(detail) => {
                    editing.set(false);
                    outcome.set(Some(Outcome::Done(status_done(&name, next))));
                    load.set(Load::Ready(detail));
                }
                Err(failure) if failure.is_unauthorized() => {}
                Err(failure) => error.set(Some(failure.said())),
            }
        });
    };
    view! {
        <form class="status-form" data-testid="status-form" on:submit=submit novalidate>
            <p class="status-form-title">{heading}</p>
            <p class="status-form-explained">{explained}</p>
            <label class="field">
                <span class="label">"Reason (kept in the audit log)"</span>
                <textarea
                    class="input"
                    rows="3"
                    maxlength=REASON_MAX.to_string()
                    data-testid="status-reason"
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    bind:value=reason
                ></textarea>
            </label>
            {move || error.get().map(|message| view! {
                <p class="form-error" role="alert" data-testid="status-error">{message}</p>
            })}
            <div class="form-row">
                <button
                    type="submit"
                    class=if next == TenantStatus::Suspended { "button button-danger-solid" } else { "button" }
                    data-testid="status-confirm"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { "Saving…" } else { label }}
                </button>
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="status-cancel"
                    on:click=move |_| editing.set(false)
                >
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

/// Opening a store for a merchant (admins): its name, slug, owner's email and currency. The owner
/// is invited by email; once the store is open its page shows.
#[component]
fn OpenStoreForm(
    /// Whether the form is open (closed by Cancel).
    opening: RwSignal<bool>,
    /// Fetches the store list again (a store may exist after a failure too).
    reload: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let directory = expect_context::<Directory>();
    let notice = expect_context::<StoreNotice>();
    // The platform's domain, for the address the slug makes, as the stores' addresses show it.
    directory.ensure(&api);
    let name = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let slug_edited = RwSignal::new(false);
    let owner = RwSignal::new(String::new());
    let currency = RwSignal::new(DEFAULT_CURRENCY.to_owned());
    let errors = RwSignal::new(FieldErrors::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let forget = move |path: &'static str| {
        if errors.with_untracked(|errors| errors.contains_key(path)) {
            errors.update(|errors| {
                errors.remove(path);
            });
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let store = NewStoreForMerchant {
            name: name.get_untracked().trim().to_owned(),
            slug: slug.get_untracked().trim().to_owned(),
            owner_email: owner.get_untracked().trim().to_owned(),
            currency: Some(currency.get_untracked().trim().to_ascii_uppercase()),
        };
        let found = check_new_store(&store);
        problem.set(None);
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        errors.set(FieldErrors::new());
        busy.set(true);
        let api = api.clone();
        spawn_local(async move {
            let answer = api.open_store(&store).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match answer {
                Ok(detail) => {
                    let id = detail.summary.tenant.id.to_string();
                    // The pickers list the new store the next time they are shown.
                    directory.clear();
                    notice.leave(id.clone(), invite_sent(&detail.summary.tenant.name, &store.owner_email));
                    opening.set(false);
                    route::navigate(&Route::Tenant(id));
                }
                Err(failure) if failure.is_unauthorized() => {}
                Err(failure) if failure.has_fields() => {
                    let unplaced: Vec<String> = failure
                        .fields
                        .iter()
                        .filter(|(path, _)| !NEW_STORE_FIELDS.contains(&path.as_str()))
                        .map(|(path, message)| field_sentence(&store_field_subject(path), message))
                        .collect();
                    if !unplaced.is_empty() {
                        problem.set(Some(unplaced.join(" ")));
                    }
                    errors.set(failure.fields);
                }
                Err(failure) => {
                    if failure.status == Some(503) {
                        // The store may be open without its invite: the list shows it.
                        directory.clear();
                        reload.run(());
                    }
                    problem.set(Some(failure.said()));
                }
            }
        });
    };

    let error_of = move |path: &'static str| {
        move || {
            errors
                .with(|errors| {
                    errors
                        .get(path)
                        .map(|message| field_sentence(&store_field_subject(path), message))
                })
                .map(|text| {
                    view! {
                        <p
                            class="field-error"
                            id=format!("new-store-{path}-error")
                            data-testid="field-error"
                            data-field=path
                        >
                            {text}
                        </p>
                    }
                })
        }
    };
    let invalid = move |path: &'static str| {
        move || errors.with(|errors| errors.contains_key(path)).then_some("true")
    };
    let address = move || store_address(&slug.get(), directory.platform_domain().as_deref());

    view! {
        <form
            class="open-store"
            id="open-store-form"
            data-testid="open-store-form"
            aria-labelledby="open-store-heading"
            on:submit=submit
            novalidate
        >
            <p class="status-form-title" id="open-store-heading">"Open a store for a merchant"</p>
            <p class="status-form-explained">
                "The store opens at once. Its owner gets an email invite and becomes the owner when they accept it."
            </p>
            <div class="form-grid">
                <label class="field">
                    <span class="label">"Store name"</span>
                    <input
                        class="input"
                        type="text"
                        maxlength=NAME_MAX.to_string()
                        autocomplete="off"
                        data-testid="new-store-name"
                        aria-invalid=invalid("name")
                        prop:value=move || name.get()
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            if !slug_edited.get_untracked() {
                                slug.set(suggest_slug(&value));
                            }
                            name.set(value);
                            forget("name");
                        }
                    />
                    {error_of("name")}
                </label>
                <label class="field">
                    <span class="label">"Slug"</span>
                    <input
                        class="input"
                        type="text"
                        maxlength=SLUG_LENGTH.end().to_string()
                        autocomplete="off"
                        autocapitalize="none"
                        spellcheck="false"
                        placeholder="chai-corner"
                        data-testid="new-store-slug"
                        aria-invalid=invalid("slug")
                        aria-describedby="new-store-slug-hint"
                        prop:value=move || slug.get()
                        on:input=move |ev| {
                            slug_edited.set(true);
                            slug.set(event_target_value(&ev).to_ascii_lowercase());
                            forget("slug");
                        }
                    />
                    <span class="hint" id="new-store-slug-hint">
                        "3 to 40 lower-case letters, digits or hyphens. It becomes the store’s address on Zelly: "
                        <strong class="store-address" data-testid="new-store-address">{address}</strong>
                    </span>
                    {error_of("slug")}
                </label>
                <label class="field">
                    <span class="label">"Owner’s email"</span>
                    <input
                        class="input"
                        type="email"
                        autocomplete="off"
                        spellcheck="false"
                        data-testid="new-store-owner"
                        aria-invalid=invalid("owner_email")
                        prop:value=move || owner.get()
                        on:input=move |ev| {
                            owner.set(event_target_value(&ev));
                            forget("owner_email");
                        }
                    />
                    <span class="hint">"We email them an invite to the store."</span>
                    {error_of("owner_email")}
                </label>
                <label class="field">
                    <span class="label">"Currency"</span>
                    <input
                        class="input input-currency"
                        type="text"
                        maxlength="3"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        data-testid="new-store-currency"
                        aria-invalid=invalid("currency")
                        prop:value=move || currency.get()
                        on:input=move |ev| {
                            currency.set(event_target_value(&ev).to_ascii_uppercase());
                            forget("currency");
                        }
                    />
                    <span class="hint">"The three-letter code its prices are in; INR unless the merchant sells in another."</span>
                    {error_of("currency")}
                </label>
            </div>
            {move || problem.get().map(|message| view! {
                <p class="form-error" role="alert" data-testid="new-store-error">{message}</p>
            })}
            <div class="form-row">
                <button
                    type="submit"
                    class="button"
                    data-testid="new-store-submit"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { "Opening the store…" } else { "Open the store" }}
                </button>
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="new-store-cancel"
                    on:click=move |_| opening.set(false)
                >
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

/// "Check DNS again" for a custom domain that is live or flagged (support and admins), and what
/// came of it.
#[component]
fn RecheckDomain(
    /// The store's id.
    tenant: String,
    /// The domain.
    domain: String,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let answer = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let which = format!(" for {domain}");
    let check = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        answer.set(None);
        let (api, tenant, domain) = (api.clone(), tenant.clone(), domain.clone());
        spawn_local(async move {
            let result = api.recheck_domain(&tenant, &domain).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match result {
                Ok(requested) => answer.set(Some(Ok(requested.message))),
                Err(failure) if failure.is_unauthorized() => {}
                Err(failure) if failure.is_not_found() => {
                    answer.set(Some(Err(RECHECK_REFUSED.to_owned())));
                }
                Err(failure) => answer.set(Some(Err(failure.said()))),
            }
        });
    };
    view! {
        <button
            type="button"
            class="button button-secondary button-small domain-recheck"
            data-testid="recheck-domain"
            disabled=move || busy.get()
            on:click=check
        >
            {move || if busy.get() { "Asking…" } else { "Check DNS again" }}
            <span class="visually-hidden">{which}</span>
        </button>
        {move || answer.get().map(|result| match result {
            Ok(message) => view! {
                <span class="domain-note" role="status" data-testid="recheck-message">{message}</span>
            }
            .into_any(),
            Err(message) => view! {
                <span class="domain-failure" role="alert" data-testid="recheck-error">{message}</span>
            }
            .into_any(),
        })}
    }
}

/// A table of orders found (the order search's results, a store's latest orders); a row opens the
/// order. `show_store` adds the store's slug.
#[component]
pub fn OrderHits(
    /// The orders, newest first.
    hits: Vec<AdminOrderHit>,
    /// Whether to name each order's store.
    show_store: bool,
) -> impl IntoView {
    let rows = hits
        .into_iter()
        .map(|hit| {
            let target = Route::Order(hit.id.to_string());
            let href = target.href();
            let total = money(hit.total_minor, &hit.currency);
            let store = show_store.then(|| {
                let store_href = Route::Tenant(hit.tenant_id.to_string()).href();
                view! {
                    <td>
                        <a class="row-link" href=store_href on:click=|ev| ev.stop_propagation()>
                            <code class="handle">{hit.tenant_slug.clone()}</code>
                        </a>
                    </td>
                }
            });
            view! {
                <tr class="clickable" data-testid="order-row" on:click=move |_| route::navigate(&target)>
                    <td class="cell-title">
                        <a class="row-link" href=href>{format!("#{}", hit.number)}</a>
                    </td>
                    {store}
                    <td>{order_badge(&hit.status)}</td>
                    <td class="cell-email">{hit.email.clone()}</td>
                    <td>{hit.phone.clone().unwrap_or_else(|| NOTHING.to_owned())}</td>
                    <td class="num">{total}</td>
                    <td class="cell-date">{local_time(hit.created_at_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="order-table">
                <thead>
                    <tr>
                        <th scope="col">"Order"</th>
                        {show_store.then(|| view! { <th scope="col">"Store"</th> })}
                        <th scope="col">"Status"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Phone"</th>
                        <th scope="col" class="num">"Total"</th>
                        <th scope="col">"Placed"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_footer_says_which_stores_are_shown() {
        assert_eq!(page_summary(0, 50, 123), "Showing 1–50 of 123 stores");
        assert_eq!(page_summary(100, 23, 123), "Showing 101–123 of 123 stores");
        assert_eq!(page_summary(0, 1, 1), "Showing 1–1 of 1 store");
        assert_eq!(page_summary(0, 0, 0), "0 stores");
        assert_eq!(page_summary(0, 2, 0), "Showing 1–2 of 2 stores");
        assert_eq!(page_summary(0, 50, 1234), "Showing 1–50 of 1,234 stores");
    }

    #[test]
    fn paging_stops_at_both_ends() {
        assert!(has_next(0, 50, 123));
        assert!(has_next(50, 50, 123));
        assert!(!has_next(100, 23, 123));
        assert!(!has_next(0, 0, 0));
        assert_eq!(previous_offset(100, 50), 50);
        assert_eq!(previous_offset(30, 50), 0);
        assert_eq!(previous_offset(0, 50), 0);
    }

    #[test]
    fn the_status_button_does_the_opposite_of_the_status() {
        assert_eq!(
            status_action(TenantStatus::Active),
            (TenantStatus::Suspended, "Suspend store", SUSPEND_EXPLAINED)
        );
        assert_eq!(status_action(TenantStatus::Suspended).0, TenantStatus::Active);
        assert_eq!(status_action(TenantStatus::Suspended).1, "Reopen store");
        assert_eq!(status_done("Chai Corner", TenantStatus::Suspended), "Chai Corner is suspended.");
        assert_eq!(status_done("Chai Corner", TenantStatus::Active), "Chai Corner is open again.");
    }

    fn new_store(name: &str, slug: &str, email: &str, currency: &str) -> NewStoreForMerchant {
        NewStoreForMerchant {
            name: name.into(),
            slug: slug.into(),
            owner_email: email.into(),
            currency: Some(currency.into()),
        }
    }

    #[test]
    fn a_slug_is_suggested_from_the_name() {
        assert_eq!(suggest_slug("Chai Corner"), "chai-corner");
        assert_eq!(suggest_slug("  Chai & Co. "), "chai-co");
        assert_eq!(suggest_slug("Dosa—Day 2"), "dosa-day-2");
        assert_eq!(suggest_slug("!!!"), "");
        let long = suggest_slug(&"word ".repeat(20));
        assert!(long.len() <= 40 && !long.ends_with('-'));
        assert!(is_slug(&long));
    }

    #[test]
    fn the_slug_names_the_stores_address() {
        assert_eq!(store_address("chai", Some("zelly.in")), "chai.zelly.in");
        assert_eq!(store_address("", Some("zelly.in")), "{slug}.zelly.in");
        assert_eq!(store_address("chai", None), "chai.<platform domain>");
    }

    #[test]
    fn a_new_store_is_checked_before_it_is_sent() {
        assert!(check_new_store(&new_store("Chai Corner", "chai-corner", "asha@example.in", "INR")).is_empty());
        let empty = check_new_store(&new_store(" ", "", "", ""));
        assert_eq!(
            empty.keys().map(String::as_str).collect::<Vec<_>>(),
            ["currency", "name", "owner_email", "slug"]
        );
        let bad = check_new_store(&new_store("x", "-chai", "asha@", "inr"));
        assert!(bad["slug"].starts_with("Use 3 to 40"));
        assert!(bad["owner_email"].starts_with("Enter an email"));
        assert!(bad["currency"].contains("three-letter"));
        assert!(check_new_store(&new_store("x", "ab", "a@b.co", "INR")).contains_key("slug"));
        assert!(check_new_store(&new_store("x", "admin", "a@b.co", "INR"))["slug"].contains("kept for Zelly"));
        assert!(check_new_store(&new_store(&"n".repeat(101), "abc", "a@b.co", "USD")).contains_key("name"));
        let default_currency = NewStoreForMerchant {
            currency: None,
            ..new_store("x", "abc", "a@b.co", "")
        };
        assert!(check_new_store(&default_currency).is_empty());
    }

    #[test]
    fn the_apis_field_errors_name_their_field() {
        assert_eq!(
            field_sentence(&store_field_subject("slug"), "is taken; choose another"),
            "The slug is taken; choose another."
        );
        assert_eq!(
            field_sentence(&store_field_subject("owner_email"), "must be an email address"),
            "The owner’s email must be an email address."
        );
        assert_eq!(
            invite_sent("Chai Corner", "asha@example.in"),
            "Chai Corner is open. We emailed an invite to asha@example.in; they become the owner when they accept it."
        );
    }

    #[test]
    fn a_status_change_needs_a_reason() {
        assert!(reason_problem("").is_some());
        assert!(reason_problem("   ").is_some());
        assert_eq!(reason_problem("Fraud reports from three shoppers"), None);
        assert_eq!(reason_problem(&"x".repeat(REASON_MAX)), None);
        assert_eq!(
            reason_problem(&"x".repeat(REASON_MAX + 1)),
            Some("Keep it to 500 characters (now 501).".to_owned())
        );
    }
}
