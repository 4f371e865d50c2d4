//! events-consumer binary: read the config, consume until SIGTERM.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let config = events_consumer::Config::from_env().map_err(|e| anyhow::anyhow!("events-consumer config: {e}"))?;
    events_consumer::run(config).await
}
