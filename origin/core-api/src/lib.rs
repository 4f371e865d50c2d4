//! core-api: the system of record's HTTP face (the seed's fastify-nova, port 3000).
//!
//! `main.rs` only reads [`Config`] and calls [`run`]; everything else is here so that tests can
//! start the real app on port 0 against a fresh database.

pub mod alarms;
pub mod config;
pub mod onboarding;
pub mod openapi;
pub mod order_emails;
pub mod outbox;
pub mod razorpay;
pub mod refunds;
pub mod routes;
pub mod shopify_app;
pub mod shopify_catalog;
pub mod shopify_jobs;

use axum::Router;
use std::sync::Arc;
use tower_http::trace::TraceLayer;
use zelly_store::DynStore;

pub use config::Config;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The system of record.
    pub store: DynStore,
    /// Secret the storefront hosts present as `Authorization: Bearer …`.
    pub storefront_token: Arc<zelly_store::config::Secret>,
    /// Verifies merchants' Firebase ID tokens; `None` when `FIREBASE_PROJECT_ID` is unset, which
    /// closes the seller API (401).
    pub verifier: Option<Arc<zelly_auth::FirebaseVerifier>>,
    /// Where accepted storefront events are published (`store-events`).
    pub queues: zelly_queue::DynQueues,
    /// Where the events consumer stores events, read by the seller analytics API.
    pub analytics: zelly_analytics::DynAnalytics,
    /// Rate limits of the event intake.
    pub intake: Arc<routes::events::Intake>,
    /// The secrets Razorpay's webhooks may be signed with (current, then previous).
    pub razorpay_webhook_secrets: Arc<Vec<zelly_store::config::Secret>>,
    /// `SHOPIFY_API_SECRET` (and `SHOPIFY_API_SECRET_PREVIOUS` while rotating): what Shopify's
    /// webhooks are signed with; empty closes the Shopify webhook route (503).
    pub shopify_secrets: Arc<Vec<zelly_store::config::Secret>>,
    /// The Shopify app (`SHOPIFY_API_KEY`…): `None` closes the install flow (503).
    pub shopify: Option<Arc<shopify_app::ShopifyApp>>,
    /// Razorpay's API (refunds), when configured.
    pub razorpay: Option<Arc<razorpay::RazorpayClient>>,
    /// How long a new checkout holds its stock (`CHECKOUT_HOLD_SECONDS`).
    pub checkout_hold_ms: i64,
    /// Where new stores and invite links live, and where custom domains must point.
    pub onboarding: Arc<onboarding::OnboardingConfig>,
    /// Asks DNS about custom domains.
    pub domains: onboarding::DynDomainChecker,
    /// Refused webhook and payment signatures, watched for a spike (an alert to staff).
    pub signature_spikes: Arc<alarms::SignatureSpikes>,
}

/// The router with every route and middleware, ready to serve.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(routes::health::router())
        .merge(routes::domains::router())
        .merge(routes::storefront::router())
        .merge(routes::events::router())
        .merge(routes::analytics::router())
        .merge(routes::seller::router())
        .merge(routes::team::router())
        .merge(routes::custom_domains::router())
        .merge(routes::customers::router())
        .merge(routes::orders::router())
        .merge(routes::webhooks::router())
        .merge(routes::shopify::router())
        .merge(openapi::router())
        .fallback(zelly_service::not_found)
        .method_not_allowed_fallback(zelly_service::method_not_allowed)
        .with_state(state)
        .layer(TraceLayer::new_for_http())
}

/// Connects the store, seeds the demo tenant when asked, and serves until shutdown.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = zelly_store::connect(&config.database).await?;
    tracing::info!(backend = store.backend(), "store ready");
    if config.seed_demo {
        let demo = zelly_store::demo::seed_demo(&store).await?;
        zelly_store::demo::seed_second_demo(&store).await?;
        tracing::info!(tenant = %demo.slug, merchant = zelly_store::demo::DEMO_MERCHANT_UID, "demo tenant ready");
    }
    let verifier = match config.firebase {
        Some(firebase) => {
            if !firebase.uses_google_certs() {
                tracing::warn!(certs = %firebase.certs_url, "merchant tokens are verified against a non-Google issuer");
            }
            Some(Arc::new(zelly_auth::FirebaseVerifier::new(firebase).map_err(anyhow::Error::msg)?))
        }
        None => {
            tracing::warn!("FIREBASE_PROJECT_ID is not set: the seller API refuses every request");
            None
        }
    };
    let queues = zelly_queue::connect(&config.queues).await?;
    tracing::info!(backend = queues.backend(), "queues ready");
    let analytics = zelly_analytics::connect(&config.analytics).await?;
    tracing::info!(backend = analytics.backend(), "analytics ready");
    let state = AppState {
        store,
        storefront_token: Arc::new(config.storefront_token),
        verifier,
        queues,
        analytics,
        intake: routes::events::Intake::new(config.intake_limits),
        razorpay_webhook_secrets: Arc::new(config.razorpay_webhook_secrets),
        shopify_secrets: Arc::new(config.shopify_secrets),
        shopify: match config.shopify {
            Some(c) => Some(Arc::new(shopify_app::ShopifyApp::new(c).map_err(anyhow::Error::msg)?)),
            None => None,
        },
        razorpay: match config.razorpay {
            Some(c) => Some(Arc::new(razorpay::RazorpayClient::new(c).map_err(anyhow::Error::msg)?)),
            None => None,
        },
        checkout_hold_ms: config.checkout_hold_ms,
        domains: Arc::new(zelly_dns::DnsChecker::new(config.onboarding.dns_resolver).map_err(anyhow::Error::msg)?),
        onboarding: Arc::new(config.onboarding),
        signature_spikes: Arc::new(alarms::SignatureSpikes::default()),
    };
    tokio::spawn(outbox::run(state.clone()));
    tokio::spawn(onboarding::recheck_loop(state.clone()));
    tokio::spawn(refunds::run(state.clone()));
    // Kept for as long as the service runs: dropping a worker stops it.
    let _mail_worker = match zelly_mail::Mailer::new(&config.mail).map_err(anyhow::Error::msg)? {
        Some(mailer) => Some(zelly_mail::start_worker(&state.queues, mailer).await?),
        None => {
            tracing::warn!("SMTP_URL is not set: invite emails wait in the emails queue until it is");
            None
        }
    };
    // Kept for as long as the service runs, like the mail worker.
    let _shopify_workers = match &state.shopify {
        Some(_) => shopify_jobs::start_workers(&state).await?,
        None => Vec::new(),
    };
    let mut router = app(state);
    if let Some(cors) = zelly_service::cors_from_env().map_err(anyhow::Error::msg)? {
        router = router.layer(cors);
    }
    zelly_service::serve("core-api", config.listen, router).await?;
    Ok(())
}

/// Maps "not found" results of the store to a 404 naming what was missing.
pub(crate) fn found<T>(value: Option<T>, what: &'static str) -> Result<T, zelly_service::ApiError> {
    value.ok_or(zelly_service::ApiError::NotFound(what))
}

/// Store errors are API errors.
pub(crate) type ApiResult<T> = Result<T, zelly_service::ApiError>;

/// Building the app state for tests, on throwaway embedded queues and analytics.
pub mod testing {
    use super::{routes, AppState};
    use std::sync::Arc;
    use zelly_store::DynStore;

    /// The issuer of merchants' test tokens: one signing key per test binary (generating one
    /// takes a moment).
    pub fn dev_issuer() -> &'static zelly_auth::dev::DevIssuer {
        static ISSUER: std::sync::OnceLock<zelly_auth::dev::DevIssuer> = std::sync::OnceLock::new();
        ISSUER.get_or_init(|| zelly_auth::dev::DevIssuer::generate().expect("an RSA key is generated"))
    }

    /// A verifier of merchant tokens signed by `issuer` for `project`, fetching its certificates
    /// from a certificate server started here, as Google's would serve them.
    pub async fn merchant_verifier(issuer: &zelly_auth::dev::DevIssuer, project: &str) -> Arc<zelly_auth::FirebaseVerifier> {
        let certs = issuer.cert_map_json();
        let cert_server = axum::Router::new().route(
            "/certs",
            axum::routing::get(move || {
                let certs = certs.clone();
                async move { ([("cache-control", "public, max-age=3600"), ("content-type", "application/json")], certs) }
            }),
        );
        let certs_base = zelly_service::serve_in_background(cert_server).await.expect("a certificate server starts");
        let mut config = zelly_auth::FirebaseConfig::new(project);
        config.certs_url = format!("{certs_base}/certs");
        Arc::new(zelly_auth::FirebaseVerifier::new(config).expect("the verifier is configured"))
    }

    /// A client of the Razorpay (stand-in) at `api_url`, with the tests' key.
    pub fn razorpay_client(api_url: &str) -> Arc<crate::razorpay::RazorpayClient> {
        Arc::new(
            crate::razorpay::RazorpayClient::new(crate::razorpay::RazorpayConfig {
                api_url: api_url.to_owned(),
                key_id: "rzp_test_k".into(),
                key_secret: zelly_store::config::Secret::new("rzp_secret"),
            })
            .expect("a plain-http Razorpay client builds"),
        )
    }

    /// The Shopify app `key`/`secret` with a fixed test sealing key, whose shops live at
    /// `admin_url` (the stand-in) and whose callback is on `core.test`.
    pub fn shopify_app(key: &str, secret: &str, admin_url: &str) -> Arc<crate::shopify_app::ShopifyApp> {
        use base64::Engine as _;
        let token_key = base64::engine::general_purpose::STANDARD.encode([42_u8; 32]);
        let (key, secret, admin_url) = (key.to_owned(), secret.to_owned(), admin_url.to_owned());
        let vars = move |name: &str| match name {
            "SHOPIFY_API_KEY" => Some(key.clone()),
            "SHOPIFY_API_SECRET" => Some(secret.clone()),
            "SHOPIFY_TOKEN_KEY" => Some(token_key.clone()),
            "SHOPIFY_ADMIN_URL" => Some(admin_url.clone()),
            "SHOPIFY_REDIRECT_URL" => Some("http://core.test/api/shopify/callback".to_owned()),
            _ => None,
        };
        let config = crate::shopify_app::ShopifyAppConfig::from_vars(&vars).expect("the test settings are valid").expect("the app is configured");
        Arc::new(crate::shopify_app::ShopifyApp::new(config).expect("a plain-http Shopify client builds"))
    }

    /// Opens the store `tea-house` (owner `ana`, ana@example.com) and connects it to `shop` with
    /// `token` (one the stand-in issued) sealed by `app`: the store's id.
    pub async fn store_connected_to_shopify(store: &DynStore, app: &crate::shopify_app::ShopifyApp, token: &str, shop: &str) -> uuid::Uuid {
        let open = zelly_store::OpenStore {
            slug: zelly_edge::TenantSlug::parse("tea-house").expect("a slug"),
            name: "Tea House".into(),
            currency: zelly_edge::Currency::INR,
            domain: zelly_edge::DomainName::parse("tea-house.zelly.test").expect("a domain"),
            owner_uid: Some("ana".into()),
            owner_email: Some("ana@example.com".into()),
        };
        let tenant = store.open_store(&open).await.expect("the store opens").id;
        let connection = zelly_store::ShopifyConnection {
            shop_domain: shop.into(),
            sealed_token: app.seal(token).expect("the token seals"),
            scopes: String::new(),
            connected_at_ms: 1,
        };
        store.connect_shopify(tenant, &connection).await.expect("the shop connects");
        tenant
    }

    /// A state over `store`, with a fresh SQLite queue file and a fresh SQLite analytics file, the
    /// default intake limits, and merchant sign-in through `verifier` (closed when `None`).
    pub async fn state(store: DynStore, token: &str, verifier: Option<Arc<zelly_auth::FirebaseVerifier>>) -> AppState {
        let queues = zelly_queue::connect(&zelly_queue::testing::sqlite_config()).await.expect("a temp SQLite queue opens");
        let analytics = zelly_analytics::connect(&zelly_analytics::testing::sqlite_config())
            .await
            .expect("a temp SQLite analytics file opens");
        AppState {
            store,
            storefront_token: Arc::new(zelly_store::config::Secret::new(token)),
            verifier,
            queues,
            analytics,
            intake: routes::events::Intake::new(routes::events::IntakeLimits::default()),
            razorpay_webhook_secrets: Arc::new(Vec::new()),
            shopify_secrets: Arc::new(Vec::new()),
            shopify: None,
            razorpay: None,
            checkout_hold_ms: zelly_edge::orders::RESERVATION_MS,
            onboarding: Arc::new(crate::onboarding::OnboardingConfig::default()),
            // No test reaches real DNS: one that checks domains swaps in a checker of its
            // stand-in (`zelly_dns::standin`); this one asks a port where nothing answers.
            domains: Arc::new(
                zelly_dns::DnsChecker::new(Some(std::net::SocketAddr::from(([127, 0, 0, 1], 9))))
                    .expect("a checker of a loopback address builds"),
            ),
            signature_spikes: Arc::new(crate::alarms::SignatureSpikes::default()),
        }
    }
}
