//! `agent-report [-I] [-j json] [-t target-pane] event [argument]` (alias
//! `areport`): what an agent CLI's hook runs inside its pane to report an
//! event (a prompt submitted, a tool used, a permission asked, a
//! notification, the turn stopped, the conversation started or ended) as
//! the pane's agent state. `-I` reads the hook's JSON from the client's
//! stdin (through the client, as `load-buffer -` does), `-j` takes it as an
//! argument; the event may then come from its `hook_event_name` (or
//! `type`). The target is the caller's own pane. Prints nothing: hooks'
//! output can be read by the CLI.

use agent_tmux::agent::hooks::parse_report;
use agent_tmux::ids::PaneId;

use super::util::text;
use crate::server::agent_state;
use crate::tmux::{self, CmdError, CmdResult, CommandSpec, Flow, Item, WAITS};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-report",
    alias: Some(c"areport"),
    args: c"Ij:t:",
    upper: 2,
    usage: c"[-I] [-j json] [-t target-pane] [event [argument]]",
    flags: WAITS,
    exec,
    ..CommandSpec::BASE
};

/// The most of a hook's JSON read from stdin (Claude Code's PreToolUse
/// carries whole file contents).
const MAX_STDIN: usize = 16 << 20;

/// The pane reported on: `-t`, or the caller's own.
fn pane(item: &Item, target: Option<&str>) -> Result<PaneId, CmdError> {
    match target {
        Some(t) => item
            .find_pane(Some(t))
            .ok_or_else(|| CmdError::not_found("pane", t)),
        None => item.own_pane().ok_or_else(|| {
            CmdError::Failed("not run from a tmux pane (no $TMUX_PANE): use -t".to_string())
        }),
    }
}

/// Map and deliver one report.
fn deliver(
    pane: PaneId,
    event: Option<&str>,
    arg: Option<&str>,
    json: Option<&str>,
) -> Result<(), String> {
    let report = parse_report(event, arg, json).map_err(|e| e.to_string())?;
    agent_state::report(pane, report).map_err(|e| e.to_string())
}

fn exec(item: &mut Item) -> CmdResult {
    let target = text(item.value_bytes('t'))?;
    let json = text(item.value_bytes('j'))?;
    let event = text(item.arg_bytes(0))?.map(str::to_string);
    let arg = text(item.arg_bytes(1))?.map(str::to_string);
    if item.has('I') && json.is_some() {
        return Err(CmdError::Usage("-I and -j can't be used together"));
    }
    let pane = pane(item, target)?;
    if !item.has('I') {
        deliver(pane, event.as_deref(), arg.as_deref(), json).map_err(CmdError::Failed)?;
        return Ok(Flow::Done);
    }
    item.read_stdin(MAX_STDIN, move |got| {
        let bytes = got?;
        let json =
            String::from_utf8(bytes).map_err(|_| "invalid hook JSON: not UTF-8".to_string())?;
        // An empty stdin is no JSON: the event argument alone.
        let json = (!json.trim().is_empty()).then_some(json);
        if !tmux::pane::exists(pane) {
            return Err(format!("can't find pane: {pane}"));
        }
        deliver(pane, event.as_deref(), arg.as_deref(), json.as_deref())?;
        Ok(String::new())
    })
}
