//! `agent-get [-J] [-t target-session] key`: print one value of the group's
//! shared context, alone, for scripts (`v=$(tmux agent-get status)`). `-J`
//! prints the whole entry (value, author, time, version) as JSON.

use agent_tmux::agent::compact_json;

use super::util::{entry_json, target, text};
use crate::server::state;
use crate::tmux::{CmdError, CmdResult, CommandSpec, Flow, Item, Target, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-get",
    args: c"Jt:",
    lower: 1,
    upper: 1,
    usage: c"[-J] [-t target-session] key",
    target: Target::Session,
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let id = target(item)?;
    let key = text(item.arg_bytes(0))?.ok_or(CmdError::Usage("no key given"))?;
    let out = state::with(|r| {
        r.get(id, key).map(|e| {
            if item.has('J') {
                compact_json(&entry_json(key, e))
            } else {
                e.value.as_display()
            }
        })
    })?;
    item.print(&out);
    Ok(Flow::Done)
}
