//! `cargo xtask wasm`: every wasm artifact, with whichever wasm32 toolchain this machine has.
//!
//! Output, under `target/zelly-dist/`:
//! - `storefront-worker/`, `checkout-worker/`: `index_bg.wasm` + `index_bg.js` (wasm-bindgen's
//!   bundler output) and `shim.mjs`, the Worker's ES module entry that `wrangler.toml` points at.
//! - `seller-ui/`, `admin-ui/`: `index.html`, `style.css`, `app.js`, `app_bg.wasm`, ready to serve.

use crate::util::{self, have, npm_bin, output, root, run, step};
use anyhow::{anyhow, bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";

/// Which compiler builds wasm32 here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toolchain {
    /// rustup with the `wasm32-unknown-unknown` target installed (a normal developer laptop).
    Rustup,
    /// Debian's `rustc-web` building std from `rust-web-src` (`-Zbuild-std`), linked by `wasm-ld`.
    Debian,
}

/// Picks the rustup target when installed, else the Debian fallback (installing it when possible).
pub fn toolchain() -> Result<Toolchain> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == TARGET) {
        return Ok(Toolchain::Rustup);
    }
    util::ensure_apt(&["rustc-web", "cargo-web", "rust-web-src", "lld"])?;
    Ok(Toolchain::Debian)
}

fn cargo_build(toolchain: Toolchain, packages: &[&str]) -> Command {
    let mut cmd = match toolchain {
        Toolchain::Rustup => {
            let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
            cmd.args(["build", "--profile", PROFILE, "--target", TARGET]);
            cmd
        }
        Toolchain::Debian => {
            let mut cmd = Command::new("/usr/bin/cargo");
            // The outer (rustup) cargo's variables must not leak into Debian's toolchain.
            for var in ["RUSTUP_TOOLCHAIN", "RUSTC", "RUSTDOC", "CARGO", "RUSTC_WRAPPER"] {
                cmd.env_remove(var);
            }
            cmd.env("RUSTC", "/usr/bin/rustc")
                // build-std is a nightly flag; Debian's stable rustc accepts it with this switch.
                .env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", "wasm-ld")
                .args(["build", "--profile", PROFILE, "--target", TARGET, "-Zbuild-std=std,panic_abort"]);
            cmd
        }
    };
    cmd.arg("--locked");
    for package in packages {
        cmd.args(["-p", package]);
    }
    cmd
}

/// The folder of one built artifact.
pub fn dist(name: &str) -> PathBuf {
    root().join("target/zelly-dist").join(name)
}

/// Builds every wasm artifact and reports their gzipped sizes.
pub fn build_all() -> Result<()> {
    let toolchain = toolchain()?;
    step(&format!("Building wasm artifacts ({toolchain:?} toolchain)"));
    // Two invocations: the Workers render with Leptos `ssr`, the SPAs with `csr`; one build would
    // unify those features.
    run(&mut cargo_build(toolchain, &["storefront-worker", "checkout-worker"]))?;
    run(&mut cargo_build(toolchain, &["seller-ui", "admin-ui"]))?;
    // The storefront's islands in the browser: Leptos `hydrate`, which must not meet `ssr`.
    run(&mut cargo_build(toolchain, &["storefront-hydrate"]))?;
    util::ensure_npm()?;
    for worker in ["storefront-worker", "checkout-worker"] {
        package_worker(worker)?;
    }
    for ui in ["seller-ui", "admin-ui"] {
        package_ui(ui)?;
    }
    package_storefront_site()?;
    step("wasm artifacts (gzipped size)");
    for (name, file) in [
        ("storefront-worker", "index_bg.wasm"),
        ("checkout-worker", "index_bg.wasm"),
        ("seller-ui", "app_bg.wasm"),
        ("admin-ui", "app_bg.wasm"),
        ("storefront-hydrate", "storefront_bg.wasm"),
    ] {
        let path = dist(name).join(file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        eprintln!("  {name:<18} {:>8} bytes  {:>8} gzipped", bytes.len(), gzipped_len(&bytes)?);
    }
    Ok(())
}

/// The size of `bytes` gzipped at the best level, as served compressed.
pub fn gzipped_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn compiled(package: &str) -> PathBuf {
    root().join("target").join(TARGET).join(PROFILE).join(format!("{}.wasm", package.replace('-', "_")))
}

fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// wasm-bindgen (bundler flavour) plus an entry module that instantiates the wasm the way workerd
/// wants: wrangler imports a `.wasm` file as a compiled `WebAssembly.Module`.
fn package_worker(package: &str) -> Result<()> {
    let out = dist(package);
    fresh_dir(&out)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(compiled(package))
        .out_name("index")
        .typescript(false)
        .bundler(true)
        .map_err(|e| anyhow!("{e}"))?
        .generate(&out)
        .map_err(|e| anyhow!("wasm-bindgen on {package}: {e}"))?;
    // index.js is the bundler's loader, which assumes a bundler that instantiates wasm; the shim
    // replaces it.
    std::fs::remove_file(out.join("index.js")).ok();
    optimize(&out.join("index_bg.wasm"))?;
    std::fs::write(out.join("shim.mjs"), WORKER_SHIM)?;
    Ok(())
}

const WORKER_SHIM: &str = r#"// Generated by `cargo xtask wasm`: the Worker's entry module.
import wasmModule from "./index_bg.wasm";
import * as glue from "./index_bg.js";

const instance = new WebAssembly.Instance(wasmModule, { "./index_bg.js": glue });
glue.__wbg_set_wasm(instance.exports);
if (instance.exports.__wbindgen_start) instance.exports.__wbindgen_start();

export default {
  fetch(request, env, ctx) {
    return glue.fetch(request, env, ctx);
  },
};
"#;

/// wasm-bindgen (web flavour) plus the app's static files.
fn package_ui(package: &str) -> Result<()> {
    let out = dist(package);
    fresh_dir(&out)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(compiled(package))
        .out_name("app")
        .typescript(false)
        .omit_default_module_path(false)
        .web(true)
        .map_err(|e| anyhow!("{e}"))?
        .generate(&out)
        .map_err(|e| anyhow!("wasm-bindgen on {package}: {e}"))?;
    optimize(&out.join("app_bg.wasm"))?;
    for file in ["index.html", "style.css"] {
        std::fs::copy(root().join(package).join(file), out.join(file))
            .with_context(|| format!("copying {package}/{file}"))?;
    }
    Ok(())
}

/// The storefront's hydration bundle (web flavour, `storefront.js` + `storefront_bg.wasm`), and
/// the Worker's static-assets folder: `storefront/public` plus the bundle under `_zelly/pkg`,
/// the path both hosts serve it at.
fn package_storefront_site() -> Result<()> {
    let bundle = dist("storefront-hydrate");
    fresh_dir(&bundle)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(compiled("storefront-hydrate"))
        .out_name("storefront")
        .typescript(false)
        .omit_default_module_path(false)
        .web(true)
        .map_err(|e| anyhow!("{e}"))?
        .generate(&bundle)
        .map_err(|e| anyhow!("wasm-bindgen on storefront-hydrate: {e}"))?;
    optimize(&bundle.join("storefront_bg.wasm"))?;
    let site = dist("storefront-site");
    fresh_dir(&site)?;
    copy_dir(&root().join("storefront/public"), &site)?;
    let pkg = site.join("_zelly/pkg");
    std::fs::create_dir_all(&pkg)?;
    for file in ["storefront.js", "storefront_bg.wasm"] {
        std::fs::copy(bundle.join(file), pkg.join(file))?;
    }
    Ok(())
}

/// Copies a folder's files and subfolders into `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Shrinks a wasm file with npm's binaryen (Debian's wasm-opt 108 miscompiles Rust output).
fn optimize(wasm: &Path) -> Result<()> {
    let wasm_opt = npm_bin("wasm-opt");
    if !have(&wasm_opt.to_string_lossy()) {
        bail!("wasm-opt is missing: run `npm ci` in e2e/");
    }
    let tmp = wasm.with_extension("opt.wasm");
    run(Command::new(&wasm_opt)
        .arg("-Oz")
        // The features rustc enables by default for wasm32-unknown-unknown.
        .args([
            "--enable-bulk-memory",
            "--enable-mutable-globals",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(&tmp))?;
    std::fs::rename(&tmp, wasm)?;
    Ok(())
}
