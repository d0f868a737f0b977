//! `new-session ... [-G agent-type] [-o goal]`: upstream new-session, plus
//! making the new session agent-aware. Every other flag (`-A`, `-P -F`, ...)
//! is upstream's; `-G`/`-o` are checked before anything is created and apply
//! only when a session is actually created (not when `-A` attaches to an
//! existing one). With `-G` or `-o` it is refused for a read-only client.

use super::util::text;
use crate::server;
use crate::tmux::{self, session, CmdError, CmdResult, CommandSpec, Item};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"new-session",
    args: c"G:o:",
    upper: -1,
    usage: c"[-AdDEPX] [-c start-directory] [-e environment] [-F format] [-f flags] [-G agent-type] [-n window-name] [-o goal] [-s session-name] [-t target-session] [-x width] [-y height] [shell-command]",
    wraps_upstream: true,
    confirms: false,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    if !item.has('G') && !item.has('o') {
        return Ok(item.call_upstream());
    }
    // Making an agent changes agent state: refused for a read-only client
    // by any path, as the other agent commands are. Upstream checks only
    // command clients and key bindings, so a read-only control client
    // would otherwise create one.
    if item.client_is_readonly() {
        return Err(CmdError::ReadOnly);
    }
    let agent_type = text(item.value_bytes('G'))?;
    let goal = text(item.value_bytes('o'))?;
    // The new session will get id `next`: record its agent metadata first so
    // that `-P -F '#{agent_type}'` and after-new-session hooks already see it,
    // and drop it again if no session was created (an error, or -A attaching).
    let next = session::next_id();
    server::apply(|r| r.set_agent(next, agent_type, goal, tmux::now()))?;
    let flow = item.call_upstream();
    if flow.is_error() || !session::exists(next) {
        server::apply(|r| r.session_destroyed(next, tmux::now()));
    }
    Ok(flow)
}
