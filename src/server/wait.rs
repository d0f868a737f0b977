//! Waiting commands (`agent-wait`): who waits for what, in the domain's
//! [`WaitSet`], each waiter being a command item held by the facade
//! ([`crate::tmux::held`]) under the same number. A waiter ends when an event
//! wakes it (it prints and its queue goes on), its own timeout fires, the
//! thing it waits on goes away (an error), or its client goes away.

use agent_tmux::agent::wait::{WaitFor, WaiterId};
use agent_tmux::ids::SessionId;

use super::state;
use crate::tmux::held::{self, Resume};
use crate::tmux::{timer, CmdError, Flow, Item};

/// Block `item`'s client until `what` happens (or `timeout` seconds pass).
/// Only a command that has a client queue of its own can wait (see
/// [`Item::can_wait`]): blocking any other queue would hold up every later
/// hook and notification, or a client that did not ask to wait.
pub fn block(
    item: &Item,
    what: WaitFor,
    session: Option<SessionId>,
    timeout: Option<f64>,
) -> Result<Flow, CmdError> {
    if !item.can_wait() {
        return Err(CmdError::Failed(
            "agent-wait: not able to wait here (no client of its own)".to_string(),
        ));
    }
    let client = item.client_key();
    let id = held::hold(item);
    state::waiters(|w| w.add(id, what, session, client));
    if let Some(t) = timeout {
        if let Some(timer) = timer::Timer::start(t, move || timed_out(id)) {
            state::wait_timers(|m| m.insert(id, timer));
        }
    }
    Ok(Flow::Wait)
}

/// Cancel waiter `id`'s timer, if it has one. Dropped outside the borrow
/// (dropping frees the event; it may be the one firing now).
fn cancel_timer(id: WaiterId) {
    let timer = state::wait_timers(|m| m.remove(&id));
    drop(timer);
}

fn timed_out(id: WaiterId) {
    fail(&[id], "agent-wait: timed out");
}

/// Forget waiters (the `take_*` of the wait set may have removed them
/// already) and let their items go on as `how` says.
fn end(ids: &[WaiterId], how: Resume<'_>) {
    for id in ids {
        state::waiters(|w| w.remove(*id));
        cancel_timer(*id);
        held::resume(*id, how);
    }
}

/// Wake waiters, printing `text` (if any) for each.
pub fn wake(ids: &[WaiterId], text: Option<&str>) {
    end(ids, text.map_or(Resume::Silent, Resume::Print));
}

/// Fail waiters with an error message (non-zero exit for their clients).
pub fn fail(ids: &[WaiterId], message: &str) {
    end(ids, Resume::Error(message));
}

/// Run `f` on the wait set (to find which waiters an event wakes).
pub(super) fn with_set<T>(f: impl FnOnce(&mut agent_tmux::agent::wait::WaitSet) -> T) -> T {
    state::waiters(f)
}

/// The client with key `client` went away: forget its waiters and let their
/// items go on (silently), so nothing of agent-tmux's refers to them any
/// more and no queue stays blocked by them.
pub(super) fn client_lost(client: u64) {
    let ids = with_set(|s| s.take_client(client));
    // A dead client's queue never runs again, and if one ever sat on a
    // shared queue it must not block it.
    for id in ids {
        cancel_timer(id);
        held::resume(id, Resume::Silent);
    }
}

/// How many waiters there are.
pub(super) fn count() -> usize {
    state::waiters(|w| w.len())
}
