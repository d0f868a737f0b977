//! When a human last typed into each pane: keys from a client's terminal
//! (reported by the facade's `window_pane_key` wrap), never keys sent by
//! commands. It is what `agent-prompt`'s typing guard asks before it pastes.

use std::time::{Duration, Instant};

use agent_tmux::ids::PaneId;

use super::state;

/// A human typed a key into pane `%id`.
pub(super) fn human_key(id: PaneId) {
    state::typed(|t| t.insert(id, Instant::now()));
}

/// How long ago a human last typed into pane `%id`, if ever.
pub fn since_human_key(id: PaneId) -> Option<Duration> {
    state::typed(|t| t.get(&id).map(Instant::elapsed))
}

/// Pane `%id` is gone.
pub(super) fn pane_destroyed(id: PaneId) {
    state::typed(|t| t.remove(&id));
}
