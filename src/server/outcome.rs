//! What a domain mutation returns, and what delivering it means: each
//! outcome type says which of its parts the server must react to. Outcomes
//! with no events (ids, `()`, messages read) deliver nothing.

use agent_tmux::agent::inbox::Message;
use agent_tmux::agent::layout::Transition;
use agent_tmux::agent::{
    JoinOutcome, LeaveOutcome, SendOutcome, SetAgentOutcome, ShareOutcome, UnshareOutcome,
};
use agent_tmux::ids::{LayoutId, ManagedId, SessionId};

use super::{events, wait};

/// The result of a domain mutation, delivered by [`super::apply`] or
/// [`super::apply_layouts`].
pub trait Outcome {
    /// Make the server react to what changed.
    fn deliver(&self);
}

macro_rules! with_events {
    ($($t:ty),*) => {$(
        impl Outcome for $t {
            fn deliver(&self) {
                events::deliver(&self.events);
            }
        }
    )*};
}

// A join's `left` has no events of its own (they are in the join's).
with_events!(JoinOutcome, LeaveOutcome, ShareOutcome, UnshareOutcome);

impl Outcome for SendOutcome {
    fn deliver(&self) {
        events::deliver(&self.events);
        // Inboxes that lost a message to the server-wide bound show it too.
        let mut others: Vec<SessionId> = self.server_dropped.iter().map(|&(s, _)| s).collect();
        others.sort_unstable();
        others.dedup();
        others
            .into_iter()
            .for_each(crate::tmux::session::refresh_status);
    }
}

macro_rules! quiet {
    ($($t:ty),*) => {$(
        impl Outcome for $t {
            fn deliver(&self) {}
        }
    )*};
}

// A layout or managed-pane id that a mutation returns; `bool`: whether a
// layout was discarded (no events by design).
quiet!((), LayoutId, ManagedId, bool, SetAgentOutcome, Message);

// An index into what a mutation was given (a restored pane's saved place).
quiet!(usize);

// Restored agents and groups: agent-restore refreshes their status lines.
quiet!(agent_tmux::agent::Restored);

impl Outcome for Transition {
    fn deliver(&self) {
        events::pane_transition(self);
    }
}

impl<T: Outcome> Outcome for Option<T> {
    fn deliver(&self) {
        if let Some(t) = self {
            t.deliver();
        }
    }
}

impl<T: Outcome> Outcome for Vec<T> {
    fn deliver(&self) {
        self.iter().for_each(Outcome::deliver);
    }
}

impl<A: Outcome, B: Outcome> Outcome for (A, B) {
    fn deliver(&self) {
        self.0.deliver();
        self.1.deliver();
    }
}

impl<T: Outcome, E> Outcome for Result<T, E> {
    fn deliver(&self) {
        if let Ok(t) = self {
            t.deliver();
        }
    }
}

/// A session's agent metadata was dropped (`set-agent -u`): it left its
/// group (if it was in one) and whoever waited on it fails.
#[derive(Debug)]
pub struct AgentUnset {
    pub session: SessionId,
    pub left: Option<LeaveOutcome>,
}

impl Outcome for AgentUnset {
    fn deliver(&self) {
        self.left.deliver();
        let waiters = wait::with_set(|w| w.take_session(self.session));
        wait::fail(&waiters, "agent-wait: session is no longer an agent");
    }
}
