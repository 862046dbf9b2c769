//! The standalone worker's settings (`StandaloneConfig`) and connector configurations as
//! the herder validates them (`AbstractHerder.validateConnectorConfig`): the plugins a
//! worker can find (`Plugins.newConnector`, with `plugin.path`), each connector's required
//! settings, and Connect's error texts.

use super::converter::Converter;
#[cfg(test)]
use super::converter::JSON_CONVERTER;
use crate::json;

/// The worker settings the playground reads.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct WorkerConfig {
    pub(crate) bootstrap_servers: Vec<String>,
    pub(crate) key_converter: Converter,
    pub(crate) value_converter: Converter,
    pub(crate) offset_storage_file_filename: String,
    pub(crate) offset_flush_interval_ms: u64,
    pub(crate) plugin_path: Vec<String>,
    /// The REST listener's port (`listeners=http://:8083`).
    pub(crate) rest_port: u16,
}

fn lookup<'a>(props: &'a [(String, String)], key: &str) -> Option<&'a str> {
    props.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn missing(key: &str) -> String {
    format!("Missing required configuration \"{key}\" which has no default value.")
}

/// The converter configured under `prefix` (`key.converter`, `value.converter`).
fn converter(props: &[(String, String)], prefix: &str, required: bool) -> Result<Option<Converter>, String> {
    let Some(class) = lookup(props, prefix) else {
        return if required { Err(missing(prefix)) } else { Ok(None) };
    };
    let schemas = lookup(props, &format!("{prefix}.schemas.enable"));
    Converter::from_config(class, schemas)
        .map(Some)
        .map_err(|e| format!("Invalid value {class} for configuration {prefix}: {e}"))
}

impl WorkerConfig {
    /// `new StandaloneConfig(props)`: the `ConfigException` message on a bad setting.
    pub(crate) fn from_properties(props: &[(String, String)]) -> Result<WorkerConfig, String> {
        let key_converter =
            converter(props, "key.converter", true)?.unwrap_or(Converter::Json { schemas_enable: true });
        let value_converter =
            converter(props, "value.converter", true)?.unwrap_or(Converter::Json { schemas_enable: true });
        let offset_storage_file_filename = lookup(props, "offset.storage.file.filename")
            .map(str::trim)
            .ok_or_else(|| missing("offset.storage.file.filename"))?
            .to_string();
        let offset_flush_interval_ms = match lookup(props, "offset.flush.interval.ms").map(str::trim) {
            None => 60_000,
            Some(v) => v.parse::<u64>().map_err(|_| {
                format!("Invalid value {v} for configuration offset.flush.interval.ms: Not a number of type LONG")
            })?,
        };
        let listeners = lookup(props, "listeners").unwrap_or("http://:8083");
        let rest_port = listeners
            .split(',')
            .next()
            .and_then(|l| l.trim().rsplit_once(':'))
            .and_then(|(_, port)| port.trim_end_matches('/').parse::<u16>().ok())
            .ok_or_else(|| {
                format!("Invalid value {listeners} for configuration listeners: Could not parse listener")
            })?;
        Ok(WorkerConfig {
            bootstrap_servers: lookup(props, "bootstrap.servers")
                .unwrap_or("localhost:9092")
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            key_converter,
            value_converter,
            offset_storage_file_filename,
            offset_flush_interval_ms: offset_flush_interval_ms.max(1),
            plugin_path: lookup(props, "plugin.path")
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            rest_port,
        })
    }

    /// Whether `plugin.path` lets the worker load the FileStream connectors: Kafka 4.0
    /// ships them in `libs/connect-file-4.0.0.jar`, off the worker's classpath.
    fn has_file_connectors(&self) -> bool {
        self.plugin_path.iter().any(|p| {
            let p = p.trim_end_matches('/');
            p.ends_with("connect-file-4.0.0.jar") || p == "libs" || p.ends_with("/libs")
        })
    }
}

/// The connector classes a worker can load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plugin {
    FileStreamSource,
    FileStreamSink,
    /// The playground's own simulated bedside monitors.
    MedicalDeviceSource,
    /// The playground's own stand-in for a JDBC sink: a table kept in memory.
    TableSink,
}

/// The MirrorMaker connectors every 4.0 worker finds on its classpath.
pub(crate) const MIRROR_PLUGINS: &[(&str, &str)] = &[
    ("org.apache.kafka.connect.mirror.MirrorCheckpointConnector", "source"),
    ("org.apache.kafka.connect.mirror.MirrorHeartbeatConnector", "source"),
    ("org.apache.kafka.connect.mirror.MirrorSourceConnector", "source"),
];

impl Plugin {
    const ALL: [Plugin; 4] =
        [Plugin::FileStreamSink, Plugin::FileStreamSource, Plugin::MedicalDeviceSource, Plugin::TableSink];

    pub(crate) fn class(self) -> &'static str {
        match self {
            Plugin::FileStreamSource => "org.apache.kafka.connect.file.FileStreamSourceConnector",
            Plugin::FileStreamSink => "org.apache.kafka.connect.file.FileStreamSinkConnector",
            Plugin::MedicalDeviceSource => "playground.connect.MedicalDeviceSourceConnector",
            Plugin::TableSink => "playground.connect.TableSinkConnector",
        }
    }

    pub(crate) fn task_class(self) -> &'static str {
        match self {
            Plugin::FileStreamSource => "org.apache.kafka.connect.file.FileStreamSourceTask",
            Plugin::FileStreamSink => "org.apache.kafka.connect.file.FileStreamSinkTask",
            Plugin::MedicalDeviceSource => "playground.connect.MedicalDeviceSourceTask",
            Plugin::TableSink => "playground.connect.TableSinkTask",
        }
    }

    pub(crate) fn is_source(self) -> bool {
        matches!(self, Plugin::FileStreamSource | Plugin::MedicalDeviceSource)
    }

    /// `"source"` or `"sink"`, as the REST API names the type.
    pub(crate) fn kind(self) -> &'static str {
        if self.is_source() {
            "source"
        } else {
            "sink"
        }
    }

    fn location(self) -> &'static str {
        match self {
            Plugin::FileStreamSource | Plugin::FileStreamSink => "file:/opt/kafka/libs/connect-file-4.0.0.jar",
            Plugin::MedicalDeviceSource | Plugin::TableSink => "classpath",
        }
    }

    /// `PluginDesc.toString`, as Connect lists the available connectors.
    fn describe(class: &str, kind: &str, location: &str) -> String {
        format!("PluginDesc{{klass=class {class}, name='{class}', version='4.0.0', encodedVersion=4.0.0, type={kind}, typeName='{kind}', location='{location}'}}")
    }

    /// `Plugins.newConnector`: a full class name, its simple name, or the simple name
    /// without `Connector`.
    pub(crate) fn find(worker: &WorkerConfig, name: &str) -> Result<Plugin, String> {
        let available: Vec<Plugin> = Plugin::ALL
            .into_iter()
            .filter(|p| worker.has_file_connectors() || !matches!(p, Plugin::FileStreamSource | Plugin::FileStreamSink))
            .collect();
        let found = available.iter().copied().find(|p| {
            let class = p.class();
            let simple = class.rsplit('.').next().unwrap_or(class);
            name == class || name == simple || format!("{name}Connector") == simple
        });
        found.ok_or_else(|| {
            let mut listed: Vec<String> =
                MIRROR_PLUGINS.iter().map(|(class, kind)| Plugin::describe(class, kind, "classpath")).collect();
            listed.extend(available.iter().map(|p| Plugin::describe(p.class(), p.kind(), p.location())));
            format!(
                "Failed to find any class that implements Connector and which name matches {name}, available connectors are: {}",
                listed.join(", ")
            )
        })
    }
}

/// Why a connector configuration is refused: the exception class and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConfigError {
    pub(crate) exception: &'static str,
    pub(crate) message: String,
}

const BAD_REQUEST: &str = "org.apache.kafka.connect.runtime.rest.errors.BadRequestException";
const CONNECT_EXCEPTION: &str = "org.apache.kafka.connect.errors.ConnectException";

/// A validated connector configuration.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ConnectorConfig {
    pub(crate) name: String,
    pub(crate) plugin: Plugin,
    /// The settings as given (the REST API shows them back).
    pub(crate) props: Vec<(String, String)>,
    pub(crate) key_converter: Converter,
    pub(crate) value_converter: Converter,
}

impl ConnectorConfig {
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        lookup(&self.props, key)
    }

    /// `validateConnectorConfig`: the plugin, the common settings and the connector's own.
    pub(crate) fn validate(
        worker: &WorkerConfig,
        props: Vec<(String, String)>,
    ) -> Result<ConnectorConfig, ConfigError> {
        let bad = |errors: Vec<String>| {
            ConfigError {
            exception: BAD_REQUEST,
            message: format!(
                "Connector configuration is invalid and contains the following {} error(s):\n{}\nYou can also find the above list of errors at the endpoint `/connector-plugins/{{connectorType}}/config/validate`",
                errors.len(),
                errors.join("\n")
            ),
        }
        };
        let Some(class) = lookup(&props, "connector.class") else {
            let map: Vec<String> = props.iter().map(|(k, v)| format!("{k}={v}")).collect();
            return Err(ConfigError {
                exception: BAD_REQUEST,
                message: format!("Connector config {{{}}} contains no connector type", map.join(", ")),
            });
        };
        let plugin = Plugin::find(worker, class.trim())
            .map_err(|message| ConfigError { exception: CONNECT_EXCEPTION, message })?;
        let mut errors = Vec::new();
        let name = lookup(&props, "name").unwrap_or_default().trim().to_string();
        if name.is_empty() {
            errors.push(missing("name"));
        }
        if let Some(v) = lookup(&props, "tasks.max") {
            match v.trim().parse::<i32>() {
                Ok(n) if n >= 1 => {}
                Ok(n) => {
                    errors.push(format!("Invalid value {n} for configuration tasks.max: Value must be at least 1"))
                }
                Err(_) => {
                    errors.push(format!("Invalid value {v} for configuration tasks.max: Not a number of type INT"))
                }
            }
        }
        let key_converter = converter(&props, "key.converter", false).map_err(|e| bad(vec![e]))?;
        let value_converter = converter(&props, "value.converter", false).map_err(|e| bad(vec![e]))?;
        let nonblank = |key: &str| lookup(&props, key).is_some_and(|v| !v.trim().is_empty());
        match plugin {
            Plugin::FileStreamSource | Plugin::MedicalDeviceSource => {
                if !nonblank("topic") {
                    errors.push(missing("topic"));
                }
            }
            Plugin::FileStreamSink | Plugin::TableSink => {
                if !nonblank("topics") && !nonblank("topics.regex") {
                    errors.push("Must configure one of topics or topics.regex".to_string());
                    errors.push("Must configure one of topics or topics.regex".to_string());
                }
            }
        }
        if plugin == Plugin::MedicalDeviceSource {
            if let Some(v) = lookup(&props, "poll.interval.ms") {
                if v.trim().parse::<u64>().map_or(true, |n| n == 0) {
                    errors.push(format!(
                        "Invalid value {v} for configuration poll.interval.ms: Value must be at least 1"
                    ));
                }
            }
        }
        if plugin == Plugin::TableSink {
            for (key, allowed) in [("pk.mode", &["record_key", "none"][..]), ("insert.mode", &["upsert", "insert"][..])]
            {
                if let Some(v) = lookup(&props, key).filter(|v| !allowed.contains(&v.trim())) {
                    errors.push(format!(
                        "Invalid value {v} for configuration {key}: String must be one of: {}",
                        allowed.join(", ")
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(bad(errors));
        }
        Ok(ConnectorConfig {
            name,
            plugin,
            key_converter: key_converter.unwrap_or_else(|| worker.key_converter.clone()),
            value_converter: value_converter.unwrap_or_else(|| worker.value_converter.clone()),
            props,
        })
    }

    /// The settings as a JSON object in `java.util.HashMap` order, as the REST API writes
    /// a connector's config.
    pub(crate) fn props_json(&self) -> String {
        props_json(&self.props)
    }
}

/// A string map as Jackson writes a `HashMap<String, String>`.
pub(crate) fn props_json(props: &[(String, String)]) -> String {
    let mut unique: Vec<(String, String)> = Vec::new();
    for (k, v) in props {
        match unique.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v.clone(),
            None => unique.push((k.clone(), v.clone())),
        }
    }
    let ordered = crate::java::hash_map_order(unique, |(k, _)| crate::java::string_hash(k));
    let fields: Vec<String> = ordered.iter().map(|(k, v)| format!("{}:{}", json::quote(k), json::quote(v))).collect();
    format!("{{{}}}", fields.join(","))
}

/// The default worker converter when a test needs one.
#[cfg(test)]
pub(crate) fn test_worker(plugin_path: &str) -> WorkerConfig {
    let props = vec![
        ("key.converter".to_string(), JSON_CONVERTER.to_string()),
        ("value.converter".to_string(), JSON_CONVERTER.to_string()),
        ("offset.storage.file.filename".to_string(), "/tmp/connect.offsets".to_string()),
        ("plugin.path".to_string(), plugin_path.to_string()),
    ];
    WorkerConfig::from_properties(&props).unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn worker_config_needs_converters_and_an_offsets_file() {
        let err = WorkerConfig::from_properties(&props(&[("bootstrap.servers", "localhost:9092")]));
        assert_eq!(
            err,
            Err("Missing required configuration \"key.converter\" which has no default value.".to_string())
        );
        let mut p = props(&[("key.converter", JSON_CONVERTER), ("value.converter", JSON_CONVERTER)]);
        assert_eq!(
            WorkerConfig::from_properties(&p),
            Err("Missing required configuration \"offset.storage.file.filename\" which has no default value."
                .to_string())
        );
        p.push(("offset.storage.file.filename".to_string(), "/tmp/connect.offsets".to_string()));
        p.push(("value.converter.schemas.enable".to_string(), "false".to_string()));
        let config = WorkerConfig::from_properties(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.rest_port, 8083);
        assert_eq!(config.offset_flush_interval_ms, 60_000);
        assert_eq!(config.value_converter, Converter::Json { schemas_enable: false });
        assert_eq!(config.key_converter, Converter::Json { schemas_enable: true });
    }

    #[test]
    fn file_connectors_need_the_plugin_path_of_the_quickstart() {
        let source = props(&[("name", "s"), ("connector.class", "FileStreamSource"), ("topic", "t")]);
        let err = ConnectorConfig::validate(&test_worker(""), source.clone()).unwrap_err();
        assert_eq!(err.exception, CONNECT_EXCEPTION);
        assert!(err.message.starts_with("Failed to find any class that implements Connector and which name matches FileStreamSource, available connectors are: PluginDesc{klass=class org.apache.kafka.connect.mirror.MirrorCheckpointConnector"));
        let ok = ConnectorConfig::validate(&test_worker("libs/connect-file-4.0.0.jar"), source);
        assert_eq!(ok.map(|c| c.plugin), Ok(Plugin::FileStreamSource));
    }

    #[test]
    fn missing_topic_settings_are_reported_as_the_herder_does() {
        let worker = test_worker("libs/connect-file-4.0.0.jar");
        let source =
            ConnectorConfig::validate(&worker, props(&[("name", "s"), ("connector.class", "FileStreamSource")]));
        assert_eq!(source.unwrap_err().message, "Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration \"topic\" which has no default value.\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`");
        let sink =
            ConnectorConfig::validate(&worker, props(&[("name", "k"), ("connector.class", "FileStreamSinkConnector")]));
        assert!(sink.unwrap_err().message.contains("following 2 error(s):\nMust configure one of topics or topics.regex\nMust configure one of topics or topics.regex\n"));
        let no_class = ConnectorConfig::validate(&worker, props(&[("name", "k")]));
        assert_eq!(no_class.unwrap_err().message, "Connector config {name=k} contains no connector type");
    }

    #[test]
    fn config_json_follows_java_hash_map_order() {
        let p = props(&[
            ("name", "local-file-source"),
            ("connector.class", "FileStreamSource"),
            ("tasks.max", "1"),
            ("file", "test.txt"),
            ("topic", "connect-test"),
        ]);
        assert_eq!(
            props_json(&p),
            r#"{"connector.class":"FileStreamSource","file":"test.txt","tasks.max":"1","name":"local-file-source","topic":"connect-test"}"#
        );
    }
}
