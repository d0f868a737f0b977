//! Prompt delivery (`agent-prompt`): text goes into a pane's program as one
//! paste, then Enter follows after a delay, from a one-shot timer, so the
//! server never sleeps. Prompts to one pane are queued: the next paste starts
//! only after the previous prompt's Enter, so two prompts never merge into
//! one input. The command's client waits (its item stays queued) until its
//! Enter is sent, unless it can't or asked not to.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use crate::sys;
use crate::tmux::pane::{self, InputRefused};
use crate::tmux::timer;
use crate::typing;

/// Bracketed paste start and end, as terminals send them.
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

struct Prompt {
    text: String,
    delay: f64,
    /// Send Enter even if a human typed into the pane since the paste.
    force: bool,
    /// Once pasted: the program that got the paste (its pid) and when.
    pasted: Option<(Option<i32>, Instant)>,
    /// The waiting command item, if its client waits.
    item: Option<usize>,
    client: u64,
}

thread_local! {
    /// Per pane: the prompt being delivered (front, already pasted) and those
    /// queued behind it.
    static QUEUES: RefCell<HashMap<u32, VecDeque<Prompt>>> = RefCell::new(HashMap::new());
}

/// What the program in pane `%id` receives as the paste of `text`: newlines
/// become carriage returns (as a terminal pastes them), and the whole is
/// bracketed if the program turned bracketed paste on.
pub fn paste_bytes(text: &str, bracketed: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 12);
    if bracketed {
        out.extend_from_slice(PASTE_START);
    }
    out.extend(text.bytes().map(|b| if b == b'\n' { b'\r' } else { b }));
    if bracketed {
        out.extend_from_slice(PASTE_END);
    }
    out
}

/// A message for a refused write to pane `%id`.
pub fn refused(id: u32, why: InputRefused) -> String {
    match why {
        InputRefused::Gone => format!("can't find pane: %{id}"),
        InputRefused::Dead => format!("pane %{id} is dead: its program has exited"),
        InputRefused::Off => format!("pane %{id} has input disabled (select-pane -e enables it)"),
    }
}

/// Queue a prompt for pane `%id`; `item` is the command item that waits for
/// it (`None`: nobody waits). If the pane is free the text is pasted at once,
/// and a failed paste is returned as an error with nothing queued (so the
/// caller reports it instead of waiting).
pub fn enqueue(
    id: u32,
    text: String,
    delay: f64,
    force: bool,
    item: Option<*mut sys::cmdq_item>,
) -> Result<(), String> {
    let busy = QUEUES.with(|q| q.borrow().get(&id).is_some_and(|q| !q.is_empty()));
    let mut pasted = None;
    if !busy {
        pane::write_input(id, &paste_bytes(&text, pane::bracketed_paste(id)))
            .map_err(|why| refused(id, why))?;
        pasted = Some((pane::pid(id), Instant::now()));
        timer::after(delay, enter, u64::from(id));
    }
    // SAFETY: reading the client of a live item, used only as a key.
    let client = item.map_or(0, |i| unsafe { sys::cmdq_get_client(i) } as u64);
    QUEUES.with(|q| {
        q.borrow_mut().entry(id).or_default().push_back(Prompt {
            text,
            delay,
            force,
            pasted,
            item: item.map(|i| i as usize),
            client,
        })
    });
    Ok(())
}

/// Paste the prompt at the front of pane `%id`'s queue and arm its Enter.
/// A prompt whose paste fails is finished with the error and the next one
/// starts.
fn start_front(id: u32) {
    loop {
        let front = QUEUES.with(|q| {
            q.borrow()
                .get(&id)
                .and_then(|q| q.front())
                .map(|p| (paste_bytes(&p.text, pane::bracketed_paste(id)), p.delay))
        });
        let Some((bytes, delay)) = front else {
            return;
        };
        match pane::write_input(id, &bytes) {
            Ok(()) => {
                QUEUES.with(|q| {
                    if let Some(p) = q.borrow_mut().get_mut(&id).and_then(|q| q.front_mut()) {
                        p.pasted = Some((pane::pid(id), Instant::now()));
                    }
                });
                timer::after(delay, enter, u64::from(id));
                return;
            }
            Err(why) => finish_front(id, Some(refused(id, why))),
        }
    }
}

/// The delay of pane `%id`'s front prompt is over: press Enter, finish it and
/// start the next.
fn enter(id: u64) {
    let id = id as u32;
    let front = QUEUES.with(|q| {
        q.borrow()
            .get(&id)
            .and_then(|q| q.front())
            .map(|p| (p.pasted, p.force))
    });
    let Some((Some((pid, at)), force)) = front else {
        return;
    };
    let error = if pane::pid(id) != pid {
        // Respawned: the program that got the paste is gone.
        Some(format!("pane %{id} exited before Enter was sent"))
    } else if !force && typing::since_human_key(id).is_some_and(|ago| ago < at.elapsed()) {
        Some(format!(
            "a human typed into pane %{id} after the paste: Enter not sent (-f sends it anyway)"
        ))
    } else {
        pane::write_input(id, b"\r").err().map(|why| match why {
            InputRefused::Off => refused(id, why),
            _ => format!("pane %{id} exited before Enter was sent"),
        })
    };
    finish_front(id, error);
    start_front(id);
}

/// Remove pane `%id`'s front prompt and let its command go on (with `error`).
fn finish_front(id: u32, error: Option<String>) {
    let p = QUEUES.with(|q| {
        let mut q = q.borrow_mut();
        let p = q.get_mut(&id).and_then(VecDeque::pop_front);
        if q.get(&id).is_some_and(VecDeque::is_empty) {
            q.remove(&id);
        }
        p
    });
    if let Some(item) = p.and_then(|p| p.item) {
        continue_item(item as *mut sys::cmdq_item, error.as_deref());
    }
}

fn continue_item(item: *mut sys::cmdq_item, error: Option<&str>) {
    // SAFETY: the item is still queued (waiting) and owned by its queue;
    // continuing it lets the queue finish it on the next server loop.
    unsafe {
        if let Some(e) = error {
            let line = std::ffi::CString::new(e).unwrap_or_default();
            sys::cmdq_error(item, c"%s".as_ptr(), line.as_ptr());
        }
        sys::cmdq_continue(item);
    }
}

/// Pane `%id` is gone: its queued prompts fail.
pub fn pane_destroyed(id: u32) {
    let queue = QUEUES.with(|q| q.borrow_mut().remove(&id));
    for p in queue.into_iter().flatten() {
        if let Some(item) = p.item {
            let e = format!("pane %{id} exited before Enter was sent");
            continue_item(item as *mut sys::cmdq_item, Some(&e));
        }
    }
}

/// The client at `client` went away: its prompts are still delivered, but
/// nothing waits for them; their items go on silently, as agent-wait's do.
pub fn client_lost(client: u64) {
    let items: Vec<usize> = QUEUES.with(|q| {
        let mut q = q.borrow_mut();
        q.values_mut()
            .flatten()
            .filter(|p| p.client == client)
            .filter_map(|p| p.item.take())
            .collect()
    });
    for item in items {
        continue_item(item as *mut sys::cmdq_item, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paste_is_bracketed_only_when_asked_and_newlines_become_cr() {
        assert_eq!(paste_bytes("a\nb", false), b"a\rb".to_vec());
        assert_eq!(
            paste_bytes("a\tb\n", true),
            b"\x1b[200~a\tb\r\x1b[201~".to_vec()
        );
    }
}
