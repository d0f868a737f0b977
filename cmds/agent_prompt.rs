//! `agent-prompt [-bf] [-d delay] [-t target-pane] text` (alias `aprompt`):
//! type a prompt into an agent's program so that it is submitted: the text
//! as one paste (bracketed when the program asked for it, so multi-line text
//! stays one prompt), then Enter after `delay` seconds. The server never
//! waits; the client does, until Enter is sent (not with `-b`). Refused if a
//! human typed into the pane within `@agent-typing-guard` seconds, unless
//! `-f`.

use agent_tmux::agent::layout::PaneId;
use agent_tmux::agent::validate;

use super::layout_util::resolve_tmux_pane;
use super::util::text;
use crate::server::prompt;
use crate::server::typing;
use crate::tmux::{options, pane, CmdError, CmdResult, CommandSpec, Flow, Item, WAITS};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-prompt",
    alias: Some(c"aprompt"),
    args: c"bd:ft:",
    lower: 1,
    upper: 1,
    usage: c"[-bf] [-d delay] [-t target-pane] text",
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

fn exec(item: &mut Item) -> CmdResult {
    let body = text(item.arg_bytes(0))?.unwrap_or("");
    validate::prompt(body)?;
    let delay = match text(item.value_bytes('d'))? {
        Some(d) => Some(seconds(d, MAX_DELAY).ok_or_else(|| CmdError::BadValue {
            what: "delay",
            value: d.to_string(),
            allowed: format!("seconds, 0 to {MAX_DELAY}"),
        })?),
        None => None,
    };
    let target = text(item.value_bytes('t'))?;
    let id = resolve_tmux_pane(item, target)?;
    pane::accepts_input(id).map_err(|why| CmdError::Failed(prompt::refused(id, why)))?;
    let delay =
        delay.unwrap_or_else(|| setting(id, "@agent-prompt-delay", DEFAULT_DELAY, MAX_DELAY));
    if !item.has('f') {
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
    let wait = item.can_wait() && !item.has('b');
    prompt::enqueue(
        id,
        body.to_string(),
        delay,
        item.has('f'),
        wait.then_some(&*item),
    )
    .map_err(CmdError::Failed)?;
    Ok(if wait { Flow::Wait } else { Flow::Done })
}
