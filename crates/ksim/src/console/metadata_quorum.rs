//! `kafka-metadata-quorum.sh` (`MetadataQuorumCommand`): `describe --status` and
//! `describe --replication [--human-readable]` in Kafka's exact layout.

use super::job::{Emit, JobKind};
use super::{Console, Outcome};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::ids::{ClientId, Uuid};
use crate::node::ClientEvent;
use crate::protocol::{QuorumDescription, ReplicaDescription};
use crate::world::World;

const USAGE: &str = "usage: kafka-metadata-quorum [-h] [--command-config COMMAND_CONFIG] (--bootstrap-server BOOTSTRAP_SERVER | --bootstrap-controller BOOTSTRAP_CONTROLLER) {describe,add-controller,remove-controller} ...";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Report {
    Status,
    Replication { human_readable: bool },
}

#[derive(Clone)]
pub(crate) struct QuorumJob {
    pub(crate) client: ClientId,
    report: Report,
}

fn usage_error(con: &mut Console, message: &str) -> Outcome {
    con.err(USAGE);
    con.err(format!("kafka-metadata-quorum: error: {message}"));
    Outcome::Done(1)
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let mut bootstrap = None;
    let mut command = None;
    let (mut status, mut replication, mut human_readable) = (false, false, false);
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                con.out(USAGE);
                con.out("");
                con.out("This tool describes kraft metadata quorum status.");
                return Outcome::Done(0);
            }
            "--bootstrap-server" | "--bootstrap-controller" => match iter.next() {
                Some(v) => bootstrap = Some(v.clone()),
                None => return usage_error(con, &format!("argument {arg}: expected one argument")),
            },
            "--command-config" => {
                iter.next();
            }
            "--status" => status = true,
            "--replication" => replication = true,
            "--human-readable" => human_readable = true,
            "describe" | "add-controller" | "remove-controller" if command.is_none() => command = Some(arg.clone()),
            other => return usage_error(con, &format!("unrecognized arguments: '{other}'")),
        }
    }
    let Some(bootstrap) = bootstrap else {
        return usage_error(con, "one of the arguments --bootstrap-server --bootstrap-controller is required");
    };
    match command.as_deref() {
        None => return usage_error(con, "too few arguments"),
        Some("describe") => {}
        Some(other) => {
            con.err(format!("kafka-metadata-quorum.sh {other}: not simulated yet in Kafka Playground (adding and removing controllers comes later)."));
            return Outcome::Done(1);
        }
    }
    let report = match (status, replication) {
        (true, true) => {
            return terse(con, "Only one of --status or --replication should be specified with describe sub-command")
        }
        (false, false) => {
            return terse(con, "One of --status or --replication must be specified with describe sub-command")
        }
        (true, false) if human_readable => {
            return terse(con, "The option --human-readable is only supported along with --replication")
        }
        (true, false) => Report::Status,
        (false, true) => Report::Replication { human_readable },
    };
    let servers: Vec<String> = bootstrap.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let client = con.start_admin(world, servers, AdminCall::DescribeQuorum);
    Outcome::Job(JobKind::Quorum(QuorumJob { client, report }))
}

/// `TerseException`: the message alone on stderr.
fn terse(con: &mut Console, message: &str) -> Outcome {
    con.err(message.to_string());
    Outcome::Done(1)
}

fn directory(d: Uuid) -> String {
    if d == Uuid([0; 16]) {
        "null".to_string()
    } else {
        format!("\"{d}\"")
    }
}

/// `{"id": 1, "directoryId": "…", "endpoints": ["CONTROLLER://localhost:9093"]}`
fn node(r: &ReplicaDescription) -> String {
    let mut text = format!("{{\"id\": {}, \"directoryId\": {}", r.replica_id.0, directory(r.directory_id));
    if !r.endpoints.is_empty() {
        let list: Vec<String> = r.endpoints.iter().map(|e| format!("\"{e}\"")).collect();
        text.push_str(&format!(", \"endpoints\": [{}]", list.join(", ")));
    }
    text.push('}');
    text
}

fn status_lines(q: &QuorumDescription) -> Vec<String> {
    let leader = q.voters.iter().find(|v| v.replica_id == q.leader_id);
    let laggard = q.voters.iter().min_by_key(|v| v.log_end_offset);
    let (lag, lag_time) = match (leader, laggard) {
        (Some(l), Some(m)) if l.replica_id == m.replica_id => (0, 0),
        (Some(l), Some(m)) => {
            let time = if l.last_caught_up_timestamp >= 0 && m.last_caught_up_timestamp >= 0 {
                l.last_caught_up_timestamp - m.last_caught_up_timestamp
            } else {
                -1
            };
            (l.log_end_offset as i64 - m.log_end_offset as i64, time)
        }
        _ => (0, -1),
    };
    let list = |rs: &[ReplicaDescription]| format!("[{}]", rs.iter().map(node).collect::<Vec<_>>().join(", "));
    vec![
        format!("ClusterId:              {}", q.cluster_id),
        format!("LeaderId:               {}", q.leader_id.0),
        format!("LeaderEpoch:            {}", q.leader_epoch),
        format!("HighWatermark:          {}", q.high_watermark),
        format!("MaxFollowerLag:         {lag}"),
        format!("MaxFollowerLagTimeMs:   {lag_time}"),
        format!("CurrentVoters:          {}", list(&q.voters)),
        format!("CurrentObservers:       {}", list(&q.observers)),
    ]
}

/// `ToolsUtils.prettyPrintTable`: each cell padded to its column and followed by a tab.
fn table(headers: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let render = |cells: Vec<&str>| cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}\t")).collect::<String>();
    let mut out = vec![render(headers.to_vec())];
    out.extend(rows.iter().map(|r| render(r.iter().map(String::as_str).collect())));
    out
}

fn replication_lines(q: &QuorumDescription, human_readable: bool, now_wall_ms: u64) -> Vec<String> {
    let leader_leo = q.voters.iter().find(|v| v.replica_id == q.leader_id).map_or(0, |l| l.log_end_offset);
    let time = |t: i64| match (t, human_readable) {
        (-1, _) => "-1".to_string(),
        (t, true) => format!("{} ms ago", (now_wall_ms as i64 - t).max(0)),
        (t, false) => t.to_string(),
    };
    let row = |r: &ReplicaDescription, status: &str| {
        vec![
            r.replica_id.0.to_string(),
            r.directory_id.to_string(),
            r.log_end_offset.to_string(),
            (leader_leo as i64 - r.log_end_offset as i64).to_string(),
            time(r.last_fetch_timestamp),
            time(r.last_caught_up_timestamp),
            status.to_string(),
        ]
    };
    let mut rows: Vec<Vec<String>> =
        q.voters.iter().filter(|v| v.replica_id == q.leader_id).map(|r| row(r, "Leader")).collect();
    rows.extend(q.voters.iter().filter(|v| v.replica_id != q.leader_id).map(|r| row(r, "Follower")));
    rows.extend(q.observers.iter().map(|r| row(r, "Observer")));
    table(
        &["NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status"],
        &rows,
    )
}

impl QuorumJob {
    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else {
            return;
        };
        match outcome {
            AdminOutcome::Quorum(q) => {
                let lines = match self.report {
                    Report::Status => status_lines(&q),
                    Report::Replication { human_readable } => replication_lines(&q, human_readable, emit.now_wall_ms),
                };
                for line in lines {
                    emit.out(line);
                }
                emit.exit(0);
            }
            AdminOutcome::TimedOut(message) => {
                emit.err(format!("org.apache.kafka.common.errors.TimeoutException: {message}"));
                emit.err(
                    "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: "
                        .to_string()
                        + &message,
                );
                emit.exit(1);
            }
            _ => emit.exit(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_every_cell_and_end_each_with_a_tab() {
        let lines = table(
            &["NodeId", "Status"],
            &[vec!["1".to_string(), "Leader".to_string()], vec!["12".to_string(), "Follower".to_string()]],
        );
        assert_eq!(lines, vec!["NodeId\tStatus  \t", "1     \tLeader  \t", "12    \tFollower\t"]);
    }
}
