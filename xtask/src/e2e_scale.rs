//! Two journeys for what does not fit on screen. A long log: 100 000 records from the
//! producer perf test on a 3-broker cluster; the strip draws only its window, `Go to offset`
//! shows an old record (key and value in its tooltip) with the HW and LEO marks still in
//! sight, and End on the strip's scroll bar goes back to the newest. A big cluster: 50
//! brokers and 3 controllers, a 1000-partition topic with RF=3 and two consumer groups; the
//! diagram draws the brokers as tiles under a summary line and the clients per group, the
//! topic view pages through the partitions under its summary, and a broker killed from its
//! tile's inspector shows in both summaries. Screenshots `long-log.png`, `big-cluster.png`
//! and `big-cluster-1080p.png`.

use crate::browser::fit_viewport;
use crate::e2e::{
    click_button, click_text, labelled, save_screenshot, type_line, wait_console, wait_value, CONSOLE_INPUT, HEIGHT,
    WIDTH,
};
use crate::webdriver::{Session, END, ENTER};
use crate::Result;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// The perf test runs in the background so `ksim advance` can run it in one go (about 3 s
/// of simulated time).
const LONG_LOG: [&str; 4] = [
    "ksim start-cluster --brokers 3 --controllers 3",
    "kafka-topics.sh --create --topic t --partitions 1 --replication-factor 3 --bootstrap-server localhost:9092",
    "kafka-producer-perf-test.sh --topic t --num-records 100000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 &",
    "ksim advance 10s",
];
/// The old record the journey goes to.
const OLD_OFFSET: u64 = 1234;

const BIG_CLUSTER: [&str; 3] = [
    "ksim start-cluster --brokers 50 --controllers 3",
    "ksim advance 10s",
    "kafka-topics.sh --create --topic vitals --partitions 1000 --replication-factor 3 --bootstrap-server localhost:9092",
];
const CONSUMERS_PER_GROUP: usize = 10;

/// A fresh page at 1280×720 (the groups journey before these leaves the window larger).
fn fresh_page(session: &Session, url: &str, journey: &str) -> Result<()> {
    fit_viewport(session, WIDTH, HEIGHT)?;
    session.navigate(url)?;
    if session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.is_none() {
        return Err(format!("the page did not come back for {journey}"));
    }
    Ok(())
}

/// A script answering, once `condition` holds for `v`, the strip of `t-0` as `v`: its first
/// record's offset and tooltip, how many records it draws, and whether a HW or LEO mark is
/// on it.
fn first_record_when(condition: &str) -> String {
    format!(
        "const s = document.querySelector('ol[aria-label=\"t-0 log\"]'); if (!s) return null; \
         const r = s.querySelectorAll('.record'); if (!r.length) return null; \
         const v = [Number(r[0].querySelector('.offset').textContent), r[0].title, r.length, \
                    !!s.querySelector('.marker.hw, .marker.leo')]; \
         return ({condition}) ? v : null;"
    )
}

pub fn long_log_journey(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    fresh_page(session, url, "the long log journey")?;
    for line in LONG_LOG {
        type_line(session, line)?;
    }
    wait_console(session, "100000 records sent")?;
    let newest = wait_value(
        session,
        &first_record_when("v[0] >= 99900"),
        json!([]),
        "the strip of t-0 showing its newest records",
    )?;
    let drawn = newest[2].as_u64().unwrap_or(u64::MAX);
    if drawn > 100 {
        return Err(format!("the strip of t-0 draws {drawn} records; only its window (100) should be"));
    }
    println!("xtask: e2e: t-0 holds 100 000 records and its strip draws {drawn}");

    let goto =
        session.find(&labelled("Go to offset in t-0"))?.ok_or("no `Go to offset in t-0` field on the long strip")?;
    session.send_keys(&goto, &format!("{OLD_OFFSET}{ENTER}"))?;
    let old = wait_value(
        session,
        &first_record_when(&format!("v[0] === {OLD_OFFSET}")),
        json!([]),
        &format!("record {OLD_OFFSET} first on the strip after `Go to offset`"),
    )?;
    let tooltip = old[1].as_str().unwrap_or_default();
    if !tooltip.starts_with(&format!("offset {OLD_OFFSET}\nkey: null\nvalue: ")) {
        return Err(format!("record {OLD_OFFSET}'s tooltip does not give its key and value: {tooltip:?}"));
    }
    if old[3] != json!(true) {
        return Err("the HW/LEO marks are not on the strip scrolled back".to_string());
    }
    let newer = session.execute("return document.querySelector('.strip .newer')?.textContent ?? null;", json!([]))?;
    println!("xtask: e2e: `Go to offset {OLD_OFFSET}` shows the record with its key and value; the strip says {newer}");
    save_screenshot(session, &artifacts.join("long-log.png"))?;

    // End on the scroll bar: the newest records again.
    let range = session.find(&labelled("Scroll the log of t-0"))?.ok_or("no scroll bar on the long strip")?;
    session.send_keys(&range, &END.to_string())?;
    wait_value(
        session,
        &first_record_when("v[0] >= 99900"),
        json!([]),
        "the newest records after End on the scroll bar",
    )?;
    println!("xtask: e2e: End on the strip's scroll bar follows the newest records again");
    Ok(())
}

pub fn big_cluster_journey(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    fresh_page(session, url, "the big cluster journey")?;
    for line in BIG_CLUSTER {
        type_line(session, line)?;
    }
    wait_console(session, "Created topic vitals.")?;
    for group in ["monitors", "alerts"] {
        for i in 0..CONSUMERS_PER_GROUP {
            type_line(
                session,
                &format!("kafka-console-consumer.sh --topic vitals --group {group} --bootstrap-server localhost:9092 > {group}-{i}.txt &"),
            )?;
        }
    }
    type_line(session, "ksim advance 10s")?;
    let text = |css: &str| format!("return document.querySelector('{css}')?.textContent ?? null;");
    let summary = wait_value(
        session,
        &format!(
            "const t = (() => {{ {} }})(); return t && t.startsWith('50 brokers · 50 running') ? t : null;",
            text(".diagram-summary")
        ),
        json!([]),
        "the diagram's summary `50 brokers · 50 running`",
    )?;
    let tiles = session.execute("return document.querySelectorAll('.server.tile').length;", json!([]))?;
    if tiles != json!(50) {
        return Err(format!("expected 50 broker tiles, saw {tiles}"));
    }
    let group_box = format!("{CONSUMERS_PER_GROUP} consumers in group monitors");
    wait_value(
        session,
        "return !!document.querySelector(arguments[0]);",
        json!([labelled(&group_box)]),
        &format!("a client box `{group_box}`"),
    )?;
    let topic = wait_value(
        session,
        &format!(
            "const t = (() => {{ {} }})(); return t && t.startsWith('1000 partitions · RF 3') ? t : null;",
            text(".topic-summary")
        ),
        json!([]),
        "the topic summary `1000 partitions · RF 3`",
    )?;
    println!("xtask: e2e: the diagram says {summary}; the topic view says {topic}");
    save_screenshot(session, &artifacts.join("big-cluster.png"))?;

    click_button(session, "Next partitions of vitals")?;
    wait_value(
        session,
        &format!(
            "const t = (() => {{ {} }})(); return t === 'partitions 10–19 of 1000' ? t : null;",
            text(".page-label")
        ),
        json!([]),
        "`partitions 10–19 of 1000` after `Next`",
    )?;
    let first = session.execute("return document.querySelector('.partition-name')?.textContent ?? null;", json!([]))?;
    if first != json!("vitals-10") {
        return Err(format!("the second page starts with {first}, not vitals-10"));
    }
    println!("xtask: e2e: `Next` shows partitions 10-19 of vitals");

    // A tile opens its inspector, whose button kills the broker; both summaries say so.
    let tile = session.find(&labelled("Broker 7"))?.ok_or("no tile `Broker 7`")?;
    session.click(&tile)?;
    // The inspector's button reads `Kill Broker 7` (the diagram's tiles have none).
    wait_value(
        session,
        "return [...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Kill Broker 7');",
        json!([]),
        "the inspector's `Kill Broker 7` button",
    )?;
    click_text(session, "Kill Broker 7")?;
    type_line(session, "ksim advance 12s")?;
    wait_value(
        session,
        &format!(
            "const t = (() => {{ {} }})(); return t && t.includes('1 stopped') ? t : null;",
            text(".diagram-summary")
        ),
        json!([]),
        "`1 stopped` in the diagram's summary after killing broker 7",
    )?;
    let topic = wait_value(
        session,
        &format!(
            "const t = (() => {{ {} }})(); return t && t.includes('under-replicated') ? t : null;",
            text(".topic-summary")
        ),
        json!([]),
        "`under-replicated` in the topic summary after killing broker 7",
    )?;
    println!("xtask: e2e: broker 7 killed from its tile's inspector; the topic view says {topic}");
    session.execute("document.activeElement?.blur(); return true;", json!([]))?;
    fit_viewport(session, 1920, 1080)?;
    let result = save_screenshot(session, &artifacts.join("big-cluster-1080p.png"));
    fit_viewport(session, WIDTH, HEIGHT)?;
    result
}
