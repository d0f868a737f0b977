//! `agent-pane-remove [-t target-pane]`: kill a managed pane and keep its
//! record as `removed`. A pane that is already gone is fine.

use super::layout_util::{mid, resolve_pane};
use super::util::text;
use crate::server;
use crate::server::state;
use crate::tmux::{At, CmdResult, CommandSpec, Flow, Item, Target};
use agent_tmux::agent::layout::PaneState;

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-pane-remove",
    alias: None,
    args: c"qt:",
    lower: 0,
    upper: 0,
    usage: c"[-q] [-t target-pane]",
    target: Target::None,
    flags: 0,
    wraps_upstream: false,
    confirms: true,
    exec,
};

fn exec(item: &mut Item) -> CmdResult {
    let m = resolve_pane(item, text(item.value_bytes('t'))?)?;
    let (state_now, pane) = state::layouts(|l| {
        let p = l.pane(m).expect("resolved");
        (p.state, p.pane)
    });
    if state_now == PaneState::Removed {
        item.print(&format!("{} is already removed", mid(m)));
        return Ok(Flow::Done);
    }
    match pane.filter(|p| crate::tmux::pane::exists(*p)) {
        // Killing the pane makes it removed (through the pane-destroyed hook).
        Some(p) => item.run(At::Pane(p), &["kill-pane"])?,
        None => {
            server::apply_layouts(|l| l.mark_removed(m));
        }
    }
    item.print(&format!("{} removed", mid(m)));
    Ok(Flow::Done)
}
