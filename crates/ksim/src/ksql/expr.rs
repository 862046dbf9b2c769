//! Evaluating ksqlDB expressions over a row: SQL's three-valued logic (a null operand
//! makes a comparison null, and a null WHERE drops the row), arithmetic with ksqlDB's
//! widening (INTEGER → BIGINT → DOUBLE), LIKE with `%` and `_`, CASE, CAST, and the
//! built-in scalar functions a lesson uses. Type checking gives the column types
//! `DESCRIBE` shows for derived streams and tables.

use super::ast::{BinaryOp, Expr};
use super::value::{SqlType, Value};

/// A column of a row being evaluated: the source (alias) it comes from, its name.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field {
    pub(crate) qualifier: String,
    pub(crate) name: String,
    pub(crate) value: Value,
}

/// A column's type in a schema being checked.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FieldType {
    pub(crate) qualifier: String,
    pub(crate) name: String,
    pub(crate) ty: SqlType,
}

/// The aggregate functions (`UdafFactory`s) the simulator knows.
pub(crate) const AGGREGATES: &[&str] = &["COUNT", "SUM", "AVG", "MIN", "MAX", "LATEST_BY_OFFSET", "EARLIEST_BY_OFFSET"];

pub(crate) fn is_aggregate_call(expr: &Expr) -> bool {
    matches!(expr, Expr::Call { name, .. } if AGGREGATES.contains(&name.as_str()))
}

/// What an expression reads: its row, and the current aggregate results.
pub(crate) struct Scope<'a> {
    pub(crate) fields: &'a [Field],
    pub(crate) aggregates: &'a [Value],
}

impl Scope<'_> {
    fn column(&self, qualifier: Option<&str>, name: &str) -> Value {
        self.fields
            .iter()
            .find(|f| f.name == name && qualifier.is_none_or(|q| q == f.qualifier))
            .map_or(Value::Null, |f| f.value.clone())
    }
}

pub(crate) fn eval(expr: &Expr, scope: &Scope) -> Value {
    match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Column { qualifier, name } => scope.column(qualifier.as_deref(), name),
        Expr::Aggregate(i) => scope.aggregates.get(*i).cloned().unwrap_or(Value::Null),
        Expr::Not(e) => match eval(e, scope) {
            Value::Boolean(b) => Value::Boolean(!b),
            _ => Value::Null,
        },
        Expr::Negate(e) => match eval(e, scope) {
            Value::Integer(n) => Value::Integer(n.wrapping_neg()),
            Value::Bigint(n) => Value::Bigint(n.wrapping_neg()),
            Value::Double(d) => Value::Double(-d),
            _ => Value::Null,
        },
        Expr::Binary(op, a, b) => binary(*op, a, b, scope),
        Expr::IsNull { expr, negated } => Value::Boolean(eval(expr, scope).is_null() != *negated),
        Expr::Like { expr, pattern, negated } => match (eval(expr, scope), eval(pattern, scope)) {
            (Value::String(s), Value::String(p)) => Value::Boolean(like(&s, &p) != *negated),
            _ => Value::Null,
        },
        Expr::Between { expr, low, high, negated } => {
            let v = eval(expr, scope);
            match (v.compare(&eval(low, scope)), v.compare(&eval(high, scope))) {
                (Some(lo), Some(hi)) => Value::Boolean((lo.is_ge() && hi.is_le()) != *negated),
                _ => Value::Null,
            }
        }
        Expr::InList { expr, list, negated } => {
            let v = eval(expr, scope);
            if v.is_null() {
                return Value::Null;
            }
            let found = list.iter().any(|e| v.compare(&eval(e, scope)).is_some_and(|o| o.is_eq()));
            Value::Boolean(found != *negated)
        }
        Expr::Case { operand, whens, otherwise } => {
            let subject = operand.as_ref().map(|o| eval(o, scope));
            for (when, then) in whens {
                let hit = match &subject {
                    Some(s) => s.compare(&eval(when, scope)).is_some_and(|o| o.is_eq()),
                    None => eval(when, scope) == Value::Boolean(true),
                };
                if hit {
                    return eval(then, scope);
                }
            }
            otherwise.as_ref().map_or(Value::Null, |o| eval(o, scope))
        }
        Expr::Cast { expr, ty } => eval(expr, scope).cast(*ty).unwrap_or(Value::Null),
        Expr::Call { name, args, .. } => {
            let values: Vec<Value> = args.iter().map(|a| eval(a, scope)).collect();
            call(name, &values)
        }
    }
}

/// Whether a WHERE or HAVING keeps the row: only a true condition does.
pub(crate) fn holds(expr: &Expr, scope: &Scope) -> bool {
    eval(expr, scope) == Value::Boolean(true)
}

fn binary(op: BinaryOp, a: &Expr, b: &Expr, scope: &Scope) -> Value {
    match op {
        BinaryOp::And => {
            return match (eval(a, scope), eval(b, scope)) {
                (Value::Boolean(false), _) | (_, Value::Boolean(false)) => Value::Boolean(false),
                (Value::Boolean(true), Value::Boolean(true)) => Value::Boolean(true),
                _ => Value::Null,
            }
        }
        BinaryOp::Or => {
            return match (eval(a, scope), eval(b, scope)) {
                (Value::Boolean(true), _) | (_, Value::Boolean(true)) => Value::Boolean(true),
                (Value::Boolean(false), Value::Boolean(false)) => Value::Boolean(false),
                _ => Value::Null,
            }
        }
        _ => {}
    }
    let (x, y) = (eval(a, scope), eval(b, scope));
    if x.is_null() || y.is_null() {
        return Value::Null;
    }
    let compare = |f: fn(std::cmp::Ordering) -> bool| x.compare(&y).map_or(Value::Null, |o| Value::Boolean(f(o)));
    match op {
        BinaryOp::Eq => compare(|o| o.is_eq()),
        BinaryOp::NotEq => compare(|o| o.is_ne()),
        BinaryOp::Lt => compare(|o| o.is_lt()),
        BinaryOp::LtEq => compare(|o| o.is_le()),
        BinaryOp::Gt => compare(|o| o.is_gt()),
        BinaryOp::GtEq => compare(|o| o.is_ge()),
        BinaryOp::Concat => Value::String(format!("{}{}", x.display(), y.display())),
        BinaryOp::Add if matches!((&x, &y), (Value::String(_), Value::String(_))) => {
            Value::String(format!("{}{}", x.display(), y.display()))
        }
        _ => arithmetic(op, &x, &y),
    }
}

fn arithmetic(op: BinaryOp, x: &Value, y: &Value) -> Value {
    match (x, y) {
        (Value::Integer(a), Value::Integer(b)) => {
            let r = match op {
                BinaryOp::Add => a.checked_add(*b),
                BinaryOp::Subtract => a.checked_sub(*b),
                BinaryOp::Multiply => a.checked_mul(*b),
                BinaryOp::Divide => a.checked_div(*b),
                BinaryOp::Modulus => a.checked_rem(*b),
                _ => None,
            };
            r.map_or(Value::Null, Value::Integer)
        }
        _ => match (x.as_i64(), y.as_i64()) {
            (Some(a), Some(b)) => {
                let r = match op {
                    BinaryOp::Add => a.checked_add(b),
                    BinaryOp::Subtract => a.checked_sub(b),
                    BinaryOp::Multiply => a.checked_mul(b),
                    BinaryOp::Divide => a.checked_div(b),
                    BinaryOp::Modulus => a.checked_rem(b),
                    _ => None,
                };
                r.map_or(Value::Null, Value::Bigint)
            }
            _ => match (x.as_f64(), y.as_f64()) {
                (Some(a), Some(b)) => Value::Double(match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Subtract => a - b,
                    BinaryOp::Multiply => a * b,
                    BinaryOp::Divide => a / b,
                    BinaryOp::Modulus => a % b,
                    _ => return Value::Null,
                }),
                _ => Value::Null,
            },
        },
    }
}

/// SQL LIKE: `%` any run of characters, `_` one character.
fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // matches[j]: the pattern's first j characters match the text read so far.
    let mut matches = vec![false; p.len() + 1];
    matches[0] = true;
    for j in 1..=p.len() {
        matches[j] = matches[j - 1] && p[j - 1] == '%';
    }
    for c in t {
        let mut next = vec![false; p.len() + 1];
        for j in 1..=p.len() {
            next[j] = match p[j - 1] {
                '%' => next[j - 1] || matches[j],
                '_' => matches[j - 1],
                other => matches[j - 1] && other == c,
            };
        }
        matches = next;
    }
    matches[p.len()]
}

/// The scalar functions; a null argument gives null, as ksqlDB's UDFs do.
fn call(name: &str, args: &[Value]) -> Value {
    let text = |i: usize| match args.get(i) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.display()),
    };
    match name {
        "UCASE" => text(0).map_or(Value::Null, |s| Value::String(s.to_uppercase())),
        "LCASE" => text(0).map_or(Value::Null, |s| Value::String(s.to_lowercase())),
        "TRIM" => text(0).map_or(Value::Null, |s| Value::String(s.trim().to_string())),
        "LEN" => text(0).map_or(Value::Null, |s| Value::Integer(s.chars().count() as i32)),
        "CONCAT" => Value::String(args.iter().filter(|v| !v.is_null()).map(Value::display).collect()),
        "SUBSTRING" => {
            let Some(s) = text(0) else { return Value::Null };
            let chars: Vec<char> = s.chars().collect();
            // ksqlDB's positions start at 1.
            let start = args.get(1).and_then(Value::as_i64).unwrap_or(1).max(1) as usize - 1;
            let len = args.get(2).and_then(Value::as_i64).map_or(chars.len(), |n| n.max(0) as usize);
            Value::String(chars.iter().skip(start).take(len).collect())
        }
        "ABS" => match args.first() {
            Some(Value::Integer(n)) => Value::Integer(n.wrapping_abs()),
            Some(Value::Bigint(n)) => Value::Bigint(n.wrapping_abs()),
            Some(Value::Double(d)) => Value::Double(d.abs()),
            _ => Value::Null,
        },
        "ROUND" => match args.first() {
            Some(Value::Double(d)) => Value::Bigint(d.round() as i64),
            Some(v @ (Value::Integer(_) | Value::Bigint(_))) => v.clone(),
            _ => Value::Null,
        },
        "FLOOR" | "CEIL" => match args.first() {
            Some(Value::Double(d)) => Value::Double(if name == "FLOOR" { d.floor() } else { d.ceil() }),
            Some(v @ (Value::Integer(_) | Value::Bigint(_))) => v.clone(),
            _ => Value::Null,
        },
        "IFNULL" | "COALESCE" => args.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// ksqlDB's other aggregate functions, which the simulator does not run.
const UNSIMULATED_AGGREGATES: &[&str] = &[
    "COLLECT_LIST",
    "COLLECT_SET",
    "COUNT_DISTINCT",
    "HISTOGRAM",
    "TOPK",
    "TOPKDISTINCT",
    "STDDEV_SAMP",
    "STDDEV_SAMPLE",
    "CORRELATION",
    "LATEST_BY_OFFSET_N",
    "EARLIEST_BY_OFFSET_N",
    "ATTR",
];

/// The scalar function names, for "Can't find any functions with the name".
const SCALARS: &[&str] =
    &["UCASE", "LCASE", "TRIM", "LEN", "CONCAT", "SUBSTRING", "ABS", "ROUND", "FLOOR", "CEIL", "IFNULL", "COALESCE"];

/// The type an expression has over `schema`; aggregates' types are in `aggregates`.
pub(crate) fn type_of(expr: &Expr, schema: &[FieldType], aggregates: &[SqlType]) -> Result<SqlType, String> {
    let t = |e: &Expr| type_of(e, schema, aggregates);
    Ok(match expr {
        Expr::Literal(v) => match v {
            Value::Null => SqlType::String,
            Value::Boolean(_) => SqlType::Boolean,
            Value::Integer(_) => SqlType::Integer,
            Value::Bigint(_) => SqlType::Bigint,
            Value::Double(_) => SqlType::Double,
            Value::String(_) => SqlType::String,
        },
        Expr::Column { qualifier, name } => {
            let matching: Vec<&FieldType> = schema
                .iter()
                .filter(|f| f.name == *name && qualifier.as_ref().is_none_or(|q| *q == f.qualifier))
                .collect();
            match matching.as_slice() {
                [one] => one.ty,
                [] => {
                    let shown = qualifier.as_ref().map_or(name.clone(), |q| format!("{q}.{name}"));
                    return Err(format!("Column '{shown}' cannot be resolved."));
                }
                _ => {
                    return Err(format!(
                        "Column '{name}' is ambiguous. Could be any of: {}",
                        matching.iter().map(|f| format!("{}.{}", f.qualifier, f.name)).collect::<Vec<_>>().join(", ")
                    ))
                }
            }
        }
        Expr::Aggregate(i) => aggregates.get(*i).copied().unwrap_or(SqlType::Bigint),
        Expr::Not(e) => {
            t(e)?;
            SqlType::Boolean
        }
        Expr::Negate(e) => t(e)?,
        Expr::Binary(op, a, b) => {
            let (x, y) = (t(a)?, t(b)?);
            match op {
                BinaryOp::And | BinaryOp::Or => SqlType::Boolean,
                BinaryOp::Eq | BinaryOp::NotEq | BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq => {
                    if x != y && !(x.is_numeric() && y.is_numeric()) {
                        return Err(format!(
                            "Error in WHERE expression: Cannot compare {} ({}) to {} ({}) with {}.",
                            show(a),
                            x.name(),
                            show(b),
                            y.name(),
                            op_text(*op)
                        ));
                    }
                    SqlType::Boolean
                }
                BinaryOp::Concat => SqlType::String,
                BinaryOp::Add if x == SqlType::String && y == SqlType::String => SqlType::String,
                _ => {
                    if !x.is_numeric() || !y.is_numeric() {
                        return Err(format!(
                            "Error processing expression: {}. Unsupported arithmetic types. {} {}",
                            show(expr),
                            x.name(),
                            y.name()
                        ));
                    }
                    if x == SqlType::Double || y == SqlType::Double {
                        SqlType::Double
                    } else if x == SqlType::Bigint || y == SqlType::Bigint {
                        SqlType::Bigint
                    } else {
                        SqlType::Integer
                    }
                }
            }
        }
        Expr::IsNull { expr, .. } => {
            t(expr)?;
            SqlType::Boolean
        }
        Expr::Like { expr, pattern, .. } => {
            t(expr)?;
            t(pattern)?;
            SqlType::Boolean
        }
        Expr::Between { expr, low, high, .. } => {
            t(expr)?;
            t(low)?;
            t(high)?;
            SqlType::Boolean
        }
        Expr::InList { expr, list, .. } => {
            t(expr)?;
            for e in list {
                t(e)?;
            }
            SqlType::Boolean
        }
        Expr::Case { operand, whens, otherwise } => {
            if let Some(o) = operand {
                t(o)?;
            }
            let mut result = None;
            for (w, then) in whens {
                t(w)?;
                result.get_or_insert(t(then)?);
            }
            if let Some(o) = otherwise {
                t(o)?;
            }
            result.unwrap_or(SqlType::String)
        }
        Expr::Cast { expr, ty } => {
            t(expr)?;
            *ty
        }
        Expr::Call { name, args, star } => {
            let types = args.iter().map(t).collect::<Result<Vec<_>, _>>()?;
            let first = types.first().copied();
            match name.as_str() {
                "COUNT" => SqlType::Bigint,
                "AVG" => SqlType::Double,
                "SUM" | "MIN" | "MAX" | "LATEST_BY_OFFSET" | "EARLIEST_BY_OFFSET" => match first {
                    Some(ty) if name == "SUM" && !ty.is_numeric() => {
                        return Err(format!("Function 'SUM' does not accept parameters ({}).", ty.name()))
                    }
                    Some(ty) => ty,
                    None if *star => return Err(format!("Function '{name}' does not accept parameters (*).")),
                    None => return Err(format!("Function '{name}' does not accept parameters ().")),
                },
                "UCASE" | "LCASE" | "TRIM" | "CONCAT" | "SUBSTRING" => SqlType::String,
                "LEN" => SqlType::Integer,
                "ROUND" => match first {
                    Some(SqlType::Double) => SqlType::Bigint,
                    Some(ty) => ty,
                    None => SqlType::Bigint,
                },
                "ABS" | "FLOOR" | "CEIL" | "IFNULL" | "COALESCE" => first.unwrap_or(SqlType::String),
                _ if SCALARS.contains(&name.as_str()) => SqlType::String,
                _ if UNSIMULATED_AGGREGATES.contains(&name.as_str()) => {
                    return Err(format!(
                        "Aggregate function {name} is not simulated in Kafka Playground; use {}.",
                        AGGREGATES.join(", ")
                    ))
                }
                _ => return Err(format!("Can't find any functions with the name '{name}'")),
            }
        }
    })
}

fn op_text(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Eq => "=",
        BinaryOp::NotEq => "<>",
        BinaryOp::Lt => "<",
        BinaryOp::LtEq => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::GtEq => ">=",
        BinaryOp::Add => "+",
        BinaryOp::Subtract => "-",
        BinaryOp::Multiply => "*",
        BinaryOp::Divide => "/",
        BinaryOp::Modulus => "%",
        BinaryOp::Concat => "||",
        BinaryOp::And => "AND",
        BinaryOp::Or => "OR",
    }
}

/// An expression as ksqlDB's `SqlFormatter` writes it (used in messages, EXPLAIN and
/// the names of unaliased columns' sources).
pub(crate) fn show(expr: &Expr) -> String {
    match expr {
        Expr::Literal(Value::String(s)) => format!("'{}'", s.replace('\'', "''")),
        Expr::Literal(v) => v.display(),
        Expr::Column { qualifier: Some(q), name } => format!("{q}.{name}"),
        Expr::Column { qualifier: None, name } => name.clone(),
        Expr::Aggregate(i) => format!("KSQL_AGG_VARIABLE_{i}"),
        Expr::Not(e) => format!("(NOT {})", show(e)),
        Expr::Negate(e) => format!("-{}", show(e)),
        Expr::Binary(op, a, b) => format!("({} {} {})", show(a), op_text(*op), show(b)),
        Expr::IsNull { expr, negated } => format!("({} IS {}NULL)", show(expr), if *negated { "NOT " } else { "" }),
        Expr::Like { expr, pattern, negated } => {
            format!("({} {}LIKE {})", show(expr), if *negated { "NOT " } else { "" }, show(pattern))
        }
        Expr::Between { expr, low, high, negated } => {
            format!("({} {}BETWEEN {} AND {})", show(expr), if *negated { "NOT " } else { "" }, show(low), show(high))
        }
        Expr::InList { expr, list, negated } => format!(
            "({} {}IN ({}))",
            show(expr),
            if *negated { "NOT " } else { "" },
            list.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Expr::Case { operand, whens, otherwise } => {
            let mut s = String::from("(CASE");
            if let Some(o) = operand {
                s.push_str(&format!(" {}", show(o)));
            }
            for (w, t) in whens {
                s.push_str(&format!(" WHEN {} THEN {}", show(w), show(t)));
            }
            if let Some(o) = otherwise {
                s.push_str(&format!(" ELSE {}", show(o)));
            }
            s.push_str(" END)");
            s
        }
        Expr::Cast { expr, ty } => format!("CAST({} AS {})", show(expr), ty.name()),
        Expr::Call { name, star: true, .. } => format!("{name}(*)"),
        Expr::Call { name, args, .. } => format!("{name}({})", args.iter().map(show).collect::<Vec<_>>().join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ksql::ast::{SelectItem, Statement};
    use crate::ksql::parser::parse;

    /// Evaluates the first select item of `SELECT <expr> FROM S;` over BPM=130, P='p1'.
    fn value_of(expr: &str) -> Value {
        let text = format!("SELECT {expr} FROM s;");
        let Ok(mut statements) = parse(&text) else { panic!("{text}") };
        let Some(Statement::Select(q)) = statements.pop() else { panic!() };
        let SelectItem::Expr { expr, .. } = &q.select[0] else { panic!() };
        let fields = vec![
            Field { qualifier: "S".into(), name: "BPM".into(), value: Value::Integer(130) },
            Field { qualifier: "S".into(), name: "P".into(), value: Value::String("p1".into()) },
            Field { qualifier: "S".into(), name: "N".into(), value: Value::Null },
        ];
        eval(expr, &Scope { fields: &fields, aggregates: &[] })
    }

    #[test]
    fn arithmetic_widens_and_divides_by_zero_to_null() {
        assert_eq!(value_of("bpm + 1"), Value::Integer(131));
        assert_eq!(value_of("bpm * 2.5"), Value::Double(325.0));
        assert_eq!(value_of("bpm / 0"), Value::Null);
        assert_eq!(value_of("bpm % 7"), Value::Integer(4));
        assert_eq!(value_of("-bpm"), Value::Integer(-130));
    }

    #[test]
    fn three_valued_logic() {
        assert_eq!(value_of("n > 1"), Value::Null);
        assert_eq!(value_of("n > 1 OR bpm > 120"), Value::Boolean(true));
        assert_eq!(value_of("n > 1 AND bpm > 120"), Value::Null);
        assert_eq!(value_of("n IS NULL AND p IS NOT NULL"), Value::Boolean(true));
        assert_eq!(value_of("NOT bpm BETWEEN 60 AND 100"), Value::Boolean(true));
        assert_eq!(value_of("bpm IN (120, 130)"), Value::Boolean(true));
    }

    #[test]
    fn strings_like_case_and_casts() {
        assert_eq!(value_of("UCASE(p)"), Value::String("P1".into()));
        assert_eq!(value_of("CONCAT(p, '-', bpm)"), Value::String("p1-130".into()));
        assert_eq!(value_of("LEN(p)"), Value::Integer(2));
        assert_eq!(value_of("p LIKE 'p%'"), Value::Boolean(true));
        assert_eq!(value_of("p LIKE '_2'"), Value::Boolean(false));
        assert_eq!(value_of("CASE WHEN bpm > 120 THEN 'high' ELSE 'normal' END"), Value::String("high".into()));
        assert_eq!(value_of("CASE p WHEN 'p2' THEN 1 END"), Value::Null);
        assert_eq!(value_of("CAST(bpm AS VARCHAR)"), Value::String("130".into()));
        assert_eq!(value_of("CAST('x' AS INT)"), Value::Null);
    }

    #[test]
    fn types_of_expressions_and_their_errors() {
        let schema = vec![
            FieldType { qualifier: "S".into(), name: "BPM".into(), ty: SqlType::Integer },
            FieldType { qualifier: "S".into(), name: "P".into(), ty: SqlType::String },
        ];
        let ty = |text: &str| {
            let Ok(mut s) = parse(&format!("SELECT {text} FROM s;")) else { panic!() };
            let Some(Statement::Select(q)) = s.pop() else { panic!() };
            let SelectItem::Expr { expr, .. } = &q.select[0] else { panic!() };
            type_of(expr, &schema, &[])
        };
        assert_eq!(ty("bpm * 1.5"), Ok(SqlType::Double));
        assert_eq!(ty("AVG(bpm)"), Ok(SqlType::Double));
        assert_eq!(ty("COUNT(*)"), Ok(SqlType::Bigint));
        assert_eq!(ty("nope"), Err("Column 'NOPE' cannot be resolved.".to_string()));
        assert_eq!(ty("FOO(bpm)"), Err("Can't find any functions with the name 'FOO'".to_string()));
        assert!(ty("p > 1").is_err());
    }
}
