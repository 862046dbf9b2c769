//! A W3C WebDriver client: just the commands our tests use, JSON over `http::request`.

use crate::{base64, http, Result};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;

/// The W3C key under which element references travel.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// WebDriver's code for the Enter key in `send_keys` text.
pub const ENTER: char = '\u{E007}';
/// WebDriver's End and Home keys.
pub const END: char = '\u{E010}';
pub const HOME: char = '\u{E011}';
/// Generous: a navigation waits for the page (and its wasm) to load.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// An element reference as returned by Find Element.
pub struct Element(String);

/// A browser session; deleted (closing the browser) when dropped if not deleted explicitly.
pub struct Session {
    driver: SocketAddr,
    id: String,
    deleted: bool,
}

enum CallError {
    /// The driver answered with a WebDriver error code, e.g. `no such element`.
    WebDriver {
        code: String,
        message: String,
    },
    Other(String),
}

impl CallError {
    fn describe(self, what: &str) -> String {
        match self {
            CallError::WebDriver { code, message } => {
                // Chromium's messages carry a long stack trace after the first line.
                let first = message.lines().next().unwrap_or_default();
                format!("{what}: {code}: {first}")
            }
            CallError::Other(e) => format!("{what}: {e}"),
        }
    }
}

fn call(driver: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> std::result::Result<Value, CallError> {
    let bytes = body.map(Value::to_string);
    let response = http::request(driver, method, path, bytes.as_deref().map(str::as_bytes), COMMAND_TIMEOUT)
        .map_err(CallError::Other)?;
    let mut reply: Value = serde_json::from_slice(&response.body).map_err(|e| {
        CallError::Other(format!(
            "HTTP {} with non-JSON body ({e}): {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        ))
    })?;
    let value = reply["value"].take();
    if response.status == 200 {
        return Ok(value);
    }
    match value["error"].as_str() {
        Some(code) => Err(CallError::WebDriver {
            code: code.to_string(),
            message: value["message"].as_str().unwrap_or_default().to_string(),
        }),
        None => Err(CallError::Other(format!("HTTP {}: {value}", response.status))),
    }
}

impl Session {
    /// New Session with `capabilities` as `alwaysMatch`.
    pub fn create(driver: SocketAddr, capabilities: Value) -> Result<Session> {
        let body = json!({ "capabilities": { "alwaysMatch": capabilities } });
        let value =
            call(driver, "POST", "/session", Some(&body)).map_err(|e| e.describe("creating a browser session"))?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("New Session reply has no sessionId: {value}"))?
            .to_string();
        Ok(Session { driver, id, deleted: false })
    }

    fn command(&self, method: &str, suffix: &str, body: Option<Value>) -> std::result::Result<Value, CallError> {
        let path = format!("/session/{}{suffix}", self.id);
        call(self.driver, method, &path, body.as_ref())
    }

    fn checked(&self, what: &str, method: &str, suffix: &str, body: Option<Value>) -> Result<Value> {
        self.command(method, suffix, body).map_err(|e| e.describe(what))
    }

    pub fn navigate(&self, url: &str) -> Result<()> {
        self.checked(&format!("opening {url}"), "POST", "/url", Some(json!({ "url": url }))).map(drop)
    }

    pub fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        let body = json!({ "width": width, "height": height });
        self.checked("resizing the window", "POST", "/window/rect", Some(body)).map(drop)
    }

    /// The first element matching a CSS selector, or `None` if there is none (yet).
    pub fn find(&self, css: &str) -> Result<Option<Element>> {
        let body = json!({ "using": "css selector", "value": css });
        match self.command("POST", "/element", Some(body)) {
            Ok(value) => value[ELEMENT_KEY]
                .as_str()
                .map(|id| Some(Element(id.to_string())))
                .ok_or_else(|| format!("Find Element `{css}` reply has no element: {value}")),
            Err(CallError::WebDriver { code, .. }) if code == "no such element" => Ok(None),
            Err(e) => Err(e.describe(&format!("finding `{css}`"))),
        }
    }

    /// Polls for an element matching `css` until it appears or `timeout` passes: the page
    /// renders asynchronously once its wasm has loaded.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Option<Element>> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(element) = self.find(css)? {
                return Ok(Some(element));
            }
            if std::time::Instant::now() > deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Types `text` into the element as key presses (so input/keydown handlers fire).
    pub fn send_keys(&self, element: &Element, text: &str) -> Result<()> {
        let suffix = format!("/element/{}/value", element.0);
        self.checked("typing", "POST", &suffix, Some(json!({ "text": text }))).map(drop)
    }

    /// Clicks the element as a user would (scrolled into view, hit-tested: an element
    /// covered by another or disabled does not get the click).
    pub fn click(&self, element: &Element) -> Result<()> {
        let suffix = format!("/element/{}/click", element.0);
        self.checked("clicking", "POST", &suffix, Some(json!({}))).map(drop)
    }

    /// Runs synchronous JavaScript in the page and returns its result.
    pub fn execute(&self, script: &str, args: Value) -> Result<Value> {
        let body = json!({ "script": script, "args": args });
        self.checked("running a script", "POST", "/execute/sync", Some(body))
    }

    /// Runs asynchronous JavaScript: the script calls its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Value) -> Result<Value> {
        let body = json!({ "script": script, "args": args });
        self.checked("running an asynchronous script", "POST", "/execute/async", Some(body))
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver (a Chromium extension,
    /// hence the `goog/cdp` path), e.g. `Network.clearBrowserCache`.
    pub fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        let body = json!({ "cmd": cmd, "params": params });
        self.checked(&format!("running {cmd}"), "POST", "/goog/cdp/execute", Some(body))
    }

    /// A PNG of the current viewport.
    pub fn screenshot_png(&self) -> Result<Vec<u8>> {
        let value = self.checked("taking a screenshot", "GET", "/screenshot", None)?;
        let text = value.as_str().ok_or_else(|| format!("screenshot reply is not a string: {value}"))?;
        base64::decode(text)
    }

    /// The page's console messages collected since the last call (needs the
    /// `goog:loggingPrefs` capability; a Chromium extension, hence the `se/log` path).
    pub fn browser_log(&self) -> Result<Vec<String>> {
        let value = self.checked("reading the browser log", "POST", "/se/log", Some(json!({ "type": "browser" })))?;
        let entries = value.as_array().cloned().unwrap_or_default();
        Ok(entries
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["level"].as_str().unwrap_or("?"),
                    // Chromium quotes console arguments JSON-style; unescape newlines so
                    // Rust panic messages and stacks read as they were printed.
                    e["message"].as_str().unwrap_or_default().replace("\\n", "\n")
                )
            })
            .collect())
    }

    /// Ends the session, which makes chromedriver close the browser.
    pub fn delete(mut self) -> Result<()> {
        self.deleted = true;
        call(self.driver, "DELETE", &format!("/session/{}", self.id), None)
            .map(drop)
            .map_err(|e| e.describe("deleting the browser session"))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.deleted {
            let _ = call(self.driver, "DELETE", &format!("/session/{}", self.id), None);
        }
    }
}
