//! `cargo xtask bench-shopify [--embedded] [--webhooks N] [--clients N] [--products N]`: webhooks
//! accepted per second (signature check + dedupe + enqueue) with their latency, and products per
//! second imported by the catalog sync.
//!
//! The measurement is core-api's `shopify` bench (`origin/core-api/benches/shopify.rs`), built
//! with the bench profile. By default it runs on the production path, a throwaway PostgreSQL and
//! Redis started here; `--embedded` runs it on the SQLite store and queue of `cargo xtask dev`.

use crate::util::{root, run, step};
use anyhow::Result;
use std::process::Command;

/// Runs the benchmark; the figures are the bench's output.
pub fn bench_shopify(args: &[String]) -> Result<()> {
    let embedded = args.iter().any(|a| a == "--embedded");
    let passed: Vec<&String> = args.iter().filter(|a| *a != "--embedded").collect();
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root()).args(["bench", "--locked", "-p", "core-api", "--bench", "shopify", "--"]).args(&passed);
    for var in ["ZELLY_TEST_DATABASE_URL", "ZELLY_TEST_REDIS_URL", "ZELLY_REQUIRE_POSTGRES", "ZELLY_REQUIRE_REDIS"] {
        cmd.env_remove(var);
    }
    // Kept alive until the bench ends.
    let _backends = if embedded {
        None
    } else {
        let pg = crate::pg::TempPostgres::start()?;
        let redis = crate::redis::TempRedis::start()?;
        cmd.env("ZELLY_TEST_DATABASE_URL", &pg.url).env("ZELLY_TEST_REDIS_URL", &redis.url);
        Some((pg, redis))
    };
    step(if embedded { "Benchmarking Shopify webhooks and sync (SQLite store and queue)" } else { "Benchmarking Shopify webhooks and sync (PostgreSQL + BullMQ on Redis)" });
    run(&mut cmd)
}
