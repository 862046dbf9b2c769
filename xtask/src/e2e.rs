//! End-to-end test of the release bundle: serve dist/ statically, open it in headless
//! Chromium, and walk two journeys. The lesson: type the first lesson's workflow into the
//! console exactly as a student would, and wait for the consumer to print both records.
//! The cluster: start a 3+3 KRaft cluster with one command, kill and restart a broker with
//! its buttons in the diagram, create a replicated topic and produce to it (the topic panel
//! shows every replica's copy), open a broker's inspector by clicking its box, then, in
//! slow motion, kill the active controller and catch the election's Vote messages. Log internals: a compacted topic whose segments roll, with
//! the segment boundaries drawn in its log strip. Consumer groups: two consumers share group
//! `monitors` on a 4-partition topic, and the groups panel shows the stable group with
//! every partition owned. Screenshots of each go to target/e2e/.

use crate::browser::Browser;
use crate::process::format_duration;
use crate::static_server::StaticServer;
use crate::webdriver::{Session, END, ENTER, HOME};
use crate::{paths, tools, trunk, Result};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

/// The lesson's workflow, verbatim, from the golden script the core's tests also run: it
/// mirrors the lesson text students copy from, including its ` \` continuation lines,
/// indentation and its `-- from-beginning` (sic), because the simulator has to cope with what
/// students actually paste. Each line is typed and submitted with Enter on its own.
pub const LESSON_WORKFLOW: &str = include_str!("../../tests/scripts/lesson-workflow.ksim");

/// The second journey: a KRaft cluster from the banner's one-click start (which types this
/// command), then a broker killed from its button in the diagram and brought back.
const CLUSTER_START: &str = "ksim start-cluster --brokers 3 --controllers 3";
const CLUSTER_NODES: [&str; 6] = ["Broker 4", "Broker 5", "Broker 6", "Controller 1", "Controller 2", "Controller 3"];
const CLUSTER_ADVANCE: &str = "ksim advance 12s";
const CLUSTER_TIMEOUT: Duration = Duration::from_secs(10);
/// A replicated topic on that cluster and two records for it; the next command ends the
/// producer.
const REPLICATED_TOPIC: &str =
    "kafka-topics.sh --create --topic icu-vitals --partitions 3 --replication-factor 3 --bootstrap-server localhost:9092";
const REPLICATED_PRODUCE: [&str; 4] = [
    "kafka-console-producer.sh --topic icu-vitals --bootstrap-server localhost:9092",
    "> 82 bpm",
    "> 110 bpm",
    "ksim status",
];
/// With broker 6 killed: two more records, and time for the controller to fence it.
const STOPPED_PRODUCE: [&str; 4] = [
    "kafka-console-producer.sh --topic icu-vitals --bootstrap-server localhost:9092",
    "> 95 bpm",
    "> 120 bpm",
    CLUSTER_ADVANCE,
];
const STOPPED_ROW: &str = "Broker 6 · stopped · out of sync";
/// The topic panel's row for each replica's copy is a group with this accessible name.
const REPLICA_ROW: &str = "Replica on broker 5";
/// The box clicked to open its inspector, and the inspector's accessible name.
const INSPECTED_BOX: &str = "Broker 4";
const INSPECTOR: &str = "Node 4 details";
const INSPECTOR_CLOSE: &str = "Close node details";
const INSPECTED_CONTROLLER: &str = "Controller 1";
const CONTROLLER_INSPECTOR: &str = "Node 1 details";
/// The third journey: a compacted topic rolling a segment every 10 s of simulated time;
/// the last line lets 20 s pass so the cleaner runs on the closed segments.
const LOG_INTERNALS: [&str; 11] = [
    "ksim start-cluster --brokers 1 --controllers 1",
    "kafka-topics.sh --create --topic patient-status --partitions 1 --replication-factor 1 --config cleanup.policy=compact --config segment.ms=10000 --bootstrap-server localhost:9092",
    "kafka-console-producer.sh --topic patient-status --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092",
    "> patient-7:admitted",
    "> patient-9:admitted",
    "> patient-7:icu",
    "ksim advance 11s",
    "kafka-console-producer.sh --topic patient-status --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092",
    "> patient-7:discharged",
    "> patient-3:admitted",
    "ksim advance 20s",
];
/// The fourth journey: two background consumers in one group share a 4-partition topic
/// holding 4 keyed records; 5 s are enough for them to join, sync and commit.
const GROUPS_JOURNEY: [&str; 10] = [
    "ksim start-cluster --brokers 1 --controllers 1",
    "bin/kafka-topics.sh --create --topic vitals --partitions 4 --bootstrap-server localhost:9092",
    "bin/kafka-console-producer.sh --topic vitals --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092",
    "> patient-1:82 bpm",
    "> patient-2:110 bpm",
    "> patient-3:95 bpm",
    "> patient-4:120 bpm",
    "bin/kafka-console-consumer.sh --topic vitals --group monitors --from-beginning --bootstrap-server localhost:9092 &",
    "bin/kafka-console-consumer.sh --topic vitals --group monitors --from-beginning --bootstrap-server localhost:9092 &",
    "ksim advance 5s",
];
/// Past the consumers' auto-commit interval (5 s).
const GROUPS_COMMIT: &str = "ksim advance 6s";
/// Job 4 is the second consumer (d57f1e3a, owner of vitals-2 and vitals-3 with seed 1).
const GROUPS_LAG: [&str; 7] = [
    "ksim stall %4 30s",
    "bin/kafka-console-producer.sh --topic vitals --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092",
    "> patient-1:85 bpm",
    "> patient-2:112 bpm",
    "> patient-3:97 bpm",
    "> patient-4:118 bpm",
    "ksim advance 2s",
];
/// The summary of __consumer_offsets, its partitions shown, and the note on the others.
const INTERNAL_TOPIC: &str = "__consumer_offsets · 50 partitions · internal / 1 / 49 empty partitions not shown";
const GROUPS_HEADING: &str = "Consumer groups";
const GROUP: &str = "Group monitors";
/// Real time at 1× for followers to notice the dead leader and start voting.
const ELECTION_TIMEOUT: Duration = Duration::from_secs(15);

const WELCOME: &str = "Welcome";
/// The past indicator's words (`view_model::timeline::PAST_NOTICE`).
const PAST_NOTICE: &str = "Viewing the past — Step to go forward, or type a command to fork from here";
/// The Network tool cuts broker 4 off from everyone else.
const CUT_OFF: &str = "Broker 4";
const CUT_REST: [&str; 5] = ["Broker 5", "Broker 6", "Controller 1", "Controller 2", "Controller 3"];
const CUT_COMMAND: &str = "$ ksim partition 4 | 1,2,3,5,6";

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
    let started = Instant::now();
    let journeys = lesson_workflow(browser.session(), &server.url(), &artifacts)
        .map(|()| println!("xtask: e2e: lesson workflow passed in {}", format_duration(started.elapsed())))
        .and_then(|()| {
            let cluster = Instant::now();
            cluster_journey(browser.session(), &server.url(), &artifacts)
                .map(|()| println!("xtask: e2e: cluster journey passed in {}", format_duration(cluster.elapsed())))
        })
        .and_then(|()| {
            let internals = Instant::now();
            log_internals(browser.session(), &server.url(), &artifacts).map(|()| {
                println!("xtask: e2e: log internals journey passed in {}", format_duration(internals.elapsed()))
            })
        })
        .and_then(|()| {
            let groups = Instant::now();
            groups_journey(browser.session(), &server.url(), &artifacts).map(|()| {
                println!("xtask: e2e: consumer groups journey passed in {}", format_duration(groups.elapsed()))
            })
        })
        .and_then(|()| {
            let tools = Instant::now();
            page_tools_journey(browser.session(), &server.url(), &artifacts).map(|()| {
                println!(
                    "xtask: e2e: timeline, network and message tools journey passed in {}",
                    format_duration(tools.elapsed())
                )
            })
        })
        .and_then(|()| {
            let scale = Instant::now();
            crate::e2e_scale::long_log_journey(browser.session(), &server.url(), &artifacts)?;
            crate::e2e_scale::big_cluster_journey(browser.session(), &server.url(), &artifacts)?;
            println!("xtask: e2e: long log and big cluster journeys passed in {}", format_duration(scale.elapsed()));
            Ok(())
        })
        .and_then(|()| {
            let classroom = Instant::now();
            crate::e2e_classroom::exercise_journey(browser.session(), &server.url(), &artifacts)?;
            crate::e2e_classroom::share_journey(browser.session(), &server.url(), &artifacts)?;
            println!("xtask: e2e: classroom journeys passed in {}", format_duration(classroom.elapsed()));
            Ok(())
        })
        .and_then(|()| {
            let connect = Instant::now();
            crate::e2e_connect::connect_journey(browser.session(), &server.url(), &artifacts)?;
            println!("xtask: e2e: Kafka Connect journey passed in {}", format_duration(connect.elapsed()));
            Ok(())
        })
        .and_then(|()| {
            let streams = Instant::now();
            crate::e2e_streams::streams_journey(browser.session(), &server.url(), &artifacts)?;
            println!("xtask: e2e: Streams journey passed in {}", format_duration(streams.elapsed()));
            Ok(())
        });
    match journeys {
        Ok(()) => {
            browser.close()?;
            println!("xtask: e2e: all journeys passed in {}", format_duration(started.elapsed()));
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
    // A first visit shows the welcome card; it stays away once dismissed (localStorage).
    if session.find(&labelled(WELCOME))?.is_some() {
        save_screenshot(session, &artifacts.join("welcome.png"))?;
        click_button(session, "Dismiss welcome")?;
        wait_gone(session, &labelled(WELCOME), "the welcome card stayed after `Dismiss welcome`")?;
        println!("xtask: e2e: the welcome card showed on the first visit and was dismissed");
    }

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

/// A fresh page (a new session with the same seed) whose banner's one-click start types
/// the 3 + 3 cluster command; waits until the diagram shows every node.
fn start_cluster_from_banner(session: &Session, url: &str, journey: &str) -> Result<()> {
    session.navigate(url)?;
    if session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.is_none() {
        return Err(format!("the page did not come back for {journey}"));
    }
    let start = "const b = [...document.querySelectorAll('.banner-command')] \
                 .find(b => b.textContent.includes('3 + 3 cluster')); if (b) b.click(); return !!b;";
    if session.execute(start, json!([]))? != json!(true) {
        return Err("no banner button `start a 3 + 3 cluster`".to_string());
    }
    for name in CLUSTER_NODES {
        if session.wait_for(&labelled(name), CLUSTER_TIMEOUT)?.is_none() {
            return Err(format!("no element labelled `{name}` after `{CLUSTER_START}`"));
        }
    }
    Ok(())
}

/// Starts a cluster with one command, kills broker 5 with its button in the diagram, lets
/// 12 s pass, checks that the page says it is stopped, and restarts it with its button.
fn cluster_journey(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    start_cluster_from_banner(session, url, "the cluster journey")?;
    if !console_output(session)?.unwrap_or_default().contains(&format!("$ {CLUSTER_START}")) {
        return Err(format!("the banner button did not type `{CLUSTER_START}` into the console"));
    }
    println!("xtask: e2e: the banner's button started the cluster; the diagram shows brokers 4-6 and controllers 1-3");

    click_button(session, "Kill Broker 5")?;
    type_line(session, CLUSTER_ADVANCE)?;
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    while !node_text(session, "Broker 5")?.unwrap_or_default().contains("stopped") {
        if Instant::now() > deadline {
            return Err(format!(
                "Broker 5 does not say `stopped` after `Kill Broker 5` and `{CLUSTER_ADVANCE}`; it says {:?}",
                node_text(session, "Broker 5")?
            ));
        }
        std::thread::sleep(POLL);
    }
    let console = console_output(session)?.unwrap_or_default();
    if !console.contains("$ ksim kill 5") {
        return Err("the console does not show `$ ksim kill 5` after clicking `Kill Broker 5`".to_string());
    }
    if session.wait_for(&button("Restart Broker 5"), CLUSTER_TIMEOUT)?.is_none() {
        return Err("no `Restart Broker 5` button while broker 5 is stopped".to_string());
    }
    println!("xtask: e2e: Broker 5 is stopped and offers `Restart Broker 5`");
    save_screenshot(session, &artifacts.join("cluster.png"))?;

    click_button(session, "Restart Broker 5")?;
    if session.wait_for(&button("Kill Broker 5"), CLUSTER_TIMEOUT)?.is_none() {
        return Err("no `Kill Broker 5` button after clicking `Restart Broker 5`".to_string());
    }
    if !console_output(session)?.unwrap_or_default().contains("$ ksim restart 5") {
        return Err("the console does not show `$ ksim restart 5` after clicking `Restart Broker 5`".to_string());
    }
    println!("xtask: e2e: Broker 5 restarted from its button");
    replicated_topic(session, artifacts)?;
    inspect_broker(session, artifacts)?;
    slow_motion_election(session, artifacts)
}

/// Creates a topic with 3 partitions on 3 brokers, produces two records, and waits until
/// the topic panel shows the three copies of the partition that got them caught up; then
/// kills broker 6, produces again, and waits until its copies say they are stopped and out
/// of sync.
fn replicated_topic(session: &Session, artifacts: &Path) -> Result<()> {
    type_line(session, REPLICATED_TOPIC)?;
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    while !console_output(session)?.unwrap_or_default().contains("Created topic icu-vitals.") {
        if Instant::now() > deadline {
            return Err(format!("`{REPLICATED_TOPIC}` did not print `Created topic icu-vitals.`"));
        }
        std::thread::sleep(POLL);
    }
    for line in REPLICATED_PRODUCE {
        type_line(session, line)?;
    }
    if session.wait_for(&labelled(REPLICA_ROW), CLUSTER_TIMEOUT)?.is_none() {
        return Err(format!("no element labelled `{REPLICA_ROW}` after creating icu-vitals"));
    }
    // Rows of copies that hold both records with both committed: the three of one partition.
    let script = "return [...document.querySelectorAll('.replica-row')] \
                  .filter(r => r.textContent.includes('LEO 2 · HW 2')).length;";
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    loop {
        let rows = session.execute("return document.querySelectorAll('.replica-row').length;", json!([]))?;
        let caught_up = session.execute(script, json!([]))?;
        if rows == json!(9) && caught_up == json!(3) {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "expected 9 replica rows with 3 at `LEO 2 · HW 2` after producing to icu-vitals; \
                 saw {rows} rows, {caught_up} caught up"
            ));
        }
        std::thread::sleep(POLL);
    }
    println!("xtask: e2e: icu-vitals shows 9 replica rows, the 3 copies of one partition at LEO 2 · HW 2");
    save_screenshot(session, &artifacts.join("replicas.png"))?;

    // A stopped replica falls behind and leaves the ISR; it comes back afterwards.
    click_button(session, "Kill Broker 6")?;
    for line in STOPPED_PRODUCE {
        type_line(session, line)?;
    }
    let script = "return [...document.querySelectorAll('.replica-row')] \
                  .some(r => r.textContent.includes(arguments[0]));";
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    while session.execute(script, json!([STOPPED_ROW]))? != json!(true) {
        if Instant::now() > deadline {
            return Err(format!("no replica row says `{STOPPED_ROW}` after `Kill Broker 6` and `{CLUSTER_ADVANCE}`"));
        }
        std::thread::sleep(POLL);
    }
    println!("xtask: e2e: after `Kill Broker 6` a replica row says `{STOPPED_ROW}`");
    save_screenshot(session, &artifacts.join("replicas-stopped.png"))?;
    click_button(session, "Restart Broker 6")?;
    if session.wait_for(&button("Kill Broker 6"), CLUSTER_TIMEOUT)?.is_none() {
        return Err("no `Kill Broker 6` button after clicking `Restart Broker 6`".to_string());
    }
    Ok(())
}

/// Clicks a broker's box, waits for its inspector to list its three icu-vitals replicas,
/// and closes it with its close button; then opens and closes a controller's.
fn inspect_broker(session: &Session, artifacts: &Path) -> Result<()> {
    // WebDriver clicks only an element that is topmost at its centre: the box's name.
    let node = session
        .find(&format!("{} > text.name", labelled(INSPECTED_BOX)))?
        .ok_or_else(|| format!("no box labelled `{INSPECTED_BOX}`"))?;
    session.click(&node)?;
    let panel = labelled(INSPECTOR);
    if session.wait_for(&panel, CLUSTER_TIMEOUT)?.is_none() {
        return Err(format!("no panel labelled `{INSPECTOR}` after clicking `{INSPECTED_BOX}`"));
    }
    let script = "const e = document.querySelector(arguments[0]); \
                  return e ? e.querySelectorAll('table.hosted tbody tr').length : null;";
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    while session.execute(script, json!([panel]))? != json!(3) {
        if Instant::now() > deadline {
            return Err(format!("`{INSPECTOR}` does not list the 3 icu-vitals replicas of {INSPECTED_BOX}"));
        }
        std::thread::sleep(POLL);
    }
    println!("xtask: e2e: clicking `{INSPECTED_BOX}` opened `{INSPECTOR}` with its 3 replicas");
    save_screenshot(session, &artifacts.join("inspector.png"))?;
    click_button(session, INSPECTOR_CLOSE)?;
    wait_gone(session, &panel, &format!("`{INSPECTOR_CLOSE}` did not close `{INSPECTOR}`"))?;

    // A controller's inspector shows its Raft state; a second click on its box closes it.
    let controller = format!("{} > text.name", labelled(INSPECTED_CONTROLLER));
    let node = session.find(&controller)?.ok_or_else(|| format!("no box labelled `{INSPECTED_CONTROLLER}`"))?;
    session.click(&node)?;
    let panel = labelled(CONTROLLER_INSPECTOR);
    let shown = session.wait_for(&panel, CLUSTER_TIMEOUT)?;
    let text = session.execute("return document.querySelector(arguments[0])?.textContent ?? '';", json!([panel]))?;
    if shown.is_none() || !text.as_str().unwrap_or_default().contains("Raft state") {
        return Err(format!("no `{CONTROLLER_INSPECTOR}` with its Raft state after clicking `{INSPECTED_CONTROLLER}`"));
    }
    save_screenshot(session, &artifacts.join("inspector-controller.png"))?;
    session.click(&node)?;
    wait_gone(session, &panel, &format!("a second click on `{INSPECTED_CONTROLLER}` did not close its inspector"))
}

fn wait_gone(session: &Session, css: &str, error: &str) -> Result<()> {
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    while session.find(css)?.is_some() {
        if Instant::now() > deadline {
            return Err(error.to_string());
        }
        std::thread::sleep(POLL);
    }
    Ok(())
}

/// A compacted topic on a fresh page: after the segment rolls the strip shows the boundary,
/// and after the cleaner ran the first patient-7 record (offset 0) is gone; offset 2 stays,
/// as the newer patient-7 record is in the active segment, which is never cleaned.
fn log_internals(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    session.navigate(url)?;
    if session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.is_none() {
        return Err("the page did not come back for the log internals journey".to_string());
    }
    for line in LOG_INTERNALS {
        type_line(session, line)?;
    }
    let offsets = "return [...document.querySelectorAll('.strip .record .offset')].map(o => o.textContent).join(',');";
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    loop {
        let marks = session.execute("return document.querySelectorAll('.segment-mark').length;", json!([]))?;
        let shown = session.execute(offsets, json!([]))?;
        if marks.as_u64().is_some_and(|n| n >= 1) && shown == json!("1,2,3,4") {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "expected a segment boundary and records 1,2,3,4 after compaction; saw {marks} boundaries, offsets {shown}"
            ));
        }
        std::thread::sleep(POLL);
    }
    println!("xtask: e2e: patient-status shows a segment boundary and its compacted log (offsets 1-4)");
    save_screenshot(session, &artifacts.join("log-internals.png"))
}

/// Two consumers started in the background with `--group monitors` on a fresh page: the
/// groups panel shows the group Stable with both members and an owner for each of the 4
/// partitions. Screenshots at 1280×720 and on a projector (1920×1080); this journey runs
/// last because it resizes the window.
fn groups_journey(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    // The election journey left the window at projector size.
    crate::browser::fit_viewport(session, WIDTH, HEIGHT)?;
    session.navigate(url)?;
    if session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.is_none() {
        return Err("the page did not come back for the consumer groups journey".to_string());
    }
    let heading = "const h = document.getElementById('groups-heading'); return h ? h.textContent : null;";
    if session.execute(heading, json!([]))? != json!(GROUPS_HEADING) {
        return Err(format!("no groups panel headed `{GROUPS_HEADING}`"));
    }
    for line in GROUPS_JOURNEY {
        type_line(session, line)?;
    }
    let script = "const g = document.querySelector(arguments[0]); \
                  if (!g) return null; \
                  const owners = [...g.querySelectorAll('.group-partitions tbody tr')] \
                    .map(r => r.querySelector('th').textContent + '=' + r.querySelector('.owner').textContent); \
                  return { state: g.querySelector('.group-state').textContent, \
                           members: g.querySelectorAll('.member').length, owners };";
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    loop {
        let seen = session.execute(script, json!([labelled(GROUP)]))?;
        let owners: Vec<&str> =
            seen["owners"].as_array().map(|o| o.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
        let all_owned = ["vitals-0=", "vitals-1=", "vitals-2=", "vitals-3="]
            .iter()
            .all(|p| owners.iter().any(|o| o.starts_with(p) && !o.ends_with('—') && o.len() > p.len()));
        if seen["state"] == json!("Stable") && seen["members"] == json!(2) && all_owned && owners.len() == 4 {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "expected `{GROUP}` Stable with 2 members and an owner for vitals-0..3 after `ksim advance 5s`; saw {seen}"
            ));
        }
        std::thread::sleep(POLL);
    }
    println!("xtask: e2e: group monitors is Stable with 2 members sharing vitals-0..3");
    // One auto-commit interval later the group's commits are marked on the log strips.
    type_line(session, GROUPS_COMMIT)?;
    let commits = "return document.querySelectorAll('.strip .consumer-mark.committed').length;";
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    // Both of d57f1e3a's partitions with records (seed 1); the leader's first auto-commit
    // failed during the rebalance and the core does not retry it while nothing new arrives.
    while session.execute(commits, json!([]))?.as_u64().unwrap_or(0) < 2 {
        if Instant::now() > deadline {
            return Err(format!(
                "expected the group's commits on 2 vitals partitions after `{GROUPS_COMMIT}`; saw {}",
                session.execute(commits, json!([]))?
            ));
        }
        std::thread::sleep(POLL);
    }
    println!("xtask: e2e: the log strips mark where group monitors committed");
    // The second consumer stalls while 4 more records arrive: its partitions lag.
    for line in GROUPS_LAG {
        type_line(session, line)?;
    }
    let lagging = "return document.querySelectorAll('.group-partitions tr.lagging').length;";
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    while session.execute(lagging, json!([]))?.as_u64().unwrap_or(0) == 0 {
        if Instant::now() > deadline {
            return Err("no partition of group monitors shows lag after stalling its second consumer".to_string());
        }
        std::thread::sleep(POLL);
    }
    println!("xtask: e2e: the stalled consumer's partitions show lag");
    crate::e2e_kafka_ui::kafka_ui_step(session, artifacts)?;
    save_screenshot(session, &artifacts.join("groups-1280x720.png"))?;
    // __consumer_offsets comes last, collapsed, listing only the partition with commits.
    let internal = "const d = document.querySelector('details.topic.internal'); \
                    if (!d) return null; d.open = true; d.scrollIntoView(); \
                    return d.querySelector('summary').textContent + ' / ' \
                      + d.querySelectorAll('.partition').length + ' / ' \
                      + (d.querySelector('.empty-partitions')?.textContent ?? '');";
    let seen = session.execute(internal, json!([]))?;
    if seen != json!(INTERNAL_TOPIC) {
        return Err(format!("expected the internal topic collapsed as `{INTERNAL_TOPIC}`; saw {seen}"));
    }
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("groups-internal-topic.png"))?;
    crate::browser::fit_viewport(session, 1920, 1080)?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("groups-1920x1080.png"))?;
    // The dark theme, by applying the stylesheet's `prefers-color-scheme: dark` rules
    // unconditionally (WebDriver has no standard way to emulate the media feature).
    let dark = "const rules = [...document.styleSheets].flatMap(s => [...s.cssRules]) \
                  .filter(r => r.media && r.media.mediaText.includes('prefers-color-scheme: dark')) \
                  .flatMap(r => [...r.cssRules].map(c => c.cssText)); \
                const style = document.createElement('style'); \
                style.textContent = rules.join('\\n'); document.head.append(style); return rules.length;";
    if session.execute(dark, json!([]))?.as_u64().unwrap_or(0) == 0 {
        return Err("the stylesheet has no `prefers-color-scheme: dark` rules".to_string());
    }
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("groups-dark-1920x1080.png"))?;
    crate::e2e_kafka_ui::dark_screenshot(session, artifacts)
}

/// Slow motion: pick 200 ms in the "Network latency" select, kill the active controller
/// with its button, and catch the election's Vote messages on their way (the page pauses
/// itself the moment the first one is drawn, so the screenshot shows it).
fn slow_motion_election(session: &Session, artifacts: &Path) -> Result<()> {
    let select =
        session.find(r#"select[aria-label="Network latency"]"#)?.ok_or("no select labelled `Network latency`")?;
    session.send_keys(&select, "200 ms")?;
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    while !console_output(session)?.unwrap_or_default().contains("$ ksim latency 200ms") {
        if Instant::now() > deadline {
            return Err("choosing `200 ms` in `Network latency` did not type `ksim latency 200ms`".to_string());
        }
        std::thread::sleep(POLL);
    }
    let script = "const leader = document.querySelector('.server.quorum-leader'); \
                  if (!leader) return null; \
                  window.__sawVote = false; \
                  const observer = new MutationObserver(() => { \
                    if (window.__sawVote || !document.querySelector('.diagram .msg.vote')) return; \
                    window.__sawVote = true; observer.disconnect(); \
                    const pause = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Pause'); \
                    if (pause) pause.click(); \
                  }); \
                  observer.observe(document.body, { childList: true, subtree: true }); \
                  return leader.getAttribute('aria-label');";
    let leader = session.execute(script, json!([]))?;
    let leader = leader.as_str().ok_or("no controller is marked as the quorum leader")?.to_string();
    click_button(session, &format!("Kill {leader}"))?;
    let deadline = Instant::now() + ELECTION_TIMEOUT;
    while session.execute("return window.__sawVote === true;", json!([]))? != json!(true) {
        if Instant::now() > deadline {
            return Err(format!(
                "no Vote message drawn within {} of killing {leader} at 200 ms latency",
                format_duration(ELECTION_TIMEOUT)
            ));
        }
        std::thread::sleep(POLL);
    }
    println!("xtask: e2e: killing {leader} at 200 ms latency drew Vote messages");
    save_screenshot(session, &artifacts.join("cluster-election.png"))?;
    // The same paused moment on a projector: a 1920×1080 viewport (the window is larger by
    // the browser's own frame, so measure it).
    session.set_window_size(1920, 1080)?;
    let inner = session.execute("return window.innerHeight;", json!([]))?.as_u64().unwrap_or(1080);
    let frame = u32::try_from(1080u64.saturating_sub(inner)).unwrap_or(0);
    session.set_window_size(1920, 1080 + frame)?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("cluster-election-1920.png"))
}

/// The page's time and fault tools on a 3+3 cluster: the timeline dragged back shows the
/// past notice, `Fork from here` makes it the present, the Network tool cuts broker 4 off
/// (the diagram marks the cut links) and heals it, a message in flight is clicked and
/// dropped, and the theme switches to dark. Screenshots at 1280×720 and 1920×1080.
fn page_tools_journey(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    crate::browser::fit_viewport(session, WIDTH, HEIGHT)?;
    start_cluster_from_banner(session, url, "the page tools journey")?;
    type_line(session, CLUSTER_ADVANCE)?;
    type_line(session, REPLICATED_TOPIC)?;
    for line in REPLICATED_PRODUCE {
        type_line(session, line)?;
    }
    wait_console(session, "$ ksim status")?;
    std::thread::sleep(Duration::from_secs(2));
    click_text(session, "Pause")?;

    // The timeline, dragged halfway back.
    let drag = "const r = document.getElementById('timeline'); if (!r) return null; \
                const to = Math.floor(Number(r.max) / 2); r.value = String(to); \
                r.dispatchEvent(new Event('input', { bubbles: true })); return [Number(r.max), to];";
    let dragged = session.execute(drag, json!([]))?;
    let (max, to) = (dragged[0].as_u64().unwrap_or(0), dragged[1].as_u64().unwrap_or(0));
    if max < 100 {
        return Err(format!("expected a timeline of at least 100 events after producing; saw {dragged}"));
    }
    let notice = "const n = document.querySelector('.past-notice'); return n ? n.textContent : null;";
    wait_until(
        session,
        notice,
        |v| v.as_str().is_some_and(|t| t.contains(PAST_NOTICE)),
        "the past notice after dragging the timeline back",
    )?;
    let value = session.execute("return Number(document.getElementById('timeline').value);", json!([]))?;
    if value != json!(to) {
        return Err(format!("the timeline shows event {value} after being dragged to {to}"));
    }
    let fits = "const n = document.querySelector('.past-notice'); return n.scrollWidth <= n.clientWidth;";
    if session.execute(fits, json!([]))? != json!(true) {
        return Err(format!("the past notice does not fit in the timeline row at {WIDTH}×{HEIGHT}"));
    }
    let page = "return document.documentElement.scrollWidth <= window.innerWidth;";
    if session.execute(page, json!([]))? != json!(true) {
        return Err(format!("the page is wider than the window at {WIDTH}×{HEIGHT}"));
    }
    println!("xtask: e2e: the timeline went back to event {to} of {max} and says `{PAST_NOTICE}`");
    save_screenshot(session, &artifacts.join("timeline-past.png"))?;

    // The scrubber's own keys: End is the present, Home the start; then back to halfway.
    let range = "const r = document.getElementById('timeline'); return [Number(r.value), Number(r.max)];";
    let scrubber = session.find("#timeline")?.ok_or("no element with id `timeline`")?;
    session.send_keys(&scrubber, &END.to_string())?;
    wait_until(
        session,
        range,
        |v| v[0] == v[1] && v[1].as_u64() == Some(max),
        "End on the timeline going to the present",
    )?;
    wait_until(session, notice, |v| v.as_str() == Some(""), "no past notice at the present")?;
    session.send_keys(&scrubber, &HOME.to_string())?;
    wait_until(session, range, |v| v[0].as_u64() == Some(0), "Home on the timeline going to event 0")?;
    session.execute(drag, json!([]))?;
    wait_until(session, range, |v| v[0].as_u64() == Some(to), "the timeline dragged back to halfway again")?;
    println!("xtask: e2e: End and Home on the timeline go to the present and to the start");

    click_button(session, "Fork from here")?;
    wait_until(session, range, |v| v[0] == v[1] && v[0].as_u64() == Some(to), "the timeline ending at the fork")?;
    wait_until(session, notice, |v| v.as_str() == Some(""), "the past notice gone after `Fork from here`")?;
    println!("xtask: e2e: `Fork from here` made event {to} the present");

    // The Network tool: broker 4 against the rest.
    click_button(session, "Network")?;
    click_checkbox(session, &format!("Group A {CUT_OFF}"))?;
    for name in CUT_REST {
        click_checkbox(session, &format!("Group B {name}"))?;
    }
    save_screenshot(session, &artifacts.join("network-tool.png"))?;
    click_button(session, "Cut")?;
    wait_console(session, CUT_COMMAND)?;
    let marks = "return [...document.querySelectorAll('.diagram .cut-mark')].map(m => m.getAttribute('aria-label'));";
    wait_until(
        session,
        marks,
        |v| {
            v.as_array()
                .is_some_and(|m| !m.is_empty() && m.iter().all(|t| t.as_str().is_some_and(|t| t.contains(CUT_OFF))))
        },
        "cut marks on broker 4's links",
    )?;
    let dashed = session.execute("return document.querySelectorAll('.diagram .link.cut').length;", json!([]))?;
    println!("xtask: e2e: the Network tool ran `{CUT_COMMAND}`; {dashed} links of {CUT_OFF} are drawn cut");
    save_screenshot(session, &artifacts.join("network-cut.png"))?;
    // Cut and Heal close the panel, so the diagram shows the result.
    click_button(session, "Network")?;
    click_button(session, "Heal")?;
    wait_console(session, "$ ksim heal")?;
    wait_until(session, marks, |v| v.as_array().is_some_and(Vec::is_empty), "no cut marks after `Heal`")?;
    println!("xtask: e2e: `Heal` removed the cuts");

    // A message in flight, caught in slow motion: stepped to, clicked, dropped.
    let select =
        session.find(r#"select[aria-label="Network latency"]"#)?.ok_or("no select labelled `Network latency`")?;
    session.send_keys(&select, "200 ms")?;
    wait_console(session, "$ ksim latency 200ms")?;
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    let dot = loop {
        if let Some(dot) = session.find(".diagram .msg")? {
            break dot;
        }
        if Instant::now() > deadline {
            return Err("no message in flight after stepping for 10 s at 200 ms latency".to_string());
        }
        click_text(session, "Step")?;
    };
    session.click(&dot)?;
    let details =
        "const d = document.querySelector('[aria-label=\"Message details\"]'); return d ? d.innerText : null;";
    wait_until(
        session,
        details,
        |v| v.as_str().is_some_and(|t| t.contains("From") && t.contains("Arrives at")),
        "the message details after clicking a dot",
    )?;
    save_screenshot(session, &artifacts.join("message-details.png"))?;
    click_button(session, "Drop message")?;
    let narrated = "return document.body.innerText.includes('(dropped from the page)');";
    wait_until(session, narrated, |v| v == &json!(true), "the narration of the dropped message")?;
    println!("xtask: e2e: a message in flight was clicked, shown and dropped");
    save_screenshot(session, &artifacts.join("message-dropped.png"))?;

    // Dark, chosen in the top bar, on a laptop and on a projector; then back to System so
    // a later run starts as a first visit would.
    let theme = session.find(r#"select[aria-label="Theme"]"#)?.ok_or("no select labelled `Theme`")?;
    session.send_keys(&theme, "Dark")?;
    let attr = "return document.documentElement.dataset.theme;";
    wait_until(session, attr, |v| v == &json!("dark"), "data-theme=dark after choosing Dark")?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("page-dark-1280x720.png"))?;
    crate::browser::fit_viewport(session, 1920, 1080)?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("page-dark-1920x1080.png"))?;
    let light = "const s = document.querySelector('select[aria-label=\"Theme\"]'); s.value = 'light'; \
                 s.dispatchEvent(new Event('change', { bubbles: true })); return true;";
    session.execute(light, json!([]))?;
    wait_until(session, attr, |v| v == &json!("light"), "data-theme=light after choosing Light")?;
    std::thread::sleep(Duration::from_millis(300));
    save_screenshot(session, &artifacts.join("page-light-1920x1080.png"))?;
    session.execute("localStorage.removeItem('kafka-playground-theme'); return true;", json!([]))?;
    println!("xtask: e2e: the theme select switched the page to dark and back");
    // `?` shows the keyboard shortcuts; Escape hides them.
    let press = |key: &str, shift: bool| {
        format!(
            "document.body.dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', shiftKey: {shift}, bubbles: true }})); return true;"
        )
    };
    session.execute(&press("?", true), json!([]))?;
    let shown = "return document.querySelector('#help-heading')?.textContent ?? '';";
    wait_until(session, shown, |v| v == &json!("Keyboard shortcuts"), "the help after pressing ?")?;
    save_screenshot(session, &artifacts.join("help.png"))?;
    session.execute(&press("Escape", false), json!([]))?;
    wait_until(session, shown, |v| v == &json!(""), "no help after Escape")?;
    println!("xtask: e2e: ? shows the keyboard shortcuts and Escape hides them");
    Ok(())
}

/// Polls `script` until `ok` accepts its result.
fn wait_until(session: &Session, script: &str, ok: impl Fn(&serde_json::Value) -> bool, what: &str) -> Result<()> {
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    loop {
        let seen = session.execute(script, json!([]))?;
        if ok(&seen) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("expected {what} within {}; saw {seen}", format_duration(CLUSTER_TIMEOUT)));
        }
        std::thread::sleep(POLL);
    }
}

pub(crate) fn wait_console(session: &Session, text: &str) -> Result<()> {
    let deadline = Instant::now() + CLUSTER_TIMEOUT;
    while !console_output(session)?.unwrap_or_default().contains(text) {
        if Instant::now() > deadline {
            return Err(format!("the console did not show `{text}`"));
        }
        std::thread::sleep(POLL);
    }
    Ok(())
}

/// Clicks the enabled button whose visible text is exactly `text` (`Pause`, `Step`).
pub fn click_text(session: &Session, text: &str) -> Result<()> {
    let script = "const b = [...document.querySelectorAll('button:not([disabled])')] \
                  .find(b => b.textContent.trim() === arguments[0]); if (b) b.click(); return !!b;";
    if session.execute(script, json!([text]))? != json!(true) {
        return Err(format!("no enabled button reading `{text}`"));
    }
    Ok(())
}

fn click_checkbox(session: &Session, name: &str) -> Result<()> {
    let css = format!(r#"input[type="checkbox"][aria-label="{name}"]:not([disabled])"#);
    let element = session.find(&css)?.ok_or_else(|| format!("no enabled checkbox named `{name}`"))?;
    session.click(&element)
}

pub(crate) fn labelled(name: &str) -> String {
    format!(r#"[aria-label="{name}"]"#)
}

fn button(name: &str) -> String {
    format!(r#"button[aria-label="{name}"]:not([disabled])"#)
}

pub(crate) fn type_line(session: &Session, line: &str) -> Result<()> {
    let input = session.find(CONSOLE_INPUT)?.ok_or_else(|| format!("no console input to type `{line}`"))?;
    session.send_keys(&input, &format!("{line}{ENTER}"))
}

pub(crate) fn click_button(session: &Session, name: &str) -> Result<()> {
    let element =
        session.wait_for(&button(name), CLUSTER_TIMEOUT)?.ok_or_else(|| format!("no enabled button named `{name}`"))?;
    session.click(&element)
}

/// The state text (`● running`, `● stopped`) of the diagram box labelled `name`.
fn node_text(session: &Session, name: &str) -> Result<Option<String>> {
    let script = "const e = document.querySelector(arguments[0]); const s = e && e.querySelector('.state'); return s ? s.textContent : null;";
    Ok(session.execute(script, json!([labelled(name)]))?.as_str().map(str::to_string))
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

/// How long `wait_value` polls before giving up.
const WAIT_TIMEOUT: Duration = Duration::from_secs(60);

/// Polls `script` (with `args`) until it returns something other than `null`/`false`.
pub(crate) fn wait_value(
    session: &Session,
    script: &str,
    args: serde_json::Value,
    what: &str,
) -> Result<serde_json::Value> {
    let deadline = Instant::now() + WAIT_TIMEOUT;
    loop {
        let seen = session.execute(script, args.clone())?;
        if !seen.is_null() && seen != json!(false) {
            return Ok(seen);
        }
        if Instant::now() > deadline {
            return Err(format!("{what} within {} s; last saw {seen}", WAIT_TIMEOUT.as_secs()));
        }
        std::thread::sleep(POLL);
    }
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
