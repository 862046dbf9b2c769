//! `cargo xtask test`: everything CI checks, cheapest first, stopping at the first failure.

use crate::stages::Stages;
use crate::{e2e, process, tools, trunk, Result};
use std::path::Path;
use std::process::Command;

const STAGES: [&str; 8] =
    ["tools", "fmt", "clippy", "native tests", "exercises", "wasm tests", "release bundle", "e2e"];

pub fn run(root: &Path) -> Result<()> {
    let mut stages = Stages::new(&STAGES);
    let result = run_stages(root, &mut stages);
    stages.print_summary();
    result
}

fn run_stages(root: &Path, stages: &mut Stages) -> Result<()> {
    stages.run(STAGES[0], || tools::ensure_all(root))?;
    stages.run(STAGES[1], || cargo(root, &["fmt", "--all", "--check"]))?;
    stages.run(STAGES[2], || cargo(root, &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // cargo's own output (including its `test result:` lines, which CI parses) goes straight
    // to our stdout.
    stages.run(STAGES[3], || cargo(root, &["test", "--workspace"]))?;
    // Every built-in exercise: its reference solution passes, an empty attempt does not.
    stages.run(STAGES[4], || cargo(root, &["run", "--quiet", "-p", "ksim-cli", "--", "exercise", "verify-all"]))?;
    stages.run(STAGES[5], || wasm_tests(root))?;
    stages.run(STAGES[6], || trunk::build_release(root))?;
    stages.run(STAGES[7], || e2e::run(root))
}

fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    process::run(Command::new("cargo").args(args).current_dir(root))
}

/// The web app's wasm-bindgen tests in headless Chromium. `wasm-bindgen-test-runner` (the
/// cargo runner for wasm32 in .cargo/config.toml) reads `webdriver.json` from the crate root
/// for Chromium's flags and binary.
fn wasm_tests(root: &Path) -> Result<()> {
    process::run(
        Command::new("cargo")
            .args(["test", "--target", tools::WASM_TARGET, "-p", "kafka-playground", "--test", "web"])
            .current_dir(root)
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )
}
