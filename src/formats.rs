//! The `#{agent_*}` formats, answered from the registry for the session (and
//! pane) of the format tree being expanded. Reached from tmux's format_find
//! through vendor patch 0002; `None` lets tmux go on with its own lookup.

use crate::tmux::{self, state};

/// Value of format `key` for session `$session` / pane `%pane`.
pub fn lookup(key: &str, session: Option<u32>, _pane: Option<u32>) -> Option<String> {
    match key {
        "agent_tmux_version" => return Some(tmux::AGENT_TMUX_VERSION.to_string()),
        "agent_upstream_version" => return Some(tmux::UPSTREAM_VERSION.to_string()),
        _ => {}
    }
    let id = session?;
    state::with(|r| {
        let agent = r.agent(id);
        let value = match key {
            "agent_type" => agent.map(|a| a.agent_type.clone()).unwrap_or_default(),
            "agent_goal" => agent.map(|a| a.goal.clone()).unwrap_or_default(),
            "agent_group" => agent.and_then(|a| a.group.clone()).unwrap_or_default(),
            "agent_role" => r.role(id).map(|x| x.to_string()).unwrap_or_default(),
            "agent_is_coordinator" => {
                let c = r
                    .role(id)
                    .is_some_and(|x| x == agent_tmux::agent::Role::Coordinator);
                (if c { "1" } else { "0" }).to_string()
            }
            "agent_peers" => r.peer_count(id).to_string(),
            "agent_created" => agent.map(|a| a.created.to_string()).unwrap_or_default(),
            "agent_is_agent" => (if agent.is_some() { "1" } else { "0" }).to_string(),
            _ => return None,
        };
        Some(value)
    })
}
