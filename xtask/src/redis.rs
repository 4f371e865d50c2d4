//! A throwaway Redis for the test run, configured as BullMQ requires (`noeviction`), on a free port.

use crate::util::{self, step};
use anyhow::{bail, Context, Result};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running throwaway server, stopped (and its folder removed) on drop.
pub struct TempRedis {
    child: Child,
    dir: std::path::PathBuf,
    /// `redis://127.0.0.1:PORT`
    pub url: String,
}

impl TempRedis {
    /// Installs Redis when missing, then starts one with persistence off.
    pub fn start() -> Result<Self> {
        if !util::have("redis-server") {
            util::ensure_apt(&["redis-server"])?;
        }
        let port = util::free_port()?;
        let dir = std::env::temp_dir().join(format!("zelly-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        step(&format!("Starting a throwaway Redis on 127.0.0.1:{port}"));
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--maxmemory-policy", "noeviction", "--dir"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start redis-server")?;
        let server = Self { child, dir, url: format!("redis://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("redis-server did not start on port {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }
}

impl TempRedis {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for TempRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
