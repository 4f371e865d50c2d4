//! dev-auth binary: read the config, run the development issuer.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let config = dev_auth::Config::from_env().map_err(|e| anyhow::anyhow!("dev-auth config: {e}"))?;
    dev_auth::run(config).await
}
