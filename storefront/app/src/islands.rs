//! The storefront's interactive parts, as Leptos islands.
//!
//! Pages are server-rendered on either host and are complete without JavaScript: the product
//! page's option selects and the cart's quantity and remove buttons are plain forms posting to
//! `/cart`, where the host resolves the chosen options to a variant. Once the small hydration
//! bundle (`storefront-hydrate`, served at [`BUNDLE_PATH`]) has loaded, these islands take over
//! their part of the page: the product page shows the chosen combination's price and stock as the
//! shopper changes options and adds to the cart without leaving the page, and the cart page
//! changes quantities and removes lines in place. They post the same forms, asking for JSON
//! ([`crate::cart::CartSummary`]), so the host's rules are the only rules.
//!
//! Only these components are sent to the browser, with their props serialized into the page;
//! the rest of the page is never hydrated.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zelly_edge::cart::{item_name, only_left_message, MAX_QUANTITY};
use zelly_edge::Money;

/// Where both hosts serve the hydration bundle (`storefront.js` and `storefront_bg.wasm`).
pub const BUNDLE_PATH: &str = "/_zelly/pkg";

/// The module script that loads the bundle and hydrates every island on the page. When it is
/// done, `<html>` gets `data-hydrated`.
pub fn loader_script() -> String {
    format!(
        r#"import init,*as z from"{BUNDLE_PATH}/storefront.js";init({{module_or_path:"{BUNDLE_PATH}/storefront_bg.wasm"}}).then(()=>{{z.hydrate();for(const e of document.querySelectorAll("leptos-island")){{const f=z[e.dataset.component];if(f)f(e);else console.error("no island "+e.dataset.component)}}document.documentElement.dataset.hydrated="true"}});"#
    )
}

/// A variant as the product page's picker needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickVariant {
    /// The variant.
    pub id: Uuid,
    /// `Large / Blue`.
    pub title: String,
    /// One value per option.
    pub options: Vec<String>,
    /// Unit price.
    pub price: Money,
    /// The struck-through earlier price, when higher.
    pub compare_at: Option<Money>,
    /// In stock (or not tracked).
    pub available: bool,
}

/// The values each option takes, in the order variants first use them.
fn option_values(option_count: usize, variants: &[PickVariant]) -> Vec<Vec<String>> {
    (0..option_count)
        .map(|i| {
            let mut values: Vec<String> = Vec::new();
            for value in variants.iter().filter_map(|v| v.options.get(i)) {
                if !values.contains(value) {
                    values.push(value.clone());
                }
            }
            values
        })
        .collect()
}

/// What the last cart post from this page did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Added; the cart's count, and what to know (fewer added than asked).
    Added(u32, Option<String>),
    Failed(String),
}

/// The product page's buy box: one select per option, the chosen combination's price,
/// compare-at price and stock, quantity, and "Add to cart".
#[island]
pub fn BuyBox(
    /// The product's handle (what the form posts).
    handle: String,
    /// Option names, e.g. `["Size", "Colour"]`.
    option_names: Vec<String>,
    /// Every variant.
    variants: Vec<PickVariant>,
) -> impl IntoView {
    let first = variants.iter().find(|v| v.available).or(variants.first());
    // A product sold in one variant has nothing to choose: no selects.
    let choosing = variants.len() > 1;
    let initial: Vec<String> = first.map(|v| v.options.clone()).unwrap_or_default();
    let values = option_values(option_names.len(), &variants);
    let variants = StoredValue::new(variants);
    let choice = RwSignal::new(initial.clone());
    let chosen = Memo::new(move |_| {
        let choice = choice.get();
        variants.with_value(|vs| vs.iter().find(|v| v.options == choice).cloned())
    });
    let buyable = move || chosen.get().is_some_and(|v| v.available);
    let quantity = RwSignal::new("1".to_owned());
    let outcome = RwSignal::new(None::<Outcome>);
    let pending = RwSignal::new(false);
    let form_handle = handle.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.append_pair("action", "add").append_pair("product", &form_handle);
        for (i, value) in choice.get_untracked().iter().enumerate() {
            body.append_pair(&format!("option{i}"), value);
        }
        body.append_pair("quantity", &quantity.get_untracked());
        let body = body.finish();
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = client::post_cart(body).await;
            pending.set(false);
            outcome.set(Some(match result {
                Ok(summary) => {
                    client::show_cart_count(summary.count);
                    Outcome::Added(summary.count, summary.notice)
                }
                Err(reason) => Outcome::Failed(reason),
            }));
        });
    };
    view! {
        <form class="buy" method="post" action="/cart" on:submit=submit>
            <input type="hidden" name="action" value="add"/>
            <input type="hidden" name="product" value=handle/>
            {option_names.into_iter().zip(values).enumerate().filter(move |_| choosing).map(|(i, (name, values))| {
                let selected = initial.get(i).cloned();
                view! {
                    <label class="option">
                        <span class="option-name">{name}</span>
                        <select name=format!("option{i}") data-testid=format!("option-{i}")
                            on:change=move |ev| {
                                let value = event_target_value(&ev);
                                choice.update(|c| if let Some(slot) = c.get_mut(i) { *slot = value });
                                outcome.set(None);
                            }>
                            {values.into_iter().map(|value| {
                                let is_selected = selected.as_ref() == Some(&value);
                                let label = value.clone();
                                view! { <option value=value selected=is_selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                }
            }).collect_view()}
            <p class="buy-price">
                <span class="price" data-testid="price">{move || chosen.get().map(|v| v.price.to_string())}</span>
                {move || chosen.get().and_then(|v| v.compare_at).map(|c| view! { " " <s class="compare-at">{c.to_string()}</s> })}
            </p>
            <p class="stock" class:out=move || !buyable() data-testid="stock">
                {move || match chosen.get() {
                    Some(v) if v.available => "In stock",
                    Some(_) => "Sold out",
                    None => "Not available in this combination",
                }}
            </p>
            <label class="quantity">"Quantity "
                <input type="number" name="quantity" value="1" min="1" max=MAX_QUANTITY.to_string() required=true
                    on:input=move |ev| quantity.set(event_target_value(&ev))/>
            </label>
            <button type="submit" class="add-to-cart" data-testid="add-to-cart" disabled=move || !buyable() || pending.get()>
                {move || if buyable() { "Add to cart" } else { "Unavailable" }}
            </button>
            <p class="buy-status" role="status" data-testid="buy-status">
                {move || outcome.get().map(|o| match o {
                    Outcome::Added(count, notice) => view! {
                        {match notice {
                            Some(notice) => view! { <span class="buy-notice" data-testid="buy-notice">{notice}</span> " " }.into_any(),
                            None => view! { "Added to your cart. " }.into_any(),
                        }}
                        <a href="/cart" data-testid="view-cart">{format!("View cart ({count})")}</a>
                    }.into_any(),
                    Outcome::Failed(reason) => view! { <span class="error">{reason}</span> }.into_any(),
                })}
            </p>
        </form>
    }
}

/// One line of the cart as the cart island needs it, priced by origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditLine {
    /// The variant.
    pub variant_id: Uuid,
    /// The product's name.
    pub product_title: String,
    /// The variant's options (`Large`); empty for a product sold in one variant.
    pub variant_title: String,
    /// The product's page.
    pub href: Option<String>,
    /// The product's picture.
    pub image_url: Option<String>,
    /// Units the store has left; `None` for no limit.
    pub available: Option<u32>,
    /// SKU (for the page's tests and the merchant, never shown as the name).
    pub sku: String,
    /// Unit price from origin.
    pub unit: Money,
    /// Units.
    pub quantity: u32,
}

impl EditLine {
    fn total(&self) -> Option<Money> {
        self.unit.checked_mul(self.quantity)
    }

    /// `Brass Diya — Large`.
    fn name(&self) -> String {
        item_name(&self.product_title, &self.variant_title)
    }

    /// When the cart holds more than the store has left: what to tell the shopper, and the
    /// quantity that fixes it (0: remove the line).
    pub fn stock_problem(&self) -> Option<(String, u32)> {
        let left = self.available.filter(|left| self.quantity > *left)?;
        Some((only_left_message(&self.name(), left, self.quantity), left))
    }
}

/// The sum of the lines, `None` on overflow or mixed currencies.
pub fn subtotal(lines: &[EditLine]) -> Option<Money> {
    lines.iter().try_fold(None::<Money>, |sum, line| {
        let total = line.total()?;
        match sum {
            None => Some(Some(total)),
            Some(sum) => sum.checked_add(total).map(Some),
        }
    })?
}

/// The cart's lines with quantity and remove forms, what to fix where the store has fewer left
/// than the cart holds, the subtotal, and "Check out" (only for a cart with something in it and
/// nothing to fix).
#[island]
pub fn CartEditor(
    /// The cart's lines, priced.
    lines: Vec<EditLine>,
) -> impl IntoView {
    let lines = RwSignal::new(lines);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    // The posts on their way: Enter in a quantity box fires both its change and its form's
    // submit, and one change needs one post.
    let in_flight = StoredValue::new(Vec::<String>::new());
    // Posts one change; the cart the host answers with is what the page shows.
    let send = move |body: String| {
        if in_flight.with_value(|posts| posts.contains(&body)) {
            return;
        }
        in_flight.update_value(|posts| posts.push(body.clone()));
        leptos::task::spawn_local(async move {
            let result = client::post_cart(body.clone()).await;
            in_flight.update_value(|posts| posts.retain(|p| *p != body));
            match result {
                Ok(summary) => {
                    error.set(None);
                    notice.set(summary.notice.clone());
                    client::show_cart_count(summary.count);
                    lines.update(|lines| {
                        lines.retain_mut(|line| match summary.lines.iter().find(|l| l.variant_id == line.variant_id) {
                            Some(kept) => {
                                line.quantity = kept.quantity;
                                true
                            }
                            None => false,
                        });
                    });
                }
                Err(reason) => error.set(Some(reason)),
            }
        });
    };
    let empty = move || lines.with(Vec::is_empty);
    let to_fix = move || lines.with(|ls| ls.iter().any(|l| l.stock_problem().is_some()));
    view! {
        {move || empty().then(|| view! { <p class="empty" data-testid="cart-empty">"Your cart is empty."</p> })}
        <ul class="cart-lines">
            <For each=move || lines.get() key=|line| line.variant_id children=move |line| view! { <CartRow line lines send/> }/>
        </ul>
        <p class="cart-notice" role="status" data-testid="cart-change-notice">{move || notice.get()}</p>
        <p class="cart-error" role="alert">{move || error.get()}</p>
        {move || (!empty()).then(|| view! {
            <p class="cart-subtotal">"Subtotal "
                <strong data-testid="cart-subtotal">{move || lines.with(|l| subtotal(l)).map(|m| m.to_string())}</strong>
            </p>
        })}
        // Checkout lives on the same domain under /checkout (the checkout Worker's route).
        {move || match (empty(), to_fix()) {
            (true, _) => None,
            (false, true) => Some(view! {
                <p class="cart-blocked" data-testid="cart-blocked">"Please fix the quantities marked above before checking out."</p>
            }.into_any()),
            (false, false) => Some(view! {
                <p class="cart-actions"><a class="checkout-link" href="/checkout" data-testid="checkout-link">"Check out"</a></p>
            }.into_any()),
        }}
    }
}

/// One line of [`CartEditor`].
#[component]
fn CartRow(line: EditLine, lines: RwSignal<Vec<EditLine>>, send: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let id = line.variant_id;
    let quantity = RwSignal::new(line.quantity.to_string());
    let set_to = move |q: &str| {
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.append_pair("action", "set").append_pair("variant_id", &id.to_string()).append_pair("quantity", q.trim());
        send(body.finish());
    };
    let set = move || set_to(&quantity.get_untracked());
    let current = move || lines.with(|ls| ls.iter().find(|l| l.variant_id == id).cloned());
    let total = move || current().and_then(|l| l.total()).map(|m| m.to_string());
    let problem = move || current().and_then(|l| l.stock_problem());
    let name = line.name();
    let picture = line.image_url.clone().map(|src| view! { <img class="cart-image" src=src alt="" width="64" height="64" loading="lazy"/> });
    let title = match line.href.clone() {
        Some(href) => view! { <a href=href>{line.product_title.clone()}</a> }.into_any(),
        None => view! { {line.product_title.clone()} }.into_any(),
    };
    view! {
        <li class="cart-line" data-testid="cart-line" data-sku=line.sku.clone() aria-label=name>
            {picture}
            <span class="cart-title">
                <span class="cart-product" data-testid="cart-product">{title}</span>
                {(!line.variant_title.is_empty()).then(|| view! { <span class="cart-variant">{line.variant_title.clone()}</span> })}
                <span class="cart-unit">{line.unit.to_string()}" each"</span>
            </span>
            <form method="post" action="/cart" class="cart-quantity" on:submit=move |ev| { ev.prevent_default(); set(); }>
                <input type="hidden" name="action" value="set"/>
                <input type="hidden" name="variant_id" value=id.to_string()/>
                <input type="number" name="quantity" prop:value=move || current().map(|l| l.quantity.to_string()) value=line.quantity.to_string()
                    min="0" max=MAX_QUANTITY.to_string() aria-label="Quantity" data-testid="cart-quantity"
                    on:input=move |ev| quantity.set(event_target_value(&ev))
                    on:change=move |_| set()/>
                <button type="submit" data-testid="cart-update">"Update"</button>
            </form>
            <span class="cart-total" data-testid="cart-line-total">{total}</span>
            <form method="post" action="/cart" class="cart-remove" on:submit=move |ev| {
                ev.prevent_default();
                let mut body = form_urlencoded::Serializer::new(String::new());
                body.append_pair("action", "remove").append_pair("variant_id", &id.to_string());
                send(body.finish());
            }>
                <input type="hidden" name="action" value="remove"/>
                <input type="hidden" name="variant_id" value=id.to_string()/>
                <button type="submit" data-testid="cart-remove">"Remove"</button>
            </form>
            {move || problem().map(|(message, fix)| view! {
                <form method="post" action="/cart" class="cart-problem" data-testid="cart-problem" on:submit=move |ev| {
                    ev.prevent_default();
                    quantity.set(fix.to_string());
                    set_to(&fix.to_string());
                }>
                    <span class="stock-warning" role="alert">{message}</span>
                    <input type="hidden" name="action" value="set"/>
                    <input type="hidden" name="variant_id" value=id.to_string()/>
                    <input type="hidden" name="quantity" value=fix.to_string()/>
                    <button type="submit" data-testid="cart-fix">{if fix == 0 { "Remove it".to_owned() } else { format!("Change to {fix}") }}</button>
                </form>
            })}
        </li>
    }
}

/// Cart posts from the browser.
#[cfg(feature = "hydrate")]
mod client {
    use crate::cart::{CartFailure, CartSummary};

    /// Shows the cart's new count in the page's header (outside any island).
    pub fn show_cart_count(count: u32) {
        if let Ok(Some(badge)) = leptos::prelude::document().query_selector("[data-testid=cart-count]") {
            badge.set_text_content(Some(&count.to_string()));
        }
    }

    /// Posts a cart form asking for JSON: the cart after the change, or why it was refused.
    pub async fn post_cart(body: String) -> Result<CartSummary, String> {
        let offline = |_| "Your cart could not be updated: the store is not reachable.".to_owned();
        let response = gloo_net::http::Request::post("/cart")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .map_err(|e| e.to_string())?
            .send()
            .await
            .map_err(offline)?;
        if response.ok() {
            response.json::<CartSummary>().await.map_err(|e| e.to_string())
        } else {
            match response.json::<CartFailure>().await {
                Ok(failure) => Err(failure.error),
                Err(_) => Err(format!("Your cart could not be updated ({}).", response.status())),
            }
        }
    }
}

/// On the server the islands never run their handlers.
#[cfg(not(feature = "hydrate"))]
mod client {
    use crate::cart::CartSummary;

    #[allow(clippy::unused_async)]
    pub async fn post_cart(_body: String) -> Result<CartSummary, String> {
        Err("not in a browser".into())
    }

    pub fn show_cart_count(_count: u32) {}
}
