//! `ksim`: runs Kafka Playground console scripts headless, or an interactive console.
//!
//! Architecture Invariant: this binary only moves text between the terminal and
//! `ksim::Session`; every Kafka behaviour lives in the core.

use std::io::{BufRead, Write};
use std::process::ExitCode;

const USAGE: &str = "usage:
  ksim run FILE [--seed N] [--trace]   run a console script and print its transcript
  ksim                                 an interactive console (Ctrl-D to quit)
  ksim --help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => interactive(),
        Some("run") => run(&args[1..]),
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
                seed = value.parse().map_err(|_| {
                    format!("invalid seed '{value}': expected a non-negative integer")
                })?;
            }
            "--trace" => trace = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option '{flag}'")),
            path if file.is_none() => file = Some(path.to_string()),
            extra => return Err(format!("unexpected argument '{extra}'")),
        }
    }
    Ok(RunArgs {
        file: file.ok_or("ksim run needs a script file")?,
        seed,
        trace,
    })
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
        for entry in trace {
            println!(
                "[t+{}.{:03} s] {}: {}",
                entry.at_ms / 1000,
                entry.at_ms % 1000,
                entry.actor,
                entry.text
            );
        }
    } else {
        print!("{}", ksim::run_script(&script, parsed.seed));
    }
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
        for l in output
            .iter()
            .skip(shown)
            .filter(|l| !matches!(l.stream, ksim::Stream::Command | ksim::Stream::Input))
        {
            println!("{}", l.text);
        }
        shown = output.len();
    }
}
