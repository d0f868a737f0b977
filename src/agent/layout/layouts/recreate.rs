//! Recreating a managed pane: [`Layouts::plan_recreate`] checks and
//! changes nothing; [`Layouts::recreate`] records the successor, linked to
//! its predecessor one deeper in the chain.

use crate::agent::error::{AgentError, Limit};
use crate::agent::layout::{layout_key, ManagedId};

use super::{Layouts, ManagedPane, PaneState, RecreatePlan, MAX_CHAIN_DEPTH};

impl Layouts {
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
                return ManagedId(0);
            }
        };
        let Some(p) = self.panes.get_mut(&source) else {
            return ManagedId(0);
        };
        self.last_pane += 1;
        let m = ManagedId(self.last_pane);
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
            released: false,
            worktree: p.worktree.clone(),
        };
        let layout = p.layout;
        self.panes.insert(m, successor);
        if let Some(l) = self.layouts.get_mut(&layout) {
            l.panes.push(m);
        }
        self.refresh(layout);
        m
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{made, ready, NOW};
    use super::*;
    use crate::ids::PaneId;
    use crate::ids::SessionId;
    use PaneState::*;

    #[test]
    fn worktrees_fail_their_pane_and_pass_to_successors() {
        use crate::agent::layout::Worktree;
        let mut ls = Layouts::new();
        let (_, ms) = made(&mut ls, SessionId(1), PaneId(10));
        let wt = Worktree {
            repo: "/r".into(),
            path: "/r.agent-worktrees/x/s1".into(),
            branch: "agent/x/s1".into(),
            base_ref: "HEAD".into(),
            base: "abc".into(),
            removed: false,
        };
        ls.set_worktree(ms[1], Some(wt.clone()));
        let t = ls.worktree_failed(ms[1], "fatal: no\nway").unwrap();
        assert_eq!(
            (t.to, t.stage),
            (Failed, Some(crate::agent::layout::Stage::Worktree))
        );
        let p = ls.pane(ms[1]).unwrap();
        assert_eq!(p.error.as_deref(), Some("fatal: no way"));
        assert_eq!(
            ls.worktree_failed(ms[1], "again"),
            None,
            "only from creating"
        );
        let m = ls.recreate(ms[1], None, None, NOW + 1);
        assert_eq!(ls.pane(m).unwrap().worktree.as_ref(), Some(&wt));
        assert_eq!(ls.pane(ms[0]).unwrap().worktree, None);
        ls.assert_consistent();
    }

    #[test]
    fn recreate_makes_a_linked_successor() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, SessionId(1), PaneId(10));
        let _ = ls.pane_exited(PaneId(11), 2).unwrap();
        assert_eq!(
            ls.plan_recreate(ms[1], None),
            Ok(RecreatePlan::New { depth: 1 })
        );
        let before = ls.state(id);
        assert_eq!(before, Degraded);
        let m = ls.recreate(ms[1], Some("codex --resume"), Some("r1"), NOW + 5);
        assert_eq!(m, ManagedId(4));
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
        assert_eq!(
            ls.layout(id).unwrap().panes,
            [ManagedId(1), ManagedId(2), ManagedId(3), ManagedId(4)]
        );
        // The layout's state follows its current panes.
        assert_eq!(ls.state(id), Creating);
        assert_eq!(
            ls.current(id).map(|p| p.id).collect::<Vec<_>>(),
            [ManagedId(1), ManagedId(3), ManagedId(4)]
        );
        assert_eq!(ls.find_label(id, "s1").map(|p| p.id), Some(m));
        ls.pane_created(m, PaneId(13));
        let _ = ls.settle(m).unwrap();
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
        let _ = ls.pane_exited(PaneId(10), 1).unwrap();
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
        let (_, ms) = made(&mut ls, SessionId(1), PaneId(10));
        assert_eq!(
            ls.plan_recreate(ms[0], None).unwrap_err().to_string(),
            "pane M1 is creating: only failed, degraded or removed panes can be recreated"
        );
        let _ = ls.settle(ms[2]).unwrap();
        assert_eq!(
            ls.plan_recreate(ms[2], None).unwrap_err().to_string(),
            "pane M3 is ready: only failed, degraded or removed panes can be recreated"
        );
        assert_eq!(
            ls.plan_recreate(ManagedId(99), None)
                .unwrap_err()
                .to_string(),
            "can't find pane: M99"
        );
        let _ = ls.pane_destroyed(PaneId(12)).unwrap();
        assert_eq!(
            ls.plan_recreate(ms[2], None),
            Ok(RecreatePlan::New { depth: 1 })
        );
        let before = ls.clone();
        assert_eq!(
            ls.recreate(ms[0], None, None, NOW),
            ManagedId(0),
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
        let (id, ms) = ready(&mut ls, SessionId(1), PaneId(10));
        let _ = ls.pane_destroyed(PaneId(12)).unwrap();
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
        let _ = ls.pane_create_failed(m, "no space").unwrap();
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
        let (id, ms) = ready(&mut ls, SessionId(1), PaneId(100));
        // Keep the layout live while the chain grows: the other panes stay.
        let mut m = ms[0];
        let _ = ls.pane_destroyed(PaneId(100)).unwrap();
        for depth in 1..=MAX_CHAIN_DEPTH {
            assert_eq!(ls.plan_recreate(m, None), Ok(RecreatePlan::New { depth }));
            m = ls.recreate(m, None, None, NOW);
            assert_eq!(ls.pane(m).unwrap().depth, depth);
            let _ = ls.pane_create_failed(m, "no space").unwrap();
            ls.assert_consistent();
        }
        assert_eq!(ls.pane(m).unwrap().depth, 16);
        assert_eq!(
            ls.plan_recreate(m, None).unwrap_err().to_string(),
            format!("recreate chain too deep: {m} is at depth 16 (limit 16)")
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
        let (id, ms) = ready(&mut ls, SessionId(1), PaneId(10));
        let _ = ls.session_destroyed(SessionId(1));
        assert_eq!(
            ls.plan_recreate(ms[0], None).unwrap_err().to_string(),
            format!("layout {id} is removed: its panes can't be recreated")
        );
    }
}
