//! `Datum`: a typed value inside a Kafka Streams application (a record's key or value
//! once deserialized), the Java objects Kafka Streams' serdes produce: `null`, `Boolean`,
//! `Integer`, `Long`, `Double`, `String`, `byte[]`, and ksqlDB's `Struct` and `List`.
//!
//! Datums have a total order (keys of state stores are ordered by it) and a Java-like
//! rendering (`Double.toString`, `Struct{a=1,b=x}`), so a seed always prints the same.

use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub(crate) enum Datum {
    Null,
    Boolean(bool),
    /// Java `Integer`.
    Int(i32),
    /// Java `Long`.
    BigInt(i64),
    /// Java `Double`; equality and order are `Double.compare`'s (NaN equals NaN, -0.0 < 0.0).
    Double(f64),
    String(String),
    Bytes(Vec<u8>),
    /// Named fields in declaration order (ksqlDB's `Struct`, a JSON object).
    Struct(Vec<(String, Datum)>),
    Array(Vec<Datum>),
}

impl Datum {
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Datum::Null)
    }

    pub(crate) fn str(text: &str) -> Datum {
        Datum::String(text.to_string())
    }

    /// A struct field by name (ksqlDB column names are matched exactly here; the SQL
    /// layer upper-cases them first).
    pub(crate) fn field(&self, name: &str) -> Option<&Datum> {
        match self {
            Datum::Struct(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value as a Java `long` when it is an integral number.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Datum::Int(i) => Some(i64::from(*i)),
            Datum::BigInt(i) => Some(*i),
            _ => None,
        }
    }

    /// The value as a Java `double` when it is a number.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Datum::Int(i) => Some(f64::from(*i)),
            Datum::BigInt(i) => Some(*i as f64),
            Datum::Double(d) => Some(*d),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Datum::String(s) => Some(s),
            _ => None,
        }
    }

    /// Variant rank for the total order across types (values of one type compare first).
    fn rank(&self) -> u8 {
        match self {
            Datum::Null => 0,
            Datum::Boolean(_) => 1,
            Datum::Int(_) => 2,
            Datum::BigInt(_) => 3,
            Datum::Double(_) => 4,
            Datum::String(_) => 5,
            Datum::Bytes(_) => 6,
            Datum::Struct(_) => 7,
            Datum::Array(_) => 8,
        }
    }
}

/// `Double.compare`: -0.0 before 0.0, NaN after everything and equal to itself.
fn double_cmp(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.total_cmp(&b),
    }
}

impl Ord for Datum {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Datum::Null, Datum::Null) => Ordering::Equal,
            (Datum::Boolean(a), Datum::Boolean(b)) => a.cmp(b),
            (Datum::Int(a), Datum::Int(b)) => a.cmp(b),
            (Datum::BigInt(a), Datum::BigInt(b)) => a.cmp(b),
            (Datum::Double(a), Datum::Double(b)) => double_cmp(*a, *b),
            (Datum::String(a), Datum::String(b)) => a.cmp(b),
            (Datum::Bytes(a), Datum::Bytes(b)) => a.cmp(b),
            (Datum::Struct(a), Datum::Struct(b)) => a.cmp(b),
            (Datum::Array(a), Datum::Array(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Datum {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Datum {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Datum {}

/// Java's `Double.toString`: `1.0`, `0.5`, `1.0E10`, `1.0E-5`, `NaN`, `Infinity`.
pub(crate) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let magnitude = d.abs();
    if (1e-3..1e7).contains(&magnitude) {
        let text = format!("{d}");
        return if text.contains('.') { text } else { format!("{text}.0") };
    }
    // Scientific: Rust's `{:e}` gives the shortest digits that round-trip, as Java does.
    let text = format!("{d:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.0") };
    format!("{mantissa}E{exponent}")
}

impl std::fmt::Display for Datum {
    /// Java's `toString` of the object: what `print()` and ksqlDB's CLI show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Datum::Null => write!(f, "null"),
            Datum::Boolean(b) => write!(f, "{b}"),
            Datum::Int(i) => write!(f, "{i}"),
            Datum::BigInt(i) => write!(f, "{i}"),
            Datum::Double(d) => write!(f, "{}", java_double(*d)),
            Datum::String(s) => write!(f, "{s}"),
            // ksqlDB shows BYTES as base64 (Java would print an identity hash).
            Datum::Bytes(b) => write!(f, "{}", base64(b)),
            Datum::Struct(fields) => {
                let parts: Vec<String> = fields.iter().map(|(n, v)| format!("{n}={v}")).collect();
                write!(f, "Struct{{{}}}", parts.join(","))
            }
            Datum::Array(items) => {
                let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", parts.join(", "))
            }
        }
    }
}

/// Standard base64 with padding (`java.util.Base64.getEncoder()`), as ksqlDB prints BYTES.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
