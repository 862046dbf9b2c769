//! A query's rows: `decode` (a record as its source's columns), `encode` (a result row as
//! the sink's record), and the aggregate functions' accumulators (`UdafFactory`s: COUNT,
//! SUM, AVG, MIN, MAX, LATEST_BY_OFFSET, EARLIEST_BY_OFFSET; nulls skipped; sessions
//! merged). The Kafka Streams engine runs the queries (`compile.rs`).

use super::ast::WindowSpec;
use super::expr::Field;
use super::plan::{AggregateCall, Input, Plan, ROWTIME, WINDOWEND, WINDOWSTART};
use super::serde::{self, deserialize};
use super::value::Value;
use crate::client::consumer::ConsumedRecord;

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
