//! The classroom journeys: pick the replication exercise, type its reference solution into
//! the console and watch every check turn ✓; then build a small session, share it, open the
//! link in a fresh page load and find the same state (topic, both records, simulated time).

use crate::browser::fit_viewport;
use crate::e2e::{save_screenshot, CONSOLE_INPUT, HEIGHT, WIDTH};
use crate::webdriver::{Session, ENTER};
use crate::Result;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

const EXERCISE_FILE: &str = include_str!("../../static/exercises/replication.json");
const SHARED_SESSION: [&str; 5] = [
    "ksim start-cluster --brokers 1 --controllers 1",
    "kafka-topics.sh --create --topic vitals --bootstrap-server localhost:9092",
    "kafka-console-producer.sh --topic vitals --bootstrap-server localhost:9092",
    "> 82 bpm",
    "> 110 bpm",
];
const TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(200);

pub fn wait_until(session: &Session, script: &str, what: &str) -> Result<()> {
    let started = Instant::now();
    while session.execute(script, json!([]))? != json!(true) {
        if started.elapsed() > TIMEOUT {
            return Err(format!("{what} within {} s", TIMEOUT.as_secs()));
        }
        std::thread::sleep(POLL);
    }
    Ok(())
}

fn click(session: &Session, css: &str) -> Result<()> {
    let e = session.wait_for(css, Duration::from_secs(10))?.ok_or_else(|| format!("no element `{css}`"))?;
    session.click(&e)
}

pub fn type_line(session: &Session, line: &str) -> Result<()> {
    let input = session.find(CONSOLE_INPUT)?.ok_or_else(|| format!("no console input to type `{line}`"))?;
    session.send_keys(&input, &format!("{line}{ENTER}"))
}

pub fn open(session: &Session, url: &str) -> Result<()> {
    session.navigate(url)?;
    session.wait_for(CONSOLE_INPUT, TIMEOUT)?.ok_or("the page did not show its console")?;
    Ok(())
}

fn screenshots(session: &Session, artifacts: &Path, name: &str) -> Result<()> {
    fit_viewport(session, WIDTH, HEIGHT)?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join(format!("{name}.png")))?;
    fit_viewport(session, 1920, 1080)?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join(format!("{name}-1920.png")))?;
    fit_viewport(session, WIDTH, HEIGHT)
}

pub fn exercise_journey(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    fit_viewport(session, WIDTH, HEIGHT)?;
    open(session, url)?;
    click(session, r#"button[aria-label="Exercises"]"#)?;
    click(session, r#"button[data-exercise="replication"]"#)?;
    session.wait_for(".exercise-step", TIMEOUT)?.ok_or("the exercise's steps did not appear")?;
    let solution: serde_json::Value = serde_json::from_str(EXERCISE_FILE).map_err(|e| e.to_string())?;
    let lines = solution["solution"].as_array().ok_or("replication.json has no solution")?;
    for line in lines {
        type_line(session, line.as_str().unwrap_or_default())?;
        std::thread::sleep(Duration::from_millis(300));
    }
    wait_until(
        session,
        "return document.querySelectorAll('.check.passed').length > 0 && document.querySelectorAll('.check.failed').length === 0;",
        "the replication exercise's checks did not all pass",
    )?;
    println!("xtask: e2e: every check of the replication exercise passed");
    screenshots(session, artifacts, "exercise-solved")
}

pub fn share_journey(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    open(session, url)?;
    for line in SHARED_SESSION {
        type_line(session, line)?;
        std::thread::sleep(Duration::from_millis(300));
    }
    let both = "const t = document.querySelector('.panel.topics')?.textContent ?? ''; \
                return t.includes('vitals') && t.includes('82 bpm') && t.includes('110 bpm');";
    wait_until(session, both, "the topic panel did not show vitals with both records")?;
    crate::e2e::click_text(session, "Pause")?;
    let offset = "return document.querySelector('.sim-offset')?.textContent ?? '';";
    let shared_at = session.execute(offset, json!([]))?;
    click(session, r#"button[aria-label="Share"]"#)?;
    let field = session.wait_for(r#"input[aria-label="Share URL"]"#, TIMEOUT)?.ok_or("no share URL field")?;
    let _ = field;
    let link =
        session.execute(r#"return document.querySelector('input[aria-label="Share URL"]').value;"#, json!([]))?;
    let link = link.as_str().ok_or("the share URL field is empty")?.to_string();
    println!("xtask: e2e: share link of {} characters at {shared_at}", link.len());
    open(session, &link)?;
    wait_until(session, both, "the shared link did not show vitals with both records")?;
    let restored_at = session.execute(offset, json!([]))?;
    if restored_at != shared_at {
        return Err(format!("the shared session shows {restored_at}, not {shared_at}"));
    }
    screenshots(session, artifacts, "share-restored")
}
