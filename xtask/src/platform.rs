//! Starting and stopping the whole platform as local processes.
//!
//! Each service runs in its own process group so that stopping it also stops what it started
//! (wrangler starts workerd). The two SPAs are served in-process by [`serve_ui`].

use crate::util::{npm_bin, root};
use anyhow::{bail, Context, Result};
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tower_http::services::ServeDir;

/// Where a service's output goes.
#[derive(Debug, Clone)]
pub enum Logs {
    /// Straight to this terminal (`cargo xtask dev`).
    Terminal,
    /// One file per service in this folder (`cargo xtask test`).
    Files(PathBuf),
}

/// Running services, stopped on drop.
pub struct Platform {
    services: Vec<(String, Child)>,
    logs: Logs,
}

impl Platform {
    /// An empty platform.
    pub fn new(logs: Logs) -> Self {
        if let Logs::Files(dir) = &logs {
            let _ = std::fs::create_dir_all(dir);
        }
        Self { services: Vec::new(), logs }
    }

    /// Starts `cmd` as service `name` in its own process group.
    pub fn spawn(&mut self, name: &str, cmd: &mut Command) -> Result<()> {
        cmd.current_dir(root()).process_group(0).stdin(Stdio::null());
        if let Logs::Files(dir) = &self.logs {
            let log = std::fs::File::create(dir.join(format!("{name}.log")))?;
            cmd.stdout(log.try_clone()?).stderr(log);
        }
        let child = cmd.spawn().with_context(|| format!("cannot start {name}: {cmd:?}"))?;
        self.services.push((name.to_owned(), child));
        Ok(())
    }

    /// Waits until `GET path` on `port` answers with a status below 500, or fails naming the service.
    pub fn wait_ready(&mut self, name: &str, port: u16, host: &str, path: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if http_status(port, host, path).is_some_and(|status| status < 500) {
                return Ok(());
            }
            let exited = self
                .services
                .iter_mut()
                .find(|(n, _)| n == name)
                .and_then(|(_, child)| child.try_wait().ok().flatten());
            if let Some(status) = exited {
                bail!("{name} exited ({status}) before it was ready{}", self.log_hint(name));
            }
            if Instant::now() > deadline {
                bail!("{name} was not ready on port {port} after 90 s{}", self.log_hint(name));
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn log_hint(&self, name: &str) -> String {
        match &self.logs {
            Logs::Files(dir) => {
                let path = dir.join(format!("{name}.log"));
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(30).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                format!("; last lines of {}:\n{}", path.display(), tail.join("\n"))
            }
            Logs::Terminal => String::new(),
        }
    }

    /// Each running service's name and process id.
    pub fn pids(&self) -> Vec<(String, u32)> {
        self.services.iter().map(|(name, child)| (name.clone(), child.id())).collect()
    }

    /// Whether any service has exited; returns its name.
    pub fn exited(&mut self) -> Option<String> {
        self.services
            .iter_mut()
            .find_map(|(name, child)| matches!(child.try_wait(), Ok(Some(_))).then(|| name.clone()))
    }

    /// Stops every service: SIGTERM to each group, then SIGKILL to whatever is left after 10 s.
    pub fn stop(&mut self) {
        for (_, child) in &self.services {
            signal_group(child.id(), "TERM");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for (_, child) in &mut self.services {
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(100));
            }
            // The leader may be gone while what it started is not: kill the group regardless.
            signal_group(child.id(), "KILL");
            let _ = child.wait();
        }
        self.services.clear();
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(pid: u32, signal: &str) {
    // `--` so that the negative pid (the whole group) cannot be read as an option.
    let _ = Command::new("kill")
        .args(["-s", signal, "--"])
        .arg(format!("-{pid}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A minimal `GET` returning the status code, without any HTTP client dependency.
pub fn http_status(port: u16, host: &str, path: &str) -> Option<u16> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").ok()?;
    let mut head = [0u8; 32];
    let n = stream.read(&mut head).ok()?;
    let line = String::from_utf8_lossy(&head[..n]);
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The ports of one running platform.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    /// core-api
    pub core: u16,
    /// admin-api
    pub admin: u16,
    /// storefront (native or Worker)
    pub storefront: u16,
    /// checkout (native or Worker)
    pub checkout: u16,
    /// seller-ui
    pub seller_ui: u16,
    /// admin-ui
    pub admin_ui: u16,
    /// dev-auth, the local Firebase-format token issuer
    pub auth: u16,
    /// razorpay-standin, the local Razorpay
    pub razorpay: u16,
    /// dns-standin's DNS (UDP and TCP), the nameserver core-api checks custom domains with
    pub dns: u16,
    /// dns-standin's HTTP control (`PUT /records`), where a developer publishes records
    pub dns_control: u16,
    /// MailDev's SMTP server, where core-api delivers invite emails
    pub smtp: u16,
    /// customer-auth, shoppers' accounts
    pub customer_auth: u16,
    /// MailDev's web page (and REST API, `GET /email`), where the caught emails are read
    pub mail_web: u16,
    /// address-standin, the local address API customer-auth checks PIN codes with
    pub address: u16,
    /// shopify-standin, the local Shopify merchants connect their shop through
    pub shopify: u16,
    /// slack-standin, where admin-api's alerts are posted
    pub slack: u16,
}

impl Ports {
    /// The seed's ports, used by `cargo xtask dev`.
    pub const DEV: Ports =
        Ports { core: 3000, admin: 3022, storefront: 4321, checkout: 8787, seller_ui: 5173, admin_ui: 5175, auth: 9099, razorpay: 9100, dns: 5300, dns_control: 5380, smtp: 1025, mail_web: 1080, customer_auth: 5174, address: 9300, shopify: 9400, slack: 9500 };
}

/// What every origin-facing service needs to know.
#[derive(Debug, Clone)]
pub struct Shared {
    /// core-api's URL.
    pub core_url: String,
    /// The storefront bearer token shared by core-api and the edge hosts.
    pub token: String,
    /// BullMQ's Redis, or `None` for the embedded SQLite queue.
    pub redis_url: Option<String>,
    /// ClickHouse's HTTP URL, or `None` for the embedded SQLite analytics file.
    pub clickhouse_url: Option<String>,
}

impl Shared {
    /// Points a service at the shared queues and analytics store, ignoring whatever the
    /// developer's shell may have set for them.
    fn backends(&self, cmd: &mut Command) {
        for var in ["REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "BULLMQ_PREFIX"] {
            cmd.env_remove(var);
        }
        for var in ["CLICKHOUSE_HOST", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD", "CLICKHOUSE_DATABASE", "CLICKHOUSE_TABLE"] {
            cmd.env_remove(var);
        }
        if let Some(url) = &self.redis_url {
            cmd.env("REDIS_URL", url);
        }
        if let Some(url) = &self.clickhouse_url {
            cmd.env("CLICKHOUSE_HOST", url);
        }
    }
}

fn bin(name: &str) -> PathBuf {
    root().join("target/debug").join(name)
}

/// Builds the native service binaries.
pub fn build_native() -> Result<()> {
    crate::util::run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--locked", "-p", "core-api", "-p", "admin-api", "-p", "customer-auth", "-p", "storefront-server", "-p", "checkout-host"])
            .args(["-p", "dev-auth", "-p", "events-consumer", "-p", "razorpay-standin", "-p", "address-standin", "-p", "shopify-standin", "-p", "slack-standin", "-p", "zelly-dns"]),
    )
}

/// The Firebase project the dev issuer signs for.
pub const DEV_FIREBASE_PROJECT: &str = "zelly-dev";

/// Starts dev-auth, the local issuer of Firebase-format ID tokens (demo merchant account).
pub fn start_dev_auth(p: &mut Platform, port: u16) -> Result<()> {
    let mut cmd = Command::new(bin("dev-auth"));
    cmd.env("PORT", port.to_string()).env("BIND", "127.0.0.1").env("FIREBASE_PROJECT_ID", DEV_FIREBASE_PROJECT);
    p.spawn("dev-auth", &mut cmd)?;
    p.wait_ready("dev-auth", port, "localhost", "/health")
}

/// The Razorpay test keys and webhook secret the local platform shares with the stand-in.
pub const DEV_RAZORPAY_KEY_ID: &str = "rzp_test_zelly";
/// See [`DEV_RAZORPAY_KEY_ID`].
pub const DEV_RAZORPAY_KEY_SECRET: &str = "zelly_test_secret";
/// See [`DEV_RAZORPAY_KEY_ID`].
pub const DEV_RAZORPAY_WEBHOOK_SECRET: &str = "zelly_webhook_secret";

/// Starts the Razorpay stand-in, delivering its webhooks to core-api on `core_port`.
pub fn start_razorpay(p: &mut Platform, port: u16, core_port: u16) -> Result<()> {
    let mut cmd = Command::new(bin("razorpay-standin"));
    cmd.env("PORT", port.to_string())
        .env("BIND", "127.0.0.1")
        .env("RAZORPAY_KEY_ID", DEV_RAZORPAY_KEY_ID)
        .env("RAZORPAY_KEY_SECRET", DEV_RAZORPAY_KEY_SECRET)
        .env("RAZORPAY_WEBHOOK_SECRET", DEV_RAZORPAY_WEBHOOK_SECRET)
        .env("RAZORPAY_WEBHOOK_URL", format!("http://127.0.0.1:{core_port}/api/webhooks/razorpay"));
    p.spawn("razorpay-standin", &mut cmd)?;
    p.wait_ready("razorpay-standin", port, "localhost", "/health")
}

/// The Shopify app the local platform and the stand-in share (dev and tests only).
pub const DEV_SHOPIFY_API_KEY: &str = "zelly-dev-shopify-key";
/// See [`DEV_SHOPIFY_API_KEY`].
pub const DEV_SHOPIFY_API_SECRET: &str = "zelly-dev-shopify-secret";
/// The dev-only key shops' tokens are sealed with (base64 of 32 bytes).
pub const DEV_SHOPIFY_TOKEN_KEY: &str = "emVsbHktZGV2LW9ubHktc2hvcGlmeS10b2tlbi1rZXk=";

/// How many sample products each stand-in shop starts with: enough for an import to show its
/// progress for a while.
pub const DEV_SHOPIFY_PRODUCTS: u32 = 300;

/// Starts the Shopify stand-in: merchants connect their shop through it, never the real Shopify.
pub fn start_shopify(p: &mut Platform, port: u16) -> Result<()> {
    let mut cmd = Command::new(bin("shopify-standin"));
    cmd.env("PORT", port.to_string())
        .env("BIND", "127.0.0.1")
        .env("SHOPIFY_API_KEY", DEV_SHOPIFY_API_KEY)
        .env("SHOPIFY_API_SECRET", DEV_SHOPIFY_API_SECRET)
        .env("SHOPIFY_STANDIN_SEED_PRODUCTS", DEV_SHOPIFY_PRODUCTS.to_string());
    p.spawn("shopify-standin", &mut cmd)?;
    p.wait_ready("shopify-standin", port, "localhost", "/health")
}

/// The key the local address API wants, shared with customer-auth (dev and tests only).
pub const DEV_ADDRESS_API_KEY: &str = "zelly-dev-address-key";

/// Starts the address API stand-in: PIN codes are checked against it, never a real service.
pub fn start_address(p: &mut Platform, port: u16) -> Result<()> {
    let mut cmd = Command::new(bin("address-standin"));
    cmd.env("PORT", port.to_string()).env("BIND", "127.0.0.1").env("EXTERNAL_ADDRESS_API_KEY", DEV_ADDRESS_API_KEY);
    p.spawn("address-standin", &mut cmd)?;
    p.wait_ready("address-standin", port, "localhost", "/health")
}

/// Starts the DNS stand-in: custom domains are checked against it, never the real DNS.
pub fn start_dns(p: &mut Platform, dns_port: u16, control_port: u16) -> Result<()> {
    let mut cmd = Command::new(bin("dns-standin"));
    cmd.env("BIND", "127.0.0.1").env("DNS_PORT", dns_port.to_string()).env("PORT", control_port.to_string()).env_remove("DNS_STANDIN_RECORDS");
    p.spawn("dns-standin", &mut cmd)?;
    p.wait_ready("dns-standin", control_port, "localhost", "/health")
}

/// Starts MailDev, the mail catcher: core-api's emails land there and nowhere else. It keeps
/// them in memory and shows them on its web page; the browser tests read them through its REST API.
pub fn start_mail(p: &mut Platform, smtp_port: u16, web_port: u16) -> Result<()> {
    let mut cmd = Command::new("node");
    cmd.arg(npm_bin("maildev"))
        .args(["--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--silent"])
        .args(["--smtp", &smtp_port.to_string(), "--web", &web_port.to_string()]);
    p.spawn("maildev", &mut cmd)?;
    p.wait_ready("maildev", web_port, "localhost", "/healthz")
}

/// Starts core-api on embedded SQLite under `data_dir`, seeding the demo tenant; merchants' tokens
/// are verified against dev-auth's certificates on `auth_port` (told explicitly, never by default),
/// and payments go to the Razorpay stand-in on `razorpay_port`.
pub fn start_core(p: &mut Platform, ports: &Ports, shared: &Shared, data_dir: &Path) -> Result<()> {
    let (port, auth_port, razorpay_port) = (ports.core, ports.auth, ports.razorpay);
    let seller_ui = format!("http://localhost:{}", ports.seller_ui);
    let mut cmd = Command::new(bin("core-api"));
    clear_database_env(&mut cmd);
    cmd.env("PORT", port.to_string())
        .env("BIND", "127.0.0.1")
        .env("ZELLY_DATA_DIR", data_dir)
        .env("ZELLY_SEED_DEMO", "1")
        .env("FIREBASE_PROJECT_ID", DEV_FIREBASE_PROJECT)
        .env(
            "FIREBASE_CERTS_URL",
            format!("http://127.0.0.1:{auth_port}/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"),
        )
        .env("STOREFRONT_API_BEARER_TOKEN", &shared.token)
        .env("CORS_ORIGINS", &seller_ui)
        // New stores answer on {slug}.localhost; invite links open this seller-ui; custom
        // domains are checked against the DNS stand-in, never the real DNS.
        .env("PLATFORM_DOMAIN", "localhost")
        .env("SELLER_UI_URL", &seller_ui)
        .env("STOREFRONT_CNAME_TARGET", "stores.localhost")
        .env("DNS_RESOLVER", format!("127.0.0.1:{}", ports.dns))
        .env_remove("DOMAIN_RECHECK_SECONDS")
        // Emails go to the mail catcher, never to a real inbox.
        .env("SMTP_URL", format!("smtp://127.0.0.1:{}", ports.smtp))
        .env_remove("MAIL_FROM")
        // Never the real Razorpay: the stand-in, with its test keys.
        .env("RAZORPAY_API_URL", format!("http://127.0.0.1:{razorpay_port}"))
        .env("RAZORPAY_KEY_ID", DEV_RAZORPAY_KEY_ID)
        .env("RAZORPAY_KEY_SECRET", DEV_RAZORPAY_KEY_SECRET)
        .env("RAZORPAY_WEBHOOK_SECRET", DEV_RAZORPAY_WEBHOOK_SECRET)
        .env_remove("RAZORPAY_WEBHOOK_SECRET_PREVIOUS")
        // Never the real Shopify: the stand-in, with the dev app.
        .env("SHOPIFY_API_KEY", DEV_SHOPIFY_API_KEY)
        .env("SHOPIFY_API_SECRET", DEV_SHOPIFY_API_SECRET)
        .env("SHOPIFY_TOKEN_KEY", DEV_SHOPIFY_TOKEN_KEY)
        .env("SHOPIFY_ADMIN_URL", format!("http://localhost:{}", ports.shopify))
        .env("SHOPIFY_REDIRECT_URL", format!("http://localhost:{port}/api/shopify/callback"))
        .env_remove("SHOPIFY_API_SECRET_PREVIOUS");
    shared.backends(&mut cmd);
    p.spawn("core-api", &mut cmd)?;
    p.wait_ready("core-api", port, "localhost", "/health")
}

/// Starts events-consumer on the shared queues and analytics store. It has no port: it is ready
/// when its log says it is consuming, which the platform's exit watch covers.
pub fn start_consumer(p: &mut Platform, shared: &Shared, data_dir: &Path) -> Result<()> {
    let mut cmd = Command::new(bin("events-consumer"));
    cmd.env("ZELLY_DATA_DIR", data_dir);
    shared.backends(&mut cmd);
    p.spawn("events-consumer", &mut cmd)
}

/// Starts customer-auth (shoppers' accounts) on the same database and queues as core-api, whose
/// mail worker delivers its emails to MailDev; addresses are checked with the address stand-in
/// on `address_port`.
pub fn start_customer_auth(p: &mut Platform, port: u16, address_port: u16, shared: &Shared, data_dir: &Path) -> Result<()> {
    let mut cmd = Command::new(bin("customer-auth"));
    clear_database_env(&mut cmd);
    cmd.env("PORT", port.to_string())
        .env("BIND", "127.0.0.1")
        .env("ZELLY_DATA_DIR", data_dir)
        .env("CUSTOMER_AUTH_PUBLIC_URL", format!("http://localhost:{port}"))
        .env("EXTERNAL_ADDRESS_API_URL", format!("http://127.0.0.1:{address_port}"))
        .env("EXTERNAL_ADDRESS_API_KEY", DEV_ADDRESS_API_KEY)
        .env_remove("ADDRESS_API_TIMEOUT_MS")
        .env_remove("TRUST_FORWARDED_FOR");
    shared.backends(&mut cmd);
    p.spawn("customer-auth", &mut cmd)?;
    p.wait_ready("customer-auth", port, "localhost", "/health")
}

/// The key that signs staff tokens on the local platform (dev and tests only).
pub const DEV_JWT_SECRET_KEY: &str = "zelly-dev-only-staff-token-signing-key";
/// The key that seals staff TOTP secrets on the local platform (dev and tests only; base64 of 32
/// bytes).
pub const DEV_STAFF_TOTP_KEY: &str = "emVsbHktZGV2LW9ubHktc3RhZmYtdG90cC1rZXkhISE=";
/// The staff admin `cargo xtask dev` creates.
pub const DEV_STAFF_EMAIL: &str = "admin@zelly.localhost";

/// Starts the Slack stand-in, which shows the alerts admin-api posts.
pub fn start_slack(p: &mut Platform, port: u16) -> Result<()> {
    let mut cmd = Command::new(bin("slack-standin"));
    cmd.env("PORT", port.to_string()).env("BIND", "127.0.0.1");
    p.spawn("slack-standin", &mut cmd)?;
    p.wait_ready("slack-standin", port, "localhost", "/health")
}

/// The webhook URL admin-api posts alerts to on the local platform.
pub fn dev_slack_webhook(slack_port: u16) -> String {
    format!("http://127.0.0.1:{slack_port}/services/T0ZELLY/B0ALERTS/dev")
}

/// Creates a staff account on the embedded database (an existing one is left as it is).
pub fn create_staff(data_dir: &Path, email: &str, role: &str, password: &str) -> Result<()> {
    let mut cmd = Command::new(bin("admin-api"));
    clear_database_env(&mut cmd);
    let out = cmd
        .args(["create-staff", "--email", email, "--role", role, "--name", "Platform admin"])
        .env("ZELLY_DATA_DIR", data_dir)
        .env("ZELLY_STAFF_PASSWORD", password)
        .output()?;
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && !err.contains("already exists") {
        bail!("creating the staff account {email} failed: {err}");
    }
    Ok(())
}

/// The dev admin's password: made once at random and kept in the data dir (never a default).
pub fn dev_staff_password(data_dir: &Path) -> Result<String> {
    let file = data_dir.join("staff-admin-password.txt");
    if let Ok(kept) = std::fs::read_to_string(&file)
        && kept.trim().len() >= 12
    {
        return Ok(kept.trim().to_owned());
    }
    let mut bytes = [0u8; 12];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let password: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(&file, &password)?;
    Ok(password)
}

/// Starts admin-api on the same database and queues, posting alerts to the Slack stand-in.
pub fn start_admin(p: &mut Platform, port: u16, shared: &Shared, data_dir: &Path, cors: &str, slack_port: u16) -> Result<()> {
    let mut cmd = Command::new(bin("admin-api"));
    clear_database_env(&mut cmd);
    cmd.env("PORT", port.to_string())
        .env("BIND", "127.0.0.1")
        .env("ZELLY_DATA_DIR", data_dir)
        .env("CORS_ORIGINS", cors)
        .env("JWT_SECRET_KEY", DEV_JWT_SECRET_KEY)
        .env("STAFF_TOTP_KEY", DEV_STAFF_TOTP_KEY)
        .env("SLACK_WEBHOOK_URL", dev_slack_webhook(slack_port))
        .env("ALERT_CHECK_SECONDS", "5")
        .env_remove("TRUST_FORWARDED_FOR");
    shared.backends(&mut cmd);
    p.spawn("admin-api", &mut cmd)?;
    p.wait_ready("admin-api", port, "localhost", "/health")
}

/// The embedded platform ignores database variables the developer's shell may have set.
fn clear_database_env(cmd: &mut Command) {
    for var in ["DATABASE_URL", "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME", "DB_DATABASE"] {
        cmd.env_remove(var);
    }
}

/// Starts the native storefront (leptos renderer in axum).
pub fn start_storefront_native(p: &mut Platform, name: &str, port: u16, checkout_port: u16, shared: &Shared, accounts_port: u16) -> Result<()> {
    let mut cmd = Command::new(bin("storefront-server"));
    cmd.env("PORT", port.to_string())
        .env("AUTH_API_URL", format!("http://127.0.0.1:{accounts_port}"))
        .env("AUTH_PUBLIC_URL", format!("http://localhost:{accounts_port}"))
        .env("CHECKOUT_DEV_PORT", checkout_port.to_string())
        .env("BIND", "127.0.0.1")
        .env("CORE_API_URL", &shared.core_url)
        .env("STOREFRONT_API_BEARER_TOKEN", &shared.token)
        .env("ZELLY_STOREFRONT_ASSETS", root().join("storefront/public/assets"))
        .env("ZELLY_STOREFRONT_BUNDLE", crate::wasm::dist("storefront-hydrate"));
    p.spawn(name, &mut cmd)?;
    p.wait_ready(name, port, "localhost", "/health")
}

/// Starts the native checkout host, sending shoppers to the Razorpay stand-in on `razorpay_port`
/// to pay, with customer-auth on `accounts_port` for signed-in shoppers and the address check.
pub fn start_checkout_native(p: &mut Platform, name: &str, port: u16, razorpay_port: u16, shared: &Shared, accounts_port: u16) -> Result<()> {
    let mut cmd = Command::new(bin("checkout-host"));
    cmd.env("PORT", port.to_string())
        .env("AUTH_API_URL", format!("http://127.0.0.1:{accounts_port}"))
        .env("AUTH_PUBLIC_URL", format!("http://localhost:{accounts_port}"))
        .env("RAZORPAY_STANDIN_URL", standin_url(razorpay_port))
        .env("BIND", "127.0.0.1")
        .env("CORE_API_URL", &shared.core_url)
        .env("STOREFRONT_API_BEARER_TOKEN", &shared.token);
    p.spawn(name, &mut cmd)?;
    p.wait_ready(name, port, "localhost", "/checkout/health")
}

/// Where shoppers' browsers reach the Razorpay stand-in's payment page.
pub fn standin_url(razorpay_port: u16) -> String {
    format!("http://localhost:{razorpay_port}")
}

/// Starts one of `wrangler.toml`'s Workers under `wrangler dev` (workerd), fully offline, with
/// `vars` added to its configuration.
pub fn start_worker(p: &mut Platform, name: &str, env: &str, port: u16, shared: &Shared, vars: &[(&str, String)], state_dir: &Path) -> Result<()> {
    let inspector = crate::util::free_port()?;
    let mut cmd = Command::new(npm_bin("wrangler"));
    cmd.args(["dev", "--config", "wrangler.toml", "--env", env, "--ip", "127.0.0.1"])
        .args(["--port", &port.to_string(), "--inspector-port", &inspector.to_string()])
        .arg("--persist-to")
        .arg(state_dir)
        .args(["--show-interactive-dev-session=false", "--log-level", "warn"])
        .args(["--var", &format!("CORE_API_URL:{}", shared.core_url)])
        .args(["--var", &format!("STOREFRONT_API_BEARER_TOKEN:{}", shared.token)])
        .args(vars.iter().flat_map(|(name, value)| ["--var".to_owned(), format!("{name}:{value}")]))
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("NO_UPDATE_NOTIFIER", "1");
    p.spawn(name, &mut cmd)?;
    let probe = if env == "checkout" { "/checkout/health" } else { "/health" };
    p.wait_ready(name, port, "localhost", probe)
}

/// A built SPA with its runtime configuration (the `<meta>` values of its `index.html`).
#[derive(Debug, Clone)]
pub struct UiSite {
    /// The built folder.
    pub dir: PathBuf,
    /// `(meta name, value)` pairs written into `index.html`.
    pub meta: Vec<(&'static str, String)>,
}

/// Serves a built SPA on `port`: `index.html` with its configuration filled in, everything else
/// from the folder (wasm as `application/wasm`).
pub async fn serve_ui(site: UiSite, port: u16) -> Result<()> {
    let mut html = std::fs::read_to_string(site.dir.join("index.html"))
        .with_context(|| format!("{} is not built: run `cargo xtask wasm`", site.dir.display()))?;
    for (name, value) in &site.meta {
        html = set_meta(&html, name, value);
    }
    let app = Router::new()
        .route("/", get(|State(html): State<String>| async move { Html(html) }))
        .route("/index.html", get(|State(html): State<String>| async move { Html(html) }))
        .fallback_service(ServeDir::new(&site.dir))
        .with_state(html);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// Replaces the `content` of `<meta name="{name}" content="...">`.
fn set_meta(html: &str, name: &str, value: &str) -> String {
    let marker = format!(r#"<meta name="{name}" content=""#);
    let Some(start) = html.find(&marker).map(|i| i + marker.len()) else {
        return html.to_owned();
    };
    let Some(len) = html[start..].find('"') else {
        return html.to_owned();
    };
    format!("{}{}{}", &html[..start], value, &html[start + len..])
}

#[cfg(test)]
mod tests {
    use super::set_meta;

    #[test]
    fn set_meta_replaces_only_the_named_tag() {
        let html = r#"<meta name="a" content="x"><meta name="b" content="y">"#;
        assert_eq!(set_meta(html, "b", "http://z:1"), r#"<meta name="a" content="x"><meta name="b" content="http://z:1">"#);
        assert_eq!(set_meta(html, "missing", "q"), html);
    }
}
