//! Persistence: agent state survives server restarts and crashes.
//!
//! One SQLite store per server socket, in `$XDG_STATE_HOME/agent-tmux/`
//! (else `~/.local/state/agent-tmux/`), directory 0700 and files 0600. It is
//! on unless `@agent-store` is `off` when the configuration has been loaded.
//!
//! Every change of agent state goes through [`crate::server::state`]'s
//! three mutators (the registry, the layouts, the templates), which say
//! what changed ([`registry_changed`], [`layouts_changed`],
//! [`templates_changed`]); [`changed`] alone asks for everything, for what
//! no mutator sees (a session renamed, destroyed). The first change after
//! a write arms a timer of half the bound (`@agent-store-interval`,
//! default 200 ms); when it fires what changed is captured: only the
//! agents and groups the registry recorded ([`Changes`]) are cloned, an
//! agent with only its messages not sent before, the layouts and templates
//! only if they changed, and only the names and start directories of the
//! sessions those name are looked up, so a capture costs what changed (the
//! time it took is in the server log). It goes to the store's thread
//! ([`writer`]), which writes the rows that changed in one transaction at
//! once. So whatever a command acknowledged more than the bound ago is on
//! disk even if the server is killed with SIGKILL. The event loop never
//! waits for the thread; only the server's exit does ([`exited`]), to flush
//! the last state. kill-server freezes the store before it destroys the
//! sessions ([`exiting`]), so what it kills is kept for `agent-restore`.
//!
//! What the file held at start is read by the thread and handed back once
//! ([`writer::Loaded`]): the event loop polls for it with a short timer
//! (every 2 ms, only until it arrives), which needs no file descriptor
//! watched by libevent, no new code behind the facade and never blocks. Commands that
//! need it before it arrived (`agent-restore`) wait as held items
//! ([`when_loaded`]).

mod db;
mod lookups;
mod writer;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use agent_tmux::agent::layout::{LayoutId, Layouts};
use agent_tmux::agent::saved::{Names, Saved};
use agent_tmux::agent::{Agent, Changes, Group};
use agent_tmux::ids::{PaneId, SessionId};

use super::state;
use crate::tmux::timer::Timer;
use crate::tmux::{self, options, pane, session};

/// The bound when `@agent-store-interval` is not set (milliseconds).
pub const DEFAULT_INTERVAL_MS: u64 = 200;

/// After a crash, restored context versions and inbox numbers go on this
/// far above the saved ones, so numbers given within the bound before the
/// crash (and lost) are never given again.
pub const CRASH_GAP: u64 = 100_000;

/// How a store's load went, as agent-restore sees it.
pub struct Load {
    pub saved: Saved,
    pub unclean: bool,
    pub problem: Option<String>,
}

#[derive(Default)]
struct Store {
    tx: Option<Sender<writer::Msg>>,
    thread: Option<JoinHandle<()>>,
    loading: Option<Receiver<writer::Loaded>>,
    poll: Option<Timer>,
    /// What the file held, once the thread has read it; `saved` is what is
    /// still waiting to be restored.
    loaded: Option<Load>,
    waiting: Vec<Box<dyn FnOnce()>>,
    /// A capture is due (the timer is armed).
    dirty: bool,
    /// What it must capture: everything, or what changed.
    all: bool,
    changes: Changes,
    layouts_changed: bool,
    templates_changed: bool,
    flush: Option<Timer>,
    interval_ms: u64,
    /// kill-server: nothing after this point is saved.
    frozen: bool,
    path: Option<PathBuf>,
    writable: bool,
    restored_layouts: BTreeSet<LayoutId>,
}

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(Store::default());
}

/// The store file of the server at `socket`: its base name and a hash of
/// the whole path (two servers with sockets of the same name in different
/// directories keep different stores).
pub fn path_for(socket: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".local/state"),
    };
    let base = socket.rsplit('/').next().unwrap_or(socket);
    let base: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    // FNV-1a, 64 bits: stable across builds and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in socket.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Some(
        dir.join("agent-tmux")
            .join(format!("{base}-{:08x}.db", h as u32)),
    )
}

fn on(name: &str, default: bool) -> bool {
    match options::global(name).as_deref().map(str::trim) {
        Some("off" | "0" | "no" | "false") => false,
        Some("on" | "1" | "yes" | "true") => true,
        _ => default,
    }
}

/// The configuration is loaded: start the store (unless `@agent-store` is
/// off) and begin reading what it holds.
pub fn start() {
    if !on("@agent-store", true) {
        tmux::guard::log("agent-tmux: store off (@agent-store)");
        return;
    }
    let Some(path) = tmux::socket_path().and_then(|s| path_for(&s)) else {
        tmux::guard::log("agent-tmux: store off: no state directory (HOME unset)");
        return;
    };
    let interval_ms = options::global("@agent-store-interval")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&v| (1..=60_000).contains(&v))
        .unwrap_or(DEFAULT_INTERVAL_MS);
    let (tx, rx) = mpsc::channel();
    let (ltx, lrx) = mpsc::channel();
    let p = path.clone();
    let thread = std::thread::Builder::new()
        .name("agent-store".into())
        .spawn(move || writer::run(p, rx, ltx));
    let Ok(thread) = thread else {
        tmux::guard::log("agent-tmux: store off: can't start its thread");
        return;
    };
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        s.tx = Some(tx);
        s.thread = Some(thread);
        s.loading = Some(lrx);
        s.interval_ms = interval_ms;
        s.path = Some(path);
    });
    poll();
}

/// Is the store running (on, and not yet closed)?
pub fn active() -> bool {
    STORE.with(|s| s.borrow().tx.is_some())
}

/// Check whether the thread has read the file; look again in 2 ms if not.
fn poll() {
    let got = STORE.with(|s| {
        let mut s = s.borrow_mut();
        s.poll = None;
        let r = s.loading.as_ref()?.try_recv();
        match r {
            Ok(l) => {
                s.loading = None;
                Some(Some(l))
            }
            Err(mpsc::TryRecvError::Empty) => Some(None),
            Err(mpsc::TryRecvError::Disconnected) => {
                s.loading = None;
                Some(Some(writer::Loaded {
                    saved: Saved::default(),
                    unclean: false,
                    problem: Some("store thread ended".into()),
                    writable: false,
                }))
            }
        }
    });
    match got {
        None => {}
        Some(None) => {
            let t = Timer::start(0.002, poll);
            STORE.with(|s| s.borrow_mut().poll = t);
        }
        Some(Some(l)) => loaded(l),
    }
}

fn loaded(l: writer::Loaded) {
    if let Some(p) = &l.problem {
        tmux::guard::log(&format!("agent-tmux: {p}"));
    }
    let waiting = STORE.with(|s| {
        let mut s = s.borrow_mut();
        s.writable = l.writable;
        s.loaded = Some(Load {
            saved: l.saved,
            unclean: l.unclean,
            problem: l.problem,
        });
        std::mem::take(&mut s.waiting)
    });
    for w in waiting {
        w();
    }
    if on("@agent-restore-on-start", false) {
        tmux::queue_command("agent-restore");
    }
}

/// Run `f` once the store's file has been read (now, if it has been or if
/// the store is off). For commands that wait as held items.
pub fn when_loaded(f: Box<dyn FnOnce()>) {
    let ready = STORE.with(|s| {
        let s = s.borrow();
        s.loaded.is_some() || s.loading.is_none()
    });
    if ready {
        f();
    } else {
        STORE.with(|s| s.borrow_mut().waiting.push(f));
    }
}

/// Use what the file held (`None`: the store is off or not read yet).
pub fn with_loaded<T>(f: impl FnOnce(&Load) -> T) -> Option<T> {
    STORE.with(|s| s.borrow().loaded.as_ref().map(f))
}

/// Everything pending was restored (or deliberately left): the file keeps
/// only the live state from now on.
pub fn restored(layouts: Vec<LayoutId>) {
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        s.restored_layouts.extend(layouts);
        if let Some(l) = s.loaded.as_mut() {
            l.saved = Saved::default();
        }
        if let Some(tx) = &s.tx {
            let _ = tx.send(writer::Msg::Pending(Box::default()));
        }
    });
    changed();
}

/// Layouts made by an agent-restore that stopped before the end (what it
/// did not get to stays pending).
pub fn mark_restored(layouts: Vec<LayoutId>) {
    STORE.with(|s| s.borrow_mut().restored_layouts.extend(layouts));
}

/// Was layout `id` made by agent-restore?
pub fn is_restored(id: LayoutId) -> bool {
    STORE.with(|s| s.borrow().restored_layouts.contains(&id))
}

/// Agent state changed, or something it is saved with (a session's name or
/// start directory): make sure it is written within the bound. The next
/// capture takes everything, which is always right; the state's mutators
/// say what changed instead ([`registry_changed`], [`layouts_changed`],
/// [`templates_changed`]), so that a capture costs what changed.
pub fn changed() {
    note(|s| s.all = true);
}

/// These agents and groups changed (from the registry's mutator).
pub fn registry_changed(c: Changes) {
    if !c.is_empty() {
        note(|s| s.changes.extend(c));
    }
}

/// The managed layouts changed (from their mutator).
pub fn layouts_changed() {
    note(|s| s.layouts_changed = true);
}

/// The templates changed (from their mutator).
pub fn templates_changed() {
    note(|s| s.templates_changed = true);
}

/// Notes what changed with `f` and arms the timer if it is not armed.
fn note(f: impl FnOnce(&mut Store)) {
    let arm = STORE.with(|s| {
        let mut s = s.borrow_mut();
        if s.tx.is_none() || s.frozen {
            return None;
        }
        f(&mut s);
        if s.dirty {
            return None;
        }
        s.dirty = true;
        Some(s.interval_ms)
    });
    if let Some(ms) = arm {
        // Half the bound: the write itself takes the rest, at most.
        let t = Timer::start(ms as f64 / 2000.0, flush);
        STORE.with(|s| s.borrow_mut().flush = t);
    }
}

/// The conversation id of the agent in pane `%id`, if known: the
/// `@agent-conversation-id` pane option (set by the agent's hooks). This is
/// the one place to read it from; agent state reports (issue 13) feed it
/// here too once they exist.
pub fn conversation_id(id: PaneId) -> Option<String> {
    super::agent_state::info(id)
        .and_then(|i| i.conversation_id)
        .filter(|v| !v.is_empty())
        .or_else(|| options::pane(id, "@agent-conversation-id").filter(|v| !v.is_empty()))
}

thread_local! {
    /// The last message number each agent had when it was last captured:
    /// the next capture sends only its messages above it.
    static SENT: RefCell<HashMap<SessionId, u64>> = RefCell::new(HashMap::new());
}

/// Looks up the names, start directories and conversation ids of
/// `sessions` and of the layouts' sessions and panes (with `layouts`).
fn names_of(sessions: BTreeSet<SessionId>, layouts: Option<&Layouts>) -> Names {
    let mut names = Names::default();
    let mut ids = sessions;
    if let Some(layouts) = layouts {
        for l in layouts.layouts() {
            ids.insert(l.session);
            for p in layouts.panes(l.id) {
                if let Some(x) = p.pane.filter(|&x| pane::exists(x)) {
                    if let Some(d) = pane::start_dir(x) {
                        names.pane_dirs.insert(x, d);
                    }
                    if let Some(c) = conversation_id(x) {
                        names.conversations.insert(x, c);
                    }
                }
            }
        }
    }
    for id in ids {
        if let Some(n) = session::name(id) {
            names.sessions.insert(id, n);
            if let Some(d) = session::start_dir(id) {
                names.session_dirs.insert(id, d);
            }
        }
    }
    names
}

/// The sessions agent `a`'s saved form names: itself, the senders of its
/// unread messages.
fn agent_sessions(id: SessionId, a: &Agent, ids: &mut BTreeSet<SessionId>) {
    ids.insert(id);
    ids.extend(a.inbox.unread().filter_map(|m| m.from));
}

/// The sessions group `g`'s saved form names: members, context authors.
fn group_sessions(g: &Group, ids: &mut BTreeSet<SessionId>) {
    ids.extend(g.members());
    ids.extend(g.context().map(|(_, e)| e.author));
}

/// Capture on the event loop. With `full`, everything (every agent with
/// all its messages, every group, the layouts and templates, every name);
/// else only what the mutators said changed: those agents with only their
/// messages not sent yet, those groups, the layouts and templates if they
/// changed, and the names of what is sent. Its cost is what changed.
fn capture(
    full: bool,
    changes: Changes,
    layouts_changed: bool,
    templates_changed: bool,
) -> writer::Capture {
    let mut agents = Vec::new();
    let mut gone_agents = Vec::new();
    let mut groups = Vec::new();
    let mut gone_groups = Vec::new();
    let mut ids: BTreeSet<SessionId> = BTreeSet::new();
    SENT.with(|sent| {
        let mut sent = sent.borrow_mut();
        state::with(|r| {
            if full {
                sent.clear();
                for (id, a) in r.agents() {
                    agents.push(writer::AgentChange {
                        id,
                        agent: a.newer_than(0),
                        oldest: a.inbox.oldest().map(|m| m.seq),
                        whole: true,
                    });
                    sent.insert(id, a.inbox.delivered());
                    agent_sessions(id, a, &mut ids);
                }
                for g in r.groups() {
                    groups.push(g.clone());
                    group_sessions(g, &mut ids);
                }
                return;
            }
            for &id in &changes.agents.changed {
                let Some(a) = r.agent(id) else {
                    sent.remove(&id);
                    gone_agents.push(id);
                    continue;
                };
                let last = sent.get(&id).copied();
                let whole = changes.agents.replaced.contains(&id) || last.is_none();
                let agent = a.newer_than(if whole { 0 } else { last.unwrap_or(0) });
                ids.insert(id);
                ids.extend(agent.inbox.unread().filter_map(|m| m.from));
                agents.push(writer::AgentChange {
                    id,
                    agent,
                    oldest: a.inbox.oldest().map(|m| m.seq),
                    whole,
                });
                sent.insert(id, a.inbox.delivered());
            }
            for name in &changes.groups.changed {
                match r.group(name) {
                    Some(g) => {
                        groups.push(g.clone());
                        group_sessions(g, &mut ids);
                    }
                    None => gone_groups.push(name.clone()),
                }
            }
        })
    });
    let layouts = (full || layouts_changed).then(|| state::layouts(Clone::clone));
    let templates = (full || templates_changed).then(|| state::templates(Clone::clone));
    let mut names = names_of(ids, layouts.as_ref());
    let profiles = lookups::more(&mut names);
    writer::Capture {
        full,
        agents,
        gone_agents,
        groups,
        gone_groups,
        layouts,
        templates,
        profiles,
        names,
    }
}

/// Captures what is due (everything with `full`) and hands it to the
/// thread.
fn send_capture(full: bool) {
    if !active() {
        return;
    }
    let (all, changes, layouts, templates) = STORE.with(|s| {
        let mut s = s.borrow_mut();
        s.dirty = false;
        s.flush = None;
        (
            std::mem::take(&mut s.all),
            std::mem::take(&mut s.changes),
            std::mem::take(&mut s.layouts_changed),
            std::mem::take(&mut s.templates_changed),
        )
    });
    let t0 = std::time::Instant::now();
    let c = capture(full || all, changes, layouts, templates);
    tmux::guard::log(&format!(
        "agent-tmux: store capture of {} changed agents took {} us{}",
        c.agents.len(),
        t0.elapsed().as_micros(),
        if c.full { " (everything)" } else { "" }
    ));
    STORE.with(|s| {
        if let Some(tx) = &s.borrow().tx {
            let _ = tx.send(writer::Msg::State(Box::new(c)));
        }
    });
}

fn flush() {
    let frozen = STORE.with(|s| s.borrow().frozen);
    if !frozen {
        send_capture(false);
    }
}

/// The server starts exiting (kill-server): save the state as it is now,
/// with every session still alive, and nothing after.
pub fn exiting() {
    if !active() {
        return;
    }
    send_capture(true);
    // The last write starts now, while the server finishes its clients.
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        s.frozen = true;
        if let Some(tx) = &s.tx {
            let _ = tx.send(writer::Msg::Close);
        }
    });
}

/// The server is about to exit: write what is left, close the store and
/// wait for the thread (the one wait, at exit, for one last transaction).
pub fn exited() {
    let frozen = STORE.with(|s| s.borrow().frozen);
    if !frozen && STORE.with(|s| s.borrow().dirty) {
        send_capture(true);
    }
    let (tx, thread) = STORE.with(|s| {
        let mut s = s.borrow_mut();
        s.flush = None;
        s.poll = None;
        (s.tx.take(), s.thread.take())
    });
    if let Some(tx) = tx {
        let _ = tx.send(writer::Msg::Close);
    }
    if let Some(t) = thread {
        let _ = t.join();
    }
}
