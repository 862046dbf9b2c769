//! A tiny static file server for dist/, so the end-to-end test exercises exactly the release
//! bundle as a static host would serve it (not `trunk serve`, which injects autoreload code).
//! Loopback only, an OS-chosen port, one thread per connection, GET/HEAD only.

use crate::Result;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Serves until dropped.
pub struct StaticServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    pub fn start(root: &Path) -> Result<StaticServer> {
        let root = root.canonicalize().map_err(|e| format!("cannot serve {}: {e}", root.display()))?;
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot bind a loopback port: {e}"))?;
        let addr = listener.local_addr().map_err(|e| format!("cannot read the server's address: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("static-server".to_string())
            .spawn(move || accept_loop(listener, root, stop_flag))
            .map_err(|e| format!("cannot start the server thread: {e}"))?;
        Ok(StaticServer { addr, stop, thread: Some(thread) })
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // accept() blocks; one throwaway connection wakes it up to see the stop flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: TcpListener, root: PathBuf, stop: Arc<AtomicBool>) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let root = root.clone();
        // Detached: each connection is short-lived (`Connection: close`) and has timeouts.
        let _ = std::thread::Builder::new().name("static-conn".to_string()).spawn(move || {
            if let Err(e) = handle(stream, &root) {
                eprintln!("xtask: static server: {e}");
            }
        });
    }
}

fn handle(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; nothing in them changes what we serve.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut stream = reader.into_inner();
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method != "GET" && method != "HEAD" {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"", true);
    }
    let Some(path) = resolve(root, target) else {
        return respond(&mut stream, "404 Not Found", "text/plain", b"not found\n", true);
    };
    match std::fs::read(&path) {
        Ok(body) => respond(&mut stream, "200 OK", content_type(&path), &body, method == "GET"),
        Err(_) => respond(&mut stream, "404 Not Found", "text/plain", b"not found\n", true),
    }
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    with_body: bool,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if with_body {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Maps a request target to a file under `root`: strips query and fragment, percent-decodes,
/// refuses anything that could climb out of `root`, and serves index.html for directories.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    let mut file = root.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Browsers refuse `WebAssembly.instantiateStreaming` unless .wasm is `application/wasm`, and
/// module scripts need a JavaScript type, so these must be right.
fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "txt" | "md" | "ksim" | "properties" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http;

    #[test]
    fn serves_files_with_types_and_refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("xtask-static-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).expect("create temp dir");
        std::fs::write(dir.join("index.html"), "<p>hi</p>").expect("write index");
        std::fs::write(dir.join("sub/app bg.wasm"), b"\0asm").expect("write wasm");

        let server = StaticServer::start(&dir).expect("server starts");
        let get = |path: &str| {
            http::request(server.addr, "GET", path, None, Duration::from_secs(5)).expect("request succeeds")
        };
        let index = get("/?x=1");
        assert_eq!(index.status, 200);
        assert_eq!(index.header("Content-Type"), Some("text/html; charset=utf-8"));
        assert_eq!(index.body, b"<p>hi</p>");
        let wasm = get("/sub/app%20bg.wasm");
        assert_eq!(wasm.header("content-type"), Some("application/wasm"));
        assert_eq!(wasm.body, b"\0asm");
        assert_eq!(get("/../etc/passwd").status, 404);
        assert_eq!(get("/missing.js").status, 404);
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
