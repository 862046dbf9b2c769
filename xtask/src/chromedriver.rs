//! The chromedriver process: started on a free loopback port, considered ready once its
//! `/status` says so, and killed when dropped (also on failure or panic).

use crate::process::ChildGuard;
use crate::{http, tools, Result};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct ChromeDriver {
    addr: SocketAddr,
    _child: ChildGuard,
}

impl ChromeDriver {
    /// Starts `/usr/bin/chromedriver`, logging verbosely to `log_file` for post-mortems.
    pub fn start(log_file: &Path) -> Result<ChromeDriver> {
        let port = free_port()?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let child = Command::new(tools::CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log_file.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", tools::CHROMEDRIVER))?;
        let mut child = ChildGuard::new(child, "chromedriver");

        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.exited() {
                return Err(format!("chromedriver exited during startup ({status}); see {}", log_file.display()));
            }
            if is_ready(addr) {
                return Ok(ChromeDriver { addr, _child: child });
            }
            if Instant::now() > deadline {
                return Err(format!("chromedriver not ready on port {port} after 20 s; see {}", log_file.display()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

fn is_ready(addr: SocketAddr) -> bool {
    let Ok(response) = http::request(addr, "GET", "/status", None, Duration::from_secs(2)) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&response.body)
        .ok()
        .and_then(|v| v["value"]["ready"].as_bool())
        .unwrap_or(false)
}

/// A port the OS just handed out. Chromedriver cannot be given a listening socket, so there
/// is a tiny window in which someone else could take it; on loopback that is good enough.
fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("cannot find a free loopback port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("cannot read the free port: {e}"))
}
