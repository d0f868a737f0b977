//! `agent-restore [-n]`: bring back what the persistent store kept from the
//! previous server on this socket: user templates and agent profiles,
//! managed layouts (with their recreate chains; each current pane relaunched
//! in its worktree or start directory, with its CLI's resume command when
//! its conversation id is known; a pane whose worktree is gone is failed,
//! never given a new one), agent sessions (created when missing, running
//! their launch command or its resume command; a session that exists by
//! name gets its agent state attached), their inboxes, and the groups with
//! their context. `-n` prints what would be done and changes nothing.
//! Restored layouts show `#{agent_layout_restored}` = 1.
//!
//! The store's thread reads the file when the server starts; if it has not
//! finished yet, the command waits (held) and goes on when it has.

use agent_tmux::agent::layout::Template;
use agent_tmux::agent::saved::{resume_command, Saved, SavedLayout, SavedPane};
use agent_tmux::agent::state::Profile;
use agent_tmux::agent::validate;
use agent_tmux::ids::SessionId;

use super::layout_util::{split_pane, Launch};
use crate::server::worktree as git;
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
    // Profiles before agent panes start: they choose theirs when they do.
    for p in &saved.profiles {
        let rules: Vec<&str> = p.rules.iter().map(String::as_str).collect();
        let defined = Profile::define(
            &p.name,
            &p.commands,
            &rules,
            Some(p.debounce_ms),
            Some(p.lines),
            p.needs_paste,
        )
        .and_then(|profile| {
            if !dry {
                state::profiles_mut(|x| x.define(profile))?;
            }
            Ok(())
        });
        match defined {
            Ok(()) => lines.push(format!(
                "{} profile {}",
                verb("restored", "would restore"),
                p.name
            )),
            Err(e) => lines.push(format!("skipped profile {}: {e}", p.name)),
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
                let launch = launch_of(p.command.as_deref(), p.conversation_id.as_deref())
                    .unwrap_or_else(|| "default shell".into());
                match (start_of(p), &p.worktree) {
                    (Err(why), _) => lines.push(format!("  {}: {why}", p.label)),
                    (Ok(_), Some(w)) => lines.push(format!(
                        "  {}: {launch} (in worktree {}, branch {})",
                        p.label, w.path, w.branch
                    )),
                    (Ok(_), None) => lines.push(format!("  {}: {launch}", p.label)),
                }
            }
            continue;
        }
        match make_layout(item, l) {
            Ok((id, notes)) => {
                restored_layouts.push(id);
                lines.extend(notes);
            }
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
            None if dry => lines.push(format!(
                "would restore session {} ({})",
                a.name,
                launch_of(a.command.as_deref(), a.conversation_id.as_deref())
                    .unwrap_or_else(|| "default shell".into())
            )),
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
                // Its agent CLI again, resuming its conversation if known.
                let launch = launch_of(a.command.as_deref(), a.conversation_id.as_deref());
                if let Some(c) = &launch {
                    argv.extend(["--", c.as_str()]);
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

/// Where saved pane `p` starts: its worktree (which must still be there:
/// a second one is never made), else its start directory if it still
/// exists; `Err`: why it can't start.
fn start_of(p: &SavedPane) -> Result<Option<String>, String> {
    match &p.worktree {
        Some(w) if git::present(w) => Ok(Some(w.path.clone())),
        Some(w) if w.removed => Err(format!("worktree removed: {}", w.path)),
        Some(w) => Err(format!("worktree missing: {}", w.path)),
        None => Ok(p
            .start_dir
            .clone()
            .filter(|d| std::path::Path::new(d).is_dir())),
    }
}

/// Make layout `l` again: its session, every pane it had (chains
/// included), a tmux pane for each current one. Also the lines to print
/// about panes that could not start.
fn make_layout(
    item: &Item,
    l: &SavedLayout,
) -> Result<(agent_tmux::agent::layout::LayoutId, Vec<String>), CmdError> {
    let template = state::templates(|t| t.get(&l.template).cloned()).ok();
    let sid = session::next_id();
    let first_dir = l.current().find_map(|p| start_of(p).ok().flatten());
    let mut argv = vec!["new-session", "-d", "-s", l.session.as_str()];
    if let Some(d) = &first_dir {
        argv.extend(["-c", d.as_str()]);
    }
    argv.push("cat");
    item.run(At::Current, &argv)?;
    let holder = pane::active_of_session(sid)
        .ok_or_else(|| CmdError::Failed("new session has no pane".to_string()))?;
    let (id, start) = server::apply_layouts(|x| x.restore(sid, l));
    if let Some(w) = pane::window_of(holder) {
        server::apply_layouts(|x| x.set_window(id, w));
    }
    let mut notes = Vec::new();
    let (mut first, mut last) = (None, holder);
    for &(m, i) in &start {
        let p = &l.panes[i];
        let _ = item.run(At::Pane(holder), &["select-layout", "tiled"]);
        let command = launch_of(p.command.as_deref(), p.conversation_id.as_deref());
        let start = start_of(p);
        let launch = match &start {
            Ok(dir) => Launch::Command {
                dir: dir.as_deref(),
                command: command.as_deref(),
            },
            // A place for it, with no process, as for a failed worktree.
            Err(_) => Launch::Empty,
        };
        match split_pane(item, last, m, &p.label, launch) {
            Ok(x) => {
                first.get_or_insert(x);
                last = x;
                match start {
                    Ok(_) => events::start_settle_timer(m),
                    Err(why) => {
                        let _ = server::apply_layouts(|x| x.worktree_failed(m, &why));
                        notes.push(format!("  {}: {why} (pane failed)", p.label));
                    }
                }
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
    let layout = template
        .and_then(|t| t.layout)
        .or_else(|| l.tmux_layout.clone());
    set(&["select-layout", layout.as_deref().unwrap_or("tiled")]);
    Ok((id, notes))
}
