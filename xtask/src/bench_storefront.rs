//! `cargo xtask bench-storefront [--seconds N] [--clients N]`: how fast the storefront renders a
//! 48-product listing, in process, from the native host and from the Worker under workerd
//! (cached and uncached), with the Worker's gzipped wasm size and the latency of its first
//! request (cold isolate).
//!
//! A throwaway store `bench.localhost` with 48 products is seeded into a fresh embedded database;
//! release builds of core-api and storefront-server and the storefront Worker under `wrangler dev`
//! serve it. The load is `clients` concurrent keep-alive HTTP clients for `seconds` each.

use crate::platform::{self, Logs, Platform, Shared};
use crate::util::{self, root, run, step};
use anyhow::{bail, Context, Result};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PRODUCTS: usize = 48;
const DOMAIN: &str = "bench.localhost";

fn parse(args: &[String]) -> Result<(u64, usize)> {
    let (mut seconds, mut clients) = (10_u64, 8_usize);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it.next().with_context(|| format!("{arg} needs a number"))?;
        match arg.as_str() {
            "--seconds" => seconds = value.parse::<u64>().context("--seconds")?.max(1),
            "--clients" => clients = value.parse::<usize>().context("--clients")?.clamp(1, 256),
            other => bail!("unknown option {other:?}; usage: cargo xtask bench-storefront [--seconds N] [--clients N]"),
        }
    }
    Ok((seconds, clients))
}

/// What one load run measured.
struct Load {
    requests: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// `clients` clients GET `path(i)` on `port` with `Host: bench.localhost` for `seconds`.
async fn load(port: u16, seconds: u64, clients: usize, path: fn(u64) -> String) -> Result<Load> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let stop_at = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, counter) = (http.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < stop_at {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let sent = Instant::now();
                let res = http.get(format!("http://127.0.0.1:{port}{}", path(i))).header("host", DOMAIN).send().await?;
                let ok = res.status().is_success();
                let _ = res.bytes().await?;
                if !ok {
                    bail!("a page failed during the load");
                }
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let at = |q: f64| all.get(((all.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    Ok(Load { requests: all.len() as u64, per_second: all.len() as f64 / elapsed, p50_ms: at(0.5), p99_ms: at(0.99) })
}

/// Seeds the bench store: 48 active products, one to three variants each.
async fn seed(data_dir: &std::path::Path) -> Result<()> {
    use zelly_edge::{Currency, DomainName, Handle, Money, TenantSlug};
    let store = zelly_store::connect(&zelly_store::DatabaseConfig::Sqlite { path: data_dir.join("zelly.db") }).await?;
    let tenant = store
        .create_tenant(&zelly_store::NewTenant { slug: TenantSlug::parse("bench").map_err(anyhow::Error::msg)?, name: "Bench Bazaar".into() })
        .await?;
    store.add_domain(tenant.id, &DomainName::parse(DOMAIN).map_err(anyhow::Error::msg)?, true).await?;
    let images: Vec<&str> = zelly_store::demo::demo_handles().collect();
    for i in 0..PRODUCTS {
        let variants = (0..=(i % 3))
            .map(|v| zelly_store::NewVariant {
                sku: format!("BENCH-{i}-{v}"),
                title: ["Small", "Medium", "Large"][v].into(),
                price: Money::new(10_000 + (i as i64) * 1_500 + (v as i64) * 2_000, Currency::INR),
            })
            .collect();
        store
            .create_product(
                tenant.id,
                &zelly_store::NewProduct {
                    handle: Handle::parse(&format!("bench-product-{i}")).map_err(anyhow::Error::msg)?,
                    title: format!("Bench Product {i}"),
                    description: "A product of the storefront benchmark, with a description of ordinary length.".into(),
                    image_url: Some(format!("/assets/demo/{}.svg", images[i % images.len()])),
                    variants,
                },
            )
            .await?;
    }
    Ok(())
}

/// Runs the benchmark and prints its figures.
pub fn bench_storefront(args: &[String]) -> Result<()> {
    let (seconds, clients) = parse(args)?;
    util::ensure_npm()?;
    crate::wasm::build_all()?;
    step("Building core-api and storefront-server (release)");
    run(Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--locked", "-p", "core-api", "-p", "storefront-server"]))?;
    let work = std::env::temp_dir().join(format!("zelly-bench-sf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let data_dir = work.join("data");
    std::fs::create_dir_all(&data_dir)?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(seed(&data_dir))?;

    let (core_port, native_port, worker_port) = (util::free_port()?, util::free_port()?, util::free_port()?);
    let token = format!("bench-token-{}-{core_port}", std::process::id());
    let mut p = Platform::new(Logs::Files(root().join("target/zelly-bench-logs")));
    let mut core = Command::new(root().join("target/release/core-api"));
    core.env("PORT", core_port.to_string())
        .env("BIND", "127.0.0.1")
        .env("ZELLY_DATA_DIR", &data_dir)
        .env("STOREFRONT_API_BEARER_TOKEN", &token)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("DB_HOST")
        .env_remove("REDIS_URL")
        .env_remove("CLICKHOUSE_HOST");
    p.spawn("core-api", &mut core)?;
    p.wait_ready("core-api", core_port, "localhost", "/health")?;
    let shared = Shared { core_url: format!("http://127.0.0.1:{core_port}"), token: token.clone(), redis_url: None, clickhouse_url: None };
    let mut native = Command::new(root().join("target/release/storefront-server"));
    native
        .env("PORT", native_port.to_string())
        .env("BIND", "127.0.0.1")
        .env("CORE_API_URL", &shared.core_url)
        .env("STOREFRONT_API_BEARER_TOKEN", &token)
        .env("RUST_LOG", "warn");
    p.spawn("storefront-server", &mut native)?;
    p.wait_ready("storefront-server", native_port, "localhost", "/health")?;
    step("Starting the storefront Worker under wrangler dev");
    platform::start_worker(&mut p, "storefront-worker", "storefront", worker_port, &shared, &[], &work.join("wrangler"))?;

    let result = rt.block_on(async {
        // The first page of a fresh isolate: module instantiation plus one render.
        let cold = Instant::now();
        let res = reqwest::Client::new().get(format!("http://127.0.0.1:{worker_port}/")).header("host", DOMAIN).send().await?;
        if !res.status().is_success() {
            bail!("the Worker answered {}", res.status());
        }
        let first_page_ms = cold.elapsed().as_secs_f64() * 1000.0;
        let catalog: zelly_edge::dto::StoreCatalog = reqwest::Client::new()
            .get(format!("{}{}", shared.core_url, zelly_edge::paths::store_catalog(&zelly_edge::DomainName::parse(DOMAIN).map_err(anyhow::Error::msg)?)))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        if catalog.products.len() != PRODUCTS {
            bail!("the bench store has {} products, not {PRODUCTS}", catalog.products.len());
        }
        step("Rendering in process");
        let listing = storefront_app::listing::Listing::from_query(Some("page=1"));
        let started = Instant::now();
        let mut renders = 0_u64;
        while started.elapsed() < Duration::from_secs(seconds.min(5)) {
            let page = storefront_app::render_home(&catalog, &listing);
            std::hint::black_box(page.html.len());
            renders += 1;
        }
        let in_process = renders as f64 / started.elapsed().as_secs_f64();
        let listing_bytes = storefront_app::render_home(&catalog, &listing).html.len();
        step(&format!("Loading each host for {seconds} s with {clients} clients"));
        let native = load(native_port, seconds, clients, |_| "/".to_owned()).await?;
        let worker_cached = load(worker_port, seconds, clients, |_| "/".to_owned()).await?;
        let worker_uncached = load(worker_port, seconds, clients, |i| format!("/?sort=price-asc&bench={i}")).await?;
        Ok((first_page_ms, in_process, listing_bytes, native, worker_cached, worker_uncached))
    });
    p.stop();
    rt.shutdown_background();
    let _ = std::fs::remove_dir_all(&work);
    let (first_page_ms, in_process, listing_bytes, native, cached, uncached) = result?;
    let wasm = std::fs::read(crate::wasm::dist("storefront-worker").join("index_bg.wasm"))?;
    let gz = crate::wasm::gzipped_len(&wasm)?;
    println!("\nstorefront, home page of a {PRODUCTS}-product store ({listing_bytes} bytes of HTML), {} CPUs", std::thread::available_parallelism().map_or(0, usize::from));
    println!("  in-process render (one core)     {in_process:>8.0} pages/s");
    for (name, l) in [("native host (axum, release)", &native), ("Worker under workerd, cached", &cached), ("Worker under workerd, uncached", &uncached)] {
        println!("  {name:<32} {:>8.0} pages/s   p50 {:>6.1} ms   p99 {:>6.1} ms   ({} requests)", l.per_second, l.p50_ms, l.p99_ms, l.requests);
    }
    println!("  Worker wasm                       {} KB, {} KB gzipped", wasm.len() / 1000, gz / 1000);
    println!("  Worker first page (cold isolate)  {first_page_ms:.0} ms");
    Ok(())
}
