//! Git worktrees of managed panes: running git without ever blocking the
//! server. Every git call is a job ([`crate::tmux::job`]) that reports back
//! from the event loop; its timeout is `@agent-worktree-timeout` seconds
//! (default [`DEFAULT_TIMEOUT`]). Names and rules are the domain's
//! ([`agent_tmux::agent::layout::worktree`]).
//!
//! - [`probe`]: is a directory in a repository, and which commit is the base.
//! - [`start_pane`]: make (or, for a recreate, re-add) a pane's worktree,
//!   then start the pane's command in it (respawning its placeholder), or
//!   fail the pane (stage `worktree`) with git's message.
//! - [`remove`]: remove a worktree and its branch unless it has uncommitted
//!   changes, commits not merged, or is locked (force removes the first two).

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::path::Path;

use agent_tmux::agent::layout::{ManagedId, PaneId, PaneState, Worktree};

use super::{apply_layouts, events, state};
use crate::tmux::job::{self, JobEnd};
use crate::tmux::{self, options};

/// Seconds a git command may run before it is killed and counted failed.
pub const DEFAULT_TIMEOUT: f64 = 30.0;

fn timeout() -> f64 {
    options::global("@agent-worktree-timeout")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|t| t.is_finite() && *t > 0.0)
        .unwrap_or(DEFAULT_TIMEOUT)
}

type Queued = (Vec<String>, Box<dyn FnOnce(JobEnd)>);

thread_local! {
    /// Per repository (top directory): git commands waiting for the one
    /// running. Git's worktree commands are not safe to run at once in one
    /// repository (one reads another's half-made `.git/worktrees/NAME`:
    /// "failed to read .git/worktrees/s26/commondir"), so those of one
    /// repository run one at a time, in order.
    static QUEUES: RefCell<HashMap<String, VecDeque<Queued>>> = RefCell::new(HashMap::new());
}

/// Run `argv` as a job once no other git job of `repo` runs; its timeout
/// counts from when it starts.
fn run_serial(repo: &str, argv: Vec<String>, done: impl FnOnce(JobEnd) + 'static) {
    let done: Box<dyn FnOnce(JobEnd)> = Box::new(done);
    let start_now = QUEUES.with(|q| {
        let mut q = q.borrow_mut();
        match q.get_mut(repo) {
            Some(waiting) => {
                waiting.push_back((argv.clone(), done));
                None
            }
            None => {
                q.insert(repo.to_string(), VecDeque::new());
                Some(done)
            }
        }
    });
    if let Some(done) = start_now {
        start_serial(repo.to_string(), argv, done);
    }
}

fn start_serial(repo: String, argv: Vec<String>, done: Box<dyn FnOnce(JobEnd)>) {
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    job::run(&args, None, timeout(), move |end| {
        done(end);
        let next = QUEUES.with(|q| {
            let mut q = q.borrow_mut();
            let next = q.get_mut(&repo).and_then(VecDeque::pop_front);
            if next.is_none() {
                q.remove(&repo);
            }
            next
        });
        if let Some((argv, done)) = next {
            start_serial(repo, argv, done);
        }
    });
}

fn owned(argv: &[&str]) -> Vec<String> {
    argv.iter().map(|a| a.to_string()).collect()
}

/// The git on the server's PATH, as an absolute path.
pub fn git() -> Result<String, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .map(|d| d.join("git"))
        .find(|p| {
            use std::os::unix::fs::PermissionsExt;
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .map(|p| p.to_string_lossy().into_owned())
        .ok_or_else(|| "git not found in PATH".to_string())
}

/// Git's message from its output: the last `fatal:`/`error:` line if any,
/// else the last non-empty line, trimmed.
fn git_message(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .rev()
        .find(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .or(lines.last())
        .map(|l| l.to_string())
        .unwrap_or_else(|| "no output".to_string())
}

/// A job's end as success (its output) or an error message.
fn outcome(end: JobEnd, what: &str) -> Result<String, String> {
    match end {
        JobEnd::Exited { status: 0, output } => Ok(output),
        JobEnd::Exited { status, output } => Err(format!(
            "{what} failed ({status}): {}",
            git_message(&output)
        )),
        JobEnd::Signalled(sig) => Err(format!("{what} killed by signal {sig}")),
        JobEnd::TimedOut => Err(format!("{what} timed out after {}s", timeout())),
        JobEnd::NotStarted => Err(format!("{what} could not be started")),
    }
}

/// What [`probe`] found.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The repository's top directory.
    pub top: String,
    /// The base commit.
    pub base: String,
}

/// Is `dir` in a git repository, and what commit is `base`? `done` gets the
/// answer, or the error to show (`not a git repository: DIR`, git's
/// message for a bad base).
pub fn probe(dir: &str, base: &str, done: impl FnOnce(Result<Repo, String>) + 'static) {
    let git = match git() {
        Ok(g) => g,
        Err(e) => return tmux::timer::after(0.0, move || done(Err(e))),
    };
    let rev = format!("{base}^{{commit}}");
    let shown = dir.to_string();
    let base_shown = base.to_string();
    job::run(
        &[
            &git,
            "-C",
            dir,
            "rev-parse",
            "--show-toplevel",
            "--verify",
            &rev,
        ],
        None,
        timeout(),
        move |end| {
            let not_repo = matches!(&end, JobEnd::Exited { status, output }
                if *status != 0 && output.contains("not a git repository"));
            if not_repo {
                return done(Err(format!("not a git repository: {shown}")));
            }
            let out = match outcome(end, "git rev-parse") {
                Ok(out) => out,
                Err(e) => return done(Err(format!("can't resolve base {base_shown}: {e}"))),
            };
            let mut lines = out.lines();
            match (lines.next(), lines.next()) {
                (Some(top), Some(sha)) if !top.is_empty() && !sha.is_empty() => done(Ok(Repo {
                    top: top.to_string(),
                    base: sha.trim().to_string(),
                })),
                _ => done(Err(format!("git rev-parse gave no answer for {shown}"))),
            }
        },
    );
}

/// Makes a worktree, or re-adds one (the branch exists: a recreate whose
/// worktree is gone). Arguments: git repo path branch base.
const ADD_SCRIPT: &str = r#"git=$1 repo=$2 wt=$3 br=$4 base=$5
if [ -d "$wt" ] && [ -e "$wt/.git" ]; then exit 0; fi
if "$git" -C "$repo" rev-parse -q --verify "refs/heads/$br" >/dev/null; then
  "$git" -C "$repo" worktree prune >/dev/null 2>&1
  exec "$git" -C "$repo" worktree add "$wt" "$br"
fi
exec "$git" -C "$repo" worktree add -b "$br" "$wt" "$base""#;

/// Make managed pane `m`'s worktree (`reuse`: or take the existing one),
/// then start its command in it in tmux pane `pane` (a placeholder made
/// without a process) and its settle timer; or fail it with git's message.
/// `done` is called after either.
pub fn start_pane(
    m: ManagedId,
    pane: PaneId,
    wt: &Worktree,
    reuse: bool,
    done: impl FnOnce() + 'static,
) {
    let git = match git() {
        Ok(g) => g,
        Err(e) => {
            let _ = apply_layouts(|l| l.worktree_failed(m, &e));
            return tmux::timer::after(0.0, done);
        }
    };
    let script = if reuse {
        ADD_SCRIPT
    } else {
        r#"exec "$1" -C "$2" worktree add -b "$4" "$3" "$5""#
    };
    let path = wt.path.clone();
    let made = wt.clone();
    run_serial(
        &wt.repo,
        owned(&[
            "/bin/sh", "-c", script, "sh", &git, &wt.repo, &wt.path, &wt.branch, &wt.base,
        ]),
        move |end| {
            match outcome(end, "git worktree add") {
                Ok(_) if gone(m) => {
                    // Removed while git ran (kill-agent-layout): a fresh,
                    // clean worktree nobody will use is removed again.
                    remove(&made, false, move |r| {
                        if r.gone {
                            mark_removed(m);
                        }
                    });
                }
                Ok(_) => launch(m, pane, &path),
                Err(e) => {
                    let _ = apply_layouts(|l| l.worktree_failed(m, &e));
                }
            }
            done();
        },
    );
}

/// Was managed pane `m` removed (or forgotten)?
fn gone(m: ManagedId) -> bool {
    state::layouts(|l| l.pane(m).is_none_or(|p| p.state == PaneState::Removed))
}

/// Start `m`'s command in its placeholder pane, in `dir`.
fn launch(m: ManagedId, pane: PaneId, dir: &str) {
    let found = state::layouts(|l| {
        let p = l.pane(m).filter(|p| p.state == PaneState::Creating)?;
        Some((p.command.clone(), l.layout(p.layout)?.session))
    });
    let Some((command, session)) = found else {
        return;
    };
    if !tmux::pane::exists(pane) {
        return;
    }
    // The placeholder was made with an empty command, which respawn-pane
    // would run again: name the default shell when there is no command.
    let command = command.unwrap_or_else(|| {
        options::session(session, "default-shell").unwrap_or_else(|| "/bin/sh".to_string())
    });
    let target = pane.to_string();
    let argv = [
        "respawn-pane",
        "-k",
        "-t",
        &target,
        "-c",
        dir,
        "--",
        &command,
    ];
    match tmux::queue(&argv) {
        Ok(()) => events::start_settle_timer(m),
        Err(e) => {
            let _ = apply_layouts(|l| l.worktree_failed(m, &e));
        }
    }
}

/// Removes a worktree and its branch, or says why not. Arguments: git repo
/// path branch base-ref base force. Exit 0 removed, 10 uncommitted
/// changes, 11 commits not merged (their count printed), 12 locked, 13
/// missing (pruned) with its branch kept (count printed), 14 missing
/// (pruned) and its branch deleted.
const REMOVE_SCRIPT: &str = r#"git=$1 repo=$2 wt=$3 br=$4 bref=$5 base=$6 force=$7
gone=0
if [ ! -e "$wt/.git" ]; then
  gone=1
  "$git" -C "$repo" worktree prune || exit 2
else
  gd=$("$git" -C "$wt" rev-parse --absolute-git-dir) || exit 2
  if [ -f "$gd/locked" ]; then exit 12; fi
  if [ "$force" = 0 ]; then
    s=$("$git" -C "$wt" status --porcelain) || exit 2
    if [ -n "$s" ]; then exit 10; fi
  fi
fi
if "$git" -C "$repo" rev-parse -q --verify "refs/heads/$br" >/dev/null; then
  if [ "$force" = 0 ]; then
    n=$("$git" -C "$repo" rev-list --count "refs/heads/$br" --not "$base" "$bref" 2>/dev/null) ||
    n=$("$git" -C "$repo" rev-list --count "refs/heads/$br" --not "$base") || exit 2
    if [ "$n" != 0 ]; then echo "$n"; if [ $gone = 1 ]; then exit 13; fi; exit 11; fi
  fi
  if [ $gone = 0 ]; then
    if [ "$force" = 0 ]; then "$git" -C "$repo" worktree remove "$wt" || exit 2
    else "$git" -C "$repo" worktree remove --force "$wt" || exit 2; fi
  fi
  "$git" -C "$repo" branch -D "$br" >/dev/null || exit 2
elif [ $gone = 0 ]; then
  "$git" -C "$repo" worktree remove --force "$wt" || exit 2
fi
if [ $gone = 1 ]; then exit 14; fi
exit 0"#;

/// What [`remove`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The worktree is gone (removed now, or it was missing).
    pub gone: bool,
    /// The line to show.
    pub message: String,
}

/// Remove `wt` (and its branch) unless it has uncommitted changes or
/// commits not merged into its base (`force`: anyway) or is locked;
/// `done` gets what happened.
pub fn remove(wt: &Worktree, force: bool, done: impl FnOnce(Removal) + 'static) {
    let (path, branch) = (wt.path.clone(), wt.branch.clone());
    let git = match git() {
        Ok(g) => g,
        Err(e) => {
            let message = format!("worktree kept: {path} ({e})");
            return tmux::timer::after(0.0, move || {
                done(Removal {
                    gone: false,
                    message,
                })
            });
        }
    };
    let force = if force { "1" } else { "0" };
    run_serial(
        &wt.repo,
        owned(&[
            "/bin/sh",
            "-c",
            REMOVE_SCRIPT,
            "sh",
            &git,
            &wt.repo,
            &wt.path,
            &wt.branch,
            &wt.base_ref,
            &wt.base,
            force,
        ]),
        move |end| {
            let (gone, message) = match end {
                JobEnd::Exited { status, output } => {
                    let n = output.trim();
                    match status {
                        0 => (true, format!("worktree removed: {path} (branch {branch} deleted)")),
                        10 => (false, format!("worktree kept: {path} (uncommitted changes; -f removes it)")),
                        11 => (false, format!("worktree kept: {path} (branch {branch} has {n} commits not merged; -f removes it)")),
                        12 => (false, format!("worktree kept: {path} (locked; git worktree unlock it first)")),
                        13 => (true, format!("worktree missing: {path} (pruned; branch {branch} kept: {n} commits not merged)")),
                        14 => (true, format!("worktree missing: {path} (pruned; branch {branch} deleted)")),
                        _ => (false, format!("worktree kept: {path} (git failed ({status}): {})", git_message(&output))),
                    }
                }
                other => {
                    let e = outcome(other, "git").unwrap_err();
                    (false, format!("worktree kept: {path} ({e})"))
                }
            };
            done(Removal { gone, message });
        },
    );
}

/// Mark every pane of `m`'s layout that shares `m`'s worktree as having it
/// removed.
pub fn mark_removed(m: ManagedId) {
    let Some((layout, path)) = state::layouts(|l| {
        let p = l.pane(m)?;
        Some((p.layout, p.worktree.as_ref()?.path.clone()))
    }) else {
        return;
    };
    let panes: Vec<(ManagedId, Worktree)> = state::layouts(|l| {
        l.panes(layout)
            .filter_map(|p| Some((p.id, p.worktree.clone()?)))
            .filter(|(_, w)| w.path == path)
            .collect()
    });
    for (id, mut w) in panes {
        w.removed = true;
        apply_layouts(|l| l.set_worktree(id, Some(w)));
    }
}

/// Does `wt`'s directory look like a worktree now (a cheap check)?
pub fn present(wt: &Worktree) -> bool {
    !wt.removed && Path::new(&wt.path).join(".git").exists()
}
