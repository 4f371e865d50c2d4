//! The panel's views: the page shell, the tenant list and its loading, error and empty states.

use crate::api;
use crate::config::Config;
use leptos::prelude::*;
use zelly_edge::dto::TenantOverview;

/// The whole panel: a header bar and the tenant list.
#[component]
pub fn App() -> impl IntoView {
    let config = Config::from_page();
    view! {
        <header class="topbar">
            <div class="topbar-inner">
                <span class="logo" aria-hidden="true"></span>
                <h1 class="brand">"Zelly Admin"</h1>
            </div>
        </header>
        <main class="content">
            <TenantsPage config />
        </main>
    }
}

/// Every tenant on the platform, fetched from admin-api on load and again on Retry.
#[component]
pub fn TenantsPage(
    /// Where admin-api is.
    config: Config,
) -> impl IntoView {
    let Config { api_base } = config;
    let tenants = LocalResource::new(move || {
        let api_base = api_base.clone();
        async move { api::fetch_tenants(&api_base).await }
    });

    view! {
        <section class="panel" aria-labelledby="tenants-heading">
            <div class="panel-head">
                <h2 id="tenants-heading">"Tenants"</h2>
            </div>
            // Suspense (not Transition) so that Retry shows the loading state again.
            <Suspense fallback=|| view! { <LoadingState label="Loading tenants…" /> }>
                {move || Suspend::new(async move {
                    match tenants.await {
                        Err(message) => {
                            view! { <ErrorState message on_retry=move || tenants.refetch() /> }
                                .into_any()
                        }
                        Ok(list) if list.is_empty() => view! { <EmptyState /> }.into_any(),
                        Ok(list) => view! { <TenantTable tenants=list /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The table of tenants.
#[component]
fn TenantTable(tenants: Vec<TenantOverview>) -> impl IntoView {
    let count = match tenants.len() {
        1 => "1 tenant".to_owned(),
        n => format!("{n} tenants"),
    };
    view! {
        <p class="summary">{count}</p>
        <div class="table-wrap">
            <table class="data-table" data-testid="tenant-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Slug"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Domains"</th>
                        <th scope="col" class="num">"Products"</th>
                    </tr>
                </thead>
                <tbody>
                    {tenants.into_iter().map(|tenant| view! { <TenantRow tenant /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One tenant's row.
#[component]
fn TenantRow(tenant: TenantOverview) -> impl IntoView {
    let TenantOverview {
        tenant,
        domains,
        product_count,
    } = tenant;
    let status = tenant.status.as_str();
    let domains = domains
        .iter()
        .map(|domain| domain.as_str())
        .collect::<Vec<_>>()
        .join(", ");

    view! {
        <tr data-testid="tenant-row">
            <td class="cell-title">{tenant.name}</td>
            <td>
                <code class="handle">{tenant.slug.to_string()}</code>
            </td>
            <td>
                <span class=format!("badge badge-{status}")>{status}</span>
            </td>
            <td class="cell-domains">
                {if domains.is_empty() {
                    view! { <span class="muted">"—"</span> }.into_any()
                } else {
                    domains.into_any()
                }}
            </td>
            <td class="num">{product_count}</td>
        </tr>
    }
}

/// Shown while the tenants load.
#[component]
fn LoadingState(label: &'static str) -> impl IntoView {
    view! {
        <div class="state state-loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

/// Shown when the tenants could not be loaded.
#[component]
fn ErrorState(message: String, #[prop(into)] on_retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="state state-error" role="alert">
            <p class="state-title">"The tenants could not be loaded."</p>
            <p class="state-detail">{message}</p>
            <button type="button" class="button" on:click=move |_| on_retry.run(())>
                "Retry"
            </button>
        </div>
    }
}

/// Shown when the platform has no tenants.
#[component]
fn EmptyState() -> impl IntoView {
    view! {
        <div class="state state-empty">
            <p class="state-title">"No tenants yet"</p>
            <p class="state-detail">"Merchants appear here once their store is created."</p>
        </div>
    }
}
