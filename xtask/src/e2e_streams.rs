//! The Streams journey: start the Kafka Streams quickstart (WordCountDemo) from the console,
//! type three lines into its input topic, open the Kafka UI's Streams tab and find the
//! topology (its aggregate node with the records it counted, the repartition link) and the
//! count table with `kafka` → 3; then a ksqlDB table counting heart-rate readings per
//! patient, whose persistent query shows in the same tab as the Streams application it runs
//! as. Screenshots `kafka-ui-streams*.png` at 1280×720 and 1920×1080.

use crate::browser::fit_viewport;
use crate::e2e::{save_screenshot, wait_value, CONSOLE_INPUT, HEIGHT, WIDTH};
use crate::webdriver::{Session, ENTER};
use crate::Result;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

const LINES: [&str; 9] = [
    "ksim start-cluster --brokers 1 --controllers 1",
    "kafka-topics.sh --create --topic streams-plaintext-input --bootstrap-server localhost:9092",
    "kafka-topics.sh --create --topic streams-wordcount-output --config cleanup.policy=compact --bootstrap-server localhost:9092",
    "kafka-run-class.sh org.apache.kafka.streams.examples.wordcount.WordCountDemo &",
    "ksim advance 10s",
    "kafka-console-producer.sh --topic streams-plaintext-input --bootstrap-server localhost:9092",
    "> all streams lead to kafka",
    "> hello kafka streams",
    "> join kafka summit",
];
const KSQL_LINES: [&str; 8] = [
    "ksql",
    "SET 'auto.offset.reset'='earliest';",
    "CREATE STREAM heart_rate (patient VARCHAR KEY, bpm INT) WITH (kafka_topic='heart-rate-measures', value_format='JSON', partitions=1);",
    "INSERT INTO heart_rate (patient, bpm) VALUES ('p1', 82);",
    "INSERT INTO heart_rate (patient, bpm) VALUES ('p1', 131);",
    "CREATE TABLE readings_per_patient AS SELECT patient, COUNT(*) AS readings FROM heart_rate GROUP BY patient EMIT CHANGES;",
    "ksim advance 5s",
    "exit",
];
const KSQL_APP: &str = "Streams application _confluent-ksql-default_query_CTAS_READINGS_PER_PATIENT_";
const TIMEOUT: Duration = Duration::from_secs(60);
const APP: &str = "Streams application streams-wordcount";

pub fn streams_journey(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    session.navigate(url)?;
    session.wait_for(CONSOLE_INPUT, TIMEOUT)?.ok_or("the page did not come back for the Streams journey")?;
    for line in LINES {
        let input = session.find(CONSOLE_INPUT)?.ok_or_else(|| format!("no console input to type `{line}`"))?;
        session.send_keys(&input, &format!("{line}{ENTER}"))?;
    }
    let open = "const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Kafka UI'); \
                if (b) b.click(); return !!b;";
    wait_value(session, open, json!([]), "no `Kafka UI` button")?;
    let tab =
        "const t = [...document.querySelectorAll('[role=\"tab\"]')].find(t => t.textContent.trim() === 'Streams'); \
               if (t) t.click(); return !!t;";
    wait_value(session, tab, json!([]), "no `Streams` tab in the Kafka UI")?;

    // The count table shows `kafka` counted three times once the lines went through.
    let counted = "const a = document.querySelector(arguments[0]); if (!a) return false; \
                   return [...a.querySelectorAll('.streams-table tbody tr')] \
                     .some(r => r.cells[0].textContent.trim() === 'kafka' && r.cells[1].textContent.trim() === '3');";
    wait_value(session, counted, json!([format!(r#"[aria-label="{APP}"]"#)]), "no row `kafka` → 3 in the count table")?;
    let aggregate = "const a = document.querySelector(arguments[0]); if (!a) return null; \
                     const n = [...a.querySelectorAll('.streams-node')] \
                       .find(n => n.querySelector('.streams-node-label').textContent === 'AGGREGATE #4'); \
                     return n ? n.querySelector('.streams-node-count').textContent : null;";
    let count = wait_value(session, aggregate, json!([format!(r#"[aria-label="{APP}"]"#)]), "no node `AGGREGATE #4`")?;
    if count != json!("11") {
        return Err(format!("expected the aggregate to have counted the 11 words; it says {count}"));
    }
    let link = "return document.querySelectorAll('.streams-edge.through-topic').length;";
    if session.execute(link, json!([]))? != json!(1) {
        return Err("expected one dashed link through the repartition topic".to_string());
    }
    println!("xtask: e2e: the Streams tab draws WordCountDemo's topology (AGGREGATE #4: 11 records) and counts `kafka` 3 times");
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("kafka-ui-streams-1280x720.png"))?;
    fit_viewport(session, 1920, 1080)?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("kafka-ui-streams-1920x1080.png"))?;
    fit_viewport(session, WIDTH, HEIGHT)?;

    // Ctrl-D ends the console producer's input, as in a terminal, so the prompt is back.
    let end_of_input = "const i = document.querySelector(arguments[0]); if (!i) return false; \
                        i.dispatchEvent(new KeyboardEvent('keydown', { key: 'd', ctrlKey: true, bubbles: true })); return true;";
    wait_value(session, end_of_input, json!([CONSOLE_INPUT]), "no console input for Ctrl-D")?;
    let shell_prompt = "const p = document.querySelector(arguments[0])?.parentElement?.querySelector('.prompt'); \
                        return !!p && p.textContent.trim() === '$';";
    wait_value(session, shell_prompt, json!([CONSOLE_INPUT]), "the shell prompt did not come back after Ctrl-D")?;
    for line in KSQL_LINES {
        let input = session.find(CONSOLE_INPUT)?.ok_or_else(|| format!("no console input to type `{line}`"))?;
        session.send_keys(&input, &format!("{line}{ENTER}"))?;
    }
    // The persistent query is a Streams application: its aggregate store holds p1's count.
    let ksql_row = "const a = [...document.querySelectorAll('.streams-app')] \
                      .find(a => a.getAttribute('aria-label').startsWith(arguments[0])); if (!a) return false; \
                    return [...a.querySelectorAll('.streams-table tbody tr')] \
                      .some(r => r.cells[0].textContent.trim() === 'p1' && r.cells[1].textContent.includes('2'));";
    wait_value(session, ksql_row, json!([KSQL_APP]), "no ksqlDB query with p1 counted twice in the Streams tab")?;
    let scroll = "const a = [...document.querySelectorAll('.streams-app')] \
                    .find(a => a.getAttribute('aria-label').startsWith(arguments[0])); \
                  if (a) a.scrollIntoView(); return !!a;";
    session.execute(scroll, json!([KSQL_APP]))?;
    println!("xtask: e2e: the Streams tab shows ksqlDB's CTAS_READINGS_PER_PATIENT query with p1 counted twice");
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("kafka-ui-streams-ksql-1280x720.png"))
}
