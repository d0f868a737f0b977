//! What a capture looks up beyond the agents, groups and layouts it
//! compares ([`super::capture`]): each plain agent session's launch command
//! and conversation (from its agent pane), and the user agent profiles.
//!
//! A session's agent pane is its first pane with a known conversation id,
//! else its first pane; its launch command is that pane's start command
//! (`#{pane_start_command}`). Layout sessions are left out: their panes are
//! saved with the layout.

use agent_tmux::agent::saved::{self, Names, SavedProfile};
use agent_tmux::ids::{PaneId, SessionId};

use super::super::{agent_state, state};
use crate::tmux::{options, pane, session};

/// Fill in the launch commands and conversations of the agent sessions
/// `names` has looked up (those the capture sends); the user profiles.
pub(super) fn more(names: &mut Names) -> Vec<SavedProfile> {
    launch_commands(names);
    // Never the first to build the built-in profiles (their patterns take
    // a while to compile): with none defined there are no user profiles.
    if !state::profiles_changed() {
        return Vec::new();
    }
    state::profiles(saved::save_profiles)
}

/// A pane's conversation id without starting to track it: what its hooks
/// reported, else the `@agent-conversation-id` pane option.
fn conversation(p: PaneId) -> Option<String> {
    agent_state::reported_conversation(p)
        .filter(|c| !c.is_empty())
        .or_else(|| options::pane(p, "@agent-conversation-id").filter(|c| !c.is_empty()))
}

fn launch_commands(names: &mut Names) {
    let agents: Vec<SessionId> = state::with(|r| {
        names
            .sessions
            .keys()
            .copied()
            .filter(|&id| r.agent(id).is_some())
            .collect()
    });
    for id in agents {
        if state::layouts(|l| l.layout_of_session(id).is_some()) {
            continue;
        }
        let panes = session::panes(id);
        let found = panes.iter().find_map(|&p| conversation(p).map(|c| (p, c)));
        let Some(agent_pane) = found.as_ref().map(|f| f.0).or(panes.first().copied()) else {
            continue;
        };
        let argv = pane::start_argv(agent_pane);
        if !argv.is_empty() {
            names.session_commands.insert(id, saved::shell_join(&argv));
        }
        if let Some((_, c)) = found {
            names.session_conversations.insert(id, c);
        }
    }
}
