//! address-standin binary: serve the stand-in on `BIND`/`PORT` (default 9300).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let listen = zelly_service::listen_from_env(9300).map_err(anyhow::Error::msg)?;
    let key = std::env::var("EXTERNAL_ADDRESS_API_KEY").ok().filter(|k| !k.trim().is_empty());
    zelly_service::serve("address-standin", listen, address_standin::app(address_standin::Standin::new(key))).await?;
    Ok(())
}
