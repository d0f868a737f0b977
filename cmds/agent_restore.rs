//! `agent-restore [-n]`: bring back what the persistent store kept from the
//! previous server on this socket: user templates, managed layouts (each
//! current pane relaunched in its start directory, with its CLI's resume
//! command when its conversation id is known), agent sessions (created when
//! missing; a session that exists by name gets its agent state attached),
//! their inboxes, and the groups with their context. `-n` prints what would
//! be done and changes nothing. Restored layouts show
//! `#{agent_layout_restored}` = 1.
//!
//! The store's thread reads the file when the server starts; if it has not
//! finished yet, the command waits (held) and goes on when it has.

use agent_tmux::agent::layout::{Slot, Template};
use agent_tmux::agent::saved::{resume_command, Saved, SavedLayout};
use agent_tmux::agent::validate;
use agent_tmux::ids::SessionId;

use super::layout_util::{split_pane, Launch};
use crate::server::{self, events, state, store};
use crate::tmux::held::{self, Resume};
use crate::tmux::{
    self, pane, session, At, CmdError, CmdResult, CommandSpec, Flow, Item, STARTSERVER,
};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-restore",
    args: c"n",
    usage: c"[-n]",
    flags: STARTSERVER,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    if item.client_is_readonly() {
        return Err(CmdError::ReadOnly);
    }
    let dry = item.has('n');
    if store::with_loaded(|_| ()).is_some() || !store::active() {
        let (ok, lines) = restore(item, dry);
        for l in &lines {
            if ok {
                item.print(l);
            }
        }
        return if ok {
            Ok(Flow::Done)
        } else {
            Err(CmdError::Failed(lines.join("; ")))
        };
    }
    let id = held::hold(item);
    store::when_loaded(Box::new(move || {
        let done = held::with_item(id, |item| restore(item, dry));
        match done {
            Some((true, lines)) => held::resume(id, Resume::Print(&lines.join("\n"))),
            Some((false, lines)) => held::resume(id, Resume::Error(&lines.join("; "))),
            None => held::resume(id, Resume::Silent),
        };
    }));
    Ok(Flow::Wait)
}

/// Do it (or say what would be done); whether it succeeded, and the lines.
fn restore(item: &Item, dry: bool) -> (bool, Vec<String>) {
    let Some((saved, unclean, problem)) =
        store::with_loaded(|l| (l.saved.clone(), l.unclean, l.problem.clone()))
    else {
        return (
            false,
            vec!["agent-restore: persistent store is off (@agent-store)".into()],
        );
    };
    if let Some(p) = problem.filter(|p| !p.contains("read-only") || saved == Saved::default()) {
        if saved == Saved::default() {
            return (false, vec![format!("agent-restore: {p}")]);
        }
    }
    let mut lines = Vec::new();
    let mut saved = saved;
    if unclean {
        // Numbers given within the bound before the crash may be lost:
        // go on well above them so none is given twice.
        for g in &mut saved.groups {
            g.version = g.version.saturating_add(store::CRASH_GAP);
        }
        for a in &mut saved.agents {
            a.last_seq = a.last_seq.saturating_add(store::CRASH_GAP);
        }
    }
    let verb = |done: &str, would: &str| {
        if dry {
            would.to_string()
        } else {
            done.to_string()
        }
    };
    // Templates first: layouts may use them.
    for t in &saved.templates {
        let specs: Vec<&str> = t.specs.iter().map(String::as_str).collect();
        match Template::parse(&t.name, t.layout.as_deref(), &specs) {
            Ok(tp) => {
                lines.push(format!(
                    "{} template {}",
                    verb("restored", "would restore"),
                    t.name
                ));
                if !dry {
                    let _ = state::templates_mut(|x| x.define(tp, true));
                }
            }
            Err(e) => lines.push(format!("skipped template {}: {e}", t.name)),
        }
    }
    let mut restored_layouts = Vec::new();
    let layout_sessions: Vec<&str> = saved.layouts.iter().map(|l| l.session.as_str()).collect();
    for l in &saved.layouts {
        if session::find_by_name(&l.session).is_some() {
            lines.push(format!("skipped layout {}: session exists", l.session));
            continue;
        }
        let n = l.current().count();
        lines.push(format!(
            "{} layout {} ({n} panes)",
            verb("restored", "would restore"),
            l.session
        ));
        if dry {
            for p in l.current() {
                lines.push(format!(
                    "  {}: {}",
                    p.label,
                    launch_of(p.command.as_deref(), p.conversation_id.as_deref())
                        .unwrap_or_else(|| "default shell".into())
                ));
            }
            continue;
        }
        match make_layout(item, l) {
            Ok(id) => restored_layouts.push(id),
            Err(_) => lines.push(format!("layout {}: can't be created", l.session)),
        }
    }
    // Agent sessions, in their old order: missing ones are made.
    let mut targets: Vec<(SessionId, usize)> = Vec::new();
    for (i, a) in saved.agents.iter().enumerate() {
        let is_layout = layout_sessions.contains(&a.name.as_str());
        match session::find_by_name(&a.name) {
            Some(id) => {
                if is_layout || dry {
                    if !is_layout {
                        lines.push(format!("would attach agent state to session {}", a.name));
                    }
                } else {
                    lines.push(format!("attached agent state to session {}", a.name));
                }
                targets.push((id, i));
            }
            None if is_layout => {}
            None if dry => lines.push(format!("would restore session {}", a.name)),
            None => {
                if validate::session_name(&a.name).is_err() {
                    lines.push(format!("skipped session {}: bad name", a.name));
                    continue;
                }
                let sid = session::next_id();
                let mut argv = vec!["new-session", "-d", "-s", a.name.as_str()];
                let dir = a
                    .start_dir
                    .as_deref()
                    .filter(|d| std::path::Path::new(d).is_dir());
                if let Some(d) = dir {
                    argv.extend(["-c", d]);
                }
                match item.run(At::Current, &argv) {
                    Ok(()) if session::exists(sid) => {
                        lines.push(format!("restored session {}", a.name));
                        targets.push((sid, i));
                    }
                    _ => lines.push(format!("session {}: can't be created", a.name)),
                }
            }
        }
    }
    if dry {
        for g in &saved.groups {
            lines.push(format!(
                "would restore group {} ({} members, version {}, {} keys)",
                g.name,
                g.members.len(),
                g.version,
                g.context.len()
            ));
        }
        if lines.is_empty() {
            lines.push("nothing to restore".into());
        }
        return (true, lines);
    }
    let agents: Vec<_> = targets
        .iter()
        .map(|&(id, i)| (id, &saved.agents[i]))
        .collect();
    let groups: Vec<_> = saved.groups.iter().collect();
    let out = server::apply(|r| {
        // A layout session made just now got a placeholder agent record:
        // its saved one takes its place.
        for &(id, a) in &agents {
            if layout_sessions.contains(&a.name.as_str()) {
                let _ = r.session_destroyed(id, tmux::now());
            }
        }
        r.restore(&agents, &groups, session::find_by_name)
    });
    for g in &out.groups {
        lines.push(format!("restored group {g}"));
    }
    lines.extend(out.skipped.iter().map(|s| format!("skipped: {s}")));
    for id in &out.agents {
        session::refresh_status(*id);
    }
    store::restored(restored_layouts);
    if lines.is_empty() {
        lines.push("nothing to restore".into());
    }
    (true, lines)
}

/// The command a pane is relaunched with: its CLI's resume command when
/// its conversation is known, else its launch command.
fn launch_of(command: Option<&str>, conversation: Option<&str>) -> Option<String> {
    let command = command?;
    Some(
        conversation
            .and_then(|c| resume_command(command, c))
            .unwrap_or_else(|| command.to_string()),
    )
}

/// Make layout `l` again: its session, one managed pane per current pane.
fn make_layout(
    item: &Item,
    l: &SavedLayout,
) -> Result<agent_tmux::agent::layout::LayoutId, CmdError> {
    let template = state::templates(|t| t.get(&l.template).cloned()).unwrap_or(Template {
        name: l.template.clone(),
        layout: l.tmux_layout.clone(),
        roles: Vec::new(),
        builtin: false,
        worktree: false,
    });
    let panes: Vec<_> = l.current().collect();
    let slots: Vec<Slot> = panes
        .iter()
        .map(|p| Slot {
            role: p.role.clone(),
            label: p.label.clone(),
            command: launch_of(p.command.as_deref(), p.conversation_id.as_deref()),
        })
        .collect();
    let sid = session::next_id();
    let first_dir = panes
        .iter()
        .filter_map(|p| p.start_dir.as_deref())
        .find(|d| std::path::Path::new(d).is_dir());
    let mut argv = vec!["new-session", "-d", "-s", l.session.as_str()];
    if let Some(d) = first_dir {
        argv.extend(["-c", d]);
    }
    argv.push("cat");
    item.run(At::Current, &argv)?;
    let holder = pane::active_of_session(sid)
        .ok_or_else(|| CmdError::Failed("new session has no pane".to_string()))?;
    let (id, managed) = server::apply_layouts(|x| {
        x.create(
            sid,
            &template,
            &l.group,
            l.key.as_deref(),
            slots.clone(),
            tmux::now(),
        )
    });
    if let Some(w) = pane::window_of(holder) {
        server::apply_layouts(|x| x.set_window(id, w));
    }
    let (mut first, mut last) = (None, holder);
    for ((slot, &m), p) in slots.iter().zip(&managed).zip(&panes) {
        let _ = item.run(At::Pane(holder), &["select-layout", "tiled"]);
        let dir = p
            .start_dir
            .as_deref()
            .filter(|d| std::path::Path::new(d).is_dir());
        let launch = Launch::Command {
            dir,
            command: slot.command.as_deref(),
        };
        match split_pane(item, last, m, &slot.label, launch) {
            Ok(x) => {
                first.get_or_insert(x);
                last = x;
                events::start_settle_timer(m);
            }
            Err(_) => {
                server::apply_layouts(|x| x.pane_create_failed(m, "split-window failed"));
            }
        }
    }
    if first.is_some() {
        let _ = item.run(At::Pane(holder), &["kill-pane"]);
    }
    let anchor = first.unwrap_or(holder);
    let set = |argv: &[&str]| {
        let _ = item.run(At::Pane(anchor), argv);
    };
    set(&["set-option", "-w", "pane-border-status", "top"]);
    set(&[
        "set-option",
        "-w",
        "pane-border-format",
        " #{agent_pane_label} (#{agent_pane_role}) #{agent_pane_state} ",
    ]);
    set(&[
        "select-layout",
        template.layout.as_deref().unwrap_or("tiled"),
    ]);
    Ok(id)
}
