//! Delivery of what the domain reports back: every mutating domain call
//! returns events, and this module makes the server react to them (status
//! lines redrawn now; notifications and hooks in later work).

use agent_tmux::agent::layout::{ManagedId, Transition};
use agent_tmux::agent::Event;

use crate::tmux::{self, session, state};

/// A session died by any path: it leaves its group exactly as with
/// agent-leave-group and its metadata is dropped.
pub fn session_destroyed(id: u32) {
    let outcome = state::with_mut(|r| r.session_destroyed(id, tmux::now()));
    if let Some(outcome) = outcome {
        deliver(&outcome.events);
    }
    // Managed panes that never had a tmux pane go with their layout's session
    // (the others are removed one by one as their panes are destroyed).
    let transitions = state::layouts_mut(|l| l.session_destroyed(id));
    transitions.iter().for_each(pane_transition);
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

/// The settle time of managed panes, in seconds (`@agent-settle-time`).
pub fn settle_time() -> f64 {
    tmux::options::global("@agent-settle-time")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .unwrap_or(1.0)
}

/// Start the settle timer of managed pane `m`.
pub fn start_settle_timer(m: ManagedId) {
    tmux::timer::after(settle_time(), settle_fired, u64::from(m));
}

fn settle_fired(m: u64) {
    let t = state::layouts_mut(|l| l.settle(m as ManagedId));
    if let Some(t) = t {
        pane_transition(&t);
    }
}

/// The process of pane `%id` exited with `code`.
pub fn pane_exited(id: u32, code: i32) {
    let t = state::layouts_mut(|l| l.pane_exited(id, code));
    if let Some(t) = t {
        pane_transition(&t);
    }
}

/// Pane `%id` is being destroyed (any path).
pub fn pane_destroyed(id: u32) {
    let t = state::layouts_mut(|l| l.pane_destroyed(id));
    if let Some(t) = t {
        pane_transition(&t);
    }
}

/// React to a managed pane changing state: redraw what shows it.
pub fn pane_transition(t: &Transition) {
    if let Some(p) = t.tmux_pane {
        tmux::pane::redraw(p);
    }
    session::refresh_status(t.session);
}
