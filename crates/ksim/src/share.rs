//! Share links and session files: a session as its seed and input log (`Replay`), which
//! replays to the same state, encoded as a compact URL-safe code (`v1.…`) or as JSON.
//!
//! The code is `v1.` then URL-safe base64 (no padding) of: a 32-bit FNV-1a checksum of the
//! payload, the payload's length, and the payload compressed with a small LZ77 (`lz.rs`).
//! The payload is the replay in varints. A session worked on an exercise is `v2.`: the same,
//! with the exercise's id (length, bytes) before the replay, so the link reopens the
//! exercise too; a link without one stays `v1.`, which older pages read. Both decoders are strict and bounded: a damaged
//! link or file is an error that says what is wrong, never a panic or a huge allocation.

mod base64;
mod lz;

use crate::json::{self, Json};
use crate::session::{Action, Logged, Session};

/// A decoded payload larger than this is refused (a lesson's session is a few KiB).
pub const SHARE_PAYLOAD_BYTES_MAX: usize = 64 * 1024;
/// A share code longer than this is refused before decoding.
const SHARE_CODE_CHARS_MAX: usize = 4 * SHARE_PAYLOAD_BYTES_MAX;
/// A session file larger than this is refused before parsing.
pub const SESSION_FILE_BYTES_MAX: usize = 1024 * 1024;
const INPUTS_MAX: usize = 20_000;
const LINE_BYTES_MAX: usize = 4096;
/// Simulated time a replay may let pass through advances; more is a damaged link.
const ADVANCE_TOTAL_MS_MAX: u64 = 24 * 3_600_000;
const SESSION_FORMAT: &str = "kafka-playground-session";
const SESSION_VERSION: u64 = 1;
/// An exercise id longer than this is a damaged link (built-in ids are a few words).
const EXERCISE_ID_BYTES_MAX: usize = 64;

/// A session as its seed and inputs: replaying them gives the same state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replay {
    seed: u64,
    scripted_inputs: usize,
    log: Vec<Logged>,
    present_events: u64,
    position: u64,
    /// The id of the exercise worked on, so opening the link reopens its panel.
    exercise: Option<String>,
}

/// Why a share code could not be read; displays as `This share link is damaged: …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareError(pub String);

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "This share link is damaged: {}", self.0)
    }
}

/// Why a session file could not be imported; displays as `This session file cannot be imported: …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "This session file cannot be imported: {}", self.0)
    }
}

impl Session {
    /// The seed and every input so far, with where the session stands in its history.
    pub fn export_replay(&self) -> Replay {
        let (log, present_events, scripted_inputs) = self.history();
        Replay {
            seed: self.first_seed(),
            scripted_inputs,
            log: log.to_vec(),
            present_events,
            position: self.events_processed(),
            exercise: None,
        }
    }

    /// Replays `replay` from its seed: the same view, transcript and trace as the original.
    pub fn from_replay(replay: &Replay) -> Session {
        let mut session = Session::new(replay.seed);
        session.restore_history(replay.log.clone(), replay.scripted_inputs);
        if replay.position < replay.present_events {
            session.travel_to(replay.position);
        }
        session
    }
}

impl Replay {
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Inputs recorded (console lines, Ctrl-C/D, steps, advances, button commands).
    pub fn len(&self) -> usize {
        self.log.len()
    }

    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// The id of the exercise the session was working on, if any.
    pub fn exercise(&self) -> Option<&str> {
        self.exercise.as_deref()
    }

    /// The same replay, remembering which exercise it works on (an id that is empty or too
    /// long to be one is left out).
    pub fn with_exercise(mut self, id: Option<&str>) -> Replay {
        self.exercise = id.filter(|id| valid_exercise_id(id).is_ok()).map(str::to_owned);
        self
    }

    /// `v1.` (or `v2.` with an exercise) and the compressed replay in URL-safe base64, for `?s=`.
    pub fn to_share_code(&self) -> String {
        let mut payload = Vec::new();
        if let Some(id) = &self.exercise {
            put_varint(&mut payload, id.len() as u64);
            payload.extend_from_slice(id.as_bytes());
        }
        payload.extend(self.to_bytes());
        let mut bytes = fnv1a(&payload).to_le_bytes().to_vec();
        put_varint(&mut bytes, payload.len() as u64);
        bytes.extend(lz::compress(&payload));
        let version = if self.exercise.is_some() { "v2" } else { "v1" };
        format!("{version}.{}", base64::encode(&bytes))
    }

    pub fn from_share_code(code: &str) -> Result<Replay, ShareError> {
        let code = code.trim();
        if code.len() > SHARE_CODE_CHARS_MAX {
            return Err(ShareError(format!(
                "it is too long ({} characters, at most {SHARE_CODE_CHARS_MAX})",
                code.len()
            )));
        }
        let (with_exercise, body) = match (code.strip_prefix("v1."), code.strip_prefix("v2.")) {
            (Some(body), _) => (false, body),
            (_, Some(body)) => (true, body),
            _ => {
                return Err(match code.split_once('.') {
                    Some((v, _)) if v.starts_with('v') && v.len() <= 8 => ShareError(format!(
                        "it was made by another version of the playground ({v}); this one reads v1 and v2"
                    )),
                    _ => ShareError("it does not start with \"v1.\" or \"v2.\"".to_string()),
                });
            }
        };
        let bytes = base64::decode(body).map_err(ShareError)?;
        let mut r = Reader { bytes: &bytes, at: 0 };
        let checksum = r.u32().ok_or_else(|| ShareError("it is cut short".to_string()))?;
        let len = r.varint().ok_or_else(|| ShareError("it is cut short".to_string()))?;
        if len > SHARE_PAYLOAD_BYTES_MAX as u64 {
            return Err(ShareError(format!("it holds too much ({len} bytes, at most {SHARE_PAYLOAD_BYTES_MAX})")));
        }
        let payload = lz::decompress(&bytes[r.at..], len as usize).map_err(ShareError)?;
        if fnv1a(&payload) != checksum {
            return Err(ShareError("its checksum does not match (was it cut or changed?)".to_string()));
        }
        if !with_exercise {
            return Replay::from_bytes(&payload).map_err(ShareError);
        }
        let mut r = Reader { bytes: &payload, at: 0 };
        let len = r.varint().ok_or_else(|| ShareError("it is cut short".to_string()))?;
        let id = r.take(len).ok_or_else(|| ShareError("it is cut short".to_string()))?;
        let id = std::str::from_utf8(id).map_err(|_| ShareError("its exercise id is not UTF-8".to_string()))?;
        valid_exercise_id(id).map_err(ShareError)?;
        let exercise = Some(id.to_owned());
        Ok(Replay { exercise, ..Replay::from_bytes(&payload[r.at..]).map_err(ShareError)? })
    }

    /// The session as a versioned JSON document, for Export and autosave.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("{{\n  \"format\": \"{SESSION_FORMAT}\",\n  \"version\": {SESSION_VERSION},\n"));
        // JSON numbers are doubles: a seed beyond 2^53 is written as a string.
        if self.seed < (1 << 53) {
            out.push_str(&format!("  \"seed\": {},\n", self.seed));
        } else {
            out.push_str(&format!("  \"seed\": \"{}\",\n", self.seed));
        }
        out.push_str(&format!(
            "  \"scripted_inputs\": {},\n  \"present_events\": {},\n  \"position\": {},\n  \"inputs\": [",
            self.scripted_inputs, self.present_events, self.position
        ));
        if let Some(id) = &self.exercise {
            // Before "inputs" so the list stays last; readers without it ignore the field.
            let at = out.len() - "  \"inputs\": [".len();
            out.insert_str(at, &format!("  \"exercise\": {},\n", json::quote(id)));
        }
        for (i, l) in self.log.iter().enumerate() {
            out.push_str(if i == 0 { "\n    {" } else { ",\n    {" });
            out.push_str(&format!("\"at_event\": {}", l.at_event));
            if let Some(cap) = l.cap {
                out.push_str(&format!(", \"cap\": {cap}"));
            }
            match &l.input {
                Action::Line(s) => out.push_str(&format!(", \"line\": {}", json::quote(s))),
                Action::Control(s) => out.push_str(&format!(", \"control\": {}", json::quote(s))),
                Action::Advance(ms) => out.push_str(&format!(", \"advance_ms\": {ms}")),
                Action::Interrupt => out.push_str(", \"interrupt\": true"),
                Action::EndOfInput => out.push_str(", \"end_of_input\": true"),
                Action::Step => out.push_str(", \"step\": true"),
                Action::DropMessage(id) => out.push_str(&format!(", \"drop_message\": {id}")),
            }
            out.push('}');
        }
        out.push_str(if self.log.is_empty() { "]\n}\n" } else { "\n  ]\n}\n" });
        out
    }

    pub fn from_json(text: &str) -> Result<Replay, ImportError> {
        if text.len() > SESSION_FILE_BYTES_MAX {
            return Err(ImportError(format!(
                "the file is too large ({} bytes, at most {SESSION_FILE_BYTES_MAX})",
                text.len()
            )));
        }
        let doc = json::parse(text).ok_or_else(|| ImportError("it is not valid JSON".to_string()))?;
        let Json::Object(_) = doc else {
            return Err(ImportError("expected a JSON object".to_string()));
        };
        match doc.get("format").and_then(Json::as_str) {
            Some(SESSION_FORMAT) => {}
            _ => return Err(ImportError(format!("\"format\" is not \"{SESSION_FORMAT}\""))),
        }
        match doc.get("version").and_then(Json::as_i64) {
            Some(1) => {}
            Some(v) => {
                return Err(ImportError(format!("version {v} is not supported (this playground reads version 1)")))
            }
            None => return Err(ImportError("missing \"version\"".to_string())),
        }
        let err = |m: &str| ImportError(m.to_string());
        let seed = match doc.get("seed") {
            Some(Json::Text(s)) => s.parse().map_err(|_| err("\"seed\" is not a whole number"))?,
            Some(v) => unsigned(v).ok_or_else(|| err("\"seed\" is not a whole number"))?,
            None => return Err(err("missing \"seed\"")),
        };
        let number = |name: &str| {
            doc.get(name)
                .and_then(unsigned)
                .ok_or_else(|| ImportError(format!("\"{name}\" is missing or not a whole number")))
        };
        let scripted_inputs = number("scripted_inputs")?;
        let present_events = number("present_events")?;
        let position = number("position")?;
        let Some(Json::Array(items)) = doc.get("inputs") else {
            return Err(err("\"inputs\" is missing or not an array"));
        };
        let mut log = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = |m: &str| ImportError(format!("inputs[{i}]: {m}"));
            let Json::Object(fields) = item else {
                return Err(at("expected an object"));
            };
            let at_event = item
                .get("at_event")
                .and_then(unsigned)
                .ok_or_else(|| at("\"at_event\" is missing or not a whole number"))?;
            let cap = match item.get("cap") {
                None => None,
                Some(v) => Some(unsigned(v).ok_or_else(|| at("\"cap\" is not a whole number"))?),
            };
            let mut input = None;
            for (k, v) in fields {
                let action = match (k.as_str(), v) {
                    ("at_event" | "cap", _) => continue,
                    ("line", Json::Text(s)) => Action::Line(s.clone()),
                    ("control", Json::Text(s)) => Action::Control(s.clone()),
                    ("advance_ms", v) => Action::Advance(unsigned(v).ok_or_else(|| at("\"advance_ms\" is not a whole number"))?),
                    ("interrupt", Json::Bool(true)) => Action::Interrupt,
                    ("end_of_input", Json::Bool(true)) => Action::EndOfInput,
                    ("step", Json::Bool(true)) => Action::Step,
                    ("drop_message", v) => {
                        Action::DropMessage(unsigned(v).ok_or_else(|| at("\"drop_message\" is not a whole number"))?)
                    }
                    (k, _) => return Err(at(&format!("unexpected field \"{k}\" (expected one of: line, control, advance_ms, interrupt, end_of_input, step, at_event, cap)"))),
                };
                if input.replace(action).is_some() {
                    return Err(at("more than one input in one entry"));
                }
            }
            let input =
                input.ok_or_else(|| at("no input (line, control, advance_ms, interrupt, end_of_input or step)"))?;
            log.push(Logged { input, at_event, cap });
        }
        let exercise = match doc.get("exercise") {
            None => None,
            Some(Json::Text(id)) => {
                valid_exercise_id(id).map_err(|e| ImportError(format!("\"exercise\": {e}")))?;
                Some(id.clone())
            }
            Some(_) => return Err(err("\"exercise\" is not a string")),
        };
        let replay =
            Replay { seed, scripted_inputs: scripted_inputs as usize, log, present_events, position, exercise };
        replay.validate().map_err(ImportError)?;
        Ok(replay)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        put_varint(&mut b, self.seed);
        put_varint(&mut b, self.scripted_inputs as u64);
        put_varint(&mut b, self.present_events);
        put_varint(&mut b, self.position);
        put_varint(&mut b, self.log.len() as u64);
        let mut previous = 0;
        for l in &self.log {
            let (tag, text, number) = match &l.input {
                Action::Line(s) => (0, Some(s), None),
                Action::Interrupt => (1, None, None),
                Action::EndOfInput => (2, None, None),
                Action::Step => (3, None, None),
                Action::Advance(ms) => (4, None, Some(*ms)),
                Action::Control(s) => (5, Some(s), None),
                Action::DropMessage(id) => (6, None, Some(*id)),
            };
            b.push(tag);
            // Inputs arrive in event order, so deltas stay small.
            put_varint(&mut b, l.at_event - previous);
            previous = l.at_event;
            put_varint(&mut b, l.cap.map_or(0, |c| c + 1));
            if let Some(s) = text {
                put_varint(&mut b, s.len() as u64);
                b.extend_from_slice(s.as_bytes());
            }
            if let Some(n) = number {
                put_varint(&mut b, n);
            }
        }
        b
    }

    fn from_bytes(bytes: &[u8]) -> Result<Replay, String> {
        let short = || "it is cut short".to_string();
        let mut r = Reader { bytes, at: 0 };
        let seed = r.varint().ok_or_else(short)?;
        let scripted_inputs = r.varint().ok_or_else(short)?;
        let present_events = r.varint().ok_or_else(short)?;
        let position = r.varint().ok_or_else(short)?;
        let count = r.varint().ok_or_else(short)?;
        if count > INPUTS_MAX as u64 {
            return Err(format!("it holds too many inputs ({count}, at most {INPUTS_MAX})"));
        }
        let mut log = Vec::new();
        let mut at_event: u64 = 0;
        for i in 0..count {
            let tag = r.byte().ok_or_else(short)?;
            at_event = at_event
                .checked_add(r.varint().ok_or_else(short)?)
                .ok_or_else(|| format!("input {i}: event count overflows"))?;
            let cap = match r.varint().ok_or_else(short)? {
                0 => None,
                c => Some(c - 1),
            };
            let mut text = || -> Result<String, String> {
                let len = r.varint().ok_or_else(short)?;
                let slice = r.take(len).ok_or_else(short)?;
                String::from_utf8(slice.to_vec()).map_err(|_| format!("input {i}: text is not UTF-8"))
            };
            let input = match tag {
                0 => Action::Line(text()?),
                1 => Action::Interrupt,
                2 => Action::EndOfInput,
                3 => Action::Step,
                4 => Action::Advance(r.varint().ok_or_else(short)?),
                5 => Action::Control(text()?),
                6 => Action::DropMessage(r.varint().ok_or_else(short)?),
                t => return Err(format!("input {i}: unknown kind {t}")),
            };
            log.push(Logged { input, at_event, cap });
        }
        if r.at != bytes.len() {
            return Err(format!("{} unexpected bytes after the inputs", bytes.len() - r.at));
        }
        let replay = Replay {
            seed,
            scripted_inputs: scripted_inputs.min(u64::from(u32::MAX)) as usize,
            log,
            present_events,
            position,
            exercise: None,
        };
        replay.validate()?;
        Ok(replay)
    }

    /// What both decoders check beyond syntax, so a replay cannot run away.
    fn validate(&self) -> Result<(), String> {
        if self.log.len() > INPUTS_MAX {
            return Err(format!("it holds too many inputs ({}, at most {INPUTS_MAX})", self.log.len()));
        }
        if self.scripted_inputs > self.log.len() {
            return Err(format!(
                "scripted_inputs ({}) exceeds the number of inputs ({})",
                self.scripted_inputs,
                self.log.len()
            ));
        }
        if self.position > self.present_events {
            return Err(format!("position ({}) is past present_events ({})", self.position, self.present_events));
        }
        let mut advanced: u64 = 0;
        let mut previous = 0;
        for (i, l) in self.log.iter().enumerate() {
            if l.at_event < previous || l.at_event > self.present_events {
                return Err(format!("inputs[{i}]: at_event {} is out of order", l.at_event));
            }
            previous = l.at_event;
            match &l.input {
                Action::Line(s) | Action::Control(s) if s.len() > LINE_BYTES_MAX => {
                    return Err(format!("inputs[{i}]: line too long ({} bytes, at most {LINE_BYTES_MAX})", s.len()))
                }
                Action::Line(s) | Action::Control(s) if s.contains(['\n', '\r']) => {
                    return Err(format!("inputs[{i}]: a line holds a line break"))
                }
                Action::Advance(ms) => {
                    advanced = advanced.saturating_add(*ms);
                    if advanced > ADVANCE_TOTAL_MS_MAX {
                        return Err(format!(
                            "it lets more than {} h of simulated time pass",
                            ADVANCE_TOTAL_MS_MAX / 3_600_000
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// An exercise id as the exercise loader accepts them (lowercase letters, digits and '-'),
/// and short.
fn valid_exercise_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > EXERCISE_ID_BYTES_MAX {
        return Err(format!("its exercise id has {} bytes (1 to {EXERCISE_ID_BYTES_MAX})", id.len()));
    }
    if !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(format!("its exercise id {id:?} is not lowercase letters, digits and '-'"));
    }
    Ok(())
}

fn unsigned(v: &Json) -> Option<u64> {
    match v {
        Json::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 9.0e15 => Some(*n as u64),
        _ => None,
    }
}

fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) at: usize,
}

impl Reader<'_> {
    pub(crate) fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn u32(&mut self) -> Option<u32> {
        let s = self.take(4)?;
        Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn take(&mut self, len: u64) -> Option<&[u8]> {
        let end = self.at.checked_add(usize::try_from(len).ok()?)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    /// LEB128, at most 10 bytes and no overflow.
    pub(crate) fn varint(&mut self) -> Option<u64> {
        let mut n: u64 = 0;
        for i in 0..10 {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if i == 9 && bits > 1 {
                return None;
            }
            n |= bits << (7 * i);
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
