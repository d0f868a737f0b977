//! What an agent CLI's hook reports, as the domain's [`Report`]: an event
//! name (Claude Code's and Gemini CLI's hook event names, Codex's `notify`
//! types, or our generic names) and the JSON the hook was given, mapped
//! onto one report. Pure: the text comes in, a report or an error goes out.

use serde_json::Value as Json;

use crate::agent::state::Report;

/// The longest tool name, notification message, conversation id or
/// directory kept from a report (longer ones are cut, ids are refused).
pub const MAX_REPORT_FIELD: usize = 4096;
/// The longest conversation id accepted.
pub const MAX_CONVERSATION_ID: usize = 256;

/// Why a report can't be read. Nothing is reported then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// The hook's JSON is not JSON (serde_json's message).
    Json(String),
    /// The hook's JSON is not an object.
    NotObject,
    /// No event: neither an argument nor `hook_event_name`/`type` in the JSON.
    NoEvent,
    /// An event name nobody maps.
    UnknownEvent(String),
    /// A conversation id that is empty, too long or has control characters.
    BadConversationId(String),
    /// `session-start` with no conversation id at all.
    NoConversationId,
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::Json(m) => write!(f, "invalid hook JSON: {m}"),
            ReportError::NotObject => write!(f, "invalid hook JSON: not an object"),
            ReportError::NoEvent => {
                write!(f, "no event: give one, or JSON with hook_event_name")
            }
            ReportError::UnknownEvent(e) => write!(f, "unknown agent event: {}", shown(e)),
            ReportError::BadConversationId(id) => {
                write!(f, "invalid conversation id: {}", shown(id))
            }
            ReportError::NoConversationId => {
                write!(f, "session-start needs a conversation id (session_id)")
            }
        }
    }
}

/// Offending input inside a message: cut, controls escaped.
fn shown(s: &str) -> String {
    let cut: String = s.chars().take(64).collect();
    let mut out = cut.escape_debug().to_string();
    if s.chars().count() > 64 {
        out.push_str("...");
    }
    out
}

/// The kinds of event, whatever CLI named them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Prompt,
    Tool,
    ToolDone,
    Permission,
    Notification,
    Stop,
    SessionStart,
    SessionEnd,
    TurnComplete,
}

/// Every name an event is known by: Claude Code's hook events, Gemini CLI's,
/// Codex's `notify` types and the generic names. Compared without case,
/// `-` and `_`.
const NAMES: &[(&str, Kind)] = &[
    // Claude Code
    ("userpromptsubmit", Kind::Prompt),
    ("pretooluse", Kind::Tool),
    ("posttooluse", Kind::ToolDone),
    ("posttoolusefailure", Kind::ToolDone),
    ("subagentstop", Kind::ToolDone),
    ("permissionrequest", Kind::Permission),
    ("notification", Kind::Notification),
    ("stop", Kind::Stop),
    ("stopfailure", Kind::Stop),
    ("sessionstart", Kind::SessionStart),
    ("sessionend", Kind::SessionEnd),
    // Gemini CLI
    ("beforeagent", Kind::Prompt),
    ("beforetool", Kind::Tool),
    ("aftertool", Kind::ToolDone),
    ("afteragent", Kind::Stop),
    // Codex notify (`type`)
    ("agentturncomplete", Kind::TurnComplete),
    // generic
    ("prompt", Kind::Prompt),
    ("tool", Kind::Tool),
    ("permission", Kind::Permission),
    ("notify", Kind::Notification),
    ("idle", Kind::Stop),
];

fn kind(event: &str) -> Option<Kind> {
    let key: String = event
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    NAMES.iter().find(|(n, _)| *n == key).map(|(_, k)| *k)
}

/// Is `event` a name [`parse`] knows?
pub fn is_event(event: &str) -> bool {
    kind(event).is_some()
}

/// A string field of the JSON object, if it is one.
fn field<'a>(obj: Option<&'a serde_json::Map<String, Json>>, names: &[&str]) -> Option<&'a str> {
    let obj = obj?;
    names
        .iter()
        .find_map(|n| obj.get(*n).and_then(Json::as_str))
}

/// `s` without control characters (as spaces), at most [`MAX_REPORT_FIELD`]
/// bytes, cut at a character boundary.
fn clean(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if out.len() + c.len_utf8() > MAX_REPORT_FIELD {
            break;
        }
        out.push(c);
    }
    out.trim().to_string()
}

/// The report for `event` (the command's argument, or the JSON's
/// `hook_event_name`, or its `type` as Codex's notify sends), with `arg`
/// (the argument after the event: a tool, a message, a conversation id) and
/// the hook's `json` (an object; Claude Code's fields `tool_name`,
/// `message`, `notification_type`, `session_id`, `cwd`; Codex's
/// `thread-id`).
pub fn parse(
    event: Option<&str>,
    arg: Option<&str>,
    json: Option<&str>,
) -> Result<Report, ReportError> {
    let doc = match json {
        Some(text) => Some(super::super::json::read(text).map_err(ReportError::Json)?),
        None => None,
    };
    let obj = match &doc {
        Some(Json::Object(m)) => Some(m),
        Some(_) => return Err(ReportError::NotObject),
        None => None,
    };
    let name = event
        .or_else(|| field(obj, &["hook_event_name", "type"]))
        .ok_or(ReportError::NoEvent)?;
    let k = kind(name).ok_or_else(|| ReportError::UnknownEvent(name.to_string()))?;
    let text = |names: &[&str]| clean(arg.or_else(|| field(obj, names)).unwrap_or(""));
    Ok(match k {
        Kind::Prompt => Report::PromptSubmitted,
        Kind::Tool => Report::ToolUse {
            tool: text(&["tool_name"]),
        },
        Kind::ToolDone => Report::ToolDone {
            tool: text(&["tool_name"]),
        },
        Kind::Permission => Report::PermissionRequest {
            tool: text(&["tool_name"]),
        },
        Kind::Notification => {
            // Claude Code says what a notification is for (permission_prompt,
            // idle_prompt, ...), Gemini CLI too (ToolPermission): a
            // permission prompt is reported as one, whatever the message.
            let ty = field(obj, &["notification_type"])
                .unwrap_or("")
                .to_ascii_lowercase();
            if arg.is_none() && ty.contains("permission") {
                Report::PermissionRequest {
                    tool: text(&["tool_name"]),
                }
            } else {
                Report::Notification {
                    message: text(&["message"]),
                }
            }
        }
        Kind::Stop => Report::Stop,
        Kind::SessionStart => {
            let id = arg
                .or_else(|| field(obj, CONVERSATION_FIELDS))
                .ok_or(ReportError::NoConversationId)?;
            Report::SessionStart {
                conversation_id: conversation_id(id)?,
                cwd: clean(field(obj, &["cwd"]).unwrap_or("")),
            }
        }
        Kind::SessionEnd => Report::SessionEnd,
        Kind::TurnComplete => Report::TurnComplete {
            conversation_id: arg
                .or_else(|| field(obj, CONVERSATION_FIELDS))
                .map(conversation_id)
                .transpose()?,
            cwd: clean(field(obj, &["cwd"]).unwrap_or("")),
        },
    })
}

/// Where a hook's JSON has the conversation id: Claude Code's and Gemini
/// CLI's `session_id`, Codex's notify `thread-id`.
const CONVERSATION_FIELDS: &[&str] = &["session_id", "thread-id", "thread_id"];

/// `id` if it is a valid conversation id.
fn conversation_id(id: &str) -> Result<String, ReportError> {
    if id.is_empty()
        || id.len() > MAX_CONVERSATION_ID
        || id.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(ReportError::BadConversationId(id.to_string()));
    }
    Ok(id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_events_map() {
        let p = |e: &str, j: &str| parse(Some(e), None, Some(j));
        assert_eq!(
            p("UserPromptSubmit", r#"{"prompt":"hi"}"#),
            Ok(Report::PromptSubmitted)
        );
        assert_eq!(
            p("PreToolUse", r#"{"tool_name":"Write","tool_input":{}}"#),
            Ok(Report::ToolUse {
                tool: "Write".into()
            })
        );
        assert_eq!(
            p("PermissionRequest", r#"{"tool_name":"Write"}"#),
            Ok(Report::PermissionRequest {
                tool: "Write".into()
            })
        );
        assert_eq!(
            p(
                "Notification",
                r#"{"message":"Claude is waiting for your input","notification_type":"idle_prompt"}"#
            ),
            Ok(Report::Notification {
                message: "Claude is waiting for your input".into()
            })
        );
        assert_eq!(
            p(
                "Notification",
                r#"{"message":"Claude needs you","notification_type":"permission_prompt"}"#
            ),
            Ok(Report::PermissionRequest { tool: "".into() })
        );
        assert_eq!(
            p("PostToolUse", r#"{"tool_name":"Write"}"#),
            Ok(Report::ToolDone {
                tool: "Write".into()
            })
        );
        // The question dialog: its tool use and permission request.
        assert_eq!(
            p("PreToolUse", r#"{"tool_name":"AskUserQuestion"}"#),
            Ok(Report::ToolUse {
                tool: "AskUserQuestion".into()
            })
        );
        assert_eq!(p("Stop", "{}"), Ok(Report::Stop));
        assert_eq!(
            p(
                "SessionStart",
                r#"{"session_id":"abc-1","cwd":"/p","source":"startup"}"#
            ),
            Ok(Report::SessionStart {
                conversation_id: "abc-1".into(),
                cwd: "/p".into()
            })
        );
        assert_eq!(
            p("SessionEnd", r#"{"reason":"exit"}"#),
            Ok(Report::SessionEnd)
        );
    }

    #[test]
    fn the_event_can_come_from_the_json() {
        assert_eq!(
            parse(None, None, Some(r#"{"hook_event_name":"Stop"}"#)),
            Ok(Report::Stop)
        );
        // Codex's notify program gets {"type":"agent-turn-complete",...}:
        // weak, with the thread id as the conversation id.
        assert_eq!(
            parse(
                None,
                None,
                Some(r#"{"type":"agent-turn-complete","thread-id":"t","cwd":"/p"}"#)
            ),
            Ok(Report::TurnComplete {
                conversation_id: Some("t".into()),
                cwd: "/p".into()
            })
        );
        assert_eq!(
            parse(Some("agent-turn-complete"), None, None),
            Ok(Report::TurnComplete {
                conversation_id: None,
                cwd: "".into()
            })
        );
        assert!(matches!(
            parse(
                None,
                None,
                Some(r#"{"type":"agent-turn-complete","thread-id":"a b"}"#)
            ),
            Err(ReportError::BadConversationId(_))
        ));
        assert_eq!(parse(None, None, Some("{}")), Err(ReportError::NoEvent));
        assert_eq!(parse(None, None, None), Err(ReportError::NoEvent));
    }

    #[test]
    fn generic_names_and_arguments() {
        assert_eq!(
            parse(Some("prompt"), None, None),
            Ok(Report::PromptSubmitted)
        );
        assert_eq!(
            parse(Some("permission"), Some("Bash"), None),
            Ok(Report::PermissionRequest {
                tool: "Bash".into()
            })
        );
        assert_eq!(
            parse(Some("notification"), Some("needs\x1b you"), None),
            Ok(Report::Notification {
                message: "needs  you".into()
            })
        );
        assert_eq!(
            parse(Some("session-start"), Some("id-9"), None),
            Ok(Report::SessionStart {
                conversation_id: "id-9".into(),
                cwd: "".into()
            })
        );
        assert_eq!(
            parse(Some("SESSION_END"), None, None),
            Ok(Report::SessionEnd)
        );
        assert_eq!(
            parse(Some("BeforeAgent"), None, None),
            Ok(Report::PromptSubmitted)
        );
        assert_eq!(parse(Some("AfterAgent"), None, None), Ok(Report::Stop));
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(matches!(
            parse(Some("Stop"), None, Some("{")),
            Err(ReportError::Json(_))
        ));
        assert_eq!(
            parse(Some("Stop"), None, Some("[1]")),
            Err(ReportError::NotObject)
        );
        assert_eq!(
            parse(Some("Bogus"), None, None),
            Err(ReportError::UnknownEvent("Bogus".into()))
        );
        assert_eq!(
            parse(Some("session-start"), None, None),
            Err(ReportError::NoConversationId)
        );
        assert!(matches!(
            parse(Some("session-start"), Some("a b"), None),
            Err(ReportError::BadConversationId(_))
        ));
        let long = "x".repeat(MAX_CONVERSATION_ID + 1);
        assert!(matches!(
            parse(Some("session-start"), Some(&long), None),
            Err(ReportError::BadConversationId(_))
        ));
        assert_eq!(
            ReportError::UnknownEvent("Bogus\n".into()).to_string(),
            "unknown agent event: Bogus\\n"
        );
    }

    #[test]
    fn long_fields_are_cut() {
        let long = "é".repeat(MAX_REPORT_FIELD);
        match parse(Some("notification"), Some(&long), None) {
            Ok(Report::Notification { message }) => assert!(message.len() <= MAX_REPORT_FIELD),
            other => panic!("{other:?}"),
        }
    }
}
