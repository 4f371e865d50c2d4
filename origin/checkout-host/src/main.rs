//! checkout-host binary.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    checkout_host::run().await
}
