//! storefront-server binary: read the config, run the app.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let config = storefront_server::Config::from_env().map_err(|e| anyhow::anyhow!("storefront config: {e}"))?;
    storefront_server::run(config).await
}
