//! Exercises: a lesson's task as data (introduction, a setup script, steps with goals, hints
//! and checks, a reference solution) and the checks evaluated against a `Session`.
//!
//! Exercise files are JSON (`static/exercises/*.json`, schema in `static/exercises/SCHEMA.md`)
//! so a teacher's file can be loaded by the page as well as by `ksim exercise`. The loader
//! is strict and says where a file is wrong: `replication.json: steps[1].checks[0].kind:
//! unknown check "leader_chnaged" (expected one of: …)`. Checks are a closed set of
//! questions about the simulation (`checks.rs`), not a scripting language.

mod checks;

use crate::json::{self, Json};
use crate::session::Session;
pub use checks::{Baseline, Check, NodeStateWanted};

/// Files larger than this are refused before parsing, which bounds the loader's memory.
pub const EXERCISE_FILE_BYTES_MAX: usize = 256 * 1024;
const STEPS_MAX: usize = 32;
const CHECKS_PER_STEP_MAX: usize = 32;
const SCRIPT_LINES_MAX: usize = 1000;
const LIST_ITEMS_MAX: usize = 256;

/// The built-in exercises, as files: `(file name, text)`, in teaching order.
pub const BUILTIN_EXERCISE_FILES: &[(&str, &str)] = &[
    ("lesson-workflow.json", include_str!("../../../static/exercises/lesson-workflow.json")),
    ("events.json", include_str!("../../../static/exercises/events.json")),
    ("topics.json", include_str!("../../../static/exercises/topics.json")),
    ("partitions-and-keys.json", include_str!("../../../static/exercises/partitions-and-keys.json")),
    ("producers-and-acks.json", include_str!("../../../static/exercises/producers-and-acks.json")),
    ("consumers-and-offsets.json", include_str!("../../../static/exercises/consumers-and-offsets.json")),
    ("consumer-groups.json", include_str!("../../../static/exercises/consumer-groups.json")),
    ("rebalancing.json", include_str!("../../../static/exercises/rebalancing.json")),
    ("replication.json", include_str!("../../../static/exercises/replication.json")),
    ("broker-failure.json", include_str!("../../../static/exercises/broker-failure.json")),
    ("kraft-election.json", include_str!("../../../static/exercises/kraft-election.json")),
    ("admin.json", include_str!("../../../static/exercises/admin.json")),
    ("icu-heart-rate.json", include_str!("../../../static/exercises/icu-heart-rate.json")),
    ("ambulance-dispatch.json", include_str!("../../../static/exercises/ambulance-dispatch.json")),
    ("case-id-event-log.json", include_str!("../../../static/exercises/case-id-event-log.json")),
    ("emergency-department.json", include_str!("../../../static/exercises/emergency-department.json")),
    ("ksql-heart-rate.json", include_str!("../../../static/exercises/ksql-heart-rate.json")),
    ("connect.json", include_str!("../../../static/exercises/connect.json")),
];

/// One exercise, as loaded from its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exercise {
    /// Lowercase letters, digits and `-`: `replication`.
    pub id: String,
    pub title: String,
    /// The lesson's words for what it practises: `replication`, `ISR`, `broker`.
    pub concepts: Vec<String>,
    pub introduction: String,
    /// The session's seed, so a leader or a partition is the same for everyone.
    pub seed: u64,
    /// Console lines run before the student starts (a cluster, a topic, some records).
    pub setup: Vec<String>,
    pub steps: Vec<ExerciseStep>,
    /// Console lines that solve the exercise (checked by `ksim exercise verify-all`).
    pub solution: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExerciseStep {
    pub goal: String,
    pub hints: Vec<String>,
    pub checks: Vec<ExerciseCheck>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExerciseCheck {
    pub check: Check,
    /// The file's `description`, else one written from the check.
    pub description: String,
}

/// Where a file is wrong and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    /// `steps[1].checks[0].kind`; empty for the whole document.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.message)
        }
    }
}

/// One check's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    /// Index into `Exercise::steps`.
    pub step: usize,
    pub description: String,
    pub passed: bool,
    /// What the simulation shows, when the check fails (`the ISR is [2, 3, 4]`).
    pub detail: String,
}

/// Loads every built-in exercise.
pub fn builtin_exercises() -> Result<Vec<Exercise>, LoadError> {
    BUILTIN_EXERCISE_FILES.iter().map(|(file, text)| load_exercise(file, text)).collect()
}

/// Parses and validates one exercise file; `file` is only used in error messages.
pub fn load_exercise(file: &str, text: &str) -> Result<Exercise, LoadError> {
    let at = Loader { file };
    if text.len() > EXERCISE_FILE_BYTES_MAX {
        return Err(at.err("", format!("file too large ({} bytes, at most {EXERCISE_FILE_BYTES_MAX})", text.len())));
    }
    let doc = json::parse(text).ok_or_else(|| at.err("", "not valid JSON".to_string()))?;
    let fields =
        at.object("", &doc, &["id", "title", "concepts", "introduction", "seed", "setup", "steps", "solution"])?;
    let id = at.text(fields, "", "id")?;
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(at.err("id", format!("invalid id \"{id}\" (expected lowercase letters, digits and '-')")));
    }
    let title = at.text(fields, "", "title")?;
    let concepts = at.texts(fields, "", "concepts")?;
    if concepts.is_empty() {
        return Err(at.err("concepts", "expected at least one concept".to_string()));
    }
    let introduction = at.text(fields, "", "introduction")?;
    let seed = match field(fields, "seed") {
        None => 1,
        Some(v) => at.number(v, "seed", u64::MAX)?,
    };
    let setup = at.script(fields, "setup")?;
    let solution = at.script(fields, "solution")?;
    let Some(steps_json) = field(fields, "steps") else {
        return Err(at.err("", "missing field \"steps\"".to_string()));
    };
    let Json::Array(items) = steps_json else {
        return Err(at.err("steps", format!("expected an array of steps, found {}", kind_of(steps_json))));
    };
    if items.is_empty() || items.len() > STEPS_MAX {
        return Err(at.err("steps", format!("expected 1 to {STEPS_MAX} steps, found {}", items.len())));
    }
    let mut steps = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("steps[{i}]");
        let f = at.object(&path, item, &["goal", "hints", "checks"])?;
        let goal = at.text(f, &path, "goal")?;
        let hints = match field(f, "hints") {
            None => Vec::new(),
            Some(_) => at.texts(f, &path, "hints")?,
        };
        let checks_path = format!("{path}.checks");
        let checks_json = field(f, "checks").ok_or_else(|| at.err(&path, "missing field \"checks\"".to_string()))?;
        let Json::Array(list) = checks_json else {
            return Err(at.err(&checks_path, format!("expected an array of checks, found {}", kind_of(checks_json))));
        };
        if list.is_empty() || list.len() > CHECKS_PER_STEP_MAX {
            return Err(
                at.err(&checks_path, format!("expected 1 to {CHECKS_PER_STEP_MAX} checks, found {}", list.len()))
            );
        }
        let mut parsed = Vec::new();
        for (j, c) in list.iter().enumerate() {
            parsed.push(checks::parse(&at, &format!("{checks_path}[{j}]"), c)?);
        }
        steps.push(ExerciseStep { goal, hints, checks: parsed });
    }
    Ok(Exercise { id, title, concepts, introduction, seed, setup, steps, solution })
}

impl Exercise {
    /// A scripted session (as `ksim run`) after the setup, and what the checks compare with.
    pub fn start(&self) -> (Session, Baseline) {
        let mut session = Session::scripted(self.seed);
        session.run_lines(&self.setup.join("\n"));
        let baseline = Baseline::capture(&session);
        (session, baseline)
    }

    /// As [`Exercise::start`], then the session runs later inputs as typed in the page
    /// (consumers wait for Ctrl-C); replays still run the setup as a script.
    pub fn start_interactive(&self) -> (Session, Baseline) {
        let (mut session, baseline) = self.start();
        session.continue_interactively();
        (session, baseline)
    }

    /// Every check of every step, evaluated now.
    pub fn evaluate(&self, session: &Session, baseline: &Baseline) -> Vec<CheckResult> {
        let view = session.view();
        let mut results = Vec::new();
        for (step, s) in self.steps.iter().enumerate() {
            for c in &s.checks {
                let outcome = c.check.evaluate_in(&view, session, baseline);
                results.push(CheckResult {
                    step,
                    description: c.description.clone(),
                    passed: outcome.is_ok(),
                    detail: outcome.err().unwrap_or_default(),
                });
            }
        }
        results
    }

    /// Runs the setup, then `attempt` (console lines, as a `ksim run` script), then the checks.
    pub fn check_attempt(&self, attempt: &str) -> Vec<CheckResult> {
        let (mut session, baseline) = self.start();
        session.run_lines(attempt);
        self.evaluate(&session, &baseline)
    }

    /// The reference solution as one script.
    pub fn solution_script(&self) -> String {
        let mut text = self.solution.join("\n");
        text.push('\n');
        text
    }
}

fn field<'j>(fields: &'j [(String, Json)], name: &str) -> Option<&'j Json> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::Text(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// Reads typed fields and says where a file is wrong.
pub(crate) struct Loader<'a> {
    file: &'a str,
}

impl Loader<'_> {
    pub(crate) fn err(&self, path: &str, message: String) -> LoadError {
        LoadError { file: self.file.to_string(), path: path.to_string(), message }
    }

    /// An object with only the `allowed` fields, each at most once.
    pub(crate) fn object<'j>(
        &self,
        path: &str,
        v: &'j Json,
        allowed: &[&str],
    ) -> Result<&'j [(String, Json)], LoadError> {
        let Json::Object(fields) = v else {
            return Err(self.err(path, format!("expected an object, found {}", kind_of(v))));
        };
        for (i, (k, _)) in fields.iter().enumerate() {
            if !allowed.contains(&k.as_str()) {
                return Err(self.err(
                    &join_path(path, k),
                    format!("unknown field \"{k}\" (expected one of: {})", allowed.join(", ")),
                ));
            }
            if fields[..i].iter().any(|(other, _)| other == k) {
                return Err(self.err(&join_path(path, k), format!("duplicate field \"{k}\"")));
            }
        }
        Ok(fields)
    }

    pub(crate) fn text(&self, fields: &[(String, Json)], path: &str, name: &str) -> Result<String, LoadError> {
        match field(fields, name) {
            None => Err(self.err(path, format!("missing field \"{name}\""))),
            Some(Json::Text(s)) => Ok(s.clone()),
            Some(v) => Err(self.err(&join_path(path, name), format!("expected a string, found {}", kind_of(v)))),
        }
    }

    pub(crate) fn opt_text(
        &self,
        fields: &[(String, Json)],
        path: &str,
        name: &str,
    ) -> Result<Option<String>, LoadError> {
        match field(fields, name) {
            None => Ok(None),
            Some(_) => self.text(fields, path, name).map(Some),
        }
    }

    /// A required array of strings.
    pub(crate) fn texts(&self, fields: &[(String, Json)], path: &str, name: &str) -> Result<Vec<String>, LoadError> {
        let here = join_path(path, name);
        let v = field(fields, name).ok_or_else(|| self.err(path, format!("missing field \"{name}\"")))?;
        let Json::Array(items) = v else {
            return Err(self.err(&here, format!("expected an array of strings, found {}", kind_of(v))));
        };
        if items.len() > LIST_ITEMS_MAX {
            return Err(self.err(&here, format!("too many items ({}, at most {LIST_ITEMS_MAX})", items.len())));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Json::Text(s) => Ok(s.clone()),
                other => Err(self.err(&format!("{here}[{i}]"), format!("expected a string, found {}", kind_of(other)))),
            })
            .collect()
    }

    /// A non-negative integer no larger than `max`.
    pub(crate) fn number(&self, v: &Json, path: &str, max: u64) -> Result<u64, LoadError> {
        match v {
            Json::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= max as f64 => Ok(*n as u64),
            Json::Number(n) => Err(self.err(path, format!("expected an integer from 0 to {max}, found {n}"))),
            other => Err(self.err(path, format!("expected an integer from 0 to {max}, found {}", kind_of(other)))),
        }
    }

    /// An array of console lines, one per item.
    fn script(&self, fields: &[(String, Json)], name: &str) -> Result<Vec<String>, LoadError> {
        let v = field(fields, name).ok_or_else(|| self.err("", format!("missing field \"{name}\"")))?;
        let Json::Array(items) = v else {
            return Err(self.err(name, format!("expected an array of console lines, found {}", kind_of(v))));
        };
        if items.len() > SCRIPT_LINES_MAX {
            return Err(self.err(name, format!("too many lines ({}, at most {SCRIPT_LINES_MAX})", items.len())));
        }
        let mut lines = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item {
                Json::Text(s) if s.contains(['\n', '\r']) => {
                    return Err(self.err(&format!("{name}[{i}]"), "expected one console line (no newline)".to_string()))
                }
                Json::Text(s) => lines.push(s.clone()),
                other => {
                    return Err(self.err(
                        &format!("{name}[{i}]"),
                        format!("expected a console line (a string), found {}", kind_of(other)),
                    ))
                }
            }
        }
        Ok(lines)
    }
}

#[cfg(test)]
mod tests;
