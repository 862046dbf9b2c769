//! `kafka-server-start.sh CONFIG [--override k=v]`: checks the config and the formatted
//! log directories as `KafkaRaftServer` does, then starts the server process. In the
//! playground a server always runs in the background once it has started.

use super::job::JobKind;
use super::storage::{META_PROPERTIES, VOTERS_CHECKPOINT};
use super::vfs::parse_properties;
use super::{Console, Outcome};
use crate::config::ServerConfig;
use crate::ids::{Addr, NodeId};
use crate::server::Server;
use crate::time::format_log_timestamp;
use crate::world::World;

const USAGE: &str =
    "USAGE: kafka-server-start.sh [-daemon] server.properties [--override property=value]*";

fn fatal(con: &mut Console, world: &World, exception: &str) -> Outcome {
    let ts = format_log_timestamp(world.now().wall_ms());
    con.err(format!(
        "{ts} ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)"
    ));
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
        let pair = if *arg == "--override" {
            rest.next().map(|s| s.as_str())
        } else {
            None
        };
        match pair.and_then(|p| p.split_once('=')) {
            Some((k, v)) => overrides.push((k.trim().to_string(), v.trim().to_string())),
            None => {
                con.err(format!("Invalid override argument: {}. Overrides must be of the form --override key=value", pair.unwrap_or(arg)));
                con.err(USAGE);
                return Outcome::Done(1);
            }
        }
    }
    let path = con.vfs.resolve(config_path);
    let text = match con.vfs.read(&path) {
        Ok(t) => t.to_string(),
        Err(_) => {
            return fatal(
                con,
                world,
                &format!("java.nio.file.NoSuchFileException: {config_path}"),
            )
        }
    };
    let mut props = parse_properties(&text);
    props.extend(overrides);
    let config = match ServerConfig::from_properties(&props) {
        Ok(c) => c,
        Err(message) => {
            return fatal(
                con,
                world,
                &format!("org.apache.kafka.common.config.ConfigException: {message}"),
            )
        }
    };
    if !config
        .log_dirs
        .iter()
        .any(|d| con.vfs.is_file(&format!("{d}/{META_PROPERTIES}")))
    {
        let outcome = fatal(
            con,
            world,
            "java.lang.RuntimeException: No readable meta.properties files found.",
        );
        con.hint("Format the log directories first: bin/kafka-storage.sh format --standalone -t $KAFKA_CLUSTER_ID -c CONFIG");
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
        .filter(|p| {
            world
                .servers
                .values()
                .any(|s| s.running && s.config.listeners.iter().any(|l| l.port == *p))
        })
        .collect();
    if let Some(port) = busy.first() {
        return fatal(con, world, &format!("org.apache.kafka.common.KafkaException: Socket server failed to bind to 0.0.0.0:{port}: Address already in use."));
    }
    let voters = if !config.controller {
        Vec::new()
    } else if !config.quorum_voters.is_empty() {
        config.quorum_voters.iter().map(|(id, _)| *id).collect()
    } else {
        let metadata_dir = config.log_dirs.first().cloned().unwrap_or_default();
        let checkpoint = con
            .vfs
            .read(&format!("{metadata_dir}/{VOTERS_CHECKPOINT}"))
            .map(str::to_string)
            .unwrap_or_default();
        let parsed: Vec<NodeId> = checkpoint
            .lines()
            .filter_map(|l| l.strip_prefix("voters="))
            .flat_map(|v| {
                v.split(',')
                    .filter_map(|id| id.trim().parse().ok())
                    .map(NodeId)
            })
            .collect();
        parsed
    };
    if config.controller && voters != [node_id] {
        con.err(format!("kafka-server-start.sh: this controller's quorum ({} voter(s)) is not simulated yet: Kafka Playground runs single-controller quorums so far.", voters.len()));
        con.hint("Format with --standalone, or use a config whose controller.quorum.voters names only this node.");
        return Outcome::Done(1);
    }
    let rng = world.rng_for(Addr::Node(node_id));
    let server = Server::new(config, voters, rng);
    world.start_server(server);
    Outcome::Job(JobKind::Server { node: node_id })
}
