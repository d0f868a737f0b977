//! `agent-share [-j] [-t target-session] key=value | -k key -v value | -u key`
//! (alias `ashare`): write a key into the shared context of the session's
//! group, visible to every member. A key written again is replaced; `-j` makes
//! the value JSON (validated); `-u` removes a key.

use agent_tmux::agent::{parse_assignment, Value};

use super::util::{target, text};
use crate::server;
use crate::tmux::{self, CmdError, CmdResult, CommandSpec, Flow, Item, Target};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-share",
    alias: Some(c"ashare"),
    args: c"jk:qt:u:v:",
    upper: 1,
    usage: c"[-jq] [-t target-session] key=value | -k key -v value | -u key",
    target: Target::Session,
    confirms: true,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let id = target(item)?;
    let pair = text(item.arg_bytes(0))?;
    let key = text(item.value_bytes('k'))?;
    let value = text(item.value_bytes('v'))?;
    let unset = text(item.value_bytes('u'))?;
    let usage = || CmdError::Usage("give key=value, -k key -v value, or -u key");

    if let Some(k) = unset {
        if pair.is_some() || key.is_some() || value.is_some() || item.has('j') {
            return Err(usage());
        }
        let out = server::apply(|r| r.unshare(id, k, tmux::now()))?;
        item.print(&format!("Removed from group '{}': {}", out.group, out.key));
        return Ok(Flow::Done);
    }
    let json = item.has('j');
    let (k, value) = match (pair, key, value) {
        (Some(p), None, None) => parse_assignment(p, json)?,
        (None, Some(k), Some(v)) => (k, Value::parse(v, json)?),
        (None, Some(_), None) => return Err(CmdError::Usage("-k needs -v value")),
        (None, None, Some(_)) => return Err(CmdError::Usage("-v needs -k key")),
        _ => return Err(usage()),
    };
    let shown = value.as_display();
    let out = server::apply(|r| r.share(id, k, value, tmux::now()))?;
    item.print(&format!(
        "Shared with group '{}': {}={}",
        out.group, out.key, shown
    ));
    Ok(Flow::Done)
}
