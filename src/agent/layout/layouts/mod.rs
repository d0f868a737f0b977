//! The layout registry: every managed layout of one server, its managed
//! panes and their lifecycles, recreate chains and idempotency keys.
//!
//! The server asks first and acts second: [`Layouts::plan`] and
//! [`Layouts::plan_recreate`] check everything and change nothing, so a
//! refused command changes nothing; then the server makes the tmux session
//! and panes and records what it made ([`Layouts::create`],
//! [`Layouts::recreate`], [`Layouts::pane_created`]). What tmux reports
//! afterwards (a pane could not be made, its process exited, it is gone) and
//! the settle timer come in as events by id; each state change they cause
//! is checked against [`allowed`] and returned as a [`Transition`] for the
//! server to deliver. An event that does not apply (a pane that is already
//! past that state, an unknown id) changes nothing and returns `None`.
//!
//! A recreate never revives a pane: it makes a new managed pane (the
//! *successor*) with the same label and role, linked to the old one (the
//! *predecessor*), one deeper in the chain. A layout's state is the
//! [`aggregate`] over its *current* panes, the newest of each chain, so a
//! failed pane that was recreated and came up ready no longer makes its
//! layout look failed. A layout is *live* until that state is removed.
//!
//! Lookups are in ordered maps (tmux pane to managed pane, session to
//! layout, key to layout), each O(log n). Layouts stay listed after they
//! are removed, so their end can be seen; the oldest of those are forgotten
//! beyond [`RETAINED_REMOVED_LAYOUTS`], so memory stays bounded however many
//! layouts a server makes.
//!
//! The work is split by job:
//!
//! - this file: the types and the store itself, its queries, and the one
//!   step every state change goes through;
//! - `create`: planning and recording a new layout (`-e` overrides,
//!   idempotency keys, the live-layout limit);
//! - `lifecycle`: what tmux reports about a managed pane afterwards
//!   (created, could not be created, settled, exited, gone);
//! - `recreate`: planning and recording a pane's successor;
//! - `placement`: where a layout is (its session and window): passing a
//!   layout to the session that keeps its window, releasing panes taken out
//!   of it;
//! - `target`: how a target that may name a layout or managed pane is read.
//!
//! The ids and their text forms (`L<n>`, `M<n>`) are [`crate::ids`]'.

use std::collections::{BTreeMap, BTreeSet};

use super::state::{aggregate, allowed, PaneState, Stage};
use super::worktree::Worktree;
use super::{LayoutId, ManagedId, PaneId, WindowId};
use crate::agent::SessionId;

mod create;
mod lifecycle;
mod placement;
mod recreate;
mod restore;
mod target;
#[cfg(test)]
mod testing;

pub use create::parse_override;
pub use target::{parse_layout_target, parse_pane_target, LayoutRef, PaneTarget};

/// How many layouts may be live at once unless the server says otherwise.
pub const DEFAULT_LAYOUT_LIMIT: usize = 40;

/// The deepest a recreate chain goes: an original pane is at depth 0, its
/// successor at 1, and a pane at this depth can't be recreated.
pub const MAX_CHAIN_DEPTH: u32 = 16;

/// Most bytes kept of the error text of a pane that could not be created.
pub const MAX_ERROR_BYTES: usize = 1024;

/// How many layouts whose panes are all removed are kept for listing; older
/// ones (by id) are forgotten.
pub const RETAINED_REMOVED_LAYOUTS: usize = 64;

/// One managed pane: a slot of a layout's template, or a recreate of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPane {
    pub id: ManagedId,
    pub layout: LayoutId,
    /// The tmux pane, once created. After the pane is destroyed this keeps
    /// the last id, for display; [`Layouts::by_tmux_pane`] no longer finds
    /// it.
    pub pane: Option<PaneId>,
    /// Unique among the layout's current panes; shared along a chain.
    pub label: String,
    pub role: String,
    /// What the pane runs; `None`: the default shell.
    pub command: Option<String>,
    pub state: PaneState,
    /// Where it went wrong, for Degraded and Failed (and for a Removed pane
    /// that was one of those first).
    pub stage: Option<Stage>,
    /// How its process exited: the exit code, or 128 + the signal.
    pub exit_status: Option<i32>,
    /// Why its tmux pane could not be created.
    pub error: Option<String>,
    /// The pane this one recreates.
    pub predecessor: Option<ManagedId>,
    /// The pane that recreates this one.
    pub successor: Option<ManagedId>,
    /// 0 for a template's pane, the predecessor's depth + 1 for a recreate.
    pub depth: u32,
    /// When it was recorded (unix seconds).
    pub created: i64,
    /// The idempotency key of the recreate that made it.
    pub recreate_key: Option<String>,
    /// Removed because its tmux pane left the layout's window (join-pane,
    /// move-pane, break-pane, swap-pane): that pane runs on as a plain pane.
    pub released: bool,
    /// Its git worktree (`new-agent-layout -w`), shared with its recreates.
    pub worktree: Option<Worktree>,
}

/// One managed layout: a tmux session whose window holds its panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub id: LayoutId,
    pub session: SessionId,
    /// The name of the template it was made from (as it was then).
    pub template: String,
    /// The template's tmux layout.
    pub tmux_layout: Option<String>,
    /// The coordination group its panes' agents work in.
    pub group: String,
    /// The idempotency key it was created with.
    pub key: Option<String>,
    /// When it was created (unix seconds).
    pub created: i64,
    /// Every managed pane it ever had, in creation order.
    pub panes: Vec<ManagedId>,
    /// The window its panes are in, once known: a managed pane is the
    /// layout's while its tmux pane is in this window.
    pub window: Option<WindowId>,
}

/// A managed pane's state changed: the event the server delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a transition must be delivered"]
pub struct Transition {
    pub pane: ManagedId,
    pub layout: LayoutId,
    /// The tmux pane (the last one it had, for a removal).
    pub tmux_pane: Option<PaneId>,
    pub session: SessionId,
    pub from: PaneState,
    pub to: PaneState,
    /// The stage of a change to Degraded or Failed; `None` for Ready and
    /// Removed.
    pub stage: Option<Stage>,
}

/// What [`Layouts::plan`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatePlan {
    /// Make a new layout.
    New,
    /// A live layout was created with the same key: report it, make
    /// nothing.
    Replay(LayoutId),
}

/// What [`Layouts::plan_recreate`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecreatePlan {
    /// Make a successor at `depth`.
    New { depth: u32 },
    /// The source was already recreated with the same key as this pane:
    /// report it, make nothing.
    Replay(ManagedId),
}

/// Every managed layout and pane of one server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layouts {
    layouts: BTreeMap<LayoutId, Layout>,
    panes: BTreeMap<ManagedId, ManagedPane>,
    /// tmux panes that exist, to their managed pane; never a Removed one.
    by_tmux: BTreeMap<PaneId, ManagedId>,
    /// Each session's newest layout, until all that layout's panes are
    /// removed.
    by_session: BTreeMap<SessionId, LayoutId>,
    /// Each creation key's newest layout.
    by_key: BTreeMap<String, LayoutId>,
    /// Layouts whose state is not removed.
    live: BTreeSet<LayoutId>,
    /// Layouts whose panes are all removed, kept for listing.
    retired: BTreeSet<LayoutId>,
    /// The number of the newest layout and managed pane (0: none yet).
    last_layout: u32,
    last_pane: u32,
}

impl Layouts {
    /// No layouts.
    pub fn new() -> Layouts {
        Layouts::default()
    }

    /// The layout with id `id`.
    pub fn layout(&self, id: LayoutId) -> Option<&Layout> {
        self.layouts.get(&id)
    }

    /// The live layout of session `s` (at most one).
    pub fn layout_of_session(&self, s: SessionId) -> Option<LayoutId> {
        self.by_session
            .get(&s)
            .copied()
            .filter(|&id| self.is_live(id))
    }

    /// Every layout in id order, removed ones included (until forgotten:
    /// see [`RETAINED_REMOVED_LAYOUTS`]).
    pub fn layouts(&self) -> impl Iterator<Item = &Layout> {
        self.layouts.values()
    }

    /// The [`aggregate`] state of the layout's current panes; removed for an
    /// unknown layout.
    pub fn state(&self, id: LayoutId) -> PaneState {
        aggregate(self.current(id).map(|p| p.state))
    }

    /// Whether the layout's state is not removed.
    pub fn is_live(&self, id: LayoutId) -> bool {
        self.live.contains(&id)
    }

    /// How many layouts are live.
    pub fn live_count(&self) -> usize {
        self.live.len()
    }

    /// The managed pane with id `m`.
    pub fn pane(&self, m: ManagedId) -> Option<&ManagedPane> {
        self.panes.get(&m)
    }

    /// The managed pane whose tmux pane is `pane`, while that exists.
    pub fn by_tmux_pane(&self, pane: PaneId) -> Option<&ManagedPane> {
        self.panes.get(self.by_tmux.get(&pane)?)
    }

    /// Every managed pane the layout ever had, in creation order.
    pub fn panes(&self, id: LayoutId) -> impl Iterator<Item = &ManagedPane> + '_ {
        self.layouts
            .get(&id)
            .into_iter()
            .flat_map(move |l| l.panes.iter().filter_map(move |m| self.panes.get(m)))
    }

    /// The layout's current panes, in creation order: those not replaced by
    /// a recreate, one per label.
    pub fn current(&self, id: LayoutId) -> impl Iterator<Item = &ManagedPane> + '_ {
        self.panes(id).filter(|p| p.successor.is_none())
    }

    /// The pane with `label` in layout `id`: the newest of the label's chain
    /// that is not Removed, or else the newest.
    pub fn find_label(&self, id: LayoutId, label: &str) -> Option<&ManagedPane> {
        let l = self.layouts.get(&id)?;
        let mut newest = None;
        for p in l.panes.iter().rev().filter_map(|m| self.panes.get(m)) {
            if p.label == label {
                if p.state != PaneState::Removed {
                    return Some(p);
                }
                newest.get_or_insert(p);
            }
        }
        newest
    }

    /// How many of the layout's current panes are in each state, in the
    /// order of [`PaneState::ALL`].
    pub fn counts(&self, id: LayoutId) -> [(PaneState, usize); 5] {
        let mut counts = PaneState::ALL.map(|s| (s, 0));
        for p in self.current(id) {
            counts[p.state as usize].1 += 1;
        }
        counts
    }

    /// Moves `m` to `to`, if [`allowed`]; keeps the maps and the layout's
    /// liveness right.
    fn apply(&mut self, m: ManagedId, to: PaneState, stage: Option<Stage>) -> Option<Transition> {
        let p = self.panes.get_mut(&m)?;
        let from = p.state;
        debug_assert!(allowed(from, to), "{m}: {from} -> {to}");
        if !allowed(from, to) {
            return None;
        }
        p.state = to;
        if stage.is_some() {
            p.stage = stage;
        }
        let (layout, tmux_pane) = (p.layout, p.pane);
        if to == PaneState::Removed {
            if let Some(pane) = tmux_pane {
                if self.by_tmux.get(&pane) == Some(&m) {
                    self.by_tmux.remove(&pane);
                }
            }
        }
        let session = self
            .layouts
            .get(&layout)
            .map_or(SessionId(0), |l| l.session);
        self.refresh(layout);
        Some(Transition {
            pane: m,
            layout,
            tmux_pane,
            session,
            from,
            to,
            stage,
        })
    }

    /// Brings the live set up to date with layout `id`'s panes; retires the
    /// layout once every pane it had is removed, and forgets the oldest
    /// retired layouts beyond [`RETAINED_REMOVED_LAYOUTS`].
    fn refresh(&mut self, id: LayoutId) {
        let Some(l) = self.layouts.get(&id) else {
            return;
        };
        if self.state(id) == PaneState::Removed {
            self.live.remove(&id);
        } else {
            self.live.insert(id);
        }
        let all_removed = self.panes(id).all(|p| p.state == PaneState::Removed);
        if !all_removed || !self.retired.insert(id) {
            return;
        }
        if self.by_session.get(&l.session) == Some(&id) {
            self.by_session.remove(&l.session);
        }
        while self.retired.len() > RETAINED_REMOVED_LAYOUTS {
            if let Some(oldest) = self.retired.pop_first() {
                self.forget(oldest);
            }
        }
    }

    /// Drops retired layout `id` and its panes.
    fn forget(&mut self, id: LayoutId) {
        let Some(l) = self.layouts.remove(&id) else {
            return;
        };
        for m in &l.panes {
            self.panes.remove(m);
        }
        if let Some(key) = &l.key {
            if self.by_key.get(key) == Some(&id) {
                self.by_key.remove(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{one_m_two_s, ready, NOW};
    use super::PaneState::*;
    use super::*;

    #[test]
    fn find_label_prefers_the_newest_pane_not_removed() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, SessionId(1), PaneId(10));
        let _ = ls.pane_exited(PaneId(10), 1).unwrap(); // M1 degraded, its pane still there
        let m = ls.recreate(ms[0], None, None, NOW);
        ls.pane_created(m, PaneId(20));
        assert_eq!(ls.find_label(id, "m1").map(|p| p.id), Some(m));
        let _ = ls.pane_destroyed(PaneId(20)).unwrap();
        assert_eq!(ls.find_label(id, "m1").map(|p| p.id), Some(ms[0]));
        let _ = ls.pane_destroyed(PaneId(10)).unwrap();
        assert_eq!(ls.find_label(id, "m1").map(|p| p.id), Some(m));
        assert_eq!(ls.find_label(id, "s2").map(|p| p.id), Some(ms[2]));
        assert!(ls.find_label(id, "x9").is_none());
        assert!(ls.find_label(LayoutId(99), "m1").is_none());
        ls.assert_consistent();
    }

    #[test]
    fn one_live_layout_per_session() {
        let mut ls = Layouts::new();
        let (a, _) = ready(&mut ls, SessionId(1), PaneId(10));
        let (b, _) = ready(&mut ls, SessionId(2), PaneId(20));
        assert_eq!(ls.layout_of_session(SessionId(1)), Some(a));
        assert_eq!(ls.layout_of_session(SessionId(2)), Some(b));
        for pane in 10..13 {
            let _ = ls.pane_destroyed(PaneId(pane)).unwrap();
        }
        assert_eq!(ls.layout_of_session(SessionId(1)), None);
        assert_eq!(ls.layout_of_session(SessionId(2)), Some(b));
        let (c, _) = ready(&mut ls, SessionId(1), PaneId(30));
        assert_eq!(ls.layout_of_session(SessionId(1)), Some(c));
        ls.assert_consistent();
    }

    #[test]
    fn removed_layouts_are_kept_then_forgotten() {
        let mut ls = Layouts::new();
        let n = RETAINED_REMOVED_LAYOUTS as u32 + 3;
        for s in 0..n {
            let t = one_m_two_s();
            ls.create(
                SessionId(s),
                &t,
                "g",
                Some(&format!("k{s}")),
                t.slots(),
                NOW,
            );
            let _ = ls.session_destroyed(SessionId(s));
        }
        assert_eq!(ls.layouts().count(), RETAINED_REMOVED_LAYOUTS);
        assert_eq!(
            ls.layouts().next().unwrap().id,
            LayoutId(4),
            "the oldest are forgotten"
        );
        assert!(ls.layout(LayoutId(1)).is_none());
        assert!(ls.pane(ManagedId(1)).is_none());
        assert_eq!(ls.panes(LayoutId(1)).count(), 0);
        assert_eq!(ls.state(LayoutId(1)), Removed);
        assert!(ls.layout(LayoutId(n)).is_some());
        // Forgetting never touches a live layout.
        let (live, _) = ready(&mut ls, SessionId(1000), PaneId(5000));
        for s in n..n + 10 {
            let t = one_m_two_s();
            ls.create(SessionId(s), &t, "g", None, t.slots(), NOW);
            let _ = ls.session_destroyed(SessionId(s));
        }
        assert!(ls.is_live(live));
        assert_eq!(ls.live_count(), 1);
        ls.assert_consistent();
    }
}
