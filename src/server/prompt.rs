//! Prompt delivery policy (`agent-prompt`): text goes into a pane's program
//! as one paste, then Enter follows after a delay, from a one-shot timer, so
//! the server never sleeps. Prompts to one pane are queued: the next paste
//! starts only after the previous prompt's Enter, so two prompts never merge
//! into one input. The command's client waits (its item is held by the
//! facade) until its Enter is sent, unless it can't or asked not to. The
//! bytes themselves are the facade's ([`crate::tmux::paste`]).

use std::collections::VecDeque;
use std::time::Instant;

use agent_tmux::ids::PaneId;

use super::{state, typing};
use crate::tmux::held::{self, Resume};
use crate::tmux::pane::{self, InputRefused};
use crate::tmux::{paste, timer, Item};

/// One prompt queued for a pane.
pub(super) struct Prompt {
    text: String,
    delay: f64,
    /// Send Enter even if a human typed into the pane since the paste.
    force: bool,
    /// Once pasted: the program that got the paste (its pid) and when.
    pasted: Option<(Option<i32>, Instant)>,
    /// The held command item, if its client waits.
    held: Option<u64>,
    client: u64,
}

/// A message for a refused write to pane `%id`.
pub fn refused(id: PaneId, why: InputRefused) -> String {
    match why {
        InputRefused::Gone => format!("can't find pane: {id}"),
        InputRefused::Dead => format!("pane {id} is dead: its program has exited"),
        InputRefused::Off => format!("pane {id} has input disabled (select-pane -e enables it)"),
    }
}

/// Queue a prompt for pane `%id`; `waiter` is the command whose client waits
/// for it (its exec then returns `Flow::Wait`; `None`: nobody waits). If the pane is free the text is pasted at once, and a
/// failed paste is returned as an error with nothing queued (so the caller
/// reports it instead of waiting).
pub fn enqueue(
    id: PaneId,
    text: String,
    delay: f64,
    force: bool,
    waiter: Option<&Item>,
) -> Result<(), String> {
    let busy = state::prompts(|q| q.get(&id).is_some_and(|q| !q.is_empty()));
    let mut pasted = None;
    if !busy {
        paste::paste(id, &text).map_err(|why| refused(id, why))?;
        pasted = Some((pane::pid(id), Instant::now()));
        timer::after(delay, move || enter(id));
    }
    let client = waiter.map_or(0, Item::client_key);
    let held = waiter.map(held::hold);
    state::prompts(|q| {
        q.entry(id).or_default().push_back(Prompt {
            text,
            delay,
            force,
            pasted,
            held,
            client,
        })
    });
    Ok(())
}

/// Paste the prompt at the front of pane `%id`'s queue and arm its Enter.
/// A prompt whose paste fails is finished with the error and the next one
/// starts.
fn start_front(id: PaneId) {
    loop {
        let front = state::prompts(|q| {
            q.get(&id)
                .and_then(|q| q.front())
                .map(|p| (p.text.clone(), p.delay))
        });
        let Some((text, delay)) = front else {
            return;
        };
        match paste::paste(id, &text) {
            Ok(()) => {
                state::prompts(|q| {
                    if let Some(p) = q.get_mut(&id).and_then(|q| q.front_mut()) {
                        p.pasted = Some((pane::pid(id), Instant::now()));
                    }
                });
                timer::after(delay, move || enter(id));
                return;
            }
            Err(why) => finish_front(id, Some(refused(id, why))),
        }
    }
}

/// The delay of pane `%id`'s front prompt is over: press Enter, finish it and
/// start the next.
fn enter(id: PaneId) {
    let front = state::prompts(|q| {
        q.get(&id)
            .and_then(|q| q.front())
            .map(|p| (p.pasted, p.force))
    });
    let Some((Some((pid, at)), force)) = front else {
        return;
    };
    let error = if pane::pid(id) != pid {
        // Respawned: the program that got the paste is gone.
        Some(format!("pane {id} exited before Enter was sent"))
    } else if !force && typing::since_human_key(id).is_some_and(|ago| ago < at.elapsed()) {
        Some(format!(
            "a human typed into pane {id} after the paste: Enter not sent (-f sends it anyway)"
        ))
    } else {
        paste::enter(id).err().map(|why| match why {
            InputRefused::Off => refused(id, why),
            _ => format!("pane {id} exited before Enter was sent"),
        })
    };
    finish_front(id, error);
    start_front(id);
}

/// Remove pane `%id`'s front prompt and let its command go on (with `error`).
fn finish_front(id: PaneId, error: Option<String>) {
    let p = state::prompts(|q| {
        let p = q.get_mut(&id).and_then(VecDeque::pop_front);
        if q.get(&id).is_some_and(VecDeque::is_empty) {
            q.remove(&id);
        }
        p
    });
    if let Some(h) = p.and_then(|p| p.held) {
        held::resume(h, error.as_deref().map_or(Resume::Silent, Resume::Error));
    }
}

/// Pane `%id` is gone: its queued prompts fail.
pub(super) fn pane_destroyed(id: PaneId) {
    let queue = state::prompts(|q| q.remove(&id));
    for p in queue.into_iter().flatten() {
        if let Some(h) = p.held {
            let e = format!("pane {id} exited before Enter was sent");
            held::resume(h, Resume::Error(&e));
        }
    }
}

/// The client with key `client` went away: its prompts are still delivered,
/// but nothing waits for them; their items go on silently, as agent-wait's
/// do.
pub(super) fn client_lost(client: u64) {
    let ids: Vec<u64> = state::prompts(|q| {
        q.values_mut()
            .flatten()
            .filter(|p| p.client == client)
            .filter_map(|p| p.held.take())
            .collect()
    });
    for h in ids {
        held::resume(h, Resume::Silent);
    }
}
