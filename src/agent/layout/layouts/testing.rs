//! Test support for the layout store: the structural invariant check and
//! the fixtures the tests share.

use std::collections::BTreeSet;

use super::{LayoutId, Layouts, ManagedId, PaneState, MAX_CHAIN_DEPTH, RETAINED_REMOVED_LAYOUTS};
use crate::agent::layout::template::{Template, Templates};
use crate::agent::layout::PaneId;
use crate::agent::SessionId;

pub(super) const NOW: i64 = 1_700_000_000;

pub(super) fn one_m_two_s() -> Template {
    Templates::new().get("1m+2s").unwrap().clone()
}

/// A layout of `1m+2s` in session `session` with tmux panes
/// `first_pane..`, all created.
pub(super) fn made(
    ls: &mut Layouts,
    session: SessionId,
    first_pane: PaneId,
) -> (LayoutId, Vec<ManagedId>) {
    let t = one_m_two_s();
    let (id, ms) = ls.create(session, &t, "team", None, t.slots(), NOW);
    for (i, &m) in ms.iter().enumerate() {
        ls.pane_created(m, PaneId(first_pane.0 + i as u32));
    }
    (id, ms)
}

/// A layout whose panes have all settled.
pub(super) fn ready(
    ls: &mut Layouts,
    session: SessionId,
    first_pane: PaneId,
) -> (LayoutId, Vec<ManagedId>) {
    let (id, ms) = made(ls, session, first_pane);
    for &m in &ms {
        let _ = ls.settle(m).unwrap();
    }
    (id, ms)
}

impl Layouts {
    /// Checks every structural invariant; for tests.
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self) {
        for (&pane, &m) in &self.by_tmux {
            let p = &self.panes[&m];
            assert_eq!(p.pane, Some(pane), "{m} mapped from {pane}");
            assert_ne!(p.state, PaneState::Removed, "{m} removed but mapped");
        }
        for p in self.panes.values() {
            let l = &self.layouts[&p.layout];
            assert!(l.panes.contains(&p.id));
            assert!(p.depth <= MAX_CHAIN_DEPTH, "{} too deep", p.id);
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
