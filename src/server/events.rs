//! Delivery of what the domain reports back. Every mutating domain call
//! returns events; this module makes the server react to them: status lines
//! redrawn, control-mode notifications, hooks, and waiters woken or failed.
//! Commands reach it only through [`crate::server::apply`]. tmux's own
//! events (a session or pane destroyed, a pane's process exiting, a settle
//! timer) come in here too, through the handler table.

use agent_tmux::agent::layout::{ManagedId, Transition};
use agent_tmux::agent::{Event, GroupEventKind};
use agent_tmux::ids::{PaneId, SessionId, WindowId};

use super::{activity, agent_state, prompt, state, typing, wait};
use crate::tmux::notify::{self, HookTarget};
use crate::tmux::{self, pane, session};

/// Session `$id` was renamed: the persistent store keeps agent sessions
/// (and those of layouts, senders and writers) by name, so the new name is
/// written within the bound, as any change of agent state is. Names are
/// read from tmux when shown, so nothing else changes.
pub(super) fn session_renamed(id: SessionId) {
    let _ = id;
    super::store::changed();
}

/// A session died by any path: it leaves its group exactly as with
/// agent-leave-group, its metadata is dropped and its waiters fail. (The
/// facade marks it dying meanwhile, so hooks name it by formats only.)
pub(super) fn session_destroyed(id: SessionId) {
    let ids = wait::with_set(|s| s.take_session(id));
    wait::fail(&ids, &format!("agent-wait: session {id} is gone"));
    let outcome = state::with_mut(|r| r.session_destroyed(id, tmux::now()));
    // Saved messages and context name their senders and authors: with the
    // session gone they must not any more, wherever they are.
    super::store::changed();
    if let Some(outcome) = outcome {
        deliver(&outcome.events);
    }
    if layout_passes_on(id) {
        return;
    }
    // The layout ends with its session: panes that live on in windows other
    // sessions keep are released, the others removed (those that never had
    // a tmux pane can only go this way).
    let lay = state::layouts(|l| l.layout_of_session(id));
    for p in lay.map_or_else(Vec::new, |lay| state::layouts(|l| l.tmux_panes(lay))) {
        let kept = pane::window_of(p)
            .is_some_and(|w| pane::window_sessions(w, id).iter().any(|(s, _)| *s != id));
        if kept {
            let t = state::layouts_mut(|l| l.release(p));
            t.iter().for_each(pane_transition);
        }
    }
    let transitions = state::layouts_mut(|l| l.session_destroyed(id));
    transitions.iter().for_each(pane_transition);
}

/// Session `$id` is going: if its live layout's window lives on in other
/// members of its session group (`new-session -t`), the layout passes to
/// the first of them by id that has no live layout of its own. Whether it
/// did. (A window kept only by sessions it was linked into is not theirs:
/// its panes are released.)
fn layout_passes_on(id: SessionId) -> bool {
    let found = state::layouts(|l| {
        let lay = l.layout_of_session(id)?;
        Some((lay, l.layout(lay)?.window?))
    });
    let Some((lay, window)) = found else {
        return false;
    };
    let mut heirs = pane::window_sessions(window, id);
    heirs.retain(|&(s, same)| same && s != id);
    heirs.sort_unstable();
    for (s, _) in heirs {
        if state::layouts_mut(|l| l.pass_to(lay, s)) {
            session::refresh_status(s);
            return true;
        }
    }
    false
}

/// Window `@id` changed its panes or joined a session: managed panes moved
/// into it from their layout's window are released.
pub(super) fn window_changed(id: WindowId) {
    let panes = pane::in_window(id);
    if panes.is_empty() {
        return;
    }
    let transitions = state::layouts_mut(|l| l.window_changed(id, &panes));
    transitions.iter().for_each(pane_transition);
}

/// Pane `%id` was respawned; `had_process`: its old process was still there.
pub(super) fn pane_respawned(id: PaneId, had_process: bool) {
    activity::pane_respawned(id, had_process);
    agent_state::pane_respawned(id);
}

/// React to domain events.
pub(super) fn deliver(events: &[Event]) {
    for event in events {
        match event {
            Event::GroupChanged {
                session: s,
                group,
                kind,
            } => {
                session::refresh_status(*s);
                notify::control(&format!("%agent-group-changed {s} {group} {kind}"));
                notify::hook(
                    "agent-group-changed",
                    HookTarget {
                        session: Some(*s),
                        pane: None,
                    },
                    &[
                        ("hook_agent_group", group.clone()),
                        ("hook_agent_event", kind.to_string()),
                    ],
                );
                if *kind == GroupEventKind::Left {
                    let ids = wait::with_set(|w| w.take_session_keys(*s));
                    wait::fail(&ids, &format!("agent-wait: session left group {group}"));
                }
                refresh_members(group);
            }
            Event::ContextChanged {
                group,
                key,
                version,
                author,
            } => {
                notify::control(&format!(
                    "%agent-context-changed {group} {key} {version} {author}"
                ));
                notify::hook(
                    "agent-context-changed",
                    HookTarget {
                        session: Some(*author),
                        pane: None,
                    },
                    &[
                        ("hook_agent_group", group.clone()),
                        ("hook_agent_key", key.clone()),
                        ("hook_agent_version", version.to_string()),
                        ("hook_agent_author", author.to_string()),
                        ("hook_agent_author_name", session::display_name(*author)),
                    ],
                );
                let value = state::with(|r| {
                    r.group(group)
                        .and_then(|g| g.entry(key))
                        .map(|e| e.value.as_display())
                });
                if let Some(value) = value {
                    let ids = wait::with_set(|w| w.take_key(group, key));
                    wait::wake(&ids, Some(&value));
                }
                refresh_members(group);
            }
            Event::Message {
                to,
                from,
                from_name,
                seq,
            } => message_delivered(*to, *from, from_name, *seq),
        }
    }
}

/// Message `seq` arrived in `to`'s inbox: announce it, redraw `to`'s status
/// line (`#{agent_unread}`) and wake its waiters. The hook names the sender
/// as it was named when it sent.
fn message_delivered(to: SessionId, from: Option<SessionId>, from_name: &str, seq: u64) {
    let from_id = from.map_or_else(|| "-".to_string(), |f| f.to_string());
    notify::control(&format!("%agent-message {to} {from_id} {seq}"));
    let from_name = match from {
        Some(f) if from_name.is_empty() => session::display_name(f),
        _ => from_name.to_string(),
    };
    notify::hook(
        "agent-message",
        HookTarget {
            session: Some(to),
            pane: None,
        },
        &[
            ("hook_agent_from", from_id),
            ("hook_agent_from_name", from_name),
            ("hook_agent_seq", seq.to_string()),
        ],
    );
    wake_message_waiters(to);
    session::refresh_status(to);
}

/// The text of the oldest unread message of `to`, taken (read) with
/// `consume`; `None` when there is none or `to` is not an agent.
pub fn next_message(to: SessionId, consume: bool) -> Option<String> {
    if consume {
        state::with_mut(|r| r.consume(to, Some(1)))
            .ok()
            .and_then(|mut m| m.pop())
            .map(|m| m.text)
    } else {
        state::with(|r| r.inbox(to).ok()?.oldest().map(|m| m.text.clone()))
    }
}

/// Wake `agent-wait -m` waiters of session `to`, oldest first, while there
/// are unread messages: one that consumes takes the oldest message (so the
/// next consumer gets the next one, or keeps waiting); one that doesn't is
/// shown the oldest.
pub(super) fn wake_message_waiters(to: SessionId) {
    for (id, consume) in wait::with_set(|w| w.inbox_waiters(to)) {
        match next_message(to, consume) {
            Some(text) => wait::wake(&[id], Some(&text)),
            None => break,
        }
    }
}

fn refresh_members(group: &str) {
    let members: Vec<SessionId> = state::with(|r| {
        r.group(group)
            .map(|g| g.members().collect())
            .unwrap_or_default()
    });
    for m in members {
        session::refresh_status(m);
    }
}

/// The settle time of managed panes, in seconds (`@agent-settle-time`).
pub fn settle_time() -> f64 {
    tmux::options::global("@agent-settle-time")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && (0.0..=1e6).contains(v))
        .unwrap_or(1.0)
}

/// Start the settle timer of managed pane `m`.
pub fn start_settle_timer(m: ManagedId) {
    tmux::timer::after(settle_time(), move || settle_fired(m));
}

fn settle_fired(m: ManagedId) {
    let t = state::layouts_mut(|l| l.settle(m));
    if let Some(t) = t {
        pane_transition(&t);
    }
}

/// The process of pane `%id` exited with `code`.
pub(super) fn pane_exited(id: PaneId, code: i32) {
    let t = state::layouts_mut(|l| l.pane_exited(id, code));
    if let Some(t) = t {
        pane_transition(&t);
    }
    activity::pane_exited(id);
    agent_state::pane_exited(id, code);
    prompt::pane_exited(id);
}

/// Pane `%id` is being destroyed (any path).
pub(super) fn pane_destroyed(id: PaneId) {
    let t = state::layouts_mut(|l| l.pane_destroyed(id));
    if let Some(t) = t {
        pane_transition(&t);
    }
    activity::pane_gone(id);
    agent_state::pane_gone(id);
    typing::pane_destroyed(id);
    prompt::pane_destroyed(id);
}

/// Output (these raw bytes) arrived on pane `%id`.
pub(super) fn pane_output(id: PaneId, bytes: &[u8]) {
    activity::output(id);
    agent_state::output(id, bytes);
}

/// A managed pane changed state: announce it and redraw what shows it.
pub(super) fn pane_transition(t: &Transition) {
    let window = t
        .tmux_pane
        .and_then(pane::window_of)
        .map(|w| w.to_string())
        .unwrap_or_else(|| WindowId::PREFIX.to_string());
    let tmux_pane = t
        .tmux_pane
        .map(|p| p.to_string())
        .unwrap_or_else(|| PaneId::PREFIX.to_string());
    let stage = t.stage.map(|s| format!(" {s}")).unwrap_or_default();
    notify::control(&format!(
        "%agent-pane-state {} {window} {tmux_pane} {}{stage}",
        t.session, t.to
    ));
    let label = state::layouts(|l| l.pane(t.pane).map(|p| p.label.clone())).unwrap_or_default();
    notify::hook(
        "agent-pane-state",
        HookTarget {
            session: Some(t.session),
            pane: t.tmux_pane,
        },
        &[
            ("hook_agent_pane_state", t.to.to_string()),
            ("hook_agent_pane_previous_state", t.from.to_string()),
            (
                "hook_agent_pane_stage",
                t.stage.map(|s| s.to_string()).unwrap_or_default(),
            ),
            ("hook_agent_pane_label", label),
            ("hook_agent_pane_id", t.pane.to_string()),
            ("hook_agent_layout", t.layout.to_string()),
        ],
    );
    if let Some(p) = t.tmux_pane {
        pane::redraw(p);
    }
    session::refresh_status(t.session);
}
