//! Reading a JSON value as the user wrote it.
//!
//! serde_json checks the syntax (its messages are what users see), then
//! [`read`] builds the value itself so that nothing is rewritten: a number
//! keeps its exact text (`1e2` stays `1e2`, `18446744073709551616` and
//! `1.5e-400` keep every digit), and an object that has the same key twice
//! is refused instead of keeping the last. Strings are decoded by
//! serde_json, so escapes mean what they mean there (`"\u0061"` is the key
//! `a`).

use serde_json::{Map, Number, Value as Json};

/// serde_json's nesting limit, kept so deep input fails as it always did.
const MAX_DEPTH: usize = 128;

/// Parses `text` (one JSON value, whitespace around it allowed) without
/// rewriting numbers and refusing duplicate keys; the error is the message
/// shown after `invalid JSON value: `.
pub fn read(text: &str) -> Result<Json, String> {
    // The syntax, with serde_json's messages. IgnoredAny builds nothing.
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| e.to_string())?;
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    r.ws();
    let v = r.value(0)?;
    r.ws();
    if r.pos != r.bytes.len() {
        return Err(r.err("trailing characters"));
    }
    Ok(v)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    /// `what at line L column C`, as serde_json says it, at the current
    /// position.
    fn err(&self, what: &str) -> String {
        self.err_at(what, self.pos)
    }

    fn err_at(&self, what: &str, pos: usize) -> String {
        let before = &self.bytes[..pos.min(self.bytes.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = pos.min(self.bytes.len()) - start + 1;
        format!("{what} at line {line} column {column}")
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Result<(), String> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected `{}`", b as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err("expected value")),
        }
    }

    fn word(&mut self, w: &str, v: Json) -> Result<Json, String> {
        if self.bytes[self.pos..].starts_with(w.as_bytes()) {
            self.pos += w.len();
            Ok(v)
        } else {
            Err(self.err("expected value"))
        }
    }

    fn nest(&self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(self.err("recursion limit exceeded"));
        }
        Ok(())
    }

    fn object(&mut self, depth: usize) -> Result<Json, String> {
        self.nest(depth)?;
        self.eat(b'{')?;
        let mut map = Map::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(map));
        }
        loop {
            self.ws();
            let at = self.pos;
            let key = self.string()?;
            if map.contains_key(&key) {
                return Err(self.err_at(&format!("duplicate key {key:?}"), at));
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            let v = self.value(depth)?;
            map.insert(key, v);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(map));
                }
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, String> {
        self.nest(depth)?;
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.err("expected `,` or `]`")),
            }
        }
    }

    /// A string token, decoded by serde_json.
    fn string(&mut self) -> Result<String, String> {
        let start = self.pos;
        self.eat(b'"')?;
        loop {
            match self.peek() {
                None => return Err(self.err("EOF while parsing a string")),
                Some(b'\\') => self.pos += 2,
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.pos += 1,
            }
        }
        let token = self
            .text
            .get(start..self.pos)
            .ok_or_else(|| self.err_at("invalid string", start))?;
        serde_json::from_str::<String>(token).map_err(|e| e.to_string())
    }

    /// A number token, kept as written.
    fn number(&mut self) -> Result<Json, String> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.pos += 1;
        }
        let token = &self.text[start..self.pos];
        // serde_json read this token as a number: check the grammar again
        // anyway, so nothing that is not a JSON number is ever kept as one.
        if !is_number(token) {
            return Err(self.err_at("invalid number", start));
        }
        Ok(Json::Number(exact_number(token)))
    }
}

/// A JSON number (RFC 8259) with nothing around it.
fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > from
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// A number that serializes as exactly `token` (a checked JSON number).
/// serde_json's arbitrary_precision numbers hold their text; its parser
/// writes the exponent as `e+N`, so the number is made from the text
/// directly. A unit test pins that it prints back unchanged.
fn exact_number(token: &str) -> Number {
    Number::from_string_unchecked(token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(s: &str) -> String {
        read(s).unwrap().to_string()
    }

    #[test]
    fn numbers_keep_their_text() {
        for n in [
            "18446744073709551616",
            "1.5e-400",
            "1e2",
            "1E+2",
            "-0",
            "-0.0e-0",
            "0.10",
            "1e400",
            "123456789012345678901234567890.5e-3",
            "0",
            "-12",
        ] {
            assert_eq!(shown(n), n);
            assert_eq!(shown(&format!("[ {n} ]")), format!("[{n}]"));
            assert_eq!(shown(&format!("{{\"k\" : {n}}}")), format!("{{\"k\":{n}}}"));
        }
        // Through to_string and back, the same value.
        let v = read("[1e2, {\"a\": 2.50}]").unwrap();
        assert_eq!(read(&v.to_string()).unwrap(), v);
    }

    #[test]
    fn duplicate_keys_are_refused() {
        assert_eq!(
            read(r#"{"a":1,"a":2}"#).unwrap_err(),
            r#"duplicate key "a" at line 1 column 8"#
        );
        assert_eq!(
            read("[{\"y\":\n {\"x\":1, \"x\":1}}]").unwrap_err(),
            r#"duplicate key "x" at line 2 column 10"#
        );
        // The same key spelled with an escape is the same key.
        assert!(read(r#"{"a":1,"\u0061":2}"#)
            .unwrap_err()
            .starts_with(r#"duplicate key "a""#));
        // The same key in two objects is fine.
        assert_eq!(shown(r#"[{"a":1},{"a":2}]"#), r#"[{"a":1},{"a":2}]"#);
    }

    #[test]
    fn syntax_errors_are_serde_json_s() {
        assert_eq!(
            read("{\"a\":").unwrap_err(),
            "EOF while parsing a value at line 1 column 5"
        );
        assert_eq!(read("x").unwrap_err(), "expected value at line 1 column 1");
        assert_eq!(
            read("[1] 2").unwrap_err(),
            "trailing characters at line 1 column 5"
        );
        assert_eq!(read("01").unwrap_err(), "invalid number at line 1 column 2");
        assert!(read("\"\\ud800\"").is_err());
    }

    #[test]
    fn nesting_is_limited_as_serde_json_limits_it() {
        let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(read(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        assert_eq!(
            read(&deep).unwrap_err(),
            "recursion limit exceeded at line 1 column 129"
        );
        // Deeper than that fails the same way, without exhausting the stack.
        let very = "[".repeat(1_000_000);
        assert!(read(&very).is_err());
    }

    #[test]
    fn a_key_that_names_serde_json_s_number_token_is_an_ordinary_key() {
        let s = r#"{"$serde_json::private::Number":"12"}"#;
        assert_eq!(shown(s), s);
    }

    #[test]
    fn strings_decode_as_serde_json_decodes_them() {
        assert_eq!(read(r#""a\u00e9\n""#).unwrap(), Json::String("aé\n".into()));
        assert_eq!(shown(r#" "x\"y" "#), r#""x\"y""#);
    }

    #[test]
    fn number_grammar() {
        for ok in ["0", "-0", "1.5", "1e5", "1E-5", "10.25e+3"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1.5.5", "--1"] {
            assert!(!is_number(bad), "{bad}");
        }
    }
}
