//! `agent-send [-g group | -t target-session] [-s source-session] message`
//! (alias `asend`): deliver a message to one agent session's inbox, or to
//! every other member of a group, and say how many inboxes received it.
//! Inboxes are bounded in messages (`@agent-inbox-limit`), bytes
//! (`@agent-inbox-bytes`) and bytes over the server
//! (`@agent-inbox-total-bytes`); what a delivery drops is reported.

use agent_tmux::agent::inbox::{
    InboxLimits, DEFAULT_INBOX_BYTES, DEFAULT_INBOX_LIMIT, DEFAULT_INBOX_TOTAL_BYTES,
    MAX_INBOX_BYTES, MAX_INBOX_LIMIT, MIN_INBOX_BYTES,
};
use agent_tmux::agent::{SendTo, SessionId};

use super::util::{plural, text};
use crate::server;
use crate::tmux::{options, session, CmdError, CmdResult, CommandSpec, Flow, Item};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-send",
    alias: Some(c"asend"),
    args: c"g:qs:t:",
    lower: 1,
    upper: 1,
    usage: c"[-q] [-g group | -t target-session] [-s source-session] message",
    confirms: true,
    exec,
    ..CommandSpec::BASE
};

/// The inbox limit of session `$id`: `@agent-inbox-limit` (session, then
/// global), 1 to 100000, else 1000.
pub fn inbox_limit(id: SessionId) -> usize {
    options::session(id, "@agent-inbox-limit")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=MAX_INBOX_LIMIT).contains(n))
        .unwrap_or(DEFAULT_INBOX_LIMIT)
}

/// A byte bound from an option value: MIN_INBOX_BYTES to MAX_INBOX_BYTES,
/// else `default`.
fn bytes_option(v: Option<String>, default: usize) -> usize {
    v.and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (MIN_INBOX_BYTES..=MAX_INBOX_BYTES).contains(n))
        .unwrap_or(default)
}

/// The byte bound of session `$id`'s inbox: `@agent-inbox-bytes` (session,
/// then global), else 4 MiB.
pub fn inbox_bytes_limit(id: SessionId) -> usize {
    bytes_option(
        options::session(id, "@agent-inbox-bytes"),
        DEFAULT_INBOX_BYTES,
    )
}

/// The byte bound over all inboxes: `@agent-inbox-total-bytes` (global),
/// else 64 MiB.
pub fn inbox_total_bytes_limit() -> usize {
    bytes_option(
        options::global("@agent-inbox-total-bytes"),
        DEFAULT_INBOX_TOTAL_BYTES,
    )
}

/// Both bounds of session `$id`'s inbox.
fn inbox_limits(id: SessionId) -> InboxLimits {
    InboxLimits::new(inbox_limit(id), inbox_bytes_limit(id))
}

fn exec(item: &mut Item) -> CmdResult {
    let message = text(item.arg_bytes(0))?.unwrap_or("");
    let group = text(item.value_bytes('g'))?;
    let target = text(item.value_bytes('t'))?;
    let from = match text(item.value_bytes('s'))? {
        Some(s) => Some(
            item.find_session(Some(s))
                .ok_or_else(|| CmdError::not_found("session", s))?,
        ),
        None => item.own_session(),
    };
    let to = match (group, target) {
        (Some(_), Some(_)) => return Err(CmdError::Usage("-g and -t can't be used together")),
        (None, None) => {
            return Err(CmdError::Usage(
                "no receiver: give -t target-session or -g group",
            ))
        }
        (Some(g), None) => SendTo::Group(g),
        (None, Some(t)) => SendTo::Session(
            item.find_session(Some(t))
                .ok_or_else(|| CmdError::not_found("session", t))?,
        ),
    };
    let from_name = from.map(session::display_name).unwrap_or_default();
    let total = inbox_total_bytes_limit();
    let outcome = server::apply(|r| {
        r.set_inbox_total_bytes(total);
        r.send(
            from,
            &from_name,
            to,
            message,
            crate::tmux::now(),
            inbox_limits,
        )
    })?;
    let dropped: usize = outcome.delivered.iter().map(|d| d.dropped.len()).sum();
    let server_dropped = outcome.server_dropped.len();
    let mut line = match outcome.delivered.len() {
        1 => "delivered to 1 inbox".to_string(),
        n => format!("delivered to {n} inboxes"),
    };
    let mut why = Vec::new();
    if dropped > 0 {
        why.push(format!(
            "{} dropped: inbox full",
            plural(dropped, "older message")
        ));
    }
    if server_dropped > 0 {
        why.push(format!(
            "{} dropped: server inboxes full",
            plural(server_dropped, "older message")
        ));
    }
    if !why.is_empty() {
        line.push_str(&format!(" ({})", why.join(", ")));
    }
    item.print(&line);
    Ok(Flow::Done)
}
