//! The `#{agent_*}` formats, answered from the registry for the session (and
//! pane) of the format tree being expanded. Reached from tmux's format_find
//! through vendor patch 0002 and the handler table; `None` lets tmux go on
//! with its own lookup.

use agent_tmux::ids::{PaneId, SessionId};

use super::{activity, state, wait};
use crate::tmux;

/// The session-level formats: empty for a session that is not an agent.
const SESSION_KEYS: &[&str] = &[
    "agent_type",
    "agent_goal",
    "agent_group",
    "agent_role",
    "agent_is_coordinator",
    "agent_peers",
    "agent_created",
    "agent_status",
    "agent_is_agent",
    "agent_unread",
    "agent_dropped",
];

/// Value of format `key` for session `$session` / pane `%pane`.
pub(super) fn lookup(
    key: &str,
    session: Option<SessionId>,
    pane: Option<PaneId>,
) -> Option<String> {
    match key {
        "agent_tmux_version" => return Some(tmux::AGENT_TMUX_VERSION.to_string()),
        "agent_upstream_version" => return Some(tmux::UPSTREAM_VERSION.to_string()),
        "agent_waiters" => return Some(wait::count().to_string()),
        _ => {}
    }
    if let Some(v) = super::prompt::format(key, pane) {
        return v;
    }
    if let Some(v) = agent_state_format(key, session, pane) {
        return v;
    }
    if key == "agent_pane_status" {
        return Some(activity::status(pane?).to_string());
    }
    if key.starts_with("agent_pane_") {
        return pane_format(key, pane?);
    }
    if key.starts_with("agent_layout_") {
        return layout_format(key, session?);
    }
    let id = session?;
    state::with(|r| {
        let agent = r.agent(id);
        if agent.is_none() && SESSION_KEYS.contains(&key) {
            // Not an agent: empty, as plain tmux shows an unknown format, so
            // a status line reads the same on both (#{?agent_unread,...}).
            return Some(String::new());
        }
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
            "agent_status" => activity::session_status(id)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            "agent_is_agent" => (if agent.is_some() { "1" } else { "0" }).to_string(),
            "agent_unread" => agent.map_or(0, |a| a.inbox.unread_count()).to_string(),
            "agent_dropped" => agent.map_or(0, |a| a.inbox.dropped()).to_string(),
            _ => return None,
        };
        Some(value)
    })
}

/// `#{agent_pane_*}` of a managed pane; `None` (fall through to tmux, then to
/// keys a command added) for panes that are not managed.
fn pane_format(key: &str, pane: PaneId) -> Option<String> {
    state::layouts(|l| {
        let p = l.by_tmux_pane(pane)?;
        Some(match key {
            "agent_pane_label" => p.label.clone(),
            "agent_pane_role" => p.role.clone(),
            "agent_pane_state" => p.state.to_string(),
            "agent_pane_stage" => p.stage.map(|s| s.to_string()).unwrap_or_default(),
            "agent_pane_exit_status" => p.exit_status.map(|s| s.to_string()).unwrap_or_default(),
            "agent_pane_id" => p.id.to_string(),
            "agent_pane_layout" => p.layout.to_string(),
            "agent_pane_tmux_id" => pane.to_string(),
            "agent_pane_predecessor" => p.predecessor.map(|m| m.to_string()).unwrap_or_default(),
            "agent_pane_depth" => p.depth.to_string(),
            "agent_pane_created" => p.created.to_string(),
            // A pane found by its tmux pane is the layout's: not released.
            "agent_pane_released" => "0".to_string(),
            "agent_pane_worktree" => p
                .worktree
                .as_ref()
                .map(|w| w.path.clone())
                .unwrap_or_default(),
            "agent_pane_branch" => p
                .worktree
                .as_ref()
                .map(|w| w.branch.clone())
                .unwrap_or_default(),
            _ => return None,
        })
    })
}

/// `#{agent_layout_id}`, `#{agent_layout_state}`, `#{agent_layout_template}`
/// of the session's live layout.
fn layout_format(key: &str, session: SessionId) -> Option<String> {
    state::layouts(|l| {
        let id = l.layout_of_session(session)?;
        let lay = l.layout(id)?;
        Some(match key {
            "agent_layout_id" => id.to_string(),
            "agent_layout_state" => l.state(id).to_string(),
            "agent_layout_template" => lay.template.clone(),
            "agent_layout_group" => lay.group.clone(),
            _ => return None,
        })
    })
}

/// The agent state formats (issue 13): `Some(None)` lets tmux go on (no
/// pane or session to answer for), `None` is not one of them. A plain
/// program's pane, and a session with no agent pane, read empty.
fn agent_state_format(
    key: &str,
    session: Option<SessionId>,
    pane: Option<PaneId>,
) -> Option<Option<String>> {
    use super::agent_state::{info, session_state, waiting_count};
    let field = |i: Option<super::agent_state::Info>, f: &str| -> String {
        let Some(i) = i else {
            return String::new();
        };
        match f {
            "state" => i.state.to_string(),
            "reason" => i.reason,
            "since" => i.since.to_string(),
            "source" => i.source.to_string(),
            "profile" => i.profile.unwrap_or_default(),
            "conversation" => i.conversation_id.unwrap_or_default(),
            _ => String::new(),
        }
    };
    let pane_field = |f: &str| pane.map(|p| field(info(p), f));
    let session_field = |f: &str| session.map(|s| field(session_state(s), f));
    Some(match key {
        "agent_waiting_count" => Some(waiting_count().to_string()),
        "agent_state" => pane_field("state"),
        "agent_state_reason" => pane_field("reason"),
        "agent_state_since" => pane_field("since"),
        "agent_state_source" => pane_field("source"),
        "agent_profile" => pane_field("profile"),
        "agent_conversation_id" => pane_field("conversation"),
        "agent_session_state" => session_field("state"),
        "agent_session_state_reason" => session_field("reason"),
        "agent_session_state_since" => session_field("since"),
        _ => return None,
    })
}
