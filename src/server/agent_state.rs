//! Agent state of panes (issue 13): which panes run an agent, what each is
//! doing ([`agent_tmux::agent::state`]) and the one place that delivers a
//! change ([`deliver`]).
//!
//! A pane runs an agent when its session is an agent session (`-G`), when
//! a profile is chosen for it (by the session's agent type or the pane's
//! command), or when it reports (`agent-report`, hooks). Everything else is a
//! plain program: it keeps today's busy/idle (`#{agent_pane_status}`) and
//! its `#{agent_state}` is empty.
//!
//! Nothing polls. Output arriving on an agent pane (the facade's
//! `input_parse_pane` wrap hands over the raw bytes before tmux parses them)
//! is scanned for OSC 7501/9/777 and bells, and arms one cancellable timer
//! (the profile's debounce); when it fires, the bottom lines of the pane's
//! own screen, its title and its bracketed-paste mode are read through the
//! facade and matched against the profile's rules. Busy/idle transitions
//! ([`super::activity`]), exits, respawns and hook reports come in too.

use std::collections::HashMap;

use agent_tmux::agent::state::scan::{Scanner, Signal};
use agent_tmux::agent::state::{
    aggregate, parse_osc7501, AgentState, Change, PaneAgent, Profile, Report, ScreenView, Source,
};
use agent_tmux::agent::wait::WaitFor;
use agent_tmux::ids::{PaneId, SessionId};

use super::{state, wait};
use crate::tmux::notify::{self, HookTarget};
use crate::tmux::timer::Timer;
use crate::tmux::{pane, session};

/// How long a pane found to run a plain program is not looked at again
/// (its command is read from /proc at most this often), in ms.
const PLAIN_RECHECK_MS: u64 = 1000;

/// One agent pane.
pub struct Tracked {
    agent: PaneAgent,
    scanner: Scanner,
    /// The pending screen evaluation (dropping it cancels it).
    timer: Option<Timer>,
    /// The pane reported through hooks (it stays an agent pane).
    reported: bool,
}

/// Every agent pane, and when plain panes were last looked at.
#[derive(Default)]
pub struct AgentPanes {
    panes: HashMap<PaneId, Tracked>,
    plain: HashMap<PaneId, u64>,
}

/// What a pane's agent state is, for formats and lists.
#[derive(Debug, Clone)]
pub struct Info {
    pub state: AgentState,
    pub reason: String,
    /// Unix time (seconds) the pane entered the state.
    pub since: i64,
    pub source: Source,
    pub profile: Option<String>,
    pub conversation_id: Option<String>,
}

thread_local! {
    /// The unix time (ms) of the origin of the server's ms clock, fixed the
    /// first time it is needed, so a time converts the same way each time.
    static ORIGIN_MS: i64 = {
        let unix_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        unix_ms - state::now_ms() as i64
    };
}

/// Convert a time on the server's ms clock to unix seconds.
fn unix_time(ms: u64) -> i64 {
    ORIGIN_MS.with(|o| (o + ms as i64).div_euclid(1000))
}

/// The session of pane `%id` (an agent session if one shows it) and that
/// session's agent type.
fn session_and_type(id: PaneId) -> (Option<SessionId>, Option<String>) {
    let sid = pane::session_of_preferring(id, |s| state::with(|r| r.agent(s).is_some()));
    let ty = sid.and_then(|s| state::with(|r| r.agent(s).map(|a| a.agent_type.clone())));
    (sid, ty)
}

/// The name of the profile for pane `%id` now, and whether it is in an
/// agent session.
fn choose(id: PaneId) -> (Option<String>, bool) {
    let (_, ty) = session_and_type(id);
    let names = pane::command_names(id);
    let p = state::profiles(|ps| ps.choose(ty.as_deref(), &names).map(|p| p.name.clone()));
    (p, ty.is_some())
}

/// Run `f` with the profile called `name` (if any).
fn with_profile<T>(name: Option<&str>, f: impl FnOnce(Option<&Profile>) -> T) -> T {
    state::profiles(|ps| f(name.and_then(|n| ps.get(n))))
}

/// Is pane `%id` an agent pane? Plain panes are looked at again at most
/// every [`PLAIN_RECHECK_MS`] (their command may change to an agent CLI).
fn ensure(id: PaneId, now: u64) -> bool {
    let known = state::agent_panes(|a| {
        if a.panes.contains_key(&id) {
            Some(true)
        } else {
            a.plain
                .get(&id)
                .filter(|&&t| now.saturating_sub(t) < PLAIN_RECHECK_MS)
                .map(|_| false)
        }
    });
    if let Some(k) = known {
        return k;
    }
    if !pane::exists(id) {
        return false;
    }
    let (profile, agent_session) = choose(id);
    if profile.is_none() && !agent_session {
        state::agent_panes(|a| a.plain.insert(id, now));
        return false;
    }
    track(id, profile.as_deref(), now);
    true
}

fn track(id: PaneId, profile: Option<&str>, now: u64) {
    let agent = with_profile(profile, |p| PaneAgent::new(now, p));
    state::agent_panes(|a| {
        a.plain.remove(&id);
        a.panes.insert(
            id,
            Tracked {
                agent,
                scanner: Scanner::default(),
                timer: None,
                reported: false,
            },
        )
    });
}

/// The agent state of pane `%id`, or `None` for a plain program (or no pane).
pub fn current(id: PaneId) -> Option<(AgentState, String)> {
    info(id).map(|i| (i.state, i.reason))
}

/// Everything known about pane `%id`'s agent state.
pub fn info(id: PaneId) -> Option<Info> {
    if !ensure(id, state::now_ms()) {
        return None;
    }
    state::agent_panes(|a| {
        let t = a.panes.get(&id)?;
        let c = t.agent.current();
        Some((
            c.clone(),
            t.agent.profile.clone(),
            t.agent.conversation_id.clone(),
        ))
    })
    .map(|(c, profile, conversation_id)| Info {
        state: c.state,
        reason: c.reason,
        since: unix_time(c.since),
        source: c.source,
        profile,
        conversation_id,
    })
}

/// The aggregate state of session `$id`'s agent panes (waiting > working >
/// starting > idle > exited), with the reason and since of the pane that
/// decided it; `None` if it has none.
pub fn session_state(id: SessionId) -> Option<Info> {
    let infos: Vec<Info> = session::panes(id).into_iter().filter_map(info).collect();
    let best = aggregate(infos.iter().map(|i| i.state))?;
    infos.into_iter().find(|i| i.state == best)
}

/// How many agent panes are waiting for a human, server-wide.
pub fn waiting_count() -> usize {
    state::agent_panes(|a| {
        a.panes
            .values()
            .filter(|t| t.agent.current().state == AgentState::Waiting)
            .count()
    })
}

/// Why a report is refused.
// Used by `agent-report` (the hooks command, merged from wt-hooks).
#[allow(dead_code)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// No such pane.
    NoPane(PaneId),
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::NoPane(p) => write!(f, "no such pane: {p}"),
        }
    }
}

/// A report from the agent CLI's hooks in pane `%id` (the most exact
/// source). The pane becomes an agent pane if it was not one. Time is the
/// server's own clock (reports are events happening now).
// Called by `agent-report` (the hooks command, merged from wt-hooks).
#[allow(dead_code)]
pub fn report(id: PaneId, report: Report) -> Result<(), ReportError> {
    if !pane::exists(id) {
        return Err(ReportError::NoPane(id));
    }
    let now = state::now_ms();
    if !ensure(id, now) {
        let (profile, _) = choose(id);
        track(id, profile.as_deref(), now);
    }
    let (change, new_conversation) = state::agent_panes(|a| {
        let Some(t) = a.panes.get_mut(&id) else {
            return (None, false);
        };
        t.reported = true;
        let before = t.agent.conversation_id.clone();
        let change = t.agent.report(&report, now);
        (change, t.agent.conversation_id != before)
    });
    // The persistent store keeps each agent pane's conversation id.
    if new_conversation {
        super::store::changed();
    }
    if let Some(c) = change {
        deliver(id, &c);
    }
    Ok(())
}

/// The conversation id an agent pane's hooks reported, if it is tracked
/// (a cheap lookup, for the persistent store's capture: it never starts
/// tracking a pane).
pub fn reported_conversation(id: PaneId) -> Option<String> {
    state::agent_panes(|a| a.panes.get(&id)?.agent.conversation_id.clone())
}

/// Output arrived on pane `%id` (these bytes, not yet parsed by tmux).
pub(super) fn output(id: PaneId, bytes: &[u8]) {
    let now = state::now_ms();
    if !ensure(id, now) {
        return;
    }
    // Output that came before the pane was known (or while its busy period
    // began) counts as activity all the same.
    let busy = super::activity::status(id) == agent_tmux::agent::activity::PaneStatus::Busy;
    let synced = state::agent_panes(|a| {
        let t = a.panes.get_mut(&id)?;
        (t.agent.is_busy() != busy).then(|| t.agent.activity(busy, now))?
    });
    if let Some(c) = synced {
        deliver(id, &c);
    }
    let signals = state::agent_panes(|a| {
        let t = a.panes.get_mut(&id)?;
        let mut out = Vec::new();
        t.scanner.feed(bytes, true, &mut out);
        Some(out)
    })
    .unwrap_or_default();
    for s in signals {
        signal(id, s, now);
    }
    arm(id);
}

/// An escape sequence found in pane `%id`'s output.
fn signal(id: PaneId, s: Signal, now: u64) {
    let change = state::agent_panes(|a| {
        let t = a.panes.get_mut(&id)?;
        match s {
            Signal::State(payload) => match parse_osc7501(&payload)? {
                Some(obs) => t.agent.observe(Source::Osc, Some(obs), now),
                None => t.agent.observe(Source::Osc, None, now),
            },
            Signal::Notify(_) => t.agent.event(
                Source::Notification,
                AgentState::Waiting,
                "notification",
                now,
            ),
            Signal::Bell => t
                .agent
                .event(Source::Notification, AgentState::Waiting, "bell", now),
        }
    });
    if let Some(c) = change {
        deliver(id, &c);
    }
}

/// Arm pane `%id`'s screen evaluation unless it is pending.
fn arm(id: PaneId) {
    let debounce = state::agent_panes(|a| {
        let t = a.panes.get(&id)?;
        if t.timer.is_some() {
            return None;
        }
        Some(t.agent.profile.clone())
    });
    let Some(profile) = debounce else {
        return;
    };
    let ms = profile
        .and_then(|p| state::profiles(|ps| ps.get(&p).map(|p| p.debounce_ms)))
        .unwrap_or(agent_tmux::agent::state::profile::DEFAULT_DEBOUNCE_MS);
    let timer = Timer::start(ms as f64 / 1000.0, move || evaluate(id));
    state::agent_panes(|a| {
        if let Some(t) = a.panes.get_mut(&id) {
            t.timer = timer;
        }
    });
}

/// Read pane `%id`'s screen, title and modes and apply its profile's rules.
fn evaluate(id: PaneId) {
    // Take the timer out first (it is the one firing; dropped after).
    let fired = state::agent_panes(|a| a.panes.get_mut(&id).and_then(|t| t.timer.take()));
    drop(fired);
    if !pane::exists(id) || pane::exited(id) {
        return;
    }
    let now = state::now_ms();
    // The program may have changed (a shell started claude).
    let (chosen, _) = choose(id);
    let mut changes = Vec::new();
    let profile = state::agent_panes(|a| {
        let t = a.panes.get_mut(&id)?;
        if t.agent.profile != chosen && (chosen.is_some() || !t.reported) {
            let c = with_profile(chosen.as_deref(), |p| t.agent.set_profile(p, now));
            changes.extend(c);
        }
        Some(t.agent.profile.clone())
    });
    let Some(profile) = profile else {
        return;
    };
    let paste = pane::bracketed_paste(id);
    let read = profile.and_then(|name| {
        let lines_wanted = state::profiles(|ps| ps.get(&name).map(|p| p.lines))?;
        let lines = pane::bottom_lines(id, lines_wanted);
        let title = pane::title(id);
        state::profiles(|ps| {
            let p = ps.get(&name)?;
            let view = ScreenView {
                lines: &lines,
                title: &title,
            };
            Some((p.read_screen(&view), p.read_title(&title)))
        })
    });
    state::agent_panes(|a| {
        if let Some(t) = a.panes.get_mut(&id) {
            changes.extend(t.agent.paste(paste, now));
            if let Some((screen, title)) = read {
                changes.extend(t.agent.observe(Source::Screen, screen, now));
                changes.extend(t.agent.observe(Source::Title, title, now));
            }
        }
    });
    for c in changes {
        deliver(id, &c);
    }
    // Prompt receipts also read the input box on every screen evaluation.
    super::prompt::agent_changed(id);
}

/// Pane `%id`'s output activity changed (busy or not).
pub(super) fn activity_changed(id: PaneId, busy: bool) {
    let now = state::now_ms();
    let change = state::agent_panes(|a| a.panes.get_mut(&id)?.agent.activity(busy, now));
    if let Some(c) = change {
        deliver(id, &c);
    }
}

/// The process of pane `%id` exited with `code`.
pub(super) fn pane_exited(id: PaneId, code: i32) {
    let now = state::now_ms();
    let change = state::agent_panes(|a| {
        let t = a.panes.get_mut(&id)?;
        drop(t.timer.take());
        t.agent.exited(code, now)
    });
    if let Some(c) = change {
        deliver(id, &c);
    }
}

/// Pane `%id` was respawned: its agent (if any) starts again.
pub(super) fn pane_respawned(id: PaneId) {
    let now = state::now_ms();
    let (profile, agent_session) = choose(id);
    let known = state::agent_panes(|a| {
        a.plain.remove(&id);
        a.panes.contains_key(&id)
    });
    if !known && profile.is_none() && !agent_session {
        return;
    }
    if !known {
        track(id, profile.as_deref(), now);
        return;
    }
    let change = state::agent_panes(|a| {
        let t = a.panes.get_mut(&id)?;
        drop(t.timer.take());
        t.scanner = Scanner::default();
        t.reported = false;
        with_profile(profile.as_deref(), |p| t.agent.restart(now, p))
    });
    if let Some(c) = change {
        deliver(id, &c);
    }
}

/// Pane `%id` is going away: forget it; its state waiters fail.
pub(super) fn pane_gone(id: PaneId) {
    let gone = state::agent_panes(|a| {
        a.plain.remove(&id);
        a.panes.remove(&id)
    });
    drop(gone);
    let ids = wait::with_set(|s| s.take_state_pane(id));
    wait::fail(&ids, &format!("agent-wait: pane {id} is gone"));
}

/// The one place a change of an agent pane's state is delivered: the
/// control-mode notification `%agent-state-changed %PANE $SESSION STATE
/// REASON`, the hook `agent-state-changed`, status lines and pane borders,
/// `agent-wait -S` waiters, then the modules that react to it
/// ([`call_outs`]).
fn deliver(id: PaneId, change: &Change) {
    let (sid, _) = session_and_type(id);
    let session_id = sid
        .map(|s| s.to_string())
        .unwrap_or_else(|| SessionId::PREFIX.to_string());
    notify::control(&format!(
        "%agent-state-changed {id} {session_id} {} {}",
        change.to, change.reason
    ));
    notify::hook(
        "agent-state-changed",
        HookTarget {
            session: sid,
            pane: Some(id),
        },
        &[
            ("hook_agent_state", change.to.to_string()),
            ("hook_agent_state_reason", change.reason.clone()),
            ("hook_agent_previous_state", change.from.to_string()),
            ("hook_agent_state_source", change.source.to_string()),
        ],
    );
    pane::redraw(id);
    if change.from == AgentState::Waiting || change.to == AgentState::Waiting {
        // #{agent_waiting_count} may be on any status line.
        session::refresh_all_status();
    } else if let Some(s) = sid {
        session::refresh_status(s);
    }
    wake_state_waiters(id);
    call_outs(id, change);
}

/// Modules that react to agent state changes, called last by [`deliver`]
/// (prompt receipts hook in here).
fn call_outs(id: PaneId, change: &Change) {
    let _ = change;
    super::prompt::agent_changed(id);
}

/// Whether `what` (a state waiter) holds now; the lines to print if so.
fn holds(what: &WaitFor) -> Option<Vec<String>> {
    let WaitFor::State { panes, states, all } = what else {
        return None;
    };
    let mut lines = Vec::new();
    for p in panes {
        let cur = current(*p);
        match cur {
            Some((s, r)) if states.contains(&s) => lines.push(format!("{p} {s} {r}")),
            _ if *all => return None,
            _ => {}
        }
    }
    (!lines.is_empty()).then_some(lines)
}

/// Whether a state wait on `panes` for `states` is already satisfied: the
/// lines `agent-wait -S` prints.
pub fn wait_satisfied(panes: &[PaneId], states: &[AgentState], all: bool) -> Option<Vec<String>> {
    holds(&WaitFor::State {
        panes: panes.to_vec(),
        states: states.to_vec(),
        all,
    })
}

fn wake_state_waiters(id: PaneId) {
    for (wid, what) in wait::with_set(|s| s.state_waiters(id)) {
        if let Some(lines) = holds(&what) {
            wait::wake(&[wid], Some(&lines.join("\n")));
        }
    }
}
