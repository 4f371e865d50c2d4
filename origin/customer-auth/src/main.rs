//! customer-auth binary: read the config, run the app.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let config = customer_auth::Config::from_env().map_err(|e| anyhow::anyhow!("customer-auth config: {e}"))?;
    customer_auth::run(config).await
}
