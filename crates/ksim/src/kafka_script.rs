//! "Export as Kafka commands": the student's console session as a shell script for a real
//! Kafka 4 installation. Kafka's `bin/*.sh` lines are kept (with the records typed into a
//! console producer as a here-document); `ksim …` lines become comments saying what to do
//! by hand; other shell lines (`ls`, `cat`) become comments. Statements typed at the
//! `ksql>` prompt go to the `ksql` CLI as a here-document.

use crate::session::{Session, Stream};

/// How long an exported console consumer waits for records before exiting, so the
/// script goes on instead of waiting for Ctrl-C.
const CONSUMER_TIMEOUT_MS: u64 = 10_000;

impl Session {
    /// The session's commands as a `sh` script for a real Kafka 4 installation.
    pub fn export_kafka_commands(&self) -> String {
        let mut out = String::from(
            "#!/bin/sh\n\
             # Exported from Kafka Playground: the commands typed in the playground's console,\n\
             # for a Kafka 4 installation. Run it from the Kafka directory (KAFKA_HOME).\n\
             # Lines starting with '#' are things the playground did that you do by hand.\n\
             cd \"${KAFKA_HOME:-/opt/kafka}\" || exit 1\n\n",
        );
        // Command lines (with their continuations), then the records typed into them.
        let mut commands: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for line in self.output().iter() {
            match line.stream {
                Stream::Command => {
                    let in_ksql = commands.last().is_some_and(|(lines, _)| is_ksql(&lines[0]));
                    if let Some(cmd) = line.text.strip_prefix("$ ") {
                        commands.push((vec![cmd.to_string()], Vec::new()));
                    } else if let (Some(statement), Some((_, records))) = (
                        line.text.strip_prefix("ksql> ").or(line.text.strip_prefix('>').filter(|_| in_ksql)),
                        commands.last_mut().filter(|_| in_ksql),
                    ) {
                        records.push(statement.to_string());
                    } else if let (Some(more), Some((lines, _))) = (line.text.strip_prefix("> "), commands.last_mut()) {
                        lines.push(more.to_string());
                    }
                }
                Stream::Input => {
                    if let (Some(record), Some((_, records))) = (line.text.strip_prefix('>'), commands.last_mut()) {
                        if !record.is_empty() {
                            records.push(record.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        for (lines, records) in commands {
            let whole = lines.iter().map(|l| l.trim_end_matches('\\').trim()).collect::<Vec<_>>().join(" ");
            let first = whole.split_whitespace().next().unwrap_or("");
            if first == "ksim" {
                out.push_str(&explain_ksim(&whole));
                continue;
            }
            if is_ksql(&whole) {
                out.push_str(&ksql_here_document(&whole, &records));
                continue;
            }
            if first == "curl" {
                out.push_str(&format!("{whole}\n"));
                continue;
            }
            if first.ends_with("connect-standalone.sh") {
                // The playground's worker went on in the background once it had started.
                out.push_str("# The playground ran the Connect worker in the background; here too.\n");
                out.push_str(&format!("{whole} &\nsleep 10\n"));
                continue;
            }
            if !whole.contains("kafka-") || !whole.contains(".sh") {
                if is_assignment(&whole) {
                    out.push_str(&format!("{}\n", with_bin(&whole)));
                } else {
                    out.push_str(&format!("# (typed in the playground) {whole}\n"));
                }
                continue;
            }
            let mut text = lines.iter().map(|l| with_bin(l)).collect::<Vec<_>>().join("\n");
            let background = whole.ends_with('&');
            if whole.contains("kafka-server-start.sh") && !background {
                out.push_str("# The playground ran the server in its console; here it runs in the background.\n");
                text.push_str(" &\nsleep 10");
            } else if whole.contains("kafka-console-consumer.sh") && !background && !whole.contains("--timeout-ms") {
                out.push_str(&format!(
                    "# Ctrl-C stopped the consumer in the playground; here it exits after {} s without records.\n",
                    CONSUMER_TIMEOUT_MS / 1000
                ));
                text.push_str(&format!(" --timeout-ms {CONSUMER_TIMEOUT_MS}"));
            }
            if whole.contains("kafka-console-producer.sh") && !whole.contains('|') && !whole.contains('<') {
                text.push_str(" <<'EOF'\n");
                for r in &records {
                    text.push_str(r);
                    text.push('\n');
                }
                text.push_str("EOF");
            }
            out.push_str(&text);
            out.push('\n');
        }
        out
    }
}

/// The `ksql` CLI (with or without a server URL).
fn is_ksql(command: &str) -> bool {
    command.split_whitespace().next() == Some("ksql")
}

/// The statements typed at `ksql>` for the ksqlDB CLI to read; `ksim` lines typed there
/// become comments, `exit` ends the document.
fn ksql_here_document(command: &str, statements: &[String]) -> String {
    let mut out = String::from(
        "# ksqlDB: needs a ksqlDB server at http://localhost:8088 (the playground simulates one).
",
    );
    out.push_str(command);
    if statements.is_empty() {
        out.push('\n');
        return out;
    }
    out.push_str(" <<'EOF'\n");
    for s in statements {
        let word = s.split_whitespace().next().unwrap_or_default();
        if word == "ksim" {
            out.push_str(&format!("-- (playground) {s}\n"));
        } else if !s.trim().eq_ignore_ascii_case("exit") {
            out.push_str(s);
            out.push('\n');
        }
    }
    out.push_str("EOF\n");
    out
}

/// `KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid)` and `export X=…` are kept.
fn is_assignment(line: &str) -> bool {
    let line = line.strip_prefix("export ").unwrap_or(line);
    line.split_once('=')
        .is_some_and(|(name, _)| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// `kafka-topics.sh` → `bin/kafka-topics.sh`: the playground has Kafka's bin on its PATH.
fn with_bin(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("kafka-") {
        let before = &rest[..at];
        let bare = !before.ends_with(|c: char| c == '/' || c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let word_end = rest[at..]
            .find(|c: char| c.is_whitespace() || c == ')' || c == ';' || c == '|')
            .map_or(rest.len(), |e| at + e);
        out.push_str(before);
        if bare && rest[at..word_end].ends_with(".sh") {
            out.push_str("bin/");
        }
        out.push_str(&rest[at..word_end]);
        rest = &rest[word_end..];
    }
    out.push_str(rest);
    out
}

fn explain_ksim(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let what = match words.get(1..).unwrap_or_default() {
        ["start-cluster", ..] => "format each node's storage (kafka-storage.sh format) and start each one (kafka-server-start.sh), one terminal per node".to_string(),
        ["kill", node] => format!("stop node {node} (Ctrl-C its kafka-server-start.sh)"),
        ["restart", node] => format!("start node {node} again (rerun its kafka-server-start.sh)"),
        ["advance", d] => {
            let secs = crate::time::parse_duration_ms(d).map_or(1, |ms| ms.div_ceil(1000).max(1));
            return format!("# {line}: let time pass\nsleep {secs}\n");
        }
        ["partition", ..] => "cut the network between these nodes (for example with iptables); skip it on one machine".to_string(),
        ["heal"] => "restore the network between the nodes".to_string(),
        ["latency", ms] => format!("add {ms} of network delay (for example with tc qdisc … netem delay)"),
        ["stall", job, d] => format!("pause job {job} for {d} (kill -STOP, then kill -CONT)"),
        ["crash", job] => format!("kill job {job} without a clean shutdown (kill -9)"),
        ["status"] => "see the same with kafka-metadata-quorum.sh describe --status and kafka-topics.sh --describe".to_string(),
        _ => "a playground-only command; nothing to do".to_string(),
    };
    format!("# {line}: {what}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksql_statements_become_a_here_document() {
        let statements = vec!["SHOW STREAMS;".to_string(), "ksim advance 5s".to_string(), "exit".to_string()];
        assert_eq!(
            ksql_here_document("ksql http://localhost:8088", &statements),
            "# ksqlDB: needs a ksqlDB server at http://localhost:8088 (the playground simulates one).\nksql http://localhost:8088 <<'EOF'\nSHOW STREAMS;\n-- (playground) ksim advance 5s\nEOF\n"
        );
    }

    #[test]
    fn a_ksql_session_exports_its_statements_after_the_cli_command() {
        let mut session = Session::new(1);
        for line in [
            "ksim start-cluster --brokers 1 --controllers 1",
            "ksql",
            "CREATE STREAM s (a INT)",
            "  WITH (kafka_topic='s', value_format='JSON', partitions=1);",
            "exit",
            "kafka-topics.sh --list --bootstrap-server localhost:9092",
        ] {
            session.input(line);
        }
        let script = session.export_kafka_commands();
        assert!(
            script.contains("ksql <<'EOF'\nCREATE STREAM s (a INT)\n  WITH (kafka_topic='s', value_format='JSON', partitions=1);\nEOF\nbin/kafka-topics.sh --list"),
            "{script}"
        );
    }

    #[test]
    fn bin_is_added_where_missing() {
        assert_eq!(with_bin("kafka-topics.sh --list"), "bin/kafka-topics.sh --list");
        assert_eq!(with_bin("X=$(kafka-storage.sh random-uuid)"), "X=$(bin/kafka-storage.sh random-uuid)");
        assert_eq!(
            with_bin("bin/kafka-topics.sh --topic my-kafka-topic"),
            "bin/kafka-topics.sh --topic my-kafka-topic"
        );
    }
}
