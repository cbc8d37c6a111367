//! Build script of the desktop shell.
//!
//! Malipo keeps its one Tauri configuration at the repository's top level
//! (`../tauri.conf.json`), not beside this crate where `tauri-build` looks by default.
//! `Attributes::config_path` points `tauri-build` at that directory: it reads the
//! configuration from there (plus any `tauri.linux.conf.json`-style platform overrides beside
//! it) and declares each file it read as a rerun trigger. `src/lib.rs` hands the same path to
//! `tauri::generate_context!`, so the build script and the macro read the same file, and a
//! test there checks the compiled context against the file as it is at test time.

fn main() {
    // Explicit, in case a future tauri-build stops declaring the files it reads.
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    // The UI is embedded by `generate_context!`; rebuild the app when a new UI is built.
    println!("cargo:rerun-if-changed=../ui/dist");
    let attributes = tauri_build::Attributes::new().config_path("../tauri.conf.json");
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by exiting non-zero with the cause on stderr.
        eprintln!("tauri-build failed: {error:#}");
        std::process::exit(1);
    }
}
