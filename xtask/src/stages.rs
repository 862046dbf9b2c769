//! Named, timed stages with a pass/fail line each and a summary table, so a CI log shows at
//! a glance what failed and where the time went.

use crate::process::format_duration;
use crate::Result;
use std::time::{Duration, Instant};

#[derive(Clone, Copy)]
enum Outcome {
    Pass,
    Fail,
}

struct Row {
    name: &'static str,
    outcome: Outcome,
    duration: Duration,
}

pub struct Stages {
    planned: Vec<&'static str>,
    rows: Vec<Row>,
    started: Instant,
}

impl Stages {
    /// `planned` lists every stage in order, so the summary can show what was skipped.
    pub fn new(planned: &[&'static str]) -> Self {
        Stages { planned: planned.to_vec(), rows: Vec::new(), started: Instant::now() }
    }

    /// Runs one stage; its error is returned so the caller can stop with `?`.
    pub fn run(&mut self, name: &'static str, stage: impl FnOnce() -> Result<()>) -> Result<()> {
        let number = self.rows.len() + 1;
        println!();
        println!("xtask: ==> stage {number}/{}: {name}", self.planned.len().max(number));
        let started = Instant::now();
        let result = stage();
        let duration = started.elapsed();
        let outcome = match &result {
            Ok(()) => {
                println!("xtask: PASS {name} ({})", format_duration(duration));
                Outcome::Pass
            }
            Err(e) => {
                println!("xtask: FAIL {name} ({}): {e}", format_duration(duration));
                Outcome::Fail
            }
        };
        self.rows.push(Row { name, outcome, duration });
        result.map_err(|_| format!("stage `{name}` failed"))
    }

    pub fn print_summary(&self) {
        println!();
        println!("xtask: summary");
        println!("  {:<16} {:<8} {:>9}", "stage", "result", "time");
        for row in &self.rows {
            let result = match row.outcome {
                Outcome::Pass => "pass",
                Outcome::Fail => "FAIL",
            };
            println!("  {:<16} {:<8} {:>9}", row.name, result, format_duration(row.duration));
        }
        for name in self.planned.iter().skip(self.rows.len()) {
            println!("  {name:<16} {:<8} {:>9}", "skipped", "-");
        }
        println!("  {:<16} {:<8} {:>9}", "total", "", format_duration(self.started.elapsed()));
    }
}
