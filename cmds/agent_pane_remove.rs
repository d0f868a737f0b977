//! `agent-pane-remove [-t target-pane]`: kill a managed pane and keep its
//! record as `removed`. A pane that is already gone is fine.

use super::layout_util::resolve_pane;
use super::util::text;
use crate::server;
use crate::server::state;
use crate::tmux::{At, CmdResult, CommandSpec, Flow, Item};
use agent_tmux::agent::layout::PaneState;

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-pane-remove",
    args: c"qt:",
    usage: c"[-q] [-t target-pane]",
    confirms: true,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let m = resolve_pane(item, text(item.value_bytes('t'))?)?;
    let (state_now, pane) = state::layouts(|l| {
        let p = l.pane(m).expect("resolved");
        (p.state, p.pane)
    });
    if state_now == PaneState::Removed {
        item.print(&format!("{} is already removed", m));
        return Ok(Flow::Done);
    }
    match pane.filter(|p| crate::tmux::pane::exists(*p)) {
        // Killing the pane makes it removed (through the pane-destroyed hook).
        Some(p) => item.run(At::Pane(p), &["kill-pane"])?,
        None => {
            server::apply_layouts(|l| l.mark_removed(m));
        }
    }
    item.print(&format!("{} removed", m));
    Ok(Flow::Done)
}
