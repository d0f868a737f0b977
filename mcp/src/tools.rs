//! The tools: names, descriptions written for a model, JSON schemas, and the
//! checking of arguments. Running them is in `server.rs`.

use serde_json::{json, Map, Value};

/// Whether a tool changes anything (refused when the server is read-only).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Read,
    Write,
}

pub struct Spec {
    pub name: &'static str,
    pub kind: Kind,
    pub description: &'static str,
    /// `properties` of the input schema, and the required ones.
    pub properties: fn() -> Value,
    pub required: &'static [&'static str],
}

const TIMEOUT_DOC: &str = "Seconds to wait before giving up with 'agent-wait: timed out' \
     (more than 0; fractions allowed). Default 60.";

pub const SPECS: &[Spec] = &[
    Spec {
        name: "whoami",
        kind: Kind::Read,
        description: "Who you are in agent-tmux: your tmux session (id and name), your pane, \
            your coordination group and role (Coordinator or Member) and the names of your \
            peers (the other members of your group). Call this first.",
        properties: || json!({}),
        required: &[],
    },
    Spec {
        name: "list_peers",
        kind: Kind::Read,
        description: "The other members of your coordination group, in join order, each with \
            its session id and name, agent type, goal, role, unread message count and current \
            state (for example busy, idle or exited).",
        properties: || json!({}),
        required: &[],
    },
    Spec {
        name: "get_context",
        kind: Kind::Read,
        description: "Read the shared context of your group: every key (omit 'key'), or one \
            key. Each entry has its value (a string for text, the JSON value for JSON), 'json' \
            (whether it was stored as JSON), its author, time and the context version its write \
            made. A missing key is an error.",
        properties: || {
            json!({
                "key": {"type": "string", "description": "One key to read; omit for all."}
            })
        },
        required: &[],
    },
    Spec {
        name: "share",
        kind: Kind::Write,
        description: "Write a key in your group's shared context, visible to every member at \
            once (they may be waiting for it). A string value is stored as text; any other JSON \
            value (object, array, number, boolean, null) is stored as JSON. Keys use only \
            A-Z a-z 0-9 _ . - (at most 64 characters); a value is at most 65536 bytes.",
        properties: || {
            json!({
                "key": {"type": "string", "description": "The key, e.g. 'verdict' or 'tests.status'."},
                "value": {"description": "The value: a string (stored as text) or any JSON value."},
                "as_json": {"type": "boolean", "description": "Store a string value as a JSON string rather than as text. Default false."}
            })
        },
        required: &["key", "value"],
    },
    Spec {
        name: "unset",
        kind: Kind::Write,
        description: "Remove a key from your group's shared context. The key must exist.",
        properties: || json!({"key": {"type": "string", "description": "The key to remove."}}),
        required: &["key"],
    },
    Spec {
        name: "send_message",
        kind: Kind::Write,
        description: "Send a text message to one agent's inbox ('to': its session name or id) \
            or to every other member of your group ('group': true). It is delivered whether or \
            not the receiver is busy; the receiver reads it with read_inbox or wait_for_message.",
        properties: || {
            json!({
                "text": {"type": "string", "description": "The message (UTF-8, not empty, at most 65536 bytes)."},
                "to": {"type": "string", "description": "Session name or id ($N) of the receiving agent."},
                "group": {"type": "boolean", "description": "Send to every other member of your group instead."}
            })
        },
        required: &["text"],
    },
    Spec {
        name: "read_inbox",
        kind: Kind::Read,
        description: "Your unread messages, oldest first, each with its number, sender, time \
            and text. With 'take': true they are consumed (removed from the inbox) in the same \
            step; otherwise nothing changes.",
        properties: || {
            json!({
                "take": {"type": "boolean", "description": "Consume the messages listed. Default false."},
                "count": {"type": "integer", "minimum": 1, "description": "Only the oldest N messages."}
            })
        },
        required: &[],
    },
    Spec {
        name: "wait_for_key",
        kind: Kind::Read,
        description: "Block until a key exists in your group's shared context and return its \
            value (at once if it already exists), or with 'changed': true until its next write. \
            Other tool calls keep working while you wait.",
        properties: || {
            json!({
                "key": {"type": "string", "description": "The key to wait for."},
                "changed": {"type": "boolean", "description": "Wait for the next write even if the key exists. Default false."},
                "timeout": {"type": "number", "exclusiveMinimum": 0, "description": TIMEOUT_DOC}
            })
        },
        required: &["key"],
    },
    Spec {
        name: "wait_for_message",
        kind: Kind::Read,
        description: "Block until your inbox has an unread message and return the oldest \
            one's text (at once if there is one). With 'take': true it is consumed. Other tool \
            calls keep working while you wait.",
        properties: || {
            json!({
                "take": {"type": "boolean", "description": "Consume the message. Default false."},
                "timeout": {"type": "number", "exclusiveMinimum": 0, "description": TIMEOUT_DOC}
            })
        },
        required: &[],
    },
    Spec {
        name: "wait_for_peer",
        kind: Kind::Read,
        description: "Block until a peer (a member of your group, by session name or id) is no \
            longer starting or working, that is idle, waiting for a human or exited, and return \
            its state. Other tool calls keep working while you wait.",
        properties: || {
            json!({
                "peer": {"type": "string", "description": "Session name or id of the peer."},
                "timeout": {"type": "number", "exclusiveMinimum": 0, "description": TIMEOUT_DOC}
            })
        },
        required: &["peer"],
    },
    Spec {
        name: "prompt_peer",
        kind: Kind::Write,
        description: "Submit a prompt to a peer's agent program, as if typed (one paste, then \
            Enter). An idle peer gets it now; a starting or working one when it is next idle \
            (queued, unless defer is false); a peer waiting for a human (a permission or question \
            dialog) is refused unless force is true, as are exited peers and peers without an \
            agent state. Refused too if the peer is not in your group or a human typed into its \
            pane in the last few seconds. Prefer send_message unless the peer must start on \
            something now.",
        properties: || {
            json!({
                "peer": {"type": "string", "description": "Session name or id of the peer."},
                "text": {"type": "string", "description": "The prompt (UTF-8, not empty, at most 65536 bytes)."},
                "defer": {"type": "boolean", "description": "Queue it for a starting or working peer (default true); false refuses instead."},
                "force": {"type": "boolean", "description": "Prompt at once whatever the peer does, even into a dialog that waits for a human (default false)."}
            })
        },
        required: &["peer", "text"],
    },
];

pub fn find(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.name == name)
}

/// The JSON schema of a tool's input.
pub fn schema(spec: &Spec) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    m.insert("properties".into(), (spec.properties)());
    if !spec.required.is_empty() {
        m.insert("required".into(), json!(spec.required));
    }
    m.insert("additionalProperties".into(), json!(false));
    m
}

/// Checked arguments of one call.
pub struct Args {
    map: Map<String, Value>,
}

impl Args {
    /// Check `args` against the tool's schema: no unknown argument, every
    /// required one present. Types are checked when read.
    pub fn check(spec: &Spec, args: Option<Map<String, Value>>) -> Result<Args, String> {
        let map = args.unwrap_or_default();
        let props = (spec.properties)();
        for k in map.keys() {
            if props.get(k).is_none() {
                return Err(format!("unknown argument: {k}"));
            }
        }
        for r in spec.required {
            if !map.contains_key(*r) {
                return Err(format!("missing argument: {r}"));
            }
        }
        Ok(Args { map })
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    pub fn string(&self, name: &str) -> Result<Option<&str>, String> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("invalid argument: {name} (expected a string)")),
        }
    }

    pub fn required_string(&self, name: &str) -> Result<&str, String> {
        self.string(name)?
            .ok_or_else(|| format!("missing argument: {name}"))
    }

    pub fn flag(&self, name: &str) -> Result<bool, String> {
        self.flag_or(name, false)
    }

    /// A boolean argument, `default` when absent.
    pub fn flag_or(&self, name: &str, default: bool) -> Result<bool, String> {
        match self.map.get(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(format!("invalid argument: {name} (expected a boolean)")),
        }
    }

    pub fn count(&self, name: &str) -> Result<Option<u64>, String> {
        match self.map.get(name) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n >= 1 => Ok(Some(n)),
                _ => Err(format!(
                    "invalid argument: {name} (expected an integer of 1 or more)"
                )),
            },
        }
    }

    /// A timeout in seconds as `agent-wait -T` takes it.
    pub fn timeout(&self) -> Result<String, String> {
        match self.map.get("timeout") {
            None => Ok("60".into()),
            Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f > 0.0 && f.is_finite()) => {
                Ok(n.to_string())
            }
            Some(_) => {
                Err("invalid argument: timeout (expected a number of seconds above 0)".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: Value) -> Option<Map<String, Value>> {
        v.as_object().cloned()
    }

    #[test]
    fn every_tool_has_an_object_schema_naming_its_required_arguments() {
        for s in SPECS {
            let schema = schema(s);
            let props = schema["properties"].as_object().unwrap();
            for r in s.required {
                assert!(props.contains_key(*r), "{}: {r}", s.name);
            }
            assert!(s.description.len() > 40, "{}", s.name);
        }
    }

    #[test]
    fn unknown_and_missing_arguments_are_refused() {
        let share = find("share").unwrap();
        assert_eq!(
            Args::check(share, args(json!({"key": "k"}))).err().unwrap(),
            "missing argument: value"
        );
        assert_eq!(
            Args::check(share, args(json!({"key": "k", "value": 1, "x": 2})))
                .err()
                .unwrap(),
            "unknown argument: x"
        );
        let a = Args::check(share, args(json!({"key": 3, "value": 1}))).unwrap();
        assert_eq!(
            a.required_string("key").unwrap_err(),
            "invalid argument: key (expected a string)"
        );
    }

    #[test]
    fn timeouts() {
        let w = find("wait_for_message").unwrap();
        let t = |v| Args::check(w, args(v)).unwrap().timeout();
        assert_eq!(t(json!({})).unwrap(), "60");
        assert_eq!(t(json!({"timeout": 0.5})).unwrap(), "0.5");
        assert!(t(json!({"timeout": 0})).is_err());
        assert!(t(json!({"timeout": "5"})).is_err());
    }
}
