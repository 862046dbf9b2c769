//! `kafka-run-class.sh` with Kafka Streams' bundled examples, as the Streams quickstart
//! runs them: `org.apache.kafka.streams.examples.wordcount.WordCountDemo`, `pipe.PipeDemo`
//! and `linesplit.LineSplit`. Each starts a Streams application on localhost:9092 that
//! reads `streams-plaintext-input` and runs until Ctrl-C (its shutdown hook closes it).
//! Other classes are not on the simulated classpath.

use super::job::{Emit, JobKind};
use super::{Console, Outcome};
use crate::node::Level;
use crate::streams::runtime::{AppId, StreamsConfig};
use crate::streams::{Consumed, Datum, Grouped, Materialized, Produced, Serde, StreamsBuilder, Topology};
use crate::world::World;

const INPUT: &str = "streams-plaintext-input";
const EXAMPLES: &str = "org.apache.kafka.streams.examples.";

#[derive(Clone)]
pub(crate) struct StreamsJob {
    pub(crate) app: AppId,
}

impl StreamsJob {
    /// The application's WARN and ERROR lines reach the terminal (`tools-log4j.properties`).
    pub(crate) fn tick(&mut self, world: &mut World, emit: &mut Emit) {
        for line in world.take_streams_output(self.app).logs {
            if line.level != Level::Info {
                emit.err(line.render());
            }
        }
    }

    /// Ctrl-C or `kill`: the demo's shutdown hook calls `streams.close()`.
    pub(crate) fn stop(&mut self, world: &mut World, emit: &mut Emit) {
        world.close_streams(self.app);
        self.tick(world, emit);
    }
}

/// Java's `String.split(" ")`: trailing empty strings are dropped.
fn java_split_space(text: &str) -> Vec<Datum> {
    let mut parts: Vec<&str> = text.split(' ').collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts.into_iter().map(Datum::str).collect()
}

/// `value.split("\\W+")`: runs of non-word characters separate words.
fn split_non_word(text: &str) -> Vec<Datum> {
    let mut parts: Vec<&str> = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();
    let leading_empty = parts.first().is_some_and(|p| p.is_empty()) && parts.len() > 1;
    parts.retain(|p| !p.is_empty());
    if leading_empty {
        // Java keeps a leading empty string when the text starts with a separator.
        parts.insert(0, "");
    }
    if parts.is_empty() {
        parts.push("");
    }
    parts.into_iter().map(Datum::str).collect()
}

/// The example's application id and topology.
fn example(class: &str) -> Option<(&'static str, Topology)> {
    let builder = StreamsBuilder::new();
    let source = builder.stream(INPUT, Consumed::with(Serde::String, Serde::String));
    let id = match class.strip_prefix(EXAMPLES)? {
        "wordcount.WordCountDemo" => {
            source
                .flat_map_values(|_, v| java_split_space(&v.to_string().to_lowercase()))
                .group_by(|_, word| word.clone(), Grouped::default())
                .count(Materialized::default())
                .to_stream()
                .to("streams-wordcount-output", Produced::with(Serde::String, Serde::Long));
            "streams-wordcount"
        }
        "pipe.PipeDemo" => {
            source.to("streams-pipe-output", Produced::default());
            "streams-pipe"
        }
        "linesplit.LineSplit" => {
            source
                .flat_map_values(|_, v| split_non_word(&v.to_string()))
                .to("streams-linesplit-output", Produced::default());
            "streams-linesplit"
        }
        _ => return None,
    };
    Some((id, builder.build()))
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    // kafka-run-class.sh's own options come first; the next word is the class to run.
    let mut rest = args.iter().map(String::as_str);
    let mut class = None;
    while let Some(a) = rest.next() {
        match a {
            "-daemon" | "-loggc" => {}
            "-name" => {
                rest.next();
            }
            other => {
                class = Some(other);
                break;
            }
        }
    }
    let Some(class) = class else {
        con.out("USAGE: kafka-run-class.sh [-daemon] [-name servicename] [-loggc] classname [opts]");
        return Outcome::Done(1);
    };
    let Some((application_id, topology)) = example(class) else {
        con.err(format!("Error: Could not find or load main class {class}"));
        con.err(format!("Caused by: java.lang.ClassNotFoundException: {class}"));
        con.hint("Kafka Playground runs Kafka Streams' examples: org.apache.kafka.streams.examples.wordcount.WordCountDemo, org.apache.kafka.streams.examples.pipe.PipeDemo, org.apache.kafka.streams.examples.linesplit.LineSplit");
        return Outcome::Done(1);
    };
    let config = StreamsConfig::new(application_id, vec!["localhost:9092".to_string()]);
    let app = world.start_streams(topology, config);
    Outcome::Job(JobKind::Streams(StreamsJob { app }))
}
