//! A stand-in DNS server for development and tests: nothing in dev or CI asks the real DNS
//! about merchants' domains.
//!
//! It is authoritative for every name and answers from an in-memory record set (TXT, CNAME, A,
//! AAAA): NXDOMAIN for a name it does not know, NODATA for a known name without the asked type,
//! and, as real servers do, the CNAME alone when a name with a CNAME is asked for another type
//! (it follows nothing; the resolver asks again for the target). DNS is served over UDP and TCP
//! on one port; a small HTTP API ([`http`]) changes the records, and so can a test through
//! [`RunningStandin::records`].
//!
//! Start one in-process on free ports with [`spawn`] and [`Config::ephemeral`], and point a
//! [`DnsChecker`](crate::DnsChecker) at [`RunningStandin::dns_addr`].

pub mod http;
mod dns;
mod records;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use dns::encode_query;
pub use records::{DnsRecord, InvalidRecord, RecordKind, Records};

/// What the stand-in reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND`: the address both servers listen on (default 127.0.0.1).
    pub bind: IpAddr,
    /// `DNS_PORT`: DNS over UDP and TCP (default 5353; 0 picks a free port).
    pub dns_port: u16,
    /// `PORT`: the HTTP control API (default 5380; 0 picks a free port).
    pub http_port: u16,
    /// `DNS_STANDIN_RECORDS`: records served from the start, written `type:name:value` and
    /// separated by commas (so a TXT value given here cannot hold a comma).
    pub records: Vec<DnsRecord>,
}

impl Config {
    /// Reads the environment; fails naming the variable that is wrong.
    pub fn from_env() -> Result<Self, String> {
        let bind = match std::env::var("BIND") {
            Ok(raw) if !raw.trim().is_empty() => {
                raw.trim().parse().map_err(|_| format!("BIND must be an IP address, got {raw:?}"))?
            }
            _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let records = match std::env::var("DNS_STANDIN_RECORDS") {
            Ok(raw) => parse_records(&raw).map_err(|err| format!("DNS_STANDIN_RECORDS: {err}"))?,
            Err(_) => Vec::new(),
        };
        Ok(Self {
            bind,
            dns_port: zelly_service::port_from_env("DNS_PORT", 5353)?,
            http_port: zelly_service::port_from_env("PORT", 5380)?,
            records,
        })
    }

    /// 127.0.0.1 on free ports, no records: for tests.
    pub fn ephemeral() -> Self {
        Self { bind: IpAddr::V4(Ipv4Addr::LOCALHOST), dns_port: 0, http_port: 0, records: Vec::new() }
    }
}

/// Reads comma-separated `type:name:value` records (blank entries are skipped).
pub fn parse_records(raw: &str) -> Result<Vec<DnsRecord>, InvalidRecord> {
    raw.split(',').filter(|entry| !entry.trim().is_empty()).map(str::parse).collect()
}

/// A stand-in serving in background tasks. Dropping it stops it too; [`shutdown`] also waits
/// for the servers to stop.
///
/// [`shutdown`]: RunningStandin::shutdown
#[derive(Debug)]
pub struct RunningStandin {
    /// Where DNS is served, over UDP and TCP alike.
    pub dns_addr: SocketAddr,
    /// Where the HTTP control API is served.
    pub http_addr: SocketAddr,
    /// The records served: change them here to change the answers at once.
    pub records: Records,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningStandin {
    /// The control API's base URL, `http://127.0.0.1:PORT`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// Adds a record; `false` when it was already there.
    pub fn add(&self, record: DnsRecord) -> bool {
        self.records.add(record)
    }

    /// Removes a record; `false` when it was not there.
    pub fn remove(&self, record: &DnsRecord) -> bool {
        self.records.remove(record)
    }

    /// Stops serving and waits until the sockets are closed.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for RunningStandin {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Binds the DNS port (UDP and TCP) and the HTTP port, and serves both in background tasks of
/// the current tokio runtime.
pub async fn spawn(config: Config) -> io::Result<RunningStandin> {
    let (udp, tcp) = bind_dns(config.bind, config.dns_port).await?;
    let http = TcpListener::bind(SocketAddr::new(config.bind, config.http_port))
        .await
        .map_err(|err| io::Error::new(err.kind(), format!("dns-standin: cannot listen for HTTP on {}:{}: {err}", config.bind, config.http_port)))?;
    let (dns_addr, http_addr) = (udp.local_addr()?, http.local_addr()?);
    let records = Records::new(config.records);
    let (shutdown, stopped) = watch::channel(false);

    let app = http::router(records.clone());
    let mut http_stopped = stopped.clone();
    let tasks = vec![
        tokio::spawn(dns::serve_udp(udp, records.clone(), stopped.clone())),
        tokio::spawn(dns::serve_tcp(tcp, records.clone(), stopped)),
        tokio::spawn(async move {
            let stop = async move {
                let _ = http_stopped.changed().await;
            };
            if let Err(err) = axum::serve(http, app).with_graceful_shutdown(stop).await {
                tracing::error!(%err, "dns-standin HTTP server failed");
            }
        }),
    ];
    Ok(RunningStandin { dns_addr, http_addr, records, shutdown, tasks })
}

/// The UDP socket and TCP listener on one port. With port 0 the system picks the UDP port, and
/// the TCP port of the same number may be taken: then another is tried.
async fn bind_dns(ip: IpAddr, port: u16) -> io::Result<(UdpSocket, TcpListener)> {
    let cannot = |err: io::Error| io::Error::new(err.kind(), format!("dns-standin: cannot listen for DNS on {ip}:{port}: {err}"));
    for _ in 0..20 {
        let udp = UdpSocket::bind(SocketAddr::new(ip, port)).await.map_err(cannot)?;
        let bound = udp.local_addr()?;
        match TcpListener::bind(bound).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(err) if port == 0 && err.kind() == io::ErrorKind::AddrInUse => continue,
            Err(err) => return Err(cannot(err)),
        }
    }
    Err(io::Error::new(io::ErrorKind::AddrInUse, format!("dns-standin: found no port free for both UDP and TCP on {ip}")))
}

/// Serves until Ctrl-C or SIGTERM: what the `dns-standin` binary runs.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let preloaded = config.records.len();
    let standin = spawn(config).await?;
    tracing::info!(
        dns = %standin.dns_addr,
        http = %standin.http_url(),
        records = preloaded,
        "dns-standin serving DNS over UDP and TCP, and its control API over HTTP"
    );
    zelly_service::shutdown_signal().await;
    tracing::info!("dns-standin shutting down");
    standin.shutdown().await;
    Ok(())
}
