//! Dynamic broker configs (`kafka-configs.sh --entity-type brokers`): which broker settings
//! may change at run time (`DynamicBrokerConfig`), how a change is validated, how a broker
//! setting resolves (per-broker dynamic > cluster-default dynamic > static > default), and
//! the synonym lists `DescribeConfigs` reports (`ConfigHelper.configSynonyms`).

use crate::vec_map::VecMap;

use crate::config::BROKER_TOPIC_SYNONYMS;

/// A config resource (`ConfigResource`): a topic, or a broker by id; `Broker("")` is the
/// cluster-wide default.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ConfigResource {
    Topic(String),
    Broker(String),
}

impl ConfigResource {
    /// `ConfigResource.Type`'s id, as `ConfigRecord.resourceType` stores it.
    pub(crate) fn type_id(&self) -> u8 {
        match self {
            ConfigResource::Topic(_) => 2,
            ConfigResource::Broker(_) => 4,
        }
    }

    pub(crate) fn name(&self) -> &str {
        match self {
            ConfigResource::Topic(n) | ConfigResource::Broker(n) => n,
        }
    }
}

/// Dynamic broker configs from the metadata log, by resource name ("" is the cluster
/// default, else a broker id).
pub(crate) type DynamicBrokerConfigs = VecMap<String, VecMap<String, String>>;

/// Kafka's defaults of the broker settings the simulator knows (`DEFAULT_CONFIG`). Settings
/// whose default is null (`log.retention.ms`, `log.roll.ms`, `log.dirs`, …) are absent:
/// for the first two their synonyms (`log.retention.hours`, `log.roll.hours`) carry it.
const BROKER_DEFAULTS: &[(&str, &str)] = &[
    ("auto.create.topics.enable", "true"),
    ("broker.heartbeat.interval.ms", "2000"),
    ("broker.id", "-1"),
    ("broker.session.timeout.ms", "9000"),
    ("compression.type", "producer"),
    ("controller.quorum.bootstrap.servers", ""),
    ("controller.quorum.election.timeout.ms", "1000"),
    ("controller.quorum.fetch.timeout.ms", "2000"),
    ("controller.quorum.voters", ""),
    ("default.replication.factor", "1"),
    ("group.initial.rebalance.delay.ms", "3000"),
    ("leader.imbalance.check.interval.seconds", "300"),
    ("log.cleaner.delete.retention.ms", "86400000"),
    ("log.cleanup.policy", "delete"),
    ("log.dir", "/tmp/kafka-logs"),
    ("log.message.timestamp.type", "CreateTime"),
    ("log.retention.bytes", "-1"),
    ("log.retention.check.interval.ms", "300000"),
    ("log.retention.hours", "168"),
    ("log.roll.hours", "168"),
    ("log.segment.bytes", "1073741824"),
    ("message.max.bytes", "1048588"),
    ("min.insync.replicas", "1"),
    ("node.id", "-1"),
    ("num.partitions", "1"),
    ("offsets.topic.num.partitions", "50"),
    ("offsets.topic.replication.factor", "3"),
    ("process.roles", ""),
    ("replica.lag.time.max.ms", "30000"),
    ("unclean.leader.election.enable", "false"),
];

/// Broker settings that exist but cannot change at run time (`DynamicConfig.Broker.nonDynamicProps`,
/// the subset the simulator reads or writes to `server.properties`).
const READ_ONLY: &[&str] = &[
    "auto.create.topics.enable",
    "broker.heartbeat.interval.ms",
    "broker.id",
    "broker.session.timeout.ms",
    "controller.listener.names",
    "controller.quorum.bootstrap.servers",
    "controller.quorum.election.timeout.ms",
    "controller.quorum.fetch.timeout.ms",
    "controller.quorum.voters",
    "default.replication.factor",
    "group.initial.rebalance.delay.ms",
    "inter.broker.listener.name",
    "leader.imbalance.check.interval.seconds",
    "log.dir",
    "log.dirs",
    "log.retention.check.interval.ms",
    "log.retention.hours",
    "log.retention.minutes",
    "log.roll.hours",
    "node.id",
    "num.partitions",
    "offsets.topic.num.partitions",
    "offsets.topic.replication.factor",
    "process.roles",
    "replica.lag.time.max.ms",
];

/// `brokerConfigSynonyms`: the names one setting goes by, most specific first.
fn synonyms_of(name: &str) -> Vec<&str> {
    match name {
        "log.retention.ms" | "log.retention.minutes" | "log.retention.hours" => {
            vec!["log.retention.ms", "log.retention.minutes", "log.retention.hours"]
        }
        "log.roll.ms" | "log.roll.hours" => vec!["log.roll.ms", "log.roll.hours"],
        _ => vec![name],
    }
}

/// The topic config a broker setting stands for, if any.
pub(crate) fn topic_config_for(broker_key: &str) -> Option<&'static str> {
    BROKER_TOPIC_SYNONYMS.iter().find(|(b, _)| *b == broker_key).map(|(_, t)| *t)
}

/// The broker setting a topic config falls back to, if any.
pub(crate) fn broker_key_for(topic_key: &str) -> Option<&'static str> {
    BROKER_TOPIC_SYNONYMS.iter().find(|(_, t)| *t == topic_key).map(|(b, _)| *b)
}

/// `DynamicBrokerConfig.validateConfigs` plus `DynamicConfig.Broker.validate`: read-only
/// settings are refused (`Cannot update these configs dynamically: Set(log.dirs)`), known
/// ones are type-checked as their topic config is; unknown names pass, as Kafka allows
/// custom broker settings.
pub(crate) fn validate(set: &[(String, String)]) -> Result<(), String> {
    let read_only: Vec<&str> = set.iter().map(|(k, _)| k.as_str()).filter(|k| READ_ONLY.contains(k)).collect();
    if !read_only.is_empty() {
        return Err(format!("Cannot update these configs dynamically: Set({})", read_only.join(", ")));
    }
    for (key, value) in set {
        if let Some(topic_key) = topic_config_for(key) {
            // The same type and range as the topic config, reported under the broker's name.
            crate::config::validate_topic_config(topic_key, value).map_err(|why| {
                why.replacen(&format!("configuration {topic_key}:"), &format!("configuration {key}:"), 1)
            })?;
        }
    }
    Ok(())
}

/// Where a broker's effective settings come from.
pub(crate) struct BrokerConfigSources<'a> {
    pub(crate) broker_id: u32,
    pub(crate) dynamic: &'a DynamicBrokerConfigs,
    /// This broker's `server.properties`.
    pub(crate) static_props: &'a [(String, String)],
}

impl BrokerConfigSources<'_> {
    fn per_broker(&self) -> Option<&VecMap<String, String>> {
        self.dynamic.get(&self.broker_id.to_string())
    }

    fn cluster_default(&self) -> Option<&VecMap<String, String>> {
        self.dynamic.get("")
    }

    fn static_value(&self, key: &str) -> Option<String> {
        self.static_props.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_string())
    }

    /// A broker setting's dynamic or static value (not Kafka's default): per-broker
    /// dynamic, else cluster-default dynamic, else `server.properties`.
    pub(crate) fn configured(&self, key: &str) -> Option<String> {
        self.per_broker()
            .and_then(|c| c.get(key).cloned())
            .or_else(|| self.cluster_default().and_then(|c| c.get(key).cloned()))
            .or_else(|| self.static_value(key))
    }

    /// `ConfigHelper.configSynonyms`: every source of every synonym, source by source
    /// (DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG,
    /// DEFAULT_CONFIG), dropping those before the first that names `name` itself.
    pub(crate) fn synonyms(&self, name: &str) -> Vec<(&'static str, String, String)> {
        let names = synonyms_of(name);
        let mut out = Vec::new();
        let mut add = |source: &'static str, lookup: &dyn Fn(&str) -> Option<String>| {
            for n in &names {
                if let Some(v) = lookup(n) {
                    out.push((source, n.to_string(), v));
                }
            }
        };
        add("DYNAMIC_BROKER_CONFIG", &|n| self.per_broker().and_then(|c| c.get(n).cloned()));
        add("DYNAMIC_DEFAULT_BROKER_CONFIG", &|n| self.cluster_default().and_then(|c| c.get(n).cloned()));
        add("STATIC_BROKER_CONFIG", &|n| self.static_value(n));
        add("DEFAULT_CONFIG", &|n| BROKER_DEFAULTS.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()));
        match out.iter().position(|(_, n, _)| n == name) {
            Some(first) => out.split_off(first),
            None => Vec::new(),
        }
    }
}

/// `k=v sensitive=false synonyms={SOURCE:k=v, …}`, as `kafka-configs.sh` prints an entry.
pub(crate) fn render_entry(name: &str, value: &str, synonyms: &[(&str, String, String)]) -> String {
    let synonyms: Vec<String> = synonyms.iter().map(|(s, n, v)| format!("{s}:{n}={v}")).collect();
    format!("  {name}={value} sensitive=false synonyms={{{}}}", synonyms.join(", "))
}

/// The broker settings `--describe --all` lists: the ones the simulator knows.
pub(crate) fn known_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = BROKER_TOPIC_SYNONYMS.iter().map(|(b, _)| *b).collect();
    names.extend(READ_ONLY.iter().copied());
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dynamic(entries: &[(&str, &str, &str)]) -> DynamicBrokerConfigs {
        let mut d = DynamicBrokerConfigs::new();
        for (resource, k, v) in entries {
            d.entry(resource.to_string()).or_default().insert(k.to_string(), v.to_string());
        }
        d
    }

    #[test]
    fn per_broker_beats_cluster_default_beats_static() {
        let statics = vec![("log.retention.ms".to_string(), "1000".to_string())];
        let d = dynamic(&[("", "log.retention.ms", "2000"), ("2", "log.retention.ms", "3000")]);
        let on = |id| BrokerConfigSources { broker_id: id, dynamic: &d, static_props: &statics };
        assert_eq!(on(2).configured("log.retention.ms").as_deref(), Some("3000"));
        assert_eq!(on(1).configured("log.retention.ms").as_deref(), Some("2000"));
        let none = DynamicBrokerConfigs::new();
        let plain = BrokerConfigSources { broker_id: 1, dynamic: &none, static_props: &statics };
        assert_eq!(plain.configured("log.retention.ms").as_deref(), Some("1000"));
        assert_eq!(plain.configured("min.insync.replicas"), None);
    }

    #[test]
    fn synonyms_are_listed_source_by_source() {
        let d = dynamic(&[("", "log.retention.ms", "2000"), ("2", "log.retention.ms", "3000")]);
        let s = BrokerConfigSources { broker_id: 2, dynamic: &d, static_props: &[] };
        let rendered = render_entry("log.retention.ms", "3000", &s.synonyms("log.retention.ms"));
        assert_eq!(
            rendered,
            "  log.retention.ms=3000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=3000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=2000, DEFAULT_CONFIG:log.retention.hours=168}"
        );
        // Nothing names log.retention.ms itself: Kafka drops the hours default too.
        let empty = DynamicBrokerConfigs::new();
        let s = BrokerConfigSources { broker_id: 2, dynamic: &empty, static_props: &[] };
        assert!(s.synonyms("log.retention.ms").is_empty());
        assert_eq!(
            s.synonyms("log.cleanup.policy"),
            vec![("DEFAULT_CONFIG", "log.cleanup.policy".into(), "delete".into())]
        );
    }

    #[test]
    fn read_only_and_mistyped_values_are_refused() {
        let set = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(
            validate(&set("log.dirs", "/x")).unwrap_err(),
            "Cannot update these configs dynamically: Set(log.dirs)"
        );
        assert_eq!(
            validate(&set("log.retention.ms", "abc")).unwrap_err(),
            "Invalid value abc for configuration log.retention.ms: Not a number of type LONG"
        );
        assert!(validate(&set("my.custom.setting", "x")).is_ok());
        assert!(validate(&set("min.insync.replicas", "2")).is_ok());
    }
}
