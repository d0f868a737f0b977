//! `new-session ... [-G agent-type] [-o goal]`: upstream new-session, plus
//! making the new session agent-aware. Every other flag (`-A`, `-P -F`, ...)
//! is upstream's; `-G`/`-o` are checked before anything is created and apply
//! only when a session is actually created (not when `-A` attaches to an
//! existing one).

use agent_tmux::agent::validate;

use super::util::{fail, text};
use crate::tmux::{self, session, state, CmdResult, CommandSpec, Flow, Item, Target};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"new-session",
    alias: None,
    args: c"G:o:",
    lower: 0,
    upper: -1,
    usage: c"[-AdDEPX] [-c start-directory] [-e environment] [-F format] [-f flags] [-G agent-type] [-n window-name] [-o goal] [-s session-name] [-t target-session] [-x width] [-y height] [shell-command [argument ...]]",
    target: Target::None,
    flags: 0,
    wraps_upstream: true,
    exec,
};

fn exec(item: &mut Item) -> CmdResult {
    let agent_type = text(item.value_bytes('G'))?;
    let goal = text(item.value_bytes('o'))?;
    if agent_type.is_none() && goal.is_none() {
        return Ok(item.call_upstream());
    }
    if let Some(t) = agent_type {
        validate::agent_type(t).map_err(fail)?;
    }
    if let Some(g) = goal {
        validate::goal(g).map_err(fail)?;
    }
    let (agent_type, goal) = (agent_type.map(str::to_owned), goal.map(str::to_owned));
    let next = session::next_id();
    let flow = item.call_upstream();
    if flow.is_error() || session::next_id() == next || !session::exists(next) {
        return Ok(flow);
    }
    let outcome =
        state::with_mut(|r| r.set_agent(next, agent_type.as_deref(), goal.as_deref(), tmux::now()));
    outcome.map_err(fail)?;
    session::refresh_status(next);
    Ok(flow)
}
