//! `ksim`: runs Kafka Playground console scripts headless, or an interactive console.
//!
//! Architecture Invariant: this binary only moves text between the terminal and
//! `ksim::Session`; every Kafka behaviour lives in the core.

use std::io::{BufRead, Write};
use std::process::ExitCode;

mod exercise;

const USAGE: &str = "usage:
  ksim run FILE [--seed N] [--trace]   run a console script and print its transcript
  ksim sweep --seeds N [--first-seed S] [--faults] [--scenario kraft|replication] [--unclean] [--no-idempotence] [--chaos DURATION]
  ksim sweep --seed S [--faults] [--scenario kraft] [--verbose]
                                       seeded fault runs with invariants after every event
  ksim exercise list                   the built-in exercises: id, title, concepts
  ksim exercise check ID --solution FILE
                                       run the exercise's setup, then FILE, and evaluate its checks
  ksim exercise verify-all             every reference solution passes, every empty attempt fails
  ksim bench [--records N] [--partitions P] [--replication-factor R] [--acks all|1|0] [--seed S]
                                       the engine's throughput: records produced, replicated and consumed
  ksim                                 an interactive console (Ctrl-D to quit)
  ksim --help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => interactive(),
        Some("run") => run(&args[1..]),
        Some("sweep") => sweep(&args[1..]),
        Some("exercise") => exercise::main(&args[1..], USAGE),
        Some("bench") => bench(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("ksim: unknown command '{other}'\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

struct RunArgs {
    file: String,
    seed: u64,
    trace: bool,
}

fn parse_run_args(args: &[String]) -> Result<RunArgs, String> {
    let mut file = None;
    let mut seed = 1;
    let mut trace = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--seed" => {
                let value = iter.next().ok_or("--seed needs a value")?;
                seed = value.parse().map_err(|_| format!("invalid seed '{value}': expected a non-negative integer"))?;
            }
            "--trace" => trace = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option '{flag}'")),
            path if file.is_none() => file = Some(path.to_string()),
            extra => return Err(format!("unexpected argument '{extra}'")),
        }
    }
    Ok(RunArgs { file: file.ok_or("ksim run needs a script file")?, seed, trace })
}

fn run(args: &[String]) -> ExitCode {
    let parsed = match parse_run_args(args) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("ksim: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let script = match std::fs::read_to_string(&parsed.file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("ksim: cannot read {}: {e}", parsed.file);
            return ExitCode::from(1);
        }
    };
    if parsed.trace {
        let (transcript, trace) = ksim::run_script_with_trace(&script, parsed.seed);
        print!("{transcript}");
        if trace.first() > 0 {
            println!(
                "[ksim: the oldest {} trace entries were dropped to keep the trace within {} MB]",
                trace.first(),
                ksim::TRACE_BYTES_MAX / 1_000_000
            );
        }
        for entry in trace.iter() {
            println!("[t+{}.{:03} s] {}: {}", entry.at_ms / 1000, entry.at_ms % 1000, entry.actor, entry.text);
        }
    } else {
        print!("{}", ksim::run_script(&script, parsed.seed));
    }
    ExitCode::SUCCESS
}

struct SweepArgs {
    /// Print each seed's final status (for diagnosing one seed).
    verbose: bool,
    first_seed: u64,
    seeds: u64,
    cfg: ksim::SweepConfig,
}

fn parse_sweep_args(args: &[String]) -> Result<SweepArgs, String> {
    let mut parsed = SweepArgs {
        verbose: false,
        first_seed: 1,
        seeds: 100,
        cfg: ksim::SweepConfig { faults: false, ..ksim::SweepConfig::default() },
    };
    let mut iter = args.iter();
    let number = |flag: &str, value: Option<&String>| -> Result<u64, String> {
        let v = value.ok_or(format!("{flag} needs a value"))?;
        v.parse().map_err(|_| format!("invalid {flag} '{v}': expected a non-negative integer"))
    };
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--seeds" => parsed.seeds = number("--seeds", iter.next())?,
            "--first-seed" => parsed.first_seed = number("--first-seed", iter.next())?,
            "--seed" => {
                parsed.first_seed = number("--seed", iter.next())?;
                parsed.seeds = 1;
            }
            "--faults" => parsed.cfg.faults = true,
            "--unclean" => parsed.cfg.unclean = true,
            "--no-idempotence" => parsed.cfg.idempotence = false,
            "--verbose" => parsed.verbose = true,
            "--scenario" => {
                let name = iter.next().ok_or("--scenario needs a name")?;
                parsed.cfg.scenario = ksim::Scenario::parse(name)
                    .ok_or(format!("unknown scenario '{name}' (scenarios: kraft, replication)"))?;
            }
            "--chaos" => {
                let v = iter.next().ok_or("--chaos needs a duration")?;
                let secs = v.strip_suffix('s').unwrap_or(v);
                parsed.cfg.chaos_ms =
                    secs.parse::<u64>().map_err(|_| format!("invalid --chaos '{v}': expected seconds, e.g. 60s"))?
                        * 1000;
            }
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    if parsed.seeds == 0 {
        return Err("--seeds must be at least 1".to_string());
    }
    Ok(parsed)
}

/// Runs the seeds, prints each failing seed with its rerun command, and ends with the
/// summary line `N seeds, V invariant violations, L acknowledged records lost`.
fn sweep(args: &[String]) -> ExitCode {
    let parsed = match parse_sweep_args(args) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("ksim: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (mut violations, mut lost, mut unrecovered, mut acknowledged, mut events) =
        (0usize, 0usize, 0u64, 0usize, 0u64);
    let (mut duplicated, mut reordered) = (0usize, 0usize);
    let mut unrecovered_seeds = Vec::new();
    for seed in parsed.first_seed..parsed.first_seed.saturating_add(parsed.seeds) {
        let report = ksim::sweep_seed(seed, &parsed.cfg);
        if parsed.verbose {
            println!("seed {seed}: {} events", report.events);
            for line in &report.final_status {
                println!("  {line}");
            }
        }
        events += report.events;
        acknowledged += report.acknowledged;
        duplicated += report.duplicated;
        reordered += report.reordered;
        violations += report.violations.len();
        lost += report.lost.len();
        if !report.recovered {
            unrecovered += 1;
            unrecovered_seeds.push(seed.to_string());
        }
        if !report.violations.is_empty() || !report.lost.is_empty() {
            println!(
                "seed {seed}: {} violation(s), {} acknowledged write(s) lost",
                report.violations.len(),
                report.lost.len()
            );
            for v in report.violations.iter().take(5) {
                println!("  {v}");
            }
            for l in report.lost.iter().take(5) {
                println!("  lost: {l}");
            }
            println!("  rerun: {}", report.rerun_command(&parsed.cfg));
        }
    }
    println!(
        "({} events simulated, {acknowledged} writes acknowledged, {unrecovered} seed(s) without a leader or a running broker after recovery)",
        events
    );
    if parsed.cfg.scenario == ksim::Scenario::Replication || duplicated + reordered > 0 {
        let why = match (parsed.cfg.idempotence, duplicated + reordered > 0) {
            (false, true) => ": the producer is not idempotent, so a retried batch can land twice or after a later one",
            (true, true) => ": the producer is idempotent, so this is a bug",
            (_, false) => "",
        };
        println!("({duplicated} record(s) duplicated and {reordered} reordered within a key{why})");
    }
    if !unrecovered_seeds.is_empty() {
        let shown: Vec<&str> = unrecovered_seeds.iter().take(20).map(String::as_str).collect();
        println!("not recovered after healing (liveness, not safety): seeds {}", shown.join(", "));
    }
    println!("{} seeds, {violations} invariant violations, {lost} acknowledged records lost", parsed.seeds);
    if violations == 0 && lost == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn parse_bench_args(args: &[String]) -> Result<(ksim::bench::BenchConfig, u64), String> {
    let mut cfg = ksim::bench::BenchConfig::default();
    let mut seed = 1;
    let mut iter = args.iter();
    let number = |flag: &str, value: Option<&String>| -> Result<u64, String> {
        let v = value.ok_or(format!("{flag} needs a value"))?;
        v.replace('_', "").parse().map_err(|_| format!("invalid {flag} '{v}': expected a non-negative integer"))
    };
    let small = |flag: &str, value: Option<&String>| -> Result<u32, String> {
        let n = number(flag, value)?;
        u32::try_from(n).map_err(|_| format!("invalid {flag} '{n}': too large"))
    };
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--records" => cfg.records = number("--records", iter.next())?,
            "--partitions" => cfg.partitions = small("--partitions", iter.next())?,
            "--replication-factor" => cfg.replication_factor = small("--replication-factor", iter.next())?,
            "--acks" => {
                let v = iter.next().ok_or("--acks needs a value")?;
                cfg.acks =
                    ksim::bench::Acks::parse(v).ok_or(format!("invalid --acks '{v}': expected all, -1, 1 or 0"))?;
            }
            "--seed" => seed = number("--seed", iter.next())?,
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    cfg.validate()?;
    Ok((cfg, seed))
}

/// Runs the engine benchmark and ends with
/// `N records in X ms: Y records/s produced, replicated and consumed`.
fn bench(args: &[String]) -> ExitCode {
    let (cfg, seed) = match parse_bench_args(args) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("ksim: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{} brokers + 1 controller, topic with {} partitions, replication factor {}, acks={}, 100-byte values",
        cfg.brokers(),
        cfg.partitions,
        cfg.replication_factor,
        cfg.acks.name()
    );
    let started = std::time::Instant::now();
    let (report, machine) = match ksim::bench::run_retaining(&cfg, seed) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ksim: {e}");
            return ExitCode::from(1);
        }
    };
    let elapsed = started.elapsed();
    // Freeing the simulated machine is teardown, not produce, replicate and consume.
    drop(machine);
    let ms = elapsed.as_secs_f64() * 1000.0;
    println!(
        "({} events, {} ms simulated, {} records acknowledged, {} failed, {} consumed)",
        report.events, report.simulated_ms, report.acknowledged, report.failed, report.consumed
    );
    if !report.complete() {
        eprintln!("ksim: the run stalled: only {} of {} records were consumed", report.consumed, report.records);
        return ExitCode::from(1);
    }
    println!(
        "{} records in {ms:.0} ms: {:.0} records/s produced, replicated and consumed",
        report.records,
        report.records as f64 / elapsed.as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// A terminal console over a live session: time passes only while a command runs or with
/// `ksim advance`, since there is no page clock here.
fn interactive() -> ExitCode {
    let mut session = ksim::Session::new(1);
    let stdin = std::io::stdin();
    let mut shown = 0;
    loop {
        print!("{}", session.prompt());
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) => {
                if session.prompt() == ">" {
                    session.end_of_input();
                } else {
                    println!();
                    return ExitCode::SUCCESS;
                }
            }
            Ok(_) => session.input(line.trim_end_matches(['\n', '\r'])),
            Err(e) => {
                eprintln!("ksim: {e}");
                return ExitCode::from(1);
            }
        }
        // The typed line itself is already on the terminal; print only what followed it.
        let output = session.output();
        for l in output.iter().skip(shown).filter(|l| !matches!(l.stream, ksim::Stream::Command | ksim::Stream::Input))
        {
            println!("{}", l.text);
        }
        shown = output.len();
    }
}
