//! A headless Chromium ready to drive: chromedriver + a throwaway profile + a WebDriver
//! session, torn down in the right order (session, then driver, then profile) when dropped.

use crate::chromedriver::ChromeDriver;
use crate::webdriver::Session;
use crate::{tools, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Chromium flags for CI-like machines (no GPU, no sandbox as root, small /dev/shm, no
/// network chatter). `webdriver.json` (used by wasm-bindgen-test-runner) must list the same;
/// a unit test below keeps the two in sync.
pub const CHROMIUM_ARGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
];

pub struct Browser {
    // Field order is drop order.
    session: Session,
    _driver: ChromeDriver,
    _profile: ProfileDir,
}

impl Browser {
    /// Starts chromedriver (logging into `log_dir`) and a `width`×`height` headless Chromium.
    pub fn launch(width: u32, height: u32, log_dir: &Path) -> Result<Browser> {
        std::fs::create_dir_all(log_dir).map_err(|e| format!("cannot create {}: {e}", log_dir.display()))?;
        let profile = ProfileDir::create()?;
        let driver = ChromeDriver::start(&log_dir.join("chromedriver.log"))?;
        let session = Session::create(driver.addr(), capabilities(&profile.0, width, height))?;
        fit_viewport(&session, width, height)?;
        Ok(Browser { session, _driver: driver, _profile: profile })
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Closes the browser, reporting a failure to do so (dropping does it silently).
    pub fn close(self) -> Result<()> {
        let Browser { session, _driver, _profile } = self;
        session.delete()
    }
}

/// Makes the page's viewport (what screenshots capture) exactly `width`×`height`. Window
/// sizes include the browser frame, even headless (a 720 px window gave a 577 px viewport),
/// so measure the difference once and grow the window by it.
pub fn fit_viewport(session: &Session, width: u32, height: u32) -> Result<()> {
    session.set_window_size(width, height)?;
    let (inner_w, inner_h) = viewport(session)?;
    if (inner_w, inner_h) == (width, height) {
        return Ok(());
    }
    let outer_w = (2 * width).saturating_sub(inner_w);
    let outer_h = (2 * height).saturating_sub(inner_h);
    session.set_window_size(outer_w, outer_h)?;
    let (inner_w, inner_h) = viewport(session)?;
    if (inner_w, inner_h) != (width, height) {
        println!("xtask: note: viewport is {inner_w}x{inner_h}, not the requested {width}x{height}");
    }
    Ok(())
}

fn viewport(session: &Session) -> Result<(u32, u32)> {
    let size = session.execute("return [window.innerWidth, window.innerHeight];", json!([]))?;
    let dimension = |i: usize| {
        size[i].as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(|| format!("unexpected viewport size {size}"))
    };
    Ok((dimension(0)?, dimension(1)?))
}

fn capabilities(profile: &Path, width: u32, height: u32) -> Value {
    let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
    args.push(format!("--window-size={width},{height}"));
    args.push(format!("--user-data-dir={}", profile.display()));
    json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": tools::CHROMIUM, "args": args },
        // Lets `Session::browser_log` return the page's console output after a failure.
        "goog:loggingPrefs": { "browser": "ALL" },
    })
}

/// A fresh `--user-data-dir`, so no state leaks between runs; removed when dropped.
struct ProfileDir(PathBuf);

impl ProfileDir {
    fn create() -> Result<ProfileDir> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("xtask-chromium-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create profile dir {}: {e}", dir.display()))?;
        Ok(ProfileDir(dir))
    }
}

impl Drop for ProfileDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webdriver_json_matches_chromium_args() {
        let path = crate::paths::repo_root().join("webdriver.json");
        let text = std::fs::read_to_string(&path).expect("webdriver.json exists at the root");
        let config: Value = serde_json::from_str(&text).expect("webdriver.json is JSON");
        let options = &config["goog:chromeOptions"];
        let args: Vec<&str> = options["args"]
            .as_array()
            .expect("goog:chromeOptions.args is an array")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(args, CHROMIUM_ARGS);
        assert_eq!(options["binary"].as_str(), Some(tools::CHROMIUM));
    }
}
