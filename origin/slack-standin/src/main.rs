//! slack-standin binary: serve the stand-in on `BIND`/`PORT` (default 9500).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let listen = zelly_service::listen_from_env(9500).map_err(anyhow::Error::msg)?;
    zelly_service::serve("slack-standin", listen, slack_standin::app(slack_standin::Standin::new())).await?;
    Ok(())
}
