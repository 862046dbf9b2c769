//! The Kafka UI step of the consumer-groups journey: open the view from the topic panel,
//! find the brokers in the Brokers table, a produced record (with its key) in the topic's
//! message browser, and group `monitors` with both members in the Consumers tab; move
//! between tabs with the arrow keys. Screenshots `kafka-ui-*.png` at 1280×720 and 1920×1080.

use crate::browser::fit_viewport;
use crate::e2e::{save_screenshot, wait_value, HEIGHT, WIDTH};
use crate::webdriver::Session;
use crate::Result;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const REGION: &str = r#"[role="region"][aria-label="Kafka UI"]"#;
/// The first record the groups journey produced to `vitals`.
const KEY: &str = "patient-1";
const VALUE: &str = "82 bpm";
const GROUP: &str = "monitors";
const ARROW_RIGHT: char = '\u{E014}';

/// Clicks, inside the Kafka UI, the button with exactly this text, optionally with a role.
fn click_in_ui(session: &Session, text: &str, selector: &str) -> Result<()> {
    let script = "const r = document.querySelector(arguments[0]); if (!r) return false; \
                  const b = [...r.querySelectorAll(arguments[2])].find(b => b.textContent.trim() === arguments[1]); \
                  if (b) b.click(); return !!b;";
    wait_value(session, script, json!([REGION, text, selector]), &format!("no `{text}` to click in the Kafka UI"))?;
    std::thread::sleep(Duration::from_millis(150));
    Ok(())
}

fn rows(session: &Session, table: &str) -> Result<Value> {
    let script = "const t = document.querySelector(arguments[0]); if (!t) return null; \
                  return [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()));";
    wait_value(session, script, json!([format!(r#"table[aria-label="{table}"]"#)]), &format!("no table `{table}`"))
}

fn both_sizes(session: &Session, artifacts: &Path, name: &str) -> Result<()> {
    save_screenshot(session, &artifacts.join(format!("kafka-ui-{name}-1280x720.png")))?;
    fit_viewport(session, 1920, 1080)?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join(format!("kafka-ui-{name}-1920x1080.png")))?;
    fit_viewport(session, WIDTH, HEIGHT)?;
    std::thread::sleep(Duration::from_millis(300));
    Ok(())
}

/// Runs after the groups journey has group `monitors` consuming `vitals`; leaves the view
/// closed, at 1280×720.
pub fn kafka_ui_step(session: &Session, artifacts: &Path) -> Result<()> {
    let open = "const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Kafka UI'); \
                if (b) b.click(); return !!b;";
    wait_value(session, open, json!([]), "no `Kafka UI` button")?;
    wait_value(session, "return !!document.querySelector(arguments[0]);", json!([REGION]), "no region `Kafka UI`")?;
    // Brokers: one broker and one controller (`ksim start-cluster --brokers 1 --controllers 1`).
    let brokers = rows(session, "Brokers")?;
    let listed = brokers.as_array().map_or(0, Vec::len);
    let has_broker =
        brokers.as_array().is_some_and(|r| r.iter().any(|r| r[1].as_str().is_some_and(|s| s.contains("broker"))));
    if listed < 2 || !has_broker {
        return Err(format!("expected the Brokers table to list the broker and the controller; saw {brokers}"));
    }
    let quorum = session.execute("return document.querySelector('.kafka-ui-quorum')?.textContent;", json!([]))?;
    if !quorum.as_str().is_some_and(|q| q.contains("Active controller")) {
        return Err(format!("expected the controller quorum line to name the active controller; saw {quorum}"));
    }
    println!("xtask: e2e: Kafka UI lists the brokers: {brokers}");
    both_sizes(session, artifacts, "brokers")?;

    // → on the selected tab moves to Topics (and not the page's Step).
    let tab = session.find("#kafka-ui-tab-0")?.ok_or("no tab `Brokers`")?;
    session.send_keys(&tab, &ARROW_RIGHT.to_string())?;
    let selected = "const t = document.querySelector('#kafka-ui-tab-1'); \
                    return t && t.getAttribute('aria-selected') === 'true' && document.activeElement === t && t.textContent;";
    wait_value(session, selected, json!([]), "→ on the Brokers tab did not select and focus `Topics`")?;
    let topics = rows(session, "Topics")?;
    if topics.as_array().is_some_and(|r| r.iter().any(|r| r[0] == json!("__consumer_offsets"))) {
        return Err(format!("internal topics should be hidden by default; saw {topics}"));
    }
    if !topics.as_array().is_some_and(|r| r.iter().any(|r| r[0] == json!("vitals") && r[1] == json!("4"))) {
        return Err(format!("expected `vitals` with 4 partitions in the Topics table; saw {topics}"));
    }
    // Kafka's own topics appear behind the checkbox.
    let internal = "const c = [...document.querySelectorAll('.kafka-ui-toolbar label')] \
                      .find(l => l.textContent.includes('Show internal topics'))?.querySelector('input'); \
                    if (c) c.click(); return !!c;";
    wait_value(session, internal, json!([]), "no `Show internal topics` checkbox")?;
    let shown = "const t = document.querySelector('table[aria-label=\"Topics\"]'); \
                 return !!t && [...t.querySelectorAll('tbody th')].some(c => c.textContent.trim() === '__consumer_offsets');";
    wait_value(session, shown, json!([]), "`Show internal topics` did not list __consumer_offsets")?;
    both_sizes(session, artifacts, "topics")?;
    wait_value(session, internal, json!([]), "no `Show internal topics` checkbox")?;
    click_in_ui(session, "vitals", "button.kafka-ui-link")?;
    click_in_ui(session, "Messages", r#"[role="tab"]"#)?;
    let messages = rows(session, "Messages of vitals")?;
    let found = messages.as_array().is_some_and(|r| r.iter().any(|r| r[3] == json!(KEY) && r[4] == json!(VALUE)));
    if !found {
        return Err(format!("expected `{VALUE}` with key `{KEY}` in the message browser; saw {messages}"));
    }
    println!("xtask: e2e: Kafka UI's message browser shows `{KEY}` → `{VALUE}`");
    both_sizes(session, artifacts, "messages")?;

    let consumers = "const t = document.querySelector('#kafka-ui-tab-2'); if (t) t.click(); return !!t;";
    wait_value(session, consumers, json!([]), "no top-level `Consumers` tab")?;
    let groups = rows(session, "Consumer groups")?;
    if !groups.as_array().is_some_and(|r| r.iter().any(|r| r[0] == json!(GROUP))) {
        return Err(format!("expected group `{GROUP}` in the Consumers tab; saw {groups}"));
    }
    click_in_ui(session, GROUP, "button.kafka-ui-link")?;
    let members = rows(session, &format!("Members of {GROUP}"))?;
    if members.as_array().map_or(0, Vec::len) != 2 {
        return Err(format!("expected 2 members of `{GROUP}` in its detail; saw {members}"));
    }
    println!("xtask: e2e: Kafka UI's Consumers tab shows group `{GROUP}` with its 2 members");
    both_sizes(session, artifacts, "consumers")?;

    let close =
        "const b = document.querySelector('button[aria-label=\"Close Kafka UI\"]'); if (b) b.click(); return !!b;";
    wait_value(session, close, json!([]), "no `Close Kafka UI` button")?;
    wait_value(session, "return !document.querySelector(arguments[0]);", json!([REGION]), "the Kafka UI stayed open")?;
    Ok(())
}

/// In the dark theme (already applied by the journey): the topic's Overview, then closed.
pub fn dark_screenshot(session: &Session, artifacts: &Path) -> Result<()> {
    let open = "const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Kafka UI'); \
                if (b) b.click(); return !!b;";
    wait_value(session, open, json!([]), "no `Kafka UI` button")?;
    click_in_ui(session, "Topics", r#"[role="tab"]"#)?;
    click_in_ui(session, "vitals", "button.kafka-ui-link")?;
    rows(session, "Partitions of vitals")?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("kafka-ui-dark-1920x1080.png"))?;
    // Escape inside the view closes it too.
    let escape = "const t = document.querySelector('#kafka-ui-tab-1'); if (!t) return false; \
                  t.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })); return true;";
    wait_value(session, escape, json!([]), "no Topics tab to press Escape in")?;
    wait_value(
        session,
        "return !document.querySelector(arguments[0]);",
        json!([REGION]),
        "Escape left the Kafka UI open",
    )?;
    Ok(())
}
