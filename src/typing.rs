//! When a human last typed into each pane: keys from a client's terminal
//! (recorded by the `window_pane_key` wrap), never keys sent by commands. It
//! is what `agent-prompt`'s typing guard asks before it pastes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

thread_local! {
    static LAST: RefCell<HashMap<u32, Instant>> = RefCell::new(HashMap::new());
}

/// A human typed a key into pane `%id`.
pub fn human_key(id: u32) {
    LAST.with(|l| l.borrow_mut().insert(id, Instant::now()));
}

/// How long ago a human last typed into pane `%id`, if ever.
pub fn since_human_key(id: u32) -> Option<Duration> {
    LAST.with(|l| l.borrow().get(&id).map(Instant::elapsed))
}

/// Pane `%id` is gone.
pub fn pane_destroyed(id: u32) {
    LAST.with(|l| l.borrow_mut().remove(&id));
}
