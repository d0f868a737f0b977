//! `agent-prompt [-bfn] [-d delay] [-g group] [-t target-pane] [-T timeout]
//! text` (alias `aprompt`): deliver a prompt to an agent so that it is
//! submitted, with a receipt (`P<n>`): the text as one paste (bracketed when
//! the program asked for it), Enter after `delay` seconds, then the receipt
//! waits to see the agent take it (see [`crate::server::prompt`]). The client
//! waits for `submitted` (or `sent`, for a program with no agent state) and
//! fails with the reason otherwise; `-T` bounds the wait; `-b` prints the
//! receipt id at once. A prompt for a busy agent waits until it is idle
//! (`-n` refuses instead); `-f` overrides every guard. `-g` prompts each idle
//! member of a group, one receipt each. Refused if a human typed into the
//! pane within `@agent-typing-guard` seconds, unless `-f`. Text a profile's
//! CLI would not take literally is refused (`special_text`); control
//! characters other than tab and newline always. `@agent-prompt-paste-size`
//! (default per profile: claude 500) pastes each line in pieces joined by
//! C-j.

use agent_tmux::agent::layout::PaneId;
use agent_tmux::agent::prompt::{piece_chars, special_text, Options, ReceiptId};
use agent_tmux::agent::state::AgentState;
use agent_tmux::agent::validate;

use super::layout_util::resolve_tmux_pane;
use super::util::{text, timeout};
use crate::server::{agent_state, prompt, state, typing};
use crate::tmux::{options, pane, CmdError, CmdResult, CommandSpec, Flow, Item, WAITS};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-prompt",
    alias: Some(c"aprompt"),
    args: c"bd:fg:nt:T:",
    lower: 1,
    upper: 1,
    usage: c"[-bfn] [-d delay] [-g group] [-t target-pane] [-T timeout] text",
    flags: WAITS,
    exec,
    ..CommandSpec::BASE
};

/// Default delay before Enter, seconds (`@agent-prompt-delay`).
const DEFAULT_DELAY: f64 = 1.0;
/// Longest delay before Enter, seconds.
const MAX_DELAY: f64 = 60.0;
/// Default typing guard, seconds (`@agent-typing-guard`).
const DEFAULT_GUARD: f64 = 3.0;
/// Default time from Enter to seeing the agent start, seconds
/// (`@agent-prompt-submit-time`).
const DEFAULT_SUBMIT: f64 = 3.0;
/// Longest submit time, seconds.
const MAX_SUBMIT: f64 = 60.0;

/// Most characters per paste (`@agent-prompt-paste-size`).
const MAX_PIECE: usize = 65536;

/// A number of seconds from 0 to `max`.
fn seconds(text: &str, max: f64) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && (0.0..=max).contains(v))
}

/// A setting in seconds for pane `%id`'s session (else global).
fn setting(id: PaneId, name: &str, default: f64, max: f64) -> f64 {
    let value = match pane::session_of(id) {
        Some(s) => options::session(s, name),
        None => options::global(name),
    };
    value.and_then(|v| seconds(&v, max)).unwrap_or(default)
}

/// The characters per paste for pane `%id` (`@agent-prompt-paste-size`,
/// else its profile's default; 0: the text as one paste).
fn paste_size(id: PaneId, profile: Option<&str>) -> usize {
    let value = match pane::session_of(id) {
        Some(s) => options::session(s, "@agent-prompt-paste-size"),
        None => options::global("@agent-prompt-paste-size"),
    };
    value
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n <= MAX_PIECE)
        .unwrap_or_else(|| piece_chars(profile))
}

fn ms(s: f64) -> u64 {
    (s * 1000.0).round() as u64
}

/// Everything checked before pane `%id` gets `body`; the options to use.
fn check(item: &Item, id: PaneId, body: &str, delay: Option<f64>) -> Result<Options, CmdError> {
    pane::accepts_input(id).map_err(|why| CmdError::Failed(prompt::refused(id, why)))?;
    let force = item.has('f');
    let profile = prompt::profile(id);
    if !force {
        special_text(profile.as_deref(), body).map_err(CmdError::Failed)?;
        let guard = setting(id, "@agent-typing-guard", DEFAULT_GUARD, 86_400.0);
        if let Some(ago) = typing::since_human_key(id) {
            if ago.as_secs_f64() < guard {
                return Err(CmdError::Failed(format!(
                    "a human typed into pane {id} {:.1} seconds ago (typing guard {guard} s): \
                     not prompting; -f to prompt anyway",
                    ago.as_secs_f64()
                )));
            }
        }
    }
    let delay =
        delay.unwrap_or_else(|| setting(id, "@agent-prompt-delay", DEFAULT_DELAY, MAX_DELAY));
    Ok(Options {
        force,
        now_only: item.has('n'),
        delay_ms: ms(delay),
        submit_ms: ms(setting(
            id,
            "@agent-prompt-submit-time",
            DEFAULT_SUBMIT,
            MAX_SUBMIT,
        )),
        guard_ms: ms(setting(id, "@agent-typing-guard", DEFAULT_GUARD, 86_400.0)),
        rescue: true,
        piece_chars: paste_size(id, profile.as_deref()),
    })
}

fn exec(item: &mut Item) -> CmdResult {
    let body = text(item.arg_bytes(0))?.unwrap_or("");
    if let Some((at, c)) = body
        .chars()
        .enumerate()
        .find(|&(_, c)| validate::is_refused_control(c))
    {
        return Err(CmdError::Failed(format!(
            "prompt text contains a control character (U+{:04X} at character {}): \
             an agent would read it as a key; only tab and newline are taken",
            c as u32,
            at + 1
        )));
    }
    validate::prompt(body)?;
    let delay = match text(item.value_bytes('d'))? {
        Some(d) => Some(seconds(d, MAX_DELAY).ok_or_else(|| CmdError::BadValue {
            what: "delay",
            value: d.to_string(),
            allowed: format!("seconds, 0 to {MAX_DELAY}"),
        })?),
        None => None,
    };
    let timeout = timeout(item)?;
    let wait = item.can_wait() && !item.has('b');
    if let Some(group) = text(item.value_bytes('g'))? {
        if item.value_bytes('t').is_some() {
            return Err(CmdError::Usage("-g and -t can't be used together"));
        }
        return to_group(item, group, body, delay, wait, timeout);
    }
    let target = text(item.value_bytes('t'))?;
    let id = resolve_tmux_pane(item, target)?;
    let options = check(item, id, body, delay)?;
    let rid = prompt::submit(id, body.to_string(), None, options).map_err(CmdError::Failed)?;
    if wait {
        prompt::wait_for(item, vec![rid], false, timeout, Vec::new());
        return Ok(Flow::Wait);
    }
    if item.has('b') {
        item.print(&rid.to_string());
    }
    Ok(Flow::Done)
}

/// `-g`: each member session of `group` whose agent is idle (any member with
/// `-f`) gets the prompt in its active pane; one line per member, `ID PANE`
/// (with `-b`) or its final `ID PANE STATE [REASON]` (waiting), and
/// `- PANE skipped: WHY` for a member left out.
fn to_group(
    item: &Item,
    group: &str,
    body: &str,
    delay: Option<f64>,
    wait: bool,
    timeout: Option<f64>,
) -> CmdResult {
    let members: Vec<_> =
        state::with(|r| r.find_group(group).map(|g| g.members().collect::<Vec<_>>()))?;
    let mut lines = Vec::new();
    let mut ids: Vec<ReceiptId> = Vec::new();
    for s in members {
        let Some(p) = pane::active_of_session(s) else {
            continue;
        };
        let gate = agent_state::current(p);
        let idle = matches!(gate, Some((AgentState::Idle, _)));
        if !idle && !item.has('f') {
            let why = match gate {
                None => "not an agent".to_string(),
                Some((st, r)) if r.is_empty() => format!("the agent is {st}"),
                Some((st, r)) => format!("the agent is {st} ({r})"),
            };
            lines.push(format!("- {p} skipped: {why}"));
            continue;
        }
        let made = check(item, p, body, delay)
            .map_err(|e| e.message().unwrap_or_default())
            .and_then(|o| prompt::submit(p, body.to_string(), Some(group.to_string()), o));
        match made {
            Ok(rid) => {
                ids.push(rid);
                lines.push(format!("{rid} {p}"));
            }
            Err(e) => lines.push(format!("- {p} skipped: {e}")),
        }
    }
    if ids.is_empty() {
        return Err(CmdError::Failed(format!(
            "no member of group {group} was prompted{}",
            lines.iter().map(|l| format!("\n{l}")).collect::<String>()
        )));
    }
    if wait {
        let skipped = lines.into_iter().filter(|l| l.starts_with('-')).collect();
        prompt::wait_for(item, ids, true, timeout, skipped);
        return Ok(Flow::Wait);
    }
    for l in &lines {
        item.print(l);
    }
    Ok(Flow::Done)
}
