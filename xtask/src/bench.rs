//! `cargo xtask bench`: prints the performance figures the issues ask for; it never fails
//! on a number (timings on a shared machine would make such a test flaky).
//!
//! The core's part runs `crates/ksim/examples/bench.rs` in release mode: event throughput of
//! the fault sweeps, and what one page step costs (`Session::step` + `Session::view`) with
//! 3 brokers, 12 partitions and 100 000 records.

use crate::process::format_duration;
use crate::Result;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    println!("xtask: bench: core (release build of crates/ksim/examples/bench.rs)");
    let status = Command::new("cargo")
        .args(["run", "--quiet", "--release", "-p", "ksim", "--example", "bench"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the core benchmark failed ({status})"));
    }
    println!("xtask: bench: done in {}", format_duration(started.elapsed()));
    Ok(())
}
