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
//! finished yet, the command waits (held) and goes on when it has. Run by a
//! client that can wait, it makes sessions for at most [`CHUNK`] per pass of
//! the event loop, held in between, so other clients are served during a large
//! restore; elsewhere (a hook, a key, the configuration) it runs in one go.

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
    if let Some((made, total)) = RUN.with(|r| r.borrow().as_ref().map(|r| (r.made, r.total))) {
        return Err(CmdError::Failed(format!(
            "agent-restore: a restore is in progress ({made} of {total} sessions made)"
        )));
    }
    let chunked = !dry && item.can_wait();
    if store::with_loaded(|_| ()).is_some() || !store::active() {
        let Some(mut run) = Run::start(dry) else {
            return Err(CmdError::Failed(restore_error()));
        };
        if !chunked {
            run.step(item, None);
            let (ok, lines) = run.finish();
            return finished(item, ok, lines);
        }
        // Even the first chunk waits for the next pass: what it causes
        // (hooks, notifications) then runs before the second.
        let id = held::hold(item);
        park(id, run);
        return Ok(Flow::Wait);
    }
    let id = held::hold(item);
    store::when_loaded(Box::new(move || {
        let run = held::with_item(id, |_| Run::start(dry));
        match run {
            Some(Some(run)) if chunked => park(id, run),
            Some(Some(mut run)) => {
                let _ = held::with_item(id, |item| run.step(item, None));
                resume(id, run.finish());
            }
            Some(None) => resume(id, (false, vec![restore_error()])),
            None => {
                held::resume(id, Resume::Silent);
            }
        }
    }));
    Ok(Flow::Wait)
}

/// How long one pass of the event loop may spend making sessions (plain or
/// of a layout) when the command can wait; at least one is made per pass.
/// Making a session forks its shell and costs more the more sessions there
/// are (about 1 ms each with few, over 10 ms each with 2,000 on a loaded
/// machine), and a client's command takes a few passes: a pass kept short
/// keeps other clients' commands quick during a large restore.
const CHUNK: std::time::Duration = std::time::Duration::from_millis(20);

thread_local! {
    /// The restore in progress, made in chunks (at most one at a time).
    static RUN: std::cell::RefCell<Option<Run>> = const { std::cell::RefCell::new(None) };
}

/// Keep `run` for held command `id` and make its next chunk on the next pass.
fn park(id: u64, mut run: Run) {
    run.held = Some(id);
    RUN.with(|r| *r.borrow_mut() = Some(run));
    // Not 0: libevent runs a zero timeout in the same pass, before the
    // queues (and other clients) get their turn.
    tmux::timer::after(0.001, tick);
}

/// One chunk of the restore in progress; the last one finishes it.
fn tick() {
    let Some(mut run) = RUN.with(|r| r.borrow_mut().take()) else {
        return;
    };
    let Some(id) = run.held else {
        return;
    };
    match held::with_item(id, |item| run.step(item, Some(CHUNK))) {
        Some(true) => resume(id, run.finish()),
        Some(false) => park(id, run),
        None => {
            // Its client went away: the rest stays in the store for the
            // next agent-restore (which finds what was made by name).
            tmux::guard::log(&format!(
                "agent-tmux: agent-restore's client went away after {} of {} sessions; \
                 agent-restore again finishes it",
                run.made, run.total
            ));
            store::mark_restored(std::mem::take(&mut run.restored_layouts));
            held::resume(id, Resume::Silent);
        }
    }
}

fn resume(id: u64, (ok, lines): (bool, Vec<String>)) {
    if ok {
        held::resume(id, Resume::Print(&lines.join("\n")));
    } else {
        held::resume(id, Resume::Error(&lines.join("; ")));
    }
}

fn finished(item: &Item, ok: bool, lines: Vec<String>) -> CmdResult {
    if !ok {
        return Err(CmdError::Failed(lines.join("; ")));
    }
    for l in &lines {
        item.print(l);
    }
    Ok(Flow::Done)
}

/// Why there is nothing a restore can start from.
fn restore_error() -> String {
    let problem = store::with_loaded(|l| l.problem.clone()).flatten();
    match problem {
        None => "agent-restore: persistent store is off (@agent-store)".into(),
        Some(p) => format!("agent-restore: {p}"),
    }
}

/// A restore: what the store kept, how far it has got, what it printed.
struct Run {
    saved: Saved,
    dry: bool,
    lines: Vec<String>,
    layout_sessions: Vec<String>,
    next_layout: usize,
    next_agent: usize,
    targets: Vec<(SessionId, usize)>,
    restored_layouts: Vec<agent_tmux::agent::layout::LayoutId>,
    /// Sessions made so far, and to make in all (for the progress line).
    made: usize,
    total: usize,
    /// The held command it finishes, when it runs in chunks.
    held: Option<u64>,
}

impl Run {
    /// Begin: templates are restored at once (layouts may use them). `None`
    /// if there is nothing to start from (the store is off, or its file was
    /// unusable and nothing was read).
    fn start(dry: bool) -> Option<Run> {
        let (saved, unclean, problem) =
            store::with_loaded(|l| (l.saved.clone(), l.unclean, l.problem.clone()))?;
        if problem.is_some() && saved == Saved::default() {
            return None;
        }
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
        let layout_sessions: Vec<String> =
            saved.layouts.iter().map(|l| l.session.clone()).collect();
        let total = saved.layouts.len()
            + saved
                .agents
                .iter()
                .filter(|a| !layout_sessions.contains(&a.name))
                .count();
        let mut run = Run {
            saved,
            dry,
            lines: Vec::new(),
            layout_sessions,
            next_layout: 0,
            next_agent: 0,
            targets: Vec::new(),
            restored_layouts: Vec::new(),
            made: 0,
            total,
            held: None,
        };
        run.templates();
        run.profiles();
        Some(run)
    }

    fn verb(&self, done: &str, would: &str) -> String {
        if self.dry {
            would.to_string()
        } else {
            done.to_string()
        }
    }

    fn templates(&mut self) {
        for t in &self.saved.templates {
            let specs: Vec<&str> = t.specs.iter().map(String::as_str).collect();
            match Template::parse(&t.name, t.layout.as_deref(), &specs) {
                Ok(tp) => {
                    let line = format!(
                        "{} template {}",
                        self.verb("restored", "would restore"),
                        t.name
                    );
                    self.lines.push(line);
                    if !self.dry {
                        let _ = state::templates_mut(|x| x.define(tp, true));
                    }
                }
                Err(e) => self.lines.push(format!("skipped template {}: {e}", t.name)),
            }
        }
    }

    /// Profiles before agent panes start: they choose theirs when they do.
    fn profiles(&mut self) {
        let verb = self.verb("restored", "would restore");
        for p in &self.saved.profiles {
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
                if !self.dry {
                    state::profiles_mut(|x| x.define(profile))?;
                }
                Ok(())
            });
            match defined {
                Ok(()) => self.lines.push(format!("{verb} profile {}", p.name)),
                Err(e) => self.lines.push(format!("skipped profile {}: {e}", p.name)),
            }
        }
    }

    /// Make more layouts and sessions, for at most `budget` (at least one;
    /// `None`: all); true when all are made.
    fn step(&mut self, item: &Item, budget: Option<std::time::Duration>) -> bool {
        let t0 = std::time::Instant::now();
        let spent = |made_one: bool| made_one && budget.is_some_and(|b| t0.elapsed() >= b);
        let mut made_one = false;
        while !spent(made_one) && self.next_layout < self.saved.layouts.len() {
            let i = self.next_layout;
            self.next_layout += 1;
            self.layout(item, i);
            made_one = true;
        }
        while !spent(made_one) && self.next_agent < self.saved.agents.len() {
            let i = self.next_agent;
            self.next_agent += 1;
            made_one |= self.agent(item, i);
        }
        self.next_layout == self.saved.layouts.len() && self.next_agent == self.saved.agents.len()
    }

    /// Layout `i`, made again unless its session exists.
    fn layout(&mut self, item: &Item, i: usize) {
        let l = &self.saved.layouts[i];
        if session::find_by_name(&l.session).is_some() {
            self.lines
                .push(format!("skipped layout {}: session exists", l.session));
            return;
        }
        let n = l.current().count();
        let line = format!(
            "{} layout {} ({n} panes)",
            self.verb("restored", "would restore"),
            l.session
        );
        self.lines.push(line);
        if self.dry {
            for p in l.current() {
                let launch = launch_of(p.command.as_deref(), p.conversation_id.as_deref())
                    .unwrap_or_else(|| "default shell".into());
                match (start_of(p), &p.worktree) {
                    (Err(why), _) => self.lines.push(format!("  {}: {why}", p.label)),
                    (Ok(_), Some(w)) => self.lines.push(format!(
                        "  {}: {launch} (in worktree {}, branch {})",
                        p.label, w.path, w.branch
                    )),
                    (Ok(_), None) => self.lines.push(format!("  {}: {launch}", p.label)),
                }
            }
            return;
        }
        self.made += 1;
        match make_layout(item, l) {
            Ok((id, notes)) => {
                self.restored_layouts.push(id);
                self.lines.extend(notes);
            }
            Err(_) => self
                .lines
                .push(format!("layout {}: can't be created", l.session)),
        }
    }

    /// Agent session `i`: found by name, or made when missing. True if it
    /// made (or tried to make) a session.
    fn agent(&mut self, item: &Item, i: usize) -> bool {
        let a = &self.saved.agents[i];
        let dry = self.dry;
        let is_layout = self.layout_sessions.contains(&a.name);
        match session::find_by_name(&a.name) {
            Some(id) => {
                if is_layout || dry {
                    if !is_layout {
                        self.lines
                            .push(format!("would attach agent state to session {}", a.name));
                    }
                } else {
                    self.lines
                        .push(format!("attached agent state to session {}", a.name));
                }
                self.targets.push((id, i));
                false
            }
            None if is_layout => false,
            None if dry => {
                self.lines.push(format!(
                    "would restore session {} ({})",
                    a.name,
                    launch_of(a.command.as_deref(), a.conversation_id.as_deref())
                        .unwrap_or_else(|| "default shell".into())
                ));
                false
            }
            None => {
                if validate::session_name(&a.name).is_err() {
                    self.lines
                        .push(format!("skipped session {}: bad name", a.name));
                    return false;
                }
                self.made += 1;
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
                        self.lines.push(format!("restored session {}", a.name));
                        self.targets.push((sid, i));
                    }
                    _ => self
                        .lines
                        .push(format!("session {}: can't be created", a.name)),
                }
                true
            }
        }
    }

    /// The agent state, groups and context of what was found or made; the
    /// store keeps only the live state from now on. Whether it succeeded,
    /// and the lines to print.
    fn finish(mut self) -> (bool, Vec<String>) {
        let mut lines = std::mem::take(&mut self.lines);
        if self.dry {
            for g in &self.saved.groups {
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
        // A session made or found in an earlier chunk may have been killed
        // since: it is left out (its state stays in nothing live).
        let agents: Vec<_> = self
            .targets
            .iter()
            .filter(|&&(id, _)| session::exists(id))
            .map(|&(id, i)| (id, &self.saved.agents[i]))
            .collect();
        let groups: Vec<_> = self.saved.groups.iter().collect();
        let layout_sessions = &self.layout_sessions;
        let out = server::apply(|r| {
            // A layout session made just now got a placeholder agent record:
            // its saved one takes its place.
            for &(id, a) in &agents {
                if layout_sessions.contains(&a.name) {
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
        store::restored(std::mem::take(&mut self.restored_layouts));
        if lines.is_empty() {
            lines.push("nothing to restore".into());
        }
        (true, lines)
    }
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
