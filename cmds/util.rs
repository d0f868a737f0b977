//! Helpers shared by the command files: the target session, arguments as
//! text, and the JSON shapes of `-J` output.

use agent_tmux::agent::{compact_json, Entry, Registry, SessionId, Value};
use serde_json::{json, Map, Value as Json};

use crate::tmux::{self, session, CmdError, Item};

/// The resolved `-t` session, as an id.
pub fn target(item: &Item) -> Result<SessionId, CmdError> {
    item.target_session()
        .ok_or_else(|| CmdError::Failed("no target session".to_string()))
}

/// Print each line.
pub fn print_lines(item: &Item, lines: &[String]) {
    for l in lines {
        item.print(l);
    }
}

/// Print one JSON document, compact, with DEL and C1 controls escaped.
pub fn print_json(item: &Item, doc: &Json) {
    item.print(&compact_json(doc));
}

/// "1 session" / "2 sessions".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `TIME (N seconds ago)`.
pub fn when(t: i64) -> String {
    format!(
        "{} ({} seconds ago)",
        tmux::local_time(t),
        (tmux::now() - t).max(0)
    )
}

/// A context value as JSON: JSON values as themselves, text as a string.
pub fn value_json(v: &Value) -> Json {
    match v {
        Value::Json(j) => j.clone(),
        Value::Text(t) => Json::String(t.clone()),
    }
}

/// One context entry as JSON. The value is moved in, not passed through
/// `json!` (whose `to_value` would rewrite a number's text, `1e2` as
/// `1e+2`): see [`put`].
pub fn entry_json(key: &str, e: &Entry) -> Json {
    let mut doc = json!({
        "key": key,
        "value": null,
        "json": e.value.is_json(),
        "author": session::name(e.author),
        "author_id": e.author.to_string(),
        "time": e.time,
        "version": e.version,
    });
    put(&mut doc, "value", value_json(&e.value));
    doc
}

/// Sets `doc[key]` to `v` as it is. Any JSON holding context values must be
/// put into a document this way: `json!` serializes an embedded value again,
/// which keeps a number's digits but not always its text.
pub fn put(doc: &mut Json, key: &str, v: Json) {
    if let Json::Object(map) = doc {
        map.insert(key.to_string(), v);
    }
}

/// One agent session as JSON (list-agents, agent-peers).
pub fn agent_json(r: &Registry, id: SessionId) -> Json {
    let a = r.agent(id);
    let st = crate::server::agent_state::session_state(id);
    json!({
        "session_id": id.to_string(),
        "session_name": session::name(id),
        "agent_type": a.map(|a| a.agent_type.clone()),
        "goal": a.map(|a| a.goal.clone()),
        "created": a.map(|a| a.created),
        "group": a.and_then(|a| a.group.clone()),
        "role": r.role(id).map(|x| x.to_string()),
        "peers": r.peer_count(id),
        "status": crate::server::activity::session_status(id).map(|s| s.to_string()),
        "unread": a.map(|a| a.inbox.unread_count()),
        "dropped": a.map(|a| a.inbox.dropped()),
        "state": st.as_ref().map(|i| i.state.to_string()),
        "state_reason": st.as_ref().map(|i| i.reason.clone()),
        "state_since": st.as_ref().map(|i| i.since),
        "conversation_id": st.as_ref().and_then(|i| i.conversation_id.clone()),
    })
}

/// A group's context as a JSON object keyed by key.
pub fn context_json(r: &Registry, group: &str) -> Json {
    let mut map = Map::new();
    if let Some(g) = r.group(group) {
        for (k, e) in g.context() {
            map.insert(k.to_string(), entry_json(k, e));
        }
    }
    Json::Object(map)
}

/// A positional argument or flag value as text, checked for UTF-8 with the
/// domain's message (the one way every argument is read).
pub fn text(bytes: Option<&[u8]>) -> Result<Option<&str>, CmdError> {
    Ok(bytes.map(agent_tmux::agent::text_from_bytes).transpose()?)
}

/// `-T` of the waiting commands: seconds, fractions allowed, more than zero.
pub fn timeout(item: &Item) -> Result<Option<f64>, CmdError> {
    let Some(t) = text(item.value_bytes('T'))? else {
        return Ok(None);
    };
    match t.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e9 => Ok(Some(v)),
        _ => Err(CmdError::BadValue {
            what: "timeout",
            value: t.to_string(),
            allowed: "seconds, more than 0".to_string(),
        }),
    }
}
