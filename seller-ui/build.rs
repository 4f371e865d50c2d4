//! Keeps the linker's relocations in the wasm build: `cargo xtask wasm` splits the linked module
//! at its screens (see `src/screens.rs`) and must know every address and call it moves.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32") {
        println!("cargo::rustc-link-arg-cdylib=--emit-relocs");
    }
}
