//! A group's shared context: the values agents share, the entries that record
//! who wrote them and when, and the size accounting behind the context limits.

use std::collections::BTreeMap;
use std::fmt;

use super::error::{AgentError, Invalid, Limit};
use super::validate::{self, MAX_CONTEXT_BYTES, MAX_CONTEXT_KEYS};
use super::SessionId;

/// A value in a group's context: plain text, or JSON for structured data.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// UTF-8 text without control characters other than tab and newline.
    Text(String),
    /// A JSON document; measured and shown in its compact serialization.
    Json(serde_json::Value),
}

impl Value {
    /// A checked text value.
    pub fn text(text: &str) -> Result<Value, AgentError> {
        validate::text_value(text)?;
        Ok(Value::Text(text.to_owned()))
    }

    /// Parses `text` as JSON into a checked JSON value: numbers keep their
    /// exact text and an object with a key twice is refused
    /// ([`super::json`]).
    pub fn parse_json(text: &str) -> Result<Value, AgentError> {
        let json = super::json::read(text).map_err(Invalid::Json)?;
        let value = Value::Json(json);
        value.check()?;
        Ok(value)
    }

    /// A value as a user gives it: JSON when `json` (`agent-share -j`),
    /// text otherwise.
    pub fn parse(text: &str, json: bool) -> Result<Value, AgentError> {
        if json {
            Value::parse_json(text)
        } else {
            Value::text(text)
        }
    }

    /// Whether this is a JSON value.
    pub fn is_json(&self) -> bool {
        matches!(self, Value::Json(_))
    }

    /// The value as shown: text as it is, JSON in compact form.
    pub fn as_display(&self) -> String {
        match self {
            Value::Text(text) => text.clone(),
            Value::Json(json) => compact_json(json),
        }
    }

    /// The size that counts against the limits: bytes of the text, or of the
    /// compact JSON serialization.
    pub fn size(&self) -> usize {
        match self {
            Value::Text(text) => text.len(),
            Value::Json(json) => compact_json(json).len(),
        }
    }

    /// Checks the value against its syntax and the value limit, and returns
    /// its size.
    pub fn check(&self) -> Result<usize, AgentError> {
        match self {
            Value::Text(text) => validate::text_value(text)?,
            Value::Json(_) => {}
        }
        let size = self.size();
        validate::value_len(size)?;
        Ok(size)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => f.write_str(text),
            Value::Json(json) => f.write_str(&compact_json(json)),
        }
    }
}

/// `json` in compact form, as the domain shows and measures it: serde_json's
/// compact serialization with DEL and the C1 controls in strings escaped
/// (`\u007f`) as well as those below U+0020, which serde_json escapes
/// itself, so a value printed on a terminal can't carry a control sequence.
/// It is still JSON, for the same value.
pub fn compact_json(json: &serde_json::Value) -> String {
    let raw = json.to_string();
    if !raw.contains(validate::is_refused_control) {
        return raw;
    }
    // Outside strings compact JSON is printable ASCII, and inside one these
    // characters are never part of an escape: each can become an escape.
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        if validate::is_refused_control(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads `agent-share`'s `key=value` argument: the key is everything before
/// the first `=` and the value everything after it (so a value may contain
/// `=`), read as JSON when `json`. The value is checked before the key, as
/// when they are given apart (`-k key -v value`).
///
/// ```
/// use agent_tmux::agent::{parse_assignment, Value};
/// let (key, value) = parse_assignment("plan=a=b", false).unwrap();
/// assert_eq!((key, value), ("plan", Value::Text("a=b".into())));
/// assert_eq!(
///     parse_assignment("plan", false).unwrap_err().to_string(),
///     "invalid key=value pair (no '='): plan"
/// );
/// ```
pub fn parse_assignment(pair: &str, json: bool) -> Result<(&str, Value), AgentError> {
    let (key, value) = pair
        .split_once('=')
        .ok_or_else(|| Invalid::Assignment(pair.to_owned()))?;
    let value = Value::parse(value, json)?;
    validate::key(key)?;
    Ok((key, value))
}

/// One key's entry in a group's context.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// What was shared.
    pub value: Value,
    /// The session that wrote it.
    pub author: SessionId,
    /// When it was written (unix seconds).
    pub time: i64,
    /// The group's context version this write made.
    pub version: u64,
    size: usize,
}

impl Entry {
    /// The value's size as counted against the limits ([`Value::size`]).
    pub fn size(&self) -> usize {
        self.size
    }
}

/// The entries of one group, by key, with their total size kept current.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Context {
    entries: BTreeMap<String, Entry>,
    /// Sum of key bytes plus value bytes over all entries.
    bytes: usize,
}

impl Context {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Entry)> + '_ {
        self.entries.iter().map(|(k, e)| (k.as_str(), e))
    }

    /// Checks that writing `key` with a value of `size` bytes stays within
    /// the context limits; a key written again counts its old size out first.
    pub(crate) fn check_fit(&self, key: &str, size: usize) -> Result<(), AgentError> {
        let old = self.entries.get(key).map(|e| key.len() + e.size);
        if old.is_none() && self.entries.len() >= MAX_CONTEXT_KEYS {
            return Err(Limit::ContextKeys {
                count: self.entries.len(),
                max: MAX_CONTEXT_KEYS,
            }
            .into());
        }
        let total = self.bytes - old.unwrap_or(0) + key.len() + size;
        if total > MAX_CONTEXT_BYTES {
            return Err(Limit::ContextBytes {
                size: total,
                max: MAX_CONTEXT_BYTES,
            }
            .into());
        }
        Ok(())
    }

    /// Writes `key`, replacing any entry it had; returns whether it had one.
    /// The caller has checked the value and [`Context::check_fit`].
    pub(crate) fn insert(
        &mut self,
        key: &str,
        value: Value,
        size: usize,
        author: SessionId,
        time: i64,
        version: u64,
    ) -> bool {
        let entry = Entry {
            value,
            author,
            time,
            version,
            size,
        };
        self.bytes += key.len() + size;
        match self.entries.insert(key.to_owned(), entry) {
            Some(old) => {
                self.bytes -= key.len() + old.size;
                true
            }
            None => false,
        }
    }

    /// Removes `key`; returns its entry if it had one.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Entry> {
        let old = self.entries.remove(key)?;
        self.bytes -= key.len() + old.size;
        Some(old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Field;
    use serde_json::json;

    fn recount(c: &Context) -> usize {
        c.iter().map(|(k, e)| k.len() + e.value.size()).sum()
    }

    #[test]
    fn text_values() {
        let v = Value::text("a\tb").unwrap();
        assert!(!v.is_json());
        assert_eq!(v.as_display(), "a\tb");
        assert_eq!(v.to_string(), "a\tb");
        assert_eq!(v.size(), 3);
        assert_eq!(
            Value::text("a\u{7}"),
            Err(Invalid::Control {
                field: Field::Value
            }
            .into())
        );
    }

    #[test]
    fn json_values_are_compact_and_keep_key_order() {
        let v = Value::parse_json("{ \"z\": 1,\n \"a\": [true, null] }").unwrap();
        assert!(v.is_json());
        assert_eq!(v.as_display(), r#"{"z":1,"a":[true,null]}"#);
        assert_eq!(v.size(), v.as_display().len());
        assert_eq!(Value::parse_json("\"x\"").unwrap().as_display(), "\"x\"");
    }

    #[test]
    fn invalid_json_has_serde_message() {
        let e = Value::parse_json("{\"a\":").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid JSON value: EOF while parsing a value at line 1 column 5"
        );
        assert!(matches!(
            Value::parse_json(""),
            Err(AgentError::Invalid(Invalid::Json(_)))
        ));
    }

    #[test]
    fn json_strings_with_control_characters_display_escaped() {
        let v = Value::parse_json(r#""a\u0007b""#).unwrap();
        assert_eq!(v.as_display(), r#""a\u0007b""#);
    }

    #[test]
    fn json_strings_with_del_and_c1_controls_display_escaped() {
        // Found by the json_value fuzz target: serde_json writes DEL and C1
        // controls raw, whether they came escaped or raw in the input.
        for input in ["\"a\\u007fb\\u009bc\"", "\"a\u{7f}b\u{9b}c\""] {
            let v = Value::parse_json(input).unwrap();
            assert_eq!(v.as_display(), r#""a\u007fb\u009bc""#);
            assert_eq!(v.to_string(), v.as_display());
            assert_eq!(v.size(), 17);
            assert_eq!(Value::parse_json(&v.as_display()), Ok(v));
        }
        let v = Value::parse_json("{\"k\u{85}\":[\"\u{9f}\", \"é\"]}").unwrap();
        assert_eq!(v.as_display(), r#"{"k\u0085":["\u009f","é"]}"#);
        assert_eq!(compact_json(&json!("\u{a0}\u{7e}")), "\"\u{a0}~\"");
    }

    #[test]
    fn json_size_boundary_is_the_compact_length() {
        // A JSON string of n characters serializes to n + 2 bytes.
        let ok = format!("\"{}\"", "j".repeat(65534));
        assert_eq!(Value::parse_json(&ok).unwrap().size(), 65536);
        let long = format!("\"{}\"", "j".repeat(65535));
        assert_eq!(
            Value::parse_json(&long).unwrap_err().to_string(),
            "value too long: 65537 bytes (limit 65536)"
        );
        // Whitespace does not count.
        let spaced = format!("   {ok}\n\n   ");
        assert!(Value::parse_json(&spaced).is_ok());
        // A value built directly is checked the same way.
        let direct = Value::Json(json!("j".repeat(65535)));
        assert!(matches!(direct.check(), Err(AgentError::Limit(_))));
    }

    #[test]
    fn assignments_split_at_the_first_equals() {
        assert_eq!(
            parse_assignment("k=v", false),
            Ok(("k", Value::Text("v".into())))
        );
        assert_eq!(
            parse_assignment("k==v=", false),
            Ok(("k", Value::Text("=v=".into())))
        );
        assert_eq!(
            parse_assignment("k=", false),
            Ok(("k", Value::Text(String::new())))
        );
        assert_eq!(
            parse_assignment("k={\"a\":[1]}", true),
            Ok(("k", Value::Json(json!({"a": [1]}))))
        );
        assert_eq!(
            parse_assignment("novalue", false).unwrap_err().to_string(),
            "invalid key=value pair (no '='): novalue"
        );
        assert_eq!(
            parse_assignment("", true),
            Err(Invalid::Assignment(String::new()).into())
        );
    }

    #[test]
    fn assignments_check_the_value_then_the_key() {
        assert_eq!(
            parse_assignment("a b=x", false).unwrap_err().to_string(),
            r#"invalid key: "a b" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#
        );
        assert!(matches!(
            parse_assignment("=x", false),
            Err(AgentError::Invalid(Invalid::Name { .. }))
        ));
        // Both wrong: the value's error, as with -k and -v.
        assert_eq!(
            parse_assignment("a b=\u{7}", false),
            Err(Invalid::Control {
                field: Field::Value
            }
            .into())
        );
        assert!(matches!(
            parse_assignment("a b={", true),
            Err(AgentError::Invalid(Invalid::Json(_)))
        ));
        assert_eq!(
            parse_assignment("k=x", true).unwrap_err().to_string(),
            "invalid JSON value: expected value at line 1 column 1"
        );
        assert_eq!(Value::parse("x", false), Value::text("x"));
        assert_eq!(Value::parse("[1]", true), Value::parse_json("[1]"));
    }

    #[test]
    fn insert_replace_remove_keep_the_byte_count() {
        let mut c = Context::default();
        assert!(!c.insert("ab", Value::Text("xyz".into()), 3, SessionId(1), 10, 1));
        assert_eq!((c.len(), c.bytes()), (1, 5));
        assert!(c.insert("ab", Value::Text("x".into()), 1, SessionId(2), 11, 2));
        assert_eq!((c.len(), c.bytes()), (1, 3));
        assert_eq!(c.get("ab").unwrap().author, SessionId(2));
        assert!(!c.insert("c", Value::Json(json!([1])), 3, SessionId(2), 12, 3));
        assert_eq!(c.bytes(), recount(&c));
        assert_eq!(c.remove("ab").unwrap().version, 2);
        assert_eq!(c.remove("ab"), None);
        assert_eq!((c.len(), c.bytes()), (1, 4));
        assert_eq!(c.bytes(), recount(&c));
    }

    #[test]
    fn key_count_boundary() {
        let mut c = Context::default();
        for i in 0..MAX_CONTEXT_KEYS {
            let key = format!("k{i}");
            c.check_fit(&key, 0).unwrap();
            c.insert(
                &key,
                Value::Text(String::new()),
                0,
                SessionId(1),
                0,
                i as u64 + 1,
            );
        }
        assert_eq!(c.len(), 1024);
        assert_eq!(
            c.check_fit("another", 0).unwrap_err().to_string(),
            "group context full: 1024 keys (limit 1024)"
        );
        // Replacing an existing key is still fine when full.
        assert_eq!(c.check_fit("k0", 10), Ok(()));
    }

    #[test]
    fn byte_total_boundary() {
        let mut c = Context::default();
        // 16 entries of 2-byte key + 65534-byte value = exactly 1 MiB.
        for i in 0..16 {
            let key = format!("{:02}", i);
            let size = 65534;
            c.check_fit(&key, size).unwrap();
            c.insert(
                &key,
                Value::Text("v".repeat(size)),
                size,
                SessionId(1),
                0,
                i + 1,
            );
        }
        assert_eq!(c.bytes(), MAX_CONTEXT_BYTES);
        assert_eq!(c.bytes(), recount(&c));
        assert_eq!(
            c.check_fit("x", 0).unwrap_err().to_string(),
            "group context too large: 1048577 bytes (limit 1048576 bytes)"
        );
        // Rewriting a key with the same size fits: its old size counts out.
        assert_eq!(c.check_fit("00", 65534), Ok(()));
        assert!(c.check_fit("00", 65535).is_err());
    }
}
