//! A minimal HTTP/1.1 client for talking to local servers (chromedriver, our static server).
//! One request per connection (`Connection: close`), which keeps parsing trivial and is fast
//! enough on loopback; responses may use Content-Length, chunked encoding, or EOF.

use crate::Result;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Sends `method path` with an optional JSON body and waits up to `timeout` for the reply.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    json_body: Option<&[u8]>,
    timeout: Duration,
) -> Result<Response> {
    let context = |e: std::io::Error| format!("HTTP {method} http://{addr}{path}: {e}");
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(context)?;
    stream.set_read_timeout(Some(timeout)).map_err(context)?;
    stream.set_write_timeout(Some(timeout)).map_err(context)?;

    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: */*\r\n");
    if let Some(body) = json_body {
        head.push_str("Content-Type: application/json; charset=utf-8\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    } else if method == "POST" {
        head.push_str("Content-Length: 0\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(context)?;
    if let Some(body) = json_body {
        stream.write_all(body).map_err(context)?;
    }

    // Read until the response is complete rather than to EOF: chromedriver keeps the
    // connection open despite `Connection: close`.
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buf).map_err(context)?;
        raw.extend_from_slice(&buf[..n]);
        if n == 0 || is_complete(&raw) {
            break;
        }
    }
    parse_response(&raw).map_err(|e| format!("HTTP {method} http://{addr}{path}: {e}"))
}

/// Whether `raw` holds a whole response: headers plus Content-Length bytes, or a finished
/// chunked body. Responses with neither end at EOF.
fn is_complete(raw: &[u8]) -> bool {
    match parse_response(raw) {
        Ok(r) if r.header("Content-Length").is_some() => true,
        Ok(r) => r.header("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")),
        Err(_) => false,
    }
}

fn parse_response(raw: &[u8]) -> Result<Response> {
    let split = find(raw, b"\r\n\r\n").ok_or("response has no header terminator")?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| "response head is not UTF-8")?;
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("malformed status line `{status_line}`"))?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let mut response = Response { status, headers, body: Vec::new() };
    response.body = if response.header("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        dechunk(rest)?
    } else if let Some(len) = response.header("Content-Length").and_then(|v| v.parse::<usize>().ok()) {
        rest.get(..len).ok_or_else(|| format!("body shorter than Content-Length {len}"))?.to_vec()
    } else {
        rest.to_vec()
    };
    Ok(response)
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = find(data, b"\r\n").ok_or("truncated chunk size")?;
        let size_text = std::str::from_utf8(&data[..line_end]).map_err(|_| "bad chunk size")?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| format!("bad chunk size `{size_text}`"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = data.get(..size).ok_or("truncated chunk")?;
        body.extend_from_slice(chunk);
        data = data.get(size + 2..).ok_or("truncated chunk terminator")?;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_length_and_chunked() {
        let plain = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        let r = parse_response(plain).expect("plain response parses");
        assert_eq!((r.status, r.body.as_slice()), (200, &b"hi"[..]));

        let chunked = b"HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let r = parse_response(chunked).expect("chunked response parses");
        assert_eq!((r.status, r.body.as_slice()), (404, &b"abcde"[..]));
    }
}
