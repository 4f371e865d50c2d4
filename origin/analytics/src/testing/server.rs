//! A throwaway `clickhouse-server` for tests and `cargo xtask`: the installed server's own
//! configuration, copied into a temp dir and pointed at that dir and at free local ports.
//!
//! The methods block (they start processes and wait for them); from async code call them where
//! blocking is acceptable, such as a multi-threaded test runtime.
//!
//! Notes on Debian's 18.16 that shaped this: it runs as root without complaint (no `chown` or
//! user switch needed, unlike PostgreSQL's `initdb`); it creates its data, tmp and preprocessed
//! config directories itself; and it stops on SIGTERM within a second or two.

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian's (and ClickHouse's own) packages keep the server configuration.
pub const SYSTEM_CONFIG_DIR: &str = "/etc/clickhouse-server";
/// How long a start may take before it is a failure: generous, for a busy 2-core machine.
pub const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a stop waits after SIGTERM before SIGKILL.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// Top-level settings of the copied configuration that are replaced: where the server listens and
/// writes, and what it would send elsewhere or write in the background.
const REPLACED: &[&str] = &[
    "listen_host",
    "http_port",
    "https_port",
    "tcp_port",
    "tcp_port_secure",
    "interserver_http_port",
    "interserver_https_port",
    "mysql_port",
    "postgresql_port",
    "grpc_port",
    "prometheus",
    "graphite",
    "path",
    "tmp_path",
    "user_files_path",
    "format_schema_path",
    "logger",
    "query_log",
    "query_thread_log",
    "query_views_log",
    "part_log",
    "trace_log",
    "metric_log",
    "text_log",
    "asynchronous_metric_log",
    "session_log",
    "opentelemetry_span_log",
    "crash_log",
];

/// A `clickhouse-server` of its own: a temp dir with its configuration, data and logs, and
/// three free ports on 127.0.0.1. Dropping it kills the server and removes the dir; if the test
/// process dies first, a small watchdog does the same.
#[derive(Debug)]
pub struct TempClickHouse {
    binary: PathBuf,
    dir: PathBuf,
    http_port: u16,
    server: Option<Running>,
}

/// A started server and its watchdog.
#[derive(Debug)]
struct Running {
    child: Child,
    /// Told `stop` when we stop the server ourselves; sees end-of-file if this process dies.
    watchdog: Option<(Child, ChildStdin)>,
}

impl TempClickHouse {
    /// The installed `clickhouse-server`, if any: on `PATH`, or in `/usr/sbin` or `/usr/bin`
    /// (Debian installs it in `/usr/sbin`, which an ordinary user's `PATH` may lack).
    pub fn binary() -> Option<PathBuf> {
        let on_path = std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
        on_path
            .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
            .map(|dir| dir.join("clickhouse-server"))
            .find(|path| path.is_file())
    }

    /// Creates the temp dir and configuration and starts the server, waiting until it answers.
    pub fn start_new() -> std::io::Result<Self> {
        let binary = Self::binary().ok_or_else(|| std::io::Error::other("clickhouse-server is not installed"))?;
        // Free ports are found by binding and releasing them, so another process may take one
        // before the server does: then try again with new ones.
        let mut last_error = None;
        for _ in 0..3 {
            let dir = std::env::temp_dir().join(format!("zelly-clickhouse-{}", uuid::Uuid::new_v4().simple()));
            let [http_port, tcp_port, interserver_port] = free_ports()?;
            write_config(Path::new(SYSTEM_CONFIG_DIR), &dir, http_port, tcp_port, interserver_port)?;
            let mut server = Self { binary: binary.clone(), dir, http_port, server: None };
            match server.start() {
                Ok(()) => return Ok(server),
                Err(err) if err.to_string().contains("Address already in use") => last_error = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last_error.unwrap_or_else(|| std::io::Error::other("clickhouse-server did not start")))
    }

    /// The HTTP interface, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// The temp dir holding the configuration (`config.xml`), data (`data/`) and logs (`log/`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The server's main log file.
    pub fn log_file(&self) -> PathBuf {
        self.dir.join("log").join("clickhouse-server.log")
    }

    /// Whether the server process is running (it may still be starting).
    pub fn is_running(&mut self) -> bool {
        self.server.as_mut().is_some_and(|s| matches!(s.child.try_wait(), Ok(None)))
    }

    /// Starts the server (again) on the same ports and data, waiting until `GET /ping` answers
    /// `Ok.`. Does nothing if it is running.
    pub fn start(&mut self) -> std::io::Result<()> {
        if self.is_running() {
            return Ok(());
        }
        self.server = None;
        let log_dir = self.dir.join("log");
        fs::create_dir_all(&log_dir)?;
        let console = fs::OpenOptions::new().create(true).append(true).open(log_dir.join("console.log"))?;
        let child = Command::new(&self.binary)
            .arg(format!("--config-file={}", self.dir.join("config.xml").display()))
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(console.try_clone()?)
            .stderr(console)
            .spawn()
            .map_err(|e| std::io::Error::other(format!("cannot start {}: {e}", self.binary.display())))?;
        let watchdog = spawn_watchdog(child.id(), &self.dir).ok();
        self.server = Some(Running { child, watchdog });

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if ping(self.http_port) {
                return Ok(());
            }
            let exited = self.server.as_mut().and_then(|s| s.child.try_wait().ok().flatten());
            if let Some(status) = exited {
                self.server = None;
                return Err(self.start_error(&format!("exited with {status} while starting")));
            }
            if Instant::now() > deadline {
                self.stop_now(Duration::ZERO);
                return Err(self.start_error(&format!("did not answer /ping within {} s", START_TIMEOUT.as_secs())));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server: SIGTERM, then SIGKILL if it has not exited within [`STOP_TIMEOUT`]. Its
    /// data stays, for [`TempClickHouse::start`].
    pub fn stop(&mut self) {
        self.stop_now(STOP_TIMEOUT);
    }

    fn stop_now(&mut self, grace: Duration) {
        let Some(mut running) = self.server.take() else { return };
        if let Some((mut watchdog, mut stdin)) = running.watchdog.take() {
            let _ = stdin.write_all(b"stop\n");
            drop(stdin);
            let _ = watchdog.wait();
        }
        if matches!(running.child.try_wait(), Ok(None)) && !grace.is_zero() {
            // std only sends SIGKILL, and this workspace forbids the unsafe code `libc::kill` needs.
            let _ = Command::new("kill").args(["-TERM", &running.child.id().to_string()]).status();
            let deadline = Instant::now() + grace;
            while matches!(running.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        if matches!(running.child.try_wait(), Ok(None)) {
            let _ = running.child.kill();
        }
        let _ = running.child.wait();
    }

    /// An error naming what happened, the log files, and the last lines the server wrote.
    fn start_error(&self, what: &str) -> std::io::Error {
        let console = self.dir.join("log").join("console.log");
        let errors = self.dir.join("log").join("clickhouse-server.err.log");
        let tail = [&errors, &console]
            .iter()
            .filter_map(|path| fs::read_to_string(path).ok())
            .flat_map(|text| text.lines().rev().take(8).map(str::to_owned).collect::<Vec<_>>().into_iter().rev())
            .collect::<Vec<_>>()
            .join("\n");
        std::io::Error::other(format!(
            "clickhouse-server on 127.0.0.1:{} {what}; logs: {} and {}\n{tail}",
            self.http_port,
            self.log_file().display(),
            console.display()
        ))
    }
}

impl Drop for TempClickHouse {
    fn drop(&mut self) {
        self.stop_now(Duration::from_secs(10));
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Three distinct free ports on 127.0.0.1, held together while they are chosen.
fn free_ports() -> std::io::Result<[u16; 3]> {
    let listeners = [(); 3].map(|()| TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))));
    let mut ports = [0; 3];
    for (port, listener) in ports.iter_mut().zip(listeners) {
        *port = listener?.local_addr()?.port();
    }
    Ok(ports)
}

/// Whether the server's HTTP interface answers `GET /ping` with `Ok.`.
fn ping(port: u16) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut stream =
            TcpStream::connect_timeout(&SocketAddr::from((Ipv4Addr::LOCALHOST, port)), Duration::from_secs(1))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(b"GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response.starts_with("HTTP/1.") && response.contains(" 200 ") && response.trim_end().ends_with("Ok."))
    };
    attempt().unwrap_or(false)
}

/// Starts a shell that waits on its stdin: a line means we stopped the server ourselves; end of
/// file means this process died without doing so, and the shell stops the server and removes
/// its dir (a test binary's shared server lives in a static that is never dropped).
fn spawn_watchdog(server_pid: u32, dir: &Path) -> std::io::Result<(Child, ChildStdin)> {
    let script = r#"
        if read -r _; then exit 0; fi
        kill -TERM "$1" 2>/dev/null
        i=0
        while kill -0 "$1" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$1" 2>/dev/null
        rm -rf "$2"
    "#;
    let mut child = Command::new("sh")
        .args(["-c", script, "zelly-clickhouse-watchdog", &server_pid.to_string()])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let stdin = child.stdin.take().ok_or_else(|| std::io::Error::other("watchdog has no stdin"))?;
    Ok((child, stdin))
}

/// Copies the system configuration into `dir`, pointed at `dir` and the given ports.
fn write_config(
    source: &Path,
    dir: &Path,
    http_port: u16,
    tcp_port: u16,
    interserver_port: u16,
) -> std::io::Result<()> {
    let read = |name: &str| {
        fs::read_to_string(source.join(name))
            .map_err(|e| std::io::Error::other(format!("cannot read {}: {e}", source.join(name).display())))
    };
    let data = dir.join("data");
    let log = dir.join("log");
    for sub in [&data, &log] {
        fs::create_dir_all(sub)?;
    }
    let ours = format!(
        "<logger><level>information</level><log>{log}/clickhouse-server.log</log>\
         <errorlog>{log}/clickhouse-server.err.log</errorlog><size>100M</size><count>2</count></logger>\n\
         <listen_host>127.0.0.1</listen_host>\n\
         <http_port>{http_port}</http_port>\n<tcp_port>{tcp_port}</tcp_port>\n\
         <interserver_http_port>{interserver_port}</interserver_http_port>\n\
         <path>{data}/</path>\n<tmp_path>{data}/tmp/</tmp_path>\n\
         <user_files_path>{data}/user_files/</user_files_path>\n\
         <format_schema_path>{data}/format_schemas/</format_schema_path>\n",
        log = log.display(),
        data = data.display(),
    );
    let config = rewrite_config(&relocate(&read("config.xml")?, source, dir), Some(&ours))?;
    fs::write(dir.join("config.xml"), config)?;
    fs::write(dir.join("users.xml"), relocate(&read("users.xml")?, source, dir))?;
    // Overrides beside the main files: settings in config.d lose the same elements (or they would
    // override ours again); users.d is taken as it is.
    for sub in ["config.d", "users.d"] {
        let Ok(entries) = fs::read_dir(source.join(sub)) else { continue };
        fs::create_dir_all(dir.join(sub))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name() else { continue };
            let Ok(text) = fs::read_to_string(&path) else { continue };
            let text = relocate(&text, source, dir);
            let text = if sub == "config.d" { rewrite_config(&text, None)? } else { text };
            fs::write(dir.join(sub).join(name), text)?;
        }
    }
    Ok(())
}

/// Points the packages' default locations at the temp dir, wherever they appear.
fn relocate(text: &str, source: &Path, dir: &Path) -> String {
    let dir = dir.display().to_string();
    text.replace("/var/lib/clickhouse/", &format!("{dir}/data/"))
        .replace("/var/log/clickhouse-server/", &format!("{dir}/log/"))
        .replace(&format!("{}/", source.display()), &format!("{dir}/"))
}

/// Drops XML comments and the [`REPLACED`] elements directly under the root element, then puts
/// `ours` (if any) before the root's closing tag.
pub(crate) fn rewrite_config(xml: &str, ours: Option<&str>) -> std::io::Result<String> {
    let bad = |what: &str| std::io::Error::other(format!("cannot rewrite the ClickHouse config: {what}"));
    let mut out = String::with_capacity(xml.len());
    let mut depth = 0usize;
    // Where a dropped element began, while inside it.
    let mut dropping: Option<usize> = None;
    let mut copied = 0;
    let mut pos = 0;
    while let Some(offset) = xml[pos..].find('<') {
        let start = pos + offset;
        let rest = &xml[start..];
        // Comments, CDATA, processing instructions and declarations: skipped whole; comments cut.
        let special = [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">")]
            .into_iter()
            .find(|(open, _)| rest.starts_with(open));
        if let Some((open, close)) = special {
            let end = rest.find(close).map(|i| start + i + close.len()).ok_or_else(|| bad("unclosed markup"))?;
            if open == "<!--" && dropping.is_none() {
                out.push_str(&xml[copied..start]);
                copied = end;
            }
            pos = end;
            continue;
        }
        let end = tag_end(rest).map(|i| start + i + 1).ok_or_else(|| bad("unclosed tag"))?;
        let tag = &xml[start..end];
        let closing = tag.starts_with("</");
        let self_closing = tag.ends_with("/>");
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        if closing {
            depth = depth.checked_sub(1).ok_or_else(|| bad("unbalanced tags"))?;
            if depth == 1 {
                if let Some(from) = dropping.take() {
                    out.push_str(&xml[copied..from]);
                    copied = end;
                }
            } else if depth == 0
                && let Some(ours) = ours
            {
                out.push_str(&xml[copied..start]);
                out.push_str(ours);
                copied = start;
            }
        } else if depth == 1 && REPLACED.contains(&name.as_str()) && dropping.is_none() {
            if self_closing {
                out.push_str(&xml[copied..start]);
                copied = end;
            } else {
                dropping = Some(start);
                depth += 1;
            }
        } else if !self_closing {
            depth += 1;
        }
        pos = end;
    }
    if depth != 0 || dropping.is_some() {
        return Err(bad("unbalanced tags"));
    }
    out.push_str(&xml[copied..]);
    Ok(out)
}

/// The index of the `>` closing the tag that `text` starts with, skipping quoted attribute values.
fn tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0"?>
<yandex>
    <logger><level>trace</level><log>/var/log/clickhouse-server/clickhouse-server.log</log></logger>
    <http_port>8123</http_port>
    <!-- <listen_host>::</listen_host> -->
    <listen_host>::1</listen_host>
    <listen_host>127.0.0.1</listen_host>
    <path>/var/lib/clickhouse/</path>
    <zookeeper incl="zookeeper-servers" optional="true" />
    <remote_servers incl="clickhouse_remote_servers" >
        <shard><replica><host>localhost</host><port>9000</port></replica></shard>
    </remote_servers>
    <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
    <graphite><host>localhost</host></graphite>
    <http_server_default_response><![CDATA[<html a="1"><body>x</body></html>]]></http_server_default_response>
</yandex>
"#;

    #[test]
    fn top_level_ports_paths_and_hosts_are_replaced_and_nested_ones_kept() {
        let out = rewrite_config(SAMPLE, Some("<http_port>1234</http_port>\n")).unwrap();
        assert!(!out.contains("8123") && !out.contains("::1") && !out.contains("<!--"), "{out}");
        assert!(!out.contains("<logger>") && !out.contains("<graphite>"), "{out}");
        assert!(!out.contains("/var/lib/clickhouse/"), "{out}");
        assert!(out.contains("<http_port>1234</http_port>\n</yandex>"), "{out}");
        // Nested elements of the same names and other settings stay as they were.
        assert!(out.contains("<port>9000</port>") && out.contains("<path>/clickhouse/task_queue/ddl</path>"), "{out}");
        assert!(out.contains(r#"<zookeeper incl="zookeeper-servers" optional="true" />"#), "{out}");
        assert!(out.contains("<![CDATA[<html a=\"1\"><body>x</body></html>]]>"), "{out}");
    }

    #[test]
    fn an_override_file_loses_the_same_elements_and_gains_nothing() {
        let xml = "<clickhouse><listen_host>::</listen_host><max_connections>10</max_connections></clickhouse>";
        assert_eq!(
            rewrite_config(xml, None).unwrap(),
            "<clickhouse><max_connections>10</max_connections></clickhouse>"
        );
    }

    #[test]
    fn broken_xml_is_an_error_not_a_silent_mangle() {
        assert!(rewrite_config("<yandex><path>/x</path>", None).is_err());
        assert!(rewrite_config("<yandex><!-- never closed </yandex>", None).is_err());
    }

    #[test]
    fn package_paths_point_into_the_temp_dir() {
        let text = "<path>/var/lib/clickhouse/</path><users_config>/etc/clickhouse-server/users.xml</users_config>";
        let out = relocate(text, Path::new("/etc/clickhouse-server"), Path::new("/tmp/ch"));
        assert_eq!(out, "<path>/tmp/ch/data/</path><users_config>/tmp/ch/users.xml</users_config>");
    }
}
