//! `agent-send [-g group | -t target-session] [-s source-session] message`
//! (alias `asend`): deliver a message to one agent session's inbox, or to
//! every other member of a group, and say how many inboxes received it.

use agent_tmux::agent::inbox::{DEFAULT_INBOX_LIMIT, MAX_INBOX_LIMIT};
use agent_tmux::agent::SendTo;

use super::util::{fail, plural, shown, text};
use crate::server;
use crate::tmux::{options, session, CmdError, CmdResult, CommandSpec, Flow, Item, Target};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-send",
    alias: Some(c"asend"),
    args: c"g:qs:t:",
    lower: 1,
    upper: 1,
    usage: c"[-q] [-g group | -t target-session] [-s source-session] message",
    target: Target::None,
    flags: 0,
    wraps_upstream: false,
    confirms: true,
    exec,
};

/// The inbox limit of session `$id`: `@agent-inbox-limit` (session, then
/// global), 1 to 100000, else 1000.
pub fn inbox_limit(id: u32) -> usize {
    options::session(id, "@agent-inbox-limit")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=MAX_INBOX_LIMIT).contains(n))
        .unwrap_or(DEFAULT_INBOX_LIMIT)
}

fn exec(item: &mut Item) -> CmdResult {
    let message = text(item.arg_bytes(0))?.unwrap_or("");
    let group = text(item.value_bytes('g'))?;
    let target = text(item.value_bytes('t'))?;
    let from = match text(item.value_bytes('s'))? {
        Some(s) => Some(
            item.find_session(Some(s))
                .ok_or_else(|| CmdError(format!("can't find session: {}", shown(s))))?,
        ),
        None => item.own_session(),
    };
    let to = match (group, target) {
        (Some(_), Some(_)) => return Err("-g and -t can't be used together".into()),
        (None, None) => return Err("no receiver: give -t target-session or -g group".into()),
        (Some(g), None) => SendTo::Group(g),
        (None, Some(t)) => SendTo::Session(
            item.find_session(Some(t))
                .ok_or_else(|| CmdError(format!("can't find session: {}", shown(t))))?,
        ),
    };
    let from_name = from.map(session::display_name).unwrap_or_default();
    let outcome = server::apply(|r| {
        r.send(
            from,
            &from_name,
            to,
            message,
            crate::tmux::now(),
            inbox_limit,
        )
    })
    .map_err(fail)?;
    let dropped: usize = outcome.delivered.iter().map(|d| d.dropped.len()).sum();
    let mut line = match outcome.delivered.len() {
        1 => "delivered to 1 inbox".to_string(),
        n => format!("delivered to {n} inboxes"),
    };
    if dropped > 0 {
        line.push_str(&format!(
            " ({} dropped: inbox full)",
            plural(dropped, "older message")
        ));
    }
    item.print(&line);
    Ok(Flow::Done)
}
