//! `kafka-leader-election.sh` (`LeaderElectionCommand`): preferred or unclean leader
//! election for one partition or all of them, with the tool's three kinds of lines.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::{Console, Outcome};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::ids::ClientId;
use crate::node::ClientEvent;
use crate::protocol::ElectionType;
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "admin.config", arg: Some("String: config file"), help: "Configuration properties files to pass to the admin client" },
    OptSpec { name: "all-topic-partitions", arg: None, help: "Perform election on all of the eligible topic partitions based on the type of election (see the --election-type flag). Not allowed if --topic or --path-to-json-file is specified." },
    OptSpec { name: "bootstrap-server", arg: Some("String: host:port"), help: "A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can be given. REQUIRED." },
    OptSpec { name: "election-type", arg: Some("[PREFERRED,UNCLEAN]: election type"), help: "Type of election to attempt. Possible values are \"preferred\" for preferred leader election or \"unclean\" for unclean leader election. If preferred election is selection, the election is only performed if the current leader is not the preferred leader for the topic partition. If unclean election is selected, the election is only performed if there are no leader for the topic partition. REQUIRED." },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "partition", arg: Some("Integer: partition id"), help: "Partition id for which to perform an election. REQUIRED if --topic is specified." },
    OptSpec { name: "path-to-json-file", arg: Some("String: Path to JSON file"), help: "The JSON file with the list of partition for which leader elections should be performed." },
    OptSpec { name: "topic", arg: Some("String: topic name"), help: "Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions is specified." },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

#[derive(Clone)]
pub(crate) struct ElectionJob {
    pub(crate) client: ClientId,
    election: ElectionType,
}

const ADMIN_COMMAND_FAILED: &str = "kafka.common.AdminCommandFailedException";

fn failed(con: &mut Console, message: &str) -> Outcome {
    con.exception(ADMIN_COMMAND_FAILED, message)
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let p = match options::parse(SPECS, args) {
        Ok(p) => p,
        Err(e) => return failed(con, &e.message),
    };
    if p.has("help") {
        return options::print_help(con, SPECS, Some("This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas."));
    }
    let missing: Vec<&str> = ["bootstrap-server", "election-type"].into_iter().filter(|o| !p.has(o)).collect();
    if !missing.is_empty() {
        return failed(con, &format!("Missing required option(s): {}", missing.join(", ")));
    }
    let exclusive = ["topic", "all-topic-partitions", "path-to-json-file"].iter().filter(|o| p.has(o)).count();
    if exclusive != 1 {
        return failed(
            con,
            "One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file",
        );
    }
    if p.has("topic") && !p.has("partition") {
        return failed(con, "Missing required option(s): partition");
    }
    if !p.has("topic") && p.has("partition") {
        return failed(con, "Option partition is only allowed if topic is used");
    }
    if p.has("path-to-json-file") {
        con.err("kafka-leader-election.sh --path-to-json-file: not simulated yet in Kafka Playground; use --topic/--partition or --all-topic-partitions.");
        return Outcome::Done(1);
    }
    // joptsimple's EnumConverter matches constant names ignoring case.
    let raw = p.value("election-type").unwrap_or_default();
    let election = match raw.to_ascii_uppercase().as_str() {
        "PREFERRED" => ElectionType::Preferred,
        "UNCLEAN" => ElectionType::Unclean,
        _ => return failed(con, &format!("Cannot parse argument '{raw}' of option election-type")),
    };
    let partitions = match (p.value("topic"), p.value("partition").map(str::parse::<u32>)) {
        (Some(t), Some(Ok(n))) => Some(vec![(t.to_string(), n)]),
        (Some(_), Some(Err(_))) => {
            return failed(
                con,
                &format!("Cannot parse argument '{}' of option partition", p.value("partition").unwrap_or_default()),
            )
        }
        _ => None,
    };
    let servers: Vec<String> =
        p.value("bootstrap-server").unwrap_or_default().split(',').map(|s| s.trim().to_string()).collect();
    let client = con.start_admin(world, servers, AdminCall::ElectLeaders { election, partitions });
    Outcome::Job(JobKind::Election(ElectionJob { client, election }))
}

impl ElectionJob {
    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else { return };
        let kind = self.election.name();
        match outcome {
            AdminOutcome::Elected(results) => {
                let name = |(t, p): &(String, u32)| format!("{t}-{p}");
                let mut done = Vec::new();
                let mut noop = Vec::new();
                let mut errors = Vec::new();
                for (tp, error) in &results {
                    match error {
                        None => done.push(name(tp)),
                        Some(e) if e.error == crate::error::KafkaError::ElectionNotNeeded => noop.push(name(tp)),
                        Some(e) => errors.push((name(tp), e.clone())),
                    }
                }
                if !done.is_empty() {
                    emit.out(format!(
                        "Successfully completed leader election ({kind}) for partitions {}",
                        done.join(", ")
                    ));
                }
                if !noop.is_empty() {
                    emit.out(format!("Valid replica already elected for partitions {}", noop.join(", ")));
                }
                for (tp, e) in &errors {
                    emit.out(format!(
                        "Error completing leader election ({kind}) for partition: {tp}: {}: {}",
                        e.error.exception(),
                        e.message
                    ));
                }
                if errors.is_empty() {
                    emit.exit(0);
                } else {
                    let message = format!("{} replica(s) could not be elected", errors.len());
                    emit.exception(ADMIN_COMMAND_FAILED, &message);
                }
            }
            AdminOutcome::TimedOut(_) => {
                let message = "Timeout waiting for election results";
                emit.out(message.to_string());
                emit.exception(ADMIN_COMMAND_FAILED, message);
            }
            _ => emit.exit(1),
        }
    }
}
