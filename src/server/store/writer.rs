//! The store's thread: it owns the database ([`super::db`]), never calls
//! into tmux, and never makes the server wait. The event loop sends it
//! captured state over a channel; it coalesces what queued up, turns the
//! newest into saved values and writes the rows that changed, in one
//! transaction, at once. What it read from the file at start it sends back
//! once, over another channel ([`Loaded`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};

use agent_tmux::agent::layout::{Layouts, Templates};
use agent_tmux::agent::saved::{self, Names, Saved, SavedProfile};
use agent_tmux::agent::{Agent, Group};
use agent_tmux::ids::SessionId;

use super::db::{self, Tables};

/// One agent as the event loop captured it: its metadata and counters, and
/// of its unread messages only those newer than the last capture sent
/// ([`Agent::newer_than`]), unless `whole`.
pub struct AgentChange {
    pub id: SessionId,
    pub agent: Agent,
    /// The number of its oldest unread message (`None`: it has none).
    pub oldest: Option<u64>,
    /// `agent` has all its messages and replaces the thread's copy (a new
    /// agent, or one the thread may not have).
    pub whole: bool,
}

/// What the event loop captured: with `full`, the whole live state, which
/// replaces the thread's copy; else only what changed since the last
/// capture (agents and groups that changed or are gone, the layouts and
/// templates if they changed) and the names looked up for those, which
/// are added to the names the thread has.
pub struct Capture {
    pub full: bool,
    pub agents: Vec<AgentChange>,
    pub gone_agents: Vec<SessionId>,
    pub groups: Vec<Group>,
    pub gone_groups: Vec<String>,
    pub layouts: Option<Layouts>,
    pub templates: Option<Templates>,
    /// The user agent profiles, whole (few and small).
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

/// The rows one batch of captures changes: what to write, and what was
/// written before and may have to go (rows of `delete` also in `upsert`
/// stay).
#[derive(Default)]
struct Delta {
    upsert: Saved,
    delete: Saved,
    /// Agents that changed, with the last message number the file had of
    /// each before the batch (0: none, all are new).
    agents: BTreeMap<SessionId, u64>,
    groups: BTreeSet<String>,
    layouts: bool,
    profiles: bool,
    /// Messages that went from the agents' inboxes.
    gone: Vec<db::GoneMessages>,
}

impl Live {
    /// Agent `$id` with only its messages numbered above `above`.
    fn save_agent(&self, id: SessionId, a: &Agent, above: u64) -> Saved {
        Saved {
            agents: saved::save_agent(id, a, above, &self.names)
                .into_iter()
                .collect(),
            ..Saved::default()
        }
    }

    fn save_group(&self, g: &Group) -> Saved {
        saved::save_parts(
            std::iter::empty(),
            std::iter::once(g),
            &Layouts::default(),
            &Templates::new(),
            &self.names,
        )
    }

    fn save_profiles(&self) -> Saved {
        Saved {
            profiles: self.profiles.clone(),
            ..Saved::default()
        }
    }

    fn save_layouts(&self) -> Saved {
        saved::save_parts(
            std::iter::empty(),
            std::iter::empty(),
            &self.layouts,
            &self.templates,
            &self.names,
        )
    }

    /// Applies `c`; with `delta`, notes the rows it changes (the rows
    /// before the change are made with the names as they were).
    fn apply(&mut self, c: Capture, mut delta: Option<&mut Delta>) {
        if c.full {
            *self = Live::default();
        }
        for ch in c.agents {
            let id = ch.id;
            if let Some(d) = delta.as_deref_mut() {
                if let Some(copy) = self.agents.get(&id) {
                    if ch.whole {
                        add(&mut d.delete, self.save_agent(id, copy, 0));
                        d.agents.insert(id, 0);
                    } else if !d.agents.contains_key(&id) {
                        // Its row (the messages that go are added below).
                        add(&mut d.delete, self.save_agent(id, copy, u64::MAX));
                        d.agents.insert(id, copy.inbox.delivered());
                    }
                } else {
                    d.agents.insert(id, 0);
                }
            }
            match self.agents.get_mut(&id) {
                Some(copy) if !ch.whole => {
                    let mut agent = ch.agent;
                    let newer = std::mem::take(&mut agent.inbox);
                    let gone = copy.inbox.catch_up(newer, ch.oldest);
                    agent.inbox = std::mem::take(&mut copy.inbox);
                    *copy = agent;
                    if let Some(d) = delta.as_deref_mut() {
                        if let Some(name) = self.names.sessions.get(&id) {
                            if gone.unread_count() > 0 {
                                let seqs = gone.unread().map(|m| m.seq).collect();
                                d.gone.push((name.clone(), seqs));
                            }
                        }
                    }
                }
                _ => {
                    self.agents.insert(id, ch.agent);
                }
            }
        }
        for id in c.gone_agents {
            if let Some(copy) = self.agents.remove(&id) {
                if let Some(d) = delta.as_deref_mut() {
                    add(&mut d.delete, self.save_agent(id, &copy, 0));
                    d.agents.insert(id, 0);
                }
            }
        }
        for g in c.groups {
            if let Some(d) = delta.as_deref_mut() {
                if d.groups.insert(g.name().to_owned()) {
                    if let Some(old) = self.groups.get(g.name()) {
                        add(&mut d.delete, self.save_group(old));
                    }
                }
            }
            self.groups.insert(g.name().to_owned(), g);
        }
        for n in c.gone_groups {
            if let Some(old) = self.groups.remove(&n) {
                if let Some(d) = delta.as_deref_mut() {
                    add(&mut d.delete, self.save_group(&old));
                    d.groups.insert(n);
                }
            }
        }
        if c.profiles != self.profiles {
            if let Some(d) = delta.as_deref_mut() {
                if !d.profiles {
                    add(&mut d.delete, self.save_profiles());
                    d.profiles = true;
                }
            }
            self.profiles = c.profiles;
        }
        if c.layouts.is_some() || c.templates.is_some() {
            if let Some(d) = delta {
                if !d.layouts {
                    add(&mut d.delete, self.save_layouts());
                    d.layouts = true;
                }
            }
        }
        if let Some(l) = c.layouts {
            self.layouts = l;
        }
        if let Some(t) = c.templates {
            self.templates = t;
        }
        if c.full {
            self.names = c.names;
        } else {
            let n = c.names;
            self.names.sessions.extend(n.sessions);
            self.names.session_dirs.extend(n.session_dirs);
            self.names.pane_dirs.extend(n.pane_dirs);
            self.names.conversations.extend(n.conversations);
            self.names.session_commands.extend(n.session_commands);
            self.names
                .session_conversations
                .extend(n.session_conversations);
        }
    }

    /// The rows `d`'s changes write: each changed agent's row and its
    /// messages that are new since the batch began (borrowed, not copied),
    /// each changed group whole, the layouts and templates whole if they
    /// changed.
    fn finish(&self, d: &mut Delta) -> Vec<db::MessageRow<'_>> {
        let mut messages = Vec::new();
        for (&id, &seq) in &d.agents {
            let Some(a) = self.agents.get(&id) else {
                continue;
            };
            let s = self.save_agent(id, a, u64::MAX);
            add(&mut d.upsert, s);
            let Some(name) = self.names.sessions.get(&id) else {
                continue;
            };
            let sender = |f: SessionId| self.names.sessions.get(&f).map(String::as_str);
            messages.extend(a.inbox.unread_after(seq).map(|m| db::MessageRow {
                session: name,
                seq: m.seq,
                from: m.from.and_then(sender),
                from_id: m.from.map(|f| f.0),
                from_name: &m.from_name,
                time: m.time,
                text: &m.text,
            }));
        }
        for n in &d.groups {
            if let Some(g) = self.groups.get(n) {
                let s = self.save_group(g);
                add(&mut d.upsert, s);
            }
        }
        if d.layouts {
            let s = self.save_layouts();
            add(&mut d.upsert, s);
        }
        if d.profiles {
            let s = self.save_profiles();
            add(&mut d.upsert, s);
        }
        messages
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

fn add(to: &mut Saved, s: Saved) {
    to.agents.extend(s.agents);
    to.groups.extend(s.groups);
    to.templates.extend(s.templates);
    to.profiles.extend(s.profiles);
    to.layouts.extend(s.layouts);
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
    let mut live = Live::default();
    let mut closing = false;
    while let Ok(first) = rx.recv() {
        // Everything queued meanwhile is applied and written at once. Only
        // the rows of what changed are made and written, unless a capture
        // is full or state of the previous server is waiting beside the
        // live state (then all rows are made and compared with the file's).
        let mut next = Some(first);
        let mut whole = pending != Saved::default();
        let mut delta = Delta::default();
        while let Some(m) = next.take().or_else(|| rx.try_recv().ok()) {
            match m {
                Msg::State(c) => {
                    whole |= c.full;
                    live.apply(*c, (!whole).then_some(&mut delta));
                }
                Msg::Pending(p) => {
                    pending = *p;
                    crashed = false;
                    whole = true;
                }
                Msg::Close => closing = true,
            }
        }
        let r = if whole {
            db.write(&Tables::of(&merged(&pending, live.saved())))
        } else {
            let messages = live.finish(&mut delta);
            db.write_delta(
                &Tables::of(&delta.upsert),
                &Tables::of(&delta.delete),
                &messages,
                &delta.gone,
            )
        };
        if let Err(e) = r {
            eprintln!("agent-tmux: store {}: {e}", path.display());
        }
        if closing {
            break;
        }
    }
    let _ = db.close(!crashed);
}
