//! The native checkout host against a real core-api on a real (SQLite) store.
#![allow(clippy::unwrap_used, missing_docs)]

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use zelly_edge::checkout_pages::PaymentPage;
use zelly_edge::Secret;
use zelly_service::origin::OriginClient;
use zelly_store::DynStore;

const TOKEN: &str = "test-storefront-token-0123456789";

async fn serve(router: axum::Router) -> String {
    zelly_service::serve_in_background(router).await.unwrap()
}

async fn platform() -> (String, DynStore) {
    let (base, store, _) = platform_with_standin().await;
    (base, store)
}

/// core-api on a seeded store, paying through an in-process Razorpay stand-in, and the checkout
/// host in front of it sending shoppers to the stand-in's payment page. Returns the checkout
/// host's and the stand-in's base URLs.
async fn platform_with_standin() -> (String, DynStore, String) {
    let store: DynStore = zelly_store::testing::sqlite_store().await;
    zelly_store::demo::seed_demo(&store).await.unwrap();
    zelly_store::demo::seed_second_demo(&store).await.unwrap();
    let standin = razorpay_standin::Standin::new(razorpay_standin::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        key_id: "rzp_test_k".into(),
        key_secret: "rzp_secret".into(),
        webhook_url: None,
        webhook_secret: "whsec".into(),
    });
    let rzp = serve(razorpay_standin::app(standin)).await;
    let mut state = core_api::testing::state(store.clone(), TOKEN, None).await;
    state.razorpay = Some(Arc::new(core_api::razorpay::RazorpayClient::new(core_api::razorpay::RazorpayConfig {
        api_url: rzp.clone(),
        key_id: "rzp_test_k".into(),
        key_secret: zelly_store::config::Secret::new("rzp_secret"),
    }).unwrap()));
    let core = serve(core_api::app(state)).await;
    let origin = OriginClient::new(&core, Secret::new(TOKEN));
    let payment = PaymentPage::from_setting(Some(&rzp));
    (serve(checkout_host::app(checkout_host::AppState { origin: Arc::new(origin), payment: Arc::new(payment), accounts: None })).await, store, rzp)
}

async fn quote(base: &str, host: &str, body: Value) -> (StatusCode, Value) {
    let res = reqwest::Client::new().post(format!("{base}/checkout/quote")).header("host", host).json(&body).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

#[tokio::test]
async fn health_answers() {
    let (base, _) = platform().await;
    let body: Value = reqwest::get(format!("{base}/checkout/health")).await.unwrap().json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn a_quote_is_priced_by_origin_whatever_the_client_claims() {
    let (base, store) = platform().await;
    let demo = store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let products = store.list_products(demo.id).await.unwrap();
    let diya = products.iter().find(|p| p.handle.as_str() == "brass-diya").unwrap();
    let (small, large) = (&diya.variants[0], &diya.variants[1]);
    let body = json!({ "lines": [
        { "variant_id": small.id, "quantity": 2, "unit_price": { "amount_minor": 1, "currency": "INR" } },
        { "variant_id": large.id, "quantity": 1, "price": 1 },
    ]});
    let (status, quote) = quote(&base, "demo.localhost:8787", body).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    assert_eq!(quote["lines"][0]["unit_price"]["amount_minor"], 59_900);
    assert_eq!(quote["lines"][0]["line_total"]["amount_minor"], 119_800);
    assert_eq!(quote["lines"][1]["line_total"]["amount_minor"], 69_900);
    assert_eq!(quote["total"], json!({ "amount_minor": 189_700, "currency": "INR" }));
}

#[tokio::test]
async fn bad_carts_unknown_variants_and_unknown_stores_are_refused_clearly() {
    let (base, _) = platform().await;
    let (status, body) = quote(&base, "demo.localhost", json!({ "lines": [] })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
    let ghost = uuid_like(42);
    let (status, body) = quote(&base, "demo.localhost", json!({ "lines": [{ "variant_id": ghost, "quantity": 1 }] })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_variant")));
    let (status, body) = quote(&base, "nobody.localhost", json!({ "lines": [{ "variant_id": ghost, "quantity": 1 }] })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_store")));
    let res = reqwest::get(format!("{base}/checkout/quote")).await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}

fn uuid_like(n: u128) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", 0, n)
}

/// A shopper's browser: no redirects followed, so each step's answer can be checked.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
}

async fn page(request: reqwest::RequestBuilder) -> Answer {
    let res = request.send().await.unwrap();
    let status = res.status();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    let cookies = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert_eq!(res.headers()["cache-control"], "no-store", "checkout pages are never cached");
    Answer { status, location, cookies, body: res.text().await.unwrap() }
}

fn form(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

const SHOPPER: [(&str, &str); 9] = [
    ("email", "asha@example.in"),
    ("name", "Asha Rao"),
    ("line1", "12 MG Road"),
    ("line2", ""),
    ("city", "Bengaluru"),
    ("state", "Karnataka"),
    ("postal_code", "560001"),
    ("country", "IN"),
    ("phone", "+91 98450 12345"),
];

/// The value of `<input ... name="{name}" value="...">` in the stand-in's auto-posting page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in {html}")) + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

async fn demo_variant(store: &DynStore, handle: &str, index: usize) -> (uuid::Uuid, i64) {
    let demo = store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let products = store.list_products(demo.id).await.unwrap();
    let variant = &products.iter().find(|p| p.handle.as_str() == handle).unwrap().variants[index];
    (variant.id, variant.price.amount_minor)
}

#[tokio::test]
async fn a_shopper_pays_through_the_checkout_pages_and_gets_one_order() {
    let (base, store, rzp) = platform_with_standin().await;
    let (diya, price) = demo_variant(&store, "brass-diya", 1).await;
    let cart = format!("zelly_cart={}_2; zelly_sid=0123456789abcdef0123456789abcdef", diya.simple());
    let http = browser();

    // The form, priced from origin.
    let shown = page(http.get(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("data-testid=\"checkout-form\"") && shown.body.contains("Cash on delivery"), "{}", shown.body);
    assert!(shown.body.contains("₹1,398.00"), "two Large diyas at ₹699.00: {}", shown.body);
    assert!(shown.body.contains("Brass Diya — Large × 2") && !shown.body.contains("BRASS-DIYA-2"), "the product's name, not its SKU: {}", shown.body);
    assert!(shown.body.contains(r#"<option value="IN" selected>India</option>"#), "a country list, India chosen: {}", shown.body);

    // Bad fields come back named, with what was typed kept.
    let mut bad = SHOPPER.to_vec();
    bad[0] = ("email", "asha at example");
    bad[8] = ("phone", "call me");
    let refused = page(http.post(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)
        .header("content-type", "application/x-www-form-urlencoded").body(form(&bad))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("data-testid=\"error-email\"") && refused.body.contains("data-testid=\"error-phone\""));
    assert!(refused.body.contains("value=\"Asha Rao\""), "what was typed is kept");
    assert!(refused.body.contains("Please enter your email address") && !refused.body.contains("must be") && !refused.body.contains("shipping."), "{}", refused.body);

    // An Indian PIN code is six digits, the first not 0; the shopper is told so in words.
    let mut bad_pin = SHOPPER.to_vec();
    bad_pin[6] = ("postal_code", "056001");
    let refused = page(http.post(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)
        .header("content-type", "application/x-www-form-urlencoded").body(form(&bad_pin))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("data-testid=\"error-postal_code\">Please enter the 6-digit PIN code, like 560001.<"), "{}", refused.body);

    // A good form, with a price the browser made up: the store's price wins.
    let mut good = SHOPPER.to_vec();
    good.push(("payment_method", "razorpay"));
    good.push(("price", "1"));
    let started = page(http.post(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)
        .header("content-type", "application/x-www-form-urlencoded").body(form(&good))).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let pay_path = started.location.unwrap();
    let checkout_id: uuid::Uuid = pay_path.trim_start_matches("/checkout/").parse().unwrap();

    // The payment step: Standard Checkout options for the store's Razorpay order.
    let step = page(http.get(format!("{base}{pay_path}")).header("host", "demo.localhost")).await;
    assert_eq!(step.status, StatusCode::OK, "{}", step.body);
    let start = step.body.find("id=\"razorpay-options\">").unwrap() + "id=\"razorpay-options\">".len();
    let options: Value = serde_json::from_str(&step.body[start..start + step.body[start..].find("</script>").unwrap()]).unwrap();
    assert_eq!(options["amount"], 2 * price);
    assert_eq!(options["key"], "rzp_test_k");
    assert_eq!(options["callback_url"], format!("http://demo.localhost/checkout/{checkout_id}/callback"));
    let order_id = options["order_id"].as_str().unwrap().to_owned();

    // A forged callback is refused and makes no order.
    let forged = form(&[("razorpay_payment_id", "pay_forged"), ("razorpay_order_id", &order_id), ("razorpay_signature", &"0".repeat(64))]);
    let refused = page(http.post(format!("{base}/checkout/{checkout_id}/callback")).header("host", "demo.localhost")
        .header("content-type", "application/x-www-form-urlencoded").body(forged)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("could not be confirmed"), "{}", refused.body);
    let demo = store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    assert!(store.order_of_checkout(demo.id, checkout_id).await.unwrap().is_none());

    // A failed payment says so and offers another go.
    let failed = page(http.post(format!("{base}/checkout/{checkout_id}/callback")).header("host", "demo.localhost")
        .header("content-type", "application/x-www-form-urlencoded").body(form(&[("error[description]", "Card declined.")]))).await;
    assert_eq!(failed.status, StatusCode::OK);
    assert!(failed.body.contains("Card declined.") && failed.body.contains("data-testid=\"pay-button\""));

    // Pay in the stand-in, which posts the signed callback back, as Standard Checkout does.
    let callback_url = options["callback_url"].as_str().unwrap();
    let paid = reqwest::Client::new()
        .post(format!("{rzp}/pay/{order_id}/complete?{}", form(&[("callback_url", callback_url)])))
        .send().await.unwrap().text().await.unwrap();
    let callback = form(&[
        ("razorpay_payment_id", &hidden(&paid, "razorpay_payment_id")),
        ("razorpay_order_id", &hidden(&paid, "razorpay_order_id")),
        ("razorpay_signature", &hidden(&paid, "razorpay_signature")),
    ]);
    for _ in 0..2 {
        // The browser posting twice (back button, double submit) still makes one order.
        let done = page(http.post(format!("{base}/checkout/{checkout_id}/callback")).header("host", "demo.localhost")
            .header("content-type", "application/x-www-form-urlencoded").body(callback.clone())).await;
        assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("/checkout/{checkout_id}/confirmation").as_str())));
    }
    let confirmed = page(http.get(format!("{base}/checkout/{checkout_id}/confirmation")).header("host", "demo.localhost").header("cookie", &cart)).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    let order = store.order_of_checkout(demo.id, checkout_id).await.unwrap().unwrap();
    assert!(confirmed.body.contains(&format!("data-testid=\"order-number\">#{}<", order.number)), "{}", confirmed.body);
    // Confirmed, with the details on the page, and no promise of an email that is never sent.
    assert!(confirmed.body.contains("Your order is confirmed") && confirmed.body.contains("12 MG Road") && confirmed.body.contains("asha@example.in"), "{}", confirmed.body);
    assert!(!confirmed.body.to_lowercase().contains("receipt"), "{}", confirmed.body);
    assert_eq!(order.total.amount_minor, 2 * price);
    assert_eq!(order.status, zelly_edge::orders::OrderStatus::Paid);
    assert!(confirmed.cookies.iter().any(|c| c.starts_with("zelly_cart=;") && c.contains("Max-Age=0")), "the cart is emptied");
    assert_eq!(store.orders(demo.id, &Default::default()).await.unwrap().len(), 1, "one order for one payment");

    // The finished checkout's payment page now leads to the confirmation.
    let again = page(http.get(format!("{base}{pay_path}")).header("host", "demo.localhost")).await;
    assert_eq!(again.location, Some(format!("/checkout/{checkout_id}/confirmation")));
    // Another store's domain cannot see it.
    let elsewhere = page(http.get(format!("{base}/checkout/{checkout_id}/confirmation")).header("host", "chai.localhost")).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    assert!(!elsewhere.body.contains("Asha"));
}

#[tokio::test]
async fn a_shopper_whose_callback_never_came_back_gets_their_order_on_return() {
    let (base, store, rzp) = platform_with_standin().await;
    let (diya, _) = demo_variant(&store, "brass-diya", 0).await;
    let cart = format!("zelly_cart={}_1", diya.simple());
    let http = browser();
    let mut good = SHOPPER.to_vec();
    good.push(("payment_method", "razorpay"));
    let started = page(http.post(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)
        .header("content-type", "application/x-www-form-urlencoded").body(form(&good))).await;
    let pay_path = started.location.unwrap();
    let checkout_id: uuid::Uuid = pay_path.trim_start_matches("/checkout/").parse().unwrap();
    let step = page(http.get(format!("{base}{pay_path}")).header("host", "demo.localhost")).await;
    assert_eq!(step.status, StatusCode::OK, "not paid yet: the payment step");
    let start = step.body.find("id=\"razorpay-options\">").unwrap() + "id=\"razorpay-options\">".len();
    let options: Value = serde_json::from_str(&step.body[start..start + step.body[start..].find("</script>").unwrap()]).unwrap();
    // The shopper pays at Razorpay, then the tab closes: no callback reaches the store.
    let order_id = options["order_id"].as_str().unwrap();
    let paid = reqwest::Client::new().post(format!("{rzp}/pay/{order_id}/complete?{}", form(&[("callback_url", "http://demo.localhost/x")]))).send().await.unwrap();
    assert!(paid.status().is_success());
    let demo = store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    assert!(store.order_of_checkout(demo.id, checkout_id).await.unwrap().is_none());
    // Coming back to the payment step, they are not asked to pay again: Razorpay says it is paid.
    let back = page(http.get(format!("{base}{pay_path}")).header("host", "demo.localhost")).await;
    assert_eq!(back.location, Some(format!("/checkout/{checkout_id}/confirmation")), "{}", back.body);
    let order = store.order_of_checkout(demo.id, checkout_id).await.unwrap().unwrap();
    assert_eq!(order.status, zelly_edge::orders::OrderStatus::Paid);
}

#[tokio::test]
async fn cash_on_delivery_is_placed_from_the_review_step_and_an_empty_cart_is_told_so() {
    let (base, store, _) = platform_with_standin().await;
    let http = browser();
    let empty = page(http.get(format!("{base}/checkout")).header("host", "demo.localhost")).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("checkout-empty"));
    let unknown = page(http.get(format!("{base}/checkout")).header("host", "nobody.localhost")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let (tote, price) = demo_variant(&store, "jute-tote", 0).await;
    let cart = format!("zelly_cart={}_1", tote.simple());
    // The form names its attempt; submitting it twice (a double click) starts one checkout.
    let shown = page(http.get(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)).await;
    let attempt = shown.body.split(r#"name="attempt" value=""#).nth(1).and_then(|rest| rest.split('"').next()).unwrap().to_owned();
    assert_eq!(attempt.len(), 32, "{attempt}");
    let mut fields = SHOPPER.to_vec();
    fields.push(("payment_method", "cash_on_delivery"));
    fields.push(("attempt", &attempt));
    let submit = || http.post(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)
        .header("content-type", "application/x-www-form-urlencoded").body(form(&fields));
    let started = page(submit()).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let pay_path = started.location.unwrap();
    assert_eq!(page(submit()).await.location.as_deref(), Some(pay_path.as_str()), "the same checkout, not a second hold");
    let review = page(http.get(format!("{base}{pay_path}")).header("host", "demo.localhost")).await;
    assert!(review.body.contains("data-testid=\"place-order\"") && !review.body.contains("razorpay-options"), "{}", review.body);
    let placed = page(http.post(format!("{base}{pay_path}/place")).header("host", "demo.localhost")).await;
    assert_eq!(placed.location, Some(format!("{pay_path}/confirmation")));
    let confirmed = page(http.get(format!("{base}{pay_path}/confirmation")).header("host", "demo.localhost")).await;
    assert!(confirmed.body.contains("when it arrives"), "{}", confirmed.body);
    let demo = store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let orders = store.orders(demo.id, &Default::default()).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!((orders[0].status, orders[0].total.amount_minor), (zelly_edge::orders::OrderStatus::PendingPayment, price));
    // Placing again changes nothing.
    let twice = page(http.post(format!("{base}{pay_path}/place")).header("host", "demo.localhost")).await;
    assert_eq!(twice.location, Some(format!("{pay_path}/confirmation")));
    assert_eq!(store.orders(demo.id, &Default::default()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_store_without_online_payments_offers_what_it_takes() {
    // core-api with no Razorpay keys: online payment is not offered at all.
    let store: DynStore = zelly_store::testing::sqlite_store().await;
    let demo = zelly_store::demo::seed_demo(&store).await.unwrap();
    let core = serve(core_api::app(core_api::testing::state(store.clone(), TOKEN, None).await)).await;
    let origin = OriginClient::new(&core, Secret::new(TOKEN));
    let base = serve(checkout_host::app(checkout_host::AppState { origin: Arc::new(origin), payment: Arc::new(PaymentPage::StandardCheckout), accounts: None })).await;
    let (tote, _) = demo_variant(&store, "jute-tote", 0).await;
    let cart = format!("zelly_cart={}_1", tote.simple());
    let http = browser();
    let shown = page(http.get(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("data-testid=\"pay-cod\" checked") && !shown.body.contains("pay-online"), "{}", shown.body);
    let mut fields = SHOPPER.to_vec();
    fields.push(("payment_method", "razorpay"));
    let refused = page(http.post(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)
        .header("content-type", "application/x-www-form-urlencoded").body(form(&fields))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("does not take online payments"), "{}", refused.body);

    // Neither online payment nor cash on delivery: checkout says it is not open.
    let closed = zelly_edge::catalog::StoreSettingsInput { name: demo.name.clone(), logo_url: None, accent_color: None, featured_collection: None, cash_on_delivery: false };
    store.update_store_settings(demo.id, &closed).await.unwrap();
    let shown = page(http.get(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)).await;
    assert_eq!(shown.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(shown.body.contains("not taking orders online yet"));
}

#[tokio::test]
async fn too_little_stock_is_explained_by_the_products_name_and_the_chai_store_wears_its_look() {
    let (base, store) = platform().await;
    let demo = store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let input: zelly_edge::catalog::ProductInput = serde_json::from_value(json!({
        "handle": "clay-lamp", "title": "Clay Lamp", "status": "active", "option_names": ["Size"],
        "variants": [
            { "sku": "CLAY-LAMP-S", "options": ["Small"], "price_minor": 50_000, "inventory_quantity": 1, "track_inventory": true },
            { "sku": "CLAY-LAMP-L", "options": ["Large"], "price_minor": 60_000, "inventory_quantity": 1, "track_inventory": true }
        ]
    })).unwrap();
    let lamp = store.create_seller_product(demo.id, &input).await.unwrap();
    // A cart from before the stock ran low: two where one is left.
    let cart = format!("zelly_cart={}_2", lamp.variants[0].id.simple());
    let http = browser();
    // Told on the form already, before the address is typed in.
    let shown = page(http.get(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("Only 1 left of Clay Lamp — Small; your cart has 2."), "{}", shown.body);
    let mut fields = SHOPPER.to_vec();
    fields.push(("payment_method", "cash_on_delivery"));
    let refused = page(http.post(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)
        .header("content-type", "application/x-www-form-urlencoded").body(form(&fields))).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("Only 1 left of Clay Lamp — Small; your cart has 2."), "{}", refused.body);
    assert!(!refused.body.contains("CLAY-LAMP-S") && refused.body.contains(r#"<a href="/cart">Go to your cart</a>"#), "{}", refused.body);

    // Chai Corner's checkout wears its logo and accent, with readable button text on it.
    let (tin, _) = demo_variant_of(&store, "chai", 0).await;
    let shown = page(http.get(format!("{base}/checkout")).header("host", "chai.localhost").header("cookie", format!("zelly_cart={}_1", tin.simple()))).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(r#"<body style="--accent:#8a3b12;--on-accent:#ffffff">"#), "{}", shown.body);
    assert!(shown.body.contains(r#"<img src="/assets/demo/masala-chai-tin.svg" alt="" height="36">"#), "{}", shown.body);
}

async fn demo_variant_of(store: &DynStore, slug: &str, index: usize) -> (uuid::Uuid, i64) {
    let tenant = store.tenant_by_slug(&zelly_edge::TenantSlug::parse(slug).unwrap()).await.unwrap().unwrap();
    let products = store.list_products(tenant.id).await.unwrap();
    let variant = &products[0].variants[index];
    (variant.id, variant.price.amount_minor)
}

/// The checkout host with customer-auth behind it, checking addresses with the address API
/// stand-in (timeout 300 ms): the host's URL, the store, and the stand-in to slow down.
async fn platform_with_accounts() -> (String, DynStore, Arc<address_standin::Standin>) {
    let store: DynStore = zelly_store::testing::sqlite_store().await;
    zelly_store::demo::seed_demo(&store).await.unwrap();
    let core = serve(core_api::app(core_api::testing::state(store.clone(), TOKEN, None).await)).await;
    let addresses = address_standin::Standin::new(None);
    let api = customer_auth::address_api::AddressApiConfig {
        url: Some(serve(address_standin::app(addresses.clone())).await),
        key: None,
        timeout: Some(std::time::Duration::from_millis(300)),
    };
    let queues = zelly_queue::connect(&zelly_queue::testing::sqlite_config()).await.unwrap();
    let auth_state = customer_auth::AppState::new(store.clone(), queues, "http://auth.localhost", false)
        .with_address_api(customer_auth::address_api::AddressApi::new(api).unwrap());
    let auth = serve(customer_auth::app(auth_state)).await;
    let state = checkout_host::AppState {
        origin: Arc::new(OriginClient::new(&core, Secret::new(TOKEN))),
        payment: Arc::new(PaymentPage::StandardCheckout),
        accounts: Some(Arc::new(zelly_service::origin::AccountsClient::new(&auth, &auth))),
    };
    (serve(checkout_host::app(state)).await, store, addresses)
}

/// Asha, a confirmed customer of the demo store with a default address, signed in as `session`.
async fn asha_signed_in(store: &DynStore, session: &str) -> uuid::Uuid {
    use zelly_store::customers::{NewCustomer, NewSession};
    let demo = store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap().id;
    let now = zelly_service::now_ms();
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".to_owned();
    let asha = store.create_customer(demo, &NewCustomer { email: "asha@example.in".into(), name: "Asha".into(), password_hash: hash, now_ms: now }).await.unwrap().id;
    store.verify_customer_email(demo, asha, "asha@example.in", now).await.unwrap();
    let id_hash = zelly_edge::signature::sha256_hex(session.as_bytes());
    store.start_customer_session(demo, &NewSession { id_hash, family_hash: None, customer: asha, now_ms: now, expires_at_ms: now + 3_600_000 }, None).await.unwrap();
    let home = zelly_edge::orders::ShippingAddress {
        name: "Asha Rao".into(),
        line1: "7 Residency Road".into(),
        line2: Some("Flat 4".into()),
        city: "Bengaluru".into(),
        state: "Karnataka".into(),
        postal_code: "560001".into(),
        country: "IN".into(),
        phone: "9845012345".into(),
    };
    let save = zelly_store::AddressToSave { address: &home, is_default: true, status: zelly_edge::orders::AddressStatus::Verified, now_ms: now };
    store.save_customer_address(demo, asha, None, &save).await.unwrap();
    asha
}

#[tokio::test]
async fn a_signed_in_shopper_starts_from_their_default_address_and_the_order_is_theirs() {
    let (base, store, addresses) = platform_with_accounts().await;
    let session = "5e".repeat(32);
    let asha = asha_signed_in(&store, &session).await;
    let demo = store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap().id;
    let (diya, _) = demo_variant(&store, "brass-diya", 0).await;
    let cart = format!("zelly_cart={}_1; __Host-zelly_session={session}", diya.simple());
    let http = browser();
    let post = |fields: Vec<(&'static str, &'static str)>, cookie: String| {
        let http = http.clone();
        let base = base.clone();
        async move {
            page(http.post(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded").body(form(&fields))).await
        }
    };

    // The form starts from the account and its default address.
    let shown = page(http.get(format!("{base}/checkout")).header("host", "demo.localhost").header("cookie", &cart)).await;
    for value in ["asha@example.in", "7 Residency Road", "Flat 4", "560001", "9845012345"] {
        assert!(shown.body.contains(&format!("value=\"{value}\"")), "{value} in {}", shown.body);
    }
    // A PIN code in another city is pointed out once, with a way to keep the address as typed.
    let mut elsewhere = SHOPPER.to_vec();
    elsewhere[4] = ("city", "Mumbai");
    elsewhere[5] = ("state", "Maharashtra");
    elsewhere.push(("payment_method", "cash_on_delivery"));
    let pointed = post(elsewhere.clone(), cart.clone()).await;
    assert_eq!(pointed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(pointed.body.contains("PIN code 560001 is in Bangalore, Karnataka."), "{}", pointed.body);
    assert!(pointed.body.contains("data-testid=\"keep-address\""), "{}", pointed.body);
    elsewhere.push(("keep_address", "1"));
    let kept = post(elsewhere, cart.clone()).await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    let id: uuid::Uuid = kept.location.unwrap().trim_start_matches("/checkout/").parse().unwrap();
    let checkout = store.checkout(demo, id).await.unwrap().unwrap();
    assert_eq!((checkout.customer_id, checkout.address_status), (Some(asha), zelly_edge::orders::AddressStatus::Mismatch));

    // The address API slow, then down: checkout goes on, the address unverified; a guest's
    // checkout belongs to no account.
    let guest_cart = format!("zelly_cart={}_1", diya.simple());
    let mut good = SHOPPER.to_vec();
    good.push(("payment_method", "cash_on_delivery"));
    for (delay, down) in [(5_000, false), (0, true)] {
        addresses.set_delay(std::time::Duration::from_millis(delay));
        addresses.set_down(down);
        let started = std::time::Instant::now();
        let done = post(good.clone(), guest_cart.clone()).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(started.elapsed() < std::time::Duration::from_secs(4), "took {:?}", started.elapsed());
        let id: uuid::Uuid = done.location.unwrap().trim_start_matches("/checkout/").parse().unwrap();
        let checkout = store.checkout(demo, id).await.unwrap().unwrap();
        assert_eq!((checkout.customer_id, checkout.address_status), (None, zelly_edge::orders::AddressStatus::Unverified));
        good.push(("line2", "again"));
    }
}
