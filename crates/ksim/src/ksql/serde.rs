//! ksqlDB's serialization formats for record keys and values: `JSON` (an object, field
//! names matched case-insensitively when read, written uppercased as the columns are),
//! `DELIMITED` (comma-separated values in column order) and `KAFKA` (one column: UTF-8
//! text, or big-endian 4/8-byte integers and doubles, as Kafka's own serializers write).
//! Windowed keys carry the window start (and, for sessions, end) after the key, as
//! Kafka Streams' `TimeWindowedSerializer` and `SessionWindowedSerializer` write them.

use super::value::{java_double, SqlType, Value};
use crate::json::{self, Json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Delimited,
    Kafka,
}

impl Format {
    pub(crate) fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_uppercase().as_str() {
            "JSON" => Some(Format::Json),
            "DELIMITED" => Some(Format::Delimited),
            "KAFKA" => Some(Format::Kafka),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Delimited => "DELIMITED",
            Format::Kafka => "KAFKA",
        }
    }
}

/// A column to read or write: its name and type.
pub(crate) type ColumnSpec = (String, SqlType);

/// Writes the columns' values; None for a row of no columns (a null record value).
pub(crate) fn serialize(format: Format, columns: &[ColumnSpec], values: &[Value]) -> Option<Vec<u8>> {
    if columns.is_empty() {
        return None;
    }
    let text = match format {
        Format::Json => {
            let fields: Vec<String> = columns
                .iter()
                .zip(values)
                .map(|((name, _), v)| format!("{}:{}", json::quote(name), json_value(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Format::Delimited => values
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                Value::String(s) if s.contains(',') || s.contains('"') => format!("\"{}\"", s.replace('"', "\"\"")),
                other => other.display(),
            })
            .collect::<Vec<_>>()
            .join(","),
        Format::Kafka => {
            return match values.first() {
                None | Some(Value::Null) => None,
                Some(Value::Integer(n)) => Some(n.to_be_bytes().to_vec()),
                Some(Value::Bigint(n)) => Some(n.to_be_bytes().to_vec()),
                Some(Value::Double(d)) => Some(d.to_be_bytes().to_vec()),
                Some(other) => Some(other.display().into_bytes()),
            }
        }
    };
    Some(text.into_bytes())
}

/// Writes a key: as a value, except that one JSON key column is written unwrapped
/// (`"p1"`, not `{"PATIENT":"p1"}`), as ksqlDB writes single-column JSON keys.
pub(crate) fn serialize_key(format: Format, columns: &[ColumnSpec], values: &[Value]) -> Option<Vec<u8>> {
    match (format, values) {
        (Format::Json, [one]) if columns.len() == 1 => Some(json_value(one).into_bytes()),
        _ => serialize(format, columns, values),
    }
}

fn json_value(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(n) => n.to_string(),
        Value::Bigint(n) => n.to_string(),
        Value::Double(d) => java_double(*d),
        Value::String(s) => json::quote(s),
    }
}

/// Reads the columns' values; an error is the deserializer's message (the record then
/// goes to the processing log and is skipped, as ksqlDB does).
pub(crate) fn deserialize(format: Format, columns: &[ColumnSpec], bytes: Option<&[u8]>) -> Result<Vec<Value>, String> {
    let Some(bytes) = bytes else {
        return Ok(vec![Value::Null; columns.len()]);
    };
    match format {
        Format::Json => {
            let text = String::from_utf8_lossy(bytes);
            let parsed =
                json::parse(&text).ok_or_else(|| "Failed to deserialize value from topic: invalid JSON".to_string())?;
            if columns.len() == 1 && !matches!(parsed, Json::Object(_)) {
                // A single column may be the whole value (ksqlDB's unwrapped single values).
                return Ok(vec![from_json(&parsed, columns[0].1)?]);
            }
            let Json::Object(fields) = &parsed else {
                return Err("Failed to deserialize value: Can't convert type. sourceType: ".to_string()
                    + json_kind(&parsed)
                    + ", requiredType: STRUCT");
            };
            columns
                .iter()
                .map(|(name, ty)| {
                    fields
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map_or(Ok(Value::Null), |(_, v)| from_json(v, *ty))
                })
                .collect()
        }
        Format::Delimited => {
            let text = String::from_utf8_lossy(bytes);
            let parts = crate::streams::serde::split_delimited(&text);
            if parts.len() != columns.len() {
                return Err(format!(
                    "Failed to deserialize value: Unexpected field count, csvFields:{} schemaFields:{}",
                    parts.len(),
                    columns.len()
                ));
            }
            columns
                .iter()
                .zip(parts)
                .map(|((_, ty), part)| if part.is_empty() { Ok(Value::Null) } else { Value::String(part).cast(*ty) })
                .collect()
        }
        Format::Kafka => {
            let Some((_, ty)) = columns.first() else { return Ok(Vec::new()) };
            let value = match ty {
                SqlType::Integer => Value::Integer(i32::from_be_bytes(fixed(bytes, "Integer")?)),
                SqlType::Bigint => Value::Bigint(i64::from_be_bytes(fixed(bytes, "Long")?)),
                SqlType::Double => Value::Double(f64::from_be_bytes(fixed(bytes, "Double")?)),
                SqlType::Boolean => Value::Boolean(bytes.first().is_some_and(|b| *b != 0)),
                SqlType::String => Value::String(String::from_utf8_lossy(bytes).into_owned()),
            };
            Ok(vec![value])
        }
    }
}

/// Kafka's fixed-size deserializers refuse any other length.
fn fixed<const N: usize>(bytes: &[u8], kind: &str) -> Result<[u8; N], String> {
    bytes.try_into().map_err(|_| format!("Size of data received by {kind}Deserializer is not {N}"))
}

fn json_kind(j: &Json) -> &'static str {
    match j {
        Json::Null => "NULL",
        Json::Bool(_) => "BOOLEAN",
        Json::Number(_) => "NUMBER",
        Json::Text(_) => "STRING",
        Json::Array(_) => "ARRAY",
        Json::Object(_) => "OBJECT",
    }
}

fn from_json(j: &Json, ty: SqlType) -> Result<Value, String> {
    let mismatch = || format!("Can't convert type. sourceType: {}, requiredType: {}", json_kind(j), ty.name());
    Ok(match (j, ty) {
        (Json::Null, _) => Value::Null,
        (Json::Bool(b), SqlType::Boolean) => Value::Boolean(*b),
        (Json::Number(n), SqlType::Integer) if n.fract() == 0.0 && n.abs() <= f64::from(i32::MAX) => {
            Value::Integer(*n as i32)
        }
        (Json::Number(_), SqlType::Bigint) => Value::Bigint(j.as_i64().ok_or_else(mismatch)?),
        (Json::Number(n), SqlType::Double) => Value::Double(*n),
        (Json::Number(n), SqlType::String) => {
            Value::String(if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", *n as i64) } else { java_double(*n) })
        }
        (Json::Text(s), SqlType::String) => Value::String(s.clone()),
        (Json::Bool(b), SqlType::String) => Value::String(b.to_string()),
        (Json::Text(s), _) => Value::String(s.clone()).cast(ty).map_err(|_| mismatch())?,
        _ => return Err(mismatch()),
    })
}

/// A windowed key: the key's bytes, then the window's start (tumbling and hopping) or end
/// and start (session), as 8-byte big-endian milliseconds.
pub(crate) fn windowed_key(key: &[u8], start_ms: u64, end_ms: u64, session: bool) -> Vec<u8> {
    let mut out = key.to_vec();
    if session {
        out.extend_from_slice(&end_ms.to_be_bytes());
    }
    out.extend_from_slice(&start_ms.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<ColumnSpec> {
        vec![("PATIENT".to_string(), SqlType::String), ("BPM".to_string(), SqlType::Integer)]
    }

    #[test]
    fn json_reads_case_insensitively_and_writes_column_names() {
        let values = deserialize(Format::Json, &cols(), Some(br#"{"patient":"p1","bpm":82,"extra":true}"#)).unwrap();
        assert_eq!(values, vec![Value::String("p1".into()), Value::Integer(82)]);
        assert_eq!(serialize(Format::Json, &cols(), &values).unwrap(), br#"{"PATIENT":"p1","BPM":82}"#.to_vec());
        let missing = deserialize(Format::Json, &cols(), Some(br#"{"bpm":90}"#)).unwrap();
        assert_eq!(missing[0], Value::Null);
        assert!(deserialize(Format::Json, &cols(), Some(b"82 bpm")).is_err());
        assert!(deserialize(Format::Json, &cols(), Some(br#"{"bpm":"fast"}"#)).is_err());
    }

    #[test]
    fn delimited_and_kafka_formats() {
        let values = deserialize(Format::Delimited, &cols(), Some(b"p2,130")).unwrap();
        assert_eq!(values, vec![Value::String("p2".into()), Value::Integer(130)]);
        assert_eq!(serialize(Format::Delimited, &cols(), &values).unwrap(), b"p2,130".to_vec());
        assert!(deserialize(Format::Delimited, &cols(), Some(b"p2")).is_err());
        let int = vec![("N".to_string(), SqlType::Integer)];
        assert_eq!(serialize(Format::Kafka, &int, &[Value::Integer(1)]), Some(vec![0, 0, 0, 1]));
        assert_eq!(deserialize(Format::Kafka, &int, Some(&[0, 0, 1, 0])).unwrap(), vec![Value::Integer(256)]);
        assert!(deserialize(Format::Kafka, &int, Some(b"12")).is_err());
    }

    #[test]
    fn single_json_keys_are_unwrapped_both_ways() {
        let key = vec![("PATIENT".to_string(), SqlType::String)];
        let bytes = serialize_key(Format::Json, &key, &[Value::String("p1".into())]).unwrap();
        assert_eq!(bytes, br#""p1""#.to_vec());
        assert_eq!(deserialize(Format::Json, &key, Some(&bytes)).unwrap(), vec![Value::String("p1".into())]);
        assert_eq!(serialize_key(Format::Kafka, &key, &[Value::String("p1".into())]), Some(b"p1".to_vec()));
    }

    #[test]
    fn windowed_keys_append_the_window() {
        assert_eq!(windowed_key(b"c1", 60_000, 120_000, false), [b"c1".as_slice(), &60_000u64.to_be_bytes()].concat());
        assert_eq!(windowed_key(b"c1", 1, 2, true).len(), 2 + 16);
    }
}
