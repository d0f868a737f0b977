//! `new-agent-layout [-dP] [-c start-directory] [-e role=command]... [-F format]
//! [-g group] [-k idempotency-key] [-s session-name] [-T template]` (alias
//! `newal`): a new session laid out by a template, one managed pane per slot,
//! each titled with its label and tracked through its lifecycle; the session
//! joins group `-g` (default: the session name).
//!
//! Everything that can be checked is checked before anything is created. The
//! panes are then made with upstream's own split-window (so hooks, sizes and
//! shell-command rules are tmux's), starting from a temporary holder pane that
//! is removed once the first managed pane exists. If a pane can't be made
//! (no space for it), the session and layout are undone and the command
//! fails with split-window's message; a start directory that does not exist
//! is the one exception, documented: the layout is made with failed panes.

use std::path::Path;

use agent_tmux::agent::layout::{
    parse_override, CreatePlan, LayoutId, PaneId, DEFAULT_LAYOUT_LIMIT,
};
use agent_tmux::agent::validate;

use super::layout_util::{layout_formats, split_pane, Launch};
use super::util::text;
use crate::server::state;
use crate::server::{self, events};
use crate::tmux::{
    self, options, pane, session, At, CmdError, CmdResult, CommandSpec, Flow, Item, STARTSERVER,
};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"new-agent-layout",
    alias: Some(c"newal"),
    args: c"c:de:F:g:k:Ps:T:",
    usage: c"[-dP] [-c start-directory] [-e role=command] [-F format] [-g group] [-k idempotency-key] [-s session-name] [-T template]",
    flags: STARTSERVER,
    exec,
    ..CommandSpec::BASE
};

/// The border every managed window shows (users may override it with set -w).
const BORDER_FORMAT: &str = " #{agent_pane_label} (#{agent_pane_role}) #{agent_pane_state} ";

/// The live-layout limit (`@agent-layout-limit`).
fn layout_limit() -> usize {
    options::global("@agent-layout-limit")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_LAYOUT_LIMIT)
}

fn exec(item: &mut Item) -> CmdResult {
    let template_name = text(item.value_bytes('T'))?.unwrap_or("1m+2s");
    let template = state::templates(|t| t.get(template_name).cloned())?;
    let mut overrides = Vec::new();
    for e in item.values_bytes('e') {
        let e = text(Some(e))?.unwrap_or_default();
        overrides.push(parse_override(e)?);
    }
    let key = text(item.value_bytes('k'))?;
    let plan = state::layouts(|l| l.plan(&template, &overrides, key, layout_limit()))?;
    if let CreatePlan::Replay(id) = plan {
        return print_created(item, id, true);
    }

    let name = match text(item.value_bytes('s'))? {
        Some(n) => {
            validate::session_name(n)?;
            if session::find_by_name(n).is_some() {
                return Err(CmdError::Failed(format!("duplicate session: {n}")));
            }
            n.to_string()
        }
        None => (1..)
            .map(|n| format!("layout{n}"))
            .find(|n| session::find_by_name(n).is_none())
            .expect("some name is free"),
    };
    let group = text(item.value_bytes('g'))?.unwrap_or(&name).to_string();
    validate::group_name(&group)?;
    // Formats are expanded as upstream's -c does: '#{pane_current_path}'.
    let dir: Option<String> = text(item.value_bytes('c'))?.map(|d| {
        let mut f = item.format();
        f.current();
        f.expand(d)
    });
    let dir = dir.as_deref();
    // A directory that does not exist makes failed panes; one that can't be
    // a directory at all is bad input, refused before anything is made.
    if let Some(d) = dir {
        if d.is_empty() {
            return Err(CmdError::Failed(
                "invalid start directory: empty".to_string(),
            ));
        }
        if d.chars().any(char::is_control) {
            return Err(CmdError::Failed(
                "start directory contains a control character".to_string(),
            ));
        }
    }
    let dir_error = dir
        .filter(|d| !Path::new(d).is_dir())
        .map(|d| format!("start directory does not exist: {d}"));
    let attach = !item.has('d') && item.prepare_attach()?;
    let mut slots = template.slots();
    for (role, command) in &overrides {
        for s in slots.iter_mut().filter(|s| &s.role == role) {
            s.command = Some(command.clone());
        }
    }

    // The session, with a holder pane that is replaced by the managed panes.
    let sid = session::next_id();
    let mut argv = vec!["new-session", "-d", "-s", &name];
    if let Some(d) = dir.filter(|_| dir_error.is_none()) {
        argv.extend(["-c", d]);
    }
    argv.push("cat");
    item.run(At::Current, &argv)?;
    let holder = pane::active_of_session(sid)
        .ok_or_else(|| CmdError::Failed("new session has no pane".to_string()))?;
    let (id, managed) = server::apply_layouts(|l| {
        l.create(sid, &template, &group, key, slots.clone(), tmux::now())
    });
    if let Some(w) = pane::window_of(holder) {
        server::apply_layouts(|l| l.set_window(id, w));
    }

    // Each pane is split from the previous one, so window order is slot order.
    // A pane that can't be made (no space) fails the command, which then
    // makes nothing: events and timers wait until every pane exists.
    let (mut first, mut last) = (None, holder);
    for (slot, &m) in slots.iter().zip(&managed) {
        let _ = item.run(At::Pane(holder), &["select-layout", "tiled"]);
        let launch = match dir_error {
            Some(_) => Launch::Empty,
            None => Launch::Command {
                dir,
                command: slot.command.as_deref(),
            },
        };
        match split_pane(item, last, m, &slot.label, launch) {
            Ok(p) => {
                first.get_or_insert(p);
                last = p;
            }
            Err(e) => {
                server::apply_layouts(|l| l.discard(id));
                let _ = item.run(At::Session(sid), &["kill-session"]);
                return Err(e);
            }
        }
    }
    for &m in &managed {
        match &dir_error {
            Some(e) => {
                server::apply_layouts(|l| l.pane_create_failed(m, e));
            }
            None => events::start_settle_timer(m),
        }
    }
    if first.is_some() {
        let _ = item.run(At::Pane(holder), &["kill-pane"]);
    }
    let anchor = first.unwrap_or(holder);
    arrange(item, anchor, template.layout.as_deref(), template.builtin);

    // Delivered by apply; nothing more to print.
    let _joined = server::apply(|r| {
        r.set_agent(sid, Some("layout"), None, tmux::now())?;
        r.join(sid, &group, tmux::now())
    })?;
    if let Some(e) = dir_error {
        item.error(&format!("layout {}: {e}; its panes are failed", id));
    }
    print_created(item, id, false)?;
    if attach {
        item.attach(sid)?;
    }
    Ok(Flow::Done)
}

/// Lay the window out as the template says and show labels in the borders.
fn arrange(item: &Item, anchor: PaneId, layout: Option<&str>, builtin: bool) {
    let set = |argv: &[&str]| {
        let _ = item.run(At::Pane(anchor), argv);
    };
    if builtin {
        set(&["set-option", "-w", "main-pane-width", "50%"]);
        set(&["set-option", "-w", "main-pane-height", "50%"]);
    }
    // Borders first: they take a line, and the layout must be computed with it.
    set(&["set-option", "-w", "pane-border-status", "top"]);
    set(&["set-option", "-w", "pane-border-format", BORDER_FORMAT]);
    // Without a layout the panes are tiled, as list-agent-templates says.
    set(&["select-layout", layout.unwrap_or("tiled")]);
    set(&["select-pane"]);
}

/// `-P [-F format]` output, or the replay notice.
fn print_created(item: &Item, id: LayoutId, replay: bool) -> CmdResult {
    if item.has('P') {
        let template = text(item.value_bytes('F'))?.unwrap_or("#{agent_layout_id}");
        let line = state::layouts(|l| {
            let lay = l.layout(id)?;
            let mut ft = item.format();
            layout_formats(&mut ft, lay, l.state(id), l.current(id).count());
            ft.add("agent_layout_replay", if replay { "1" } else { "0" });
            Some(ft.expand(template))
        });
        item.print(&line.unwrap_or_default());
    } else if replay {
        let key = state::layouts(|l| l.layout(id).and_then(|x| x.key.clone())).unwrap_or_default();
        item.print(&format!("{} (replay of idempotency key {key})", id));
    }
    Ok(Flow::Done)
}
