//! The store's thread: it owns the database ([`super::db`]), never calls
//! into tmux, and never makes the server wait. The event loop sends it
//! captured state over a channel; it coalesces what queued up, turns the
//! newest into saved values and writes the rows that changed, in one
//! transaction, at once. What it read from the file at start it sends back
//! once, over another channel ([`Loaded`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};

use agent_tmux::agent::layout::{Layouts, Templates};
use agent_tmux::agent::saved::{self, Names, Saved, SavedProfile};
use agent_tmux::agent::{Agent, Group};
use agent_tmux::ids::SessionId;

use super::db::{self, Tables};

/// What changed in the live state since the last capture, as the event
/// loop found it: agents and groups that differ from the last capture
/// (cloned) or are gone, the layouts, templates and user profiles (small)
/// whole, and the names looked up now.
pub struct Capture {
    pub agents: Vec<(SessionId, Agent)>,
    pub gone_agents: Vec<SessionId>,
    pub groups: Vec<Group>,
    pub gone_groups: Vec<String>,
    pub layouts: Layouts,
    pub templates: Templates,
    pub profiles: Vec<SavedProfile>,
    pub names: Names,
}

/// The live state as the thread keeps it, from the captures.
#[derive(Default)]
struct Live {
    agents: BTreeMap<SessionId, Agent>,
    groups: BTreeMap<String, Group>,
    layouts: Layouts,
    templates: Templates,
    profiles: Vec<SavedProfile>,
    names: Names,
}

impl Live {
    fn apply(&mut self, c: Capture) {
        for id in c.gone_agents {
            self.agents.remove(&id);
        }
        self.agents.extend(c.agents);
        for g in c.gone_groups {
            self.groups.remove(&g);
        }
        self.groups
            .extend(c.groups.into_iter().map(|g| (g.name().to_owned(), g)));
        self.layouts = c.layouts;
        self.templates = c.templates;
        self.profiles = c.profiles;
        self.names = c.names;
    }

    fn saved(&self) -> Saved {
        let mut s = saved::save_parts(
            self.agents.iter().map(|(&id, a)| (id, a)),
            self.groups.values(),
            &self.layouts,
            &self.templates,
            &self.names,
        );
        s.profiles = self.profiles.clone();
        s
    }
}

/// What the event loop tells the thread.
pub enum Msg {
    /// The state changed: persist this.
    State(Box<Capture>),
    /// What is still waiting to be restored from the previous server (kept
    /// in the file beside the live state until then).
    Pending(Box<Saved>),
    /// Write what is queued, mark the store closed and end.
    Close,
}

/// What the thread read at start.
pub struct Loaded {
    pub saved: Saved,
    pub unclean: bool,
    pub problem: Option<String>,
    /// Whether anything will be saved.
    pub writable: bool,
}

/// Saved values of `live`, with whatever of `pending` the live state does
/// not have under the same name.
fn merged(pending: &Saved, live: Saved) -> Saved {
    let mut out = live;
    let have = |names: Vec<&String>, n: &String| names.contains(&n);
    let agents: Vec<String> = out.agents.iter().map(|a| a.name.clone()).collect();
    for a in &pending.agents {
        if !have(agents.iter().collect(), &a.name) {
            out.agents.push(a.clone());
        }
    }
    let groups: Vec<String> = out.groups.iter().map(|g| g.name.clone()).collect();
    for g in &pending.groups {
        if !have(groups.iter().collect(), &g.name) {
            out.groups.push(g.clone());
        }
    }
    let templates: Vec<String> = out.templates.iter().map(|t| t.name.clone()).collect();
    for t in &pending.templates {
        if !have(templates.iter().collect(), &t.name) {
            out.templates.push(t.clone());
        }
    }
    let layouts: Vec<String> = out.layouts.iter().map(|l| l.session.clone()).collect();
    for l in &pending.layouts {
        if !have(layouts.iter().collect(), &l.session) {
            out.layouts.push(l.clone());
        }
    }
    let profiles: Vec<String> = out.profiles.iter().map(|p| p.name.clone()).collect();
    for p in &pending.profiles {
        if !have(profiles.iter().collect(), &p.name) {
            out.profiles.push(p.clone());
        }
    }
    out
}

/// The thread's body: open `path`, report what it held, then write what
/// comes until [`Msg::Close`] or the sender is gone.
pub fn run(path: PathBuf, rx: Receiver<Msg>, loaded: Sender<Loaded>) {
    let opened = db::open(&path);
    // Held until this thread ends, after the last write.
    let _lock = opened.lock;
    let mut pending = opened.saved.clone();
    // State a crash left stays marked so until it is restored.
    let mut crashed = opened.unclean;
    let _ = loaded.send(Loaded {
        saved: opened.saved,
        unclean: opened.unclean,
        problem: opened.problem,
        writable: opened.db.is_some(),
    });
    let Some(mut db) = opened.db else {
        // Nothing can be written: drain until the server is done.
        while let Ok(m) = rx.recv() {
            if matches!(m, Msg::Close) {
                break;
            }
        }
        return;
    };
    let mut live: Option<Live> = None;
    let mut closing = false;
    while let Ok(first) = rx.recv() {
        // Everything queued meanwhile: only the newest state matters.
        let mut next = Some(first);
        while let Some(m) = next.take().or_else(|| rx.try_recv().ok()) {
            match m {
                Msg::State(c) => live.get_or_insert_with(Live::default).apply(*c),
                Msg::Pending(p) => {
                    pending = *p;
                    crashed = false;
                }
                Msg::Close => closing = true,
            }
        }
        let live_saved = live.as_ref().map(Live::saved).unwrap_or_default();
        let t = Tables::of(&merged(&pending, live_saved));
        if let Err(e) = db.write(&t) {
            eprintln!("agent-tmux: store {}: {e}", path.display());
        }
        if closing {
            break;
        }
    }
    let _ = db.close(!crashed);
}
