//! `cargo xtask <command>`: the project's only build script.
//!
//! Every command first makes sure the tools it needs are installed (idempotently, with one
//! progress line per tool), so a fresh checkout needs nothing but `rustup`, `npm` and Debian's
//! `apt-get`. Only crates.io, npm and Debian are used as sources: nothing downloads prebuilt
//! binaries from anywhere else, which is also why Trunk always runs `--offline`.

mod base64;
mod bench;
mod browser;
mod chromedriver;
mod e2e;
mod e2e_classroom;
mod e2e_connect;
mod e2e_kafka_ui;
mod e2e_scale;
mod e2e_streams;
mod http;
mod lockfile;
mod paths;
mod process;
mod screenshot;
mod stages;
mod static_server;
mod test_pipeline;
mod tools;
mod trunk;
mod webdriver;

use std::process::ExitCode;

/// Errors are plain messages with context: xtask only ever reports them to a human.
pub type Result<T> = std::result::Result<T, String>;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  doctor       list the required tools and whether they are installed
  install      install every missing tool (build tools and Chromium/ChromeDriver)
  serve        install what is missing, then `trunk serve --offline` on http://127.0.0.1:8080
  dist         install what is missing, then build the release bundle into dist/
  test         fmt, clippy, native tests, exercises (verify-all), wasm tests, release bundle, e2e
  e2e          run only the end-to-end lesson test against the existing dist/
  screenshot   [--width W] [--height H] [--out FILE]  save a PNG of dist/ in headless Chromium
  bench        print the performance figures (engine natively and in wasm, page step cost, first paint, bundle size)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let root = paths::repo_root();
    let result = match command.as_str() {
        "doctor" => no_args(command, rest).and_then(|()| tools::doctor(&root)),
        "install" => no_args(command, rest).and_then(|()| tools::ensure_all(&root)),
        "serve" => no_args(command, rest).and_then(|()| trunk::serve(&root)),
        "dist" => no_args(command, rest).and_then(|()| trunk::dist(&root)),
        "test" => no_args(command, rest).and_then(|()| test_pipeline::run(&root)),
        "e2e" => no_args(command, rest).and_then(|()| e2e::run(&root)),
        "screenshot" => screenshot::run(&root, rest),
        "bench" => no_args(command, rest).and_then(|()| bench::run(&root)),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn no_args(command: &str, rest: &[String]) -> Result<()> {
    match rest.first() {
        None => Ok(()),
        Some(extra) => Err(format!("`{command}` takes no arguments (got `{extra}`)")),
    }
}
