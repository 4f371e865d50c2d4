//! Settings → Shopify (`#/settings/shopify`): connect the store's Shopify shop, watch its catalog
//! come in ("Imported 120 of 300 products"), see how the last import went, import again, and
//! disconnect.
//!
//! Owners make the changes; staff see the state without the controls (core-api refuses them
//! anyway, with a 403). While an import runs the screen asks for its progress every two seconds.

use crate::api::Api;
use crate::app::{CurrentStore, format_time};
use crate::route::Route;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::catalog::Role;
use zelly_edge::shopify::{ShopifyConnectionState, ShopifySync, SyncStatus};
use zelly_ui_kit::api::ApiError;
use zelly_ui_kit::views::{Banner, ErrorState, LoadingState, Panel, Tone};

/// How often a running import's progress is asked for.
const POLL_MS: u64 = 2_000;

/// The progress line of an import: "Imported 120 of 300 products".
pub fn progress_words(sync: &ShopifySync) -> String {
    match sync.total {
        Some(total) => format!("Imported {} of {} products", sync.imported.min(total), total),
        None => format!("Imported {} products", sync.imported),
    }
}

/// How the last import ended, in a merchant's words, and its banner's tone.
pub fn outcome_words(sync: &ShopifySync) -> (Tone, String) {
    match sync.status {
        SyncStatus::Running => (Tone::Success, format!("{}…", progress_words(sync))),
        SyncStatus::Succeeded => {
            let mut words = format!("Import finished: {} products read from Shopify", sync.imported);
            if sync.archived > 0 {
                words.push_str(&format!(", {} archived because they are gone from Shopify", sync.archived));
            }
            if !sync.skipped.is_empty() {
                words.push_str(&format!(", {} could not be imported (see below)", sync.skipped.len()));
            }
            words.push('.');
            (if sync.skipped.is_empty() { Tone::Success } else { Tone::Warning }, words)
        }
        SyncStatus::Failed => (
            Tone::Error,
            format!(
                "The import stopped: {}. Products already imported stay; press Import again to finish.",
                sync.error.as_deref().unwrap_or("Shopify did not answer")
            ),
        ),
    }
}

/// Percent done, for the progress bar (0 while the total is unknown).
pub fn percent(sync: &ShopifySync) -> u32 {
    match sync.total {
        Some(total) if total > 0 => u32::try_from((sync.imported.min(total) * 100) / total).unwrap_or(100),
        _ => 0,
    }
}

/// What a failed request means to the merchant.
fn failure(error: &ApiError) -> String {
    if error.status == Some(503) {
        "Shopify is not set up on this Zelly installation yet. Ask the platform team.".into()
    } else {
        error.message.clone()
    }
}

/// Loads the connection into `state`, and again every [`POLL_MS`] while an import runs.
fn poll(api: Api, state: RwSignal<Option<ShopifyConnectionState>>, failed: RwSignal<Option<String>>) {
    failed.set(None);
    spawn_local(async move {
        let answer = api.shopify().await;
        if state.is_disposed() {
            return;
        }
        match answer {
            Ok(loaded) => {
                let running = loaded.sync.as_ref().is_some_and(|s| s.status == SyncStatus::Running);
                state.set(Some(loaded));
                if running {
                    set_timeout(move || poll(api, state, failed), std::time::Duration::from_millis(POLL_MS));
                }
            }
            Err(error) if error.is_unauthorized() => {}
            Err(error) => failed.set(Some(failure(&error))),
        }
    });
}

/// The Shopify screen.
#[component]
pub fn ShopifyPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let session = expect_context::<CurrentStore>().0;
    let state = RwSignal::new(None::<ShopifyConnectionState>);
    let failed = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<(Tone, String)>);
    let busy = RwSignal::new(false);
    let is_owner = move || session.try_with(|s| s.as_ref().is_some_and(|s| s.role == Role::Owner)).unwrap_or(false);

    // Loads the state; while an import runs, again every POLL_MS until it ends.
    let load = {
        let api = api.clone();
        move || poll(api.clone(), state, failed)
    };
    load();

    let connect = {
        let api = api.clone();
        move |shop: String| {
            let api = api.clone();
            busy.set(true);
            notice.set(None);
            spawn_local(async move {
                let result = api.shopify_install(&shop).await;
                if busy.is_disposed() {
                    return;
                }
                match result {
                    // Shopify asks the owner to approve, then sends them back here.
                    Ok(start) => {
                        let _ = window().location().set_href(&start.authorize_url);
                    }
                    Err(error) => {
                        busy.set(false);
                        notice.set(Some((Tone::Error, failure(&error))));
                    }
                }
            });
        }
    };
    let import = {
        let (api, load) = (api.clone(), load.clone());
        move |_| {
            let (api, load) = (api.clone(), load.clone());
            busy.set(true);
            notice.set(None);
            spawn_local(async move {
                let result = api.shopify_sync().await;
                if busy.is_disposed() {
                    return;
                }
                busy.set(false);
                if let Err(error) = result {
                    notice.set(Some((Tone::Error, failure(&error))));
                }
                load();
            });
        }
    };
    let disconnect = {
        let (api, load) = (api.clone(), load.clone());
        move |_| {
            let confirmed = window()
                .confirm_with_message("Disconnect Shopify? Your products stay in Zelly, but changes in Shopify no longer arrive.")
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let (api, load) = (api.clone(), load.clone());
            busy.set(true);
            spawn_local(async move {
                let result = api.shopify_disconnect().await;
                if busy.is_disposed() {
                    return;
                }
                busy.set(false);
                match result {
                    Ok(()) => notice.set(Some((Tone::Success, "Shopify is disconnected. Your products stay here.".into()))),
                    Err(error) => notice.set(Some((Tone::Error, failure(&error)))),
                }
                load();
            });
        }
    };

    view! {
        <Panel heading_id="shopify-heading" heading="Shopify">
            <div class="panel-body shopify" data-testid="shopify">
                <p class="muted">
                    "Sell the products you keep in Shopify on your Zelly store. Zelly imports them, and every change you make in Shopify arrives here within seconds."
                </p>
                <p><a href=Route::Settings.href() class="link">"← Back to settings"</a></p>
                <Show when=move || !is_owner()>
                    <p class="muted" data-testid="shopify-read-only">"Only the store’s owners can connect or disconnect Shopify."</p>
                </Show>
                {move || notice.try_get().flatten().map(|(tone, message)| view! { <Banner tone message testid="shopify-notice" /> })}
                {let load = load.clone();
                let connect = connect.clone();
                let import = import.clone();
                let disconnect = disconnect.clone();
                move || {
                    if let Some(message) = failed.try_get().flatten() {
                        let load = load.clone();
                        return view! { <ErrorState title="Your Shopify connection could not be loaded." message on_retry=move || load() /> }.into_any();
                    }
                    let Some(current) = state.try_get().flatten() else {
                        return view! { <LoadingState label="Loading your Shopify connection…" /> }.into_any();
                    };
                    let owner = is_owner();
                    if !current.connected {
                        let connect = connect.clone();
                        return view! { <ConnectForm owner busy connect=Callback::new(move |shop: String| connect(shop)) /> }.into_any();
                    }
                    let shop = current.shop.clone().unwrap_or_default();
                    let since = current.connected_at_ms.map(format_time).unwrap_or_default();
                    let running = current.sync.as_ref().is_some_and(|s| s.status == SyncStatus::Running);
                    let import = import.clone();
                    let disconnect = disconnect.clone();
                    view! {
                        <dl class="facts" data-testid="shopify-connected">
                            <dt>"Shop"</dt><dd data-testid="shopify-shop">{shop}</dd>
                            <dt>"Connected"</dt><dd>{since}</dd>
                            <dt>"Products from Shopify"</dt><dd data-testid="shopify-products">{current.products}</dd>
                        </dl>
                        {current.sync.clone().map(|sync| view! { <SyncReport sync /> })}
                        <Show when=move || owner>
                            <div class="actions">
                                <button class="button" data-testid="shopify-import" disabled=move || busy.get() || running on:click=import.clone()>
                                    {if running { "Importing…" } else { "Import from Shopify now" }}
                                </button>
                                <button class="button button-secondary" data-testid="shopify-disconnect" disabled=move || busy.get() on:click=disconnect.clone()>
                                    "Disconnect"
                                </button>
                            </div>
                        </Show>
                    }
                        .into_any()
                }}
            </div>
        </Panel>
    }
}

/// The last import: its progress while it runs, then how it ended and what it skipped.
#[component]
fn SyncReport(sync: ShopifySync) -> impl IntoView {
    let (tone, message) = outcome_words(&sync);
    let running = sync.status == SyncStatus::Running;
    let done = percent(&sync);
    let when = sync.finished_at_ms.unwrap_or(sync.started_at_ms);
    view! {
        <section class="sync-report" data-testid="shopify-sync">
            <h3 class="section-title">{if running { "Importing your products" } else { "Last import" }}</h3>
            {running.then(|| view! {
                <progress class="progress" max="100" value=done.to_string() aria-label="Import progress" data-testid="shopify-progress"></progress>
            })}
            <Banner tone message testid="shopify-sync-status" />
            <p class="muted">{format!("{} {}", if running { "Started" } else { "Ended" }, format_time(when))}</p>
            {(!sync.skipped.is_empty()).then(|| view! {
                <h4 class="section-title">"Not imported"</h4>
                <ul class="skipped" data-testid="shopify-skipped">
                    {sync.skipped.iter().map(|s| view! {
                        <li><strong>{if s.title.is_empty() { s.shopify_id.clone() } else { s.title.clone() }}</strong>": "{s.reason.clone()}</li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// The connect form: the shop's name, then off to Shopify to approve.
#[component]
fn ConnectForm(owner: bool, busy: RwSignal<bool>, connect: Callback<String>) -> impl IntoView {
    let shop = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = shop.get_untracked().trim().to_owned();
        if typed.is_empty() {
            problem.set(Some("Type your shop’s name, as in your-shop.myshopify.com."));
            return;
        }
        problem.set(None);
        connect.run(typed);
    };
    view! {
        <p data-testid="shopify-not-connected">"No Shopify shop is connected."</p>
        {owner.then(|| view! {
            <form class="invite-form" on:submit=submit novalidate data-testid="shopify-connect-form">
                <label class="field invite-email">
                    <span class="label">"Your Shopify shop"</span>
                    <input class="input" data-testid="shopify-shop-input" placeholder="your-shop.myshopify.com"
                        autocapitalize="none" spellcheck="false" bind:value=shop />
                    {move || problem.get().map(|p| view! { <span class="field-error">{p}</span> })}
                </label>
                <button type="submit" class="button invite-submit" data-testid="shopify-connect" disabled=move || busy.get()>
                    {move || if busy.get() { "Opening Shopify…" } else { "Connect Shopify" }}
                </button>
            </form>
            <p class="muted">"Shopify asks you to approve Zelly, then brings you back here and the import starts."</p>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync(status: SyncStatus, imported: i64, total: Option<i64>) -> ShopifySync {
        ShopifySync {
            run_id: "r".into(),
            status,
            imported,
            total,
            archived: 0,
            skipped: Vec::new(),
            error: None,
            started_at_ms: 1,
            finished_at_ms: None,
            cursor: None,
        }
    }

    #[test]
    fn progress_reads_as_products_imported_of_the_total() {
        assert_eq!(progress_words(&sync(SyncStatus::Running, 120, Some(300))), "Imported 120 of 300 products");
        assert_eq!(progress_words(&sync(SyncStatus::Running, 20, None)), "Imported 20 products");
        assert_eq!(percent(&sync(SyncStatus::Running, 150, Some(300))), 50);
        assert_eq!(percent(&sync(SyncStatus::Running, 5, None)), 0);
    }

    #[test]
    fn the_outcome_says_what_happened_and_what_to_do() {
        let mut done = sync(SyncStatus::Succeeded, 300, Some(300));
        done.archived = 2;
        let (tone, words) = outcome_words(&done);
        assert_eq!(tone, Tone::Success);
        assert!(words.contains("300 products") && words.contains("2 archived"), "{words}");
        let mut failed = sync(SyncStatus::Failed, 40, Some(300));
        failed.error = Some("Shopify answered 401 Unauthorized".into());
        let (tone, words) = outcome_words(&failed);
        assert_eq!(tone, Tone::Error);
        assert!(words.contains("401") && words.contains("Import again"), "{words}");
    }
}
