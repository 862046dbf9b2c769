//! Compiling a planned persistent query into a Kafka Streams [`Topology`], as ksqlDB's
//! physical planner does: sources read as bytes and decoded into rows (a `Datum::Struct`
//! of the qualified columns), `WhereFilter`, `Project` encoding the sink's key and value,
//! GROUP BY as `Aggregate-GroupBy` + a (windowed) aggregation into the queryable store
//! `Aggregate-Aggregate-Materialize`, joins as `Join` against the table side's store.
//! The engine (`crate::streams`) runs it; this module only says what to run.

use super::ast::{Expr, JoinKind, SourceKind, WindowSpec};
use super::expr::{eval, holds, show, Field, Scope};
use super::metastore::DataSource;
use super::plan::{Input, Plan, ROWTIME, WINDOWEND, WINDOWSTART};
use super::query::{decode, encode, Accumulator, ResultRow};
use super::serde::Format;
use super::value::{SqlType, Value};
use crate::client::consumer::ConsumedRecord;
use crate::streams::dsl::{Joined, KStream, KTable};
use crate::streams::topology::JoinKind as StreamsJoinKind;
use crate::streams::window::{SessionWindows, TimeWindows, Window};
use crate::streams::{Consumed, Datum, Grouped, Materialized, Produced, Serde, StreamsBuilder, Topology};
use std::rc::Rc;

/// The store a GROUP BY materializes (what pull queries read).
pub(crate) const AGGREGATE_STORE: &str = "Aggregate-Aggregate-Materialize";
/// ksqlDB's default grace period of windows (24 hours in 0.29), so late records still count.
const DEFAULT_GRACE_MS: i64 = 24 * 60 * 60 * 1000;

/// The sink's formats.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SinkFormats {
    pub(crate) key: Format,
    pub(crate) value: Format,
}

/// Where a query's rows go: a persistent query's sink topic, or (a transient push
/// query) to its client, collected by the application (`KSTREAM-FOREACH`).
#[derive(Clone, Debug)]
pub(crate) enum Output {
    Topic { topic: String, formats: SinkFormats },
    Collect,
}

/// A collected row: whether its key was deleted, and its values.
fn collected(values: Vec<Value>, tombstone: bool) -> Datum {
    Datum::Array(vec![Datum::Boolean(tombstone), Datum::Array(values.iter().map(to_datum).collect())])
}

/// A push query's row from what its application collected (None: nothing to show). A
/// null value is an aggregate's deleted row (a merged session): its key, nulls elsewhere.
pub(crate) fn collected_row(plan: &Plan, key: &Datum, value: &Datum) -> Option<(Vec<Value>, bool)> {
    match value {
        Datum::Null => {
            let group = to_value(&source_key(&plan.left, key));
            Some((plan.columns.iter().map(|c| if c.key { group.clone() } else { Value::Null }).collect(), true))
        }
        Datum::Array(parts) => match parts.as_slice() {
            [Datum::Boolean(tombstone), Datum::Array(values)] => {
                Some((values.iter().map(to_value).collect(), *tombstone))
            }
            _ => None,
        },
        _ => None,
    }
}

/// A projection's end: each record as its row (values, whether the key was deleted)
/// to the output.
fn emit_rows(
    stream: KStream,
    plan: &Plan,
    output: &Output,
    row_of: impl Fn(&Datum, &Datum) -> (Vec<Value>, bool) + 'static,
) {
    let p = plan.clone();
    match output {
        Output::Topic { topic, formats } => {
            let formats = *formats;
            stream
                .map(move |k, v| {
                    let (values, tombstone) = row_of(k, v);
                    sink_pair(&p, formats, values, tombstone)
                })
                .to(topic, Produced::with(Serde::Bytes, Serde::Bytes));
        }
        Output::Collect => {
            stream
                .map_values(move |k, v| {
                    let (values, tombstone) = row_of(k, v);
                    collected(values, tombstone)
                })
                .collect();
        }
    }
}

fn to_datum(v: &Value) -> Datum {
    match v {
        Value::Null => Datum::Null,
        Value::Boolean(b) => Datum::Boolean(*b),
        Value::Integer(i) => Datum::Int(*i),
        Value::Bigint(i) => Datum::BigInt(*i),
        Value::Double(d) => Datum::Double(*d),
        Value::String(s) => Datum::String(s.clone()),
    }
}

fn to_value(d: &Datum) -> Value {
    match d {
        Datum::Boolean(b) => Value::Boolean(*b),
        Datum::Int(i) => Value::Integer(*i),
        Datum::BigInt(i) => Value::Bigint(*i),
        Datum::Double(d) => Value::Double(*d),
        Datum::String(s) => Value::String(s.clone()),
        Datum::Null | Datum::Bytes(_) | Datum::Struct(_) | Datum::Array(_) => Value::Null,
    }
}

/// A row's fields as one struct: `ALIAS.COLUMN` → value.
fn row_datum(fields: &[Field]) -> Datum {
    Datum::Struct(fields.iter().map(|f| (format!("{}.{}", f.qualifier, f.name), to_datum(&f.value))).collect())
}

/// The declared types of every column a row can hold, to undo a JSON round trip
/// through a repartition topic (JSON has no INTEGER/BIGINT distinction).
#[derive(Clone)]
struct RowTypes(Vec<(String, String, SqlType)>);

impl RowTypes {
    fn of(plan: &Plan) -> RowTypes {
        let mut all = Vec::new();
        let inputs: Vec<&Input> = std::iter::once(&plan.left).chain(plan.join.as_ref().map(|j| &j.right)).collect();
        for input in inputs {
            for c in &input.source.columns {
                all.push((input.qualifier.clone(), c.name.clone(), c.ty));
            }
            for pseudo in [ROWTIME, WINDOWSTART, WINDOWEND] {
                all.push((input.qualifier.clone(), pseudo.to_string(), SqlType::Bigint));
            }
        }
        RowTypes(all)
    }

    fn fields(&self, row: &Datum) -> Vec<Field> {
        let Datum::Struct(entries) = row else { return Vec::new() };
        entries
            .iter()
            .map(|(name, d)| {
                let (qualifier, column) = name.split_once('.').unwrap_or(("", name));
                let mut value = to_value(d);
                if let Some((_, _, ty)) = self.0.iter().find(|(q, n, _)| q == qualifier && n == column) {
                    value = value.cast(*ty).unwrap_or(value);
                }
                Field { qualifier: qualifier.to_string(), name: column.to_string(), value }
            })
            .collect()
    }
}

fn bytes(d: &Datum) -> Option<Vec<u8>> {
    match d {
        Datum::Bytes(b) => Some(b.clone()),
        _ => None,
    }
}

/// Decodes a record of `input` into its fields; None when it cannot be read (ksqlDB
/// logs it to the processing log and skips it). ROWTIME is not known inside a value
/// mapper, so the compiled query leaves it out (a simplification).
fn decode_row(input: &Input, key: &Datum, value: &Datum) -> Option<Vec<Field>> {
    let key = match key {
        Datum::Bytes(_) | Datum::Null => key.clone(),
        typed => key_serde(&input.source).serialize(typed).ok().flatten().map_or(Datum::Null, Datum::Bytes),
    };
    let key = &key;
    let record = ConsumedRecord {
        topic: input.source.topic.clone(),
        partition: 0,
        offset: 0,
        timestamp_ms: 0,
        key: bytes(key),
        value: bytes(value),
    };
    let (_, mut fields) = decode(input, &record).ok()?;
    fields.retain(|f| f.name != ROWTIME);
    Some(fields)
}

/// The null columns of a left join's missing right side.
fn null_fields(input: &Input) -> Vec<Field> {
    input
        .source
        .columns
        .iter()
        .map(|c| Field { qualifier: input.qualifier.clone(), name: c.name.clone(), value: Value::Null })
        .collect()
}

/// The sink record of one result row: (key bytes, value bytes or null for a tombstone).
fn sink_pair(plan: &Plan, formats: SinkFormats, values: Vec<Value>, tombstone: bool) -> (Datum, Datum) {
    let row = ResultRow { values, tombstone, window: None, timestamp_ms: 0 };
    let record = encode(plan, formats.key, formats.value, &row);
    let as_datum = |b: Option<Vec<u8>>| b.map_or(Datum::Null, Datum::Bytes);
    (as_datum(record.key), as_datum(record.value))
}

/// The projection of a row (None: it is filtered out).
fn project(plan: &Plan, fields: &[Field]) -> Vec<Value> {
    let scope = Scope { fields, aggregates: &[] };
    plan.columns.iter().map(|c| eval(&c.expr, &scope)).collect()
}

/// The output values of an aggregate: the grouping key, the window, the accumulators'
/// results; None when HAVING rejects them.
pub(crate) fn aggregate_output(plan: &Plan, key: &Datum, window: Option<Window>, state: &Datum) -> Option<Vec<Value>> {
    let a = plan.aggregate.as_ref()?;
    let accumulators = accumulators(plan, state);
    let results: Vec<Value> = accumulators.iter().map(Accumulator::result).collect();
    // Grouped by the source's key bytes, or by a typed value.
    let group_value = to_value(&source_key(&plan.left, key));
    let q = plan.left.qualifier.clone();
    let mut fields = Vec::new();
    if let Expr::Column { name, .. } = &a.group_by {
        fields.push(Field { qualifier: q.clone(), name: name.clone(), value: group_value.clone() });
    }
    if let Some(w) = window {
        fields.push(Field { qualifier: q.clone(), name: WINDOWSTART.to_string(), value: Value::Bigint(w.start_ms) });
        fields.push(Field { qualifier: q, name: WINDOWEND.to_string(), value: Value::Bigint(w.end_ms) });
    }
    let scope = Scope { fields: &fields, aggregates: &results };
    if a.having.as_ref().is_some_and(|h| !holds(h, &scope)) {
        return None;
    }
    let grouping = show(&a.group_by);
    Some(
        plan.columns
            .iter()
            .map(|c| if c.key || show(&c.expr) == grouping { group_value.clone() } else { eval(&c.expr, &scope) })
            .collect(),
    )
}

/// An aggregate's state as a datum: one field per aggregate call, named as ksqlDB names
/// them in its store (`KSQL_AGG_VARIABLE_0`; AVG: `[sum, count]`).
fn state_datum(accumulators: &[Accumulator]) -> Datum {
    Datum::Struct(
        accumulators
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let value = match a {
                    Accumulator::Count(n) => Datum::BigInt(*n),
                    Accumulator::Avg { sum, count } => Datum::Array(vec![Datum::Double(*sum), Datum::BigInt(*count)]),
                    Accumulator::Sum(v)
                    | Accumulator::Min(v)
                    | Accumulator::Max(v)
                    | Accumulator::Latest(v)
                    | Accumulator::Earliest(v) => to_datum(v),
                };
                (format!("KSQL_AGG_VARIABLE_{i}"), value)
            })
            .collect(),
    )
}

fn accumulators(plan: &Plan, state: &Datum) -> Vec<Accumulator> {
    let calls = plan.aggregate.as_ref().map(|a| a.calls.as_slice()).unwrap_or_default();
    let entries: Vec<Datum> = match state {
        Datum::Struct(fields) => fields.iter().map(|(_, d)| d.clone()).collect(),
        _ => Vec::new(),
    };
    calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            let entry = entries.get(i).cloned().unwrap_or(Datum::Null);
            let typed = |d: &Datum| to_value(d).cast(call.ty).unwrap_or(Value::Null);
            match Accumulator::new(call) {
                Accumulator::Count(_) => Accumulator::Count(entry.as_i64().unwrap_or(0)),
                Accumulator::Avg { .. } => {
                    let part = |j: usize| match &entry {
                        Datum::Array(p) => p.get(j).cloned().unwrap_or(Datum::Null),
                        _ => Datum::Null,
                    };
                    Accumulator::Avg { sum: part(0).as_f64().unwrap_or(0.0), count: part(1).as_i64().unwrap_or(0) }
                }
                Accumulator::Sum(_) => Accumulator::Sum(typed(&entry)),
                Accumulator::Min(_) => Accumulator::Min(typed(&entry)),
                Accumulator::Max(_) => Accumulator::Max(typed(&entry)),
                Accumulator::Latest(_) => Accumulator::Latest(typed(&entry)),
                Accumulator::Earliest(_) => Accumulator::Earliest(typed(&entry)),
            }
        })
        .collect()
}

/// How a source's key is read: a single KAFKA-format key column by its type's serde, so
/// the application's keys (and the page's tables) show values; other keys as bytes.
fn key_serde(source: &DataSource) -> Serde {
    match (source.key_format, source.window, source.key_columns().as_slice()) {
        (Format::Kafka, None, [(_, ty)]) if *ty != SqlType::Boolean => typed_serde(*ty),
        _ => Serde::Bytes,
    }
}

/// A decoded stream of `input`'s rows (records that cannot be read are dropped).
fn decoded_stream(builder: &StreamsBuilder, input: &Input) -> KStream {
    let source = builder.stream(&input.source.topic, Consumed::with(key_serde(&input.source), Serde::Bytes));
    let input = input.clone();
    source.transform_values_or_drop(move |k, v| decode_row(&input, k, v).map(|f| row_datum(&f)))
}

fn streams_kind(kind: JoinKind) -> StreamsJoinKind {
    match kind {
        JoinKind::Inner => StreamsJoinKind::Inner,
        JoinKind::Left => StreamsJoinKind::Left,
    }
}

/// The topology of a query writing to `output`.
pub(crate) fn compile(plan: &Plan, output: &Output) -> Topology {
    let builder = StreamsBuilder::new();
    let types = RowTypes::of(plan);
    let filter = plan.filter.clone();
    let where_filter = move |types: &RowTypes, row: &Datum| match &filter {
        Some(f) => holds(f, &Scope { fields: &types.fields(row), aggregates: &[] }),
        None => true,
    };
    match &plan.join {
        Some(j) if j.table_table => {
            let left = source_table(&builder, &plan.left.source, "KafkaTopic_Left-Reduce", output);
            let right = source_table(&builder, &j.right.source, "KafkaTopic_Right-Reduce", output);
            let (l, r, inner) = (plan.left.clone(), j.right.clone(), j.kind == JoinKind::Inner);
            let joined = left.named("Join").join(
                &right,
                move |k, lv, rv| {
                    let Some(mut fields) = decode_row(&l, k, lv) else { return Datum::Null };
                    match decode_row(&r, k, rv) {
                        Some(right) if !rv.is_null() => fields.extend(right),
                        _ if inner => return Datum::Null,
                        _ => fields.extend(null_fields(&r)),
                    }
                    row_datum(&fields)
                },
                streams_kind(j.kind),
                None,
            );
            let (p, t) = (plan.clone(), types.clone());
            let filtered = match &plan.filter {
                Some(_) => joined.named("WhereFilter").filter(move |_, v| where_filter(&t, v), None),
                None => joined,
            };
            let t = types;
            emit_rows(filtered.to_stream().named("Project"), plan, output, move |k, v| {
                if v.is_null() {
                    // A deleted row: its key columns are the source key's.
                    let key_fields = decode_row(&p.left, k, &Datum::Null).unwrap_or_default();
                    return (project(&p, &key_fields), true);
                }
                (project(&p, &t.fields(v)), false)
            });
        }
        Some(j) => {
            let left = decoded_stream(&builder, &plan.left);
            let right = source_table(&builder, &j.right.source, "KafkaTopic_Right-Reduce", output);
            let (left_expr, right_input, t) = (j.left_expr.clone(), j.right.clone(), types.clone());
            let rekeyed = left.named("LeftSourceKeyed").select_key(move |_, v| {
                let key = eval(&left_expr, &Scope { fields: &t.fields(v), aggregates: &[] });
                if key.is_null() {
                    return Datum::Null;
                }
                join_key(&right_input.source, key)
            });
            let (r, t, right_key_serde) = (j.right.clone(), types.clone(), key_serde(&j.right.source));
            let joined = rekeyed.join_table(
                &right,
                move |k, lv, rv| {
                    let mut fields = t.fields(lv);
                    // A table row that cannot be read joins as nulls.
                    match decode_row(&r, k, rv).filter(|_| !rv.is_null()) {
                        Some(right) => fields.extend(right),
                        None => fields.extend(null_fields(&r)),
                    }
                    row_datum(&fields)
                },
                streams_kind(j.kind),
                Joined { name: Some("Join".to_string()), ..Joined::with(right_key_serde, Serde::Json, Serde::Bytes) },
            );
            finish_stream(plan, joined, &types, where_filter, output);
        }
        None if plan.left.source.kind == SourceKind::Table => {
            let table = source_table(&builder, &plan.left.source, "KsqlTopic-Reduce", output);
            let left = plan.left.clone();
            let decoded = table
                .transform_values(move |k, _, v| decode_row(&left, k, v).map_or(Datum::Null, |f| row_datum(&f)), None);
            let t = types.clone();
            let filtered = match &plan.filter {
                Some(_) => decoded.named("WhereFilter").filter(move |_, v| where_filter(&t, v), None),
                None => decoded,
            };
            let (p, t) = (plan.clone(), types);
            emit_rows(filtered.to_stream().named("Project"), plan, output, move |k, v| {
                if v.is_null() {
                    let key_fields = decode_row(&p.left, k, &Datum::Null).unwrap_or_default();
                    return (project(&p, &key_fields), true);
                }
                (project(&p, &t.fields(v)), false)
            });
        }
        None => {
            let stream = decoded_stream(&builder, &plan.left);
            finish_stream(plan, stream, &types, where_filter, output);
        }
    }
    builder.build()
}

/// A source table read as bytes into the store ksqlDB names for it.
/// A push query's stores keep no changelog: ksqlDB deletes a transient query's internal
/// topics when it ends.
fn source_table(builder: &StreamsBuilder, source: &DataSource, store: &str, output: &Output) -> KTable {
    let keys = key_serde(source);
    let mut materialized = Materialized::as_store(store).with_key_serde(keys.clone()).with_value_serde(Serde::Bytes);
    if matches!(output, Output::Collect) {
        materialized = materialized.with_logging_disabled();
    }
    builder.table(&source.topic, Consumed::with(keys, Serde::Bytes), materialized)
}

/// A join key as the table side's keys are: typed, or its key bytes.
fn join_key(table: &DataSource, key: Value) -> Datum {
    let columns = table.key_columns();
    let typed = columns.first().map_or(Ok(key.clone()), |(_, ty)| key.cast(*ty)).unwrap_or(key);
    match key_serde(table) {
        Serde::Bytes => {
            super::serde::serialize_key(table.key_format, &columns, &[typed]).map_or(Datum::Null, Datum::Bytes)
        }
        _ => to_datum(&typed),
    }
}

/// A stream of rows: WHERE, then a projection to the sink or an aggregation.
fn finish_stream(
    plan: &Plan,
    stream: KStream,
    types: &RowTypes,
    where_filter: impl Fn(&RowTypes, &Datum) -> bool + 'static,
    output: &Output,
) {
    let t = types.clone();
    let filtered = match &plan.filter {
        Some(_) => stream.named("WhereFilter").filter(move |_, v| where_filter(&t, v)),
        None => stream,
    };
    let Some(a) = plan.aggregate.clone() else {
        let (p, t) = (plan.clone(), types.clone());
        emit_rows(filtered.named("Project"), plan, output, move |_, v| (project(&p, &t.fields(v)), false));
        return;
    };
    let group_type = plan.columns.iter().find(|c| c.key).map_or(SqlType::String, |c| c.ty);
    let (group_by, t) = (a.group_by.clone(), types.clone());
    let sink_key_format = match output {
        Output::Topic { formats, .. } => formats.key,
        Output::Collect => plan.left.source.key_format,
    };
    let by_source_key = groups_by_source_key(plan, sink_key_format);
    let grouped = if by_source_key {
        // Grouping by the key the records already have (its bytes): no repartition, as in ksqlDB.
        filtered
            .named("Aggregate-GroupBy")
            .transform_values(|_, _, v| v.clone())
            .group_by_key(Grouped::with(key_serde(&plan.left.source), Serde::Json))
    } else {
        filtered.group_by(
            move |_, v| to_datum(&eval(&group_by, &Scope { fields: &t.fields(v), aggregates: &[] })),
            Grouped::as_("Aggregate-GroupBy").with_key_serde(typed_serde(group_type)).with_value_serde(Serde::Json),
        )
    };
    let (p, t) = (plan.clone(), types.clone());
    let init_plan = plan.clone();
    let initializer = move || {
        let calls = init_plan.aggregate.as_ref().map(|a| a.calls.as_slice()).unwrap_or_default();
        state_datum(&calls.iter().map(Accumulator::new).collect::<Vec<_>>())
    };
    let adder = move |_: &Datum, v: &Datum, state: &Datum| {
        let fields = t.fields(v);
        let scope = Scope { fields: &fields, aggregates: &[] };
        let mut accs = accumulators(&p, state);
        let calls = p.aggregate.as_ref().map(|a| a.calls.as_slice()).unwrap_or_default();
        for (acc, call) in accs.iter_mut().zip(calls) {
            acc.add(call.arg.as_ref().map(|e| eval(e, &scope)));
        }
        state_datum(&accs)
    };
    let store = Materialized::as_store(AGGREGATE_STORE)
        .with_key_serde(if by_source_key { key_serde(&plan.left.source) } else { typed_serde(group_type) })
        .with_value_serde(Serde::Json);
    let store = if matches!(output, Output::Collect) { store.with_logging_disabled() } else { store };
    let table = match a.window {
        None => grouped.aggregate(initializer, adder, store),
        Some(WindowSpec::Tumbling { size_ms }) => grouped
            .windowed_by_time(TimeWindows::of_size_and_grace(size_ms as i64, DEFAULT_GRACE_MS))
            .aggregate(initializer, adder, None, store),
        Some(WindowSpec::Hopping { size_ms, advance_ms }) => grouped
            .windowed_by_time(
                TimeWindows::of_size_and_grace(size_ms as i64, DEFAULT_GRACE_MS).advance_by(advance_ms as i64),
            )
            .aggregate(initializer, adder, None, store),
        Some(WindowSpec::Session { gap_ms }) => {
            let p = plan.clone();
            let merger: crate::streams::topology::Merger = Rc::new(move |_, a, b| {
                let mut merged = accumulators(&p, a);
                for (m, other) in merged.iter_mut().zip(accumulators(&p, b)) {
                    m.merge(&other);
                }
                state_datum(&merged)
            });
            grouped
                .windowed_by_session(SessionWindows::of_inactivity_gap_and_grace(gap_ms as i64, DEFAULT_GRACE_MS))
                .aggregate(initializer, adder, Some(merger), store)
        }
    };
    let p = plan.clone();
    let Output::Topic { topic: sink_topic, formats } = output else {
        // A push query shows each update (a row HAVING rejects as an empty one).
        let projected = table.named("Aggregate-Project").transform_values(
            move |k, w, state| {
                aggregate_output(&p, k, w, state).map_or(Datum::Array(Vec::new()), |values| collected(values, false))
            },
            None,
        );
        projected.to_stream().collect();
        return;
    };
    let formats = *formats;
    let projected = table.named("Aggregate-Project").transform_values(
        move |k, w, state| {
            if state.is_null() {
                return Datum::Null;
            }
            match aggregate_output(&p, k, w, state) {
                Some(values) => {
                    let row = ResultRow { values, tombstone: false, window: None, timestamp_ms: 0 };
                    encode(&p, formats.key, formats.value, &row).value.map_or(Datum::Null, Datum::Bytes)
                }
                None => Datum::Null,
            }
        },
        None,
    );
    let key_serde = match (formats.key, group_type) {
        _ if by_source_key => key_serde(&plan.left.source),
        (Format::Json, _) | (_, SqlType::Boolean) => Serde::Json,
        (_, ty) => typed_serde(ty),
    };
    if a.window.is_some() {
        projected.to_windowed_topic(sink_topic, Produced::with(key_serde, Serde::Bytes));
    } else {
        projected.to_stream().to(sink_topic, Produced::with(key_serde, Serde::Bytes));
    }
}

/// Whether a GROUP BY groups a stream by its own (single) key column, whose bytes are
/// then the sink's key too.
fn groups_by_source_key(plan: &Plan, sink_key_format: Format) -> bool {
    let keys = plan.left.source.key_columns();
    match (&plan.aggregate, plan.join.is_some(), keys.as_slice()) {
        (Some(a), false, [(key, _)]) if plan.left.source.key_format == sink_key_format => {
            matches!(&a.group_by, Expr::Column { name, .. } if name == key)
        }
        _ => false,
    }
}

/// A source record's key (bytes, or already typed) as its key column's typed value.
fn source_key(input: &Input, key: &Datum) -> Datum {
    if !matches!(key, Datum::Bytes(_)) {
        return key.clone();
    }
    let columns = input.source.key_columns();
    super::serde::deserialize(input.source.key_format, &columns, bytes(key).as_deref())
        .ok()
        .and_then(|values| values.first().map(to_datum))
        .unwrap_or(Datum::Null)
}

/// The serde that keeps a grouping value's type through a repartition topic.
fn typed_serde(ty: SqlType) -> Serde {
    match ty {
        SqlType::String => Serde::String,
        SqlType::Integer => Serde::Integer,
        SqlType::Bigint => Serde::Long,
        SqlType::Double => Serde::Double,
        SqlType::Boolean => Serde::Json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ksql::ast::Statement;
    use crate::ksql::metastore::{Column, DataSource, MetaStore};
    use crate::ksql::parser::parse;
    use crate::ksql::plan::plan;
    use crate::streams::TopologyTestDriver;

    fn metastore() -> MetaStore {
        let mut m = MetaStore::default();
        let column = |name: &str, ty, key| Column { name: name.to_string(), ty, key };
        let source = |kind, name: &str, topic: &str, columns| DataSource {
            kind,
            name: name.into(),
            topic: topic.into(),
            key_format: Format::Kafka,
            value_format: Format::Json,
            columns,
            window: None,
            statement: String::new(),
        };
        m.add(source(
            SourceKind::Stream,
            "HR",
            "hr",
            vec![
                column("PATIENT", SqlType::String, true),
                column("BPM", SqlType::Integer, false),
                column("WARD", SqlType::String, false),
            ],
        ));
        m.add(source(
            SourceKind::Table,
            "WARDS",
            "wards",
            vec![column("WARD", SqlType::String, true), column("FLOOR", SqlType::Integer, false)],
        ));
        m.add(source(
            SourceKind::Table,
            "STAFF",
            "staff",
            vec![column("WARD", SqlType::String, true), column("NURSES", SqlType::Integer, false)],
        ));
        m
    }

    fn topology(select: &str) -> (Plan, Topology) {
        let Ok(mut statements) = parse(select) else { panic!("{select}") };
        let Some(Statement::Select(q)) = statements.pop() else { panic!("{select}") };
        let plan = plan(&q, &metastore(), None).unwrap_or_else(|e| panic!("{e}"));
        let output = Output::Topic {
            topic: "OUT".to_string(),
            formats: SinkFormats { key: Format::Kafka, value: Format::Json },
        };
        let topology = compile(&plan, &output);
        (plan, topology)
    }

    fn compiled(select: &str) -> (Plan, TopologyTestDriver) {
        let (plan, topology) = topology(select);
        (plan, TopologyTestDriver::new(topology, "_confluent-ksql-default_query_T_1"))
    }

    fn pipe(d: &mut TopologyTestDriver, topic: &str, key: &str, value: Option<&str>, t: i64) {
        d.pipe(topic, Some(key.as_bytes()), value.map(str::as_bytes), t);
    }

    /// The sink's records as (key text, value text or None).
    fn out(d: &mut TopologyTestDriver) -> Vec<(String, Option<String>)> {
        let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
        d.read_output("OUT")
            .iter()
            .map(|r| (r.key.as_deref().map(text).unwrap_or_default(), r.value.as_deref().map(text)))
            .collect()
    }

    fn row(key: &str, value: &str) -> (String, Option<String>) {
        (key.to_string(), Some(value.to_string()))
    }

    #[test]
    fn a_filter_projects_and_a_bad_record_is_skipped() {
        let (_, mut d) = compiled("SELECT patient, bpm * 2 AS double FROM hr WHERE bpm > 120 EMIT CHANGES;");
        pipe(&mut d, "hr", "p1", Some(r#"{"bpm":130}"#), 1);
        pipe(&mut d, "hr", "p1", Some(r#"{"bpm":80}"#), 2);
        pipe(&mut d, "hr", "p1", Some("82 bpm"), 3);
        pipe(&mut d, "hr", "p2", Some(r#"{"bpm":121}"#), 4);
        assert_eq!(out(&mut d), vec![row("p1", r#"{"DOUBLE":260}"#), row("p2", r#"{"DOUBLE":242}"#)]);
    }

    #[test]
    fn a_group_by_counts_per_key_into_the_queryable_store() {
        let (plan, mut d) = compiled(
            "SELECT ward, COUNT(*) AS n, AVG(bpm) AS a, LATEST_BY_OFFSET(patient) AS last FROM hr GROUP BY ward EMIT CHANGES;",
        );
        pipe(&mut d, "hr", "p1", Some(r#"{"bpm":80,"ward":"icu"}"#), 1);
        pipe(&mut d, "hr", "p2", Some(r#"{"bpm":95,"ward":"icu"}"#), 2);
        pipe(&mut d, "hr", "p3", Some(r#"{"bpm":95}"#), 3);
        assert_eq!(
            out(&mut d),
            vec![row("icu", r#"{"N":1,"A":80.0,"LAST":"p1"}"#), row("icu", r#"{"N":2,"A":87.5,"LAST":"p2"}"#)]
        );
        let rows = d.store_rows(AGGREGATE_STORE);
        let shown: Vec<Vec<String>> = rows
            .iter()
            .filter_map(|r| aggregate_output(&plan, &r.key, r.window, &r.value))
            .map(|values| values.iter().map(Value::display).collect())
            .collect();
        assert_eq!(shown, vec![vec!["icu", "2", "87.5", "p2"]], "a null ward is dropped");
    }

    #[test]
    fn tumbling_windows_key_the_sink_by_key_and_window_start() {
        let (_, mut d) = compiled(
            "SELECT patient, COUNT(*) AS n FROM hr WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY patient EMIT CHANGES;",
        );
        pipe(&mut d, "hr", "p1", Some(r#"{"bpm":1}"#), 59_000);
        pipe(&mut d, "hr", "p1", Some(r#"{"bpm":1}"#), 61_000);
        let keys: Vec<Option<Vec<u8>>> = d.read_output("OUT").into_iter().map(|r| r.key).collect();
        assert_eq!(
            keys,
            vec![
                Some([b"p1".as_slice(), &0u64.to_be_bytes()].concat()),
                Some([b"p1".as_slice(), &60_000u64.to_be_bytes()].concat())
            ]
        );
    }

    #[test]
    fn hopping_windows_count_a_record_in_every_window_that_covers_it() {
        let (_, mut d) = compiled("SELECT patient, COUNT(*) AS n FROM hr WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY patient EMIT CHANGES;");
        pipe(&mut d, "hr", "p1", Some(r#"{"bpm":1}"#), 12_000);
        let starts: Vec<u64> = d
            .read_output("OUT")
            .iter()
            .filter_map(|r| r.key.as_deref().and_then(|k| k.get(2..)).and_then(|t| t.try_into().ok()))
            .map(u64::from_be_bytes)
            .collect();
        assert_eq!(starts, vec![5_000, 10_000]);
    }

    #[test]
    fn a_push_query_collects_its_rows_and_a_merged_sessions_tombstone() {
        let Ok(mut statements) =
            parse("SELECT patient, COUNT(*) AS n FROM hr WINDOW SESSION (5 SECONDS) GROUP BY patient EMIT CHANGES;")
        else {
            panic!()
        };
        let Some(Statement::Select(q)) = statements.pop() else { panic!() };
        let plan = plan(&q, &metastore(), None).unwrap_or_else(|e| panic!("{e}"));
        let mut d = TopologyTestDriver::new(compile(&plan, &Output::Collect), "_confluent-ksql-default_transient_1");
        for t in [10_000, 12_000] {
            pipe(&mut d, "hr", "p1", Some(r#"{"bpm":1}"#), t);
        }
        let rows: Vec<(Vec<String>, bool)> = d
            .take_collected()
            .iter()
            .filter_map(|r| collected_row(&plan, &r.key, &r.value))
            .map(|(values, tombstone)| (values.iter().map(Value::display).collect(), tombstone))
            .collect();
        let cells = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rows,
            vec![(cells(&["p1", "1"]), false), (cells(&["p1", "null"]), true), (cells(&["p1", "2"]), false),]
        );
    }

    #[test]
    fn sessions_merge_within_the_gap_and_delete_the_merged_rows() {
        let (_, mut d) =
            compiled("SELECT patient, COUNT(*) AS n FROM hr WINDOW SESSION (5 SECONDS) GROUP BY patient EMIT CHANGES;");
        // 12 s joins 10 s; 16 s is within 5 s of both [10 s, 12 s] and 20 s.
        for t in [10_000, 12_000, 20_000, 16_000] {
            pipe(&mut d, "hr", "p1", Some(r#"{"bpm":1}"#), t);
        }
        let values: Vec<Option<String>> = out(&mut d).into_iter().map(|(_, v)| v).collect();
        assert_eq!(values.last(), Some(&Some(r#"{"N":4}"#.to_string())));
        assert_eq!(values.iter().filter(|v| v.is_none()).count(), 3, "every merged session is deleted: {values:?}");
    }

    #[test]
    fn a_stream_table_left_join_looks_up_the_latest_row_and_keeps_misses() {
        let (_, mut d) =
            compiled("SELECT h.ward, h.patient, w.floor FROM hr h LEFT JOIN wards w ON h.ward = w.ward EMIT CHANGES;");
        pipe(&mut d, "wards", "icu", Some(r#"{"floor":3}"#), 1);
        pipe(&mut d, "wards", "icu", Some(r#"{"floor":4}"#), 2);
        pipe(&mut d, "hr", "p1", Some(r#"{"bpm":70,"ward":"icu"}"#), 3);
        pipe(&mut d, "hr", "p2", Some(r#"{"bpm":70,"ward":"er"}"#), 4);
        assert_eq!(
            out(&mut d),
            vec![row("icu", r#"{"PATIENT":"p1","FLOOR":4}"#), row("er", r#"{"PATIENT":"p2","FLOOR":null}"#)]
        );
    }

    #[test]
    fn a_table_table_inner_join_deletes_its_row_with_either_side() {
        let (_, mut d) =
            compiled("SELECT w.ward, w.floor, s.nurses FROM wards w JOIN staff s ON w.ward = s.ward EMIT CHANGES;");
        pipe(&mut d, "wards", "icu", Some(r#"{"floor":3}"#), 1);
        pipe(&mut d, "staff", "icu", Some(r#"{"nurses":6}"#), 2);
        pipe(&mut d, "staff", "icu", None, 3);
        assert_eq!(out(&mut d), vec![row("icu", r#"{"FLOOR":3,"NURSES":6}"#), ("icu".to_string(), None)]);
    }

    #[test]
    fn the_topology_names_ksqldbs_processors_and_repartitions_a_regrouping() {
        let (_, t) = topology("SELECT ward, COUNT(*) AS n FROM hr WHERE bpm > 100 GROUP BY ward EMIT CHANGES;");
        let text = t.describe();
        for expected in
            ["WhereFilter", "Aggregate-GroupBy-repartition", "Aggregate-Aggregate-Materialize", "Aggregate-Project"]
        {
            assert!(text.contains(expected), "{expected} missing:\n{text}");
        }
        let (_, t) = topology("SELECT patient, COUNT(*) AS n FROM hr GROUP BY patient EMIT CHANGES;");
        assert!(!t.describe().contains("repartition"), "grouping by the key needs no repartition");
    }
}
