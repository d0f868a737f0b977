//! Busy/idle status of panes, driven by output arriving on them (reported by
//! the facade's `input_parse_pane` wrap) and one timer per busy pane; see
//! [`agent_tmux::agent::activity`]. Transitions of panes in agent sessions are
//! announced (`%agent-pane-status`, hook `agent-pane-status`), redraw status
//! lines and wake `agent-wait -i`.

use agent_tmux::agent::activity::{Activity, PaneStatus, Step, DEFAULT_IDLE_MS, MIN_IDLE_MS};
use agent_tmux::ids::{PaneId, SessionId};

use super::{state, wait};
use crate::tmux::notify::{self, HookTarget};
use crate::tmux::{options, pane, session, timer};

/// The idle threshold for pane `%id`: `@agent-idle-threshold` (seconds) of
/// its session, else the global value, else 3 s; at least 0.1 s.
fn threshold(id: PaneId) -> u64 {
    let value = match pane::session_of(id) {
        Some(s) => options::session(s, "@agent-idle-threshold"),
        None => options::global("@agent-idle-threshold"),
    };
    value
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| ((v * 1000.0) as u64).max(MIN_IDLE_MS))
        .unwrap_or(DEFAULT_IDLE_MS)
}

/// Output arrived on pane `%id`.
pub(super) fn output(id: PaneId) {
    let armed = state::activity(|p| p.get(&id).is_some_and(Activity::timer_armed));
    let th = if armed { 0 } else { threshold(id) };
    let now = state::now_ms();
    let step = state::activity(|p| p.entry(id).or_default().output(now, th));
    apply(id, step);
}

fn timer_fired(id: PaneId) {
    if !pane::exists(id) {
        return;
    }
    let th = threshold(id);
    let now = state::now_ms();
    let step = state::activity(|p| p.get_mut(&id).map(|a| a.timer(now, th)));
    if let Some(step) = step {
        apply(id, step);
    }
}

fn apply(id: PaneId, step: Step) {
    if let Some(ms) = step.arm_after {
        timer::after(ms as f64 / 1000.0, move || timer_fired(id));
    }
    if let Some(status) = step.became {
        announce(id, status);
    }
}

/// Status of pane `%id`.
pub fn status(id: PaneId) -> PaneStatus {
    if pane::exited(id) {
        return PaneStatus::Exited;
    }
    state::activity(|p| p.get(&id).map_or(PaneStatus::Idle, Activity::status))
}

/// Status of session `$id`'s agent pane (the active pane of its current window).
pub fn session_status(id: SessionId) -> Option<PaneStatus> {
    pane::active_of_session(id).map(status)
}

/// Pane `%id` is going away: forget it and release whoever waits on it.
pub(super) fn pane_gone(id: PaneId) {
    state::activity(|p| p.remove(&id));
    let ids = wait::with_set(|s| s.take_pane(id));
    wait::fail(&ids, &format!("agent-wait: pane {id} is gone"));
}

/// The process of pane `%id` exited: it is neither busy nor idle any more.
pub(super) fn pane_exited(id: PaneId) {
    state::activity(|p| p.remove(&id));
    announce(id, PaneStatus::Exited);
}

fn announce(id: PaneId, status: PaneStatus) {
    if status != PaneStatus::Exited {
        super::agent_state::activity_changed(id, status == PaneStatus::Busy);
    }
    if status != PaneStatus::Busy {
        let ids = wait::with_set(|s| s.take_pane(id));
        wait::wake(&ids, None);
    }
    // The window may be linked in several sessions: prefer an agent's.
    let Some(sid) = pane::session_of_preferring(id, |s| state::with(|r| r.agent(s).is_some()))
    else {
        return;
    };
    // Any status line may show #{agent_pane_status}; only agent sessions'
    // panes are announced.
    session::refresh_status(sid);
    if state::with(|r| r.agent(sid).is_none()) {
        return;
    }
    let window = pane::window_of(id)
        .map(|w| w.to_string())
        .unwrap_or_default();
    notify::control(&format!("%agent-pane-status {sid} {window} {id} {status}"));
    notify::hook(
        "agent-pane-status",
        HookTarget {
            session: Some(sid),
            pane: Some(id),
        },
        &[("hook_agent_pane_status", status.to_string())],
    );
}

/// Pane `%id` was respawned: the program whose busy period it was in is
/// gone (its exit ends that period, as an exit does, and `agent-wait -i`
/// waiters wake), and the new one starts idle until its own output. With
/// `had_process` the old program was still running; without, the pane
/// showed exited and now shows idle.
pub(super) fn pane_respawned(id: PaneId, had_process: bool) {
    let was_busy = state::activity(|p| p.get_mut(&id).is_some_and(Activity::restart));
    if was_busy || !had_process {
        announce(id, PaneStatus::Idle);
    }
}
