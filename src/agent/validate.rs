//! The syntax of names and texts, and every limit of the agent domain.
//!
//! Names (group names, context keys, agent types) are short ASCII words:
//! `A-Z a-z 0-9 _ . -`, never empty. Texts (goals, text values) are UTF-8
//! without control characters, except tab and newline. Everything is bounded
//! so one session can't make the server hold or print unbounded data. The
//! limits are constants here, documented and tested at their exact boundaries.

use super::error::{AgentError, Field, Invalid, Limit};

/// Most characters in a group name.
pub const MAX_GROUP_NAME_LEN: usize = 64;

/// Most characters in a context key.
pub const MAX_KEY_LEN: usize = 64;

/// Most characters in an agent type.
pub const MAX_AGENT_TYPE_LEN: usize = 32;

/// Most bytes (UTF-8) in an agent's goal: a sentence or a short paragraph,
/// small enough to show in a listing or a status line.
pub const MAX_GOAL_BYTES: usize = 1024;

/// Most bytes in one context value: UTF-8 bytes of a text value, or the
/// length of the compact serialization of a JSON value.
pub const MAX_VALUE_BYTES: usize = 65536;

/// Most bytes in one group's context: the sum over its entries of the key's
/// bytes plus the value's bytes (as measured for [`MAX_VALUE_BYTES`]).
pub const MAX_CONTEXT_BYTES: usize = 1_048_576;

/// Most keys in one group's context.
pub const MAX_CONTEXT_KEYS: usize = 1024;

/// Most members of one group; well above the 4,000 sessions a server is
/// expected to coordinate, so it only stops runaway scripts.
pub const MAX_GROUP_MEMBERS: usize = 10_000;

/// Checks a group name: `[A-Za-z0-9_.-]{1,64}`.
pub fn group_name(name: &str) -> Result<(), AgentError> {
    word(Field::GroupName, name, MAX_GROUP_NAME_LEN)
}

/// Checks a context key: `[A-Za-z0-9_.-]{1,64}`.
pub fn key(key: &str) -> Result<(), AgentError> {
    word(Field::Key, key, MAX_KEY_LEN)
}

/// Checks an agent type: `[A-Za-z0-9_.-]{1,32}`.
pub fn agent_type(agent_type: &str) -> Result<(), AgentError> {
    word(Field::AgentType, agent_type, MAX_AGENT_TYPE_LEN)
}

/// Checks a goal: no control characters except tab and newline, at most
/// [`MAX_GOAL_BYTES`] bytes. The empty goal is allowed.
pub fn goal(goal: &str) -> Result<(), AgentError> {
    text(Field::Goal, goal, MAX_GOAL_BYTES)
}

/// Checks a text value: no control characters except tab and newline, at
/// most [`MAX_VALUE_BYTES`] bytes. The empty value is allowed.
pub fn text_value(value: &str) -> Result<(), AgentError> {
    text(Field::Value, value, MAX_VALUE_BYTES)
}

/// Most bytes (UTF-8) in one message (`agent-send`) or prompt text.
pub const MAX_MESSAGE_BYTES: usize = 65536;

/// Checks a message: not empty, no control characters except tab and
/// newline, at most [`MAX_MESSAGE_BYTES`] bytes.
pub fn message(message: &str) -> Result<(), AgentError> {
    message_as(Field::Message, message)
}

/// Checks a prompt's text as [`message`] checks a message.
pub fn prompt(prompt: &str) -> Result<(), AgentError> {
    message_as(Field::Prompt, prompt)
}

fn message_as(field: Field, message: &str) -> Result<(), AgentError> {
    if message.is_empty() {
        return Err(Invalid::Empty { field }.into());
    }
    text(field, message, MAX_MESSAGE_BYTES)
}

/// Checks a session name as `new-agent-layout -s` takes it: the syntax of a
/// group name.
pub fn session_name(name: &str) -> Result<(), AgentError> {
    group_name(name).map_err(|_| {
        Invalid::Name {
            field: Field::SessionName,
            name: name.to_owned(),
        }
        .into()
    })
}

/// Checks that a value measured at `len` bytes is within [`MAX_VALUE_BYTES`].
pub fn value_len(len: usize) -> Result<(), AgentError> {
    within(Field::Value, len, MAX_VALUE_BYTES)
}

/// Reads raw input as UTF-8 text, for goals and values that arrive as bytes.
/// Only the encoding is checked here; [`goal`] or [`text_value`] check the
/// rest.
pub fn text_from_bytes(bytes: &[u8]) -> Result<&str, AgentError> {
    std::str::from_utf8(bytes).map_err(|e| {
        Invalid::Utf8 {
            offset: e.valid_up_to(),
        }
        .into()
    })
}

/// Whether `c` is a control character we refuse in texts: C0 controls other
/// than tab and newline, DEL, and C1 controls.
pub fn is_refused_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

fn word(field: Field, name: &str, max: usize) -> Result<(), AgentError> {
    word_with(field, name, max, b"_.-")
}

/// A name of ASCII letters, digits and the given punctuation, 1 to `max`
/// bytes long (shared by every kind of name in the domain).
pub(crate) fn word_with(
    field: Field,
    name: &str,
    max: usize,
    punct: &[u8],
) -> Result<(), AgentError> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || punct.contains(&b);
    if name.is_empty() || name.len() > max || !name.bytes().all(allowed) {
        return Err(Invalid::Name {
            field,
            name: name.to_owned(),
        }
        .into());
    }
    Ok(())
}

fn text(field: Field, text: &str, max: usize) -> Result<(), AgentError> {
    within(field, text.len(), max)?;
    if text.chars().any(is_refused_control) {
        return Err(Invalid::Control { field }.into());
    }
    Ok(())
}

fn within(field: Field, len: usize, max: usize) -> Result<(), AgentError> {
    if len > max {
        return Err(Limit::TooLong { field, len, max }.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_invalid_name(r: Result<(), AgentError>, want: Field) -> bool {
        matches!(r, Err(AgentError::Invalid(Invalid::Name { field, .. })) if field == want)
    }

    #[test]
    fn prompts_are_checked_as_messages_but_named_prompt_text() {
        assert_eq!(prompt("go"), Ok(()));
        assert_eq!(prompt("").unwrap_err().to_string(), "prompt text is empty");
        assert_eq!(
            prompt("a\u{1}b").unwrap_err().to_string(),
            "prompt text contains a control character"
        );
        assert_eq!(message("").unwrap_err().to_string(), "message is empty");
    }

    #[test]
    fn session_names_have_the_syntax_of_group_names() {
        assert_eq!(session_name("team.1"), Ok(()));
        assert_eq!(
            session_name("a b").unwrap_err().to_string(),
            r#"invalid session name: "a b" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#
        );
    }

    #[test]
    fn names_accept_the_allowed_characters() {
        for ok in ["a", "A-Z_a.z-09", "...", "-", "team.frontend_2"] {
            assert_eq!(group_name(ok), Ok(()), "{ok}");
            assert_eq!(key(ok), Ok(()), "{ok}");
            assert_eq!(agent_type(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn names_refuse_other_characters() {
        for bad in ["", "a b", "a/b", "a:b", "ä", "a\n", "a\0", "$1", "x,y", "é"] {
            assert!(
                is_invalid_name(group_name(bad), Field::GroupName),
                "{bad:?}"
            );
            assert!(is_invalid_name(key(bad), Field::Key), "{bad:?}");
            assert!(
                is_invalid_name(agent_type(bad), Field::AgentType),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn group_name_and_key_length_boundary() {
        let ok = "g".repeat(64);
        let long = "g".repeat(65);
        assert_eq!(group_name(&ok), Ok(()));
        assert_eq!(key(&ok), Ok(()));
        assert!(is_invalid_name(group_name(&long), Field::GroupName));
        assert!(is_invalid_name(key(&long), Field::Key));
    }

    #[test]
    fn agent_type_length_boundary() {
        assert_eq!(agent_type(&"t".repeat(32)), Ok(()));
        assert!(is_invalid_name(
            agent_type(&"t".repeat(33)),
            Field::AgentType
        ));
    }

    #[test]
    fn invalid_name_message() {
        assert_eq!(
            group_name("a b").unwrap_err().to_string(),
            r#"invalid group name: "a b" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#
        );
    }

    #[test]
    fn texts_allow_tab_newline_and_unicode() {
        for ok in [
            "",
            "fix the build",
            "a\tb\nc",
            "naïve 日本 🦀",
            "\u{a0}\u{200b}",
        ] {
            assert_eq!(goal(ok), Ok(()), "{ok:?}");
            assert_eq!(text_value(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn texts_refuse_control_characters() {
        for c in (0u32..0x20).chain(0x7f..0xa0) {
            let c = char::from_u32(c).unwrap();
            let s = format!("a{c}b");
            if c == '\t' || c == '\n' {
                assert_eq!(goal(&s), Ok(()));
                continue;
            }
            assert_eq!(
                goal(&s),
                Err(Invalid::Control { field: Field::Goal }.into()),
                "{c:?}"
            );
            assert_eq!(
                text_value(&s),
                Err(Invalid::Control {
                    field: Field::Value
                }
                .into()),
                "{c:?}"
            );
        }
        assert_eq!(
            goal("a\rb").unwrap_err().to_string(),
            "goal contains a control character"
        );
    }

    #[test]
    fn goal_length_boundary() {
        assert_eq!(goal(&"g".repeat(MAX_GOAL_BYTES)), Ok(()));
        assert_eq!(
            goal(&"g".repeat(MAX_GOAL_BYTES + 1))
                .unwrap_err()
                .to_string(),
            "goal too long: 1025 bytes (limit 1024)"
        );
        // Bytes, not characters: 512 two-byte characters fit, one more doesn't.
        assert_eq!(goal(&"é".repeat(512)), Ok(()));
        assert!(goal(&"é".repeat(513)).is_err());
    }

    #[test]
    fn value_length_boundary() {
        assert_eq!(text_value(&"v".repeat(65536)), Ok(()));
        assert_eq!(
            text_value(&"v".repeat(65537)).unwrap_err().to_string(),
            "value too long: 65537 bytes (limit 65536)"
        );
        assert_eq!(value_len(65536), Ok(()));
        assert_eq!(
            value_len(70000).unwrap_err().to_string(),
            "value too long: 70000 bytes (limit 65536)"
        );
    }

    #[test]
    fn bytes_to_text() {
        assert_eq!(text_from_bytes(b"plain"), Ok("plain"));
        assert_eq!(text_from_bytes("日本".as_bytes()), Ok("日本"));
        assert_eq!(
            text_from_bytes(b"ab\xffcd"),
            Err(Invalid::Utf8 { offset: 2 }.into())
        );
        assert_eq!(
            text_from_bytes(b"\xc3").unwrap_err().to_string(),
            "invalid UTF-8 at byte 0"
        );
    }

    #[test]
    fn limits_are_as_documented() {
        assert_eq!(MAX_VALUE_BYTES, 64 * 1024);
        assert_eq!(MAX_CONTEXT_BYTES, 1024 * 1024);
        assert_eq!(MAX_CONTEXT_KEYS, 1024);
        const { assert!(MAX_GROUP_MEMBERS >= 4000) };
    }
}
