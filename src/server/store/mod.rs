//! Persistence: agent state survives server restarts and crashes.
//!
//! One SQLite store per server socket, in `$XDG_STATE_HOME/agent-tmux/`
//! (else `~/.local/state/agent-tmux/`), directory 0700 and files 0600. It is
//! on unless `@agent-store` is `off` when the configuration has been loaded.
//!
//! Every change of agent state goes through [`crate::server::state`]'s
//! three mutators (the registry, the layouts, the templates), which call
//! [`changed`]. The first change after a write arms a timer of half the
//! bound (`@agent-store-interval`, default 200 ms); when it fires the state
//! is captured (agents and groups that differ from the last capture are
//! cloned; session names, start directories and conversation ids are
//! looked up now; the time it took is in the server log) and sent to the store's thread
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

use agent_tmux::agent::layout::LayoutId;
use agent_tmux::agent::saved::{Names, Saved};
use agent_tmux::agent::{Agent, Group};
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
    dirty: bool,
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

/// Agent state changed (called by the state's mutators): make sure it is
/// written within the bound.
pub fn changed() {
    let arm = STORE.with(|s| {
        let mut s = s.borrow_mut();
        if s.tx.is_none() || s.frozen || s.dirty {
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

/// The agents and groups as last captured, to send only what changed.
#[derive(Default)]
struct Prev {
    agents: HashMap<SessionId, Agent>,
    groups: HashMap<String, Group>,
}

thread_local! {
    static PREV: RefCell<Prev> = RefCell::new(Prev::default());
}

/// Capture what changed since the last capture (on the event loop): agents
/// and groups are compared with their last captured copies, which costs no
/// allocation, and only those that differ are cloned.
fn capture() -> writer::Capture {
    let (agents, gone_agents, groups, gone_groups) = PREV.with(|p| {
        let mut p = p.borrow_mut();
        state::with(|r| {
            let mut agents = Vec::new();
            for (id, a) in r.agents() {
                if p.agents.get(&id) != Some(a) {
                    p.agents.insert(id, a.clone());
                    agents.push((id, a.clone()));
                }
            }
            let gone_agents: Vec<SessionId> = p
                .agents
                .keys()
                .filter(|&&id| r.agent(id).is_none())
                .copied()
                .collect();
            for id in &gone_agents {
                p.agents.remove(id);
            }
            let mut groups = Vec::new();
            for g in r.groups() {
                if p.groups.get(g.name()) != Some(g) {
                    p.groups.insert(g.name().to_owned(), g.clone());
                    groups.push(g.clone());
                }
            }
            let gone_groups: Vec<String> = p
                .groups
                .keys()
                .filter(|n| r.group(n).is_none())
                .cloned()
                .collect();
            for n in &gone_groups {
                p.groups.remove(n);
            }
            (agents, gone_agents, groups, gone_groups)
        })
    });
    let layouts = state::layouts(Clone::clone);
    let templates = state::templates(Clone::clone);
    let mut names = Names::default();
    let mut ids: BTreeSet<SessionId> = BTreeSet::new();
    state::with(|r| {
        for (id, a) in r.agents() {
            ids.insert(id);
            ids.extend(a.inbox.unread().filter_map(|m| m.from));
        }
        for g in r.groups() {
            ids.extend(g.context().map(|(_, e)| e.author));
        }
    });
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
    for id in ids {
        if let Some(n) = session::name(id) {
            names.sessions.insert(id, n);
            if let Some(d) = session::start_dir(id) {
                names.session_dirs.insert(id, d);
            }
        }
    }
    let profiles = lookups::more(&mut names);
    writer::Capture {
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

fn send_capture() {
    if !active() {
        return;
    }
    let t0 = std::time::Instant::now();
    let c = capture();
    tmux::guard::log(&format!(
        "agent-tmux: store capture of {} changed agents took {} us",
        c.agents.len(),
        t0.elapsed().as_micros()
    ));
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        s.dirty = false;
        s.flush = None;
        if let Some(tx) = &s.tx {
            let _ = tx.send(writer::Msg::State(Box::new(c)));
        }
    });
}

fn flush() {
    let frozen = STORE.with(|s| s.borrow().frozen);
    if !frozen {
        send_capture();
    }
}

/// The server starts exiting (kill-server): save the state as it is now,
/// with every session still alive, and nothing after.
pub fn exiting() {
    if !active() {
        return;
    }
    send_capture();
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
        send_capture();
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
