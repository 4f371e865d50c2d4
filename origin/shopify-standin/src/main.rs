//! shopify-standin binary: serve the stand-in on `BIND`/`PORT` (default 9400) for the app whose
//! `SHOPIFY_API_KEY` and `SHOPIFY_API_SECRET` core-api also has.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let listen = zelly_service::listen_from_env(9400).map_err(anyhow::Error::msg)?;
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(key), Some(secret)) = (var("SHOPIFY_API_KEY"), var("SHOPIFY_API_SECRET")) else {
        anyhow::bail!("SHOPIFY_API_KEY and SHOPIFY_API_SECRET are required: the app the stand-in installs");
    };
    zelly_service::serve("shopify-standin", listen, shopify_standin::app(shopify_standin::Standin::new(&key, &secret))).await?;
    Ok(())
}
