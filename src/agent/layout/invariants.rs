//! Property tests: random sequences of what the server reports (panes made
//! or not, settle timers, exits, destroyed panes and sessions, recreates)
//! over a few layouts never make a forbidden transition, never move a
//! removed pane, keep chains at most [`MAX_CHAIN_DEPTH`] deep and their
//! links consistent, and change states only by the transitions they return.

use crate::ids::SessionId;
use std::collections::BTreeMap;

use proptest::prelude::*;

use super::{
    allowed, CreatePlan, LayoutId, Layouts, ManagedId, PaneId, PaneState, RecreatePlan, Templates,
    Transition, MAX_CHAIN_DEPTH,
};

const TEMPLATES: [&str; 2] = ["1m+2s", "2m+2s"];
const KEYS: [&str; 2] = ["a", "b"];
const LIMIT: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    /// Plan and create a layout; bit i of the mask makes slot i fail.
    Create(usize, Option<usize>, u16),
    Settle(usize),
    Exit(usize, i32),
    Destroy(usize),
    CreateFailed(usize),
    /// Recreate the newest pane of a label (layout, slot): with a key, and
    /// whether its tmux pane is made.
    Recreate(usize, usize, Option<usize>, bool),
    SessionDestroyed(usize),
    /// Recreate the newest pane of a label `n` times over, each failing,
    /// to run chains into their depth limit.
    Chain(usize, usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    let pane = 0..64usize;
    prop_oneof![
        1 => (0..TEMPLATES.len(), proptest::option::of(0..KEYS.len()), any::<u16>(), any::<u16>())
            .prop_map(|(t, k, a, b)| Op::Create(t, k, a & b)),
        3 => pane.clone().prop_map(Op::Settle),
        2 => (pane.clone(), 0..256i32).prop_map(|(p, s)| Op::Exit(p, s)),
        2 => pane.clone().prop_map(Op::Destroy),
        1 => pane.prop_map(Op::CreateFailed),
        4 => (0..4usize, 0..4usize, proptest::option::of(0..KEYS.len()), any::<bool>())
            .prop_map(|(l, s, k, made)| Op::Recreate(l, s, k, made)),
        1 => (0..4usize).prop_map(Op::SessionDestroyed),
        1 => (0..4usize, 0..4usize, 1..20usize).prop_map(|(l, s, n)| Op::Chain(l, s, n)),
    ]
}

/// The world around the registry: which layouts exist and which tmux pane
/// number comes next.
struct World {
    ls: Layouts,
    templates: Templates,
    layouts: Vec<LayoutId>,
    next_pane: PaneId,
    now: i64,
}

impl World {
    /// The `i`-th managed pane ever made (cycling), if any.
    fn managed(&self, i: usize) -> Option<ManagedId> {
        let all: Vec<ManagedId> = self
            .layouts
            .iter()
            .flat_map(|&l| self.ls.panes(l).map(|p| p.id))
            .collect();
        (!all.is_empty()).then(|| all[i % all.len()])
    }

    /// The tmux pane of the `i`-th managed pane, or one nobody has.
    fn tmux_pane(&self, i: usize) -> PaneId {
        self.managed(i)
            .and_then(|m| self.ls.pane(m)?.pane)
            .unwrap_or(PaneId(100_000))
    }

    fn make_pane(&mut self, m: ManagedId, made: bool) -> Vec<Transition> {
        if made {
            self.next_pane = PaneId(self.next_pane.0 + 1);
            self.ls.pane_created(m, self.next_pane);
            Vec::new()
        } else {
            self.ls
                .pane_create_failed(m, "no space for new pane")
                .into_iter()
                .collect()
        }
    }

    fn step(&mut self, op: &Op) -> Vec<Transition> {
        self.now += 1;
        match *op {
            Op::Create(t, key, mask) => {
                let t = self.templates.get(TEMPLATES[t]).unwrap().clone();
                let key = key.map(|k| KEYS[k]);
                match self.ls.plan(&t, &[], key, LIMIT) {
                    Ok(CreatePlan::New) => {
                        let session = self.layouts.len() as u32;
                        let (id, ms) =
                            self.ls
                                .create(SessionId(session), &t, "g", key, t.slots(), self.now);
                        self.layouts.push(id);
                        let mut out = Vec::new();
                        for (i, m) in ms.into_iter().enumerate() {
                            out.extend(self.make_pane(m, mask & (1 << i) == 0));
                        }
                        out
                    }
                    Ok(CreatePlan::Replay(id)) => {
                        assert!(self.ls.is_live(id));
                        assert_eq!(self.ls.layout(id).unwrap().key.as_deref(), key);
                        Vec::new()
                    }
                    Err(e) => {
                        assert_eq!(self.ls.live_count(), LIMIT, "{e}");
                        Vec::new()
                    }
                }
            }
            Op::Settle(i) => self
                .managed(i)
                .and_then(|m| self.ls.settle(m))
                .into_iter()
                .collect(),
            Op::Exit(i, status) => {
                let pane = self.tmux_pane(i);
                self.ls.pane_exited(pane, status).into_iter().collect()
            }
            Op::Destroy(i) => {
                let pane = self.tmux_pane(i);
                self.ls.pane_destroyed(pane).into_iter().collect()
            }
            Op::CreateFailed(i) => self
                .managed(i)
                .and_then(|m| self.ls.pane_create_failed(m, "gone"))
                .into_iter()
                .collect(),
            Op::Recreate(l, slot, key, made) => {
                let Some(&id) = self.layouts.get(l) else {
                    return Vec::new();
                };
                let labels: Vec<String> = self
                    .ls
                    .panes(id)
                    .filter(|p| p.depth == 0)
                    .map(|p| p.label.clone())
                    .collect();
                let Some(label) = labels.get(slot % labels.len().max(1)) else {
                    return Vec::new();
                };
                let Some(source) = self.ls.find_label(id, label).map(|p| p.id) else {
                    return Vec::new();
                };
                let key = key.map(|k| KEYS[k]);
                let before = self.ls.clone();
                match self.ls.plan_recreate(source, key) {
                    Ok(RecreatePlan::New { depth }) => {
                        let m = self.ls.recreate(source, None, key, self.now);
                        let p = self.ls.pane(m).unwrap();
                        assert_eq!(p.depth, depth);
                        assert!(depth <= MAX_CHAIN_DEPTH);
                        assert_eq!(p.state, PaneState::Creating);
                        self.make_pane(m, made)
                    }
                    Ok(RecreatePlan::Replay(m)) => {
                        assert_eq!(self.ls.pane(source).unwrap().successor, Some(m));
                        assert_eq!(self.ls.recreate(source, None, key, self.now), m);
                        assert_eq!(self.ls, before, "a replay makes nothing");
                        Vec::new()
                    }
                    Err(_) => {
                        assert_eq!(self.ls, before, "a refusal changes nothing");
                        Vec::new()
                    }
                }
            }
            Op::Chain(l, slot, n) => {
                let mut out = Vec::new();
                for _ in 0..n {
                    out.extend(self.step(&Op::Recreate(l, slot, None, false)));
                }
                out
            }
            Op::SessionDestroyed(l) => match self.layouts.get(l) {
                Some(&id) => {
                    let s = self.ls.layout(id).map(|l| l.session);
                    let out = s.map(|s| self.ls.session_destroyed(s)).unwrap_or_default();
                    if self.ls.layout(id).is_some() {
                        assert!(self.ls.panes(id).all(|p| p.state == PaneState::Removed));
                    }
                    out
                }
                None => Vec::new(),
            },
        }
    }
}

fn states(ls: &Layouts) -> BTreeMap<ManagedId, PaneState> {
    ls.layouts()
        .flat_map(|l| ls.panes(l.id))
        .map(|p| (p.id, p.state))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_events_keep_the_lifecycle(ops in proptest::collection::vec(op(), 1..120)) {
        let mut w = World {
            ls: Layouts::new(),
            templates: Templates::new(),
            layouts: Vec::new(),
            next_pane: PaneId(0),
            now: 1_700_000_000,
        };
        for op in &ops {
            let before = states(&w.ls);
            let transitions = w.step(op);
            let after = states(&w.ls);
            for t in &transitions {
                prop_assert!(allowed(t.from, t.to), "{:?}", t);
                prop_assert_ne!(t.from, PaneState::Removed);
                let p = w.ls.pane(t.pane).unwrap();
                prop_assert_eq!(p.layout, t.layout);
                prop_assert_eq!(w.ls.layout(t.layout).unwrap().session, t.session);
                prop_assert_eq!(p.pane, t.tmux_pane);
                prop_assert_eq!(after[&t.pane], t.to);
            }
            // Every change of state is one returned transition, and nothing
            // else changed.
            for (m, &was) in &before {
                let Some(&now) = after.get(m) else { continue };
                let ts: Vec<&Transition> = transitions.iter().filter(|t| t.pane == *m).collect();
                if was == now {
                    prop_assert!(ts.is_empty(), "{:?}", ts);
                } else {
                    prop_assert_eq!(ts.len(), 1);
                    prop_assert_eq!((ts[0].from, ts[0].to), (was, now));
                }
                if was == PaneState::Removed {
                    prop_assert_eq!(now, PaneState::Removed);
                }
            }
            w.ls.assert_consistent();
        }
    }
}
