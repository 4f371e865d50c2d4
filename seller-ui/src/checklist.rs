//! The home screen's checklist while a store is new: add a product, set up payments, connect a
//! domain, launch. It shows to owners until every step is done or they dismiss it.
//!
//! It sits on the product list, but in its own wasm piece, fetched after the list (see
//! [`crate::screens::LazyChecklist`]); it reads only the few fields it needs from the answers,
//! with small structs of its own rather than the settings' and domains' full shapes.

use crate::api::{Api, SELLER_DOMAINS_PATH, SELLER_STORE_PATH};
use crate::app::CurrentStore;
use crate::config::Config;
use crate::route::Route;
use crate::stores::{flag, set_flag};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::catalog::Role;
use zelly_ui_kit::serde::Deserialize;

/// The part of `GET /api/seller/store` the checklist reads.
#[derive(Deserialize)]
#[serde(crate = "zelly_ui_kit::serde")]
struct PaymentsBrief {
    #[serde(default)]
    cash_on_delivery: bool,
}

/// The part of `GET /api/seller/domains` the checklist reads.
#[derive(Deserialize)]
#[serde(crate = "zelly_ui_kit::serde")]
struct DomainsBrief {
    domains: Vec<DomainBrief>,
}

#[derive(Deserialize)]
#[serde(crate = "zelly_ui_kit::serde")]
struct DomainBrief {
    kind: String,
    status: String,
}

/// Which steps are done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// The store has a product.
    pub product: bool,
    /// Cash on delivery is on (online payments need no setting).
    pub payments: bool,
    /// A custom domain is live.
    pub domain: bool,
    /// The merchant has opened their storefront from here.
    pub launched: bool,
}

impl Progress {
    /// How many of the four steps are done.
    pub fn done(&self) -> usize {
        [self.product, self.payments, self.domain, self.launched]
            .into_iter()
            .filter(|done| *done)
            .count()
    }
}

/// The flag names under which a store's checklist state is kept.
fn flags(slug: &str) -> (String, String) {
    (format!("checklist-dismissed.{slug}"), format!("checklist-launched.{slug}"))
}

/// The checklist, for owners of a store that is not set up yet.
#[component]
pub fn OnboardingChecklist() -> impl IntoView {
    let api = expect_context::<Api>();
    let current = expect_context::<CurrentStore>();
    let storefront_base = expect_context::<Config>().storefront_base;
    let Some((slug, owner)) = current
        .0
        .with_untracked(|s| s.as_ref().map(|s| (s.tenant.slug.as_str().to_owned(), s.role == Role::Owner)))
    else {
        return ().into_any();
    };
    let (dismissed_flag, launched_flag) = flags(&slug);
    if !owner || flag(&dismissed_flag) {
        return ().into_any();
    }
    let progress = RwSignal::new(None::<Progress>);
    let hidden = RwSignal::new(false);
    let launched = flag(&launched_flag);
    spawn_local(async move {
        let product = api
            .products("", None, None, 1)
            .await
            .is_ok_and(|page| !page.items.is_empty());
        let payments = api
            .get::<PaymentsBrief>(SELLER_STORE_PATH)
            .await
            .is_ok_and(|store| store.cash_on_delivery);
        let domain = api.get::<DomainsBrief>(SELLER_DOMAINS_PATH).await.is_ok_and(|d| {
            d.domains.iter().any(|d| d.kind == "custom" && d.status == "active")
        });
        // The product list may have gone while the calls were out.
        if !progress.is_disposed() {
            progress.set(Some(Progress { product, payments, domain, launched }));
        }
    });
    let store_url = current.storefront_url(&storefront_base);

    let step = move |done: bool, label: &'static str, detail: &'static str, href: String, testid: &'static str| {
        view! {
            <li class="checklist-step" class:checklist-done=done data-testid=testid data-done=done.to_string()>
                <span class="checklist-mark" aria-hidden="true">{if done { "✓" } else { "" }}</span>
                <a class="checklist-link" href=href>
                    <span class="checklist-label">{label}</span>
                    <span class="visually-hidden">{if done { " (done)" } else { "" }}</span>
                    <span class="checklist-detail">{detail}</span>
                </a>
            </li>
        }
    };

    (move || {
        let current = progress.get().filter(|p| p.done() < 4 && !hidden.get())?;
        let (store_url, launched_flag, dismissed_flag) = (store_url.clone(), launched_flag.clone(), dismissed_flag.clone());
        Some(view! {
            <section class="checklist" aria-labelledby="checklist-heading" data-testid="checklist">
                <div class="checklist-head">
                    <h3 id="checklist-heading">"Get your store ready"</h3>
                    <span class="muted">{format!("{} of 4 done", current.done())}</span>
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        data-testid="checklist-dismiss"
                        on:click=move |_| {
                            set_flag(&dismissed_flag);
                            hidden.set(true);
                        }
                    >
                        "Dismiss"
                    </button>
                </div>
                <ol class="checklist-steps">
                    {step(current.product, "Add a product", "Shoppers see it once it is active.", Route::NewProduct.href(), "checklist-product")}
                    {step(current.payments, "Set up payments", "Turn on cash on delivery in Settings; online payments are ready.", Route::Settings.href(), "checklist-payments")}
                    {step(current.domain, "Connect a domain", "Use a domain you own, like shop.example.com.", Route::Domains.href(), "checklist-domain")}
                    <li class="checklist-step" class:checklist-done=current.launched data-testid="checklist-launch">
                        <span class="checklist-mark" aria-hidden="true">{if current.launched { "✓" } else { "" }}</span>
                        <a
                            class="checklist-link"
                            href=store_url
                            target="_blank"
                            rel="noopener"
                            on:click=move |_| {
                                set_flag(&launched_flag);
                                progress.update(|p| if let Some(p) = p { p.launched = true });
                            }
                        >
                            <span class="checklist-label">"Launch: view your storefront"</span>
                            <span class="checklist-detail">"See your store as shoppers do, then share its address."</span>
                        </a>
                    </li>
                </ol>
            </section>
        })
    })
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_the_steps_done() {
        assert_eq!(Progress::default().done(), 0);
        let all = Progress { product: true, payments: true, domain: true, launched: true };
        assert_eq!(all.done(), 4);
        assert_eq!(Progress { product: true, ..Progress::default() }.done(), 1);
    }

    #[test]
    fn each_store_keeps_its_own_checklist() {
        assert_ne!(flags("tea-house"), flags("spice-box"));
    }
}
