//! Prompt delivery (`agent-prompt`) with receipts: the domain's state
//! machine ([`agent_tmux::agent::prompt`]) decides; this module shows it the
//! pane (agent state, input box, human keys, program), carries out its
//! actions (paste, Enter, rescue keys, timers) and announces every change:
//! the control-mode notification `%agent-prompt ID PANE STATE [REASON]`, the
//! hook `agent-prompt-changed`, and the clients waiting for receipts
//! (`agent-prompt` itself unless `-b`, `agent-wait -p`).
//!
//! It is called from agent state's one delivery point on every state change
//! and after every screen evaluation ([`agent_changed`]), so a deferred
//! prompt is pasted as soon as the agent is seen idle. Timers are one-shot
//! timers on tmux's event loop; the server never waits.

use std::collections::HashMap;

use agent_tmux::agent::prompt::{
    read_input, Action, Gate, Input, Look, Options, Phase, Receipt, ReceiptId, Refused, Timer,
};
use agent_tmux::agent::state::{AgentState, Source};
use agent_tmux::ids::PaneId;

use super::{agent_state, state, typing};
use crate::tmux::held::{self, Resume};
use crate::tmux::notify::{self, HookTarget};
use crate::tmux::pane::{self, InputRefused};
use crate::tmux::{paste, timer, Item};

/// Lines of the screen read for the input box.
const INPUT_LINES: u32 = 30;

/// A client waiting for receipts.
pub(super) struct Waiter {
    held: u64,
    client: u64,
    ids: Vec<ReceiptId>,
    /// Print each receipt's final line (`ID PANE STATE`), else only errors.
    verbose: bool,
    timeout: Option<f64>,
    timer: Option<timer::Timer>,
    /// Lines printed before the receipts' (`-g`: members skipped).
    extra: Vec<String>,
}

/// The receipt waiters, by their held item's number.
pub(super) type Waiters = HashMap<u64, Waiter>;

/// A message for a refused write to pane `%id`.
pub fn refused(id: PaneId, why: InputRefused) -> String {
    match why {
        InputRefused::Gone => format!("can't find pane: {id}"),
        InputRefused::Dead => format!("pane {id} is dead: its program has exited"),
        InputRefused::Off => format!("pane {id} has input disabled (select-pane -e enables it)"),
    }
}

/// What delivery sees of pane `%id` now.
fn look(id: PaneId) -> Look {
    let now = state::now_ms();
    let info = agent_state::info(id);
    // Without a profile, only exact sources (hook reports, OSC 7501) can
    // show a submission: output activity is a guess.
    let info =
        info.filter(|i| i.profile.is_some() || matches!(i.source, Source::Hook | Source::Osc));
    let gate = match &info {
        None => Gate::Plain,
        Some(i) => match i.state {
            AgentState::Starting => Gate::Starting,
            AgentState::Working => Gate::Working,
            AgentState::Waiting => Gate::Waiting(i.reason.clone()),
            AgentState::Idle => Gate::Idle,
            AgentState::Exited => Gate::Exited,
        },
    };
    let input = match &info {
        Some(i) if pane::exists(id) => {
            read_input(i.profile.as_deref(), &pane::bottom_lines(id, INPUT_LINES))
        }
        _ => Input::Unknown,
    };
    let human_ms =
        typing::since_human_key(id).map(|ago| now.saturating_sub(ago.as_millis() as u64));
    let program = if pane::exists(id) && !pane::exited(id) {
        pane::pid(id)
    } else {
        None
    };
    let refuses = pane::accepts_input(id).err().map(|why| refused(id, why));
    Look {
        gate,
        input,
        human_ms,
        program,
        refuses,
    }
}

/// The profile of pane `%id`'s agent, if it has one.
pub fn profile(id: PaneId) -> Option<String> {
    agent_state::info(id).and_then(|i| i.profile)
}

/// Ask for `text` to be delivered to pane `%id`; the delivery's id, or why
/// it is refused (nothing queued then).
pub fn submit(
    id: PaneId,
    text: String,
    group: Option<String>,
    options: Options,
) -> Result<ReceiptId, String> {
    let l = look(id);
    let now = state::now_ms();
    let (rid, actions) = state::receipts(|r| r.submit(id, text, group, options, &l, now))
        .map_err(|e: Refused| e.render(id))?;
    run(actions);
    Ok(rid)
}

/// Hold `item`'s client until every delivery of `ids` is finished (or
/// `timeout` seconds pass); `verbose`: print a line per delivery, after
/// `extra`.
pub fn wait_for(
    item: &Item,
    ids: Vec<ReceiptId>,
    verbose: bool,
    timeout: Option<f64>,
    extra: Vec<String>,
) {
    let client = item.client_key();
    let h = held::hold(item);
    let timer = timeout.and_then(|t| timer::Timer::start(t, move || timed_out(h)));
    state::receipt_waiters(|w| {
        w.insert(
            h,
            Waiter {
                held: h,
                client,
                ids,
                verbose,
                timeout,
                timer,
                extra,
            },
        )
    });
    check_waiters();
}

/// A copy of delivery `id`.
pub fn get(id: ReceiptId) -> Option<Receipt> {
    state::receipts(|r| r.get(id).cloned())
}

/// Copies of every known delivery, oldest first.
pub fn all() -> Vec<Receipt> {
    state::receipts(|r| r.iter().cloned().collect())
}

/// The newest delivery to pane `%id`, if any is known.
pub fn last_for(id: PaneId) -> Option<Receipt> {
    state::receipts(|r| r.iter().rev().find(|x| x.pane == id).cloned())
}

/// Carry out the domain's actions, in order.
fn run(actions: Vec<Action>) {
    let mut queue = std::collections::VecDeque::from(actions);
    while let Some(a) = queue.pop_front() {
        match a {
            Action::Paste {
                id,
                pane,
                text,
                piece_chars,
            } => {
                if let Err(why) = paste::paste(pane, &text, piece_chars) {
                    queue.extend(failed(id, pane, refused(pane, why)));
                }
            }
            Action::Enter { id, pane } => {
                if let Err(why) = paste::enter(pane) {
                    let msg = match why {
                        InputRefused::Off => refused(pane, why),
                        _ => format!("pane {pane} exited before Enter was sent"),
                    };
                    queue.extend(failed(id, pane, msg));
                }
            }
            Action::Rescue { id, pane } => {
                // Escape closes a picker or completion menu in every
                // profile we know (Claude Code, Codex, the fake agent).
                if let Err(why) = pane::write_input(pane, b"\x1b") {
                    queue.extend(failed(id, pane, refused(pane, why)));
                }
            }
            Action::Arm { id, timer: t, ms } => {
                timer::after(ms as f64 / 1000.0, move || fire(id, t));
            }
            Action::Changed {
                id,
                pane,
                phase,
                reason,
            } => announce(id, pane, phase, &reason),
        }
    }
}

fn failed(id: ReceiptId, pane: PaneId, why: String) -> Vec<Action> {
    let l = look(pane);
    let now = state::now_ms();
    state::receipts(|r| r.fail(id, why, &l, now))
}

fn fire(id: ReceiptId, t: Timer) {
    let Some(pane) = state::receipts(|r| r.get(id).map(|x| x.pane)) else {
        return;
    };
    let l = look(pane);
    let now = state::now_ms();
    let actions = state::receipts(|r| r.fire(id, t, &l, now));
    run(actions);
}

/// Announce a change of delivery `id`, then wake who waits for it.
fn announce(id: ReceiptId, pane: PaneId, phase: Phase, reason: &str) {
    let line = if reason.is_empty() {
        format!("%agent-prompt {id} {pane} {phase}")
    } else {
        format!("%agent-prompt {id} {pane} {phase} {reason}")
    };
    notify::control(&line);
    let group = state::receipts(|r| r.get(id).and_then(|x| x.group.clone()));
    notify::hook(
        "agent-prompt-changed",
        HookTarget {
            session: pane::session_of(pane),
            pane: Some(pane),
        },
        &[
            ("hook_prompt_id", id.to_string()),
            ("hook_prompt_state", phase.to_string()),
            ("hook_prompt_reason", reason.to_string()),
            ("hook_prompt_group", group.unwrap_or_default()),
        ],
    );
    if phase.is_final() {
        check_waiters();
    }
}

/// The line a finished delivery prints for waiters.
fn final_line(r: &Receipt) -> String {
    if r.reason.is_empty() {
        format!("{} {} {}", r.id, r.pane, r.phase)
    } else {
        format!("{} {} {} {}", r.id, r.pane, r.phase, r.reason)
    }
}

/// Let every waiter whose deliveries are all finished go on.
fn check_waiters() {
    let done: Vec<u64> = state::receipt_waiters(|w| {
        w.values()
            .filter(|x| {
                x.ids
                    .iter()
                    .all(|id| state::receipts(|r| r.get(*id).is_none_or(|d| d.phase.is_final())))
            })
            .map(|x| x.held)
            .collect()
    });
    for h in done {
        let Some(w) = state::receipt_waiters(|m| m.remove(&h)) else {
            continue;
        };
        let rs: Vec<Option<Receipt>> = w.ids.iter().map(|id| get(*id)).collect();
        let failed = rs
            .iter()
            .any(|r| r.as_ref().is_none_or(|r| r.phase == Phase::Failed));
        let text = if w.verbose {
            w.extra
                .iter()
                .cloned()
                .chain(rs.iter().zip(&w.ids).map(|(r, id)| match r {
                    Some(r) => final_line(r),
                    None => format!("{id} forgotten"),
                }))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            rs.iter()
                .flatten()
                .filter(|r| r.phase == Phase::Failed)
                .map(|r| r.reason.clone())
                .collect::<Vec<_>>()
                .join("\n")
        };
        drop(w.timer);
        let how = match (failed, text.is_empty()) {
            (true, _) => Resume::Error(&text),
            (false, true) => Resume::Silent,
            (false, false) => Resume::Print(&text),
        };
        held::resume(w.held, how);
    }
}

/// Waiter `h`'s `-T` is over: deliveries still queued are withdrawn, the
/// client fails with where each unfinished one is.
fn timed_out(h: u64) {
    let Some(w) = state::receipt_waiters(|m| m.remove(&h)) else {
        return;
    };
    let secs = w.timeout.unwrap_or(0.0);
    let mut lines = w.extra.clone();
    for id in &w.ids {
        let Some(r) = get(*id) else { continue };
        if r.phase.is_final() {
            if w.verbose {
                lines.push(final_line(&r));
            }
            continue;
        }
        let was = if r.reason.is_empty() {
            r.phase.to_string()
        } else {
            format!("{}, {}", r.phase, r.reason)
        };
        lines.push(format!("{id} not submitted within {secs} s ({was})"));
        if r.phase == Phase::Queued {
            let l = look(r.pane);
            let now = state::now_ms();
            let why = format!("withdrawn: not pasted within {secs} s ({})", r.reason);
            let (_, actions) = state::receipts(|x| x.cancel(*id, why, &l, now));
            run(actions);
        }
    }
    // Its timer is the one firing: drop it after the callback's own use.
    let Waiter { held, timer, .. } = w;
    held::resume(held, Resume::Error(&lines.join("\n")));
    drop(timer);
}

/// Pane `%id`'s agent changed (its state, or its screen was read): the
/// deliveries waiting on it go on. Called from agent state's delivery point.
pub(super) fn agent_changed(id: PaneId) {
    if state::receipts(|r| r.queued(id).is_empty()) {
        return;
    }
    let l = look(id);
    let now = state::now_ms();
    let actions = state::receipts(|r| r.observe(id, &l, now));
    run(actions);
}

/// Pane `%id`'s program exited (the pane may stay, dead).
pub(super) fn pane_exited(id: PaneId) {
    agent_changed(id);
}

/// Pane `%id` is gone: its deliveries fail.
pub(super) fn pane_destroyed(id: PaneId) {
    let now = state::now_ms();
    let why = format!("pane {id} exited before Enter was sent");
    let actions = state::receipts(|r| r.pane_gone(id, &why, now));
    run(actions);
}

/// The client with key `client` went away: its deliveries go on, but
/// nothing waits for them; their items go on silently.
pub(super) fn client_lost(client: u64) {
    let gone: Vec<Waiter> = state::receipt_waiters(|m| {
        let ids: Vec<u64> = m
            .values()
            .filter(|w| w.client == client)
            .map(|w| w.held)
            .collect();
        ids.iter().filter_map(|h| m.remove(h)).collect()
    });
    for w in gone {
        held::resume(w.held, Resume::Silent);
    }
}

/// `#{agent_prompt_id}`, `#{agent_prompt_state}`, `#{agent_prompt_reason}`:
/// the newest delivery to the pane (empty if none); `#{agent_prompt_queued}`:
/// how many of its deliveries are unfinished. `None`: not one of these;
/// `Some(None)`: no pane to answer for.
pub(super) fn format(key: &str, pane: Option<PaneId>) -> Option<Option<String>> {
    if !matches!(
        key,
        "agent_prompt_id" | "agent_prompt_state" | "agent_prompt_reason" | "agent_prompt_queued"
    ) {
        return None;
    }
    let Some(p) = pane else {
        return Some(None);
    };
    if key == "agent_prompt_queued" {
        return Some(Some(state::receipts(|r| r.queued(p).len()).to_string()));
    }
    let last = last_for(p);
    Some(Some(match (key, last) {
        (_, None) => String::new(),
        ("agent_prompt_id", Some(r)) => r.id.to_string(),
        ("agent_prompt_state", Some(r)) => r.phase.to_string(),
        (_, Some(r)) => r.reason,
    }))
}
