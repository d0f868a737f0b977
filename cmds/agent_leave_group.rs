//! `agent-leave-group [-t target-session]` (alias `aleave`): take a session
//! out of its coordination group. If the coordinator leaves, the
//! longest-standing remaining member takes over; an empty group ceases to
//! exist, with its context.

use super::util::target;
use crate::server;
use crate::tmux::{self, session, CmdResult, CommandSpec, Flow, Item, Target};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-leave-group",
    alias: Some(c"aleave"),
    args: c"qt:",
    usage: c"[-q] [-t target-session]",
    target: Target::Session,
    confirms: true,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let id = target(item)?;
    let left = server::apply(|r| r.leave(id, tmux::now()))?;
    item.print(&format!(
        "Session '{}' left group '{}'",
        session::display_name(id),
        left.group
    ));
    item.print(&format!("Removed from {} peer(s)", left.removed_from));
    if let Some(c) = left.new_coordinator {
        item.print(&format!("New coordinator: {}", session::display_name(c)));
    }
    if left.dissolved {
        item.print(&format!(
            "Group '{}' dissolved (no members left)",
            left.group
        ));
    }
    session::refresh_status(id);
    Ok(Flow::Done)
}
