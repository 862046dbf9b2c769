//! `kafka-server-start.sh CONFIG [--override k=v]`: checks the config and the formatted
//! log directories as `KafkaRaftServer` does, then starts the server process. In the
//! playground a server always runs in the background once it has started.

use super::job::JobKind;
use super::storage::{META_PROPERTIES, VOTERS_CHECKPOINT};
use super::vfs::parse_properties;
use super::{Console, Outcome};
use crate::config::ServerConfig;
use crate::controller::QuorumIdentity;
use crate::ids::{Addr, NodeId, Uuid};
use crate::server::Server;
use crate::time::format_log_timestamp;
use crate::world::World;

const USAGE: &str = "USAGE: kafka-server-start.sh [-daemon] server.properties [--override property=value]*";

fn fatal(con: &mut Console, world: &World, exception: &str) -> Outcome {
    let ts = format_log_timestamp(world.now().wall_ms());
    con.err(format!("{ts} ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)"));
    con.err(exception.to_string());
    Outcome::Done(1)
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let args: Vec<&String> = args.iter().filter(|a| *a != "-daemon").collect();
    let Some(config_path) = args.first() else {
        con.err(USAGE);
        return Outcome::Done(1);
    };
    let mut overrides = Vec::new();
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        let pair = if *arg == "--override" { rest.next().map(|s| s.as_str()) } else { None };
        match pair.and_then(|p| p.split_once('=')) {
            Some((k, v)) => overrides.push((k.trim().to_string(), v.trim().to_string())),
            None => {
                con.err(format!(
                    "Invalid override argument: {}. Overrides must be of the form --override key=value",
                    pair.unwrap_or(arg)
                ));
                con.err(USAGE);
                return Outcome::Done(1);
            }
        }
    }
    let path = con.vfs.resolve(config_path);
    let text = match con.vfs.read(&path) {
        Ok(t) => t.to_string(),
        Err(_) => return fatal(con, world, &format!("java.nio.file.NoSuchFileException: {config_path}")),
    };
    let mut props = parse_properties(&text);
    props.extend(overrides);
    let config = match ServerConfig::from_properties(&props) {
        Ok(c) => c,
        Err(message) => {
            return fatal(con, world, &format!("org.apache.kafka.common.config.ConfigException: {message}"))
        }
    };
    if !config.log_dirs.iter().any(|d| con.vfs.is_file(&format!("{d}/{META_PROPERTIES}"))) {
        let outcome = fatal(con, world, "java.lang.RuntimeException: No readable meta.properties files found.");
        con.hint(
            "Format the log directories first: bin/kafka-storage.sh format --standalone -t $KAFKA_CLUSTER_ID -c CONFIG",
        );
        return outcome;
    }
    let node_id = config.node_id;
    if world.servers.get(&node_id).is_some_and(|s| s.running) {
        return fatal(con, world, &format!("java.lang.RuntimeException: Node {} is already running in this playground (its log directories are locked).", node_id.0));
    }
    let busy: Vec<u16> = config
        .listeners
        .iter()
        .map(|l| l.port)
        .filter(|p| world.servers.values().any(|s| s.running && s.config.listeners.iter().any(|l| l.port == *p)))
        .collect();
    if let Some(port) = busy.first() {
        return fatal(con, world, &format!("org.apache.kafka.common.KafkaException: Socket server failed to bind to 0.0.0.0:{port}: Address already in use."));
    }
    let metadata_dir = config.log_dirs.first().cloned().unwrap_or_default();
    let meta = con.vfs.read(&format!("{metadata_dir}/{META_PROPERTIES}")).map(parse_properties).unwrap_or_default();
    let meta_value = |key: &str| meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    if meta_value("node.id").is_some_and(|stored| stored != node_id.0.to_string()) {
        let stored = meta_value("node.id").unwrap_or_default();
        return fatal(con, world, &format!("java.lang.RuntimeException: Stored node id {stored} doesn't match previous node id {} in {metadata_dir}/{META_PROPERTIES}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.", node_id.0));
    }
    let listener_name = config.controller_listener_names.first().cloned().unwrap_or_else(|| "CONTROLLER".to_string());
    let voters: Vec<(NodeId, String)> = if !config.quorum_voters.is_empty() {
        config.quorum_voters.iter().map(|(id, host_port)| (*id, format!("{listener_name}://{host_port}"))).collect()
    } else {
        let checkpoint =
            con.vfs.read(&format!("{metadata_dir}/{VOTERS_CHECKPOINT}")).map(str::to_string).unwrap_or_default();
        checkpoint
            .lines()
            .filter_map(|l| l.strip_prefix("voters="))
            .flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>())
            .filter_map(|voter| {
                let (id, host_port) = voter.trim().split_once('@')?;
                Some((NodeId(id.parse().ok()?), format!("{listener_name}://{host_port}")))
            })
            .collect()
    };
    if config.controller && !voters.iter().any(|(id, _)| *id == node_id) {
        con.err(format!("kafka-server-start.sh: node {} is a controller but not one of the quorum's voters; joining a dynamic quorum as a new voter (kafka-metadata-quorum.sh add-controller) is not simulated yet.", node_id.0));
        return Outcome::Done(1);
    }
    let identity = QuorumIdentity {
        cluster_id: meta_value("cluster.id").unwrap_or_default(),
        directory_id: meta_value("directory.id").and_then(|d| Uuid::parse(&d)).unwrap_or(Uuid([0; 16])),
        voters,
    };
    // The metadata log's segment, so `ls` shows it and kafka-dump-log.sh can name it.
    let segment = format!("{metadata_dir}/{}", super::dump_log::SEGMENT);
    let note =
        "(binary log segment: read it with bin/kafka-dump-log.sh --cluster-metadata-decoder --files <this file>)\n";
    let _ = con
        .vfs
        .create_dir_all(&format!("{metadata_dir}/__cluster_metadata-0"))
        .and_then(|()| con.vfs.write(&segment, note));
    let rng = world.rng_for(Addr::Node(node_id));
    let server = Server::new(config, identity, rng);
    world.start_server(server);
    Outcome::Job(JobKind::Server { node: node_id })
}
