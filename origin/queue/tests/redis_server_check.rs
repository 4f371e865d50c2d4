//! Start-up refuses a Redis that would lose jobs. The test starts its own throwaway `redis-server`,
//! since it changes the server's configuration.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};
use zelly_queue::testing::skip_or_fail;
use zelly_queue::{connect, QueueConfig, QueueError, RedisConfig};

/// A `redis-server` on a free port, killed when dropped.
struct ThrowawayRedis {
    url: String,
    _process: tokio::process::Child,
}

async fn start_redis() -> Option<ThrowawayRedis> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let spawned = tokio::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--maxmemory-policy", "noeviction"])
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let process = match spawned {
        Ok(process) => process,
        Err(e) => {
            skip_or_fail(&format!("redis-server cannot be started ({e})"));
            return None;
        }
    };
    let url = format!("redis://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start on port {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Some(ThrowawayRedis { url, _process: process })
}

async fn set_policy(url: &str, policy: &str) {
    let options = bullmq::options::RedisConnectionOptions::new().url(url);
    let conn = bullmq::redis_connection::RedisConnection::new_managed_only(&options).await.unwrap();
    let _: () = conn.cmd(redis::cmd("CONFIG").arg("SET").arg("maxmemory-policy").arg(policy)).await.unwrap();
}

#[tokio::test]
async fn a_redis_that_may_evict_keys_is_refused_with_the_fix() {
    let Some(redis) = start_redis().await else { return };
    let config = QueueConfig::Redis(RedisConfig::new(redis.url.clone()));
    connect(&config).await.expect("noeviction is accepted");

    set_policy(&redis.url, "allkeys-lru").await;
    let refused = connect(&config).await.err().expect("allkeys-lru was accepted");
    let message = refused.to_string();
    assert!(matches!(refused, QueueError::UnsuitableServer(_)), "{refused:?}");
    assert!(message.contains("maxmemory-policy is allkeys-lru"), "{message}");
    assert!(message.contains("needs noeviction"), "{message}");
    assert!(message.contains("CONFIG SET maxmemory-policy noeviction"), "{message}");

    set_policy(&redis.url, "noeviction").await;
    connect(&config).await.expect("accepted again once the policy is fixed");
}

#[tokio::test]
async fn an_unreachable_redis_is_an_error_not_a_hang() {
    // A port nothing listens on: taken from the OS, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = QueueConfig::Redis(RedisConfig::new(format!("redis://127.0.0.1:{port}")));
    let began = Instant::now();
    let failed = tokio::time::timeout(Duration::from_secs(30), connect(&config)).await.expect("connect hung");
    let error = failed.err().expect("connected to nothing");
    assert!(matches!(error, QueueError::Unreachable(_) | QueueError::Redis(_)), "{error:?}");
    eprintln!("unreachable Redis: {error} (after {:?})", began.elapsed());
    assert!(began.elapsed() < Duration::from_secs(15), "took {:?}", began.elapsed());
}
