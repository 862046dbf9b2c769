//! `cargo xtask screenshot`: a PNG of the built page in headless Chromium, so anyone (or any
//! agent) can look at the UI without a desktop browser.

use crate::browser::Browser;
use crate::e2e::{self, CONSOLE_INPUT};
use crate::static_server::StaticServer;
use crate::{paths, tools, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;

const USAGE: &str = "usage: cargo xtask screenshot [--width W] [--height H] [--out FILE] \
                     [--url URL] [--delay-ms MS]";

struct Options {
    width: u32,
    height: u32,
    out: PathBuf,
    /// Shoot this URL (e.g. a running `cargo xtask serve`) instead of serving dist/.
    url: Option<String>,
    /// Settle time after the page is up, for animations and the first simulation steps.
    delay: Duration,
}

fn parse(root: &Path, args: &[String]) -> Result<Options> {
    let mut options = Options {
        width: e2e::WIDTH,
        height: e2e::HEIGHT,
        out: root.join("target").join("screenshot.png"),
        url: None,
        delay: Duration::from_millis(1000),
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        let number = |text: &str| text.parse::<u32>().map_err(|_| format!("{flag} wants a number, got `{text}`"));
        match flag.as_str() {
            "--width" => options.width = number(value()?)?,
            "--height" => options.height = number(value()?)?,
            "--out" => options.out = PathBuf::from(value()?),
            "--url" => options.url = Some(value()?.clone()),
            "--delay-ms" => options.delay = Duration::from_millis(u64::from(number(value()?)?)),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let options = parse(root, args)?;
    tools::ensure_browser(root)?;
    // Kept alive until the screenshot is taken; `None` when shooting an external URL.
    let mut _server = None;
    let url = match &options.url {
        Some(url) => url.clone(),
        None => {
            let dist = paths::dist(root);
            if !dist.join("index.html").is_file() {
                return Err(format!("no {}/index.html; build it first with `cargo xtask dist`", dist.display()));
            }
            let server = StaticServer::start(&dist)?;
            let url = server.url();
            _server = Some(server);
            url
        }
    };
    let browser = Browser::launch(options.width, options.height, &paths::e2e_artifacts(root))?;
    let session = browser.session();
    session.navigate(&url)?;
    // The console input appears once the wasm app has rendered; a page without it still
    // gets its picture taken, since looking at a broken page is a common reason to ask.
    if session.wait_for(CONSOLE_INPUT, Duration::from_secs(15))?.is_none() {
        println!("xtask: note: no `Console input` element after 15 s; capturing anyway");
    }
    std::thread::sleep(options.delay);
    e2e::save_screenshot(session, &options.out)?;
    browser.close()
}
