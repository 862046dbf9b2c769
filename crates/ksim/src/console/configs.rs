//! `kafka-configs.sh` (`ConfigCommand`) for topics: `--describe` lists the topic's dynamic
//! configs, `--alter --add-config k=v,… --delete-config k,…` changes them through the
//! controller (IncrementalAlterConfigs), with the tool's messages.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::{Console, Outcome};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::ids::ClientId;
use crate::node::ClientEvent;
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "add-config", arg: Some("String"), help: "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'." },
    OptSpec { name: "all", arg: None, help: "List all configs for the given entity, including static configs if available." },
    OptSpec { name: "alter", arg: None, help: "Alter the configuration for the entity." },
    OptSpec { name: "bootstrap-server", arg: Some("String: server to connect to"), help: "The Kafka servers to connect to." },
    OptSpec { name: "delete-config", arg: Some("String"), help: "config keys to remove 'k1,k2'" },
    OptSpec { name: "describe", arg: None, help: "List configs for the given entity." },
    OptSpec { name: "entity-name", arg: Some("String"), help: "Name of entity (topic name/client id/user principal name/broker id/ip/client metrics/group id)" },
    OptSpec { name: "entity-type", arg: Some("String"), help: "Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)" },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "topic", arg: Some("String"), help: "The topic's name." },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

enum Action {
    Describe,
    Alter,
}

pub(crate) struct ConfigsJob {
    pub(crate) client: ClientId,
    topic: String,
    action: Action,
    /// The command line, for Kafka's `Error while executing config command with args '…'`.
    args: String,
}

fn usage(con: &mut Console, message: &str) -> Outcome {
    con.err(message.to_string());
    for line in options::help(SPECS) {
        con.err(line);
    }
    Outcome::Done(1)
}

/// `IllegalArgumentException` and `InvalidConfigurationException`: the message alone.
fn fail(con: &mut Console, message: &str) -> Outcome {
    con.err(message.to_string());
    Outcome::Done(1)
}

/// `k1=v1,k2=[a,b]`: commas inside square brackets belong to the value.
fn parse_add(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(',')) {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                if !current.trim().is_empty() {
                    let (k, v) = current
                        .split_once('=')
                        .ok_or("Invalid entity config: all configs to be added must be in the format \"key=val\".")?;
                    pairs.push((
                        k.trim().to_string(),
                        v.trim().trim_start_matches('[').trim_end_matches(']').to_string(),
                    ));
                }
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    Ok(pairs)
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let p = match options::parse(SPECS, args) {
        Ok(p) => p,
        Err(e) => return fail(con, &e.message),
    };
    if p.has("help") {
        con.out("This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, client-metrics or group");
        for line in options::help(SPECS) {
            con.out(line);
        }
        return Outcome::Done(0);
    }
    if p.has("describe") == p.has("alter") {
        return usage(con, "Command must include exactly one action: --describe, --alter");
    }
    let Some(bootstrap) = p.value("bootstrap-server") else {
        return fail(
            con,
            "One of the required --bootstrap-server, --boostrap-controller, or --zookeeper arguments must be specified",
        );
    };
    let topic = match (p.value("topic"), p.value("entity-type"), p.value("entity-name")) {
        (Some(t), _, _) => t.to_string(),
        (None, Some("topics"), Some(name)) => name.to_string(),
        (None, Some("topics"), None) if p.has("describe") => return fail(con, "An entity name must be specified with --describe of topics"),
        (None, Some("topics"), None) => return fail(con, "An entity name must be specified with --alter of topics"),
        (None, Some(other), _) if ["clients", "users", "brokers", "broker-loggers", "ips", "client-metrics", "groups"].contains(&other) => {
            con.err(format!("kafka-configs.sh --entity-type {other}: not simulated yet in Kafka Playground (topic configs are)."));
            return Outcome::Done(1);
        }
        (None, Some(other), _) => {
            return fail(con, &format!("Invalid entity type {other}, the entity type must be one of topics, clients, users, brokers, ips, client-metrics, groups, broker-loggers with a --bootstrap-server or --bootstrap-controller argument"))
        }
        (None, None, _) => return fail(con, "At least one entity type must be specified"),
    };
    if let Err(why) = crate::topic_name::validate(&topic) {
        return fail(con, &why);
    }
    let servers: Vec<String> = bootstrap.split(',').map(|s| s.trim().to_string()).collect();
    let (action, call) = if p.has("describe") {
        (Action::Describe, AdminCall::Metadata { call: "describeConfigs" })
    } else {
        let set = match p.value("add-config").map(parse_add).transpose() {
            Ok(v) => v.unwrap_or_default(),
            Err(message) => return fail(con, &message),
        };
        let delete: Vec<String> = p
            .value("delete-config")
            .map(|d| d.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect())
            .unwrap_or_default();
        if set.is_empty() && delete.is_empty() {
            return fail(
                con,
                "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter",
            );
        }
        (Action::Alter, AdminCall::AlterConfigs { topic: topic.clone(), set, delete })
    };
    let client = con.start_admin(world, servers, call);
    Outcome::Job(JobKind::Configs(ConfigsJob { client, topic, action, args: args.join(" ") }))
}

impl ConfigsJob {
    fn error(&self, emit: &mut Emit, exception: &str, message: &str) {
        emit.err(format!("Error while executing config command with args '{}'", self.args));
        emit.err(format!("java.util.concurrent.ExecutionException: {exception}: {message}"));
        emit.exit(1);
    }

    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else { return };
        match (&self.action, outcome) {
            (Action::Describe, AdminOutcome::Metadata { topics, .. }) => {
                match topics.iter().find(|t| t.name == self.topic && t.error.is_none()) {
                    Some(t) => {
                        emit.out(format!("Dynamic configs for topic {} are:", self.topic));
                        for (k, v) in &t.dynamic_configs {
                            emit.out(format!("  {k}={v} sensitive=false synonyms={{DYNAMIC_TOPIC_CONFIG:{k}={v}}}"));
                        }
                        emit.exit(0);
                    }
                    None => {
                        let message = format!("The topic '{}' does not exist.", self.topic);
                        self.error(emit, "org.apache.kafka.common.errors.UnknownTopicOrPartitionException", &message);
                    }
                }
            }
            (Action::Alter, AdminOutcome::ConfigsAltered(None)) => {
                emit.out(format!("Completed updating config for topic {}.", self.topic));
                emit.exit(0);
            }
            (Action::Alter, AdminOutcome::ConfigsAltered(Some(e))) => self.error(emit, e.error.exception(), &e.message),
            (Action::Alter, AdminOutcome::DeleteMissing(keys)) => {
                // InvalidConfigurationException is caught by the tool: its message alone.
                emit.err(format!("Invalid config(s): {}", keys.join(",")));
                emit.exit(1);
            }
            (_, AdminOutcome::TimedOut(message)) => {
                self.error(emit, "org.apache.kafka.common.errors.TimeoutException", &message)
            }
            _ => emit.exit(1),
        }
    }
}
