//! A small JSON reader for the tools' `--*-json-file` inputs (Kafka reads them with
//! Jackson; only well-formed documents get past it, so this one is strict too), and the
//! string quoting of what the simulator writes as JSON.

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn get(&self, field: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == field).map(|(_, v)| v),
            _ => None,
        }
    }

    /// An integral number within i64, as Jackson's `asLong` on an integer node.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) if n.fract() == 0.0 && n.abs() < 9.2e18 => Some(*n as i64),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses a whole document; `None` when it is not valid JSON.
pub(crate) fn parse(text: &str) -> Option<Json> {
    let mut p = Parser { chars: text.chars().collect(), at: 0 };
    let value = p.value(0)?;
    p.skip_ws();
    (p.at == p.chars.len()).then_some(value)
}

/// Deeper nesting than any real input is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, word: &str) -> Option<()> {
        for c in word.chars() {
            (self.peek()? == c).then_some(())?;
            self.at += 1;
        }
        Some(())
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        match self.peek()? {
            'n' => self.eat("null").map(|_| Json::Null),
            't' => self.eat("true").map(|_| Json::Bool(true)),
            'f' => self.eat("false").map(|_| Json::Bool(false)),
            '"' => self.string().map(Json::Text),
            '[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(']') {
                    self.at += 1;
                    return Some(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.peek()? {
                        ',' => self.at += 1,
                        ']' => {
                            self.at += 1;
                            return Some(Json::Array(items));
                        }
                        _ => return None,
                    }
                }
            }
            '{' => {
                self.at += 1;
                let mut fields = Vec::new();
                self.skip_ws();
                if self.peek() == Some('}') {
                    self.at += 1;
                    return Some(Json::Object(fields));
                }
                loop {
                    self.skip_ws();
                    let key = self.string()?;
                    self.skip_ws();
                    self.eat(":")?;
                    fields.push((key, self.value(depth + 1)?));
                    self.skip_ws();
                    match self.peek()? {
                        ',' => self.at += 1,
                        '}' => {
                            self.at += 1;
                            return Some(Json::Object(fields));
                        }
                        _ => return None,
                    }
                }
            }
            _ => self.number(),
        }
    }

    fn string(&mut self) -> Option<String> {
        self.eat("\"")?;
        let mut out = String::new();
        loop {
            let c = self.peek()?;
            self.at += 1;
            match c {
                '"' => return Some(out),
                '\\' => {
                    let e = self.peek()?;
                    self.at += 1;
                    out.push(match e {
                        '"' | '\\' | '/' => e,
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'u' => {
                            let hex: String = self.chars.get(self.at..self.at + 4)?.iter().collect();
                            self.at += 4;
                            char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                        }
                        _ => return None,
                    });
                }
                c if (c as u32) < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')) {
            self.at += 1;
        }
        let text: String = self.chars[start..self.at].iter().collect();
        let well_formed = !text.is_empty() && !text.starts_with('+') && !text.starts_with('.');
        well_formed.then(|| text.parse::<f64>().ok().map(Json::Number)).flatten()
    }
}

/// A JSON string literal as Jackson writes it: `"` and `\` escaped, `\n`, `\t`, `\r`,
/// and other control characters as `\u00XX`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_delete_records_file() {
        let doc = parse(r#"{"partitions": [{"topic": "icu-vitals", "partition": 0, "offset": 3}], "version": 1}"#)
            .expect("valid");
        let Some(Json::Array(parts)) = doc.get("partitions") else { panic!("partitions") };
        assert_eq!(parts[0].get("topic").and_then(Json::as_str), Some("icu-vitals"));
        assert_eq!(parts[0].get("offset").and_then(Json::as_i64), Some(3));
        assert_eq!(doc.get("version").and_then(Json::as_i64), Some(1));
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in ["", "{", "{\"a\" 1}", "[1,]", "{\"a\":1} x", "+1", "\"\\q\"", "tru", "[[[[", "01x"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse(&"[".repeat(1000)), None, "deep nesting is refused, not a stack overflow");
    }
}
