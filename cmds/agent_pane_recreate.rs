//! `agent-pane-recreate [-k idempotency-key] [-t target-pane] [shell-command]`:
//! replace a failed, degraded or removed managed pane by a new pane in the
//! same layout, with the same role and label, linked to its predecessor (chain
//! depth + 1, at most 16). The dead predecessor pane, if still shown, is
//! removed. A retry with the same key returns the pane it made.
//!
//! A pane with a git worktree (`new-agent-layout -w`) passes it and its
//! branch on: the successor starts in the same worktree. If the worktree is
//! gone (removed, or deleted by hand), git adds it again from its branch
//! (or, if the branch is gone too, a new branch from the same base) as a
//! job; the successor starts once git is done, or fails (stage worktree).

use agent_tmux::agent::layout::{self, RecreatePlan};

use super::layout_util::{resolve_pane, split_managed, Launch};
use super::util::text;
use crate::server::state;
use crate::server::worktree as git;
use crate::server::{self, events};
use crate::tmux::{self, pane, session, At, CmdError, CmdResult, CommandSpec, Flow, Item};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-pane-recreate",
    args: c"k:qt:",
    upper: 1,
    usage: c"[-q] [-k idempotency-key] [-t target-pane] [shell-command]",
    confirms: true,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let source = resolve_pane(item, text(item.value_bytes('t'))?)?;
    let key = text(item.value_bytes('k'))?;
    let command = text(item.arg_bytes(0))?;
    if let Some(c) = command {
        let role = state::layouts(|l| l.pane(source).map(|p| p.role.clone())).unwrap_or_default();
        layout::command(&role, c)?;
    }
    // A retry names the source again, or (by label) the pane the first try
    // made: a pane of the layout made with the same key is the answer.
    let made = key.and_then(|k| {
        state::layouts(|l| {
            let lay = l.pane(source)?.layout;
            l.panes(lay)
                .find(|p| p.recreate_key.as_deref() == Some(k))
                .map(|p| p.id)
        })
    });
    let plan = match made {
        Some(m) => RecreatePlan::Replay(m),
        None => state::layouts(|l| l.plan_recreate(source, key))?,
    };
    if let RecreatePlan::Replay(m) = plan {
        item.print(&format!(
            "{} (replay of idempotency key {})",
            m,
            key.unwrap_or_default()
        ));
        return Ok(Flow::Done);
    }
    // The old pane is replaced only while it is still the layout's (a
    // released pane runs on as a plain pane elsewhere and is left alone).
    let (layout, old_pane, label, tmux_layout, window) = state::layouts(|l| {
        let p = l.pane(source).expect("resolved");
        let lay = l.layout(p.layout).expect("pane has a layout");
        (
            lay.id,
            p.pane
                .filter(|x| l.by_tmux_pane(*x).is_some_and(|q| q.id == source))
                .filter(|x| pane::exists(*x)),
            p.label.clone(),
            lay.tmux_layout.clone(),
            lay.window,
        )
    });
    let sid = state::layouts(|l| l.layout(layout).map(|x| x.session)).expect("layout exists");
    if !session::exists(sid) {
        return Err(CmdError::Failed(format!(
            "layout {}: its session is gone",
            layout
        )));
    }
    // The successor is made in the layout's window; if that is gone, in the
    // current window of the layout's session, which becomes its window.
    let in_window = window.and_then(|w| pane::in_window(w).first().copied());
    let anchor = old_pane
        .or(in_window)
        .or_else(|| pane::active_of_session(sid))
        .ok_or_else(|| CmdError::Failed("layout has no pane to split".to_string()))?;

    let new = server::apply_layouts(|l| l.recreate(source, command, key, tmux::now()));
    let command = state::layouts(|l| l.pane(new).and_then(|p| p.command.clone()));
    let worktree = state::layouts(|l| l.pane(new).and_then(|p| p.worktree.clone()));
    let present = worktree
        .as_ref()
        .filter(|w| git::present(w))
        .map(|w| w.path.clone());
    let readd = worktree.filter(|_| present.is_none()).map(|mut w| {
        w.removed = false;
        server::apply_layouts(|l| l.set_worktree(new, Some(w.clone())));
        w
    });
    let launch = match (&present, &readd) {
        (_, Some(_)) => Launch::Empty,
        (dir, None) => Launch::Command {
            dir: dir.as_deref(),
            command: command.as_deref(),
        },
    };
    let Some(p) = split_managed(item, anchor, new, &label, launch) else {
        return Err(CmdError::Failed(format!(
            "{}: the new pane could not be created",
            new
        )));
    };
    match &readd {
        Some(w) => git::start_pane(new, p, w, true, || {}),
        None => events::start_settle_timer(new),
    }
    if old_pane.is_none() && in_window.is_none() {
        if let Some(w) = pane::window_of(p) {
            server::apply_layouts(|l| l.set_window(layout, w));
        }
    }
    if let Some(old) = old_pane {
        let _ = item.run(At::Pane(old), &["kill-pane"]);
    }
    if let Some(l) = tmux_layout {
        let _ = item.run(At::Pane(p), &["select-layout", &l]);
    }
    let depth = state::layouts(|l| l.pane(new).map(|x| x.depth)).unwrap_or_default();
    item.print(&format!(
        "{}: recreated {} as pane {p} (depth {depth})",
        new, source
    ));
    Ok(Flow::Done)
}
