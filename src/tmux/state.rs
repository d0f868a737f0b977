//! The one agent registry of this server process: agents and groups, managed
//! layouts, and layout templates.
//!
//! tmux's server is single-threaded, so each lives in a thread-local cell.
//! Borrows are short and never held across calls back into tmux (which may
//! re-enter Rust, e.g. by destroying a session or a pane).

use std::cell::RefCell;

use agent_tmux::agent::layout::{Layouts, Templates};
use agent_tmux::agent::Registry;

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
    static LAYOUTS: RefCell<Layouts> = RefCell::new(Layouts::default());
    static TEMPLATES: RefCell<Templates> = RefCell::new(Templates::new());
}

/// Read the agent registry.
pub fn with<T>(f: impl FnOnce(&Registry) -> T) -> T {
    REGISTRY.with(|r| f(&r.borrow()))
}

/// Change the agent registry.
pub fn with_mut<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    REGISTRY.with(|r| f(&mut r.borrow_mut()))
}

/// Read the managed layouts.
pub fn layouts<T>(f: impl FnOnce(&Layouts) -> T) -> T {
    LAYOUTS.with(|l| f(&l.borrow()))
}

/// Change the managed layouts.
pub fn layouts_mut<T>(f: impl FnOnce(&mut Layouts) -> T) -> T {
    LAYOUTS.with(|l| f(&mut l.borrow_mut()))
}

/// Read the layout templates.
pub fn templates<T>(f: impl FnOnce(&Templates) -> T) -> T {
    TEMPLATES.with(|t| f(&t.borrow()))
}

/// Change the layout templates.
pub fn templates_mut<T>(f: impl FnOnce(&mut Templates) -> T) -> T {
    TEMPLATES.with(|t| f(&mut t.borrow_mut()))
}
