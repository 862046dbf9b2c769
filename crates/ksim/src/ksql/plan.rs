//! Compiling a `SELECT` against the metastore (ksqlDB's analyzer and logical planner, in
//! small): resolving sources and columns, the join's key, the aggregates pulled out of the
//! projection, output column names (`KSQL_COL_0` for unnamed expressions, `R_ZONE` for a
//! join's `*`), which output columns form the key, and the errors ksqlDB gives for each.

use super::ast::{BinaryOp, Expr, JoinKind, Query, SelectItem, SourceKind, WindowSpec};
use super::expr::{is_aggregate_call, show, type_of, FieldType};
use super::metastore::{DataSource, MetaStore};
use super::value::SqlType;

/// A source a query reads, and the name its columns are qualified with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Input {
    pub(crate) source: DataSource,
    pub(crate) qualifier: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct JoinPlan {
    pub(crate) kind: JoinKind,
    pub(crate) right: Input,
    /// The left side's join expression, evaluated per left record.
    pub(crate) left_expr: Expr,
    /// Both sides are tables (a table–table join on their primary keys).
    pub(crate) table_table: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AggregateCall {
    pub(crate) function: String,
    /// None for `COUNT(*)`.
    pub(crate) arg: Option<Expr>,
    pub(crate) ty: SqlType,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AggregatePlan {
    pub(crate) group_by: Expr,
    pub(crate) window: Option<WindowSpec>,
    pub(crate) calls: Vec<AggregateCall>,
    pub(crate) having: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OutputColumn {
    pub(crate) name: String,
    pub(crate) ty: SqlType,
    pub(crate) key: bool,
    pub(crate) expr: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    pub(crate) left: Input,
    pub(crate) join: Option<JoinPlan>,
    pub(crate) filter: Option<Expr>,
    pub(crate) aggregate: Option<AggregatePlan>,
    /// In projection order.
    pub(crate) columns: Vec<OutputColumn>,
    pub(crate) limit: Option<u64>,
}

impl Plan {
    /// The result is a table: an aggregation, or a projection of a table.
    pub(crate) fn result_is_table(&self) -> bool {
        self.aggregate.is_some()
            || (self.left.source.kind == SourceKind::Table && self.join.is_none())
            || self.join.as_ref().is_some_and(|j| j.table_table)
    }

    pub(crate) fn window(&self) -> Option<WindowSpec> {
        self.aggregate.as_ref().and_then(|a| a.window).or(self.left.source.window)
    }

    pub(crate) fn source_names(&self) -> Vec<String> {
        let mut names = vec![self.left.source.name.clone()];
        if let Some(j) = &self.join {
            names.push(j.right.source.name.clone());
        }
        names
    }
}

/// Pseudo columns every row has.
pub(crate) const ROWTIME: &str = "ROWTIME";
pub(crate) const WINDOWSTART: &str = "WINDOWSTART";
pub(crate) const WINDOWEND: &str = "WINDOWEND";

fn fields_of(input: &Input, windowed: bool) -> Vec<FieldType> {
    let q = &input.qualifier;
    let mut fields: Vec<FieldType> = input
        .source
        .columns
        .iter()
        .map(|c| FieldType { qualifier: q.clone(), name: c.name.clone(), ty: c.ty })
        .collect();
    fields.push(FieldType { qualifier: q.clone(), name: ROWTIME.to_string(), ty: SqlType::Bigint });
    if windowed {
        fields.push(FieldType { qualifier: q.clone(), name: WINDOWSTART.to_string(), ty: SqlType::Bigint });
        fields.push(FieldType { qualifier: q.clone(), name: WINDOWEND.to_string(), ty: SqlType::Bigint });
    }
    fields
}

fn lookup(metastore: &MetaStore, name: &str) -> Result<DataSource, String> {
    metastore.get(name).cloned().ok_or_else(|| format!("{name} does not exist."))
}

/// Plans `query`; `sink` names the stream or table a `CREATE … AS SELECT` builds (its key
/// columns must then be in the projection).
pub(crate) fn plan(query: &Query, metastore: &MetaStore, sink: Option<&str>) -> Result<Plan, String> {
    let left_source = lookup(metastore, &query.from.name)?;
    let left = Input { qualifier: query.from.qualifier().to_string(), source: left_source };
    let mut schema = fields_of(&left, left.source.window.is_some());
    let join = match &query.join {
        None => None,
        Some(j) => {
            let right_source = lookup(metastore, &j.right.name)?;
            let right = Input { qualifier: j.right.qualifier().to_string(), source: right_source };
            if right.qualifier == left.qualifier {
                return Err(format!(
                    "Can not join '{}' to '{}': self joins are not yet supported.",
                    left.source.name, right.source.name
                ));
            }
            if right.source.kind == SourceKind::Stream {
                return Err("Stream-stream joins (JOIN … WITHIN) are not simulated in Kafka Playground; join a stream to a table.".to_string());
            }
            let Expr::Binary(BinaryOp::Eq, a, b) = &j.on else {
                return Err(format!("Unsupported join expression: {}", show(&j.on)));
            };
            let refers_right = |e: &Expr| matches!(e, Expr::Column { qualifier: Some(q), .. } if *q == right.qualifier);
            let (left_expr, right_expr) = if refers_right(b) {
                (a, b)
            } else if refers_right(a) {
                (b, a)
            } else {
                return Err(format!(
                    "Invalid join condition: join criteria must reference both sides. Got {}.",
                    show(&j.on)
                ));
            };
            let right_key: Vec<String> = right.source.key_columns().into_iter().map(|(n, _)| n).collect();
            let Expr::Column { name: right_name, .. } = right_expr.as_ref() else {
                return Err(format!("Unsupported join expression: {}", show(&j.on)));
            };
            if !right_key.contains(right_name) {
                return Err(format!(
                    "Cannot repartition a TABLE source. If this is a join, make sure that the criteria uses the TABLE's key column {} instead of {}",
                    right_key.join(", "),
                    right_name
                ));
            }
            let table_table = left.source.kind == SourceKind::Table;
            if table_table {
                let left_key: Vec<String> = left.source.key_columns().into_iter().map(|(n, _)| n).collect();
                let is_left_key = matches!(left_expr.as_ref(), Expr::Column { name, .. } if left_key.contains(name));
                if !is_left_key {
                    return Err(format!(
                        "Cannot repartition a TABLE source. If this is a join, make sure that the criteria uses the TABLE's key column {} instead of {}",
                        left_key.join(", "),
                        show(left_expr)
                    ));
                }
            }
            schema.extend(fields_of(&right, false));
            let left_type = type_of(left_expr, &schema, &[])?;
            let right_type = type_of(right_expr, &schema, &[])?;
            if left_type != right_type {
                return Err(format!(
                    "Invalid join condition: types don't match. Got {}{{{}}} = {}{{{}}}.",
                    show(left_expr),
                    left_type.name(),
                    show(right_expr),
                    right_type.name()
                ));
            }
            Some(JoinPlan { kind: j.kind, right, left_expr: (**left_expr).clone(), table_table })
        }
    };
    if let Some(f) = &query.filter {
        if type_of(f, &schema, &[])? != SqlType::Boolean {
            return Err(format!(
                "Type error in WHERE expression: Should evaluate to boolean but is {} instead.",
                show(f)
            ));
        }
        let mut aggregate_in_where = false;
        f.walk(&mut |e| aggregate_in_where |= is_aggregate_call(e));
        if aggregate_in_where {
            return Err(format!("Aggregate functions can not be used in WHERE: {}", show(f)));
        }
    }
    // The projection, `*` expanded.
    let mut items: Vec<(Option<String>, Expr)> = Vec::new();
    for item in &query.select {
        match item {
            SelectItem::Star => {
                let inputs: Vec<&Input> = std::iter::once(&left).chain(join.as_ref().map(|j| &j.right)).collect();
                for input in inputs {
                    let prefix = join.as_ref().map(|_| format!("{}_", input.qualifier));
                    let mut names: Vec<String> =
                        input.source.columns.iter().filter(|c| c.key).map(|c| c.name.clone()).collect();
                    if input.source.window.is_some() {
                        names.push(WINDOWSTART.to_string());
                        names.push(WINDOWEND.to_string());
                    }
                    names.extend(input.source.columns.iter().filter(|c| !c.key).map(|c| c.name.clone()));
                    for name in names {
                        let alias = prefix.as_ref().map(|p| format!("{p}{name}"));
                        items.push((alias, Expr::Column { qualifier: Some(input.qualifier.clone()), name }));
                    }
                }
            }
            SelectItem::Expr { expr, alias } => items.push((alias.clone(), expr.clone())),
        }
    }
    let is_aggregation = !query.group_by.is_empty() || items.iter().any(|(_, e)| contains_aggregate(e));
    let mut calls: Vec<AggregateCall> = Vec::new();
    let aggregate = if is_aggregation {
        if query.group_by.is_empty() {
            return Err("Aggregate functions need a GROUP BY clause in Kafka Playground (ksqlDB would group every row under one key).".to_string());
        }
        if query.group_by.len() > 1 {
            return Err(
                "GROUP BY on more than one expression is not simulated in Kafka Playground; group by one column."
                    .to_string(),
            );
        }
        if left.source.kind == SourceKind::Table {
            return Err("GROUP BY on a table is not simulated in Kafka Playground; aggregate a stream.".to_string());
        }
        let group_by = query.group_by[0].clone();
        type_of(&group_by, &schema, &[])?;
        let mut rewritten = Vec::new();
        for (_, e) in &items {
            // Unknown functions and bad arguments first, as ksqlDB's analyzer reports them.
            type_of(e, &schema, &[])?;
        }
        for (alias, e) in &items {
            let new = extract_aggregates(e, &schema, &mut calls)?;
            if !contains_aggregate(e) && show(e) != show(&group_by) && !same_column(e, &group_by) {
                return Err(format!("Non-aggregate SELECT expression(s) not part of GROUP BY: {}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.", show(e)));
            }
            rewritten.push((alias.clone(), new));
        }
        items = rewritten;
        let having = match &query.having {
            Some(h) => Some(extract_aggregates(h, &schema, &mut calls)?),
            None => None,
        };
        Some(AggregatePlan { group_by, window: query.window, calls, having })
    } else {
        if query.window.is_some() {
            return Err("WINDOW clause requires a GROUP BY clause.".to_string());
        }
        if query.having.is_some() {
            return Err("HAVING clause requires a GROUP BY clause.".to_string());
        }
        None
    };
    let agg_types: Vec<SqlType> =
        aggregate.as_ref().map(|a| a.calls.iter().map(|c| c.ty).collect()).unwrap_or_default();
    let mut output_schema = schema.clone();
    if aggregate.as_ref().is_some_and(|a| a.window.is_some()) {
        let q = left.qualifier.clone();
        output_schema.push(FieldType { qualifier: q.clone(), name: WINDOWSTART.to_string(), ty: SqlType::Bigint });
        output_schema.push(FieldType { qualifier: q, name: WINDOWEND.to_string(), ty: SqlType::Bigint });
    }
    let mut columns: Vec<OutputColumn> = Vec::new();
    let mut generated = 0;
    for (alias, expr) in items {
        let ty = type_of(&expr, &output_schema, &agg_types)?;
        let name = match (alias, &expr) {
            (Some(a), _) => a,
            (None, Expr::Column { name, .. }) => name.clone(),
            (None, _) => {
                let n = format!("KSQL_COL_{generated}");
                generated += 1;
                n
            }
        };
        if columns.iter().any(|c| c.name == name) {
            return Err(format!("Duplicate value columns found in schema: `{name}` {}", ty.name()));
        }
        columns.push(OutputColumn { name, ty, key: false, expr });
    }
    mark_keys(&mut columns, &left, join.as_ref(), aggregate.as_ref(), sink)?;
    Ok(Plan { left, join, filter: query.filter.clone(), aggregate, columns, limit: query.limit })
}

fn contains_aggregate(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |x| found |= is_aggregate_call(x));
    found
}

/// Whether two expressions name the same column (one may be qualified).
fn same_column(a: &Expr, b: &Expr) -> bool {
    matches!((a, b), (Expr::Column { name: x, .. }, Expr::Column { name: y, .. }) if x == y)
}

/// Replaces each aggregate call with `Expr::Aggregate(i)`, collecting the calls.
fn extract_aggregates(e: &Expr, schema: &[FieldType], calls: &mut Vec<AggregateCall>) -> Result<Expr, String> {
    let recurse = |x: &Expr, calls: &mut Vec<AggregateCall>| extract_aggregates(x, schema, calls).map(Box::new);
    Ok(match e {
        Expr::Call { name, args, star } if is_aggregate_call(e) => {
            if args.len() > 1 || (args.is_empty() && !(*star && name == "COUNT")) {
                let shown = if *star { "*".to_string() } else { args.iter().map(show).collect::<Vec<_>>().join(", ") };
                return Err(format!("Function '{name}' does not accept parameters ({shown})."));
            }
            if args.iter().any(contains_aggregate) {
                return Err(format!("Aggregate functions can not be nested: {}", show(e)));
            }
            let ty = type_of(e, schema, &[])?;
            let arg = args.first().cloned();
            let call = AggregateCall { function: name.clone(), arg, ty };
            let index = match calls.iter().position(|c| *c == call) {
                Some(i) => i,
                None => {
                    calls.push(call);
                    calls.len() - 1
                }
            };
            Expr::Aggregate(index)
        }
        Expr::Literal(_) | Expr::Column { .. } | Expr::Aggregate(_) => e.clone(),
        Expr::Not(x) => Expr::Not(recurse(x, calls)?),
        Expr::Negate(x) => Expr::Negate(recurse(x, calls)?),
        Expr::Binary(op, a, b) => Expr::Binary(*op, recurse(a, calls)?, recurse(b, calls)?),
        Expr::IsNull { expr, negated } => Expr::IsNull { expr: recurse(expr, calls)?, negated: *negated },
        Expr::Like { expr, pattern, negated } => {
            Expr::Like { expr: recurse(expr, calls)?, pattern: recurse(pattern, calls)?, negated: *negated }
        }
        Expr::Between { expr, low, high, negated } => Expr::Between {
            expr: recurse(expr, calls)?,
            low: recurse(low, calls)?,
            high: recurse(high, calls)?,
            negated: *negated,
        },
        Expr::InList { expr, list, negated } => Expr::InList {
            expr: recurse(expr, calls)?,
            list: list.iter().map(|x| extract_aggregates(x, schema, calls)).collect::<Result<_, _>>()?,
            negated: *negated,
        },
        Expr::Case { operand, whens, otherwise } => Expr::Case {
            operand: operand.as_ref().map(|o| recurse(o, calls)).transpose()?,
            whens: whens
                .iter()
                .map(|(w, t)| Ok((extract_aggregates(w, schema, calls)?, extract_aggregates(t, schema, calls)?)))
                .collect::<Result<_, String>>()?,
            otherwise: otherwise.as_ref().map(|o| recurse(o, calls)).transpose()?,
        },
        Expr::Cast { expr, ty } => Expr::Cast { expr: recurse(expr, calls)?, ty: *ty },
        Expr::Call { name, args, star } => Expr::Call {
            name: name.clone(),
            args: args.iter().map(|x| extract_aggregates(x, schema, calls)).collect::<Result<_, _>>()?,
            star: *star,
        },
    })
}

/// Marks the output columns that form the key: the grouping expression, the join
/// expression, or the source's key columns. A sink must select them
/// (`PlanNode.throwKeysNotIncludedError`).
fn mark_keys(
    columns: &mut [OutputColumn],
    left: &Input,
    join: Option<&JoinPlan>,
    aggregate: Option<&AggregatePlan>,
    sink: Option<&str>,
) -> Result<(), String> {
    let missing = |what: &str, required: &str, sink: &str| {
        format!("Key missing from projection (ie, SELECT). \nThe query used to build `{sink}` must include the {what} {required} in its projection (eg, SELECT {required}...).")
    };
    if let Some(a) = aggregate {
        let found =
            columns.iter().position(|c| show(&c.expr) == show(&a.group_by) || same_column(&c.expr, &a.group_by));
        match (found, sink) {
            (Some(i), _) => columns[i].key = true,
            (None, Some(sink)) => return Err(missing("grouping expression", &show(&a.group_by), sink)),
            (None, None) => {}
        }
        return Ok(());
    }
    if let Some(j) = join {
        let right_keys: Vec<String> = j.right.source.key_columns().into_iter().map(|(n, _)| n).collect();
        let found = columns.iter().position(|c| {
            show(&c.expr) == show(&j.left_expr)
                || matches!(&c.expr, Expr::Column { qualifier: Some(q), name } if *q == j.right.qualifier && right_keys.contains(name))
        });
        match (found, sink) {
            (Some(i), _) => columns[i].key = true,
            (None, Some(sink)) => {
                let required = format!("{} or {}.{}", show(&j.left_expr), j.right.qualifier, right_keys.join(""));
                return Err(missing("join expressions", &required, sink));
            }
            (None, None) => {}
        }
        return Ok(());
    }
    for (key, _) in left.source.key_columns() {
        let found = columns.iter().position(|c| matches!(&c.expr, Expr::Column { name, .. } if *name == key));
        match (found, sink) {
            (Some(i), _) => columns[i].key = true,
            (None, Some(sink)) => return Err(missing("key column", &key, sink)),
            (None, None) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ksql::ast::Statement;
    use crate::ksql::metastore::Column;
    use crate::ksql::parser::parse;
    use crate::ksql::serde::Format;

    fn planned(select: &str, sink: Option<&str>) -> Result<Plan, String> {
        let mut m = MetaStore::default();
        m.add(DataSource {
            kind: SourceKind::Stream,
            name: "HR".into(),
            topic: "hr".into(),
            key_format: Format::Kafka,
            value_format: Format::Json,
            columns: vec![
                Column { name: "PATIENT".into(), ty: SqlType::String, key: true },
                Column { name: "BPM".into(), ty: SqlType::Integer, key: false },
            ],
            window: None,
            statement: String::new(),
        });
        let Ok(mut statements) = parse(select) else { panic!("{select}") };
        let Some(Statement::Select(q)) = statements.pop() else { panic!("{select}") };
        plan(&q, &m, sink)
    }

    #[test]
    fn output_columns_are_named_typed_and_keyed() {
        let p = planned("SELECT patient, COUNT(*) AS n, MAX(bpm) FROM hr GROUP BY patient EMIT CHANGES;", Some("T"))
            .unwrap_or_else(|e| panic!("{e}"));
        let shown: Vec<(&str, SqlType, bool)> = p.columns.iter().map(|c| (c.name.as_str(), c.ty, c.key)).collect();
        assert_eq!(
            shown,
            vec![
                ("PATIENT", SqlType::String, true),
                ("N", SqlType::Bigint, false),
                ("KSQL_COL_0", SqlType::Integer, false)
            ]
        );
        assert_eq!(p.aggregate.map(|a| a.calls.len()), Some(2));
    }

    #[test]
    fn what_ksqldb_refuses_is_refused_with_its_words() {
        assert_eq!(planned("SELECT * FROM nope EMIT CHANGES;", None).err().as_deref(), Some("NOPE does not exist."));
        assert!(planned("SELECT bpm FROM hr EMIT CHANGES;", Some("S"))
            .err()
            .is_some_and(|e| e.starts_with("Key missing from projection (ie, SELECT).")));
        assert!(planned("SELECT patient, bpm, COUNT(*) FROM hr GROUP BY patient EMIT CHANGES;", None)
            .err()
            .is_some_and(|e| e.starts_with("Non-aggregate SELECT expression(s) not part of GROUP BY: BPM")));
        assert_eq!(
            planned("SELECT patient FROM hr WHERE COUNT(*) > 1 EMIT CHANGES;", None).err().as_deref(),
            Some("Aggregate functions can not be used in WHERE: (COUNT(*) > 1)")
        );
        assert_eq!(
            planned("SELECT patient FROM hr WINDOW TUMBLING (SIZE 1 SECOND) EMIT CHANGES;", None).err().as_deref(),
            Some("WINDOW clause requires a GROUP BY clause.")
        );
        assert_eq!(
            planned("SELECT patient, SUM(patient) FROM hr GROUP BY patient EMIT CHANGES;", None).err().as_deref(),
            Some("Function 'SUM' does not accept parameters (STRING).")
        );
    }
}
