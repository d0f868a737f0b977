//! `show-agent [-t target-session]`: a session's agent type, goal, created
//! time, group, role, peer count, inbox counts and agent state (the
//! aggregate of its agent panes).

use super::util::{target, when};
use crate::server::{agent_state, state};
use crate::tmux::{session, CmdResult, CommandSpec, Flow, Item, Target, READONLY};
use agent_tmux::agent::AgentError;

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"show-agent",
    args: c"t:",
    usage: c"[-t target-session]",
    target: Target::Session,
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let id = target(item)?;
    let lines = state::with(|r| {
        let agent = r.agent(id).ok_or(AgentError::NoMetadata(id))?;
        let mut lines = vec![
            format!("Session: {}", session::display_name(id)),
            format!("Agent Type: {}", agent.agent_type),
            format!("Goal: {}", agent.goal),
            format!("Created: {}", when(agent.created)),
        ];
        match (&agent.group, r.role(id)) {
            (Some(g), Some(role)) => {
                lines.push(format!("Group: {g}"));
                lines.push(format!("Role: {role}"));
            }
            _ => {
                lines.push("Group: (none)".to_string());
                lines.push("Role: (none)".to_string());
            }
        }
        lines.push(format!("Peers: {}", r.peer_count(id)));
        lines.push(format!(
            "Inbox: {} unread, {} dropped",
            agent.inbox.unread_count(),
            agent.inbox.dropped()
        ));
        Ok::<_, AgentError>(lines)
    });
    let mut lines = lines?;
    lines.push(match agent_state::session_state(id) {
        Some(i) => format!("State: {} ({})", i.state, i.reason),
        None => "State: (no agent pane)".to_string(),
    });
    super::util::print_lines(item, &lines);
    Ok(Flow::Done)
}
