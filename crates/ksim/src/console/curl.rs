//! `curl`, enough of it for Kafka Connect's REST API: `-s`, `-S`, `-i`, `-X`, `-H`,
//! `-d`/`--data`/`--data-raw`/`--data-binary` (with `@file`), `--json`, and curl's own
//! error lines and exit codes (`curl: (7) Failed to connect to localhost port 8083 after
//! 0 ms: Couldn't connect to server`).

use super::connect::rest::{reason_phrase, Request};
use super::{Console, Outcome};
use crate::world::World;

const TRY_HELP: &str = "curl: try 'curl --help' or 'curl --manual' for more information";

/// The hosts that name this machine.
const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1", "127.0.1.1", "0.0.0.0", "[::1]"];

#[derive(Default)]
struct Options {
    silent: bool,
    show_error: bool,
    include: bool,
    method: Option<String>,
    headers: Vec<String>,
    data: Option<String>,
    url: Option<String>,
}

/// curl's complaint about its command line (exit status 2).
fn usage_error(con: &mut Console, message: &str) -> UsageError {
    con.err(format!("curl: {message}"));
    con.err(TRY_HELP);
    UsageError
}

/// The command line was refused (and curl said why).
struct UsageError;

/// What an option's value is for, once it was read.
enum Valued {
    Method,
    Header,
    Data { file: bool },
    Json,
}

fn valued(name: &str) -> Option<Valued> {
    match name {
        "-X" | "--request" => Some(Valued::Method),
        "-H" | "--header" => Some(Valued::Header),
        "-d" | "--data" | "--data-ascii" | "--data-binary" => Some(Valued::Data { file: true }),
        "--data-raw" => Some(Valued::Data { file: false }),
        "--json" => Some(Valued::Json),
        _ => None,
    }
}

fn parse(con: &mut Console, args: &[String]) -> Result<Options, UsageError> {
    let mut o = Options::default();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if !arg.starts_with('-') || arg.len() == 1 {
            if o.url.is_none() {
                o.url = Some(arg.clone());
            }
            continue;
        }
        if !arg.starts_with("--") {
            // Short flags bundle (`-sS`, `-si`); a valued one takes the rest (`-XPOST`)
            // or the next argument.
            for (at, c) in arg.char_indices().skip(1) {
                let short = format!("-{c}");
                if let Some(kind) = valued(&short) {
                    let rest = &arg[at + c.len_utf8()..];
                    let value = if rest.is_empty() {
                        let Some(next) = args.get(i) else {
                            return Err(usage_error(con, &format!("option {short}: requires parameter")));
                        };
                        i += 1;
                        next.clone()
                    } else {
                        rest.to_string()
                    };
                    apply(con, &mut o, kind, value);
                    break;
                }
                match c {
                    's' => o.silent = true,
                    'S' => o.show_error = true,
                    'i' => o.include = true,
                    'L' | 'f' | 'v' | 'k' => {}
                    _ => return Err(usage_error(con, &format!("option -{c}: is unknown"))),
                }
            }
            continue;
        }
        match arg.as_str() {
            "--silent" => o.silent = true,
            "--show-error" => o.show_error = true,
            "--include" => o.include = true,
            "--location" | "--fail" | "--verbose" | "--insecure" => {}
            name => {
                let kind = match (name, valued(name)) {
                    ("--url", _) => None,
                    (_, Some(kind)) => Some(kind),
                    (_, None) => return Err(usage_error(con, &format!("option {name}: is unknown"))),
                };
                let Some(value) = args.get(i).cloned() else {
                    return Err(usage_error(con, &format!("option {name}: requires parameter")));
                };
                i += 1;
                match kind {
                    Some(kind) => apply(con, &mut o, kind, value),
                    None => o.url = Some(value),
                }
            }
        }
    }
    Ok(o)
}

fn apply(con: &mut Console, o: &mut Options, kind: Valued, value: String) {
    match kind {
        Valued::Method => o.method = Some(value),
        Valued::Header => o.headers.push(value),
        Valued::Data { file } => {
            let text = match value.strip_prefix('@').filter(|_| file) {
                Some(path) => {
                    let resolved = con.vfs.resolve(path);
                    match con.vfs.read(&resolved) {
                        // `-d @file` drops newlines, as curl does for --data.
                        Ok(t) => t.replace(['\n', '\r'], ""),
                        Err(_) => {
                            con.err(format!("Warning: Couldn't read data from file \"{path}\", this makes an empty"));
                            con.err("Warning: POST.");
                            String::new()
                        }
                    }
                }
                None => value,
            };
            // Several -d options are joined with `&`.
            o.data = Some(match o.data.take() {
                Some(before) => format!("{before}&{text}"),
                None => text,
            });
        }
        Valued::Json => {
            o.headers.push("Content-Type: application/json".to_string());
            o.headers.push("Accept: application/json".to_string());
            o.data = Some(value);
        }
    }
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let Ok(o) = parse(con, args) else {
        return Outcome::Done(2);
    };
    let Some(url) = o.url.clone() else {
        usage_error(con, "no URL specified!");
        return Outcome::Done(2);
    };
    let fail = |con: &mut Console, code: i32, message: String| {
        if !o.silent || o.show_error {
            con.err(format!("curl: ({code}) {message}"));
        }
        Outcome::Done(code)
    };
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest.to_string()),
        None => ("http".to_string(), url.clone()),
    };
    if scheme != "http" && scheme != "https" {
        return fail(con, 1, format!("Protocol \"{scheme}\" not supported"));
    }
    let (authority, path) = match rest.find(['/', '?']) {
        Some(at) => (rest[..at].to_string(), rest[at..].to_string()),
        None => (rest.clone(), "/".to_string()),
    };
    let default_port: u16 = if scheme == "https" { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':').filter(|(h, _)| !h.ends_with(':')) {
        Some((h, p)) => match p.parse::<u16>() {
            Ok(p) => (h.to_string(), p),
            Err(_) => {
                return fail(
                    con,
                    3,
                    "URL rejected: Port number was not a decimal number between 0 and 65535".to_string(),
                )
            }
        },
        None => (authority.clone(), default_port),
    };
    if host.is_empty() {
        return fail(con, 3, "URL rejected: No host part in the URL".to_string());
    }
    if !LOCAL_HOSTS.contains(&host.as_str()) {
        return fail(con, 6, format!("Could not resolve host: {host}"));
    }
    let (path, query) = path.split_once('?').unwrap_or((path.as_str(), ""));
    let path = if path.is_empty() { "/" } else { path };
    let method = o.method.clone().unwrap_or_else(|| if o.data.is_some() { "POST" } else { "GET" }.to_string());
    let content_type = o
        .headers
        .iter()
        .rev()
        .find_map(|h| h.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-type")))
        .map(|(_, v)| v.trim().to_string())
        .or_else(|| o.data.is_some().then(|| "application/x-www-form-urlencoded".to_string()));
    let request =
        Request { method: &method, path, query, content_type: content_type.as_deref(), body: o.data.as_deref() };
    let Some(response) = con.connect_rest(world, port, &request) else {
        // A Kafka listener reads the request as a huge frame size and hangs up.
        let kafka = world.servers.values().any(|s| s.running && s.config.listeners.iter().any(|l| l.port == port));
        if kafka {
            return fail(con, 52, "Empty reply from server".to_string());
        }
        return fail(con, 7, format!("Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"));
    };
    if o.include {
        con.out(format!("HTTP/1.1 {} {}", response.status, reason_phrase(response.status)));
        if !response.body.is_empty() {
            con.out("Content-Type: application/json");
        }
        con.out(format!("Content-Length: {}", response.body.len()));
        con.out("Server: Jetty(9.4.56.v20240826)");
        con.out("");
    }
    if !response.body.is_empty() {
        con.out(response.body);
    }
    Outcome::Done(0)
}
