//! The worker's REST API (`ConnectorsResource`, `ConnectorPluginsResource`,
//! `RootResource`): routes, status codes, and Connect's JSON bodies and error bodies
//! (`{"error_code":404,"message":"Connector x not found"}`).

use super::config::{props_json, ConnectorConfig, Plugin};
use super::tasks::TaskState;
use super::worker::{ConnectorRun, TargetState, WorkerJob, WORKER_HOST};
use crate::console::job::Emit;
use crate::console::vfs::Vfs;
use crate::json::{self, Json};
use crate::world::World;

/// An HTTP request as curl sends it.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    /// The path without the query string.
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) content_type: Option<&'a str>,
    pub(crate) body: Option<&'a str>,
}

/// An HTTP response: status and JSON body (empty for 202/204).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Response {
    fn ok(body: String) -> Response {
        Response { status: 200, body }
    }

    fn empty(status: u16) -> Response {
        Response { status, body: String::new() }
    }

    fn error(status: u16, message: &str) -> Response {
        Response { status, body: format!("{{\"error_code\":{status},\"message\":{}}}", json::quote(message)) }
    }

    /// Jersey's answer for a path or method it has no resource for.
    fn jersey(status: u16) -> Response {
        let reason = reason_phrase(status);
        Response::error(status, &format!("HTTP {status} {reason}"))
    }
}

/// The reason phrase of the status line (`HTTP/1.1 404 Not Found`).
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        _ => "Internal Server Error",
    }
}

fn worker_id(worker: &WorkerJob) -> String {
    format!("{WORKER_HOST}:{}", worker.config.rest_port)
}

/// `ConnectorInfo`: name, config, tasks and type.
fn info_json(run: &ConnectorRun) -> String {
    let tasks = if run.target == TargetState::Stopped {
        String::new()
    } else {
        format!("{{\"connector\":{},\"task\":0}}", json::quote(run.name()))
    };
    format!(
        "{{\"name\":{},\"config\":{},\"tasks\":[{tasks}],\"type\":\"{}\"}}",
        json::quote(run.name()),
        run.config.props_json(),
        run.config.plugin.kind()
    )
}

/// `ConnectorStateInfo`: the connector's state and its task's.
fn status_json(worker: &WorkerJob, run: &ConnectorRun) -> String {
    let id = worker_id(worker);
    let tasks = match (&run.task_state, run.target) {
        (_, TargetState::Stopped) => String::new(),
        (TaskState::Failed(trace), _) => {
            format!("{{\"id\":0,\"state\":\"FAILED\",\"worker_id\":\"{id}\",\"trace\":{}}}", json::quote(trace))
        }
        (state, _) => format!("{{\"id\":0,\"state\":\"{}\",\"worker_id\":\"{id}\"}}", state.name()),
    };
    format!(
        "{{\"name\":{},\"connector\":{{\"state\":\"{}\",\"worker_id\":\"{id}\"}},\"tasks\":[{tasks}],\"type\":\"{}\"}}",
        json::quote(run.name()),
        run.target.name(),
        run.config.plugin.kind()
    )
}

/// `TaskInfo`s: each task's id and config (the connector's settings and `task.class`).
fn tasks_json(run: &ConnectorRun) -> String {
    if run.target == TargetState::Stopped {
        return "[]".to_string();
    }
    let mut props = run.config.props.clone();
    props.push(("task.class".to_string(), run.config.plugin.task_class().to_string()));
    format!("[{{\"id\":{{\"connector\":{},\"task\":0}},\"config\":{}}}]", json::quote(run.name()), props_json(&props))
}

/// The connector names in `HashSet` order, as `GET /connectors` lists them.
fn names(worker: &WorkerJob) -> Vec<String> {
    let names = worker.connectors.iter().map(|c| c.name().to_string()).collect();
    crate::java::hash_map_order(names, |n| crate::java::string_hash(n))
}

/// A request body as JSON, or Jackson's complaint.
fn parse_json(body: &str) -> Result<Json, Response> {
    json::parse(body).ok_or_else(|| {
        Response::error(400, &format!("Unrecognized token '{}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", body.split_whitespace().next().unwrap_or_default()))
    })
}

/// A JSON object read into a `Map<String, String>` (numbers and booleans as their text).
fn string_map(value: Option<&Json>) -> Result<Vec<(String, String)>, Response> {
    let bad = |m: String| Response::error(400, &m);
    match value {
        Some(Json::Object(fields)) => fields
            .iter()
            .map(|(k, v)| match v {
                Json::Text(s) => Ok((k.clone(), s.clone())),
                Json::Number(_) | Json::Bool(_) => Ok((k.clone(), json_scalar(v))),
                _ => Err(bad(format!(
                    "Cannot deserialize value of type `java.lang.String` from {} token",
                    token_name(v)
                ))),
            })
            .collect(),
        Some(Json::Null) | None => Ok(Vec::new()),
        Some(other) => Err(bad(format!(
            "Cannot deserialize value of type `java.util.Map<java.lang.String,java.lang.String>` from {} token",
            token_name(other)
        ))),
    }
}

/// A `{"name":…,"config":{…}}` request body: the name and the config as strings.
fn parse_create(body: &str) -> Result<(String, Vec<(String, String)>), Response> {
    let parsed = parse_json(body)?;
    let name = parsed.get("name").and_then(Json::as_str).unwrap_or_default().trim().to_string();
    Ok((name, string_map(parsed.get("config"))?))
}

fn token_name(v: &Json) -> &'static str {
    match v {
        Json::Array(_) => "Array",
        Json::Object(_) => "Object",
        _ => "String",
    }
}

/// Jackson reads a number or boolean into a `String` field as its text.
fn json_scalar(v: &Json) -> String {
    match v {
        Json::Bool(b) => b.to_string(),
        Json::Number(_) if v.as_i64().is_some() => v.as_i64().unwrap_or_default().to_string(),
        Json::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// `checkAndPutConnectorConfigName`: the config's `name` must match, or is added.
fn put_name(name: &str, config: &mut Vec<(String, String)>) -> Result<(), Response> {
    match config.iter().find(|(k, _)| k == "name") {
        Some((_, n)) if n.trim() != name => Err(Response::error(
            400,
            &format!("Connector name configuration ({}) doesn't match connector name in the URL ({name})", n.trim()),
        )),
        Some(_) => Ok(()),
        None => {
            config.push(("name".to_string(), name.to_string()));
            Ok(())
        }
    }
}

/// Creates (or replaces, for `PUT …/config`) a connector after validating it.
fn put_connector(
    worker: &mut WorkerJob,
    world: &mut World,
    name: &str,
    config: Vec<(String, String)>,
    replace: bool,
    emit: &mut Emit,
) -> Response {
    if name.is_empty() {
        return Response::error(400, "Connector name must not be empty");
    }
    if name.contains('/') {
        return Response::error(400, "connector name should not contain '/'");
    }
    let existing = worker.connectors.iter().position(|c| c.name() == name);
    if existing.is_some() && !replace {
        return Response::error(409, &format!("Connector {name} already exists"));
    }
    let connector = match ConnectorConfig::validate(&worker.config, config) {
        Ok(c) => c,
        Err(e) if e.exception.ends_with("BadRequestException") => return Response::error(400, &e.message),
        Err(e) => return Response::error(500, &e.message),
    };
    if let Some(index) = existing {
        worker.delete(world, index, emit);
    }
    worker.create(world, connector, emit);
    let status = if existing.is_some() { 200 } else { 201 };
    let run = worker.connectors.last();
    Response { status, body: run.map(info_json).unwrap_or_default() }
}

/// Answers one request.
pub(crate) fn handle(worker: &mut WorkerJob, world: &mut World, vfs: &Vfs, req: &Request, emit: &mut Emit) -> Response {
    let segments: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
    let json_body = || -> Result<&str, Response> {
        match req.content_type.map(|c| c.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()) {
            Some(t) if t == "application/json" => Ok(req.body.unwrap_or_default()),
            _ => Err(Response::jersey(415)),
        }
    };
    match (req.method, segments.as_slice()) {
        ("GET", ["connector-plugins"]) => {
            let mut plugins: Vec<(&str, &str)> = worker_plugins(worker).iter().map(|p| (p.class(), p.kind())).collect();
            plugins.extend(super::config::MIRROR_PLUGINS.iter().copied());
            crate::sort::sort(&mut plugins);
            let plugins: Vec<String> = plugins
                .iter()
                .map(|(class, kind)| format!("{{\"class\":\"{class}\",\"type\":\"{kind}\",\"version\":\"4.0.0\"}}"))
                .collect();
            Response::ok(format!("[{}]", plugins.join(",")))
        }
        ("GET", ["connectors"]) => {
            let names = names(worker);
            let expand: Vec<&str> = req.query.split('&').filter_map(|kv| kv.strip_prefix("expand=")).collect();
            if expand.is_empty() {
                let quoted: Vec<String> = names.iter().map(|n| json::quote(n)).collect();
                return Response::ok(format!("[{}]", quoted.join(",")));
            }
            let entries: Vec<String> = names
                .iter()
                .filter_map(|n| worker.find(n))
                .map(|run| {
                    let mut parts = Vec::new();
                    if expand.contains(&"info") {
                        parts.push(format!("\"info\":{}", info_json(run)));
                    }
                    if expand.contains(&"status") {
                        parts.push(format!("\"status\":{}", status_json(worker, run)));
                    }
                    format!("{}:{{{}}}", json::quote(run.name()), parts.join(","))
                })
                .collect();
            Response::ok(format!("{{{}}}", entries.join(",")))
        }
        ("POST", ["connectors"]) => {
            let body = match json_body() {
                Ok(b) => b,
                Err(r) => return r,
            };
            let (name, mut config) = match parse_create(body) {
                Ok(v) => v,
                Err(r) => return r,
            };
            if let Err(r) = put_name(&name, &mut config) {
                return r;
            }
            put_connector(worker, world, &name, config, false, emit)
        }
        (_, ["connectors"]) => Response::jersey(405),
        (method, ["connectors", name, rest @ ..]) => {
            let name = percent_decode(name);
            if method == "PUT" && rest == ["config"] {
                let body = match json_body() {
                    Ok(b) => b,
                    Err(r) => return r,
                };
                let mut config = match parse_json(body).and_then(|json| string_map(Some(&json))) {
                    Ok(c) => c,
                    Err(r) => return r,
                };
                if let Err(r) = put_name(&name, &mut config) {
                    return r;
                }
                return put_connector(worker, world, &name, config, true, emit);
            }
            let Some(index) = worker.connectors.iter().position(|c| c.name() == name) else {
                let message = match (method, rest) {
                    ("PUT", ["pause"] | ["resume"]) => format!("Unknown connector {name}"),
                    _ => format!("Connector {name} not found"),
                };
                return if known_route(method, rest) { Response::error(404, &message) } else { Response::jersey(404) };
            };
            let Some(run) = worker.connectors.get(index) else {
                return Response::jersey(404);
            };
            match (method, rest) {
                ("GET", []) => Response::ok(info_json(run)),
                ("GET", ["config"]) => Response::ok(run.config.props_json()),
                ("GET", ["status"]) => Response::ok(status_json(worker, run)),
                ("GET", ["tasks"]) => Response::ok(tasks_json(run)),
                ("GET", ["topics"]) => {
                    let topics = worker.active_topics(run);
                    let quoted: Vec<String> = topics.iter().map(|t| json::quote(t)).collect();
                    Response::ok(format!("{{{}:{{\"topics\":[{}]}}}}", json::quote(run.name()), quoted.join(",")))
                }
                ("GET", ["tasks", "0", "status"]) => {
                    let status = status_json(worker, run);
                    let task = status
                        .split("\"tasks\":[")
                        .nth(1)
                        .and_then(|t| t.rsplit_once("],"))
                        .map(|(t, _)| t.to_string());
                    match task.filter(|t| !t.is_empty()) {
                        Some(t) => Response::ok(t),
                        None => Response::error(404, &format!("Task {name}-0 not found")),
                    }
                }
                ("GET", ["tasks", task, "status"]) => Response::error(404, &format!("Task {name}-{task} not found")),
                ("PUT", ["pause"]) => {
                    worker.set_target(world, vfs, index, TargetState::Paused, emit);
                    Response::empty(202)
                }
                ("PUT", ["resume"]) => {
                    worker.set_target(world, vfs, index, TargetState::Running, emit);
                    Response::empty(202)
                }
                ("PUT", ["stop"]) => {
                    worker.set_target(world, vfs, index, TargetState::Stopped, emit);
                    Response::empty(204)
                }
                ("POST", ["restart"]) => {
                    let include_tasks = req.query.split('&').any(|kv| kv == "includeTasks=true");
                    if include_tasks {
                        worker.restart_task(world, index, emit);
                    }
                    Response::empty(204)
                }
                ("POST", ["tasks", "0", "restart"]) => {
                    worker.restart_task(world, index, emit);
                    Response::empty(204)
                }
                ("POST", ["tasks", task, "restart"]) => Response::error(404, &format!("Task {name}-{task} not found")),
                ("DELETE", []) => {
                    worker.delete(world, index, emit);
                    Response::empty(204)
                }
                (_, rest) if known_route("GET", rest) || known_route("PUT", rest) || known_route("POST", rest) => {
                    Response::jersey(405)
                }
                _ => Response::jersey(404),
            }
        }
        _ => Response::jersey(404),
    }
}

/// Whether `connectors/NAME/<rest>` is one of the resource's paths for `method`.
fn known_route(method: &str, rest: &[&str]) -> bool {
    matches!(
        (method, rest),
        ("GET" | "DELETE", [])
            | ("GET" | "PUT", ["config"])
            | ("GET", ["status"] | ["tasks"] | ["topics"] | ["tasks", _, "status"])
            | ("PUT", ["pause"] | ["resume"] | ["stop"])
            | ("POST", ["restart"] | ["tasks", _, "restart"])
    )
}

/// The connector plugins the worker can load besides the MirrorMaker ones.
fn worker_plugins(worker: &WorkerJob) -> Vec<Plugin> {
    let mut found: Vec<Plugin> =
        [Plugin::FileStreamSink, Plugin::FileStreamSource, Plugin::MedicalDeviceSource, Plugin::TableSink]
            .into_iter()
            .filter(|p| Plugin::find(&worker.config, p.class()).is_ok())
            .collect();
    crate::sort::sort_by_key(&mut found, |p| p.class());
    found
}

/// `%20` and friends in a path segment.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
