//! `ksim exercise list | check | verify-all`: the built-in exercises from the terminal.

use std::process::ExitCode;

pub fn main(args: &[String], usage: &str) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("list") if args.len() == 1 => list(),
        Some("check") => check(&args[1..], usage),
        Some("verify-all") if args.len() == 1 => verify_all(),
        _ => {
            eprintln!("ksim: usage: ksim exercise list | check ID --solution FILE | verify-all\n{usage}");
            ExitCode::from(2)
        }
    }
}

fn builtins() -> Result<Vec<ksim::Exercise>, ExitCode> {
    ksim::builtin_exercises().map_err(|e| {
        eprintln!("ksim: {e}");
        ExitCode::from(1)
    })
}

fn list() -> ExitCode {
    let exercises = match builtins() {
        Ok(e) => e,
        Err(code) => return code,
    };
    let width = exercises.iter().map(|e| e.id.len()).max().unwrap_or(0);
    for e in &exercises {
        println!("{:<width$}  {} [{}]", e.id, e.title, e.concepts.join(", "));
    }
    ExitCode::SUCCESS
}

/// `ID` names a built-in exercise, or is the path of an exercise file (`*.json`).
fn check(args: &[String], usage: &str) -> ExitCode {
    let (id, solution) = match args {
        [id, flag, file] if flag == "--solution" => (id, file),
        [flag, file, id] if flag == "--solution" => (id, file),
        _ => {
            eprintln!("ksim: usage: ksim exercise check ID --solution FILE\n{usage}");
            return ExitCode::from(2);
        }
    };
    let exercise = if id.ends_with(".json") {
        let text = match std::fs::read_to_string(id) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("ksim: cannot read {id}: {e}");
                return ExitCode::from(1);
            }
        };
        match ksim::load_exercise(id, &text) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("ksim: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        let exercises = match builtins() {
            Ok(e) => e,
            Err(code) => return code,
        };
        match exercises.into_iter().find(|e| e.id == *id) {
            Some(e) => e,
            None => {
                eprintln!("ksim: unknown exercise '{id}' (ksim exercise list shows them)");
                return ExitCode::from(2);
            }
        }
    };
    let script = match std::fs::read_to_string(solution) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ksim: cannot read {solution}: {e}");
            return ExitCode::from(1);
        }
    };
    let results = exercise.check_attempt(&script);
    println!("Exercise {}: {}", exercise.id, exercise.title);
    let mut shown_step = None;
    for r in &results {
        if shown_step != Some(r.step) {
            shown_step = Some(r.step);
            println!("Step {}: {}", r.step + 1, exercise.steps[r.step].goal);
        }
        if r.passed {
            println!("  ✓ {}", r.description);
        } else {
            println!("  ✗ {} ({})", r.description, r.detail);
        }
    }
    let passed = results.iter().filter(|r| r.passed).count();
    println!("{passed} of {} checks pass", results.len());
    if passed == results.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Each reference solution must pass every check and an empty attempt must fail at least
/// one, so no exercise is impossible or solved by doing nothing.
fn verify_all() -> ExitCode {
    let exercises = match builtins() {
        Ok(e) => e,
        Err(code) => return code,
    };
    let (mut solved, mut empty_solved) = (0, 0);
    for e in &exercises {
        let reference = e.check_attempt(&e.solution_script());
        let empty = e.check_attempt("");
        let reference_ok = reference.iter().all(|r| r.passed);
        let empty_ok = empty.iter().all(|r| r.passed);
        solved += usize::from(reference_ok);
        empty_solved += usize::from(empty_ok);
        let verdict = match (reference_ok, empty_ok) {
            (true, false) => "ok",
            (false, _) => "REFERENCE SOLUTION FAILS",
            (true, true) => "SOLVED BY AN EMPTY ATTEMPT",
        };
        println!("{}: {verdict}", e.id);
        for r in reference.iter().filter(|r| !r.passed) {
            println!("  ✗ {} ({})", r.description, r.detail);
        }
    }
    println!(
        "{} exercises: {solved} solved by their reference solution, {empty_solved} solved by an empty attempt",
        exercises.len()
    );
    if solved == exercises.len() && empty_solved == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
