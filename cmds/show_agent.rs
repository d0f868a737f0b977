//! `show-agent [-t target-session]`: what agent-tmux knows about a session.

use crate::tmux::{self, session, state, CmdResult, CommandSpec, Flow, Item, Target, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"show-agent",
    alias: None,
    args: c"t:",
    lower: 0,
    upper: 0,
    usage: c"[-t target-session]",
    target: Target::Session,
    flags: READONLY,
    wraps_upstream: false,
    exec,
};

fn exec(item: &mut Item) -> CmdResult {
    let id = item.target_session().ok_or("no target session")?;
    let name = session::display_name(id);
    let lines = state::with(|r| {
        let agent = r.agent(id)?;
        let now = tmux::now();
        let mut lines = vec![
            format!("Session: {name}"),
            format!("Agent Type: {}", agent.agent_type),
            format!("Goal: {}", agent.goal),
            format!(
                "Created: {} ({} seconds ago)",
                tmux::local_time(agent.created),
                (now - agent.created).max(0)
            ),
        ];
        match (&agent.group, r.role(id)) {
            (Some(g), Some(role)) => {
                lines.push(format!("Group: {g}"));
                lines.push(format!("Role: {role}"));
                lines.push(format!("Peers: {}", r.peer_count(id)));
            }
            _ => {
                lines.push("Group: (none)".to_string());
                lines.push("Role: (none)".to_string());
                lines.push("Peers: 0".to_string());
            }
        }
        Some(lines)
    });
    let lines = lines.ok_or_else(|| format!("session '{name}' has no agent metadata"))?;
    for l in lines {
        item.print(&l);
    }
    Ok(Flow::Done)
}
