//! `new-agent-layout [-dPw] [-b base] [-c start-directory] [-e role=command]...
//! [-F format] [-g group] [-k idempotency-key] [-s session-name] [-T template]`
//! (alias `newal`): a new session laid out by a template, one managed pane per
//! slot, each titled with its label and tracked through its lifecycle; the
//! session joins group `-g` (default: the session name).
//!
//! With `-w` (or a template defined with `-w`) the start directory must be in
//! a git repository: each pane gets its own worktree and branch from `-b`
//! (default `HEAD`), named by [`agent_tmux::agent::layout::worktree`], and
//! starts in it. Git runs as jobs: the command holds its client (never the
//! server) while git first checks the repository and base (an error then
//! makes nothing), then while each pane's worktree is made; a pane whose git
//! fails or times out is `failed` (stage `worktree`) with git's message.
//!
//! Everything that can be checked is checked before anything is created. The
//! panes are then made with upstream's own split-window (so hooks, sizes and
//! shell-command rules are tmux's), starting from a temporary holder pane that
//! is removed once the first managed pane exists. If a pane can't be made
//! (no space for it), the session and layout are undone and the command
//! fails with split-window's message; a start directory that does not exist
//! is the one exception, documented: the layout is made with failed panes.

use std::path::Path;

use std::cell::RefCell;
use std::rc::Rc;

use agent_tmux::agent::layout::{
    parse_override, worktree, CreatePlan, LayoutId, ManagedId, PaneId, PaneState, Worktree,
    DEFAULT_LAYOUT_LIMIT,
};
use agent_tmux::agent::validate;

use super::layout_util::{layout_formats, split_pane, Launch};
use super::util::text;
use crate::server::state;
use crate::server::worktree::{self as git, Repo};
use crate::server::{self, events};
use crate::tmux::held::{self, Resume};
use crate::tmux::{
    self, options, pane, session, At, CmdError, CmdResult, CommandSpec, Flow, Item, STARTSERVER,
    WAITS,
};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"new-agent-layout",
    alias: Some(c"newal"),
    args: c"b:c:de:F:g:k:Ps:T:w",
    usage: c"[-dPw] [-b base] [-c start-directory] [-e role=command] [-F format] [-g group] [-k idempotency-key] [-s session-name] [-T template]",
    flags: STARTSERVER | WAITS,
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

/// What `-w` found before the layout is made: where git put the repository
/// and which commit the worktrees start from.
struct WorktreePlan {
    repo: Repo,
    base_ref: String,
    /// The start directory, absolute.
    dir: String,
}

/// The session name `-s` gives, or the first free `layoutN`.
fn session_name(item: &Item) -> Result<String, CmdError> {
    Ok(match text(item.value_bytes('s'))? {
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
    })
}

/// The start directory `-c` gives (formats expanded as upstream's -c does:
/// '#{pane_current_path}'), checked for what can't be a directory at all.
fn start_dir(item: &Item) -> Result<Option<String>, CmdError> {
    let dir: Option<String> = text(item.value_bytes('c'))?.map(|d| {
        let mut f = item.format();
        f.current();
        f.expand(d)
    });
    if let Some(d) = &dir {
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
    Ok(dir)
}

fn exec(item: &mut Item) -> CmdResult {
    let template_name = text(item.value_bytes('T'))?.unwrap_or("1m+2s");
    let template = state::templates(|t| t.get(template_name).cloned())?;
    if !(item.has('w') || template.worktree) {
        if item.has('b') {
            return Err(CmdError::Usage("-b needs -w (a worktree per pane)"));
        }
        return create(item, None).map(|_| Flow::Done);
    }
    // -w: everything but git is checked now; git answers later.
    for e in item.values_bytes('e') {
        parse_override(text(Some(e))?.unwrap_or_default())?;
    }
    let key = text(item.value_bytes('k'))?;
    let plan = state::layouts(|l| l.plan(&template, &[], key, layout_limit()))?;
    if let CreatePlan::Replay(id) = plan {
        return print_created(item, id, true);
    }
    let base = text(item.value_bytes('b'))?.unwrap_or("HEAD").to_string();
    worktree::base(&base)?;
    worktree::name(&session_name(item)?)?;
    for slot in template.slots() {
        worktree::name(&slot.label)?;
    }
    text(item.value_bytes('g'))?
        .map(validate::group_name)
        .transpose()?;
    // A relative -c is the client's, as a shell would read it.
    let dir = match start_dir(item)? {
        Some(d) if !d.starts_with('/') => Path::new(&item.client_cwd())
            .join(d)
            .to_string_lossy()
            .into_owned(),
        Some(d) => d,
        None => item.client_cwd(),
    };
    if !Path::new(&dir).is_dir() {
        return Err(CmdError::Failed(format!(
            "start directory does not exist: {dir}"
        )));
    }
    if !item.can_wait() {
        return Err(CmdError::Failed(
            "new-agent-layout -w: not able to wait here (no client of its own; use run-shell)"
                .to_string(),
        ));
    }
    git::git().map_err(CmdError::Failed)?;
    let id = held::hold(item);
    let shown = base.clone();
    let probed_dir = dir.clone();
    git::probe(&probed_dir, &shown, move |found| {
        probed(id, found, base, dir)
    });
    Ok(Flow::Wait)
}

/// Git answered the probe of held command `id`: make the layout, then each
/// pane's worktree; the command ends when every pane is started or failed.
fn probed(id: u64, found: Result<Repo, String>, base_ref: String, dir: String) {
    let repo = match found.and_then(|r| {
        worktree::repo_path(&r.top).map_err(|e| e.to_string())?;
        Ok(r)
    }) {
        Ok(r) => r,
        Err(e) => {
            held::resume(id, Resume::Error(&e));
            return;
        }
    };
    let plan = WorktreePlan {
        repo,
        base_ref,
        dir,
    };
    let made = held::with_item(id, |item| {
        item.capture();
        let made = create(item, Some(&plan));
        (made, item.take_captured())
    });
    let (starts, out) = match made {
        // Its client went away while git ran: nothing is made.
        None => {
            held::resume(id, Resume::Silent);
            return;
        }
        Some((Err(e), _)) => {
            let message = e
                .message()
                .unwrap_or_else(|| "new-agent-layout failed".to_string());
            held::resume(id, Resume::Error(&message));
            return;
        }
        Some((Ok((_, starts)), out)) => (starts, out),
    };
    let left = Rc::new(RefCell::new((starts.len(), out)));
    if starts.is_empty() {
        finish(id, &[], &left.borrow().1);
        return;
    }
    let ms: Rc<Vec<ManagedId>> = Rc::new(starts.iter().map(|(m, _, _)| *m).collect());
    for (m, p, wt) in starts {
        let (left, ms) = (left.clone(), ms.clone());
        git::start_pane(m, p, &wt, false, move || {
            let mut l = left.borrow_mut();
            l.0 -= 1;
            if l.0 == 0 {
                let out = std::mem::take(&mut l.1);
                drop(l);
                finish(id, &ms, &out);
            }
        });
    }
}

/// End held command `id`: its output, and an error naming each pane whose
/// worktree could not be made.
fn finish(id: u64, panes: &[ManagedId], out: &str) {
    let failed: Vec<String> = state::layouts(|l| {
        panes
            .iter()
            .filter_map(|m| l.pane(*m))
            .filter(|p| p.state == PaneState::Failed)
            .map(|p| {
                format!(
                    "layout {}: pane {} failed: {}",
                    p.layout,
                    p.label,
                    p.error.as_deref().unwrap_or("")
                )
            })
            .collect()
    });
    if failed.is_empty() {
        let how = if out.is_empty() {
            Resume::Silent
        } else {
            Resume::Print(out)
        };
        held::resume(id, how);
        return;
    }
    if !out.is_empty() {
        held::with_item(id, |item| item.print(out));
    }
    held::resume(id, Resume::Error(&failed.join("\n")));
}

/// A managed pane to start in its worktree once git made it.
type Start = (ManagedId, PaneId, Worktree);

/// Make the layout (with `wt`: each pane a placeholder, returned for its
/// worktree to be made).
fn create(item: &Item, wt: Option<&WorktreePlan>) -> Result<(LayoutId, Vec<Start>), CmdError> {
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
        print_created(item, id, true)?;
        return Ok((id, Vec::new()));
    }

    let name = session_name(item)?;
    let group = text(item.value_bytes('g'))?.unwrap_or(&name).to_string();
    validate::group_name(&group)?;
    // A directory that does not exist makes failed panes; one that can't be
    // a directory at all is bad input, refused before anything is made.
    let dir = match wt {
        Some(wt) => Some(wt.dir.clone()),
        None => start_dir(item)?,
    };
    let dir = dir.as_deref();
    // Every worktree's name, before anything is made.
    let mut worktrees = Vec::new();
    if let Some(wt) = wt {
        worktree::name(&name)?;
        for slot in template.slots() {
            let (path, branch) = worktree::names(&wt.repo.top, &name, &slot.label)?;
            worktrees.push(Worktree {
                repo: wt.repo.top.clone(),
                path,
                branch,
                base_ref: wt.base_ref.clone(),
                base: wt.repo.base.clone(),
                removed: false,
            });
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
            _ if wt.is_some() => Launch::Empty,
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
    let mut starts = Vec::new();
    for (i, &m) in managed.iter().enumerate() {
        match (&dir_error, worktrees.get(i)) {
            (Some(e), _) => {
                server::apply_layouts(|l| l.pane_create_failed(m, e));
            }
            (None, Some(w)) => {
                server::apply_layouts(|l| l.set_worktree(m, Some(w.clone())));
                if let Some(p) = state::layouts(|l| l.pane(m).and_then(|p| p.pane)) {
                    starts.push((m, p, w.clone()));
                }
            }
            (None, None) => events::start_settle_timer(m),
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
    Ok((id, starts))
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
