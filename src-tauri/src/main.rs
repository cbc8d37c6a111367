//! The `malipo-app` binary: sets up logging and starts the till (see `malipo_app::run`).

// No console window behind the till on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    malipo_app::init_tracing();
    if let Err(error) = malipo_app::run() {
        tracing::error!(%error, "Malipo stopped with an error");
        eprintln!("Malipo stopped: {error}");
        std::process::exit(1);
    }
}
