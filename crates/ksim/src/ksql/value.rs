//! ksqlDB's SQL types and values (`SqlBaseType`: BOOLEAN, INTEGER, BIGINT, DOUBLE, STRING)
//! as the simulator supports them, with Java's text forms (`82.0`, `null`) and the casts.

use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SqlType {
    Boolean,
    Integer,
    Bigint,
    Double,
    String,
}

impl SqlType {
    /// The name `DESCRIBE` prints (`SqlType.toString()`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            SqlType::Boolean => "BOOLEAN",
            SqlType::Integer => "INTEGER",
            SqlType::Bigint => "BIGINT",
            SqlType::Double => "DOUBLE",
            SqlType::String => "STRING",
        }
    }

    /// A type name as written in a statement; None when ksqlDB has no such type here.
    pub(crate) fn parse(word: &str) -> Option<SqlType> {
        Some(match word {
            "BOOLEAN" => SqlType::Boolean,
            "INT" | "INTEGER" => SqlType::Integer,
            "BIGINT" => SqlType::Bigint,
            "DOUBLE" => SqlType::Double,
            "VARCHAR" | "STRING" => SqlType::String,
            _ => return None,
        })
    }

    pub(crate) fn is_numeric(self) -> bool {
        matches!(self, SqlType::Integer | SqlType::Bigint | SqlType::Double)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Boolean(bool),
    Integer(i32),
    Bigint(i64),
    Double(f64),
    String(String),
}

impl Value {
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Integer(n) => Some(f64::from(*n)),
            Value::Bigint(n) => Some(*n as f64),
            Value::Double(d) => Some(*d),
            _ => None,
        }
    }

    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(n) => Some(i64::from(*n)),
            Value::Bigint(n) => Some(*n),
            _ => None,
        }
    }

    /// The text the CLI prints for the value (Java's `toString`).
    pub(crate) fn display(&self) -> String {
        match self {
            Value::Null => "null".to_string(),
            Value::Boolean(b) => b.to_string(),
            Value::Integer(n) => n.to_string(),
            Value::Bigint(n) => n.to_string(),
            Value::Double(d) => java_double(*d),
            Value::String(s) => s.clone(),
        }
    }

    /// Converts to `ty` as `CAST` does; a string that is no number casts to an error.
    pub(crate) fn cast(&self, ty: SqlType) -> Result<Value, String> {
        let v = match (self, ty) {
            (Value::Null, _) => Value::Null,
            (Value::String(s), SqlType::String) => Value::String(s.clone()),
            (other, SqlType::String) => Value::String(other.display()),
            (Value::Boolean(b), SqlType::Boolean) => Value::Boolean(*b),
            (Value::String(s), SqlType::Boolean) => Value::Boolean(s.trim().eq_ignore_ascii_case("true")),
            (Value::String(s), SqlType::Integer) => Value::Integer(
                s.trim().parse().map_err(|_| format!("Can't cast '{s}' to INTEGER: For input string: \"{s}\""))?,
            ),
            (Value::String(s), SqlType::Bigint) => Value::Bigint(
                s.trim().parse().map_err(|_| format!("Can't cast '{s}' to BIGINT: For input string: \"{s}\""))?,
            ),
            (Value::String(s), SqlType::Double) => Value::Double(
                s.trim().parse().map_err(|_| format!("Can't cast '{s}' to DOUBLE: For input string: \"{s}\""))?,
            ),
            (v, SqlType::Integer) => match v.as_f64() {
                Some(f) => Value::Integer(f as i32),
                None => return Err(format!("Cast of {} to INTEGER is not supported", v.type_name())),
            },
            (v, SqlType::Bigint) => match v.as_f64() {
                Some(f) => Value::Bigint(v.as_i64().unwrap_or(f as i64)),
                None => return Err(format!("Cast of {} to BIGINT is not supported", v.type_name())),
            },
            (v, SqlType::Double) => match v.as_f64() {
                Some(f) => Value::Double(f),
                None => return Err(format!("Cast of {} to DOUBLE is not supported", v.type_name())),
            },
            (v, SqlType::Boolean) => return Err(format!("Cast of {} to BOOLEAN is not supported", v.type_name())),
        };
        Ok(v)
    }

    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Boolean(_) => "BOOLEAN",
            Value::Integer(_) => "INTEGER",
            Value::Bigint(_) => "BIGINT",
            Value::Double(_) => "DOUBLE",
            Value::String(_) => "STRING",
        }
    }

    /// SQL comparison: None when either side is null or the types do not compare.
    pub(crate) fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Null, _) | (_, Value::Null) => None,
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            (Value::Boolean(a), Value::Boolean(b)) => Some(a.cmp(b)),
            (a, b) => match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
            },
        }
    }
}

/// Java's `Double.toString` for the values a lesson meets: at least one decimal, and
/// scientific notation outside [10^-3, 10^7).
pub(crate) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let abs = d.abs();
    if abs != 0.0 && !(1e-3..1e7).contains(&abs) {
        let text = format!("{d:E}");
        let (mantissa, exponent) = text.split_once('E').unwrap_or((&text, "0"));
        let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.0") };
        return format!("{mantissa}E{exponent}");
    }
    let text = format!("{d}");
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java_does() {
        assert_eq!(java_double(82.0), "82.0");
        assert_eq!(java_double(97.5), "97.5");
        assert_eq!(java_double(1.0e7), "1.0E7");
        assert_eq!(java_double(-0.5), "-0.5");
    }

    #[test]
    fn casts_and_comparisons() {
        assert_eq!(Value::String("12".into()).cast(SqlType::Integer), Ok(Value::Integer(12)));
        assert!(Value::String("x".into()).cast(SqlType::Integer).is_err());
        assert_eq!(Value::Double(2.9).cast(SqlType::Integer), Ok(Value::Integer(2)));
        assert_eq!(Value::Integer(3).compare(&Value::Double(2.5)), Some(Ordering::Greater));
        assert_eq!(Value::Null.compare(&Value::Integer(1)), None);
    }
}
