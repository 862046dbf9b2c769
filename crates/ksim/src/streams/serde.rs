//! Serdes: how a [`Datum`] becomes the bytes of a record's key or value and back, as
//! Kafka's `Serdes` (`StringSerializer`, `LongSerializer` — 8 bytes big-endian —,
//! `IntegerSerializer`, `DoubleSerializer`, `ByteArraySerializer`), ksqlDB's `JSON` and
//! `DELIMITED` formats, and the windowed keys of Kafka Streams (`TimeWindowedSerializer`:
//! key bytes then the window start as 8 bytes; `SessionWindowedSerializer`: key bytes,
//! then the end, then the start).
//!
//! A null datum is a null key or value (a tombstone) with every serde, as in Kafka.
//! Deserialization errors come back as [`SerdeError`]; what happens next is the
//! application's [`DeserializationHandler`].

use super::datum::Datum;
use super::window::Window;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Serde {
    /// `Serdes.String()` (UTF-8).
    String,
    /// `Serdes.Long()`: 8 bytes, big-endian.
    Long,
    /// `Serdes.Integer()`: 4 bytes, big-endian.
    Integer,
    /// `Serdes.Double()`: the IEEE 754 bits, 8 bytes big-endian.
    Double,
    /// `Serdes.ByteArray()`.
    Bytes,
    /// A JSON document; a [`Datum::Struct`] is an object with its fields in order.
    Json,
    /// ksqlDB's `DELIMITED` (comma-separated) values of a struct's fields, in order;
    /// `field_names` names the columns when reading.
    Delimited { field_names: Vec<String> },
}

/// How a windowed key is laid out in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WindowedKeyFormat {
    /// `TimeWindowedSerializer` (tumbling, hopping and sliding windows): key + start.
    Time,
    /// `SessionWindowedSerializer`: key + end + start.
    Session,
}

/// A record that could not be read, with the message Kafka's exception carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SerdeError {
    pub(crate) message: String,
}

impl SerdeError {
    fn new(message: impl Into<String>) -> SerdeError {
        SerdeError { message: message.into() }
    }
}

/// `default.deserialization.exception.handler`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeserializationHandler {
    /// Kafka Streams' default `LogAndFailExceptionHandler`: the stream thread dies and
    /// the application goes to ERROR.
    LogAndFail,
    /// `LogAndContinueExceptionHandler` (what ksqlDB uses): log and skip the record.
    LogAndContinue,
}

impl Serde {
    /// Serializes a datum; `None` for a null one.
    pub(crate) fn serialize(&self, datum: &Datum) -> Result<Option<Vec<u8>>, SerdeError> {
        if datum.is_null() {
            return Ok(None);
        }
        let bytes = match (self, datum) {
            (Serde::String, Datum::String(s)) => s.as_bytes().to_vec(),
            (Serde::String, other) => other.to_string().into_bytes(),
            (Serde::Long, d) => match d.as_i64() {
                Some(v) => v.to_be_bytes().to_vec(),
                None => return Err(mismatch("Long", d)),
            },
            (Serde::Integer, Datum::Int(v)) => v.to_be_bytes().to_vec(),
            (Serde::Integer, d) => match d.as_i64().and_then(|v| i32::try_from(v).ok()) {
                Some(v) => v.to_be_bytes().to_vec(),
                None => return Err(mismatch("Integer", d)),
            },
            (Serde::Double, d) => match d.as_f64() {
                Some(v) => v.to_bits().to_be_bytes().to_vec(),
                None => return Err(mismatch("Double", d)),
            },
            (Serde::Bytes, Datum::Bytes(b)) => b.clone(),
            (Serde::Bytes, Datum::String(s)) => s.as_bytes().to_vec(),
            (Serde::Bytes, d) => return Err(mismatch("byte[]", d)),
            (Serde::Json, d) => to_json(d).into_bytes(),
            (Serde::Delimited { .. }, d) => to_delimited(d).into_bytes(),
        };
        Ok(Some(bytes))
    }

    /// Deserializes bytes; a null key or value is [`Datum::Null`].
    pub(crate) fn deserialize(&self, bytes: Option<&[u8]>) -> Result<Datum, SerdeError> {
        let Some(bytes) = bytes else {
            return Ok(Datum::Null);
        };
        match self {
            Serde::String => Ok(Datum::String(String::from_utf8_lossy(bytes).into_owned())),
            Serde::Long => fixed::<8>(bytes, "Long").map(|b| Datum::BigInt(i64::from_be_bytes(b))),
            Serde::Integer => fixed::<4>(bytes, "Integer").map(|b| Datum::Int(i32::from_be_bytes(b))),
            Serde::Double => fixed::<8>(bytes, "Double").map(|b| Datum::Double(f64::from_bits(u64::from_be_bytes(b)))),
            Serde::Bytes => Ok(Datum::Bytes(bytes.to_vec())),
            Serde::Json => {
                let text = String::from_utf8_lossy(bytes);
                match crate::json::parse(&text) {
                    Some(json) => Ok(from_json(&json)),
                    None => Err(SerdeError::new(format!(
                        "Failed to deserialize value from topic. Invalid JSON: {}",
                        text.chars().take(80).collect::<String>()
                    ))),
                }
            }
            Serde::Delimited { field_names } => from_delimited(&String::from_utf8_lossy(bytes), field_names),
        }
    }

    /// A windowed key's bytes: the inner key's bytes, then the window's bounds.
    pub(crate) fn serialize_windowed(
        &self,
        key: &Datum,
        window: Window,
        format: WindowedKeyFormat,
    ) -> Result<Option<Vec<u8>>, SerdeError> {
        let mut bytes = self.serialize(key)?.unwrap_or_default();
        match format {
            WindowedKeyFormat::Time => bytes.extend_from_slice(&window.start_ms.to_be_bytes()),
            WindowedKeyFormat::Session => {
                bytes.extend_from_slice(&window.end_ms.to_be_bytes());
                bytes.extend_from_slice(&window.start_ms.to_be_bytes());
            }
        }
        Ok(Some(bytes))
    }

    /// Reads a windowed key back; a time window's end is `start + size_ms` as
    /// `TimeWindowedDeserializer` computes it.
    pub(crate) fn deserialize_windowed(
        &self,
        bytes: &[u8],
        format: WindowedKeyFormat,
        size_ms: i64,
    ) -> Result<(Datum, Window), SerdeError> {
        let tail = match format {
            WindowedKeyFormat::Time => 8,
            WindowedKeyFormat::Session => 16,
        };
        let Some(split) = bytes.len().checked_sub(tail) else {
            return Err(SerdeError::new("Windowed key is shorter than its window bounds"));
        };
        let (inner, bounds) = bytes.split_at(split);
        let long = |at: usize| -> i64 {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bounds[at..at + 8]);
            i64::from_be_bytes(b)
        };
        let window = match format {
            WindowedKeyFormat::Time => {
                let start = long(0);
                Window { start_ms: start, end_ms: start.saturating_add(size_ms) }
            }
            WindowedKeyFormat::Session => Window { start_ms: long(8), end_ms: long(0) },
        };
        Ok((self.deserialize(Some(inner))?, window))
    }
}

fn mismatch(expected: &str, got: &Datum) -> SerdeError {
    SerdeError::new(format!("java.lang.ClassCastException: value {got} cannot be cast to java.lang.{expected}"))
}

/// Kafka's fixed-size deserializers: `Size of data received by LongDeserializer is not 8`.
fn fixed<const N: usize>(bytes: &[u8], class: &str) -> Result<[u8; N], SerdeError> {
    <[u8; N]>::try_from(bytes)
        .map_err(|_| SerdeError::new(format!("Size of data received by {class}Deserializer is not {N}")))
}

/// JSON as Jackson writes it (no spaces); integral numbers stay integers.
pub(crate) fn to_json(datum: &Datum) -> String {
    match datum {
        Datum::Null => "null".to_string(),
        Datum::Boolean(b) => b.to_string(),
        Datum::Int(i) => i.to_string(),
        Datum::BigInt(i) => i.to_string(),
        Datum::Double(d) if d.is_finite() => super::datum::java_double(*d),
        Datum::Double(d) => crate::json::quote(&super::datum::java_double(*d)),
        Datum::String(s) => crate::json::quote(s),
        Datum::Bytes(_) => crate::json::quote(&datum.to_string()),
        Datum::Struct(fields) => {
            let parts: Vec<String> =
                fields.iter().map(|(n, v)| format!("{}:{}", crate::json::quote(n), to_json(v))).collect();
            format!("{{{}}}", parts.join(","))
        }
        Datum::Array(items) => {
            let parts: Vec<String> = items.iter().map(to_json).collect();
            format!("[{}]", parts.join(","))
        }
    }
}

/// A JSON document as a datum: objects keep their field order; a number without a
/// fraction becomes a `Long` (the reader keeps no textual form, so `1.0` reads as 1).
fn from_json(json: &crate::json::Json) -> Datum {
    use crate::json::Json;
    match json {
        Json::Null => Datum::Null,
        Json::Bool(b) => Datum::Boolean(*b),
        Json::Number(_) => match json.as_i64() {
            Some(i) => Datum::BigInt(i),
            None => match json {
                Json::Number(n) => Datum::Double(*n),
                _ => Datum::Null,
            },
        },
        Json::Text(s) => Datum::String(s.clone()),
        Json::Array(items) => Datum::Array(items.iter().map(from_json).collect()),
        Json::Object(fields) => Datum::Struct(fields.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}

fn to_delimited(datum: &Datum) -> String {
    let cell = |d: &Datum| match d {
        Datum::Null => String::new(),
        Datum::String(s) if s.contains(',') || s.contains('"') => format!("\"{}\"", s.replace('"', "\"\"")),
        other => other.to_string(),
    };
    match datum {
        Datum::Struct(fields) => fields.iter().map(|(_, v)| cell(v)).collect::<Vec<_>>().join(","),
        other => cell(other),
    }
}

/// Splits a CSV line into its cells (RFC 4180 quoting: `""` inside quotes is a quote).
pub(crate) fn split_delimited(text: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// CSV cells (RFC 4180 quoting) into the named fields, all read as strings; ksqlDB's
/// `Unexpected field count` when the counts differ.
fn from_delimited(text: &str, field_names: &[String]) -> Result<Datum, SerdeError> {
    let cells = split_delimited(text);
    if field_names.is_empty() {
        return Ok(Datum::Struct(
            cells.into_iter().enumerate().map(|(i, c)| (format!("COL{i}"), Datum::String(c))).collect(),
        ));
    }
    if cells.len() != field_names.len() {
        return Err(SerdeError::new(format!(
            "Unexpected field count, csvFields:{} schemaFields:{}",
            cells.len(),
            field_names.len()
        )));
    }
    let fields = field_names
        .iter()
        .zip(cells)
        .map(|(n, c)| (n.clone(), if c.is_empty() { Datum::Null } else { Datum::String(c) }))
        .collect();
    Ok(Datum::Struct(fields))
}
