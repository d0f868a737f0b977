//! `agent-wait [-cim] [-t target] [-T timeout] [key]` (alias `await`): block
//! the calling client (never the server) until a key exists in the target
//! session's group context (at once if it already does; with `-c`, until it
//! is next written; with `-V version`, until it is written after that
//! context version, so a caller that read the version first misses no
//! write) and print its value; with `-i` until the target pane
//! (for a session, its active pane) is idle; with `-m` until the target
//! session's inbox has an unread message, and print it (`-c`: consume it).
//! With `-S state[,state...]` until the target panes (`-t` repeated; a
//! session is its active pane) are in one of those agent states: any of
//! them, or with `-a` all at once; it prints `PANE STATE REASON` for each
//! that is. With `-p id[,id...]` until those prompt deliveries
//! (`agent-prompt` receipts) are finished; it prints `ID PANE STATE
//! [REASON]` for each and fails if one failed. `-T` bounds the wait in
//! seconds.

use agent_tmux::agent::activity::PaneStatus;
use agent_tmux::agent::wait::WaitFor;
use agent_tmux::agent::{validate, AgentError, SessionId};

use super::layout_util::resolve_tmux_pane;
use super::util::{text, timeout};
use crate::server::{activity, agent_state};
use crate::server::{state, wait};
use crate::tmux::{CmdError, CmdResult, CommandSpec, Flow, Item, READONLY, WAITS};
use agent_tmux::agent::state::AgentState;

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-wait",
    alias: Some(c"await"),
    args: c"acimp:S:T:t:V:",
    upper: 1,
    usage: c"[-acim] [-p receipt[,receipt]] [-S state[,state]] [-t target] [-T timeout] [-V version] [key]",
    flags: READONLY | WAITS,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let timeout = timeout(item)?;
    let target = text(item.value_bytes('t'))?;
    let key = text(item.arg_bytes(0))?;
    if item.has('V') && ['i', 'm', 'p', 'S'].iter().any(|&f| item.has(f)) {
        return Err(CmdError::Usage("-V goes only with a key"));
    }
    if let Some(ids) = text(item.value_bytes('p'))? {
        return wait_receipts(item, ids, timeout);
    }
    if let Some(states) = text(item.value_bytes('S'))? {
        return wait_state(item, states, timeout);
    }
    if item.has('a') {
        return Err(CmdError::Usage("-a goes with -S"));
    }
    if item.has('i') && item.has('m') {
        return Err(CmdError::Usage("-i and -m can't be used together"));
    }
    if item.has('i') {
        if key.is_some() || item.has('c') {
            return Err(CmdError::Usage("-i takes no key and no -c"));
        }
        let pane = resolve_tmux_pane(item, target)?;
        if activity::status(pane) != PaneStatus::Busy {
            return Ok(Flow::Done);
        }
        return wait::block(item, WaitFor::Idle { pane }, None, timeout);
    }
    if item.has('m') {
        if key.is_some() {
            return Err(CmdError::Usage("-m takes no key"));
        }
        return wait_message(item, target, timeout);
    }
    let key = key.ok_or(CmdError::Usage("no key given (or use -i or -m)"))?;
    validate::key(key)?;
    let since = since_version(item)?;
    let session = find_session(item, target)?;
    let (group, version, value) = state::with(|r| {
        let g = r.group_of_checked(session)?;
        Ok::<_, AgentError>((
            g.name().to_string(),
            g.version(),
            g.entry(key).map(|e| (e.version, e.value.as_display())),
        ))
    })?;
    match (since, value) {
        (Some(v), _) if v > version => {
            // A later write could carry a version at or below it: refuse
            // rather than wake on a write the caller did not mean.
            return Err(CmdError::Failed(format!(
                "agent-wait: version {v} is ahead of group {group}'s context (version {version})"
            )));
        }
        (Some(v), Some((written, value))) if written > v => {
            item.print(&value);
            return Ok(Flow::Done);
        }
        (None, Some((_, value))) if !item.has('c') => {
            item.print(&value);
            return Ok(Flow::Done);
        }
        _ => {}
    }
    let what = WaitFor::Key {
        group,
        key: key.to_string(),
    };
    wait::block(item, what, Some(session), timeout)
}

/// `-V`: a context version (as `agent-get -J` and `agent-peers -J` print
/// it); it goes with a key and not with `-c`.
fn since_version(item: &Item) -> Result<Option<u64>, CmdError> {
    let Some(v) = text(item.value_bytes('V'))? else {
        return Ok(None);
    };
    if item.has('c') {
        return Err(CmdError::Usage("-V and -c can't be used together"));
    }
    match v.trim().parse::<u64>() {
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(CmdError::BadValue {
            what: "context version",
            value: v.to_string(),
            allowed: "a whole number, 0 or more".to_string(),
        }),
    }
}

/// The session `-t` names (`None`: the current one).
fn find_session(item: &Item, target: Option<&str>) -> Result<SessionId, CmdError> {
    item.find_session(target)
        .ok_or_else(|| CmdError::not_found("session", target.unwrap_or("(current)")))
}

/// `-m`: the oldest unread message of the target session, at once if there
/// is one, else when one arrives; `-c` consumes it.
fn wait_message(item: &Item, target: Option<&str>, timeout: Option<f64>) -> CmdResult {
    let session = find_session(item, target)?;
    let consume = item.has('c');
    if consume && item.client_is_readonly() {
        return Err(CmdError::ReadOnly);
    }
    // The target must be an agent (an error otherwise), then take or show
    // its oldest message as a woken waiter would.
    state::with(|r| r.inbox(session).map(|_| ()))?;
    let now = crate::server::events::next_message(session, consume);
    if let Some(text) = now {
        if consume {
            crate::tmux::session::refresh_status(session);
        }
        item.print(&text);
        return Ok(Flow::Done);
    }
    wait::block(
        item,
        WaitFor::Message { session, consume },
        Some(session),
        timeout,
    )
}

/// `-S`: the target panes to be in one of the states (any, or `-a` all).
fn wait_state(item: &Item, states: &str, timeout: Option<f64>) -> CmdResult {
    if item.has('i') || item.has('m') || item.has('c') || item.arg_bytes(0).is_some() {
        return Err(CmdError::Usage("-S takes no key and no -c, -i or -m"));
    }
    let mut wanted = Vec::new();
    for s in states.split(',') {
        match s.parse::<AgentState>() {
            Ok(st) => wanted.push(st),
            Err(()) => {
                return Err(CmdError::BadValue {
                    what: "agent state",
                    value: s.to_string(),
                    allowed: "starting, working, waiting, idle or exited".to_string(),
                })
            }
        }
    }
    let targets = item.values_bytes('t');
    let mut panes = Vec::new();
    if targets.is_empty() {
        panes.push(resolve_tmux_pane(item, None)?);
    }
    for t in targets {
        let t = text(Some(t))?;
        let p = resolve_tmux_pane(item, t)?;
        if agent_state::current(p).is_none() {
            return Err(CmdError::Failed(format!(
                "agent-wait: pane {p} does not run an agent"
            )));
        }
        if !panes.contains(&p) {
            panes.push(p);
        }
    }
    let all = item.has('a');
    if let Some(lines) = agent_state::wait_satisfied(&panes, &wanted, all) {
        item.print(&lines.join("\n"));
        return Ok(Flow::Done);
    }
    let what = WaitFor::State {
        panes,
        states: wanted,
        all,
    };
    wait::block(item, what, None, timeout)
}

/// `-p`: the receipts named (each must be known) to be finished.
fn wait_receipts(item: &Item, ids: &str, timeout: Option<f64>) -> CmdResult {
    if item.has('i') || item.has('m') || item.has('c') || item.has('S') || item.has('a') {
        return Err(CmdError::Usage(
            "-p takes no key and no -a, -c, -i, -m or -S",
        ));
    }
    if item.arg_bytes(0).is_some() || item.value_bytes('t').is_some() {
        return Err(CmdError::Usage("-p takes no key and no -t"));
    }
    let mut wanted = Vec::new();
    for s in ids.split(',') {
        let id = s
            .parse::<agent_tmux::agent::prompt::ReceiptId>()
            .map_err(|_| CmdError::Failed(format!("invalid prompt receipt: {s}")))?;
        if crate::server::prompt::get(id).is_none() {
            return Err(CmdError::not_found("prompt receipt", s));
        }
        wanted.push(id);
    }
    if !item.can_wait() {
        return Err(CmdError::Failed(
            "agent-wait: not able to wait here (no client of its own)".to_string(),
        ));
    }
    crate::server::prompt::wait_for(item, wanted, true, timeout, Vec::new());
    Ok(Flow::Wait)
}
