//! Delivery of what the domain reports back: every mutating domain call
//! returns events, and this module makes the server react to them (status
//! lines redrawn now; notifications and hooks in later work).

use agent_tmux::agent::Event;

use crate::tmux::{self, session, state};

/// A session died by any path: it leaves its group exactly as with
/// agent-leave-group and its metadata is dropped.
pub fn session_destroyed(id: u32) {
    let outcome = state::with_mut(|r| r.session_destroyed(id, tmux::now()));
    if let Some(outcome) = outcome {
        deliver(&outcome.events);
    }
}

/// React to domain events.
pub fn deliver(events: &[Event]) {
    for event in events {
        let group = match event {
            Event::GroupChanged {
                session: s, group, ..
            } => {
                session::refresh_status(*s);
                group
            }
            Event::ContextChanged { group, .. } => group,
        };
        let members: Vec<u32> = state::with(|r| {
            r.group(group)
                .map(|g| g.members().collect())
                .unwrap_or_default()
        });
        for m in members {
            session::refresh_status(m);
        }
    }
}
