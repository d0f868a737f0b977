//! Blocking a client, never the server: `agent-wait` returns
//! `CMD_RETURN_WAIT` and its command item stays queued until an event wakes
//! it (then it prints and the queue goes on), its own timeout fires, or its
//! client goes away. The bookkeeping is the domain's [`WaitSet`]; this module
//! keeps the item pointers it maps to.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CString;

use agent_tmux::agent::wait::{WaitFor, WaitSet, WaiterId};

use crate::sys;
use crate::tmux::item::{Flow, Item};
use crate::tmux::timer;

#[derive(Default)]
struct Pending {
    set: WaitSet,
    items: HashMap<WaiterId, usize>,
    next: WaiterId,
}

thread_local! {
    static PENDING: RefCell<Pending> = RefCell::new(Pending::default());
}

/// Block `item`'s client until `what` happens (or `timeout` seconds pass).
/// A command with no client (run by a hook, or from the global queue) cannot
/// wait: blocking it would hold up every later hook and notification.
pub fn block(
    item: &Item,
    what: WaitFor,
    session: Option<u32>,
    timeout: Option<f64>,
) -> Result<Flow, crate::tmux::CmdError> {
    // SAFETY: reading the item's client pointer, used only as a key.
    let client = unsafe { sys::cmdq_get_client(item.raw()) } as u64;
    if !item.can_wait() {
        return Err("agent-wait: not able to wait here (no client of its own)".into());
    }
    let id = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        p.next += 1;
        let id = p.next;
        p.set.add(id, what, session, client);
        p.items.insert(id, item.raw() as usize);
        id
    });
    if let Some(t) = timeout {
        timer::after(t, timed_out, id);
    }
    Ok(Flow::Wait)
}

fn timed_out(id: u64) {
    fail(&[id], "agent-wait: timed out");
}

fn take_items(ids: &[WaiterId]) -> Vec<*mut sys::cmdq_item> {
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        ids.iter()
            .filter_map(|id| {
                p.set.remove(*id);
                p.items.remove(id)
            })
            .map(|a| a as *mut sys::cmdq_item)
            .collect()
    })
}

fn finish(item: *mut sys::cmdq_item, text: Option<&str>, error: bool) {
    if let Some(t) = text {
        let line = CString::new(t.replace('\0', "\\0")).unwrap_or_default();
        // SAFETY: the item is still queued (waiting) and owned by its queue;
        // continuing it lets the queue finish it on the next server loop.
        unsafe {
            if error {
                sys::cmdq_error(item, c"%s".as_ptr(), line.as_ptr());
            } else {
                sys::cmdq_print(item, c"%s".as_ptr(), line.as_ptr());
            }
        }
    }
    unsafe { sys::cmdq_continue(item) };
}

/// Wake waiters, printing `text` (if any) for each.
pub fn wake(ids: &[WaiterId], text: Option<&str>) {
    for item in take_items(ids) {
        finish(item, text, false);
    }
}

/// Fail waiters with an error message (non-zero exit for their clients).
pub fn fail(ids: &[WaiterId], message: &str) {
    for item in take_items(ids) {
        finish(item, Some(message), true);
    }
}

/// Run `f` on the wait set (to find which waiters an event wakes).
pub fn with_set<T>(f: impl FnOnce(&mut WaitSet) -> T) -> T {
    PENDING.with(|p| f(&mut p.borrow_mut().set))
}

/// The client at `client` went away: forget its waiters and let their items
/// go on (silently), so nothing of agent-tmux's refers to them any more and
/// no queue stays blocked by them.
pub fn client_lost(client: u64) {
    let ids = with_set(|s| s.take_client(client));
    // Continue them without output: a dead client's queue never runs again,
    // and if one ever sat on a shared queue it must not block it.
    for item in take_items(&ids) {
        finish(item, None, false);
    }
}

/// How many waiters there are.
pub fn count() -> usize {
    PENDING.with(|p| p.borrow().set.len())
}
