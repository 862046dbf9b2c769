//! Server configuration (`server.properties` plus `--override`), parsed and validated with
//! Kafka's messages, and the topic-level config names with their defaults.

use crate::ids::NodeId;
use crate::raft::RaftConfig;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Listener {
    pub(crate) name: String,
    pub(crate) port: u16,
}

/// The protocol timings a server takes from its config (Kafka's defaults when absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timing {
    pub(crate) raft: RaftConfig,
    /// `broker.heartbeat.interval.ms`.
    pub(crate) broker_heartbeat_interval_ms: u64,
    /// `broker.session.timeout.ms`.
    pub(crate) broker_session_timeout_ms: u64,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing { raft: RaftConfig::default(), broker_heartbeat_interval_ms: 2000, broker_session_timeout_ms: 9000 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServerConfig {
    pub(crate) node_id: NodeId,
    pub(crate) broker: bool,
    pub(crate) controller: bool,
    pub(crate) listeners: Vec<Listener>,
    pub(crate) controller_listener_names: Vec<String>,
    /// `controller.quorum.voters` (static quorum): `id@host:port`.
    pub(crate) quorum_voters: Vec<(NodeId, String)>,
    /// `controller.quorum.bootstrap.servers` (dynamic quorum): `host:port`.
    pub(crate) quorum_bootstrap_servers: Vec<String>,
    pub(crate) log_dirs: Vec<String>,
    pub(crate) num_partitions: i32,
    pub(crate) default_replication_factor: i16,
    pub(crate) auto_create_topics_enable: bool,
    pub(crate) timing: Timing,
    /// Every key as given, for `Configs:` and `kafka-configs.sh`.
    pub(crate) raw: Vec<(String, String)>,
}

fn missing(key: &str) -> String {
    format!("Missing required configuration \"{key}\" which has no default value.")
}

fn invalid(key: &str, value: &str, why: &str) -> String {
    format!("Invalid value {value} for configuration {key}: {why}")
}

impl ServerConfig {
    /// Builds the config from properties in file order, later keys winning as in
    /// `java.util.Properties`. Errors carry Kafka's `ConfigException` texts.
    pub(crate) fn from_properties(props: &[(String, String)]) -> Result<ServerConfig, String> {
        let get = |key: &str| props.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim());
        let roles = get("process.roles").ok_or_else(|| missing("process.roles"))?;
        let (mut broker, mut controller) = (false, false);
        for role in roles.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            match role {
                "broker" => broker = true,
                "controller" => controller = true,
                other => {
                    return Err(invalid(
                        "process.roles",
                        roles,
                        &format!(
                        "Unknown process role '{other}' (must be a comma-separated list of 'broker' and 'controller')"
                    ),
                    ))
                }
            }
        }
        if !broker && !controller {
            return Err(invalid("process.roles", roles, "must contain 'broker', 'controller' or both"));
        }
        let node_id_text = get("node.id").ok_or_else(|| missing("node.id"))?;
        let node_id =
            node_id_text.parse::<u32>().map_err(|_| invalid("node.id", node_id_text, "Not a number of type INT"))?;
        let list = |key: &str| -> Vec<String> {
            get(key)
                .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default()
        };
        let mut listeners = Vec::new();
        for spec in list("listeners") {
            let (name, rest) =
                spec.split_once("://").ok_or_else(|| format!("Unable to parse {spec} to a broker endpoint"))?;
            let port_text = rest.rsplit_once(':').map(|(_, p)| p).unwrap_or("");
            let port = port_text.parse::<u16>().map_err(|_| format!("Unable to parse {spec} to a broker endpoint"))?;
            listeners.push(Listener { name: name.to_string(), port });
        }
        let controller_listener_names = list("controller.listener.names");
        if controller && controller_listener_names.is_empty() {
            return Err("requirement failed: controller.listener.names must contain at least one value when running KRaft with just the controller role".to_string());
        }
        let mut quorum_voters = Vec::new();
        for voter in list("controller.quorum.voters") {
            let parsed = voter.split_once('@').and_then(|(id, hp)| Some((NodeId(id.parse().ok()?), hp.to_string())));
            let (id, host_port) = parsed.ok_or_else(|| {
                format!("Invalid value {voter} for configuration controller.quorum.voters: Invalid format of voter `{voter}`; expected `{{id}}@{{host}}:{{port}}`")
            })?;
            quorum_voters.push((id, host_port));
        }
        let quorum_bootstrap_servers = list("controller.quorum.bootstrap.servers");
        if quorum_voters.is_empty() && quorum_bootstrap_servers.is_empty() {
            return Err("If using process.roles, either controller.quorum.bootstrap.servers must contain the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers.".to_string());
        }
        let mut log_dirs = list("log.dirs");
        if log_dirs.is_empty() {
            log_dirs = list("log.dir");
        }
        if log_dirs.is_empty() {
            log_dirs.push("/tmp/kafka-logs".to_string());
        }
        let int = |key: &str, default: i64| -> Result<i64, String> {
            match get(key) {
                None => Ok(default),
                Some(v) => v.parse::<i64>().map_err(|_| invalid(key, v, "Not a number of type INT")),
            }
        };
        let num_partitions = int("num.partitions", 1)?;
        let num_partitions = i32::try_from(num_partitions)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| invalid("num.partitions", &num_partitions.to_string(), "Value must be at least 1"))?;
        let rf = int("default.replication.factor", 1)?;
        let default_replication_factor = i16::try_from(rf)
            .map_err(|_| invalid("default.replication.factor", &rf.to_string(), "Not a number of type SHORT"))?;
        let auto_create_topics_enable = match get("auto.create.topics.enable") {
            None | Some("true") => true,
            Some("false") => false,
            Some(v) => {
                return Err(invalid("auto.create.topics.enable", v, "Expected value to be either true or false"))
            }
        };
        let positive = |key: &str, default: u64| -> Result<u64, String> {
            let v = int(key, default as i64)?;
            u64::try_from(v)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| invalid(key, &v.to_string(), "Value must be at least 1"))
        };
        let defaults = Timing::default();
        let timing = Timing {
            raft: RaftConfig {
                election_timeout_ms: positive(
                    "controller.quorum.election.timeout.ms",
                    defaults.raft.election_timeout_ms,
                )?,
                fetch_timeout_ms: positive("controller.quorum.fetch.timeout.ms", defaults.raft.fetch_timeout_ms)?,
                election_backoff_max_ms: positive(
                    "controller.quorum.election.backoff.max.ms",
                    defaults.raft.election_backoff_max_ms,
                )?,
                request_timeout_ms: positive("controller.quorum.request.timeout.ms", defaults.raft.request_timeout_ms)?,
            },
            broker_heartbeat_interval_ms: positive(
                "broker.heartbeat.interval.ms",
                defaults.broker_heartbeat_interval_ms,
            )?,
            broker_session_timeout_ms: positive("broker.session.timeout.ms", defaults.broker_session_timeout_ms)?,
        };
        Ok(ServerConfig {
            node_id: NodeId(node_id),
            broker,
            controller,
            listeners,
            controller_listener_names,
            quorum_voters,
            quorum_bootstrap_servers,
            log_dirs,
            num_partitions,
            default_replication_factor,
            auto_create_topics_enable,
            timing,
            raw: props.to_vec(),
        })
    }

    /// The port of the first listener that is (or is not) a controller listener.
    pub(crate) fn port_of(&self, controller_listener: bool) -> Option<u16> {
        self.listeners
            .iter()
            .find(|l| self.controller_listener_names.contains(&l.name) == controller_listener)
            .map(|l| l.port)
    }

    /// Where this node finds the controller quorum, as `host:port` strings.
    pub(crate) fn controller_addresses(&self) -> Vec<String> {
        if self.quorum_voters.is_empty() {
            self.quorum_bootstrap_servers.clone()
        } else {
            self.quorum_voters.iter().map(|(_, hp)| hp.clone()).collect()
        }
    }
}

/// Topic configs with their defaults (storage `LogConfig`); creation rejects other names.
pub(crate) const TOPIC_CONFIG_DEFAULTS: &[(&str, &str)] = &[
    ("cleanup.policy", "delete"),
    ("compression.type", "producer"),
    ("delete.retention.ms", "86400000"),
    ("file.delete.delay.ms", "60000"),
    ("flush.messages", "9223372036854775807"),
    ("flush.ms", "9223372036854775807"),
    ("index.interval.bytes", "4096"),
    ("max.compaction.lag.ms", "9223372036854775807"),
    ("max.message.bytes", "1048588"),
    ("message.timestamp.after.max.ms", "3600000"),
    ("message.timestamp.before.max.ms", "9223372036854775807"),
    ("message.timestamp.type", "CreateTime"),
    ("min.cleanable.dirty.ratio", "0.5"),
    ("min.compaction.lag.ms", "0"),
    ("min.insync.replicas", "1"),
    ("preallocate", "false"),
    ("retention.bytes", "-1"),
    ("retention.ms", "604800000"),
    ("segment.bytes", "1073741824"),
    ("segment.index.bytes", "10485760"),
    ("segment.jitter.ms", "0"),
    ("segment.ms", "604800000"),
    ("unclean.leader.election.enable", "false"),
];

/// Broker settings that are synonyms of topic configs (`ServerTopicConfigSynonyms`, the
/// `log.`-prefixed and renamed ones; `log.retention.hours` is left out as Kafka's describe
/// output does not show it). A broker's dynamic or static value shows as a non-default
/// topic config (see `broker_config`).
pub(crate) const BROKER_TOPIC_SYNONYMS: &[(&str, &str)] = &[
    ("log.cleanup.policy", "cleanup.policy"),
    ("compression.type", "compression.type"),
    ("log.cleaner.delete.retention.ms", "delete.retention.ms"),
    ("message.max.bytes", "max.message.bytes"),
    ("log.message.timestamp.type", "message.timestamp.type"),
    ("min.insync.replicas", "min.insync.replicas"),
    ("log.retention.bytes", "retention.bytes"),
    ("log.retention.ms", "retention.ms"),
    ("log.segment.bytes", "segment.bytes"),
    ("log.roll.ms", "segment.ms"),
    ("unclean.leader.election.enable", "unclean.leader.election.enable"),
];

/// `LogConfig`'s type check of a topic config value: numeric configs need numbers, and
/// the few enumerations their allowed values.
pub(crate) fn validate_topic_config(name: &str, value: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("Invalid value {value} for configuration {name}: {why}"));
    match name {
        "cleanup.policy" => match value.split(',').all(|p| matches!(p.trim(), "delete" | "compact")) {
            true => Ok(()),
            false => bad("String must be one of: compact, delete"),
        },
        "compression.type" => match value {
            "uncompressed" | "zstd" | "lz4" | "snappy" | "gzip" | "producer" => Ok(()),
            _ => bad("String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer"),
        },
        "message.timestamp.type" => match value {
            "CreateTime" | "LogAppendTime" => Ok(()),
            _ => bad("String must be one of: CreateTime, LogAppendTime"),
        },
        "preallocate" | "unclean.leader.election.enable" => match value {
            "true" | "false" => Ok(()),
            _ => bad("Expected value to be either true or false"),
        },
        "min.cleanable.dirty.ratio" => value.parse::<f64>().map(|_| ()).or_else(|_| bad("Not a number of type DOUBLE")),
        "min.insync.replicas" => match value.parse::<i64>() {
            Ok(n) if n >= 1 => Ok(()),
            Ok(_) => bad("Value must be at least 1"),
            Err(_) => bad("Not a number of type INT"),
        },
        _ => value.parse::<i64>().map(|_| ()).or_else(|_| bad("Not a number of type LONG")),
    }
}

pub(crate) fn is_topic_config(name: &str) -> bool {
    TOPIC_CONFIG_DEFAULTS.iter().any(|(k, _)| *k == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(text: &str) -> Vec<(String, String)> {
        text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_lesson_config_is_a_combined_node() {
        let c = ServerConfig::from_properties(&props(
            "process.roles=broker,controller\nnode.id=1\ncontroller.quorum.bootstrap.servers=localhost:9093\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093\ncontroller.listener.names=CONTROLLER\nlog.dirs=/tmp/kraft-combined-logs",
        ))
        .expect("valid config");
        assert!(c.broker && c.controller);
        assert_eq!(c.node_id, NodeId(1));
        assert_eq!(c.port_of(false), Some(9092));
        assert_eq!(c.port_of(true), Some(9093));
        assert_eq!(c.controller_addresses(), vec!["localhost:9093".to_string()]);
    }

    #[test]
    fn static_broker_settings_show_as_topic_configs() {
        let c = ServerConfig::from_properties(&props(
            "process.roles=broker\nnode.id=2\ncontroller.quorum.voters=1@localhost:9093\nlog.segment.bytes=1073741824\nlog.retention.hours=168\nmin.insync.replicas=2",
        ))
        .expect("valid config");
        let none = crate::broker_config::DynamicBrokerConfigs::new();
        let sources = crate::broker_config::BrokerConfigSources { broker_id: 2, dynamic: &none, static_props: &c.raw };
        let topic_value =
            |topic_key: &str| crate::broker_config::broker_key_for(topic_key).and_then(|b| sources.configured(b));
        assert_eq!(topic_value("min.insync.replicas").as_deref(), Some("2"));
        assert_eq!(topic_value("segment.bytes").as_deref(), Some("1073741824"));
        assert_eq!(topic_value("retention.bytes"), None);
    }

    #[test]
    fn protocol_timings_come_from_the_config() {
        let c = ServerConfig::from_properties(&props(
            "process.roles=controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\nlisteners=CONTROLLER://:9093\ncontroller.listener.names=CONTROLLER\ncontroller.quorum.election.timeout.ms=500\nbroker.session.timeout.ms=18000",
        ))
        .expect("valid config");
        assert_eq!(c.timing.raft.election_timeout_ms, 500);
        assert_eq!(c.timing.raft.fetch_timeout_ms, 2000);
        assert_eq!(c.timing.broker_session_timeout_ms, 18000);
        let err = ServerConfig::from_properties(&props("process.roles=broker\nnode.id=2\ncontroller.quorum.voters=1@localhost:9093\nbroker.heartbeat.interval.ms=0")).unwrap_err();
        assert_eq!(err, "Invalid value 0 for configuration broker.heartbeat.interval.ms: Value must be at least 1");
    }

    #[test]
    fn errors_use_kafkas_config_exception_texts() {
        assert_eq!(
            ServerConfig::from_properties(&props("node.id=1")).unwrap_err(),
            "Missing required configuration \"process.roles\" which has no default value."
        );
        let err = ServerConfig::from_properties(&props("process.roles=broker\nnode.id=x")).unwrap_err();
        assert_eq!(err, "Invalid value x for configuration node.id: Not a number of type INT");
    }
}
