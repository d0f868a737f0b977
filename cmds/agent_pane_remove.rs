//! `agent-pane-remove [-fq] [-t target-pane]`: kill a managed pane and keep
//! its record as `removed`. A pane that is already gone is fine.
//!
//! A pane with a git worktree (`new-agent-layout -w`) that no recreate of
//! it took over also loses its worktree and branch, unless the worktree has
//! uncommitted changes or its branch commits not merged into its base, or
//! it is locked: then both are kept and the command says so. `-f` removes
//! a worktree with changes or commits anyway (destructive). Git runs as a
//! job while the client waits.

use super::layout_util::{resolve_pane, worktree_to_clean};
use super::util::text;
use crate::server;
use crate::server::state;
use crate::server::worktree as git;
use crate::tmux::held::{self, Resume};
use crate::tmux::{At, CmdResult, CommandSpec, Flow, Item, WAITS};
use agent_tmux::agent::layout::PaneState;

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-pane-remove",
    args: c"fqt:",
    usage: c"[-fq] [-t target-pane]",
    flags: WAITS,
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
    let wt = worktree_to_clean(m);
    if state_now == PaneState::Removed && wt.is_none() {
        item.print(&format!("{} is already removed", m));
        return Ok(Flow::Done);
    }
    if state_now != PaneState::Removed {
        match pane.filter(|p| crate::tmux::pane::exists(*p)) {
            // Killing the pane makes it removed (through the pane-destroyed hook).
            Some(p) => item.run(At::Pane(p), &["kill-pane"])?,
            None => {
                server::apply_layouts(|l| l.mark_removed(m));
            }
        }
    }
    let done = if state_now == PaneState::Removed {
        format!("{} is already removed", m)
    } else {
        format!("{} removed", m)
    };
    let Some(wt) = wt else {
        item.print(&done);
        return Ok(Flow::Done);
    };
    if !item.can_wait() {
        item.print(&format!(
            "{done}\nworktree kept: {} (not able to wait for git here)",
            wt.path
        ));
        return Ok(Flow::Done);
    }
    let quiet = item.has('q');
    let id = held::hold(item);
    git::remove(&wt, item.has('f'), move |r| {
        if r.gone {
            git::mark_removed(m);
        }
        let text = format!("{done}\n{}", r.message);
        held::resume(
            id,
            if quiet {
                Resume::Silent
            } else {
                Resume::Print(&text)
            },
        );
    });
    Ok(Flow::Wait)
}
