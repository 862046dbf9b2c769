//! The Kafka Connect journey: Kafka's quickstart (step 6) typed into the console; the
//! Kafka Connect panel appears under the consumer groups with both file connectors
//! running and the sink's two records written, and `more test.sink.txt` prints them.

use crate::browser::fit_viewport;
use crate::e2e::{save_screenshot, HEIGHT, WIDTH};
use crate::e2e_classroom::{open, type_line, wait_until};
use crate::webdriver::Session;
use crate::Result;
use std::path::Path;
use std::time::Duration;

const QUICKSTART: [&str; 5] = [
    "ksim start-cluster --brokers 1 --controllers 1 --combined",
    "echo \"plugin.path=libs/connect-file-4.0.0.jar\" >> config/connect-standalone.properties",
    "echo -e \"foo\\nbar\" > test.txt",
    "bin/connect-standalone.sh config/connect-standalone.properties config/connect-file-source.properties config/connect-file-sink.properties",
    "more test.sink.txt",
];

pub fn connect_journey(session: &Session, url: &str, artifacts: &Path) -> Result<()> {
    fit_viewport(session, WIDTH, HEIGHT)?;
    open(session, url)?;
    for line in QUICKSTART {
        type_line(session, line)?;
        std::thread::sleep(Duration::from_millis(300));
    }
    let panel = "const p = document.querySelector('.panel.connect'); if (!p) return false; \
                 const t = p.textContent; \
                 return t.includes('local-file-source') && t.includes('local-file-sink') \
                   && t.includes('2 records written') && !t.includes('FAILED');";
    wait_until(session, panel, "the Kafka Connect panel did not show both connectors and the sink's 2 records")?;
    println!("xtask: e2e: the Kafka Connect panel shows the file source and sink, 2 records written");
    let sink = "const t = document.querySelector('[aria-label=\"Console output\"]')?.textContent ?? ''; \
                const at = t.lastIndexOf('$ more test.sink.txt'); \
                return at >= 0 && t.slice(at).includes('foo') && t.slice(at).includes('bar');";
    wait_until(session, sink, "`more test.sink.txt` did not print foo and bar")?;
    println!("xtask: e2e: more test.sink.txt printed the lines the sink wrote");
    save_screenshot(session, &artifacts.join("connect.png"))
}
