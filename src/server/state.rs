//! All agent state of this server process, in one place: the registry of
//! agents and groups, managed layouts, layout templates, pane activity, when
//! humans last typed, the prompt queues and the waiters.
//!
//! tmux's server is single-threaded, so each lives in a thread-local cell.
//! Borrows are short and never held across calls back into tmux (which may
//! re-enter Rust, e.g. by destroying a session or a pane). Commands read
//! through [`with`], [`layouts`] and [`templates`]; they change the registry
//! and layouts only through [`crate::server::apply`] and
//! [`crate::server::apply_layouts`], which deliver what changed. Each of
//! the four mutators (registry, layouts, templates, profiles) tells the
//! persistent store what changed ([`super::store`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Instant;

use agent_tmux::agent::activity::Activity;
use agent_tmux::agent::layout::{Layouts, Templates};
use agent_tmux::agent::prompt::Receipts;
use agent_tmux::agent::wait::WaitSet;
use agent_tmux::agent::Registry;
use agent_tmux::ids::PaneId;

use super::agent_state::AgentPanes;
use super::prompt::Waiters;
use crate::tmux::timer::Timer;
use agent_tmux::agent::state::Profiles;

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
    static LAYOUTS: RefCell<Layouts> = RefCell::new(Layouts::default());
    static TEMPLATES: RefCell<Templates> = RefCell::new(Templates::new());
    /// Busy/idle state per pane (`%id`).
    static ACTIVITY: RefCell<HashMap<PaneId, Activity>> = RefCell::new(HashMap::new());
    /// The time origin of activity's millisecond clock.
    static EPOCH: Instant = Instant::now();
    /// When a human last typed into each pane.
    static TYPED: RefCell<HashMap<PaneId, Instant>> = RefCell::new(HashMap::new());
    /// Prompt deliveries (`agent-prompt`): the queues and the receipts.
    static RECEIPTS: RefCell<Receipts> = RefCell::new(Receipts::default());
    /// Clients waiting for receipts.
    static RECEIPT_WAITERS: RefCell<Waiters> = RefCell::new(Waiters::new());
    /// Who waits for what; each waiter is a held command item.
    static WAITERS: RefCell<WaitSet> = RefCell::new(WaitSet::default());
    /// The `-T` timer of each waiter that has one (dropped: cancelled).
    static WAIT_TIMERS: RefCell<HashMap<u64, Timer>> = RefCell::new(HashMap::new());
    /// The agent state of agent panes (issue 13).
    static AGENT_PANES: RefCell<AgentPanes> = RefCell::new(AgentPanes::default());
    /// Agent profiles, built-in and user-defined.
    static PROFILES: RefCell<Profiles> = RefCell::new(Profiles::default());
    /// Whether the profiles were ever changed (until then there are no user
    /// profiles, and reading them need not compile the built-in ones).
    static PROFILES_CHANGED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Read the agent registry.
pub fn with<T>(f: impl FnOnce(&Registry) -> T) -> T {
    REGISTRY.with(|r| f(&r.borrow()))
}

/// Change the agent registry (see [`crate::server::apply`]).
pub(super) fn with_mut<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    let (out, changes) = REGISTRY.with(|r| {
        let mut r = r.borrow_mut();
        let out = f(&mut r);
        (out, r.take_changes())
    });
    super::store::registry_changed(changes);
    out
}

/// Read the managed layouts.
pub fn layouts<T>(f: impl FnOnce(&Layouts) -> T) -> T {
    LAYOUTS.with(|l| f(&l.borrow()))
}

/// Change the managed layouts (see [`crate::server::apply_layouts`]).
pub(super) fn layouts_mut<T>(f: impl FnOnce(&mut Layouts) -> T) -> T {
    let out = LAYOUTS.with(|l| f(&mut l.borrow_mut()));
    super::store::layouts_changed();
    out
}

/// Read the layout templates.
pub fn templates<T>(f: impl FnOnce(&Templates) -> T) -> T {
    TEMPLATES.with(|t| f(&t.borrow()))
}

/// Change the layout templates (they have no events).
pub fn templates_mut<T>(f: impl FnOnce(&mut Templates) -> T) -> T {
    let out = TEMPLATES.with(|t| f(&mut t.borrow_mut()));
    super::store::templates_changed();
    out
}

/// Use the activity of every pane.
pub(super) fn activity<T>(f: impl FnOnce(&mut HashMap<PaneId, Activity>) -> T) -> T {
    ACTIVITY.with(|a| f(&mut a.borrow_mut()))
}

/// Milliseconds since the server's activity clock started.
pub fn now_ms() -> u64 {
    EPOCH.with(|e| e.elapsed().as_millis() as u64)
}

/// Use the last human key time of every pane.
pub(super) fn typed<T>(f: impl FnOnce(&mut HashMap<PaneId, Instant>) -> T) -> T {
    TYPED.with(|t| f(&mut t.borrow_mut()))
}

/// Use the prompt deliveries.
pub(super) fn receipts<T>(f: impl FnOnce(&mut Receipts) -> T) -> T {
    RECEIPTS.with(|p| f(&mut p.borrow_mut()))
}

/// Use the receipt waiters.
pub(super) fn receipt_waiters<T>(f: impl FnOnce(&mut Waiters) -> T) -> T {
    RECEIPT_WAITERS.with(|w| f(&mut w.borrow_mut()))
}

/// Use the wait set.
pub(super) fn waiters<T>(f: impl FnOnce(&mut WaitSet) -> T) -> T {
    WAITERS.with(|w| f(&mut w.borrow_mut()))
}

/// Use the waiters' timers.
pub(super) fn wait_timers<T>(f: impl FnOnce(&mut HashMap<u64, Timer>) -> T) -> T {
    WAIT_TIMERS.with(|t| f(&mut t.borrow_mut()))
}

/// Use the agent state of every agent pane.
pub(super) fn agent_panes<T>(f: impl FnOnce(&mut AgentPanes) -> T) -> T {
    AGENT_PANES.with(|a| f(&mut a.borrow_mut()))
}

/// Read the agent profiles.
pub fn profiles<T>(f: impl FnOnce(&Profiles) -> T) -> T {
    PROFILES.with(|p| f(&p.borrow()))
}

/// Change the agent profiles (they have no events).
pub fn profiles_mut<T>(f: impl FnOnce(&mut Profiles) -> T) -> T {
    PROFILES_CHANGED.with(|c| c.set(true));
    let out = PROFILES.with(|p| f(&mut p.borrow_mut()));
    super::store::changed();
    out
}

/// Could there be user profiles (were the profiles ever changed)? A cheap
/// check: [`profiles`] first builds the built-in ones.
pub fn profiles_changed() -> bool {
    PROFILES_CHANGED.with(|c| c.get())
}
