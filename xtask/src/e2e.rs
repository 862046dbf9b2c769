//! End-to-end test of the release bundle: serve dist/ statically, open it in headless
//! Chromium, type the first lesson's workflow into the console exactly as a student would,
//! and wait for the consumer to print both records.

use crate::browser::Browser;
use crate::process::format_duration;
use crate::static_server::StaticServer;
use crate::webdriver::{Session, ENTER};
use crate::{paths, tools, trunk, Result};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

/// The lesson's workflow, verbatim: it mirrors the lesson text students copy from, including
/// its ` \` continuation lines, indentation and its `-- from-beginning` (sic), because the
/// simulator has to cope with what students actually paste. Each line is typed and submitted
/// with Enter on its own. If the lead adds `tests/scripts/lesson-workflow.ksim`, this
/// constant should be replaced by reading that file so the two cannot drift.
pub const LESSON_WORKFLOW: &str = r"KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid)
bin/kafka-storage.sh format --standalone \
    -t $KAFKA_CLUSTER_ID \
    -c config/kraft/reconfig-server.properties
bin/kafka-server-start.sh config/kraft/reconfig-server.properties
bin/kafka-topics.sh --create \
    --topic heart-rate-measures \
    --bootstrap-server localhost:9092
bin/kafka-console-producer.sh \
    --topic heart-rate-measures \
    --bootstrap-server localhost:9092
> 82 bpm
> 110 bpm
bin/kafka-console-consumer.sh \
    --topic heart-rate-measures \
    -- from-beginning \
    --bootstrap-server localhost:9092
";

pub const CONSOLE_INPUT: &str = r#"[aria-label="Console input"]"#;
const CONSOLE_OUTPUT: &str = r#"[aria-label="Console output"]"#;
pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 720;
const PAGE_TIMEOUT: Duration = Duration::from_secs(30);
const RECORDS_TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(200);

/// `cargo xtask e2e` and the last stage of `cargo xtask test`.
pub fn run(root: &Path) -> Result<()> {
    let dist = paths::dist(root);
    if !dist.join("index.html").is_file() {
        return Err(format!("no {}/index.html; build it first with `cargo xtask dist`", dist.display()));
    }
    tools::ensure_browser(root)?;
    let artifacts = paths::e2e_artifacts(root);
    let server = StaticServer::start(&dist)?;
    println!("xtask: e2e: serving {} ({}) at {}", dist.display(), trunk::bundle_size(&dist), server.url());
    let browser = Browser::launch(WIDTH, HEIGHT, &artifacts)?;
    match lesson_workflow(browser.session(), &server.url(), &artifacts) {
        Ok(()) => {
            browser.close()?;
            println!("xtask: e2e: lesson workflow passed");
            Ok(())
        }
        Err(e) => {
            report_failure(browser.session(), &artifacts);
            // Dropping `browser` and `server` here stops chromedriver and the server.
            Err(e)
        }
    }
}

fn lesson_workflow(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    let started = Instant::now();
    session.navigate(url)?;
    if session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.is_none() {
        return Err(format!("no element with aria-label=\"Console input\" within {}", format_duration(PAGE_TIMEOUT)));
    }
    println!("xtask: e2e: page ready in {}", format_duration(started.elapsed()));

    let typing = Instant::now();
    let lines: Vec<&str> = LESSON_WORKFLOW.lines().collect();
    for line in &lines {
        // Look the input up again for every line: the app may re-render it after a submit.
        let input = session
            .find(CONSOLE_INPUT)?
            .ok_or_else(|| format!("the console input disappeared before typing `{line}`"))?;
        session.send_keys(&input, &format!("{line}{ENTER}"))?;
    }
    println!("xtask: e2e: typed {} lines in {}", lines.len(), format_duration(typing.elapsed()));

    let waiting = Instant::now();
    loop {
        if shows_both_records(&console_output(session)?.unwrap_or_default()) {
            break;
        }
        if waiting.elapsed() > RECORDS_TIMEOUT {
            return Err(format!(
                "the console output did not show `82 bpm` then `110 bpm` within {}",
                format_duration(RECORDS_TIMEOUT)
            ));
        }
        std::thread::sleep(POLL);
    }
    println!("xtask: e2e: consumer printed both records after {}", format_duration(waiting.elapsed()));
    save_screenshot(session, &artifacts.join("lesson-workflow.png"))
}

/// The rendered text of the console output (`innerText` keeps one line per block/line
/// break, as the student sees it), or `None` if the element does not exist.
fn console_output(session: &Session) -> Result<Option<String>> {
    let script = "const e = document.querySelector(arguments[0]); \
                  return e ? (e.innerText || e.value || e.textContent || '') : null;";
    let value = session.execute(script, json!([CONSOLE_OUTPUT]))?;
    Ok(value.as_str().map(str::to_string))
}

/// A line that is exactly `82 bpm`, and later one that is exactly `110 bpm`. Exact lines, so
/// the echoed producer input (`> 82 bpm`) does not count as the consumer's output.
fn shows_both_records(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim);
    lines.any(|l| l == "82 bpm") && lines.any(|l| l == "110 bpm")
}

pub fn save_screenshot(session: &Session, path: &Path) -> Result<()> {
    let png = session.screenshot_png()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, &png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("xtask: screenshot saved to {} ({} KiB)", path.display(), png.len() / 1024);
    Ok(())
}

/// Everything that helps diagnose a failure without re-running it.
fn report_failure(session: &Session, artifacts: &Path) {
    println!("xtask: e2e: ---- console output ----");
    match console_output(session) {
        Ok(Some(text)) => println!("{text}"),
        Ok(None) => println!("(no element with aria-label=\"Console output\")"),
        Err(e) => println!("(cannot read it: {e})"),
    }
    println!("xtask: e2e: ---- browser console log ----");
    match session.browser_log() {
        Ok(entries) if entries.is_empty() => println!("(empty)"),
        Ok(entries) => entries.iter().for_each(|e| println!("{e}")),
        Err(e) => println!("(unavailable: {e})"),
    }
    println!("xtask: e2e: ----");
    if let Err(e) = save_screenshot(session, &artifacts.join("failure.png")) {
        println!("xtask: e2e: no failure screenshot: {e}");
    }
    println!("xtask: e2e: chromedriver log: {}", artifacts.join("chromedriver.log").display());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_must_be_whole_lines_in_order() {
        assert!(shows_both_records("$ x\n> 82 bpm\n82 bpm\n  110 bpm\n"));
        assert!(!shows_both_records("> 82 bpm\n> 110 bpm\n"));
        assert!(!shows_both_records("110 bpm\n82 bpm\n"));
    }

    #[test]
    fn workflow_is_the_lesson_verbatim() {
        let lines: Vec<&str> = LESSON_WORKFLOW.lines().collect();
        assert_eq!(lines.len(), 17);
        assert_eq!(lines[1], r"bin/kafka-storage.sh format --standalone \");
        assert_eq!(lines[2], r"    -t $KAFKA_CLUSTER_ID \");
        assert_eq!(lines[15], r"    -- from-beginning \");
    }
}
