//! `set-agent [-u] [-t target-session] [-G agent-type] [-o goal]`: make an
//! existing session agent-aware, change its type or goal, or with `-u` remove
//! its agent metadata (leaving its group first). Silent on success, like
//! set-option, except that leaving a group says so.

use super::util::{target, text};
use crate::server;
use crate::server::state;
use crate::tmux::{self, session, CmdError, CmdResult, CommandSpec, Flow, Item, Target};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"set-agent",
    args: c"G:o:qt:u",
    usage: c"[-qu] [-t target-session] [-G agent-type] [-o goal]",
    target: Target::Session,
    confirms: true,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let id = target(item)?;
    let agent_type = text(item.value_bytes('G'))?;
    let goal = text(item.value_bytes('o'))?;
    if item.has('u') {
        if agent_type.is_some() || goal.is_some() {
            return Err(CmdError::Usage("-u cannot be combined with -G or -o"));
        }
        let unread = state::with(|r| r.inbox(id).map(|i| i.unread_count()).unwrap_or(0));
        let unset = server::apply(|r| server::unset_agent(r, id, tmux::now()))?;
        if unread > 0 {
            item.print(&format!(
                "Dropped {unread} unread message{}",
                if unread == 1 { "" } else { "s" }
            ));
        }
        if let Some(left) = &unset.left {
            item.print(&format!(
                "Session '{}' left group '{}'",
                session::display_name(id),
                left.group
            ));
        }
        session::refresh_status(id);
        return Ok(Flow::Done);
    }
    server::apply(|r| r.set_agent(id, agent_type, goal, tmux::now()))?;
    session::refresh_status(id);
    Ok(Flow::Done)
}
