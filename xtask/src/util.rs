//! Running commands, installing what is missing, finding free ports.

use anyhow::{bail, Context, Result};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
    })
}

/// Prints a step heading, so the output of a long run reads as a list of steps.
pub fn step(message: &str) {
    eprintln!("\n\x1b[1m==> {message}\x1b[0m");
}

/// Runs a command to completion in the workspace root, failing with its command line on error.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd.current_dir_if_unset().status().with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("command failed ({status}): {shown}");
    }
    Ok(())
}

/// Runs a command and returns its standard output, or `None` if it could not run or failed.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Free space, in GiB, on the file system holding `path` (from `df`; `None` if it cannot tell).
pub fn free_disk_gib(path: &std::path::Path) -> Option<u64> {
    let out = output(Command::new("df").args(["-Pk"]).arg(path))?;
    let kib: u64 = out.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kib / (1024 * 1024))
}

trait CurrentDirIfUnset {
    fn current_dir_if_unset(&mut self) -> &mut Self;
}

impl CurrentDirIfUnset for Command {
    fn current_dir_if_unset(&mut self) -> &mut Self {
        if self.get_current_dir().is_none() {
            self.current_dir(root());
        }
        self
    }
}

/// Whether a program is on `PATH` (or is an existing path).
pub fn have(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).exists();
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).map(|s| s.trim() == "0").unwrap_or(false)
}

pub fn dpkg_installed(package: &str) -> bool {
    output(Command::new("dpkg-query").args(["-W", "-f=${Status}", package]))
        .map(|s| s.contains("install ok installed"))
        .unwrap_or(false)
}

/// Installs the Debian packages that are missing; explains what to install when it cannot.
pub fn ensure_apt(packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !dpkg_installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !have("apt-get") || !is_root() {
        bail!("missing packages: {} (install them with: sudo apt-get install -y {})", missing.join(", "), missing.join(" "));
    }
    step(&format!("Installing Debian packages: {}", missing.join(" ")));
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Installs `e2e/`'s npm packages (wrangler, playwright-core, binaryen, maildev) from its lockfile if needed.
pub fn ensure_npm() -> Result<()> {
    let e2e = root().join("e2e");
    let stamp = e2e.join("node_modules/.package-lock.json");
    let fresh = std::fs::metadata(&stamp)
        .and_then(|m| m.modified())
        .ok()
        .zip(std::fs::metadata(e2e.join("package-lock.json")).and_then(|m| m.modified()).ok())
        .is_some_and(|(installed, lock)| installed >= lock);
    if fresh && e2e.join("node_modules/.bin/wrangler").exists() {
        return Ok(());
    }
    if !have("npm") {
        ensure_apt(&["nodejs", "npm"])?;
    }
    step("Installing e2e/ npm packages (wrangler, playwright-core, binaryen, maildev)");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&e2e))
}

/// The path of an npm-installed tool in `e2e/node_modules/.bin`.
pub fn npm_bin(name: &str) -> PathBuf {
    root().join("e2e/node_modules/.bin").join(name)
}

/// A TCP port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
