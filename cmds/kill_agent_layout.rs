//! `kill-agent-layout [-t target]`: remove every pane of a layout and kill
//! its session. The records stay (`list-agent-layouts -a`, `lsap -a`).

use super::layout_util::resolve_layout;
use super::util::text;
use crate::server;
use crate::server::state;
use crate::tmux::{pane, session, At, CmdError, CmdResult, CommandSpec, Flow, Item};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"kill-agent-layout",
    args: c"qt:",
    usage: c"[-q] [-t target]",
    confirms: true,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let id = resolve_layout(item, text(item.value_bytes('t'))?)?;
    let (live, sid) = state::layouts(|l| (l.is_live(id), l.layout(id).map(|x| x.session)));
    if !live {
        return Err(CmdError::Failed(format!(
            "layout {} is already removed",
            id
        )));
    }
    let sid = sid.expect("layout exists");
    if session::exists(sid) {
        // Destroying the session destroys every pane: each becomes removed.
        item.run(At::Session(sid), &["kill-session"])?;
    }
    // Unless its window lives on in another session, which the layout
    // passed to: its panes are killed there.
    for p in state::layouts(|l| l.tmux_panes(id)) {
        if pane::exists(p) {
            let _ = item.run(At::Pane(p), &["kill-pane"]);
        }
    }
    // Panes that never got a tmux pane are removed here.
    server::apply_layouts(|l| l.remove_layout(id));
    item.print(&format!("{} killed", id));
    Ok(Flow::Done)
}
