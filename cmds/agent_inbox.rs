//! `agent-inbox [-c] [-n count] [-t target-session] [-F format] [-J]` (alias
//! `ainbox`): list a session's unread messages, oldest first; `-c` consumes
//! (marks read) exactly what was printed, so two readers never both consume
//! one message.

use agent_tmux::agent::inbox::{Inbox, Message, MAX_INBOX_LIMIT};
use agent_tmux::agent::SessionId;
use serde_json::json;

use super::agent_send::{inbox_bytes_limit, inbox_limit};
use super::list::List;
use super::util::{print_json, target, text};
use crate::server::{self, state};
use crate::tmux::{self, session, CmdError, CmdResult, CommandSpec, Flow, Item, Target, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-inbox",
    alias: Some(c"ainbox"),
    args: c"cF:Jn:t:",
    usage: c"[-cJ] [-n count] [-t target-session] [-F format]",
    target: Target::Session,
    // Listing is read-only; consuming (-c) is refused for a read-only client
    // in exec.
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

/// `-n`: 1 to [`MAX_INBOX_LIMIT`].
fn count(item: &Item) -> Result<Option<usize>, CmdError> {
    let Some(n) = text(item.value_bytes('n'))? else {
        return Ok(None);
    };
    match n.trim().parse::<usize>() {
        Ok(v) if (1..=MAX_INBOX_LIMIT).contains(&v) => Ok(Some(v)),
        _ => Err(CmdError::BadValue {
            what: "count",
            value: n.to_string(),
            allowed: format!("1 to {MAX_INBOX_LIMIT}"),
        }),
    }
}

/// The sender as shown: the name it had when it sent (whatever it is
/// called now, or whichever session has that name now), else `-`.
fn sender(m: &Message) -> String {
    match m.from {
        Some(_) if !m.from_name.is_empty() => m.from_name.clone(),
        Some(id) => id.to_string(),
        None => "-".to_string(),
    }
}

/// A message's text on one line: backslash, newline and tab escaped.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

fn message_json(m: &Message) -> serde_json::Value {
    json!({
        "seq": m.seq,
        "from": m.from.map(|_| sender(m)),
        "from_id": m.from.map(|s| s.to_string()),
        "time": m.time,
        "text": m.text,
    })
}

fn inbox_json(id: SessionId, i: &Inbox, shown: &[Message]) -> serde_json::Value {
    json!({
        "session_id": id.to_string(),
        "session_name": session::name(id),
        "unread": i.unread_count(),
        "delivered": i.delivered(),
        "consumed": i.consumed(),
        "dropped": i.dropped(),
        "limit": inbox_limit(id),
        "bytes": i.bytes(),
        "bytes_limit": inbox_bytes_limit(id),
        "messages": shown.iter().map(message_json).collect::<Vec<_>>(),
    })
}

fn exec(item: &mut Item) -> CmdResult {
    if item.has('c') && item.client_is_readonly() {
        return Err(CmdError::ReadOnly);
    }
    let id = target(item)?;
    let n = count(item)?;
    let list = List::new(item)?;
    // Take (or copy) the messages first: one call, so nothing is consumed
    // twice and nothing printed is left unconsumed.
    let shown: Vec<Message> = if item.has('c') {
        server::apply(|r| r.consume(id, n))
    } else {
        state::with(|r| {
            r.inbox(id)
                .map(|i| i.unread().take(n.unwrap_or(usize::MAX)).cloned().collect())
        })
    }?;
    if item.has('J') {
        let doc = state::with(|r| r.inbox(id).map(|i| inbox_json(id, i, &shown)));
        print_json(item, &doc?);
    } else if list.template.is_some() {
        let rows = list.select(&shown, |m, ft| {
            let from_id = m.from.map_or("-".to_string(), |s| s.to_string());
            ft.session(id)
                .add("message_seq", &m.seq.to_string())
                .add("message_from", &sender(m))
                .add("message_from_id", &from_id)
                .add("message_time", &m.time.to_string())
                .add("message_text", &m.text);
            true
        });
        list.print_lines(&rows, |_| String::new());
    } else {
        let dropped = state::with(|r| r.inbox(id).map_or(0, |i| i.dropped()));
        if dropped > 0 {
            item.print(&format!(
                "({dropped} unread {} dropped: inbox full, limit {})",
                if dropped == 1 { "message" } else { "messages" },
                inbox_limit(id)
            ));
        }
        for m in &shown {
            item.print(&format!(
                "{} {} {}: {}",
                m.seq,
                sender(m),
                tmux::local_time(m.time),
                one_line(&m.text)
            ));
        }
    }
    if item.has('c') && !shown.is_empty() {
        session::refresh_status(id);
    }
    Ok(Flow::Done)
}
