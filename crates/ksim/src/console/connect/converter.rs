//! Connect's converters (`org.apache.kafka.connect.json.JsonConverter`,
//! `org.apache.kafka.connect.storage.StringConverter`): how a Connect value and its schema
//! become the bytes of a record, and back.
//!
//! `JsonConverter` with `schemas.enable=true` wraps each value in an envelope,
//! `{"schema":{"type":"string","optional":false},"payload":"foo"}`; with `false` it writes
//! the bare JSON, `"foo"`. A null value is a null record (no envelope), as Kafka writes it.

use crate::json::{self, Json};

/// A Connect value with its (implied) schema: the types the playground's connectors use.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Boolean(bool),
    Int32(i32),
    Int64(i64),
    Float64(f64),
    String(String),
    /// A `Struct` with its schema's name and its fields in schema order.
    Struct {
        name: String,
        fields: Vec<(String, Value)>,
    },
    /// A schemaless JSON object read back (`schemas.enable=false`): a Java `Map`.
    Map(Vec<(String, Value)>),
    Array(Vec<Value>),
}

impl Value {
    /// The schema JsonConverter writes next to the payload.
    fn schema_json(&self) -> String {
        let primitive = |t: &str| format!("{{\"type\":\"{t}\",\"optional\":false}}");
        match self {
            Value::Null => "null".to_string(),
            Value::Boolean(_) => primitive("boolean"),
            Value::Int32(_) => primitive("int32"),
            Value::Int64(_) => primitive("int64"),
            Value::Float64(_) => primitive("double"),
            Value::String(_) => primitive("string"),
            Value::Struct { name, fields } => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(field, v)| {
                        let schema = v.schema_json();
                        let inner = schema.trim_start_matches('{').trim_end_matches('}');
                        format!("{{{inner},\"field\":{}}}", json::quote(field))
                    })
                    .collect();
                format!(
                    "{{\"type\":\"struct\",\"fields\":[{}],\"optional\":false,\"name\":{}}}",
                    fields.join(","),
                    json::quote(name)
                )
            }
            // Schemaless values read back never go out with a schema again; this is what
            // JsonConverter writes for a value without one.
            Value::Map(_) | Value::Array(_) => "null".to_string(),
        }
    }

    /// The payload as JSON.
    fn payload_json(&self) -> String {
        match self {
            Value::Null => "null".to_string(),
            Value::Boolean(b) => b.to_string(),
            Value::Int32(n) => n.to_string(),
            Value::Int64(n) => n.to_string(),
            Value::Float64(x) => java_double(*x),
            Value::String(s) => json::quote(s),
            Value::Struct { fields, .. } | Value::Map(fields) => {
                let fields: Vec<String> =
                    fields.iter().map(|(k, v)| format!("{}:{}", json::quote(k), v.payload_json())).collect();
                format!("{{{}}}", fields.join(","))
            }
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(Value::payload_json).collect();
                format!("[{}]", items.join(","))
            }
        }
    }

    /// Java's `toString` of the value, which is what FileStreamSinkTask writes as a line.
    pub(crate) fn java_string(&self) -> String {
        match self {
            Value::Null => "null".to_string(),
            Value::Boolean(b) => b.to_string(),
            Value::Int32(n) => n.to_string(),
            Value::Int64(n) => n.to_string(),
            Value::Float64(x) => java_double(*x),
            Value::String(s) => s.clone(),
            Value::Struct { fields, .. } => {
                let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", v.java_string())).collect();
                format!("Struct{{{}}}", fields.join(","))
            }
            Value::Map(fields) => {
                let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", v.java_string())).collect();
                format!("{{{}}}", fields.join(", "))
            }
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(Value::java_string).collect();
                format!("[{}]", items.join(", "))
            }
        }
    }

    /// A struct's or map's fields, for a table row; anything else is one `value` column.
    pub(crate) fn columns(&self) -> Vec<(String, String)> {
        match self {
            Value::Struct { fields, .. } | Value::Map(fields) => {
                fields.iter().map(|(k, v)| (k.clone(), v.java_string())).collect()
            }
            other => vec![("value".to_string(), other.java_string())],
        }
    }
}

/// `Double.toString` for the values the playground writes (integral values get `.0`).
fn java_double(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e7 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

/// A converter as configured for keys or values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Converter {
    Json { schemas_enable: bool },
    String,
}

pub(crate) const JSON_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";
pub(crate) const STRING_CONVERTER: &str = "org.apache.kafka.connect.storage.StringConverter";

impl Converter {
    /// The converter a `*.converter` class names, with its `*.converter.schemas.enable`.
    pub(crate) fn from_config(class: &str, schemas_enable: Option<&str>) -> Result<Converter, String> {
        let schemas_enable = match schemas_enable.map(str::trim) {
            None => true,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(v) => {
                return Err(format!(
                    "Invalid value {v} for configuration schemas.enable: Expected value to be either true or false"
                ))
            }
        };
        match class.trim() {
            JSON_CONVERTER | "JsonConverter" => Ok(Converter::Json { schemas_enable }),
            STRING_CONVERTER | "StringConverter" => Ok(Converter::String),
            other => Err(format!("Class {other} cannot be found")),
        }
    }

    /// `fromConnectData`: the bytes of a record's key or value.
    pub(crate) fn to_bytes(&self, value: &Value) -> Option<Vec<u8>> {
        if *value == Value::Null {
            return None;
        }
        let text = match self {
            Converter::Json { schemas_enable: true } => {
                format!("{{\"schema\":{},\"payload\":{}}}", value.schema_json(), value.payload_json())
            }
            Converter::Json { schemas_enable: false } => value.payload_json(),
            Converter::String => value.java_string(),
        };
        Some(text.into_bytes())
    }

    /// `toConnectData`: the value a sink task sees, or the `DataException` that fails it.
    pub(crate) fn to_value(&self, bytes: Option<&[u8]>) -> Result<Value, String> {
        let Some(bytes) = bytes else {
            return Ok(Value::Null);
        };
        let text = String::from_utf8_lossy(bytes);
        match self {
            Converter::String => Ok(Value::String(text.into_owned())),
            Converter::Json { schemas_enable } => {
                let parsed = json::parse(&text).ok_or_else(|| {
                    "org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data failed due to serialization error: ".to_string()
                })?;
                if !schemas_enable {
                    return Ok(from_json(&parsed));
                }
                match &parsed {
                    Json::Object(fields)
                        if fields.len() == 2 && parsed.get("schema").is_some() && parsed.get("payload").is_some() =>
                    {
                        Ok(from_json(parsed.get("payload").unwrap_or(&Json::Null)))
                    }
                    _ => Err("org.apache.kafka.connect.errors.DataException: JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.".to_string()),
                }
            }
        }
    }
}

/// A JSON document as a schemaless Connect value (integral numbers become longs).
fn from_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(_) if json.as_i64().is_some() => Value::Int64(json.as_i64().unwrap_or_default()),
        Json::Number(x) => Value::Float64(*x),
        Json::Text(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(from_json).collect()),
        Json::Object(fields) => Value::Map(fields.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(c: &Converter, v: &Value) -> String {
        String::from_utf8(c.to_bytes(v).unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn json_converter_writes_the_quickstart_envelope() {
        let with = Converter::Json { schemas_enable: true };
        let without = Converter::Json { schemas_enable: false };
        let foo = Value::String("foo".to_string());
        assert_eq!(text(&with, &foo), r#"{"schema":{"type":"string","optional":false},"payload":"foo"}"#);
        assert_eq!(text(&without, &foo), r#""foo""#);
        assert_eq!(text(&Converter::String, &foo), "foo");
        assert_eq!(with.to_bytes(&Value::Null), None);
    }

    #[test]
    fn json_converter_writes_struct_schemas_in_field_order() {
        let v = Value::Struct {
            name: "reading".to_string(),
            fields: vec![
                ("device_id".to_string(), Value::String("bed-1".to_string())),
                ("bpm".to_string(), Value::Int32(82)),
            ],
        };
        assert_eq!(
            text(&Converter::Json { schemas_enable: true }, &v),
            r#"{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"device_id"},{"type":"int32","optional":false,"field":"bpm"}],"optional":false,"name":"reading"},"payload":{"device_id":"bed-1","bpm":82}}"#
        );
        assert_eq!(v.java_string(), "Struct{device_id=bed-1,bpm=82}");
    }

    #[test]
    fn reading_back_strips_the_envelope_or_fails_as_connect_does() {
        let with = Converter::Json { schemas_enable: true };
        let envelope = br#"{"schema":{"type":"string","optional":false},"payload":"foo"}"#;
        assert_eq!(with.to_value(Some(envelope)), Ok(Value::String("foo".to_string())));
        let plain = with.to_value(Some(b"82 bpm"));
        assert!(plain.is_err_and(|e| e.contains("serialization error")));
        let bare = with.to_value(Some(br#"{"bpm":82}"#));
        assert!(bare.is_err_and(|e| e.contains("requires \"schema\" and \"payload\" fields")));
        let without = Converter::Json { schemas_enable: false };
        assert_eq!(without.to_value(Some(br#"{"bpm":82}"#)).map(|v| v.java_string()), Ok("{bpm=82}".to_string()));
        assert_eq!(Converter::String.to_value(Some(b"82 bpm")), Ok(Value::String("82 bpm".to_string())));
        assert_eq!(with.to_value(None), Ok(Value::Null));
    }

    #[test]
    fn converter_classes_and_schemas_enable_are_checked() {
        assert_eq!(
            Converter::from_config(JSON_CONVERTER, Some("false")),
            Ok(Converter::Json { schemas_enable: false })
        );
        assert_eq!(Converter::from_config(STRING_CONVERTER, None), Ok(Converter::String));
        assert!(Converter::from_config("com.example.Nope", None)
            .is_err_and(|e| e == "Class com.example.Nope cannot be found"));
        assert!(Converter::from_config(JSON_CONVERTER, Some("yes")).is_err());
    }
}
