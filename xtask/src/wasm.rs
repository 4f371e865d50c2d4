//! `cargo xtask wasm`: every wasm artifact, with whichever wasm32 toolchain this machine has.
//!
//! Output, under `target/zelly-dist/`:
//! - `storefront-worker/`, `checkout-worker/`: `index_bg.wasm` + `index_bg.js` (wasm-bindgen's
//!   bundler output) and `shim.mjs`, the Worker's ES module entry that `wrangler.toml` points at.
//! - `seller-ui/`, `admin-ui/`: `index.html`, `style.css`, `app.js`, `app_bg.wasm`, ready to serve.
//!   seller-ui's wasm is split at its screens (`seller-ui/src/screens.rs`): `app_bg.wasm` is the
//!   sign-in, the frame and the product list, and `__wasm_split.js` fetches each other screen's
//!   `split_<screen>.wasm` (and the `chunk_<n>.wasm` it shares with other screens) the first time
//!   it shows.

use crate::util::{self, have, npm_bin, output, root, run, step};
use anyhow::{anyhow, bail, Context, Result};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
/// The SPAs whose wasm is split at their `#[wasm_split]` functions (linked with `--emit-relocs`,
/// which their build script asks for).
const SPLIT_UIS: &[&str] = &["seller-ui"];
/// The SPAs, built together with Leptos `csr`.
const UIS: [&str; 2] = ["seller-ui", "admin-ui"];
/// The module the main wasm imports its screen loaders from, and its file in the dist folder.
const SPLIT_LOADER: &str = "./__wasm_split.js";

/// Which compiler builds wasm32 here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toolchain {
    /// rustup with the `wasm32-unknown-unknown` target installed (a normal developer laptop).
    Rustup,
    /// Debian's `rustc-web` building std from `rust-web-src` (`-Zbuild-std`), linked by `wasm-ld` (the SPAs by
    /// `wasm-ld-19`).
    Debian,
}

/// Debian's packages that build wasm32: the compiler, std's source, and the two wasm-lds.
const DEBIAN_PACKAGES: &[&str] = &["rustc-web", "cargo-web", "rust-web-src", "lld", "lld-19"];

/// Debian's toolchain when its packages are installed: it rebuilds std with the artifacts, so
/// the SPAs' std is built for size too (see [`SPA_SIZE_FLAGS`]); otherwise the rustup target
/// when installed (a normal developer laptop); otherwise Debian's, installing it when possible.
pub fn toolchain() -> Result<Toolchain> {
    if DEBIAN_PACKAGES.iter().all(|package| util::dpkg_installed(package)) {
        return Ok(Toolchain::Debian);
    }
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == TARGET) {
        return Ok(Toolchain::Rustup);
    }
    util::ensure_apt(DEBIAN_PACKAGES)?;
    Ok(Toolchain::Debian)
}

/// What the SPAs (and the std Debian's toolchain builds with them) are compiled with, for size:
/// a panic stops the app at once (`immediate-abort`: no panic messages, so none of the formatting
/// machinery they pull in), and neither panic locations nor `Debug` output are kept (the SPAs
/// format with `Debug` only in their native tests). Together they take about 20 KB off
/// seller-ui's first screen (gzipped). Only with build-std: the panic strategy must be std's too.
const SPA_SIZE_FLAGS: &str = "-Zlocation-detail=none -Zfmt-debug=none -Zunstable-options -Cpanic=immediate-abort";

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
            // The SPAs link with wasm-ld 19 (see `target_dir`): `lld`'s wasm-ld 14 leaves the
            // zero-filled `.bss` segment out of a module linked with --emit-relocs while symbols
            // still point into it, which the splitter rejects.
            let spas = packages.iter().any(|p| UIS.contains(p));
            let linker = if spas { "wasm-ld-19" } else { "wasm-ld" };
            // ZELLY_WASM_PANIC_MESSAGES=1 keeps panic messages (and locations) for debugging.
            if spas && std::env::var_os("ZELLY_WASM_PANIC_MESSAGES").is_none() {
                cmd.env("RUSTFLAGS", SPA_SIZE_FLAGS).env_remove("CARGO_ENCODED_RUSTFLAGS");
            }
            cmd.env("RUSTC", "/usr/bin/rustc")
                // build-std is a nightly flag; Debian's stable rustc accepts it with this switch.
                .env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", linker)
                .args(["build", "--profile", PROFILE, "--target", TARGET, "-Zbuild-std=std,panic_abort"]);
            cmd
        }
    };
    cmd.arg("--locked");
    if let Some(package) = packages.first() {
        cmd.arg("--target-dir").arg(target_dir(toolchain, package));
    }
    for package in packages {
        cmd.args(["-p", package]);
    }
    cmd
}

/// Where cargo builds `package`: the workspace's target folder, except that on Debian the SPAs,
/// linked with another wasm-ld than the rest (see `cargo_build`), get their own; in a shared
/// one, every switch of linker between two invocations would rebuild std and all they share.
fn target_dir(toolchain: Toolchain, package: &str) -> PathBuf {
    match toolchain {
        Toolchain::Debian if UIS.contains(&package) => root().join("target/wasm-ld-19"),
        _ => root().join("target"),
    }
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
    run(&mut cargo_build(toolchain, &UIS))?;
    // The storefront's islands in the browser: Leptos `hydrate`, which must not meet `ssr`.
    run(&mut cargo_build(toolchain, &["storefront-hydrate"]))?;
    util::ensure_npm()?;
    for worker in ["storefront-worker", "checkout-worker"] {
        package_worker(toolchain, worker)?;
    }
    let mut screens = Vec::new();
    for ui in UIS {
        if let Some(split) = package_ui(toolchain, ui)? {
            screens.push((ui, split));
        }
    }
    package_storefront_site(toolchain)?;
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
    for (ui, split) in screens {
        report_screens(ui, &split)?;
    }
    Ok(())
}

/// What each screen of a split SPA costs in gzipped wasm: the main module (the sign-in, the
/// frame and the product list: the first screen), then per screen the files its first showing fetches and the total with
/// the main module. A chunk several screens share is fetched once, by whichever shows first.
fn report_screens(ui: &str, screens: &HashMap<String, Vec<String>>) -> Result<()> {
    let out = dist(ui);
    let gz = |file: &str| -> Result<usize> {
        let path = out.join(format!("{file}.wasm"));
        gzipped_len(&std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?)
    };
    let main = gz("app_bg")?;
    step(&format!("{ui}: gzipped wasm per screen"));
    eprintln!("  {:<20} {:>6} {:>10} {:>10}", "screen", "files", "fetched", "with main");
    eprintln!("  {:<20} {:>6} {:>10} {:>10}", "sign-in, products", 1, main, main);
    let mut names: Vec<&String> = screens.keys().collect();
    names.sort();
    for name in names {
        let mut fetched = 0;
        for file in &screens[name] {
            fetched += gz(file)?;
        }
        eprintln!("  {name:<20} {:>6} {fetched:>10} {:>10}", screens[name].len(), main + fetched);
    }
    Ok(())
}

/// The size of `bytes` gzipped at the best level, as served compressed.
pub fn gzipped_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn compiled(toolchain: Toolchain, package: &str) -> PathBuf {
    target_dir(toolchain, package).join(TARGET).join(PROFILE).join(format!("{}.wasm", package.replace('-', "_")))
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
fn package_worker(toolchain: Toolchain, package: &str) -> Result<()> {
    let out = dist(package);
    fresh_dir(&out)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(compiled(toolchain, package))
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

/// wasm-bindgen (web flavour) plus the app's static files. A split SPA's wasm is first cut at
/// its split points; returns, for each of its screens, the wasm files (names without `.wasm`)
/// it fetches the first time it shows.
fn package_ui(toolchain: Toolchain, package: &str) -> Result<Option<HashMap<String, Vec<String>>>> {
    let out = dist(package);
    fresh_dir(&out)?;
    let (input, screens) = if SPLIT_UIS.contains(&package) {
        let (main, screens) = split(&compiled(toolchain, package), package, &out)?;
        (main, Some(screens))
    } else {
        (compiled(toolchain, package), None)
    };
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .out_name("app")
        .typescript(false)
        .omit_default_module_path(false)
        // The split-off modules reach the main module's function table through this export.
        .keep_lld_exports(screens.is_some())
        .web(true)
        .map_err(|e| anyhow!("{e}"))?
        .generate(&out)
        .map_err(|e| anyhow!("wasm-bindgen on {package}: {e}"))?;
    optimize(&out.join("app_bg.wasm"))?;
    if let Some(screens) = &screens {
        std::fs::remove_file(&input)?;
        let mut files: Vec<PathBuf> = screens.values().flatten().map(|file| out.join(format!("{file}.wasm"))).collect();
        files.sort();
        files.dedup();
        optimize_all(&files)?;
    }
    for file in ["index.html", "style.css"] {
        std::fs::copy(root().join(package).join(file), out.join(file))
            .with_context(|| format!("copying {package}/{file}"))?;
    }
    Ok(screens)
}

/// Cuts `package`'s linked wasm (`linked`) at its split points, into `out`: the screens' modules, the chunks
/// they share and their loader (`__wasm_split.js`, which takes the main module's memory and table
/// from `app.js`). Returns the main module, still to go through wasm-bindgen, and the files each
/// screen needs.
fn split(linked: &Path, package: &str, out: &Path) -> Result<(PathBuf, HashMap<String, Vec<String>>)> {
    let input = std::fs::read(linked).with_context(|| format!("reading {}", linked.display()))?;
    let main = out.join("app.split.wasm");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = out;
    options.main_out_path = &main;
    options.link_name = SPLIT_LOADER;
    options.main_module = "./app.js";
    options.target.web();
    let split = wasm_split_cli_support::transform(options)
        .map_err(|e| anyhow!("splitting {package}'s wasm (was it linked with --emit-relocs?): {e:#}"))?;
    if split.prefetch_map.is_empty() {
        bail!("{package}'s wasm has no split points");
    }
    Ok((main, split.prefetch_map))
}

/// The storefront's hydration bundle (web flavour, `storefront.js` + `storefront_bg.wasm`), and
/// the Worker's static-assets folder: `storefront/public` plus the bundle under `_zelly/pkg`,
/// the path both hosts serve it at.
fn package_storefront_site(toolchain: Toolchain) -> Result<()> {
    let bundle = dist("storefront-hydrate");
    fresh_dir(&bundle)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(compiled(toolchain, "storefront-hydrate"))
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

/// [`optimize`] on each of `files`, as many at once as there are cores (a split SPA has a hundred
/// small modules, and each wasm-opt run is mostly the start-up of its JS build).
fn optimize_all(files: &[PathBuf]) -> Result<()> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    while let Some(file) = files.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                        optimize(file)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|handle| handle.join().map_err(|_| anyhow!("a wasm-opt worker panicked"))?)
    })
}

/// Shrinks a wasm file with npm's binaryen (Debian's wasm-opt 108 miscompiles Rust output).
fn optimize(wasm: &Path) -> Result<()> {
    let wasm_opt = npm_bin("wasm-opt");
    if !have(&wasm_opt.to_string_lossy()) {
        bail!("wasm-opt is missing: run `npm ci` in e2e/");
    }
    let tmp = wasm.with_extension("opt.wasm");
    let mut cmd = Command::new(&wasm_opt);
    cmd.arg("-Oz")
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
        .arg(&tmp);
    let done = cmd.output().with_context(|| format!("cannot start {cmd:?}"))?;
    // The split-off modules' name sections carry label names, which this wasm-opt skips with a
    // warning per module; nothing is lost, since -Oz drops the names anyway.
    let stderr = String::from_utf8_lossy(&done.stderr);
    let news: Vec<&str> = stderr.lines().filter(|line| !line.starts_with("warning: unknown name subsection")).collect();
    if !done.status.success() {
        bail!("command failed ({}): {cmd:?}\n{}", done.status, news.join("\n"));
    }
    for line in news {
        eprintln!("{line}");
    }
    std::fs::rename(&tmp, wasm)?;
    Ok(())
}
