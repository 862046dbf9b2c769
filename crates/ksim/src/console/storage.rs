//! `kafka-storage.sh` (`StorageTool`, metadata `Formatter`): `random-uuid` and `format`,
//! which writes `meta.properties` into each log directory of the virtual file system.

use super::vfs::parse_properties;
use super::{Console, Outcome};
use crate::config::ServerConfig;
use crate::ids::Uuid;
use crate::metadata::METADATA_VERSION;
use crate::world::World;

const USAGE: &str = "usage: kafka-storage [-h] {info,format,version-mapping,feature-dependencies,random-uuid} ...";

/// Name of the file that records a formatted directory.
pub(crate) const META_PROPERTIES: &str = "meta.properties";
/// The bootstrap snapshot of a dynamic quorum; here it holds the initial voters as text.
pub(crate) const VOTERS_CHECKPOINT: &str = "__cluster_metadata-0/00000000000000000000-0000000000.checkpoint";

pub(crate) fn run(con: &mut Console, _world: &mut World, args: &[String]) -> Outcome {
    let Some(command) = args.first() else {
        con.err(USAGE);
        con.err("kafka-storage: error: too few arguments");
        return Outcome::Done(1);
    };
    match command.as_str() {
        "-h" | "--help" => {
            for line in HELP.lines() {
                con.out(line.to_string());
            }
            Outcome::Done(0)
        }
        "random-uuid" => {
            let uuid = Uuid::random(&mut con.rng);
            con.out(uuid.to_string());
            Outcome::Done(0)
        }
        "format" => format(con, &args[1..]),
        "info" | "version-mapping" | "feature-dependencies" => {
            con.err(format!("kafka-storage.sh {command}: not simulated yet in Kafka Playground."));
            Outcome::Done(1)
        }
        other => {
            con.err(USAGE);
            con.err(format!("kafka-storage: error: argument command: invalid choice: '{other}' (choose from 'info', 'format', 'version-mapping', 'feature-dependencies', 'random-uuid')"));
            Outcome::Done(1)
        }
    }
}

struct FormatArgs {
    cluster_id: Option<String>,
    config: Option<String>,
    standalone: bool,
    initial_controllers: Option<String>,
    no_initial_controllers: bool,
    ignore_formatted: bool,
}

/// argparse4j's parsing of `format`'s flags.
fn parse_format_args(args: &[String]) -> Result<FormatArgs, String> {
    let mut parsed = FormatArgs {
        cluster_id: None,
        config: None,
        standalone: false,
        initial_controllers: None,
        no_initial_controllers: false,
        ignore_formatted: false,
    };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| iter.next().cloned())
                .filter(|v| !v.starts_with('-'))
                .ok_or_else(|| format!("argument {name}: expected one argument"))
        };
        match flag {
            "-t" | "--cluster-id" => parsed.cluster_id = Some(value("--cluster-id/-t")?),
            "-c" | "--config" => parsed.config = Some(value("--config/-c")?),
            "-s" | "--standalone" => parsed.standalone = true,
            "-I" | "--initial-controllers" => parsed.initial_controllers = Some(value("--initial-controllers/-I")?),
            "-N" | "--no-initial-controllers" => parsed.no_initial_controllers = true,
            "-g" | "--ignore-formatted" => parsed.ignore_formatted = true,
            other => return Err(format!("unrecognized arguments: '{other}'")),
        }
    }
    if parsed.config.is_none() {
        return Err("argument --config/-c is required".to_string());
    }
    if parsed.cluster_id.is_none() {
        return Err("argument --cluster-id/-t is required".to_string());
    }
    let exclusive = [parsed.standalone, parsed.initial_controllers.is_some(), parsed.no_initial_controllers]
        .iter()
        .filter(|b| **b)
        .count();
    if exclusive > 1 {
        return Err("argument --standalone/-s: not allowed with argument --initial-controllers/-I".to_string());
    }
    Ok(parsed)
}

/// Kafka's `Uuid.fromString`: 22 characters of URL-safe base64 for 16 bytes.
fn valid_uuid(text: &str) -> bool {
    text.len() == 22
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && matches!(text.as_bytes()[21], b'A' | b'Q' | b'g' | b'w')
}

fn format(con: &mut Console, args: &[String]) -> Outcome {
    let parsed = match parse_format_args(args) {
        Ok(p) => p,
        Err(message) => {
            con.err("usage: kafka-storage format [-h] --config CONFIG --cluster-id CLUSTER_ID [--add-scram ADD_SCRAM] [--ignore-formatted] [--release-version RELEASE_VERSION] [--feature FEATURE] [--standalone | --initial-controllers INITIAL_CONTROLLERS | --no-initial-controllers]");
            con.err(format!("kafka-storage format: error: {message}"));
            if message.contains("--cluster-id") {
                con.hint(
                    "Is $KAFKA_CLUSTER_ID empty? Set it first: KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid)",
                );
            }
            return Outcome::Done(1);
        }
    };
    let config_path = parsed.config.unwrap_or_default();
    let cluster_id = parsed.cluster_id.unwrap_or_default();
    let resolved = con.vfs.resolve(&config_path);
    let text = match con.vfs.read(&resolved) {
        Ok(t) => t.to_string(),
        Err(_) => {
            con.err(format!("Exception in thread \"main\" java.nio.file.NoSuchFileException: {config_path}"));
            return Outcome::Done(1);
        }
    };
    let config = match ServerConfig::from_properties(&parse_properties(&text)) {
        Ok(c) => c,
        Err(message) => {
            con.err(format!("Exception in thread \"main\" org.apache.kafka.common.config.ConfigException: {message}"));
            return Outcome::Done(1);
        }
    };
    if !valid_uuid(&cluster_id) {
        con.err(format!("Cluster ID string {cluster_id} does not appear to be a valid UUID: Input string `{cluster_id}` decoded as {} bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID", cluster_id.len() * 3 / 4));
        return Outcome::Done(1);
    }
    if parsed.standalone && !config.controller {
        con.err("You can only use --standalone on a controller.");
        return Outcome::Done(1);
    }
    let initial_voters = match &parsed.initial_controllers {
        Some(text) => match parse_initial_controllers(text) {
            Ok(v) => Some(v),
            Err(message) => {
                con.err(format!("Exception in thread \"main\" java.lang.IllegalArgumentException: {message}"));
                return Outcome::Done(1);
            }
        },
        None if parsed.standalone => {
            let port = config.port_of(true).unwrap_or(9093);
            Some(vec![(config.node_id.0, format!("localhost:{port}"), None)])
        }
        None => None,
    };
    let dynamic = config.quorum_voters.is_empty();
    if config.controller && dynamic && !parsed.standalone && !parsed.no_initial_controllers {
        con.err("Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.");
        return Outcome::Done(1);
    }
    let formatted: Vec<String> =
        config.log_dirs.iter().filter(|d| con.vfs.is_file(&format!("{d}/{META_PROPERTIES}"))).cloned().collect();
    if let Some(first) = formatted.first() {
        if !parsed.ignore_formatted {
            con.err(format!("Log directory {first} is already formatted. Use --ignore-formatted to ignore this directory and format the others."));
            return Outcome::Done(1);
        }
    }
    let empty: Vec<String> = config.log_dirs.iter().filter(|d| !formatted.contains(d)).cloned().collect();
    if empty.is_empty() {
        con.out("All of the log directories are already formatted.");
        return Outcome::Done(0);
    }
    let metadata_dir = config.log_dirs.first().cloned().unwrap_or_default();
    let node_id = config.node_id.0;
    for dir in empty {
        let is_metadata = dir == metadata_dir && config.controller;
        let my_voter = initial_voters.as_ref().and_then(|v| v.iter().find(|(id, _, _)| *id == node_id));
        let kind = match (is_metadata, dynamic, my_voter.is_some()) {
            (false, _, _) => "data directory",
            (true, false, _) => "metadata directory",
            (true, true, true) => "dynamic metadata voter directory",
            (true, true, false) => "dynamic metadata directory",
        };
        con.out(format!("Formatting {kind} {dir} with metadata.version {METADATA_VERSION}."));
        // A listed voter's directory keeps the id `--initial-controllers` gave it.
        let directory_id =
            my_voter.filter(|_| is_metadata).and_then(|(_, _, d)| *d).unwrap_or_else(|| Uuid::random(&mut con.rng));
        let meta = format!(
            "#\n#{}\nnode.id={node_id}\ndirectory.id={directory_id}\nversion=1\ncluster.id={cluster_id}\n",
            java_date_comment()
        );
        let mut writes = vec![
            (format!("{dir}/{META_PROPERTIES}"), meta),
            (
                format!("{dir}/bootstrap.checkpoint"),
                format!("# simulated: bootstrap metadata, metadata.version={METADATA_VERSION}\n"),
            ),
        ];
        if let (true, Some(voters)) = (is_metadata && dynamic, &initial_voters) {
            let list: Vec<String> = voters.iter().map(|(id, host_port, _)| format!("{id}@{host_port}")).collect();
            writes.push((
                format!("{dir}/{VOTERS_CHECKPOINT}"),
                format!("# simulated: KRaft voters snapshot\nvoters={}\n", list.join(",")),
            ));
        }
        for (path, contents) in writes {
            let parent = path.rsplit_once('/').map_or("/", |(p, _)| p).to_string();
            if let Err(e) = con.vfs.create_dir_all(&parent).and_then(|()| con.vfs.write(&path, &contents)) {
                con.err(format!("Error while writing meta.properties file {dir}: {}", e.kind.reason()));
                return Outcome::Done(1);
            }
        }
    }
    Outcome::Done(0)
}

/// `DynamicVoters.parse`: `ID@HOST:PORT:DIRECTORY_ID,…`, with Kafka's messages.
fn parse_initial_controllers(text: &str) -> Result<Vec<(u32, String, Option<Uuid>)>, String> {
    let mut voters = Vec::new();
    for voter in text.split(',') {
        let voter = voter.trim();
        let (id, rest) = voter.split_once('@').ok_or("No @ found in dynamic voter string.")?;
        if id.is_empty() {
            return Err("Invalid @ at beginning of dynamic voter string.".to_string());
        }
        let id: u32 = id.parse().map_err(|_| "Failed to parse node id in dynamic voter string.")?;
        let (host, rest) = rest.split_once(':').ok_or("No colon following hostname could be found.")?;
        if host.is_empty() {
            return Err("No hostname found after node id.".to_string());
        }
        let (port, directory) = rest.split_once(':').ok_or("No colon following port could be found.")?;
        let port: u16 = port.parse().map_err(|_| "Failed to parse port in dynamic voter string.")?;
        let directory = Uuid::parse(directory)
            .ok_or_else(|| format!("Failed to parse directory ID in dynamic voter string: {directory}"))?;
        voters.push((id, format!("{host}:{port}"), Some(directory)));
    }
    Ok(voters)
}

/// `java.util.Properties.store` writes the date as its second comment line.
fn java_date_comment() -> &'static str {
    "Tue Jun 25 14:06:00 UTC 2024"
}

const HELP: &str = "usage: kafka-storage [-h] {info,format,version-mapping,feature-dependencies,random-uuid} ...

The Kafka storage tool.

positional arguments:
  {info,format,version-mapping,feature-dependencies,random-uuid}
    info                 Get information about the Kafka log directories on this node.
    format               Format the Kafka log directories on this node.
    version-mapping      Look up the corresponding features for a given metadata version.
    feature-dependencies Look up dependencies for a given feature version.
    random-uuid          Print a random UUID.

optional arguments:
  -h, --help             show this help message and exit";
