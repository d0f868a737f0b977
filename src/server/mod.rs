//! The stateful, safe layer of the server, between the commands and the
//! two layers below it: the domain (`agent_tmux::agent`, plain Rust) and the
//! facade over tmux ([`crate::tmux`]). It holds all agent state of the
//! process ([`state`]) and makes the server react to what changes it:
//! domain events ([`events`]), pane activity ([`activity`]), human typing
//! ([`typing`]), the prompt queues ([`prompt`]), waiters ([`wait`]) and the
//! `#{agent_*}` formats ([`formats`]).
//!
//! Commands change the registry and the layouts only through [`apply`] and
//! [`apply_layouts`], which deliver the outcome's events (notifications,
//! hooks, waiters, status lines) as part of the change, so none can be
//! forgotten. The facade calls up only through [`HANDLERS`], which
//! `main` hands to [`crate::tmux::run`].

pub mod activity;
pub mod agent_state;
pub mod background;
pub mod events;
pub mod formats;
pub mod hooks_install;
mod outcome;
pub mod prompt;
pub mod state;
pub mod store;
pub mod typing;
pub mod wait;
pub mod worktree;

use agent_tmux::agent::layout::Layouts;
use agent_tmux::agent::{AgentError, Registry};
use agent_tmux::ids::SessionId;

pub use outcome::{AgentUnset, Outcome};

/// What tmux's entry points call in this layer.
pub static HANDLERS: crate::tmux::Handlers = crate::tmux::Handlers {
    session_destroyed: events::session_destroyed,
    pane_exited: events::pane_exited,
    pane_destroyed: events::pane_destroyed,
    window_changed: events::window_changed,
    pane_respawned: events::pane_respawned,
    pane_output: events::pane_output,
    human_key: typing::human_key,
    session_renamed: events::session_renamed,
    client_lost,
    format: formats::lookup,
    config_done: store::start,
    server_exiting: store::exiting,
    server_exited: store::exited,
};

/// A client went away: nothing waits for it any more.
fn client_lost(client: u64) {
    wait::client_lost(client);
    prompt::client_lost(client);
}

/// Change the agent registry with `f` and deliver what its outcome reports
/// (nothing for an error). The one way commands mutate the registry.
pub fn apply<T: Outcome>(f: impl FnOnce(&mut Registry) -> T) -> T {
    let out = state::with_mut(f);
    out.deliver();
    out
}

/// Change the managed layouts with `f` and deliver its transitions. The one
/// way commands mutate the layouts.
pub fn apply_layouts<T: Outcome>(f: impl FnOnce(&mut Layouts) -> T) -> T {
    let out = state::layouts_mut(f);
    out.deliver();
    out
}

/// `set-agent -u` in the domain: drop `id`'s agent metadata (leaving its
/// group first). Delivered through [`apply`], its waiters fail after the
/// group's events.
pub fn unset_agent(r: &mut Registry, id: SessionId, now: i64) -> Result<AgentUnset, AgentError> {
    r.unset_agent(id, now)
        .map(|left| AgentUnset { session: id, left })
}
