//! Commands held queued: an exec that returns `Flow::Wait` leaves its
//! `cmdq_item` on its client's queue, which blocks the client, never the
//! server. This keeps the raw pointers of held items, each under a number,
//! until whoever holds it resumes it (printing a line, or an error, or
//! nothing), which lets the queue finish it on the next server loop. The
//! policy of who waits for what lives above (`agent-wait`, `agent-prompt`).
//!
//! In control mode a held command's block is not written until it is
//! resumed (its entry has [`super::WAITS`], vendor patch 0012): resuming
//! writes `%begin`, the output, then `%end` or `%error`, all at once, with
//! the item's own time and number, so late output is framed like any other
//! and no notification written meanwhile lands inside the block. Nothing is
//! written to a client that is gone.

use std::cell::RefCell;
use std::collections::HashMap;

use super::item::{output_line, Item};
use super::sys;

#[derive(Default)]
struct Held {
    /// The item's address, and whether its guard waits for the resume.
    items: HashMap<u64, (usize, bool)>,
    /// The command of each held item (the item's command list keeps it).
    cmds: HashMap<u64, usize>,
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
        // SAFETY: the command being executed has an entry.
        let flags = unsafe { (*sys::cmd_get_entry(item.cmd)).flags };
        let deferred = flags & super::WAITS != 0;
        h.items.insert(id, (item.raw() as usize, deferred));
        h.cmds.insert(id, item.cmd as usize);
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
    let Some(item) = HELD.with(|h| {
        let mut h = h.borrow_mut();
        h.cmds.remove(&id);
        h.items.remove(&id)
    }) else {
        return false;
    };
    let (item, deferred) = item;
    let item = item as *mut sys::cmdq_item;
    // SAFETY: the item is still queued (waiting) and owned by its queue, and
    // holds a reference to its client, so both are valid here.
    let gone = unsafe {
        let c = sys::cmdq_get_client(item);
        c.is_null() || (*c).flags & sys::CLIENT_DEAD as u64 != 0
    };
    if !gone {
        let line = match how {
            Resume::Silent => None,
            Resume::Print(t) | Resume::Error(t) => Some(output_line(item, t)),
        };
        // SAFETY: fixed "%s" formats with valid strings; the guards are
        // printed only for a control client, with the item's own time,
        // number and flags.
        unsafe {
            match (how, &line) {
                (Resume::Print(_), Some(l)) => sys::cmdq_print(item, c"%s".as_ptr(), l.as_ptr()),
                (Resume::Error(_), Some(l)) => sys::cmdq_error(item, c"%s".as_ptr(), l.as_ptr()),
                _ => {}
            }
            if deferred {
                let error = i32::from(matches!(how, Resume::Error(_)));
                sys::cmdq_guard_finish(item, error);
            }
        }
    }
    // SAFETY: continuing the waiting item lets its queue finish it on the
    // next server loop.
    unsafe { sys::cmdq_continue(item) };
    true
}

/// Run `f` with held command `id` as an [`Item`] again (its arguments,
/// target and client as when it was held), if it is still held and its
/// client is not gone. What `f` prints opens the command's output block at
/// once: print at [`resume`] instead where that matters.
/// `None` if it is not held, or its client is gone (a held command with no
/// client, from a configuration file, still runs).
pub fn with_item<T>(id: u64, f: impl FnOnce(&mut Item) -> T) -> Option<T> {
    let (item, cmd) = HELD.with(|h| {
        let h = h.borrow();
        Some((h.items.get(&id)?.0, *h.cmds.get(&id)?))
    })?;
    let item = item as *mut sys::cmdq_item;
    // SAFETY: a held item is still queued (waiting) and holds its client
    // and command list, so the item, its command and client are valid.
    let gone = unsafe {
        let c = sys::cmdq_get_client(item);
        !c.is_null() && (*c).flags & sys::CLIENT_DEAD as u64 != 0
    };
    if gone {
        return None;
    }
    let mut item = Item::new(cmd as *mut sys::cmd, item, None);
    Some(f(&mut item))
}
