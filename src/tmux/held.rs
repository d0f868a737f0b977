//! Commands held queued: an exec that returns `Flow::Wait` leaves its
//! `cmdq_item` on its client's queue, which blocks the client, never the
//! server. This keeps the raw pointers of held items, each under a number,
//! until whoever holds it resumes it (printing a line, or an error, or
//! nothing), which lets the queue finish it on the next server loop. The
//! policy of who waits for what lives above (`agent-wait`, `agent-prompt`).

use std::cell::RefCell;
use std::collections::HashMap;

use super::item::{c_string, Item};
use super::sys;

#[derive(Default)]
struct Held {
    items: HashMap<u64, usize>,
    next: u64,
}

thread_local! {
    static HELD: RefCell<Held> = RefCell::new(Held::default());
}

/// Hold `item`: its exec must then return [`Flow::Wait`]. The number, never
/// 0 and never reused, names it until [`resume`].
pub fn hold(item: &Item) -> u64 {
    HELD.with(|h| {
        let mut h = h.borrow_mut();
        h.next += 1;
        let id = h.next;
        h.items.insert(id, item.raw() as usize);
        id
    })
}

/// How a held command goes on.
#[derive(Debug, Clone, Copy)]
pub enum Resume<'a> {
    /// Without output.
    Silent,
    /// Printing a line (or several).
    Print(&'a str),
    /// With an error (non-zero exit for its client).
    Error(&'a str),
}

/// Let held command `id` go on; false if it is not held (any more).
pub fn resume(id: u64, how: Resume<'_>) -> bool {
    let Some(item) = HELD.with(|h| h.borrow_mut().items.remove(&id)) else {
        return false;
    };
    let item = item as *mut sys::cmdq_item;
    let line = match how {
        Resume::Silent => None,
        Resume::Print(t) | Resume::Error(t) => Some(c_string(t)),
    };
    // SAFETY: the item is still queued (waiting) and owned by its queue;
    // continuing it lets the queue finish it on the next server loop.
    unsafe {
        match (how, &line) {
            (Resume::Print(_), Some(l)) => sys::cmdq_print(item, c"%s".as_ptr(), l.as_ptr()),
            (Resume::Error(_), Some(l)) => sys::cmdq_error(item, c"%s".as_ptr(), l.as_ptr()),
            _ => {}
        }
        sys::cmdq_continue(item);
    }
    true
}
