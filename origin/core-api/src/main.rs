//! core-api binary: read the config, run the app.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let config = core_api::Config::from_env().map_err(|e| anyhow::anyhow!("core-api config: {e}"))?;
    core_api::run(config).await
}
