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

use std::collections::{BTreeMap, BTreeSet};

use super::super::error::{AgentError, Invalid, Limit};
use super::super::validate::is_refused_control;
use super::super::SessionId;
use super::state::{aggregate, allowed, PaneState, Stage};
use super::template::{Slot, Template};
use super::{command, layout_key, role_name, LayoutId, ManagedId, PaneId};

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
}

/// A managed pane's state changed: the event the server delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    last_layout: LayoutId,
    last_pane: ManagedId,
}

impl Layouts {
    /// No layouts.
    pub fn new() -> Layouts {
        Layouts::default()
    }

    /// Checks a creation before anything is made. In order: the key's
    /// syntax; a live layout created with the same key means
    /// [`CreatePlan::Replay`] (whatever the other arguments, and even at the
    /// limit); the command overrides (role, command), whose roles must be
    /// the template's and given once; and the number of live layouts, which
    /// must be below `limit`.
    pub fn plan(
        &self,
        template: &Template,
        overrides: &[(String, String)],
        key: Option<&str>,
        limit: usize,
    ) -> Result<CreatePlan, AgentError> {
        if let Some(key) = key {
            layout_key(key)?;
            if let Some(&id) = self.by_key.get(key) {
                if self.is_live(id) {
                    return Ok(CreatePlan::Replay(id));
                }
            }
        }
        for (i, (role, cmd)) in overrides.iter().enumerate() {
            role_name(role)?;
            if !template.roles.iter().any(|r| r.role == *role) {
                return Err(AgentError::UnknownRole(role.clone()));
            }
            if overrides[..i].iter().any(|(r, _)| r == role) {
                return Err(Invalid::DuplicateOverride(role.clone()).into());
            }
            command(role, cmd)?;
        }
        let count = self.live_count();
        if count >= limit {
            return Err(Limit::Layouts { count, max: limit }.into());
        }
        Ok(CreatePlan::New)
    }

    /// Records a new layout for session `session`; returns its id and the
    /// managed ids of its slots in slot order, all Creating. `slots` come
    /// from [`Template::slots`] with overrides applied by the caller
    /// ([`Template::slots_with`]). A session has one live layout: a new one
    /// for the same session takes its place in
    /// [`Layouts::layout_of_session`].
    pub fn create(
        &mut self,
        session: SessionId,
        template: &Template,
        group: &str,
        key: Option<&str>,
        slots: Vec<Slot>,
        now: i64,
    ) -> (LayoutId, Vec<ManagedId>) {
        self.last_layout += 1;
        let id = self.last_layout;
        let mut ids = Vec::with_capacity(slots.len());
        for slot in slots {
            self.last_pane += 1;
            let m = self.last_pane;
            self.panes.insert(
                m,
                ManagedPane {
                    id: m,
                    layout: id,
                    pane: None,
                    label: slot.label,
                    role: slot.role,
                    command: slot.command,
                    state: PaneState::Creating,
                    stage: None,
                    exit_status: None,
                    error: None,
                    predecessor: None,
                    successor: None,
                    depth: 0,
                    created: now,
                    recreate_key: None,
                },
            );
            ids.push(m);
        }
        self.layouts.insert(
            id,
            Layout {
                id,
                session,
                template: template.name.clone(),
                tmux_layout: template.layout.clone(),
                group: group.to_owned(),
                key: key.map(str::to_owned),
                created: now,
                panes: ids.clone(),
            },
        );
        self.by_session.insert(session, id);
        if let Some(key) = key {
            self.by_key.insert(key.to_owned(), id);
        }
        self.refresh(id);
        (id, ids)
    }

    /// The tmux pane for managed pane `m` now exists. Ignored unless `m` is
    /// Creating. If `pane` was another managed pane's (tmux reused it, say
    /// with respawn-pane), it is `m`'s now; report the old one destroyed
    /// first if it should become Removed.
    pub fn pane_created(&mut self, m: ManagedId, pane: PaneId) {
        let Some(p) = self.panes.get_mut(&m) else {
            return;
        };
        if p.state != PaneState::Creating {
            return;
        }
        if let Some(old) = p.pane.replace(pane) {
            if self.by_tmux.get(&old) == Some(&m) {
                self.by_tmux.remove(&old);
            }
        }
        self.by_tmux.insert(pane, m);
    }

    /// The tmux pane for `m` could not be created: Creating → Failed
    /// (stage pane_create), keeping `error` (cut to [`MAX_ERROR_BYTES`],
    /// control characters made spaces).
    pub fn pane_create_failed(&mut self, m: ManagedId, error: &str) -> Option<Transition> {
        let p = self.panes.get_mut(&m)?;
        if p.state != PaneState::Creating {
            return None;
        }
        p.error = Some(clean_error(error));
        self.apply(m, PaneState::Failed, Some(Stage::PaneCreate))
    }

    /// The settle time passed: Creating → Ready; `None` if `m` is no longer
    /// Creating (its process exited first, say).
    pub fn settle(&mut self, m: ManagedId) -> Option<Transition> {
        if self.panes.get(&m)?.state != PaneState::Creating {
            return None;
        }
        self.apply(m, PaneState::Ready, None)
    }

    /// The process in tmux pane `pane` exited with `status` (already
    /// decoded: the exit code, or 128 + the signal): Creating → Degraded
    /// (stage launch_command) or Ready → Degraded (stage process_exit).
    /// `None` for a pane that is not managed or not in one of those states.
    pub fn pane_exited(&mut self, pane: PaneId, status: i32) -> Option<Transition> {
        let m = *self.by_tmux.get(&pane)?;
        let p = self.panes.get_mut(&m)?;
        let stage = match p.state {
            PaneState::Creating => Stage::LaunchCommand,
            PaneState::Ready => Stage::ProcessExit,
            _ => return None,
        };
        p.exit_status = Some(status);
        self.apply(m, PaneState::Degraded, Some(stage))
    }

    /// tmux pane `pane` is gone, by any path: its managed pane → Removed and
    /// the tmux pane is no longer mapped (the managed pane's `pane` keeps
    /// the id for display).
    pub fn pane_destroyed(&mut self, pane: PaneId) -> Option<Transition> {
        let m = *self.by_tmux.get(&pane)?;
        self.apply(m, PaneState::Removed, None)
    }

    /// Managed pane `m` → Removed, by its id: for a pane that has no tmux
    /// pane to be destroyed (Failed, or Creating before its pane was made)
    /// or whose tmux pane is already gone. `None` if it is Removed already.
    pub fn mark_removed(&mut self, m: ManagedId) -> Option<Transition> {
        if self.panes.get(&m)?.state == PaneState::Removed {
            return None;
        }
        self.apply(m, PaneState::Removed, None)
    }

    /// Every pane of layout `id` that is not Removed → Removed, in creation
    /// order: the layout's session is gone or is being killed. Panes that
    /// never had a tmux pane (Failed, or Creating before their pane was
    /// made) can only be removed this way.
    pub fn remove_layout(&mut self, id: LayoutId) -> Vec<Transition> {
        let ids = match self.layouts.get(&id) {
            Some(l) => l.panes.clone(),
            None => return Vec::new(),
        };
        let mut out = Vec::new();
        for m in ids {
            if self
                .panes
                .get(&m)
                .is_some_and(|p| p.state != PaneState::Removed)
            {
                out.extend(self.apply(m, PaneState::Removed, None));
            }
        }
        out
    }

    /// Session `s` is gone: [`Layouts::remove_layout`] for its layout, if
    /// it has one with panes left.
    pub fn session_destroyed(&mut self, s: SessionId) -> Vec<Transition> {
        match self.by_session.get(&s) {
            Some(&id) => self.remove_layout(id),
            None => Vec::new(),
        }
    }

    /// Checks a recreate of `source`, in order: the key's syntax; `source`
    /// exists and is Failed, Degraded or Removed; if it already has a
    /// successor, that successor is a [`RecreatePlan::Replay`] when it was
    /// made with the same key, and otherwise an error (still creating, or
    /// already recreated: recreate the successor instead); its layout is
    /// live; and `source` is shallower than [`MAX_CHAIN_DEPTH`].
    pub fn plan_recreate(
        &self,
        source: ManagedId,
        key: Option<&str>,
    ) -> Result<RecreatePlan, AgentError> {
        if let Some(key) = key {
            layout_key(key)?;
        }
        let p = self
            .panes
            .get(&source)
            .ok_or(AgentError::PaneNotFound(source))?;
        match p.state {
            PaneState::Failed | PaneState::Degraded | PaneState::Removed => {}
            state => {
                return Err(AgentError::NotRecreatable {
                    pane: source,
                    state,
                })
            }
        }
        if let Some(successor) = p.successor {
            let s = self.panes.get(&successor);
            if key.is_some() && s.and_then(|s| s.recreate_key.as_deref()) == key {
                return Ok(RecreatePlan::Replay(successor));
            }
            if s.is_some_and(|s| s.state == PaneState::Creating) {
                return Err(AgentError::RecreateCreating { source, successor });
            }
            return Err(AgentError::AlreadyRecreated { source, successor });
        }
        if !self.is_live(p.layout) {
            return Err(AgentError::LayoutRemoved(p.layout));
        }
        if p.depth >= MAX_CHAIN_DEPTH {
            return Err(Limit::ChainDepth {
                pane: source,
                depth: p.depth,
                max: MAX_CHAIN_DEPTH,
            }
            .into());
        }
        Ok(RecreatePlan::New { depth: p.depth + 1 })
    }

    /// Records the successor of `source`: Creating, in the same layout with
    /// the same label and role, one deeper, running `command` or else the
    /// source's command. Returns its id. Call [`Layouts::plan_recreate`]
    /// first: for a replay this returns the existing successor and makes
    /// nothing, and for a refused recreate it makes nothing and returns 0,
    /// which is no managed pane.
    pub fn recreate(
        &mut self,
        source: ManagedId,
        command: Option<&str>,
        key: Option<&str>,
        now: i64,
    ) -> ManagedId {
        let depth = match self.plan_recreate(source, key) {
            Ok(RecreatePlan::New { depth }) => depth,
            Ok(RecreatePlan::Replay(successor)) => return successor,
            Err(e) => {
                debug_assert!(false, "recreate without a plan: {e}");
                return 0;
            }
        };
        let Some(p) = self.panes.get_mut(&source) else {
            return 0;
        };
        self.last_pane += 1;
        let m = self.last_pane;
        p.successor = Some(m);
        let successor = ManagedPane {
            id: m,
            layout: p.layout,
            pane: None,
            label: p.label.clone(),
            role: p.role.clone(),
            command: command.map(str::to_owned).or_else(|| p.command.clone()),
            state: PaneState::Creating,
            stage: None,
            exit_status: None,
            error: None,
            predecessor: Some(source),
            successor: None,
            depth,
            created: now,
            recreate_key: key.map(str::to_owned),
        };
        let layout = p.layout;
        self.panes.insert(m, successor);
        if let Some(l) = self.layouts.get_mut(&layout) {
            l.panes.push(m);
        }
        self.refresh(layout);
        m
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
        debug_assert!(allowed(from, to), "M{m}: {from} -> {to}");
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
        let session = self.layouts.get(&layout).map_or(0, |l| l.session);
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

    /// Checks every structural invariant; for tests.
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self) {
        for (&pane, &m) in &self.by_tmux {
            let p = &self.panes[&m];
            assert_eq!(p.pane, Some(pane), "M{m} mapped from %{pane}");
            assert_ne!(p.state, PaneState::Removed, "M{m} removed but mapped");
        }
        for p in self.panes.values() {
            let l = &self.layouts[&p.layout];
            assert!(l.panes.contains(&p.id));
            assert!(p.depth <= MAX_CHAIN_DEPTH, "M{} too deep", p.id);
            match p.predecessor {
                None => assert_eq!(p.depth, 0),
                Some(q) => {
                    let q = &self.panes[&q];
                    assert_eq!(q.successor, Some(p.id));
                    assert_eq!(q.depth + 1, p.depth);
                    assert_eq!((q.layout, &q.label, &q.role), (p.layout, &p.label, &p.role));
                    assert!(q.id < p.id);
                    assert!(matches!(
                        q.state,
                        PaneState::Failed | PaneState::Degraded | PaneState::Removed
                    ));
                }
            }
            if let Some(s) = p.successor {
                assert_eq!(self.panes[&s].predecessor, Some(p.id));
            }
            if p.state == PaneState::Ready {
                assert_eq!(p.stage, None);
            }
            if matches!(p.state, PaneState::Degraded | PaneState::Failed) {
                assert!(p.stage.is_some());
            }
        }
        let mut live = 0;
        for (&id, l) in &self.layouts {
            let mut ids = l.panes.clone();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), l.panes.len());
            assert!(ids == l.panes, "creation order is id order");
            let labels: BTreeSet<&str> = self.current(id).map(|p| p.label.as_str()).collect();
            assert_eq!(
                labels.len(),
                self.current(id).count(),
                "one current pane per label"
            );
            let is_live = self.state(id) != PaneState::Removed;
            assert_eq!(self.is_live(id), is_live);
            live += usize::from(is_live);
            let all_removed = self.panes(id).all(|p| p.state == PaneState::Removed);
            assert_eq!(self.retired.contains(&id), all_removed);
            let counted: usize = self.counts(id).iter().map(|(_, n)| n).sum();
            assert_eq!(counted, self.current(id).count());
        }
        assert_eq!(self.live_count(), live);
        assert!(self.retired.len() <= RETAINED_REMOVED_LAYOUTS);
        for (&s, &id) in &self.by_session {
            assert_eq!(self.layouts[&id].session, s);
            assert!(!self.retired.contains(&id));
        }
        for (key, id) in &self.by_key {
            assert_eq!(self.layouts[id].key.as_ref(), Some(key));
        }
    }
}

/// `"L3"` → 3. Ids count from 1.
pub fn parse_layout_id(s: &str) -> Option<LayoutId> {
    parse_id(s, 'L')
}

/// Splits a `-e role=command` argument at its first `=` (so the command may
/// contain `=`). The role and the command are checked by [`Layouts::plan`],
/// once every argument has been split.
pub fn parse_override(arg: &str) -> Result<(String, String), AgentError> {
    let (role, command) = arg
        .split_once('=')
        .ok_or_else(|| Invalid::Override(arg.to_owned()))?;
    Ok((role.to_owned(), command.to_owned()))
}

/// `"M7"` → 7. Ids count from 1.
pub fn parse_managed_id(s: &str) -> Option<ManagedId> {
    parse_id(s, 'M')
}

fn parse_id(s: &str, prefix: char) -> Option<u32> {
    let digits = s.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n != 0)
}

/// An error text fit to keep and show on one line.
fn clean_error(error: &str) -> String {
    let mut end = error.len().min(MAX_ERROR_BYTES);
    while !error.is_char_boundary(end) {
        end -= 1;
    }
    error[..end]
        .chars()
        .map(|c| {
            if c == '\n' || is_refused_control(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::template::Templates;
    use super::PaneState::*;
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn one_m_two_s() -> Template {
        Templates::new().get("1m+2s").unwrap().clone()
    }

    /// A layout of `1m+2s` in session `session` with tmux panes
    /// `first_pane..`, all created.
    fn made(
        ls: &mut Layouts,
        session: SessionId,
        first_pane: PaneId,
    ) -> (LayoutId, Vec<ManagedId>) {
        let t = one_m_two_s();
        let (id, ms) = ls.create(session, &t, "team", None, t.slots(), NOW);
        for (i, &m) in ms.iter().enumerate() {
            ls.pane_created(m, first_pane + i as PaneId);
        }
        (id, ms)
    }

    /// A layout whose panes have all settled.
    fn ready(
        ls: &mut Layouts,
        session: SessionId,
        first_pane: PaneId,
    ) -> (LayoutId, Vec<ManagedId>) {
        let (id, ms) = made(ls, session, first_pane);
        for &m in &ms {
            ls.settle(m).unwrap();
        }
        (id, ms)
    }

    #[test]
    fn create_records_creating_panes() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        let slots = t.slots_with(&[("specialist".into(), "codex".into())]);
        let (id, ms) = ls.create(4, &t, "team", Some("k1"), slots, NOW);
        assert_eq!((id, ms.clone()), (1, vec![1, 2, 3]));
        let l = ls.layout(id).unwrap();
        assert_eq!(
            l,
            &Layout {
                id: 1,
                session: 4,
                template: "1m+2s".into(),
                tmux_layout: Some("main-vertical".into()),
                group: "team".into(),
                key: Some("k1".into()),
                created: NOW,
                panes: vec![1, 2, 3],
            }
        );
        let p = ls.pane(2).unwrap();
        assert_eq!(
            (p.label.as_str(), p.role.as_str(), p.command.as_deref()),
            ("s1", "specialist", Some("codex"))
        );
        assert_eq!(
            (p.state, p.stage, p.pane, p.depth),
            (Creating, None, None, 0)
        );
        assert_eq!((p.predecessor, p.successor, p.created), (None, None, NOW));
        assert_eq!(ls.pane(1).unwrap().command, None);
        assert_eq!(ls.state(id), Creating);
        assert!(ls.is_live(id));
        assert_eq!(ls.live_count(), 1);
        assert_eq!(ls.layout_of_session(4), Some(1));
        assert_eq!(ls.layout_of_session(5), None);
        assert_eq!(
            ls.counts(id),
            [
                (Creating, 3),
                (Ready, 0),
                (Degraded, 0),
                (Failed, 0),
                (Removed, 0)
            ]
        );
        let (id2, ms2) = ls.create(5, &t, "team", None, t.slots(), NOW);
        assert_eq!((id2, ms2), (2, vec![4, 5, 6]));
        let ids: Vec<LayoutId> = ls.layouts().map(|l| l.id).collect();
        assert_eq!(ids, [1, 2]);
        ls.assert_consistent();
    }

    #[test]
    fn created_panes_are_found_by_tmux_pane() {
        let mut ls = Layouts::new();
        let (_, ms) = made(&mut ls, 1, 10);
        assert_eq!(ls.by_tmux_pane(11).map(|p| p.id), Some(ms[1]));
        assert_eq!(ls.pane(ms[1]).unwrap().pane, Some(11));
        assert!(ls.by_tmux_pane(99).is_none());
        // A pane reused for another managed pane moves to it.
        let t = one_m_two_s();
        let (_, other) = ls.create(2, &t, "g", None, t.slots(), NOW);
        ls.pane_created(other[0], 11);
        assert_eq!(ls.by_tmux_pane(11).map(|p| p.id), Some(other[0]));
        // A second pane for the same managed pane replaces the first.
        ls.pane_created(other[0], 12);
        assert!(ls.by_tmux_pane(11).is_none());
        assert_eq!(ls.by_tmux_pane(12).map(|p| p.id), Some(other[0]));
        // Only Creating panes get one.
        ls.settle(other[1]).unwrap();
        ls.pane_created(other[1], 50);
        assert!(ls.by_tmux_pane(50).is_none());
        ls.pane_created(999, 51);
        assert!(ls.by_tmux_pane(51).is_none());
        ls.assert_consistent();
    }

    #[test]
    fn plan_new_and_replay_by_key() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        assert_eq!(ls.plan(&t, &[], Some("job-1"), 40), Ok(CreatePlan::New));
        let (id, ms) = ls.create(1, &t, "g", Some("job-1"), t.slots(), NOW);
        assert_eq!(
            ls.plan(&t, &[], Some("job-1"), 40),
            Ok(CreatePlan::Replay(id))
        );
        // Whatever else is asked, and at the limit.
        let other = Templates::new().get("2m+2s").unwrap().clone();
        assert_eq!(
            ls.plan(&other, &[("nope".into(), "x".into())], Some("job-1"), 1),
            Ok(CreatePlan::Replay(id))
        );
        assert_eq!(ls.plan(&t, &[], Some("job-2"), 40), Ok(CreatePlan::New));
        assert_eq!(ls.plan(&t, &[], None, 40), Ok(CreatePlan::New));
        // Once the layout is removed, the key is free.
        for &m in &ms {
            ls.pane_create_failed(m, "no space for new pane");
        }
        assert_eq!(
            ls.plan(&t, &[], Some("job-1"), 40),
            Ok(CreatePlan::Replay(id))
        );
        ls.session_destroyed(1);
        assert_eq!(ls.plan(&t, &[], Some("job-1"), 40), Ok(CreatePlan::New));
        let (id2, _) = ls.create(2, &t, "g", Some("job-1"), t.slots(), NOW);
        assert_eq!(
            ls.plan(&t, &[], Some("job-1"), 40),
            Ok(CreatePlan::Replay(id2))
        );
        assert!(ls
            .plan(&t, &[], Some("bad key"), 40)
            .unwrap_err()
            .to_string()
            .starts_with(r#"invalid idempotency key: "bad key""#));
        ls.assert_consistent();
    }

    #[test]
    fn plan_limit_counts_live_layouts() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        for s in 0..DEFAULT_LAYOUT_LIMIT as SessionId {
            assert_eq!(
                ls.plan(&t, &[], None, DEFAULT_LAYOUT_LIMIT),
                Ok(CreatePlan::New)
            );
            ls.create(s, &t, "g", Some(&format!("k{s}")), t.slots(), NOW);
        }
        assert_eq!(ls.live_count(), 40);
        let before = ls.clone();
        assert_eq!(
            ls.plan(&t, &[], None, DEFAULT_LAYOUT_LIMIT)
                .unwrap_err()
                .to_string(),
            "too many layouts: 40 live (limit 40)"
        );
        assert_eq!(ls, before);
        assert_eq!(
            ls.plan(&t, &[], Some("k3"), DEFAULT_LAYOUT_LIMIT),
            Ok(CreatePlan::Replay(4))
        );
        // A removed layout frees its place.
        assert_eq!(ls.session_destroyed(0).len(), 3);
        assert_eq!(ls.live_count(), 39);
        assert_eq!(
            ls.plan(&t, &[], None, DEFAULT_LAYOUT_LIMIT),
            Ok(CreatePlan::New)
        );
        assert!(ls.plan(&t, &[], None, 39).is_err());
        assert!(ls.plan(&t, &[], None, 0).is_err());
    }

    #[test]
    fn overrides_split_at_the_first_equals() {
        let pair = |r: &str, c: &str| Ok((r.to_owned(), c.to_owned()));
        assert_eq!(parse_override("m=cat"), pair("m", "cat"));
        assert_eq!(parse_override("m=a=b c"), pair("m", "a=b c"));
        assert_eq!(parse_override("m="), pair("m", ""));
        assert_eq!(parse_override("=x"), pair("", "x"));
        assert_eq!(
            parse_override("manager").unwrap_err().to_string(),
            "invalid -e (expected role=command): manager"
        );
    }

    #[test]
    fn plan_checks_overrides() {
        let ls = Layouts::new();
        let t = one_m_two_s();
        let o = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|&(r, c)| (r.into(), c.into())).collect()
        };
        assert_eq!(
            ls.plan(
                &t,
                &o(&[("manager", "claude"), ("specialist", "codex")]),
                None,
                40
            ),
            Ok(CreatePlan::New)
        );
        let err =
            |pairs: &[(&str, &str)]| ls.plan(&t, &o(pairs), None, 40).unwrap_err().to_string();
        assert_eq!(err(&[("reviewer", "x")]), "unknown role in -e: reviewer");
        assert_eq!(
            err(&[("manager", "a"), ("manager", "b")]),
            "duplicate role in -e: manager"
        );
        assert!(err(&[("a b", "x")]).starts_with(r#"invalid role name: "a b""#));
        assert_eq!(err(&[("manager", "")]), "empty command for role manager");
        assert_eq!(
            err(&[("manager", "a\nb")]),
            "command contains a control character"
        );
    }

    #[test]
    fn settle_makes_ready() {
        let mut ls = Layouts::new();
        let (id, ms) = made(&mut ls, 7, 10);
        let t = ls.settle(ms[0]).unwrap();
        assert_eq!(
            t,
            Transition {
                pane: ms[0],
                layout: id,
                tmux_pane: Some(10),
                session: 7,
                from: Creating,
                to: Ready,
                stage: None,
            }
        );
        assert_eq!(ls.pane(ms[0]).unwrap().state, Ready);
        assert_eq!(ls.settle(ms[0]), None, "settles once");
        assert_eq!(ls.state(id), Creating);
        ls.settle(ms[1]).unwrap();
        ls.settle(ms[2]).unwrap();
        assert_eq!(ls.state(id), Ready);
        assert_eq!(ls.settle(999), None);
        ls.assert_consistent();
    }

    #[test]
    fn exit_before_settle_is_a_launch_failure() {
        let mut ls = Layouts::new();
        let (_, ms) = made(&mut ls, 1, 10);
        let t = ls.pane_exited(11, 127).unwrap();
        assert_eq!((t.pane, t.from, t.to), (ms[1], Creating, Degraded));
        assert_eq!(t.stage, Some(Stage::LaunchCommand));
        let p = ls.pane(ms[1]).unwrap();
        assert_eq!(
            (p.exit_status, p.stage),
            (Some(127), Some(Stage::LaunchCommand))
        );
        // The settle timer fires later and finds nothing to do.
        assert_eq!(ls.settle(ms[1]), None);
        assert_eq!(ls.pane(ms[1]).unwrap().state, Degraded);
        // A second exit report changes nothing.
        assert_eq!(ls.pane_exited(11, 0), None);
        assert_eq!(ls.pane(ms[1]).unwrap().exit_status, Some(127));
        ls.assert_consistent();
    }

    #[test]
    fn exit_after_ready_is_a_process_exit() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, 1, 10);
        let t = ls.pane_exited(12, 128 + 9).unwrap();
        assert_eq!((t.pane, t.from, t.to), (ms[2], Ready, Degraded));
        assert_eq!(t.stage, Some(Stage::ProcessExit));
        assert_eq!(ls.pane(ms[2]).unwrap().exit_status, Some(137));
        assert_eq!(ls.state(id), Degraded);
        assert_eq!(
            ls.counts(id),
            [
                (Creating, 0),
                (Ready, 2),
                (Degraded, 1),
                (Failed, 0),
                (Removed, 0)
            ]
        );
        assert_eq!(ls.pane_exited(99, 0), None, "not a managed pane");
        ls.assert_consistent();
    }

    #[test]
    fn destroyed_panes_are_removed() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, 3, 10);
        ls.pane_exited(10, 1).unwrap();
        let t = ls.pane_destroyed(10).unwrap();
        assert_eq!(
            (t.pane, t.from, t.to, t.stage),
            (ms[0], Degraded, Removed, None)
        );
        assert_eq!((t.tmux_pane, t.session), (Some(10), 3));
        let p = ls.pane(ms[0]).unwrap();
        assert_eq!(
            (p.state, p.pane),
            (Removed, Some(10)),
            "keeps the id for display"
        );
        assert_eq!(p.stage, Some(Stage::ProcessExit), "keeps why it degraded");
        assert!(ls.by_tmux_pane(10).is_none());
        // Nothing moves a removed pane.
        assert_eq!(ls.pane_destroyed(10), None);
        assert_eq!(ls.pane_exited(10, 0), None);
        assert_eq!(ls.settle(ms[0]), None);
        assert_eq!(ls.pane_create_failed(ms[0], "x"), None);
        assert_eq!(ls.pane(ms[0]).unwrap().state, Removed);
        // Ready and Creating panes are removed directly.
        let t = ls.pane_destroyed(11).unwrap();
        assert_eq!((t.from, t.to), (Ready, Removed));
        assert_eq!(ls.state(id), Ready);
        assert!(ls.is_live(id));
        let t = ls.pane_destroyed(12).unwrap();
        assert_eq!((t.from, t.to), (Ready, Removed));
        assert_eq!(ls.state(id), Removed);
        assert!(!ls.is_live(id));
        assert_eq!(ls.live_count(), 0);
        assert_eq!(ls.layout_of_session(3), None);
        assert!(ls.layout(id).is_some(), "still listed");
        ls.assert_consistent();
    }

    #[test]
    fn panes_that_could_not_be_created_fail() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        let (id, ms) = ls.create(2, &t, "g", None, t.slots(), NOW);
        ls.pane_created(ms[0], 20);
        let tr = ls
            .pane_create_failed(ms[1], "no space for new pane")
            .unwrap();
        assert_eq!(
            (tr.from, tr.to, tr.stage),
            (Creating, Failed, Some(Stage::PaneCreate))
        );
        assert_eq!(tr.tmux_pane, None);
        let p = ls.pane(ms[1]).unwrap();
        assert_eq!(p.error.as_deref(), Some("no space for new pane"));
        assert_eq!(p.stage, Some(Stage::PaneCreate));
        assert_eq!(ls.state(id), Creating);
        ls.settle(ms[0]).unwrap();
        assert_eq!(
            ls.pane_create_failed(ms[0], "late"),
            None,
            "ready can't fail"
        );
        ls.pane_create_failed(ms[2], "x").unwrap();
        assert_eq!(ls.state(id), Failed);
        // Only the session's end removes panes that never had a tmux pane.
        ls.pane_destroyed(20).unwrap();
        assert_eq!(ls.state(id), Failed);
        assert!(ls.is_live(id));
        let ts = ls.session_destroyed(2);
        let moved: Vec<(ManagedId, PaneState)> = ts.iter().map(|t| (t.pane, t.from)).collect();
        assert_eq!(moved, [(ms[1], Failed), (ms[2], Failed)]);
        assert!(ts.iter().all(|t| t.to == Removed && t.session == 2));
        assert!(!ls.is_live(id));
        assert!(ls.session_destroyed(2).is_empty());
        assert!(ls.remove_layout(id).is_empty());
        ls.assert_consistent();
    }

    #[test]
    fn panes_are_removed_by_id() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        let (id, ms) = ls.create(2, &t, "g", None, t.slots(), NOW);
        ls.pane_created(ms[0], 20);
        ls.pane_create_failed(ms[1], "x").unwrap();
        let tr = ls.mark_removed(ms[1]).unwrap();
        assert_eq!(
            (tr.pane, tr.from, tr.to, tr.tmux_pane),
            (ms[1], Failed, Removed, None)
        );
        assert_eq!(ls.mark_removed(ms[1]), None);
        let tr = ls.mark_removed(ms[0]).unwrap();
        assert_eq!((tr.from, tr.tmux_pane), (Creating, Some(20)));
        assert!(ls.by_tmux_pane(20).is_none(), "no longer mapped");
        assert_eq!(ls.pane_destroyed(20), None);
        ls.mark_removed(ms[2]).unwrap();
        assert!(!ls.is_live(id));
        assert_eq!(ls.mark_removed(999), None);
        ls.assert_consistent();
    }

    #[test]
    fn error_texts_are_cut_and_kept_on_one_line() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        let (_, ms) = ls.create(2, &t, "g", None, t.slots(), NOW);
        ls.pane_create_failed(ms[0], "a\nb\u{1b}c");
        assert_eq!(ls.pane(ms[0]).unwrap().error.as_deref(), Some("a b c"));
        let long = "é".repeat(MAX_ERROR_BYTES);
        ls.pane_create_failed(ms[1], &long);
        let kept = ls.pane(ms[1]).unwrap().error.clone().unwrap();
        assert_eq!(kept, "é".repeat(MAX_ERROR_BYTES / 2));
        ls.pane_create_failed(ms[2], &"x".repeat(MAX_ERROR_BYTES + 1));
        assert_eq!(
            ls.pane(ms[2]).unwrap().error.as_ref().unwrap().len(),
            MAX_ERROR_BYTES
        );
    }

    #[test]
    fn recreate_makes_a_linked_successor() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, 1, 10);
        ls.pane_exited(11, 2).unwrap();
        assert_eq!(
            ls.plan_recreate(ms[1], None),
            Ok(RecreatePlan::New { depth: 1 })
        );
        let before = ls.state(id);
        assert_eq!(before, Degraded);
        let m = ls.recreate(ms[1], Some("codex --resume"), Some("r1"), NOW + 5);
        assert_eq!(m, 4);
        let p = ls.pane(m).unwrap();
        assert_eq!(
            (p.layout, p.label.as_str(), p.role.as_str()),
            (id, "s1", "specialist")
        );
        assert_eq!(
            (p.state, p.depth, p.predecessor),
            (Creating, 1, Some(ms[1]))
        );
        assert_eq!(p.command.as_deref(), Some("codex --resume"));
        assert_eq!(
            (p.created, p.recreate_key.as_deref()),
            (NOW + 5, Some("r1"))
        );
        assert_eq!(ls.pane(ms[1]).unwrap().successor, Some(m));
        assert_eq!(
            ls.pane(ms[1]).unwrap().state,
            Degraded,
            "the source is left as it was"
        );
        assert_eq!(ls.layout(id).unwrap().panes, [1, 2, 3, 4]);
        // The layout's state follows its current panes.
        assert_eq!(ls.state(id), Creating);
        assert_eq!(ls.current(id).map(|p| p.id).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(ls.find_label(id, "s1").map(|p| p.id), Some(m));
        ls.pane_created(m, 13);
        ls.settle(m).unwrap();
        assert_eq!(ls.state(id), Ready);
        assert_eq!(
            ls.counts(id),
            [
                (Creating, 0),
                (Ready, 3),
                (Degraded, 0),
                (Failed, 0),
                (Removed, 0)
            ]
        );
        // Without a command the successor runs the source's.
        ls.pane_exited(10, 1).unwrap();
        let m0 = ls.recreate(ms[0], None, None, NOW);
        assert_eq!(
            ls.pane(m0).unwrap().command,
            ls.pane(ms[0]).unwrap().command
        );
        ls.assert_consistent();
    }

    #[test]
    fn only_failed_degraded_or_removed_panes_are_recreated() {
        let mut ls = Layouts::new();
        let (_, ms) = made(&mut ls, 1, 10);
        assert_eq!(
            ls.plan_recreate(ms[0], None).unwrap_err().to_string(),
            "pane M1 is creating: only failed, degraded or removed panes can be recreated"
        );
        ls.settle(ms[2]).unwrap();
        assert_eq!(
            ls.plan_recreate(ms[2], None).unwrap_err().to_string(),
            "pane M3 is ready: only failed, degraded or removed panes can be recreated"
        );
        assert_eq!(
            ls.plan_recreate(99, None).unwrap_err().to_string(),
            "can't find pane: M99"
        );
        ls.pane_destroyed(12).unwrap();
        assert_eq!(
            ls.plan_recreate(ms[2], None),
            Ok(RecreatePlan::New { depth: 1 })
        );
        let before = ls.clone();
        assert_eq!(
            ls.recreate(ms[0], None, None, NOW),
            0,
            "refused: nothing made"
        );
        assert_eq!(ls, before);
        assert!(ls
            .plan_recreate(ms[2], Some("a:b"))
            .unwrap_err()
            .to_string()
            .starts_with("invalid idempotency key: "));
    }

    #[test]
    fn recreate_twice_replays_or_refuses() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, 1, 10);
        ls.pane_destroyed(12).unwrap();
        let m = ls.recreate(ms[2], None, Some("k"), NOW);
        // Same key: the same successor, whatever its state.
        assert_eq!(
            ls.plan_recreate(ms[2], Some("k")),
            Ok(RecreatePlan::Replay(m))
        );
        assert_eq!(ls.recreate(ms[2], None, Some("k"), NOW), m);
        assert_eq!(ls.layout(id).unwrap().panes.len(), 4, "nothing made");
        assert_eq!(
            ls.plan_recreate(ms[2], None).unwrap_err().to_string(),
            "a recreate of M3 is still creating (M4)"
        );
        assert_eq!(
            ls.plan_recreate(ms[2], Some("other"))
                .unwrap_err()
                .to_string(),
            "a recreate of M3 is still creating (M4)"
        );
        ls.pane_create_failed(m, "no space").unwrap();
        assert_eq!(
            ls.plan_recreate(ms[2], Some("k")),
            Ok(RecreatePlan::Replay(m))
        );
        assert_eq!(
            ls.plan_recreate(ms[2], None).unwrap_err().to_string(),
            "M3 was already recreated as M4"
        );
        // The successor is the one to recreate now.
        assert_eq!(
            ls.plan_recreate(m, Some("k")),
            Ok(RecreatePlan::New { depth: 2 })
        );
        ls.assert_consistent();
    }

    #[test]
    fn chains_go_to_depth_16_and_no_further() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, 1, 100);
        // Keep the layout live while the chain grows: the other panes stay.
        let mut m = ms[0];
        ls.pane_destroyed(100).unwrap();
        for depth in 1..=MAX_CHAIN_DEPTH {
            assert_eq!(ls.plan_recreate(m, None), Ok(RecreatePlan::New { depth }));
            m = ls.recreate(m, None, None, NOW);
            assert_eq!(ls.pane(m).unwrap().depth, depth);
            ls.pane_create_failed(m, "no space").unwrap();
            ls.assert_consistent();
        }
        assert_eq!(ls.pane(m).unwrap().depth, 16);
        assert_eq!(
            ls.plan_recreate(m, None).unwrap_err().to_string(),
            format!("recreate chain too deep: M{m} is at depth 16 (limit 16)")
        );
        assert_eq!(ls.find_label(id, "m1").map(|p| p.id), Some(m));
        assert_eq!(ls.state(id), Failed);
        // Walk the chain back to the original.
        let mut chain = vec![m];
        while let Some(q) = ls.pane(*chain.last().unwrap()).unwrap().predecessor {
            chain.push(q);
        }
        assert_eq!(chain.len(), 17);
        assert_eq!(*chain.last().unwrap(), ms[0]);
    }

    #[test]
    fn no_recreate_in_a_removed_layout() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, 1, 10);
        ls.session_destroyed(1);
        assert_eq!(
            ls.plan_recreate(ms[0], None).unwrap_err().to_string(),
            format!("layout L{id} is removed: its panes can't be recreated")
        );
    }

    #[test]
    fn find_label_prefers_the_newest_pane_not_removed() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, 1, 10);
        ls.pane_exited(10, 1).unwrap(); // M1 degraded, its pane still there
        let m = ls.recreate(ms[0], None, None, NOW);
        ls.pane_created(m, 20);
        assert_eq!(ls.find_label(id, "m1").map(|p| p.id), Some(m));
        ls.pane_destroyed(20).unwrap();
        assert_eq!(ls.find_label(id, "m1").map(|p| p.id), Some(ms[0]));
        ls.pane_destroyed(10).unwrap();
        assert_eq!(ls.find_label(id, "m1").map(|p| p.id), Some(m));
        assert_eq!(ls.find_label(id, "s2").map(|p| p.id), Some(ms[2]));
        assert!(ls.find_label(id, "x9").is_none());
        assert!(ls.find_label(99, "m1").is_none());
        ls.assert_consistent();
    }

    #[test]
    fn one_live_layout_per_session() {
        let mut ls = Layouts::new();
        let (a, _) = ready(&mut ls, 1, 10);
        let (b, _) = ready(&mut ls, 2, 20);
        assert_eq!(ls.layout_of_session(1), Some(a));
        assert_eq!(ls.layout_of_session(2), Some(b));
        for pane in 10..13 {
            ls.pane_destroyed(pane).unwrap();
        }
        assert_eq!(ls.layout_of_session(1), None);
        assert_eq!(ls.layout_of_session(2), Some(b));
        let (c, _) = ready(&mut ls, 1, 30);
        assert_eq!(ls.layout_of_session(1), Some(c));
        ls.assert_consistent();
    }

    #[test]
    fn removed_layouts_are_kept_then_forgotten() {
        let mut ls = Layouts::new();
        let n = RETAINED_REMOVED_LAYOUTS as SessionId + 3;
        for s in 0..n {
            let t = one_m_two_s();
            ls.create(s, &t, "g", Some(&format!("k{s}")), t.slots(), NOW);
            ls.session_destroyed(s);
        }
        assert_eq!(ls.layouts().count(), RETAINED_REMOVED_LAYOUTS);
        assert_eq!(
            ls.layouts().next().unwrap().id,
            4,
            "the oldest are forgotten"
        );
        assert!(ls.layout(1).is_none());
        assert!(ls.pane(1).is_none());
        assert_eq!(ls.panes(1).count(), 0);
        assert_eq!(ls.state(1), Removed);
        assert!(ls.layout(n).is_some());
        // Forgetting never touches a live layout.
        let (live, _) = ready(&mut ls, 1000, 5000);
        for s in n..n + 10 {
            let t = one_m_two_s();
            ls.create(s, &t, "g", None, t.slots(), NOW);
            ls.session_destroyed(s);
        }
        assert!(ls.is_live(live));
        assert_eq!(ls.live_count(), 1);
        ls.assert_consistent();
    }

    #[test]
    fn ids_parse() {
        assert_eq!(parse_layout_id("L3"), Some(3));
        assert_eq!(parse_layout_id("L4294967295"), Some(u32::MAX));
        assert_eq!(parse_managed_id("M7"), Some(7));
        assert_eq!(parse_managed_id("M007"), Some(7));
        for bad in [
            "",
            "L",
            "L0",
            "l3",
            "3",
            "L-1",
            "L+1",
            "L 1",
            "L1x",
            "L4294967296",
            "M3",
        ] {
            assert_eq!(parse_layout_id(bad), None, "{bad:?}");
        }
        assert_eq!(parse_managed_id("L7"), None);
        assert_eq!(parse_managed_id("%7"), None);
    }
}
