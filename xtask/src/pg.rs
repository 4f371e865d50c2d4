//! A throwaway PostgreSQL server for the test run: its own data dir and port, gone afterwards.

use crate::util::{self, run, step};
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::Command;

/// A running throwaway server, stopped (and its files removed) on drop.
pub struct TempPostgres {
    dir: PathBuf,
    bin: PathBuf,
    /// A URL of its maintenance database, as the superuser.
    pub url: String,
}

fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

impl TempPostgres {
    /// Installs PostgreSQL when missing, then initialises and starts a server on a free port.
    pub fn start() -> Result<Self> {
        if bin_dir().is_none() {
            util::ensure_apt(&["postgresql"])?;
        }
        let bin = bin_dir().context("PostgreSQL's initdb was not found under /usr/lib/postgresql")?;
        let port = util::free_port()?;
        let dir = std::env::temp_dir().join(format!("zelly-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        step(&format!("Starting a throwaway PostgreSQL on 127.0.0.1:{port}"));
        // initdb refuses to run as root: run the server as the `postgres` user when we are root.
        let as_postgres = util::is_root();
        if as_postgres {
            run(Command::new("chown").arg("-R").arg("postgres").arg(&dir))?;
        }
        let pg = |program: &str| {
            let path = bin.join(program);
            if as_postgres {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", "postgres", "--"]).arg(path);
                cmd
            } else {
                Command::new(path)
            }
        };
        let data = dir.join("data");
        run(pg("initdb").arg("-D").arg(&data).args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]).stdout(std::process::Stdio::null()))?;
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        run(pg("pg_ctl").arg("-D").arg(&data).arg("-o").arg(&opts).arg("-l").arg(dir.join("log")).args(["-w", "start"]).stdout(std::process::Stdio::null()))?;
        Ok(Self { dir, bin, url: format!("postgres://postgres@127.0.0.1:{port}/postgres") })
    }
}

impl TempPostgres {
    /// Where the server's programs (psql, pg_ctl) are.
    pub fn bin_dir(&self) -> &std::path::Path {
        &self.bin
    }

    /// The server's main process (its backends are its children).
    pub fn postmaster_pid(&self) -> Option<u32> {
        let pid_file = std::fs::read_to_string(self.dir.join("data").join("postmaster.pid")).ok()?;
        pid_file.lines().next()?.trim().parse().ok()
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let mut cmd = if util::is_root() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(self.bin.join("pg_ctl"));
            cmd
        } else {
            Command::new(self.bin.join("pg_ctl"))
        };
        let _ = cmd.arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "stop"]).stdout(std::process::Stdio::null()).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
