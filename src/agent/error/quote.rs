//! How offending input appears inside an error message: quoted or bare,
//! always escaped, so control characters can't reach the terminal, and cut,
//! so a huge input doesn't make a huge message. The layers above quote
//! what they echo with these too, so every message quotes alike.

use std::fmt::{self, Write as _};

/// Longest part of an offending name shown in a message, in characters.
const SHOWN_NAME_CHARS: usize = 80;

/// `text` quoted and escaped, so control characters can't reach the
/// terminal, and cut, so a huge input doesn't make a huge message.
pub struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.0.chars().take(SHOWN_NAME_CHARS).collect();
        let cut = if shown.len() < self.0.len() {
            "..."
        } else {
            ""
        };
        write!(f, "{shown:?}{cut}")
    }
}

/// `text` as typed, without quotes, for messages that end with the
/// argument: control characters are escaped (`\u{1b}`) and a huge input is
/// cut as in [`Shown`].
pub struct Bare<'a>(pub &'a str);

impl fmt::Display for Bare<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(SHOWN_NAME_CHARS) {
            if c.is_control() {
                write!(f, "{}", c.escape_debug())?;
            } else {
                f.write_char(c)?;
            }
        }
        if chars.next().is_some() {
            f.write_str("...")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::agent::error::{AgentError, Field, Invalid};

    #[test]
    fn invalid_names_are_escaped_and_cut() {
        let e = Invalid::Name {
            field: Field::Key,
            name: "a\u{1b}[2J".into(),
        };
        assert!(e.to_string().starts_with(r#"invalid key: "a\u{1b}[2J""#));
        let e = Invalid::Name {
            field: Field::Key,
            name: "x".repeat(1000),
        };
        let shown = e.to_string();
        assert!(shown.contains(&format!("\"{}\"...", "x".repeat(80))));
        assert!(shown.len() < 200);
    }

    #[test]
    fn arguments_without_equals_are_shown_bare_escaped_and_cut() {
        assert_eq!(
            AgentError::from(Invalid::Assignment("novalue".into())).to_string(),
            "invalid key=value pair (no '='): novalue"
        );
        assert_eq!(
            AgentError::from(Invalid::Override("manager".into())).to_string(),
            "invalid -e (expected role=command): manager"
        );
        assert_eq!(
            Invalid::Assignment("a\u{1b}[2J\tb \"c\" é".into()).to_string(),
            "invalid key=value pair (no '='): a\\u{1b}[2J\\tb \"c\" é"
        );
        let long = Invalid::Override("x".repeat(81)).to_string();
        assert!(long.ends_with(&format!(": {}...", "x".repeat(80))));
        let exact = Invalid::Override("x".repeat(80)).to_string();
        assert!(exact.ends_with(&format!(": {}", "x".repeat(80))));
    }
}
