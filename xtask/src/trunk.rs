//! Running Trunk the way this project needs it: always `--offline` (its tool downloads would
//! come from GitHub) and with npm's wasm-opt first on PATH, so Trunk finds every tool locally.

use crate::{paths, process, tools, Result};
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// `trunk <args…> --offline` from the repository root with the tool PATH.
fn command(root: &Path, args: &[&str]) -> Result<Command> {
    let mut cmd = Command::new("trunk");
    cmd.args(args).arg("--offline").current_dir(root).env("PATH", tool_path(root)?);
    Ok(cmd)
}

/// PATH with `.tools/binaryen/node_modules/.bin` in front.
pub fn tool_path(root: &Path) -> Result<OsString> {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(paths::binaryen_bin(root)).chain(std::env::split_paths(&current));
    std::env::join_paths(dirs).map_err(|e| format!("cannot build PATH for trunk: {e}"))
}

/// `cargo xtask serve`: Trunk.toml sets 127.0.0.1:8080 and `open = false`.
pub fn serve(root: &Path) -> Result<()> {
    tools::ensure_build_tools(root)?;
    println!("xtask: serving on http://127.0.0.1:8080 (Ctrl-C to stop)");
    process::run(&mut command(root, &["serve"])?)
}

/// Builds the release bundle into dist/ (Trunk.toml's default is a debug build for `serve`).
pub fn build_release(root: &Path) -> Result<()> {
    process::run(&mut command(root, &["build", "--release"])?)
}

/// `cargo xtask dist`.
pub fn dist(root: &Path) -> Result<()> {
    tools::ensure_build_tools(root)?;
    let started = Instant::now();
    build_release(root)?;
    println!(
        "xtask: release bundle in {} ({}, built in {})",
        paths::dist(root).display(),
        bundle_size(&paths::dist(root)),
        process::format_duration(started.elapsed())
    );
    Ok(())
}

/// Total size of the bundle and of its .wasm files: the number people ask about first.
pub fn bundle_size(dir: &Path) -> String {
    let (mut total, mut wasm) = (0u64, 0u64);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.metadata() {
                Ok(m) if m.is_dir() => stack.push(path),
                Ok(m) => {
                    total += m.len();
                    if path.extension().is_some_and(|e| e == "wasm") {
                        wasm += m.len();
                    }
                }
                Err(_) => {}
            }
        }
    }
    format!("{} KiB total, {} KiB wasm", total / 1024, wasm / 1024)
}
