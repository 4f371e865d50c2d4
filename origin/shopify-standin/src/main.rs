//! shopify-standin binary: serve the stand-in on `BIND`/`PORT` (default 9400) for the app whose
//! `SHOPIFY_API_KEY` and `SHOPIFY_API_SECRET` core-api also has; each shop starts with
//! `SHOPIFY_STANDIN_SEED_PRODUCTS` sample products (default none).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let listen = zelly_service::listen_from_env(9400).map_err(anyhow::Error::msg)?;
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(key), Some(secret)) = (var("SHOPIFY_API_KEY"), var("SHOPIFY_API_SECRET")) else {
        anyhow::bail!("SHOPIFY_API_KEY and SHOPIFY_API_SECRET are required: the app the stand-in installs");
    };
    // Every shop starts with this many sample products, so that a sync has something to show.
    let seed = match var("SHOPIFY_STANDIN_SEED_PRODUCTS") {
        Some(n) => n.parse().map_err(|_| anyhow::anyhow!("SHOPIFY_STANDIN_SEED_PRODUCTS: not a count: {n:?}"))?,
        None => 0,
    };
    // Sample images are served here, at the address browsers reach the stand-in by.
    let image_base = format!("http://localhost:{}/cdn/standin", listen.port());
    let standin = shopify_standin::Standin::with_seed(&key, &secret, seed, Some(image_base));
    zelly_service::serve("shopify-standin", listen, shopify_standin::app(standin)).await?;
    Ok(())
}
