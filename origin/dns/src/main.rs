//! dns-standin binary: read the config, serve the stand-in DNS server and its control API.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let config = zelly_dns::standin::Config::from_env().map_err(|e| anyhow::anyhow!("dns-standin config: {e}"))?;
    zelly_dns::standin::run(config).await
}
