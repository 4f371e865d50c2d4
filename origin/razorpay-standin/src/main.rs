//! razorpay-standin binary: read the config, serve the stand-in.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let config = razorpay_standin::Config::from_env().map_err(|e| anyhow::anyhow!("razorpay-standin config: {e}"))?;
    razorpay_standin::run(config).await
}
