//! Errors of the agent domain.
//!
//! Every failed operation returns one [`AgentError`] and changes nothing.
//! Messages are tmux style: short, lowercase, naming the thing and, for a
//! limit, the limit. The domain never knows session names, so errors about a
//! session carry its id; [`AgentError::render`] turns them into the final
//! message with a name lookup, and `Display` shows the id as `$N`.

use std::fmt;

use super::validate::{MAX_AGENT_TYPE_LEN, MAX_GROUP_NAME_LEN, MAX_KEY_LEN};
use super::SessionId;

/// Longest part of an offending name shown in a message, in characters.
const SHOWN_NAME_CHARS: usize = 80;

/// What an input is, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// A coordination group's name.
    GroupName,
    /// A key in a group's shared context.
    Key,
    /// An agent's type.
    AgentType,
    /// An agent's goal.
    Goal,
    /// A value in a group's shared context.
    Value,
}

impl Field {
    /// The most characters a name of this kind may have, for the names that
    /// have a syntax (group names, keys, agent types).
    fn max_name_len(self) -> Option<usize> {
        match self {
            Field::GroupName => Some(MAX_GROUP_NAME_LEN),
            Field::Key => Some(MAX_KEY_LEN),
            Field::AgentType => Some(MAX_AGENT_TYPE_LEN),
            Field::Goal | Field::Value => None,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::GroupName => "group name",
            Field::Key => "key",
            Field::AgentType => "agent type",
            Field::Goal => "goal",
            Field::Value => "value",
        })
    }
}

/// An input that breaks the syntax it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// A group name, key or agent type with a character outside
    /// `A-Z a-z 0-9 _ . -`, or empty, or too long.
    Name { field: Field, name: String },
    /// Raw input that is not UTF-8; `offset` is the first bad byte.
    Utf8 { offset: usize },
    /// A goal or value with a control character other than tab and newline.
    Control { field: Field },
    /// A JSON value serde_json could not parse; holds serde's message.
    Json(String),
}

/// An input or a state that would go past one of the documented limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    /// A goal or value longer than its limit, in bytes.
    TooLong {
        field: Field,
        len: usize,
        max: usize,
    },
    /// A new key in a group context that already has `count` keys.
    ContextKeys { count: usize, max: usize },
    /// A write that would make a group context `size` bytes in total.
    ContextBytes { size: usize, max: usize },
    /// A join to a group that already has `count` members.
    GroupMembers { count: usize, max: usize },
}

/// Why an agent operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentError {
    /// An input with the wrong syntax.
    Invalid(Invalid),
    /// An input or state past a limit.
    Limit(Limit),
    /// The session is not an agent (has no agent metadata).
    NoMetadata(SessionId),
    /// The session is not in a coordination group.
    NotInGroup(SessionId),
    /// The session's group context has no such key.
    KeyNotFound(String),
    /// No group has this name.
    GroupNotFound(String),
}

impl AgentError {
    /// The final message, with `name_of` giving the name of a session.
    ///
    /// ```
    /// use agent_tmux::agent::AgentError;
    /// let e = AgentError::NotInGroup(3);
    /// assert_eq!(
    ///     e.render(|_| "work".to_string()),
    ///     "session 'work' is not in a coordination group"
    /// );
    /// ```
    pub fn render(&self, name_of: impl Fn(SessionId) -> String) -> String {
        match self {
            AgentError::NoMetadata(id) => {
                format!("session '{}' has no agent metadata", name_of(*id))
            }
            AgentError::NotInGroup(id) => {
                format!("session '{}' is not in a coordination group", name_of(*id))
            }
            AgentError::KeyNotFound(key) => format!("key not found: {key}"),
            AgentError::GroupNotFound(name) => format!("can't find group: {name}"),
            AgentError::Invalid(invalid) => invalid.to_string(),
            AgentError::Limit(limit) => limit.to_string(),
        }
    }
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(|id| format!("${id}")))
    }
}

impl std::error::Error for AgentError {}

impl From<Invalid> for AgentError {
    fn from(invalid: Invalid) -> AgentError {
        AgentError::Invalid(invalid)
    }
}

impl From<Limit> for AgentError {
    fn from(limit: Limit) -> AgentError {
        AgentError::Limit(limit)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Name { field, name } => {
                // Quoted and escaped, so control characters can't reach the
                // terminal; cut, so a huge name doesn't make a huge message.
                let shown: String = name.chars().take(SHOWN_NAME_CHARS).collect();
                let cut = if shown.len() < name.len() { "..." } else { "" };
                write!(f, "invalid {field}: {shown:?}{cut}")?;
                match field.max_name_len() {
                    Some(max) => write!(f, " (allowed: A-Z a-z 0-9 _ . -, 1 to {max} characters)"),
                    None => Ok(()),
                }
            }
            Invalid::Utf8 { offset } => write!(f, "invalid UTF-8 at byte {offset}"),
            Invalid::Control { field } => write!(f, "{field} contains a control character"),
            Invalid::Json(msg) => write!(f, "invalid JSON value: {msg}"),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::TooLong { field, len, max } => {
                write!(f, "{field} too long: {len} bytes (limit {max})")
            }
            Limit::ContextKeys { count, max } => {
                write!(f, "group context full: {count} keys (limit {max})")
            }
            Limit::ContextBytes { size, max } => {
                write!(
                    f,
                    "group context too large: {size} bytes (limit {max} bytes)"
                )
            }
            Limit::GroupMembers { count, max } => {
                write!(f, "group full: {count} members (limit {max})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_errors_render_with_names() {
        let name = |id: SessionId| format!("s{id}");
        assert_eq!(
            AgentError::NoMetadata(2).render(name),
            "session 's2' has no agent metadata"
        );
        assert_eq!(
            AgentError::NotInGroup(7).render(name),
            "session 's7' is not in a coordination group"
        );
    }

    #[test]
    fn display_uses_session_ids() {
        assert_eq!(
            AgentError::NoMetadata(2).to_string(),
            "session '$2' has no agent metadata"
        );
        assert_eq!(
            AgentError::NotInGroup(0).to_string(),
            "session '$0' is not in a coordination group"
        );
    }

    #[test]
    fn lookup_errors() {
        assert_eq!(
            AgentError::KeyNotFound("plan".into()).to_string(),
            "key not found: plan"
        );
        assert_eq!(
            AgentError::GroupNotFound("team".into()).to_string(),
            "can't find group: team"
        );
    }

    #[test]
    fn invalid_messages() {
        let e: AgentError = Invalid::Name {
            field: Field::GroupName,
            name: "a b".into(),
        }
        .into();
        assert_eq!(
            e.to_string(),
            r#"invalid group name: "a b" (allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)"#
        );
        let e: AgentError = Invalid::Name {
            field: Field::AgentType,
            name: String::new(),
        }
        .into();
        assert_eq!(
            e.to_string(),
            r#"invalid agent type: "" (allowed: A-Z a-z 0-9 _ . -, 1 to 32 characters)"#
        );
        assert_eq!(
            AgentError::from(Invalid::Control { field: Field::Goal }).to_string(),
            "goal contains a control character"
        );
        assert_eq!(
            AgentError::from(Invalid::Utf8 { offset: 3 }).to_string(),
            "invalid UTF-8 at byte 3"
        );
        assert_eq!(
            AgentError::from(Invalid::Json("eof".into())).to_string(),
            "invalid JSON value: eof"
        );
    }

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
    fn limit_messages() {
        let cases = [
            (
                Limit::TooLong {
                    field: Field::Value,
                    len: 70000,
                    max: 65536,
                },
                "value too long: 70000 bytes (limit 65536)",
            ),
            (
                Limit::ContextKeys {
                    count: 1024,
                    max: 1024,
                },
                "group context full: 1024 keys (limit 1024)",
            ),
            (
                Limit::ContextBytes {
                    size: 1048577,
                    max: 1048576,
                },
                "group context too large: 1048577 bytes (limit 1048576 bytes)",
            ),
            (
                Limit::GroupMembers {
                    count: 10000,
                    max: 10000,
                },
                "group full: 10000 members (limit 10000)",
            ),
        ];
        for (limit, msg) in cases {
            assert_eq!(AgentError::from(limit).to_string(), msg);
        }
    }

    #[test]
    fn is_std_error() {
        fn takes(_: &dyn std::error::Error) {}
        takes(&AgentError::KeyNotFound("k".into()));
    }
}
