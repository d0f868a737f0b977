//! `agent-join-group [-t target-session] [-g group-name | group-name]`
//! (alias `ajoin`): put a session in a coordination group. A session is in at
//! most one group, so joining another leaves the current one first; a plain
//! session becomes an agent of type `custom`.

use super::util::{target, text};
use crate::server;
use crate::tmux::{self, session, CmdError, CmdResult, CommandSpec, Flow, Item, Target};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-join-group",
    alias: Some(c"ajoin"),
    args: c"g:qt:",
    upper: 1,
    usage: c"[-q] [-t target-session] [-g group-name | group-name]",
    target: Target::Session,
    confirms: true,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let id = target(item)?;
    let group = match (text(item.value_bytes('g'))?, text(item.arg_bytes(0))?) {
        (Some(_), Some(_)) => {
            return Err(CmdError::Usage(
                "give the group name once: -g group-name or group-name",
            ))
        }
        (Some(g), None) | (None, Some(g)) => g,
        (None, None) => return Err(CmdError::Usage("no group name given")),
    };
    let outcome = server::apply(|r| r.join(id, group, tmux::now()))?;
    let name = session::display_name(id);
    if outcome.already_member {
        item.print(&format!(
            "Session '{name}' is already in group '{}'",
            outcome.group
        ));
        return Ok(Flow::Done);
    }
    if let Some(left) = &outcome.left {
        item.print(&format!("Session '{name}' left group '{}'", left.group));
        item.print(&format!("Removed from {} peer(s)", left.removed_from));
        if let Some(c) = left.new_coordinator {
            item.print(&format!(
                "New coordinator of '{}': {}",
                left.group,
                session::display_name(c)
            ));
        }
    }
    if outcome.became_agent {
        item.print(&format!("Session '{name}' is now an agent (type custom)"));
    }
    item.print(&format!(
        "Session '{name}' joined group '{}'",
        outcome.group
    ));
    if outcome.coordinator {
        item.print("First session in group (coordinator)");
    } else {
        item.print(&format!("Discovered {} peer(s)", outcome.peers.len()));
        for p in &outcome.peers {
            item.print(&format!("  - {}", session::display_name(*p)));
        }
    }
    Ok(Flow::Done)
}
