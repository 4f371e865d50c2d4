//! The panel's views: the page shell, the tenant list and its loading, error and empty states.

use crate::api;
use crate::config::Config;
use leptos::prelude::*;
use zelly_edge::dto::TenantOverview;
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel, Shell};

/// The whole panel: a header bar and the tenant list.
#[component]
pub fn App() -> impl IntoView {
    let config = Config::from_page();
    view! {
        <Shell brand="Zelly Admin">
            <TenantsPage config />
        </Shell>
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
        <Panel heading_id="tenants-heading" heading="Tenants">
            // Suspense (not Transition) so that Retry shows the loading state again.
            <Suspense fallback=|| view! { <LoadingState label="Loading tenants…" /> }>
                {move || Suspend::new(async move {
                    match tenants.await {
                        Err(message) => {
                            view! {
                                <ErrorState
                                    title="The tenants could not be loaded."
                                    message
                                    on_retry=move || tenants.refetch()
                                />
                            }
                                .into_any()
                        }
                        Ok(list) if list.is_empty() => {
                            view! {
                                <EmptyState
                                    title="No tenants yet"
                                    detail="Merchants appear here once their store is created."
                                />
                            }
                                .into_any()
                        }
                        Ok(list) => view! { <TenantTable tenants=list /> }.into_any(),
                    }
                })}
            </Suspense>
        </Panel>
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
