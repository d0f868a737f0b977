//! The hooks snippet an agent CLI's settings file needs so that its hooks
//! report to agent-tmux (`agent-hooks`), and merging it into the settings
//! a user already has without touching anything else. Pure: text in, text
//! out; the file itself is read and written elsewhere.

use serde_json::{json, Map, Value as Json};

/// The CLIs whose settings file takes a hooks snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookCli {
    /// Claude Code, `~/.claude/settings.json`.
    Claude,
    /// Gemini CLI, `~/.gemini/settings.json` (same shape, its own event names).
    Gemini,
}

impl HookCli {
    /// By name, as `agent-hooks` takes it.
    pub fn parse(name: &str) -> Option<HookCli> {
        match name {
            "claude" | "claude-code" => Some(HookCli::Claude),
            "gemini" | "gemini-cli" => Some(HookCli::Gemini),
            _ => None,
        }
    }

    /// The settings file under the user's home directory.
    pub fn settings_path(self) -> &'static str {
        match self {
            HookCli::Claude => ".claude/settings.json",
            HookCli::Gemini => ".gemini/settings.json",
        }
    }

    /// The hook events the snippet installs, in the order it lists them.
    pub fn events(self) -> &'static [&'static str] {
        match self {
            HookCli::Claude => &[
                "SessionStart",
                "UserPromptSubmit",
                "PreToolUse",
                "PermissionRequest",
                "PostToolUse",
                "Notification",
                "Stop",
                "SessionEnd",
            ],
            HookCli::Gemini => &[
                "SessionStart",
                "BeforeAgent",
                "BeforeTool",
                "AfterTool",
                "Notification",
                "AfterAgent",
                "SessionEnd",
            ],
        }
    }
}

/// What marks a hook command as ours (so installing twice adds nothing).
pub const MARKER: &str = "agent-report";

/// `s` quoted for `sh` (single quotes).
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=,@%".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The shell command a hook runs for `event`: nothing outside tmux, else
/// `TMUX agent-report -I EVENT` (the hook's JSON on stdin).
pub fn hook_command(tmux: &str, event: &str) -> String {
    format!("[ -z \"$TMUX\" ] || {} {MARKER} -I {event}", sh_quote(tmux))
}

/// The snippet: `{"hooks": {EVENT: [{"hooks": [{"type": "command",
/// "command": ...}]}], ...}}`, with `tmux` the command that runs agent-tmux.
pub fn snippet(cli: HookCli, tmux: &str) -> Json {
    let mut hooks = Map::new();
    for ev in cli.events() {
        let mut one = json!({"type": "command", "command": hook_command(tmux, ev)});
        if cli == HookCli::Gemini {
            one["name"] = json!(format!("agent-tmux-{}", ev.to_ascii_lowercase()));
        }
        hooks.insert(ev.to_string(), json!([{ "hooks": [one] }]));
    }
    json!({ "hooks": hooks })
}

/// The snippet as it is printed: pretty JSON, two spaces, a final newline.
pub fn snippet_text(cli: HookCli, tmux: &str) -> String {
    pretty(&snippet(cli, tmux))
}

fn pretty(doc: &Json) -> String {
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Why the snippet can't be merged. Nothing is written then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeError {
    /// The settings are not JSON (the parser's message).
    Json(String),
    /// The settings (or their `hooks`, or `hooks.EVENT`) are not of the
    /// shape the CLI reads: the part named is not an object or an array.
    Shape(String),
}

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MergeError::Json(m) => write!(f, "settings are not valid JSON: {m}"),
            MergeError::Shape(what) => write!(f, "settings have an unexpected shape: {what}"),
        }
    }
}

/// What merging did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The new settings text (pretty JSON), when anything was added.
    pub text: Option<String>,
    /// Events whose hook was added.
    pub added: Vec<String>,
    /// Events that already had one of our hooks (left as they were).
    pub present: Vec<String>,
}

/// Does this event's list already hold a hook of ours?
fn has_ours(groups: &[Json]) -> bool {
    groups.iter().any(|g| {
        g.get("hooks").and_then(Json::as_array).is_some_and(|hs| {
            hs.iter().any(|h| {
                h.get("command")
                    .and_then(Json::as_str)
                    .is_some_and(|c| c.contains(MARKER))
            })
        })
    })
}

/// Merge the snippet into `existing` settings (`None` or blank: there are
/// none yet). Every other key, event and hook stays as it was, in its
/// order; an event that already has one of our hooks is left alone; each
/// other event gets our hook group appended.
pub fn merge(existing: Option<&str>, cli: HookCli, tmux: &str) -> Result<Merged, MergeError> {
    let mut doc = match existing.map(str::trim) {
        None | Some("") => Json::Object(Map::new()),
        Some(text) => super::super::json::read(text).map_err(MergeError::Json)?,
    };
    let Json::Object(root) = &mut doc else {
        return Err(MergeError::Shape("not a JSON object".to_string()));
    };
    let hooks = root
        .entry("hooks")
        .or_insert_with(|| Json::Object(Map::new()));
    let Json::Object(hooks) = hooks else {
        return Err(MergeError::Shape("\"hooks\" is not an object".to_string()));
    };
    // Check every event before changing any.
    for ev in cli.events() {
        if let Some(v) = hooks.get(*ev) {
            if !v.is_array() {
                return Err(MergeError::Shape(format!(
                    "\"hooks\".\"{ev}\" is not an array"
                )));
            }
        }
    }
    let ours = snippet(cli, tmux);
    let mut added = Vec::new();
    let mut present = Vec::new();
    for ev in cli.events() {
        let list = hooks
            .entry(ev.to_string())
            .or_insert_with(|| Json::Array(Vec::new()));
        let Json::Array(list) = list else {
            unreachable!("checked above")
        };
        if has_ours(list) {
            present.push(ev.to_string());
            continue;
        }
        list.push(ours["hooks"][*ev][0].clone());
        added.push(ev.to_string());
    }
    let text = (!added.is_empty()).then(|| pretty(&doc));
    Ok(Merged {
        text,
        added,
        present,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_has_every_event_once() {
        let s = snippet(HookCli::Claude, "/usr/bin/tmux");
        let hooks = s["hooks"].as_object().unwrap();
        assert_eq!(hooks.len(), 8);
        assert_eq!(
            hooks["Stop"][0]["hooks"][0]["command"],
            "[ -z \"$TMUX\" ] || /usr/bin/tmux agent-report -I Stop"
        );
        let g = snippet(HookCli::Gemini, "tmux");
        assert_eq!(
            g["hooks"]["AfterAgent"][0]["hooks"][0]["name"],
            "agent-tmux-afteragent"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("/a/b"), "/a/b");
        assert_eq!(sh_quote("/my dir/it's"), r"'/my dir/it'\''s'");
        assert_eq!(sh_quote(""), "''");
    }

    #[test]
    fn merge_keeps_everything_else() {
        let before = r#"{"model": "opus", "n": 1e2,
            "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}],
                      "PreCompact": [{"hooks": [{"type": "command", "command": "x"}]}]},
            "z": [1, 2]}"#;
        let m = merge(Some(before), HookCli::Claude, "tmux").unwrap();
        assert_eq!(m.added.len(), 8);
        let text = m.text.unwrap();
        let after: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(after["model"], "opus");
        assert!(text.contains("1e2"), "numbers keep their text: {text}");
        assert_eq!(after["hooks"]["Stop"][0]["hooks"][0]["command"], "say done");
        assert!(after["hooks"]["Stop"][1]["hooks"][0]["command"]
            .as_str()
            .unwrap()
            .contains("agent-report -I Stop"));
        assert_eq!(after["hooks"]["PreCompact"][0]["hooks"][0]["command"], "x");
        let keys: Vec<&String> = after.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["model", "n", "hooks", "z"]);
        // Twice: nothing more.
        let again = merge(Some(&text), HookCli::Claude, "/other/tmux").unwrap();
        assert_eq!(again.text, None);
        assert_eq!(again.present.len(), 8);
    }

    #[test]
    fn merge_into_nothing() {
        for none in [None, Some(""), Some("  \n")] {
            let m = merge(none, HookCli::Claude, "tmux").unwrap();
            let after: Json = serde_json::from_str(&m.text.unwrap()).unwrap();
            assert_eq!(after, snippet(HookCli::Claude, "tmux"));
        }
    }

    #[test]
    fn merge_refuses_what_it_does_not_understand() {
        assert!(matches!(
            merge(Some("{"), HookCli::Claude, "t"),
            Err(MergeError::Json(_))
        ));
        assert!(matches!(
            merge(Some(r#"{"a":1,"a":2}"#), HookCli::Claude, "t"),
            Err(MergeError::Json(_))
        ));
        assert!(matches!(
            merge(Some("[]"), HookCli::Claude, "t"),
            Err(MergeError::Shape(_))
        ));
        assert!(matches!(
            merge(Some(r#"{"hooks": []}"#), HookCli::Claude, "t"),
            Err(MergeError::Shape(_))
        ));
        assert_eq!(
            merge(Some(r#"{"hooks": {"Stop": {}}}"#), HookCli::Claude, "t"),
            Err(MergeError::Shape(
                "\"hooks\".\"Stop\" is not an array".to_string()
            ))
        );
    }
}
