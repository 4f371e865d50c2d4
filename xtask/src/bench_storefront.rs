//! `cargo xtask bench-storefront [--seconds N] [--clients N]`: how fast the storefront serves the
//! home page of a 48-product store and of a 10,000-product one, from the native host and from the
//! Worker under workerd, hot (from the host's page cache) and cold (every request a new URL, so
//! rendered afresh from origin), with the bytes each page fetches from origin, the two stores'
//! ratio, the in-process render rate, the Worker's gzipped wasm size and its first request (cold
//! isolate).
//!
//! Two throwaway stores are seeded into a fresh embedded database; release builds of core-api and
//! storefront-server and the storefront Worker under `wrangler dev` serve them. The load is
//! `clients` concurrent keep-alive HTTP clients for `seconds` each.

use crate::platform::{self, Logs, Platform, Shared};
use crate::util::{self, root, run, step};
use anyhow::{bail, Context, Result};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Variant option values.
const SIZES: [&str; 3] = ["Small", "Medium", "Large"];
/// The two stores: (domain, products).
const STORES: [(&str, usize); 2] = [("bench.localhost", 48), ("bench-10k.localhost", 10_000)];

fn parse(args: &[String]) -> Result<(u64, usize, bool)> {
    let (mut seconds, mut clients, mut embedded) = (10_u64, 8_usize, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--embedded" {
            embedded = true;
            continue;
        }
        let value = it.next().with_context(|| format!("{arg} needs a number"))?;
        match arg.as_str() {
            "--seconds" => seconds = value.parse::<u64>().context("--seconds")?.max(1),
            "--clients" => clients = value.parse::<usize>().context("--clients")?.clamp(1, 256),
            other => bail!("unknown option {other:?}; usage: cargo xtask bench-storefront [--embedded] [--seconds N] [--clients N]"),
        }
    }
    Ok((seconds, clients, embedded))
}

/// CPU seconds used so far by a process and every process below it (workerd under wrangler,
/// PostgreSQL's backends under its postmaster), including children that have exited.
fn tree_cpu(root: u32) -> f64 {
    let mut children: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let ppid = stat.rfind(')').and_then(|i| stat[i + 2..].split_whitespace().nth(1)?.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut total = 0.0;
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        total += crate::bench::cpu_seconds(pid) + exited_children_cpu(pid);
        stack.extend(children.get(&pid).into_iter().flatten());
    }
    total
}

/// CPU seconds of a process's children that have exited and been waited for.
fn exited_children_cpu(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return 0.0 };
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else { return 0.0 };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [13, 14].iter().filter_map(|i| fields.get(*i)?.parse::<f64>().ok()).sum();
    ticks / 100.0
}

/// Waits (at most a minute) until the metered processes are idle: every page view of a load is
/// also an analytics event that core-api takes in after the page, and that work must not be
/// charged to the next load.
async fn settle(meters: &Meters) {
    for _ in 0..120 {
        let before: f64 = meters.read().iter().sum();
        tokio::time::sleep(Duration::from_millis(500)).await;
        if meters.read().iter().sum::<f64>() - before < 0.05 {
            return;
        }
    }
}

/// The processes whose CPU a load is charged to.
struct Meters {
    host: Vec<(&'static str, u32)>,
}

impl Meters {
    fn read(&self) -> Vec<f64> {
        self.host.iter().map(|(_, pid)| tree_cpu(*pid)).collect()
    }
}

/// What one load run measured.
struct Load {
    requests: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// CPU milliseconds per page of each metered process, in `Meters` order.
    cpu_ms: Vec<f64>,
}

/// `clients` clients GET `path(i)` on `port` with `Host: domain` for `seconds`.
async fn load(port: u16, domain: &'static str, seconds: u64, clients: usize, path: fn(u64) -> String, meters: &Meters) -> Result<Load> {
    settle(meters).await;
    let cpu_before = meters.read();
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
                let res = http.get(format!("http://127.0.0.1:{port}{}", path(i))).header("host", domain).send().await?;
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
    let pages = all.len().max(1) as f64;
    let cpu_ms = meters.read().iter().zip(&cpu_before).map(|(after, before)| (after - before) * 1000.0 / pages).collect();
    Ok(Load { requests: all.len() as u64, per_second: all.len() as f64 / elapsed, p50_ms: at(0.5), p99_ms: at(0.99), cpu_ms })
}

/// Seeds the bench stores: active products with one to three variants each, imported at once.
async fn seed(database: &zelly_store::DatabaseConfig) -> Result<()> {
    use zelly_edge::{DomainName, TenantSlug};
    let store = zelly_store::connect(database).await?;
    let images: Vec<&str> = zelly_store::demo::demo_handles().collect();
    for (n, (domain, products)) in STORES.iter().enumerate() {
        let slug = TenantSlug::parse(&format!("bench-{n}")).map_err(anyhow::Error::msg)?;
        let tenant = store.create_tenant(&zelly_store::NewTenant { slug, name: "Bench Bazaar".into() }).await?;
        store.add_domain(tenant.id, &DomainName::parse(domain).map_err(anyhow::Error::msg)?, true).await?;
        let inputs = (0..*products)
            .map(|i| {
                serde_json::from_value::<zelly_edge::catalog::ProductInput>(serde_json::json!({
                    "handle": format!("bench-product-{i}"),
                    "title": format!("Bench Product {i}"),
                    "description": "A product of the storefront benchmark, with a description of ordinary length.",
                    "status": "active",
                    "option_names": ["Size"],
                    "images": [{ "url": format!("/assets/demo/{}.svg", images[i % images.len()]), "alt": "" }],
                    "variants": (0..=(i % 3)).map(|v| serde_json::json!({
                        "sku": format!("BENCH-{i}-{v}"),
                        "options": [SIZES[v]],
                        "price_minor": 10_000 + (i as i64) * 1_500 + (v as i64) * 2_000,
                        "inventory_quantity": 0,
                        "track_inventory": false,
                    })).collect::<Vec<_>>(),
                }))
            })
            .collect::<Result<Vec<_>, _>>()?;
        store.import_seller_products(tenant.id, &inputs).await?;
    }
    Ok(())
}

/// Runs the benchmark and prints its figures.
pub fn bench_storefront(args: &[String]) -> Result<()> {
    let (seconds, clients, embedded) = parse(args)?;
    util::ensure_npm()?;
    crate::wasm::build_all()?;
    step("Building core-api and storefront-server (release)");
    run(Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--locked", "-p", "core-api", "-p", "storefront-server"]))?;
    let work = std::env::temp_dir().join(format!("zelly-bench-sf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let data_dir = work.join("data");
    std::fs::create_dir_all(&data_dir)?;
    let postgres = if embedded { None } else { Some(crate::pg::TempPostgres::start()?) };
    let database = match &postgres {
        Some(pg) => zelly_store::DatabaseConfig::Postgres { url: zelly_edge::Secret::new(pg.url.clone()), migration_url: None },
        None => zelly_store::DatabaseConfig::Sqlite { path: data_dir.join("zelly.db") },
    };
    let rt = tokio::runtime::Runtime::new()?;
    step("Seeding a 48-product and a 10,000-product store");
    rt.block_on(seed(&database))?;
    if let Some(pg) = &postgres {
        // A store that has had 10,000 products for a while has planner statistics for them;
        // a catalog imported a second ago does not until autovacuum gets to it.
        run(Command::new(pg.bin_dir().join("psql")).args(["-q", "-c", "ANALYZE"]).arg(&pg.url))?;
    }

    let (core_port, native_port, worker_port) = (util::free_port()?, util::free_port()?, util::free_port()?);
    let token = format!("bench-token-{}-{core_port}", std::process::id());
    let mut p = Platform::new(Logs::Files(root().join("target/zelly-bench-logs")));
    let mut core = Command::new(root().join("target/release/core-api"));
    core.env("PORT", core_port.to_string())
        .env("BIND", "127.0.0.1")
        .env("ZELLY_DATA_DIR", &data_dir)
        .env("STOREFRONT_API_BEARER_TOKEN", &token)
        .env("RUST_LOG", "warn")
        // The load is one visitor without a cookie: intake's per-shopper and per-store limits
        // would turn its page views into refusals and retries.
        .env("EVENTS_PER_MINUTE_PER_SHOPPER", "100000000")
        .env("EVENTS_PER_MINUTE_PER_STORE", "100000000")
        .env_remove("DATABASE_URL")
        .env_remove("DB_HOST")
        .envs(postgres.as_ref().map(|pg| ("DATABASE_URL", pg.url.clone())))
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

    let pid_of = |name: &str| p.pids().into_iter().find(|(n, _)| n == name).map(|(_, pid)| pid);
    let (core_pid, native_pid, worker_pid) = (pid_of("core-api"), pid_of("storefront-server"), pid_of("storefront-worker"));
    let database_pid = postgres.as_ref().and_then(crate::pg::TempPostgres::postmaster_pid);
    let meters_for = |host: (&'static str, Option<u32>)| Meters {
        host: [host, ("core-api", core_pid), ("PostgreSQL", database_pid)].into_iter().filter_map(|(n, pid)| Some((n, pid?))).collect(),
    };
    let (native_meters, worker_meters) = (meters_for(("native host", native_pid)), meters_for(("wrangler + workerd", worker_pid)));
    let result = rt.block_on(async {
        // The first page of a fresh isolate: module instantiation plus one render.
        let cold = Instant::now();
        let res = reqwest::Client::new().get(format!("http://127.0.0.1:{worker_port}/")).header("host", STORES[0].0).send().await?;
        if !res.status().is_success() {
            bail!("the Worker answered {}", res.status());
        }
        let first_page_ms = cold.elapsed().as_secs_f64() * 1000.0;
        let mut rows = Vec::new();
        for (domain, products) in STORES {
            let parsed = zelly_edge::DomainName::parse(domain).map_err(anyhow::Error::msg)?;
            let request = storefront_app::listing::Listing::default().request(None, false);
            let res = reqwest::Client::new()
                .get(format!("{}{}", shared.core_url, zelly_edge::paths::store_listing(&parsed, &request)))
                .bearer_auth(&token)
                .send()
                .await?;
            let body = res.bytes().await?;
            let listing: zelly_edge::dto::StoreListing = serde_json::from_slice(&body)?;
            if listing.products.len() != products.min(storefront_app::listing::PAGE_SIZE as usize) {
                bail!("{domain} lists {} products on its first page", listing.products.len());
            }
            let html_bytes = storefront_app::render_home(&listing, &storefront_app::listing::Listing::default()).html.len();
            step(&format!("{domain} ({products} products): loading each host for {seconds} s with {clients} clients"));
            let loads = vec![
                ("native host, hot", load(native_port, domain, seconds, clients, |_| "/".to_owned(), &native_meters).await?),
                ("native host, cold", load(native_port, domain, seconds, clients, |i| format!("/?bench={i}"), &native_meters).await?),
                ("Worker, hot", load(worker_port, domain, seconds, clients, |_| "/".to_owned(), &worker_meters).await?),
                ("Worker, cold", load(worker_port, domain, seconds, clients, |i| format!("/?bench={i}"), &worker_meters).await?),
            ];
            rows.push((domain, products, body.len(), html_bytes, loads));
        }
        step("Rendering in process");
        let listing = storefront_app::listing::Listing::default();
        let parsed = zelly_edge::DomainName::parse(STORES[0].0).map_err(anyhow::Error::msg)?;
        let data: zelly_edge::dto::StoreListing = reqwest::Client::new()
            .get(format!("{}{}", shared.core_url, zelly_edge::paths::store_listing(&parsed, &listing.request(None, false))))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let started = Instant::now();
        let mut renders = 0_u64;
        while started.elapsed() < Duration::from_secs(seconds.min(5)) {
            std::hint::black_box(storefront_app::render_home(&data, &listing).html.len());
            renders += 1;
        }
        let in_process = renders as f64 / started.elapsed().as_secs_f64();
        Ok((first_page_ms, in_process, rows))
    });
    p.stop();
    rt.shutdown_background();
    drop(postgres);
    let _ = std::fs::remove_dir_all(&work);
    let (first_page_ms, in_process, rows) = result?;
    let wasm = std::fs::read(crate::wasm::dist("storefront-worker").join("index_bg.wasm"))?;
    let gz = crate::wasm::gzipped_len(&wasm)?;
    let backend = if embedded { "embedded SQLite" } else { "PostgreSQL" };
    println!("\nstorefront home pages, {} CPUs, core-api on {backend}, {clients} clients", std::thread::available_parallelism().map_or(0, usize::from));
    println!("  (hot: the same URL, from the host's page cache; cold: a new URL each request, origin + render)");
    for (domain, products, origin_bytes, html_bytes, loads) in &rows {
        println!("  {domain}: {products} products, {html_bytes} bytes of HTML, {origin_bytes} bytes from origin per cold page");
        for (name, l) in loads {
            let meters = if name.starts_with("native") { &native_meters } else { &worker_meters };
            let cpu: Vec<String> = meters.host.iter().zip(&l.cpu_ms).map(|((n, _), ms)| format!("{n} {ms:.2}")).collect();
            println!(
                "    {name:<18} {:>7.0} pages/s  p50 {:>6.1} ms  p99 {:>6.1} ms  CPU ms/page: {}  ({} requests)",
                l.per_second, l.p50_ms, l.p99_ms, cpu.join(", "), l.requests
            );
        }
    }
    if let [(_, _, _, _, small), (_, _, _, _, big)] = rows.as_slice() {
        println!("  48-product store's pages/s over the 10,000-product store's (goal: at most 1.3):");
        for ((name, s), (_, b)) in small.iter().zip(big) {
            println!("    {name:<18} {:.2}", s.per_second / b.per_second.max(0.001));
        }
    }
    println!("  in-process render of the 48-product page (one core) {in_process:>8.0} pages/s");
    println!("  Worker wasm                       {} KB, {} KB gzipped", wasm.len() / 1000, gz / 1000);
    println!("  Worker first page (cold isolate)  {first_page_ms:.0} ms");
    Ok(())
}
