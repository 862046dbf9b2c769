//! `kafka-console-producer.sh` (`ConsoleProducer`, `LineMessageReader`): one record per
//! input line, optional keys with `parse.key`, the tool's producer defaults, and the
//! producer settings given with `--producer-property` (`enable.idempotence`, `retries`,
//! `max.in.flight.requests.per.connection`, `delivery.timeout.ms`, `client.id`, `acks`,
//! `linger.ms`).

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::{Console, Outcome};
use crate::client::producer::{idempotence_enabled, ProducerConfig, ProducerEvent};
use crate::client::{Client, ClientRole};
use crate::ids::ClientId;
use crate::node::ClientEvent;
use crate::time::format_log_timestamp;
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "batch-size", arg: Some("Integer: size"), help: "Number of messages to send in a single batch if they are not being sent synchronously. (default: 16384)" },
    OptSpec { name: "bootstrap-server", arg: Some("String: server to connect to"), help: "REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to." },
    OptSpec { name: "compression-codec", arg: Some("String: compression-codec"), help: "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'." },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "max-block-ms", arg: Some("Long: max block on send"), help: "The max time that the producer will block for during a send request. (default: 60000)" },
    OptSpec { name: "message-send-max-retries", arg: Some("Integer"), help: "Brokers can fail receiving the message for multiple reasons, and being unavailable transiently is just one of them. This property specifies the number of retries before the producer give up and drop this message. (default: 3)" },
    OptSpec { name: "producer-property", arg: Some("String: producer_prop"), help: "A mechanism to pass user-defined properties in the form key=value to the producer." },
    OptSpec { name: "property", arg: Some("String: prop"), help: "A mechanism to pass user-defined properties in the form key=value to the message reader: parse.key, key.separator, ignore.error, null.marker." },
    OptSpec { name: "request-required-acks", arg: Some("String: request required acks"), help: "The required `acks` of the producer requests (default: -1)" },
    OptSpec { name: "request-timeout-ms", arg: Some("Integer: request timeout ms"), help: "The ack timeout of the producer requests. Value must be non-negative and non-zero. (default: 1500)" },
    OptSpec { name: "retry-backoff-ms", arg: Some("Long"), help: "Before each retry, the producer refreshes the metadata of relevant topics. (default: 100)" },
    OptSpec { name: "sync", arg: None, help: "If set message send requests to the brokers are synchronously, one at a time as they arrive." },
    OptSpec { name: "timeout", arg: Some("Long: timeout_ms"), help: "If set and the producer is running in asynchronous mode, this gives the maximum amount of time a message will queue awaiting sufficient batch size. This is the option to control `linger.ms` in producer configs. (default: 1000)" },
    OptSpec { name: "topic", arg: Some("String: topic"), help: "REQUIRED: The topic id to produce messages to." },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

#[derive(Clone)]
pub(crate) struct ProducerJob {
    pub(crate) client: ClientId,
    topic: String,
    parse_key: bool,
    key_separator: String,
    null_marker: Option<String>,
    line_number: u64,
    status: i32,
}

fn usage(con: &mut Console, message: &str) -> Outcome {
    options::print_usage(con, SPECS, message)
}

/// `key=value` pairs from repeated `--property`-style options.
pub(crate) fn properties(values: &[String]) -> Result<Vec<(String, String)>, String> {
    values
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(format!("Invalid command line properties: {kv}")),
        })
        .collect()
}

fn lookup<'a>(props: &'a [(String, String)], key: &str) -> Option<&'a str> {
    props.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Java's escaping for `key.separator` given on the command line (`\t` stays a tab).
pub(crate) fn unescape(text: &str) -> String {
    text.replace("\\t", "\t").replace("\\n", "\n")
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let p = match options::parse(SPECS, args) {
        Ok(p) => p,
        Err(e) => return usage(con, &e.message),
    };
    if p.has("help") {
        return options::print_help(con, SPECS, None);
    }
    if p.has("version") {
        con.out("4.0.0");
        return Outcome::Done(0);
    }
    let Some(topic) = p.value("topic") else {
        return usage(con, "Missing required argument \"[topic]\"");
    };
    let Some(bootstrap) = p.value("bootstrap-server") else {
        return usage(con, "Missing required argument \"[bootstrap-server]\"");
    };
    let reader = match properties(p.values("property")) {
        Ok(v) => v,
        Err(m) => return usage(con, &m),
    };
    let producer_props = match properties(p.values("producer-property")) {
        Ok(v) => v,
        Err(m) => return usage(con, &m),
    };
    let number = |key: &str, default: u64| -> Result<u64, String> {
        p.value(key).map_or(Ok(default), |v| {
            v.parse::<u64>().map_err(|_| format!("Cannot parse argument '{v}' of option {key}"))
        })
    };
    let acks_text = p.value("request-required-acks").or_else(|| lookup(&producer_props, "acks")).unwrap_or("-1");
    let acks: i16 = match acks_text {
        "all" | "-1" => -1,
        "0" => 0,
        "1" => 1,
        other => {
            return usage(
                con,
                &format!("Invalid value {other} for configuration acks: String must be one of: all, -1, 0, 1"),
            )
        }
    };
    let property = |key: &str| -> Result<Option<u64>, String> {
        lookup(&producer_props, key)
            .map(|v| v.trim().parse::<u64>().map_err(|_| format!("Invalid value {v} for configuration {key}")))
            .transpose()
    };
    let config = (|| -> Result<ProducerConfig, String> {
        let retries = match p.value("message-send-max-retries") {
            Some(_) => number("message-send-max-retries", 3)?,
            None => property("retries")?.unwrap_or(3),
        };
        let max_in_flight = property("max.in.flight.requests.per.connection")?.unwrap_or(5);
        Ok(ProducerConfig {
            bootstrap_servers: bootstrap.split(',').map(|s| s.trim().to_string()).collect(),
            client_id: lookup(&producer_props, "client.id").unwrap_or("console-producer").to_string(),
            acks,
            linger_ms: lookup(&producer_props, "linger.ms").map_or(number("timeout", 1000), |v| {
                v.parse().map_err(|_| format!("Invalid value {v} for configuration linger.ms"))
            })?,
            batch_size: number("batch-size", 16384)? as usize,
            retries: retries as u32,
            retry_backoff_ms: number("retry-backoff-ms", 100)?,
            request_timeout_ms: number("request-timeout-ms", 1500)?,
            max_block_ms: number("max-block-ms", 60_000)?,
            enable_idempotence: false,
            max_in_flight_requests_per_connection: max_in_flight as u32,
            delivery_timeout_ms: property("delivery.timeout.ms")?.unwrap_or(120_000),
        })
    })();
    let mut config = match config {
        Ok(c) => c,
        Err(m) => return usage(con, &m),
    };
    // `new KafkaProducer(props)` throws before the tool reads a line; `printStackTrace`.
    let explicit = match lookup(&producer_props, "enable.idempotence").map(str::trim) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(v) => Err(format!("org.apache.kafka.common.config.ConfigException: Invalid value {v} for configuration enable.idempotence: Expected value to be either true or false")),
    };
    let enabled = explicit.and_then(|explicit| {
        idempotence_enabled(explicit, config.acks, config.retries, config.max_in_flight_requests_per_connection)
    });
    match enabled {
        Ok(on) => config.enable_idempotence = on,
        Err(e) => {
            con.err(e);
            return Outcome::Done(1);
        }
    }
    let topic = topic.to_string();
    let client_id = config.client_id.clone();
    let client = world.start_client(|_| Client {
        client_id,
        role: ClientRole::Producer(Box::new(crate::client::producer::Producer::new(config))),
        alive: true,
    });
    Outcome::Job(JobKind::Producer(ProducerJob {
        client,
        topic,
        parse_key: lookup(&reader, "parse.key").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        key_separator: lookup(&reader, "key.separator").map_or("\t".to_string(), unescape),
        null_marker: lookup(&reader, "null.marker").map(str::to_string),
        line_number: 0,
        status: 0,
    }))
}

impl ProducerJob {
    /// One line read from standard input.
    pub(crate) fn line(&mut self, world: &mut World, text: &str, emit: &mut Emit) {
        self.line_number += 1;
        let as_bytes = |s: &str| -> Option<Vec<u8>> {
            if self.null_marker.as_deref() == Some(s) {
                None
            } else {
                Some(s.as_bytes().to_vec())
            }
        };
        let (key, value) = if self.parse_key {
            match text.split_once(self.key_separator.as_str()) {
                Some((k, v)) => (as_bytes(k), as_bytes(v)),
                None => {
                    emit.err(format!(
                        "org.apache.kafka.common.KafkaException: No key separator found on line number {}: '{text}'",
                        self.line_number
                    ));
                    self.status = 1;
                    self.close(world, emit);
                    return;
                }
            }
        } else {
            (None, as_bytes(text))
        };
        let topic = self.topic.clone();
        world.poke_client(self.client, |client, ctx| {
            if let ClientRole::Producer(p) = &mut client.role {
                p.send(topic, key, value, ctx);
            }
        });
    }

    /// End of input or Ctrl-C: `producer.close()` flushes what is batched.
    pub(crate) fn close(&mut self, world: &mut World, _emit: &mut Emit) {
        world.poke_client(self.client, |client, ctx| {
            if let ClientRole::Producer(p) = &mut client.role {
                let alive = p.close(ctx);
                client.alive = alive;
            }
        });
    }

    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Producer(event) = event else {
            return;
        };
        match event {
            ProducerEvent::Acked { .. } => {}
            ProducerEvent::Failed { topic, key_len, value_len, error, .. } => {
                let key = key_len.map_or("null".to_string(), |n| format!("{n} bytes"));
                let value = value_len.map_or("null".to_string(), |n| format!("{n} bytes"));
                emit.err(format!("{} ERROR Error when sending message to topic {topic} with key: {key}, value: {value} with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)", format_log_timestamp(emit.now_wall_ms)));
                emit.err(error);
            }
            ProducerEvent::Closed => emit.exit(self.status),
        }
    }
}
