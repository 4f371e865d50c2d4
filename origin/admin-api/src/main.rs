//! admin-api binary: read the config, run the app.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let config = admin_api::Config::from_env().map_err(|e| anyhow::anyhow!("admin-api config: {e}"))?;
    admin_api::run(config).await
}
