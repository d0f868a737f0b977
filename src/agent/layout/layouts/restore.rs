//! Restoring a layout saved by a previous server ([`crate::agent::saved`]):
//! [`Layouts::restore`] records it again with every pane it had, so its
//! recreate chains (predecessors, successors, depths), labels, roles,
//! commands, times and worktrees are as they were. Only the current panes
//! get tmux panes again; the others are history.

use std::collections::{BTreeMap, BTreeSet};

use crate::agent::saved::SavedLayout;
use crate::agent::SessionId;

use super::{Layout, Layouts, ManagedPane, PaneState, MAX_CHAIN_DEPTH};
use crate::agent::layout::{LayoutId, ManagedId};

impl Layouts {
    /// Records saved layout `saved` for session `session`, under new ids in
    /// the saved order. Its current panes ([`SavedLayout::current`], one per
    /// label) are Creating, each linked to its saved predecessor, for the
    /// server to make their tmux panes; every other pane is Removed and
    /// keeps its saved state's stage, exit status and error. A label has one
    /// chain: a pane whose predecessor was not saved starts it, or follows
    /// the chain's newest removed pane; a second chain of a label (only a
    /// broken store has one) is left out.
    /// Returns the layout's id and, for each pane to start, its managed id
    /// and its index in `saved.panes`.
    pub fn restore(
        &mut self,
        session: SessionId,
        saved: &SavedLayout,
    ) -> (LayoutId, Vec<(ManagedId, usize)>) {
        self.last_layout += 1;
        let id = LayoutId(self.last_layout);
        let current: BTreeSet<u32> = saved.current().map(|p| p.old_id).collect();
        let mut by_old: BTreeMap<u32, ManagedId> = BTreeMap::new();
        // Each label's newest pane so far, while it has no successor.
        let mut open: BTreeMap<&str, ManagedId> = BTreeMap::new();
        let mut ids = Vec::with_capacity(saved.panes.len());
        let mut start = Vec::new();
        for (i, p) in saved.panes.iter().enumerate() {
            let linkable = |q: &ManagedId| {
                self.panes.get(q).is_some_and(|q| {
                    q.label == p.label
                        && q.role == p.role
                        && q.successor.is_none()
                        && q.state == PaneState::Removed
                        && q.depth < MAX_CHAIN_DEPTH
                })
            };
            // Its saved predecessor; from a store that lost it, the open
            // pane of its label (a label has one chain).
            let predecessor = p
                .predecessor
                .and_then(|o| by_old.get(&o).copied())
                .filter(linkable)
                .or_else(|| open.get(p.label.as_str()).copied().filter(linkable));
            if predecessor.is_none() && open.contains_key(p.label.as_str()) {
                // A second chain of one label (a broken store): left out.
                continue;
            }
            self.last_pane += 1;
            let m = ManagedId(self.last_pane);
            let depth = predecessor
                .and_then(|q| self.panes.get(&q))
                .map_or(0, |q| q.depth + 1);
            if let Some(q) = predecessor.and_then(|q| self.panes.get_mut(&q)) {
                q.successor = Some(m);
            }
            open.insert(&p.label, m);
            let starts = current.contains(&p.old_id);
            let (state, stage, exit_status, error) = if starts {
                (PaneState::Creating, None, None, None)
            } else {
                (PaneState::Removed, p.stage, p.exit_status, p.error.clone())
            };
            self.panes.insert(
                m,
                ManagedPane {
                    id: m,
                    layout: id,
                    pane: None,
                    label: p.label.clone(),
                    role: p.role.clone(),
                    command: p.command.clone(),
                    state,
                    stage,
                    exit_status,
                    error,
                    predecessor,
                    successor: None,
                    depth,
                    created: p.created,
                    recreate_key: p.recreate_key.clone(),
                    released: p.released && !starts,
                    worktree: p.worktree.clone(),
                },
            );
            by_old.insert(p.old_id, m);
            ids.push(m);
            if starts {
                start.push((m, i));
            }
        }
        self.layouts.insert(
            id,
            Layout {
                id,
                session,
                template: saved.template.clone(),
                tmux_layout: saved.tmux_layout.clone(),
                group: saved.group.clone(),
                key: saved.key.clone(),
                created: saved.created,
                panes: ids,
                window: None,
            },
        );
        self.by_session.insert(session, id);
        if let Some(key) = &saved.key {
            self.by_key.insert(key.clone(), id);
        }
        self.refresh(id);
        (id, start)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{ready, NOW};
    use super::*;
    use crate::agent::layout::{PaneId, Stage, Templates};
    use crate::agent::saved::{save, Names};
    use crate::agent::Registry;

    /// A layout whose `m1` was recreated twice (its panes destroyed), saved
    /// under the session name "squad".
    fn chained() -> (Layouts, SavedLayout) {
        let mut ls = Layouts::new();
        let (_, ms) = ready(&mut ls, SessionId(1), PaneId(10));
        let _ = ls.pane_exited(PaneId(10), 3).unwrap();
        let _ = ls.pane_destroyed(PaneId(10)).unwrap();
        let a = ls.recreate(ms[0], Some("sleep 9"), Some("k1"), NOW + 5);
        ls.pane_created(a, PaneId(20));
        let _ = ls.pane_destroyed(PaneId(20)).unwrap();
        let b = ls.recreate(a, None, None, NOW + 9);
        ls.pane_created(b, PaneId(21));
        let _ = ls.settle(b).unwrap();
        let mut names = Names::default();
        names.sessions.insert(SessionId(1), "squad".into());
        let saved = save(&Registry::new(), &ls, &Templates::new(), &names);
        (ls, saved.layouts[0].clone())
    }

    #[test]
    fn chains_come_back_linked_with_their_history() {
        let (old, saved) = chained();
        assert_eq!(saved.panes.len(), 5);
        let mut ls = Layouts::new();
        let (id, start) = ls.restore(SessionId(7), &saved);
        ls.assert_consistent();
        // The new server's ids are the old ones: it made nothing before.
        let olds: Vec<_> = old.panes(LayoutId(1)).cloned().collect();
        let news: Vec<_> = ls.panes(id).cloned().collect();
        assert_eq!(news.len(), olds.len());
        for (n, o) in news.iter().zip(&olds) {
            assert_eq!(
                (n.id, n.predecessor, n.successor, n.depth, n.created),
                (o.id, o.predecessor, o.successor, o.depth, o.created)
            );
            assert_eq!(
                (&n.label, &n.role, &n.command),
                (&o.label, &o.role, &o.command)
            );
            assert_eq!(n.recreate_key, o.recreate_key);
        }
        // The current panes are made again; the history is removed.
        let labels: Vec<&str> = start
            .iter()
            .map(|&(m, _)| ls.pane(m).unwrap().label.as_str())
            .collect();
        assert_eq!(labels, ["s1", "s2", "m1"]);
        assert!(start
            .iter()
            .all(|&(m, _)| ls.pane(m).unwrap().state == PaneState::Creating));
        let first = ls.pane(ManagedId(1)).unwrap();
        assert_eq!(first.state, PaneState::Removed);
        assert_eq!(
            (first.stage, first.exit_status),
            (Some(Stage::ProcessExit), Some(3))
        );
        assert_eq!(ls.pane(ManagedId(5)).unwrap().depth, 2);
        assert_eq!(ls.layout(id).unwrap().created, NOW);
        assert_eq!(ls.layout_of_session(SessionId(7)), Some(id));
        // The chain goes on: the newest can be recreated once it fails.
        ls.pane_created(ManagedId(5), PaneId(40));
        let _ = ls.pane_destroyed(PaneId(40)).unwrap();
        let c = ls.recreate(ManagedId(5), None, None, NOW + 20);
        assert_eq!(ls.pane(c).unwrap().depth, 3);
        ls.assert_consistent();
    }

    #[test]
    fn a_broken_store_still_makes_a_consistent_layout() {
        let (_, mut saved) = chained();
        // A predecessor that was not saved, and a second chain of a label.
        saved.panes.remove(0);
        let mut dup = saved.panes[0].clone();
        dup.old_id = 99;
        saved.panes.push(dup);
        let mut ls = Layouts::new();
        let (id, start) = ls.restore(SessionId(7), &saved);
        ls.assert_consistent();
        assert_eq!(start.len(), 3, "one pane per label starts");
        assert_eq!(ls.panes(id).count(), 4, "the second chain is left out");
        let a = ls
            .panes(id)
            .find(|p| p.command.as_deref() == Some("sleep 9"));
        assert_eq!(a.map(|p| (p.predecessor, p.depth)), Some((None, 0)));
    }
}
