//! `kill-agent-layout [-fq] [-t target]`: remove every pane of a layout and
//! kill its session. The records stay (`list-agent-layouts -a`, `lsap -a`).
//!
//! The panes' git worktrees (`new-agent-layout -w`) are removed as
//! agent-pane-remove removes them (kept when they have uncommitted changes,
//! commits not merged or a lock; `-f` removes the first two anyway), one
//! line each; git runs as jobs while the client waits.

use std::cell::RefCell;
use std::rc::Rc;

use super::layout_util::{resolve_layout, worktree_to_clean};
use super::util::text;
use crate::server;
use crate::server::state;
use crate::server::worktree as git;
use crate::tmux::held::{self, Resume};
use crate::tmux::{pane, session, At, CmdError, CmdResult, CommandSpec, Flow, Item, WAITS};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"kill-agent-layout",
    args: c"fqt:",
    usage: c"[-fq] [-t target]",
    flags: WAITS,
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
    // The current pane of each chain holds the chain's worktree.
    let worktrees: Vec<_> = state::layouts(|l| l.current(id).map(|p| p.id).collect::<Vec<_>>())
        .into_iter()
        .filter_map(|m| Some((m, worktree_to_clean(m)?)))
        .collect();
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
    let killed = format!("{} killed", id);
    if worktrees.is_empty() {
        item.print(&killed);
        return Ok(Flow::Done);
    }
    if !item.can_wait() {
        let kept: Vec<String> = worktrees
            .iter()
            .map(|(_, w)| format!("worktree kept: {} (not able to wait for git here)", w.path))
            .collect();
        item.print(&format!("{killed}\n{}", kept.join("\n")));
        return Ok(Flow::Done);
    }
    let quiet = item.has('q');
    let hold = held::hold(item);
    let lines = Rc::new(RefCell::new(vec![None; worktrees.len()]));
    for (i, (m, wt)) in worktrees.iter().enumerate() {
        let (m, lines, killed) = (*m, lines.clone(), killed.clone());
        git::remove(wt, item.has('f'), move |r| {
            if r.gone {
                git::mark_removed(m);
            }
            let mut all = lines.borrow_mut();
            all[i] = Some(r.message);
            if all.iter().all(Option::is_some) {
                let mut text = vec![killed];
                text.extend(all.iter_mut().filter_map(Option::take));
                drop(all);
                let text = text.join("\n");
                held::resume(
                    hold,
                    if quiet {
                        Resume::Silent
                    } else {
                        Resume::Print(&text)
                    },
                );
            }
        });
    }
    Ok(Flow::Wait)
}
