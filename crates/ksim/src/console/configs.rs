//! `kafka-configs.sh` (`ConfigCommand`) for topics and brokers: `--describe` lists an
//! entity's dynamic configs with their synonyms, `--alter --add-config k=v,…
//! --delete-config k,…` changes them through the controller (IncrementalAlterConfigs for
//! topics, the legacy AlterConfigs for brokers as ConfigCommand sends it), with the
//! tool's messages. `--describe --all` of a broker lists the settings the simulator knows.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::{Console, Outcome};
use crate::broker_config::{self, BrokerConfigSources, ConfigResource};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::ids::ClientId;
use crate::node::ClientEvent;
use crate::vec_map::VecMap;
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "add-config", arg: Some("String"), help: "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'." },
    OptSpec { name: "all", arg: None, help: "List all configs for the given entity, including static configs if available." },
    OptSpec { name: "alter", arg: None, help: "Alter the configuration for the entity." },
    OptSpec { name: "bootstrap-server", arg: Some("String: server to connect to"), help: "The Kafka servers to connect to." },
    OptSpec { name: "broker", arg: Some("String"), help: "The broker's ID." },
    OptSpec { name: "broker-defaults", arg: None, help: "The config defaults for all brokers." },
    OptSpec { name: "delete-config", arg: Some("String"), help: "config keys to remove 'k1,k2'" },
    OptSpec { name: "describe", arg: None, help: "List configs for the given entity." },
    OptSpec { name: "entity-default", arg: None, help: "Default entity name for clients/users/brokers/ips (applies to corresponding entity type)" },
    OptSpec { name: "entity-name", arg: Some("String"), help: "Name of entity (topic name/client id/user principal name/broker id/ip/client metrics/group id)" },
    OptSpec { name: "entity-type", arg: Some("String"), help: "Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)" },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "topic", arg: Some("String"), help: "The topic's name." },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

#[derive(Clone)]
enum Action {
    Describe,
    Alter,
}

/// The entity the command is about.
#[derive(Clone)]
enum Entity {
    Topic(String),
    /// A broker id, "" for the cluster-wide default, None (describe only) for every broker
    /// and then the default.
    Broker(Option<String>),
}

#[derive(Clone)]
pub(crate) struct ConfigsJob {
    pub(crate) client: ClientId,
    entity: Entity,
    action: Action,
    /// `--describe --all`.
    all: bool,
    /// The command line, for Kafka's `Error while executing config command with args '…'`.
    args: String,
}

fn usage(con: &mut Console, message: &str) -> Outcome {
    options::print_usage(con, SPECS, message)
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
        return options::print_help(con, SPECS, Some("This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, client-metrics or group"));
    }
    if p.has("describe") == p.has("alter") {
        return usage(con, "Command must include exactly one action: --describe, --alter");
    }
    // ConfigCommandOptions.entityTypes / entityNames: --entity-type with --entity-name or
    // --entity-default, or a specific flag (--topic, --broker, --broker-defaults).
    let mut types: Vec<String> = p.values("entity-type").to_vec();
    if p.has("topic") {
        types.push("topics".to_string());
    }
    if p.has("broker") || p.has("broker-defaults") {
        types.push("brokers".to_string());
    }
    let mut seen: Vec<&String> = Vec::new();
    let duplicates: Vec<&str> = types
        .iter()
        .filter(|t| {
            let dup = seen.contains(t);
            seen.push(t);
            dup
        })
        .map(String::as_str)
        .collect();
    if !duplicates.is_empty() {
        return fail(con, &format!("Duplicate entity type(s) specified: {}", duplicates.join(",")));
    }
    const ALLOWED: &[&str] =
        &["topics", "clients", "users", "brokers", "ips", "client-metrics", "groups", "broker-loggers"];
    if let Some(other) = types.iter().find(|t| !ALLOWED.contains(&t.as_str())) {
        return fail(con, &format!("Invalid entity type {other}, the entity type must be one of topics, clients, users, brokers, ips, client-metrics, groups, broker-loggers with a --bootstrap-server or --bootstrap-controller argument"));
    }
    let Some(entity_type) = types.first().cloned() else {
        return fail(con, "At least one entity type must be specified");
    };
    if types.len() > 1 {
        return fail(con, "Only 'users' and 'clients' entity types may be specified together");
    }
    let specific = ["topic", "broker", "broker-defaults"].iter().any(|f| p.has(f));
    if (p.has("entity-name") || p.has("entity-type") || p.has("entity-default")) && specific {
        return fail(con, "--entity-{type,name,default} should not be used in conjunction with specific entity flags");
    }
    if entity_type != "topics" && entity_type != "brokers" {
        con.err(format!("kafka-configs.sh --entity-type {entity_type}: not simulated yet in Kafka Playground (topic and broker configs are)."));
        return Outcome::Done(1);
    }
    // The entity name: --entity-name or a specific flag's value, "" for a default.
    let name: Option<String> = p
        .value("entity-name")
        .or(p.value("topic"))
        .or(p.value("broker"))
        .map(str::to_string)
        .or_else(|| (p.has("entity-default") || p.has("broker-defaults")).then(String::new));
    let Some(bootstrap) = p.value("bootstrap-server") else {
        return fail(
            con,
            "One of the required --bootstrap-server, --boostrap-controller, or --zookeeper arguments must be specified",
        );
    };
    if entity_type == "brokers" {
        if let Some(id) = name.as_deref().filter(|n| !n.is_empty()) {
            if id.parse::<i32>().is_err() {
                return fail(
                    con,
                    &format!("The entity name for brokers must be a valid integer broker id, but it is: {id}"),
                );
            }
        }
    }
    if p.has("describe") && entity_type == "topics" && p.has("entity-default") {
        return fail(con, "--entity-default must not be specified with --describe of topics");
    }
    if p.has("alter") && name.is_none() {
        return match entity_type.as_str() {
            "brokers" => fail(
                con,
                "An entity-name or default entity must be specified with --alter of users, clients, brokers or ips",
            ),
            _ => fail(con, "An entity name must be specified with --alter of topics"),
        };
    }
    let entity = match (entity_type.as_str(), name) {
        ("brokers", name) => Entity::Broker(name),
        (_, Some(topic)) => Entity::Topic(topic),
        (_, None) => return fail(con, "An entity name must be specified with --describe of topics"),
    };
    if let Entity::Topic(topic) = &entity {
        if let Err(why) = crate::topic_name::validate(topic) {
            return fail(con, &why);
        }
    }
    let servers: Vec<String> = bootstrap.split(',').map(|s| s.trim().to_string()).collect();
    let (action, call) = if p.has("describe") {
        let call = match &entity {
            Entity::Topic(_) => AdminCall::Metadata { call: "describeConfigs" },
            Entity::Broker(name) => {
                AdminCall::DescribeBrokerConfigs { broker: name.as_deref().and_then(|n| n.parse().ok()) }
            }
        };
        (Action::Describe, call)
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
        let resource = match &entity {
            Entity::Topic(topic) => ConfigResource::Topic(topic.clone()),
            Entity::Broker(name) => ConfigResource::Broker(name.clone().unwrap_or_default()),
        };
        (Action::Alter, AdminCall::AlterConfigs { resource, set, delete })
    };
    let client = con.start_admin(world, servers, call);
    let all = p.has("all");
    Outcome::Job(JobKind::Configs(ConfigsJob { client, entity, action, all, args: args.join(" ") }))
}

impl ConfigsJob {
    fn error(&self, emit: &mut Emit, exception: &str, message: &str) {
        emit.err(format!("Error while executing config command with args '{}'", self.args));
        emit.err(format!("java.util.concurrent.ExecutionException: {exception}: {message}"));
        emit.exit(1);
    }

    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else { return };
        match (&self.action, &self.entity, outcome) {
            (Action::Describe, Entity::Topic(topic), AdminOutcome::Metadata { topics, .. }) => {
                match topics.iter().find(|t| t.name == *topic && t.error.is_none()) {
                    Some(t) => {
                        emit.out(format!("Dynamic configs for topic {topic} are:"));
                        for (k, v, synonyms) in &t.dynamic_configs {
                            emit.out(format!("  {k}={v} sensitive=false synonyms={{{synonyms}}}"));
                        }
                        emit.exit(0);
                    }
                    None => {
                        let message = format!("The topic '{topic}' does not exist.");
                        self.error(emit, "org.apache.kafka.common.errors.UnknownTopicOrPartitionException", &message);
                    }
                }
            }
            (Action::Describe, Entity::Broker(name), AdminOutcome::BrokerConfigs(answers)) => {
                match name {
                    Some(n) if n.is_empty() => self.describe_default(answers.first(), emit),
                    Some(_) => {
                        if let Some(a) = answers.first() {
                            self.describe_broker(a, emit);
                        }
                    }
                    None => {
                        for a in &answers {
                            self.describe_broker(a, emit);
                        }
                        self.describe_default(answers.first(), emit);
                    }
                }
                emit.exit(0);
            }
            (Action::Alter, entity, AdminOutcome::ConfigsAltered(None)) => {
                match entity {
                    Entity::Topic(topic) => emit.out(format!("Completed updating config for topic {topic}.")),
                    Entity::Broker(Some(n)) if !n.is_empty() => {
                        emit.out(format!("Completed updating config for broker {n}."))
                    }
                    Entity::Broker(_) => emit.out("Completed updating default config for brokers in the cluster."),
                }
                emit.exit(0);
            }
            (Action::Alter, _, AdminOutcome::ConfigsAltered(Some(e))) => {
                self.error(emit, e.error.exception(), &e.message)
            }
            (Action::Alter, _, AdminOutcome::DeleteMissing(keys)) => {
                // InvalidConfigurationException is caught by the tool: its message alone.
                emit.err(format!("Invalid config(s): {}", keys.join(",")));
                emit.exit(1);
            }
            (_, Entity::Broker(_), AdminOutcome::TimedOut(_)) => {
                // The broker is not in the cluster: the admin keeps waiting for a node
                // assignment and ConfigCommand's `get(30, SECONDS)` gives up (here at the
                // admin's own deadline) with a TimeoutException that has no message.
                emit.err(format!("Error while executing config command with args '{}'", self.args));
                emit.err("java.util.concurrent.TimeoutException");
                emit.exit(1);
            }
            (_, _, AdminOutcome::TimedOut(message)) => {
                self.error(emit, "org.apache.kafka.common.errors.TimeoutException", &message)
            }
            _ => emit.exit(1),
        }
    }

    /// `Default configs for brokers in the cluster are:` and the default's own entries,
    /// with only their DYNAMIC_DEFAULT_BROKER_CONFIG synonyms, as `createBrokerConfigEntry`
    /// reports them for the default resource.
    fn describe_default(&self, answer: Option<&crate::protocol::BrokerConfigsDescription>, emit: &mut Emit) {
        emit.out("Default configs for brokers in the cluster are:");
        let Some(configs) = answer else { return };
        let sources =
            BrokerConfigSources { broker_id: configs.broker_id, dynamic: &configs.dynamic, static_props: &[] };
        for (k, v) in configs.dynamic.get("").into_iter().flatten() {
            let synonyms: Vec<_> =
                sources.synonyms(k).into_iter().filter(|(s, _, _)| *s == "DYNAMIC_DEFAULT_BROKER_CONFIG").collect();
            emit.out(broker_config::render_entry(k, v, &synonyms));
        }
    }

    /// One broker's configs as `describeResourceConfig` prints them: only those whose
    /// source is the broker's own dynamic config, unless `--all`.
    fn describe_broker(&self, configs: &crate::protocol::BrokerConfigsDescription, emit: &mut Emit) {
        let none = VecMap::new();
        let broker_id = configs.broker_id;
        let entity = broker_id.to_string();
        let kind = if self.all { "All" } else { "Dynamic" };
        emit.out(format!("{kind} configs for broker {entity} are:"));
        let sources = BrokerConfigSources { broker_id, dynamic: &configs.dynamic, static_props: &configs.static_props };
        let mut names: Vec<String> = configs.dynamic.get(&entity).unwrap_or(&none).keys().cloned().collect();
        if self.all {
            names.extend(broker_config::known_names().into_iter().map(str::to_string));
            names.extend(configs.dynamic.get("").unwrap_or(&none).keys().cloned());
            names.extend(configs.static_props.iter().map(|(k, _)| k.clone()));
        }
        crate::sort::sort(&mut names);
        names.dedup();
        for name in names {
            let synonyms = sources.synonyms(&name);
            let source = synonyms.first().map_or("DEFAULT_CONFIG", |(s, _, _)| *s);
            if !self.all && source != "DYNAMIC_BROKER_CONFIG" {
                continue;
            }
            let value = synonyms.first().map_or_else(|| "null".to_string(), |(_, _, v)| v.clone());
            emit.out(broker_config::render_entry(&name, &value, &synonyms));
        }
    }
}
