//! `cargo xtask bench-events [--embedded] [--seconds N] [--clients N] [--batch N]`: sustained
//! end-to-end event throughput, from core-api's intake to the analytics store, with the CPU each
//! process used.
//!
//! Release builds of core-api and events-consumer run on the production path (a throwaway Redis
//! and ClickHouse) or, with `--embedded`, on the SQLite queue and analytics file of
//! `cargo xtask dev`. `clients` concurrent HTTP clients post batches of `batch` events to the demo
//! store's intake for `seconds`; the clock stops when the last accepted event is stored. CPU is
//! read from `/proc` (user + system time of each process over the run).

use crate::platform::{Logs, Platform};
use crate::util::{self, root, run, step};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The run's settings.
#[derive(Debug, Clone, Copy)]
struct Settings {
    embedded: bool,
    seconds: u64,
    clients: usize,
    batch: usize,
}

fn parse(args: &[String]) -> Result<Settings> {
    let mut s = Settings { embedded: false, seconds: 20, clients: 16, batch: 10 };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Result<u64> {
            let raw = it.next().with_context(|| format!("{name} needs a number"))?;
            raw.parse().with_context(|| format!("{name} needs a number, got {raw:?}"))
        };
        match arg.as_str() {
            "--embedded" => s.embedded = true,
            "--seconds" => s.seconds = number("--seconds")?.max(1),
            "--clients" => s.clients = usize::try_from(number("--clients")?.clamp(1, 512))?,
            "--batch" => s.batch = usize::try_from(number("--batch")?.clamp(1, 50))?,
            other => bail!("unknown option {other:?}; usage: cargo xtask bench-events [--embedded] [--seconds N] [--clients N] [--batch N]"),
        }
    }
    Ok(s)
}

/// CPU time (user + system) of a process so far, in seconds.
pub(crate) fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return 0.0 };
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else { return 0.0 };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let per_second = util::output(Command::new("getconf").arg("CLK_TCK")).and_then(|v| v.trim().parse().ok()).unwrap_or(100.0);
    ticks / per_second
}

/// The pid of the process whose command line mentions `needle` (the ClickHouse server, found by
/// its config dir).
fn pid_with_arg(needle: &Path) -> Option<u32> {
    let needle = needle.to_string_lossy().into_owned();
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
        String::from_utf8_lossy(&cmdline).contains(&needle).then_some(pid)
    })
}

fn release_bin(name: &str) -> PathBuf {
    root().join("target/release").join(name)
}

/// Runs the benchmark and prints its figures.
pub fn bench_events(args: &[String]) -> Result<()> {
    let settings = parse(args)?;
    step("Building core-api and events-consumer (release)");
    run(Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--locked", "-p", "core-api", "-p", "events-consumer"]))?;

    let work = std::env::temp_dir().join(format!("zelly-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let data_dir = work.join("data");
    std::fs::create_dir_all(&data_dir)?;
    let (redis, clickhouse) = if settings.embedded {
        (None, None)
    } else {
        let redis = crate::redis::TempRedis::start()?;
        if zelly_analytics::testing::TempClickHouse::binary().is_none() {
            util::ensure_apt(&["clickhouse-server"])?;
        }
        step("Starting a throwaway ClickHouse");
        (Some(redis), Some(zelly_analytics::testing::TempClickHouse::start_new()?))
    };
    let backends = |cmd: &mut Command| {
        cmd.env("ZELLY_DATA_DIR", &data_dir).env("RUST_LOG", "warn");
        for var in ["DATABASE_URL", "DB_HOST", "REDIS_URL", "REDIS_HOST", "CLICKHOUSE_HOST", "BULLMQ_PREFIX"] {
            cmd.env_remove(var);
        }
        if let Some(redis) = &redis {
            cmd.env("REDIS_URL", &redis.url);
        }
        if let Some(clickhouse) = &clickhouse {
            cmd.env("CLICKHOUSE_HOST", clickhouse.url());
        }
    };

    let port = util::free_port()?;
    let token = format!("bench-token-{}-{port}", std::process::id());
    let mut p = Platform::new(Logs::Files(root().join("target/zelly-bench-logs")));
    let mut core = Command::new(release_bin("core-api"));
    core.env("PORT", port.to_string())
        .env("BIND", "127.0.0.1")
        .env("ZELLY_SEED_DEMO", "1")
        .env("STOREFRONT_API_BEARER_TOKEN", &token)
        // The benchmark is one shopper flooding one store: lift both limits out of the way.
        .env("EVENTS_PER_MINUTE_PER_SHOPPER", "1000000000")
        .env("EVENTS_PER_MINUTE_PER_STORE", "1000000000");
    backends(&mut core);
    p.spawn("core-api", &mut core)?;
    p.wait_ready("core-api", port, "localhost", "/health")?;
    let mut consumer = Command::new(release_bin("events-consumer"));
    backends(&mut consumer);
    p.spawn("events-consumer", &mut consumer)?;

    let rt = tokio::runtime::Runtime::new()?;
    let result = rt.block_on(measure(settings, port, &token, &data_dir, &p, redis.as_ref(), clickhouse.as_ref()));
    p.stop();
    drop(redis);
    drop(clickhouse);
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn measure(
    settings: Settings,
    port: u16,
    token: &str,
    data_dir: &Path,
    platform: &Platform,
    redis: Option<&crate::redis::TempRedis>,
    clickhouse: Option<&zelly_analytics::testing::TempClickHouse>,
) -> Result<()> {
    let store = zelly_store::connect(&zelly_store::DatabaseConfig::Sqlite { path: data_dir.join("zelly.db") }).await?;
    let domain = zelly_edge::DomainName::parse("demo.localhost").map_err(anyhow::Error::msg)?;
    let tenant = store.tenant_by_domain(&domain).await?.context("the demo store was not seeded")?.id;
    let analytics_config = match clickhouse {
        Some(server) => zelly_analytics::AnalyticsConfig::ClickHouse(zelly_analytics::ClickHouseConfig::new(server.url())),
        None => zelly_analytics::AnalyticsConfig::Sqlite { path: data_dir.join("analytics.db") },
    };
    // The consumer creates the schema; wait for it.
    let deadline = Instant::now() + Duration::from_secs(60);
    let analytics = loop {
        match zelly_analytics::connect(&analytics_config).await {
            Ok(analytics) => break analytics,
            Err(err) if Instant::now() > deadline => bail!("analytics store not ready: {err}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };

    let mut pids: Vec<(String, u32)> = platform.pids();
    if let Some(redis) = redis {
        pids.push(("redis-server".into(), redis.pid()));
    }
    if let Some(pid) = clickhouse.and_then(|server| pid_with_arg(server.dir())) {
        pids.push(("clickhouse-server".into(), pid));
    }
    let cpu_before: Vec<f64> = pids.iter().map(|(_, pid)| cpu_seconds(*pid)).collect();
    let self_before = cpu_seconds(std::process::id());

    let mode = if settings.embedded { "embedded (SQLite queue + SQLite analytics)" } else { "BullMQ on Redis + ClickHouse" };
    step(&format!(
        "Posting batches of {} events from {} clients for {} s ({mode})",
        settings.batch, settings.clients, settings.seconds
    ));
    let url = format!("http://127.0.0.1:{port}/api/storefront/domains/demo.localhost/events");
    let body = serde_json::to_vec(&serde_json::json!({
        "events": (0..settings.batch).map(|i| serde_json::json!({
            "kind": "page_view", "session_id": format!("bench-{i}"), "path": "/"
        })).collect::<Vec<_>>()
    }))?;
    let accepted = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let http = reqwest::Client::new();
    let started = Instant::now();
    let stop_at = started + Duration::from_secs(settings.seconds);
    let mut clients = Vec::new();
    for _ in 0..settings.clients {
        let (http, url, body, token) = (http.clone(), url.clone(), body.clone(), token.to_owned());
        let (accepted, refused) = (accepted.clone(), refused.clone());
        let batch = settings.batch as u64;
        clients.push(tokio::spawn(async move {
            while Instant::now() < stop_at {
                let res = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                match res {
                    Ok(res) if res.status().as_u16() == 202 => accepted.fetch_add(batch, Ordering::Relaxed),
                    _ => refused.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    for client in clients {
        client.await?;
    }
    let intake_secs = started.elapsed().as_secs_f64();
    let sent = accepted.load(Ordering::Relaxed);
    step(&format!("{sent} events accepted in {intake_secs:.1} s; waiting until all are stored"));
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let stored = analytics.event_count(tenant).await.unwrap_or(0);
        if stored >= sent {
            break;
        }
        if Instant::now() > deadline {
            bail!("only {stored} of {sent} events were stored within 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let total_secs = started.elapsed().as_secs_f64();
    let stored = analytics.event_count(tenant).await?;

    println!("\nmode:                 {mode}");
    println!("machine:              {} CPUs", std::thread::available_parallelism().map_or(0, usize::from));
    println!("load:                 {} clients x {} events per request, {} s", settings.clients, settings.batch, settings.seconds);
    println!("accepted at intake:   {sent} events ({:.0} events/s), {} failed requests", sent as f64 / intake_secs, refused.load(Ordering::Relaxed));
    println!("stored:               {stored} events (exactly once: {})", stored == sent);
    println!("end to end:           {:.0} events/s sustained (last event stored {total_secs:.1} s after the start)", sent as f64 / total_secs);
    println!("CPU used (user+sys seconds, and per 10,000 events):");
    let mut total_cpu = 0.0;
    for ((name, pid), before) in pids.iter().zip(&cpu_before) {
        let used = cpu_seconds(*pid) - before;
        total_cpu += used;
        println!("  {name:<18} {used:>7.2} s   {:>6.3} s", used * 10_000.0 / sent.max(1) as f64);
    }
    let load = cpu_seconds(std::process::id()) - self_before;
    println!("  {:<18} {load:>7.2} s   (the load generator, not counted)", "xtask");
    println!("  {:<18} {total_cpu:>7.2} s   {:>6.3} s   = {:.2} cores busy on average", "platform", total_cpu * 10_000.0 / sent.max(1) as f64, total_cpu / total_secs);
    if stored != sent {
        bail!("stored {stored} events but {sent} were accepted");
    }
    Ok(())
}
