//! The one agent registry of this server process.
//!
//! tmux's server is single-threaded, so the registry lives in a thread-local
//! cell. Borrows are short and never held across calls back into tmux (which
//! may re-enter Rust, e.g. by destroying a session).

use std::cell::RefCell;

use agent_tmux::agent::Registry;

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
}

/// Read the registry.
pub fn with<T>(f: impl FnOnce(&Registry) -> T) -> T {
    REGISTRY.with(|r| f(&r.borrow()))
}

/// Change the registry.
pub fn with_mut<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    REGISTRY.with(|r| f(&mut r.borrow_mut()))
}
