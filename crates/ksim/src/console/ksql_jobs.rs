//! Queries that own the terminal until they end: a push query (`EMIT CHANGES`, or a pull
//! query scanning a stream) printing its rows in the CLI's grid until Ctrl-C, its LIMIT,
//! or (in scripts) an idle second; and `PRINT 'topic'` in `TopicStreamWriter`'s format.

use super::job::{Emit, JobKind};
use super::ksql_server::{start_consumer, SERVICE_PREFIX};
use super::Console;
use crate::client::consumer::{ConsumerEvent, StartOffset};
use crate::ids::ClientId;
use crate::ksql::output::{grid_header, grid_row};
use crate::ksql::plan::Plan;
use crate::ksql::query::{QueryState, ResultRow, Side};
use crate::node::ClientEvent;
use crate::session::Stream;
use crate::world::World;

/// How long a script's push query or PRINT waits for another record before it is stopped
/// (a terminal user would press Ctrl-C), as the console consumer does in scripts.
pub(super) const SCRIPT_IDLE_TIMEOUT_MS: u64 = 1000;

/// A transient push query (or a pull query scanning a stream) run in the foreground.
pub(super) fn start_push(
    con: &mut Console,
    world: &mut World,
    plan: Plan,
    start: StartOffset,
    idle: Option<u64>,
) -> Result<(), String> {
    let source = plan.left.source.name.clone();
    let id =
        format!("transient_{source}_{}", con.rng.below(1_000_000_000) * 1_000_000_000 + con.rng.below(1_000_000_000));
    let group = format!("{SERVICE_PREFIX}transient_{id}_{}", world.now().wall_ms());
    let mut consumers = vec![(
        start_consumer(world, &format!("{group}-consumer"), Some(&group), &plan.left.source.topic, start, idle),
        Side::Left,
    )];
    if let Some(j) = &plan.join {
        consumers.push((
            start_consumer(
                world,
                &format!("{group}-restore-consumer"),
                None,
                &j.right.source.topic,
                StartOffset::Earliest,
                None,
            ),
            Side::Right,
        ));
    }
    let names: Vec<String> = plan.columns.iter().map(|c| c.name.clone()).collect();
    for l in grid_header(&names) {
        con.out(l);
    }
    let limit = plan.limit;
    let from_latest = start == StartOffset::Latest;
    let job = PushJob { consumers, state: QueryState::new(plan), printed: 0, limit, from_latest };
    con.start_foreground(world, "SELECT", JobKind::KsqlPush(Box::new(job)));
    Ok(())
}

#[derive(Clone)]
pub(crate) struct PushJob {
    pub(crate) consumers: Vec<(ClientId, Side)>,
    state: QueryState,
    printed: u64,
    limit: Option<u64>,
    /// The query reads only records written after it started (`auto.offset.reset=latest`).
    from_latest: bool,
}

impl PushJob {
    pub(crate) fn owns(&self, client: ClientId) -> bool {
        self.consumers.iter().any(|(c, _)| *c == client)
    }

    /// The query ends by itself: the console closes the first consumer with the job.
    fn finish(&mut self, world: &mut World, emit: &mut Emit) {
        for (c, _) in self.consumers.iter().skip(1) {
            world.poke_client(*c, |client, ctx| client.close(ctx));
        }
        emit.out("Query terminated");
        if self.printed == 0 && self.from_latest {
            // The most common surprise with ksqlDB: records already in the topic are not read.
            emit.lines.push((
                Stream::Hint,
                "(No rows: the query read only records written after it started. SET 'auto.offset.reset'='earliest'; makes queries read topics from their start.)".to_string(),
            ));
        }
        emit.exit(0);
    }

    /// Ctrl-C.
    pub(crate) fn stop(&mut self, world: &mut World, emit: &mut Emit) {
        if let Some((c, _)) = self.consumers.first() {
            world.poke_client(*c, |client, ctx| client.close(ctx));
        }
        self.finish(world, emit);
    }

    pub(crate) fn on_event(&mut self, world: &mut World, client: ClientId, event: ClientEvent, emit: &mut Emit) {
        let Some(side) = self.consumers.iter().find(|(c, _)| *c == client).map(|(_, s)| *s) else { return };
        let ClientEvent::Consumer(event) = event else { return };
        match event {
            ConsumerEvent::Records(records) => {
                for record in records {
                    for row in self.state.process(side, &record) {
                        if self.limit.is_some_and(|l| self.printed >= l) {
                            break;
                        }
                        for l in grid_row(&row_texts(&row)) {
                            emit.out(l);
                        }
                        self.printed += 1;
                    }
                    if self.limit.is_some_and(|l| self.printed >= l) {
                        emit.out("Limit Reached");
                        return self.finish(world, emit);
                    }
                }
            }
            ConsumerEvent::TimedOut if side == Side::Left => self.finish(world, emit),
            ConsumerEvent::Fatal(e) => {
                emit.err(e.to_string());
                self.finish(world, emit);
            }
            _ => {}
        }
    }
}

/// A row's cells; a deleted key's values print as `<TOMBSTONE>`.
fn row_texts(row: &ResultRow) -> Vec<String> {
    row.values
        .iter()
        .map(|v| if row.tombstone && v.is_null() { "<TOMBSTONE>".to_string() } else { v.display() })
        .collect()
}

/// `PRINT 'topic'`: each record as `TopicStreamWriter` formats it.
#[derive(Clone)]
pub(crate) struct PrintJob {
    pub(crate) client: ClientId,
    printed: u64,
    limit: Option<u64>,
    formats_shown: bool,
}

impl PrintJob {
    pub(super) fn new(client: ClientId, limit: Option<u64>) -> PrintJob {
        PrintJob { client, printed: 0, limit, formats_shown: false }
    }

    /// Ctrl-C.
    pub(crate) fn stop(&mut self, world: &mut World, emit: &mut Emit) {
        world.poke_client(self.client, |c, ctx| c.close(ctx));
        self.finish(emit);
    }

    /// The console closes the consumer with the job.
    fn finish(&mut self, emit: &mut Emit) {
        emit.out("Topic printing ceased");
        emit.exit(0);
    }

    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Consumer(event) = event else { return };
        match event {
            ConsumerEvent::Records(records) => {
                for r in records {
                    if self.limit.is_some_and(|l| self.printed >= l) {
                        break;
                    }
                    let text = |b: &Option<Vec<u8>>| {
                        b.as_ref().map_or("<null>".to_string(), |v| String::from_utf8_lossy(v).into_owned())
                    };
                    if !self.formats_shown {
                        let value = text(&r.value);
                        let json =
                            crate::json::parse(&value).is_some_and(|j| matches!(j, crate::json::Json::Object(_)));
                        emit.out(format!(
                            "Key format: {}",
                            if r.key.is_some() { "KAFKA_STRING" } else { "¯\\_(ツ)_/¯ - no data processed" }
                        ));
                        emit.out(format!(
                            "Value format: {}",
                            if json { "JSON or KAFKA_STRING" } else { "KAFKA_STRING" }
                        ));
                        self.formats_shown = true;
                    }
                    let when = crate::time::format_wall_clock(r.timestamp_ms).replacen('-', "/", 2);
                    emit.out(format!(
                        "rowtime: {when} Z, key: {}, value: {}, partition: {}",
                        text(&r.key),
                        text(&r.value),
                        r.partition
                    ));
                    self.printed += 1;
                }
                if self.limit.is_some_and(|l| self.printed >= l) {
                    self.finish(emit);
                }
            }
            ConsumerEvent::TimedOut | ConsumerEvent::Fatal(_) | ConsumerEvent::NoOffset(_) => self.finish(emit),
            ConsumerEvent::Assigned(_) => {}
        }
    }
}
