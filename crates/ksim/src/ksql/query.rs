//! A query's rows: `decode` (a record as its source's columns) and `encode` (a result row
//! as the sink's record), the aggregate functions' accumulators, and `QueryState`, the
//! executor of transient push queries — one record at a time: deserialize (a bad record
//! is skipped), join with the table side's latest rows, filter, then project — or
//! aggregate per grouping key and window (tumbling and hopping epoch-aligned, sessions
//! merged within their gap), one update per input record. Persistent queries run on the
//! Kafka Streams engine instead (`compile.rs`).

use super::ast::{JoinKind, SourceKind, WindowSpec};
use super::expr::{eval, holds, Field, Scope};
use super::plan::{AggregateCall, Input, Plan, ROWTIME, WINDOWEND, WINDOWSTART};
use super::serde::{self, deserialize};
use super::value::Value;
use crate::client::consumer::ConsumedRecord;
use std::collections::BTreeMap;

/// Which input a record came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Left,
    Right,
}

/// One result row: every output column's value in projection order (None: a tombstone,
/// the key's row was deleted), its window, and its timestamp.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ResultRow {
    pub(crate) values: Vec<Value>,
    pub(crate) tombstone: bool,
    pub(crate) window: Option<(u64, u64)>,
    pub(crate) timestamp_ms: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Accumulator {
    Count(i64),
    Sum(Value),
    Avg { sum: f64, count: i64 },
    Min(Value),
    Max(Value),
    Latest(Value),
    Earliest(Value),
}

impl Accumulator {
    pub(crate) fn new(call: &AggregateCall) -> Accumulator {
        match call.function.as_str() {
            "COUNT" => Accumulator::Count(0),
            "SUM" => Accumulator::Sum(Value::Null),
            "AVG" => Accumulator::Avg { sum: 0.0, count: 0 },
            "MIN" => Accumulator::Min(Value::Null),
            "MAX" => Accumulator::Max(Value::Null),
            "EARLIEST_BY_OFFSET" => Accumulator::Earliest(Value::Null),
            _ => Accumulator::Latest(Value::Null),
        }
    }

    /// Adds one row's argument (None for `COUNT(*)`); nulls are skipped as ksqlDB's UDAFs do.
    pub(crate) fn add(&mut self, arg: Option<Value>) {
        match (self, arg) {
            (Accumulator::Count(n), None) => *n += 1,
            (_, None | Some(Value::Null)) => {}
            (Accumulator::Count(n), Some(_)) => *n += 1,
            (Accumulator::Sum(s), Some(v)) => *s = sum(s, &v),
            (Accumulator::Avg { sum, count }, Some(v)) => {
                *sum += v.as_f64().unwrap_or(0.0);
                *count += 1;
            }
            (Accumulator::Min(m), Some(v)) => {
                if m.is_null() || v.compare(m).is_some_and(|o| o.is_lt()) {
                    *m = v;
                }
            }
            (Accumulator::Max(m), Some(v)) => {
                if m.is_null() || v.compare(m).is_some_and(|o| o.is_gt()) {
                    *m = v;
                }
            }
            (Accumulator::Latest(l), Some(v)) => *l = v,
            (Accumulator::Earliest(e), Some(v)) => {
                if e.is_null() {
                    *e = v;
                }
            }
        }
    }

    /// Session merge: `other` is the later session.
    pub(crate) fn merge(&mut self, other: &Accumulator) {
        match (self, other) {
            (Accumulator::Count(a), Accumulator::Count(b)) => *a += b,
            (Accumulator::Sum(a), Accumulator::Sum(b)) => *a = sum(a, b),
            (Accumulator::Avg { sum: s1, count: c1 }, Accumulator::Avg { sum: s2, count: c2 }) => {
                *s1 += s2;
                *c1 += c2;
            }
            (Accumulator::Min(a), Accumulator::Min(b)) | (Accumulator::Max(a), Accumulator::Max(b)) if a.is_null() => {
                *a = b.clone()
            }
            (Accumulator::Min(a), Accumulator::Min(b)) if b.compare(a).is_some_and(|o| o.is_lt()) => *a = b.clone(),
            (Accumulator::Max(a), Accumulator::Max(b)) if b.compare(a).is_some_and(|o| o.is_gt()) => *a = b.clone(),
            (Accumulator::Latest(a), Accumulator::Latest(b)) if !b.is_null() => *a = b.clone(),
            (Accumulator::Earliest(a), Accumulator::Earliest(b)) if a.is_null() => *a = b.clone(),
            _ => {}
        }
    }

    pub(crate) fn result(&self) -> Value {
        match self {
            Accumulator::Count(n) => Value::Bigint(*n),
            Accumulator::Avg { count: 0, .. } => Value::Null,
            Accumulator::Avg { sum, count } => Value::Double(sum / *count as f64),
            Accumulator::Sum(v)
            | Accumulator::Min(v)
            | Accumulator::Max(v)
            | Accumulator::Latest(v)
            | Accumulator::Earliest(v) => v.clone(),
        }
    }
}

fn sum(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Null, v) | (v, Value::Null) => v.clone(),
        (Value::Integer(x), Value::Integer(y)) => Value::Integer(x.wrapping_add(*y)),
        _ => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => Value::Bigint(x.wrapping_add(y)),
            _ => Value::Double(a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0)),
        },
    }
}

/// One grouping key's state in one window.
#[derive(Clone, Debug, PartialEq)]
struct Group {
    end_ms: u64,
    accumulators: Vec<Accumulator>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct QueryState {
    pub(crate) plan: Plan,
    /// The join's table side: its latest row per key (the key's text).
    right_rows: BTreeMap<String, Vec<Field>>,
    /// A table–table join's left side.
    left_rows: BTreeMap<String, Vec<Field>>,
    /// Aggregation state by grouping key text and window start.
    groups: BTreeMap<(String, u64), Group>,
}

/// The text a key is remembered by in state maps.
fn key_text(values: &[Value]) -> String {
    values.iter().map(Value::display).collect::<Vec<_>>().join("\u{0}")
}

impl QueryState {
    pub(crate) fn new(plan: Plan) -> QueryState {
        QueryState { plan, right_rows: BTreeMap::new(), left_rows: BTreeMap::new(), groups: BTreeMap::new() }
    }

    /// Processes one record from `side`; returns the result rows it causes.
    pub(crate) fn process(&mut self, side: Side, record: &ConsumedRecord) -> Vec<ResultRow> {
        let input = match side {
            Side::Left => &self.plan.left,
            Side::Right => match &self.plan.join {
                Some(j) => &j.right,
                None => return Vec::new(),
            },
        };
        // A record that cannot be read is skipped (ksqlDB's processing log).
        let Ok((key, fields)) = decode(input, record) else { return Vec::new() };
        let is_table = input.source.kind == SourceKind::Table;
        let deleted = is_table && record.value.is_none();
        match (side, &self.plan.join) {
            (Side::Right, Some(j)) => {
                let k = key_text(&key);
                if deleted {
                    self.right_rows.remove(&k);
                } else {
                    self.right_rows.insert(k.clone(), fields);
                }
                if !j.table_table {
                    return Vec::new();
                }
                match self.left_rows.get(&k).cloned() {
                    // An inner join's row goes away with either side's.
                    Some(_) if deleted && j.kind == JoinKind::Inner => self.tombstone(&key, record.timestamp_ms),
                    Some(left) => self.joined(left, record.timestamp_ms, &key),
                    None => Vec::new(),
                }
            }
            (Side::Left, Some(j)) if j.table_table => {
                let k = key_text(&key);
                if deleted {
                    self.left_rows.remove(&k);
                    return self.tombstone(&key, record.timestamp_ms);
                }
                self.left_rows.insert(k, fields.clone());
                self.joined(fields, record.timestamp_ms, &key)
            }
            (Side::Left, Some(j)) => {
                let join_key = eval(&j.left_expr, &Scope { fields: &fields, aggregates: &[] });
                if join_key.is_null() {
                    // A null join key matches nothing, as in ksqlDB.
                    return Vec::new();
                }
                self.joined(fields, record.timestamp_ms, &[join_key])
            }
            (Side::Left, None) if deleted => self.tombstone(&key, record.timestamp_ms),
            (Side::Left, None) => self.select(fields, record.timestamp_ms),
            (Side::Right, None) => Vec::new(),
        }
    }

    /// The left row joined with the right side's row for its key (inner: only a match).
    fn joined(&mut self, left: Vec<Field>, timestamp_ms: u64, key: &[Value]) -> Vec<ResultRow> {
        let Some(j) = &self.plan.join else { return Vec::new() };
        let k = key_text(key);
        let right = match self.right_rows.get(&k) {
            Some(r) => r.clone(),
            None if j.kind == JoinKind::Inner => return Vec::new(),
            None => {
                let q = j.right.qualifier.clone();
                j.right
                    .source
                    .columns
                    .iter()
                    .map(|c| Field { qualifier: q.clone(), name: c.name.clone(), value: Value::Null })
                    .collect()
            }
        };
        let mut fields = left;
        fields.extend(right);
        self.select(fields, timestamp_ms)
    }

    fn tombstone(&mut self, key: &[Value], timestamp_ms: u64) -> Vec<ResultRow> {
        let mut values = vec![Value::Null; self.plan.columns.len()];
        let mut key_values = key.iter();
        for (i, c) in self.plan.columns.iter().enumerate() {
            if c.key {
                values[i] = key_values.next().cloned().unwrap_or(Value::Null);
            }
        }
        let row = ResultRow { values, tombstone: true, window: None, timestamp_ms };
        vec![row]
    }

    /// Filter, then project or aggregate.
    fn select(&mut self, fields: Vec<Field>, timestamp_ms: u64) -> Vec<ResultRow> {
        let scope = Scope { fields: &fields, aggregates: &[] };
        if let Some(f) = &self.plan.filter {
            if !holds(f, &scope) {
                return Vec::new();
            }
        }
        if self.plan.aggregate.is_some() {
            return self.aggregate(fields, timestamp_ms);
        }
        let values = self.plan.columns.iter().map(|c| eval(&c.expr, &scope)).collect();
        let window = window_of(&fields);
        let row = ResultRow { values, tombstone: false, window, timestamp_ms };
        vec![row]
    }

    fn aggregate(&mut self, fields: Vec<Field>, timestamp_ms: u64) -> Vec<ResultRow> {
        let Some(a) = self.plan.aggregate.clone() else { return Vec::new() };
        let scope = Scope { fields: &fields, aggregates: &[] };
        let group_value = eval(&a.group_by, &scope);
        if group_value.is_null() {
            // ksqlDB drops rows whose grouping key is null.
            return Vec::new();
        }
        let group = key_text(std::slice::from_ref(&group_value));
        let args: Vec<Option<Value>> = a.calls.iter().map(|c| c.arg.as_ref().map(|e| eval(e, &scope))).collect();
        let fresh = || a.calls.iter().map(Accumulator::new).collect::<Vec<_>>();
        let t = timestamp_ms;
        let mut rows = Vec::new();
        let windows: Vec<(u64, u64)> = match a.window {
            None => vec![(0, 0)],
            Some(WindowSpec::Tumbling { size_ms }) => {
                let start = t - t % size_ms.max(1);
                vec![(start, start + size_ms)]
            }
            Some(WindowSpec::Hopping { size_ms, advance_ms }) => {
                // Windows containing t start at max(0, t - size + advance) / advance * advance.
                let mut start = (t + advance_ms).saturating_sub(size_ms) / advance_ms * advance_ms;
                let mut all = Vec::new();
                while start <= t {
                    all.push((start, start + size_ms));
                    start += advance_ms;
                }
                all
            }
            Some(WindowSpec::Session { gap_ms }) => {
                // Every session of this key within the gap merges with the new record.
                let touching: Vec<(u64, Group)> = self
                    .groups
                    .iter()
                    .filter(|((k, start), g)| {
                        *k == group && start.saturating_sub(gap_ms) <= t && t <= g.end_ms.saturating_add(gap_ms)
                    })
                    .map(|((_, start), g)| (*start, g.clone()))
                    .collect();
                let mut start = t;
                let mut end = t;
                let mut merged = fresh();
                for (s, g) in &touching {
                    self.groups.remove(&(group.clone(), *s));
                    start = start.min(*s);
                    end = end.max(g.end_ms);
                    for (m, acc) in merged.iter_mut().zip(&g.accumulators) {
                        m.merge(acc);
                    }
                    // The old session's row is replaced: ksqlDB writes a tombstone for it.
                    let mut values = self.output_values(&fields, &g.accumulators, Some((*s, g.end_ms)));
                    for (v, c) in values.iter_mut().zip(&self.plan.columns) {
                        if !c.key {
                            *v = Value::Null;
                        }
                    }
                    let row = ResultRow { values, tombstone: true, window: Some((*s, g.end_ms)), timestamp_ms };
                    rows.push(row);
                }
                self.groups.insert((group.clone(), start), Group { end_ms: end, accumulators: merged });
                vec![(start, end)]
            }
        };
        for (start, end) in windows {
            let entry = self
                .groups
                .entry((group.clone(), start))
                .or_insert_with(|| Group { end_ms: end, accumulators: fresh() });
            for (acc, arg) in entry.accumulators.iter_mut().zip(&args) {
                acc.add(arg.clone());
            }
            let accumulators = entry.accumulators.clone();
            let window = a.window.map(|_| (start, end));
            let results: Vec<Value> = accumulators.iter().map(Accumulator::result).collect();
            if let Some(h) = &a.having {
                let with_window = with_window_fields(&fields, window);
                if !holds(h, &Scope { fields: &with_window, aggregates: &results }) {
                    continue;
                }
            }
            let values = self.output_values(&fields, &accumulators, window);
            let row = ResultRow { values, tombstone: false, window, timestamp_ms };
            rows.push(row);
        }
        rows
    }

    fn output_values(&self, fields: &[Field], accumulators: &[Accumulator], window: Option<(u64, u64)>) -> Vec<Value> {
        let results: Vec<Value> = accumulators.iter().map(Accumulator::result).collect();
        let with_window = with_window_fields(fields, window);
        let scope = Scope { fields: &with_window, aggregates: &results };
        self.plan.columns.iter().map(|c| eval(&c.expr, &scope)).collect()
    }
}

fn with_window_fields(fields: &[Field], window: Option<(u64, u64)>) -> Vec<Field> {
    let mut all = fields.to_vec();
    if let Some((start, end)) = window {
        let q = fields.first().map(|f| f.qualifier.clone()).unwrap_or_default();
        all.push(Field { qualifier: q.clone(), name: WINDOWSTART.to_string(), value: Value::Bigint(start as i64) });
        all.push(Field { qualifier: q, name: WINDOWEND.to_string(), value: Value::Bigint(end as i64) });
    }
    all
}

fn window_of(fields: &[Field]) -> Option<(u64, u64)> {
    let get = |name: &str| fields.iter().find(|f| f.name == name).and_then(|f| f.value.as_i64());
    Some((get(WINDOWSTART)? as u64, get(WINDOWEND)? as u64))
}

/// A record as the source's columns: (key values, every field incl. ROWTIME and, for a
/// windowed source, WINDOWSTART/WINDOWEND from the key's window suffix).
pub(crate) fn decode(input: &Input, record: &ConsumedRecord) -> Result<(Vec<Value>, Vec<Field>), String> {
    let source = &input.source;
    let key_columns = source.key_columns();
    let mut key_bytes = record.key.as_deref();
    let mut window = None;
    if let (Some(spec), Some(bytes)) = (source.window, key_bytes) {
        let suffix = if matches!(spec, WindowSpec::Session { .. }) { 16 } else { 8 };
        if bytes.len() < suffix {
            return Err("Failed to deserialize key: windowed key too short".to_string());
        }
        let (plain, tail) = bytes.split_at(bytes.len() - suffix);
        let read = |b: &[u8]| b.try_into().map(u64::from_be_bytes).unwrap_or(0);
        window = Some(match spec {
            WindowSpec::Session { .. } => (read(&tail[8..]), read(&tail[..8])),
            WindowSpec::Tumbling { size_ms } | WindowSpec::Hopping { size_ms, .. } => {
                let start = read(tail);
                (start, start + size_ms)
            }
        });
        key_bytes = Some(plain);
    }
    let key = if key_columns.is_empty() {
        Vec::new()
    } else {
        deserialize(source.key_format, &key_columns, key_bytes)
            .map_err(|e| format!("Failed to deserialize key from topic: {}. {e}", source.topic))?
    };
    let value_columns = source.value_columns();
    let values = deserialize(source.value_format, &value_columns, record.value.as_deref())
        .map_err(|e| format!("Failed to deserialize value from topic: {}. {e}", source.topic))?;
    let q = &input.qualifier;
    let mut fields: Vec<Field> = Vec::new();
    fields.extend(key_columns.iter().zip(&key).map(|((n, _), v)| Field {
        qualifier: q.clone(),
        name: n.clone(),
        value: v.clone(),
    }));
    fields.extend(value_columns.iter().zip(values).map(|((n, _), v)| Field {
        qualifier: q.clone(),
        name: n.clone(),
        value: v,
    }));
    fields.push(Field {
        qualifier: q.clone(),
        name: ROWTIME.to_string(),
        value: Value::Bigint(record.timestamp_ms as i64),
    });
    if let Some((start, end)) = window {
        fields.push(Field { qualifier: q.clone(), name: WINDOWSTART.to_string(), value: Value::Bigint(start as i64) });
        fields.push(Field { qualifier: q.clone(), name: WINDOWEND.to_string(), value: Value::Bigint(end as i64) });
    }
    Ok((key, fields))
}

/// A result row as a Kafka record for the sink.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SinkRecord {
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
    /// What the partitioner hashes: a windowed key's key without its window, as Kafka
    /// Streams' `WindowedStreamPartitioner` does (None: the whole key).
    pub(crate) partition_key: Option<Vec<u8>>,
    /// The input record's timestamp (its ROWTIME), which the output keeps.
    pub(crate) timestamp_ms: u64,
}

pub(crate) fn encode(
    plan: &Plan,
    key_format: serde::Format,
    value_format: serde::Format,
    row: &ResultRow,
) -> SinkRecord {
    let pick = |key: bool| -> (Vec<serde::ColumnSpec>, Vec<Value>) {
        plan.columns
            .iter()
            .zip(&row.values)
            .filter(|(c, _)| c.key == key && (key || !matches!(c.name.as_str(), WINDOWSTART | WINDOWEND)))
            .map(|(c, v)| ((c.name.clone(), c.ty), v.clone()))
            .unzip()
    };
    let (key_columns, key_values) = pick(true);
    let mut key = serde::serialize_key(key_format, &key_columns, &key_values);
    let mut partition_key = None;
    if let (Some(k), Some((start, end))) = (&key, row.window) {
        let session = matches!(plan.window(), Some(WindowSpec::Session { .. }));
        partition_key = Some(k.clone());
        key = Some(serde::windowed_key(k, start, end, session));
    }
    let value = if row.tombstone {
        None
    } else {
        let (value_columns, values) = pick(false);
        serde::serialize(value_format, &value_columns, &values)
    };
    SinkRecord { key, value, partition_key, timestamp_ms: row.timestamp_ms }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ksql::ast::Statement;
    use crate::ksql::metastore::{Column, DataSource, MetaStore};
    use crate::ksql::parser::parse;
    use crate::ksql::plan::plan;
    use crate::ksql::serde::Format;
    use crate::ksql::value::SqlType;

    fn metastore() -> MetaStore {
        let mut m = MetaStore::default();
        let column = |name: &str, ty, key| Column { name: name.to_string(), ty, key };
        m.add(DataSource {
            kind: SourceKind::Stream,
            name: "HR".into(),
            topic: "hr".into(),
            key_format: Format::Kafka,
            value_format: Format::Json,
            columns: vec![
                column("PATIENT", SqlType::String, true),
                column("BPM", SqlType::Integer, false),
                column("WARD", SqlType::String, false),
            ],
            window: None,
            statement: String::new(),
        });
        m.add(DataSource {
            kind: SourceKind::Table,
            name: "WARDS".into(),
            topic: "wards".into(),
            key_format: Format::Kafka,
            value_format: Format::Json,
            columns: vec![column("WARD", SqlType::String, true), column("FLOOR", SqlType::Integer, false)],
            window: None,
            statement: String::new(),
        });
        m
    }

    fn state(select: &str) -> QueryState {
        let Ok(mut statements) = parse(select) else { panic!("{select}") };
        let Some(Statement::Select(q)) = statements.pop() else { panic!("{select}") };
        QueryState::new(plan(&q, &metastore(), None).unwrap_or_else(|e| panic!("{e}")))
    }

    fn record(topic: &str, key: &str, value: Option<&str>, timestamp_ms: u64) -> ConsumedRecord {
        ConsumedRecord {
            topic: topic.to_string(),
            partition: 0,
            offset: 0,
            timestamp_ms,
            key: Some(key.as_bytes().to_vec()),
            value: value.map(|v| v.as_bytes().to_vec()),
        }
    }

    /// A row's cells as the CLI prints them, its window, and whether it is a tombstone.
    type Shown = (Vec<String>, Option<(u64, u64)>, bool);

    fn rows(out: Vec<ResultRow>) -> Vec<Shown> {
        out.into_iter().map(|r| (r.values.iter().map(Value::display).collect(), r.window, r.tombstone)).collect()
    }

    fn cells(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_push_query_filters_projects_and_skips_a_bad_record() {
        let mut q = state("SELECT patient, bpm * 2 AS double FROM hr WHERE bpm > 120 EMIT CHANGES;");
        assert_eq!(
            rows(q.process(Side::Left, &record("hr", "p1", Some(r#"{"bpm":130}"#), 1))),
            vec![(cells(&["p1", "260"]), None, false)]
        );
        assert!(q.process(Side::Left, &record("hr", "p1", Some(r#"{"bpm":80}"#), 2)).is_empty());
        assert!(q.process(Side::Left, &record("hr", "p1", Some("82 bpm"), 3)).is_empty());
    }

    #[test]
    fn tumbling_windows_are_epoch_aligned_and_counted_per_key() {
        let mut q = state("SELECT patient, COUNT(*) AS n, MAX(bpm) AS top FROM hr WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY patient EMIT CHANGES;");
        let hr = |bpm: u32, t: u64| record("hr", "p1", Some(&format!(r#"{{"bpm":{bpm}}}"#)), t);
        assert_eq!(
            rows(q.process(Side::Left, &hr(80, 59_000))),
            vec![(cells(&["p1", "1", "80"]), Some((0, 60_000)), false)]
        );
        assert_eq!(
            rows(q.process(Side::Left, &hr(90, 59_999))),
            vec![(cells(&["p1", "2", "90"]), Some((0, 60_000)), false)]
        );
        assert_eq!(
            rows(q.process(Side::Left, &hr(70, 60_000))),
            vec![(cells(&["p1", "1", "70"]), Some((60_000, 120_000)), false)]
        );
    }

    #[test]
    fn hopping_windows_hold_a_record_in_every_window_that_covers_it() {
        let mut q = state("SELECT patient, COUNT(*) AS n FROM hr WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY patient EMIT CHANGES;");
        let windows: Vec<_> = rows(q.process(Side::Left, &record("hr", "p1", Some(r#"{"bpm":1}"#), 12_000)))
            .into_iter()
            .map(|r| r.1)
            .collect();
        assert_eq!(windows, vec![Some((5_000, 15_000)), Some((10_000, 20_000))]);
        let windows: Vec<_> = rows(q.process(Side::Left, &record("hr", "p1", Some(r#"{"bpm":1}"#), 3_000)))
            .into_iter()
            .map(|r| r.1)
            .collect();
        assert_eq!(windows, vec![Some((0, 10_000))]);
    }

    #[test]
    fn sessions_merge_within_the_gap_and_replace_the_merged_rows() {
        let mut q =
            state("SELECT patient, COUNT(*) AS n FROM hr WINDOW SESSION (5 SECONDS) GROUP BY patient EMIT CHANGES;");
        let at = |t: u64| record("hr", "p1", Some(r#"{"bpm":1}"#), t);
        assert_eq!(
            rows(q.process(Side::Left, &at(10_000))),
            vec![(cells(&["p1", "1"]), Some((10_000, 10_000)), false)]
        );
        assert_eq!(
            rows(q.process(Side::Left, &at(12_000))),
            vec![
                (cells(&["p1", "null"]), Some((10_000, 10_000)), true),
                (cells(&["p1", "2"]), Some((10_000, 12_000)), false),
            ]
        );
        assert_eq!(
            rows(q.process(Side::Left, &at(20_000))),
            vec![(cells(&["p1", "1"]), Some((20_000, 20_000)), false)]
        );
        // 16 s is within 5 s of both sessions: all three merge.
        let merged = rows(q.process(Side::Left, &at(16_000)));
        assert_eq!(merged.last(), Some(&(cells(&["p1", "4"]), Some((10_000, 20_000)), false)));
        assert_eq!(merged.iter().filter(|r| r.2).count(), 2);
    }

    #[test]
    fn averages_latest_by_offset_and_null_group_keys() {
        let mut q = state("SELECT ward, AVG(bpm) AS a, LATEST_BY_OFFSET(patient) AS last, SUM(bpm) AS s FROM hr GROUP BY ward EMIT CHANGES;");
        q.process(Side::Left, &record("hr", "p1", Some(r#"{"bpm":80,"ward":"icu"}"#), 1));
        let out = rows(q.process(Side::Left, &record("hr", "p2", Some(r#"{"bpm":95,"ward":"icu"}"#), 2)));
        assert_eq!(out, vec![(cells(&["icu", "87.5", "p2", "175"]), None, false)]);
        assert!(
            q.process(Side::Left, &record("hr", "p3", Some(r#"{"bpm":95}"#), 3)).is_empty(),
            "a null ward is dropped"
        );
    }

    #[test]
    fn a_stream_table_join_looks_up_the_latest_row_and_a_left_join_keeps_misses() {
        let mut inner = state("SELECT h.patient, w.floor FROM hr h JOIN wards w ON h.ward = w.ward EMIT CHANGES;");
        let mut left = state("SELECT h.patient, w.floor FROM hr h LEFT JOIN wards w ON h.ward = w.ward EMIT CHANGES;");
        for q in [&mut inner, &mut left] {
            assert!(q.process(Side::Right, &record("wards", "icu", Some(r#"{"floor":3}"#), 1)).is_empty());
            q.process(Side::Right, &record("wards", "icu", Some(r#"{"floor":4}"#), 2));
            q.process(Side::Right, &record("wards", "er", Some(r#"{"floor":0}"#), 2));
            q.process(Side::Right, &record("wards", "er", None, 3));
        }
        let reading = |ward: &str| record("hr", "p1", Some(&format!(r#"{{"bpm":70,"ward":"{ward}"}}"#)), 4);
        assert_eq!(rows(inner.process(Side::Left, &reading("icu"))), vec![(cells(&["p1", "4"]), None, false)]);
        assert!(inner.process(Side::Left, &reading("er")).is_empty(), "er was deleted");
        assert_eq!(rows(left.process(Side::Left, &reading("er"))), vec![(cells(&["p1", "null"]), None, false)]);
    }

    #[test]
    fn a_table_table_join_updates_from_either_side() {
        let mut m = metastore();
        let Some(wards) = m.get("WARDS").cloned() else { panic!() };
        m.add(DataSource {
            name: "STAFF".into(),
            topic: "staff".into(),
            columns: vec![
                Column { name: "WARD".into(), ty: SqlType::String, key: true },
                Column { name: "NURSES".into(), ty: SqlType::Integer, key: false },
            ],
            ..wards
        });
        let Ok(mut statements) =
            parse("SELECT w.ward, w.floor, s.nurses FROM wards w LEFT JOIN staff s ON w.ward = s.ward EMIT CHANGES;")
        else {
            panic!()
        };
        let Some(Statement::Select(query)) = statements.pop() else { panic!() };
        let mut q = QueryState::new(plan(&query, &m, None).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(
            rows(q.process(Side::Left, &record("wards", "icu", Some(r#"{"floor":3}"#), 1))),
            vec![(cells(&["icu", "3", "null"]), None, false)]
        );
        assert_eq!(
            rows(q.process(Side::Right, &record("staff", "icu", Some(r#"{"nurses":6}"#), 2))),
            vec![(cells(&["icu", "3", "6"]), None, false)]
        );
        assert!(
            q.process(Side::Right, &record("staff", "er", Some(r#"{"nurses":2}"#), 3)).is_empty(),
            "no ward er yet"
        );
        assert_eq!(
            rows(q.process(Side::Left, &record("wards", "icu", None, 4))),
            vec![(cells(&["icu", "null", "null"]), None, true)]
        );
        // An inner join loses its row when the right side's goes.
        let Ok(mut statements) =
            parse("SELECT w.ward, s.nurses FROM wards w JOIN staff s ON w.ward = s.ward EMIT CHANGES;")
        else {
            panic!()
        };
        let Some(Statement::Select(query)) = statements.pop() else { panic!() };
        let mut q = QueryState::new(plan(&query, &m, None).unwrap_or_else(|e| panic!("{e}")));
        assert!(q.process(Side::Left, &record("wards", "icu", Some(r#"{"floor":3}"#), 1)).is_empty());
        assert_eq!(
            rows(q.process(Side::Right, &record("staff", "icu", Some(r#"{"nurses":6}"#), 2))),
            vec![(cells(&["icu", "6"]), None, false)]
        );
        assert_eq!(
            rows(q.process(Side::Right, &record("staff", "icu", None, 3))),
            vec![(cells(&["icu", "null"]), None, true)]
        );
    }

    #[test]
    fn a_table_projection_forwards_deletes_as_tombstones() {
        let mut q = state("SELECT ward, floor + 1 AS above FROM wards EMIT CHANGES;");
        assert_eq!(
            rows(q.process(Side::Left, &record("wards", "icu", Some(r#"{"floor":3}"#), 1))),
            vec![(cells(&["icu", "4"]), None, false)]
        );
        assert_eq!(
            rows(q.process(Side::Left, &record("wards", "icu", None, 2))),
            vec![(cells(&["icu", "null"]), None, true)]
        );
    }

    #[test]
    fn encoding_puts_key_columns_in_the_key_and_windows_after_it() {
        let mut q = state(
            "SELECT patient, COUNT(*) AS n FROM hr WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY patient EMIT CHANGES;",
        );
        let out = q.process(Side::Left, &record("hr", "p1", Some(r#"{"bpm":1}"#), 61_000));
        let record = encode(&q.plan, Format::Kafka, Format::Json, &out[0]);
        assert_eq!(record.key, Some([b"p1".as_slice(), &60_000u64.to_be_bytes()].concat()));
        assert_eq!(record.value, Some(br#"{"N":1}"#.to_vec()));
        assert_eq!((record.partition_key, record.timestamp_ms), (Some(b"p1".to_vec()), 61_000));
    }
}
