//! What the server reports about a managed pane after making it: its tmux
//! pane exists or could not be made, the settle time passed, its process
//! exited, it is gone (alone, or with its whole layout or session). Each
//! report that applies moves the pane to a state
//! [`allowed`](crate::agent::layout::allowed) from its own
//! and returns the [`Transition`]; one that does not apply changes
//! nothing.

use crate::agent::layout::{LayoutId, ManagedId, PaneId};
use crate::agent::validate::is_refused_control;
use crate::agent::SessionId;

use super::super::worktree::Worktree;
use super::{Layouts, PaneState, Stage, Transition, MAX_ERROR_BYTES};

impl Layouts {
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
    #[must_use = "its transitions must be delivered"]
    pub fn pane_create_failed(&mut self, m: ManagedId, error: &str) -> Option<Transition> {
        let p = self.panes.get_mut(&m)?;
        if p.state != PaneState::Creating {
            return None;
        }
        p.error = Some(clean_error(error));
        self.apply(m, PaneState::Failed, Some(Stage::PaneCreate))
    }

    /// Managed pane `m` gets (or, `None`, loses) its worktree record: set
    /// when its worktree is planned, marked removed when it is removed.
    /// Its recreates made later share it.
    pub fn set_worktree(&mut self, m: ManagedId, worktree: Option<Worktree>) {
        if let Some(p) = self.panes.get_mut(&m) {
            p.worktree = worktree;
        }
    }

    /// Git could not make `m`'s worktree: Creating → Failed (stage
    /// worktree), keeping git's `error` as [`Layouts::pane_create_failed`]
    /// does.
    #[must_use = "its transitions must be delivered"]
    pub fn worktree_failed(&mut self, m: ManagedId, error: &str) -> Option<Transition> {
        let p = self.panes.get_mut(&m)?;
        if p.state != PaneState::Creating {
            return None;
        }
        p.error = Some(clean_error(error));
        self.apply(m, PaneState::Failed, Some(Stage::Worktree))
    }

    /// The settle time passed: Creating → Ready; `None` if `m` is no longer
    /// Creating (its process exited first, say).
    #[must_use = "its transitions must be delivered"]
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
    #[must_use = "its transitions must be delivered"]
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
    #[must_use = "its transitions must be delivered"]
    pub fn pane_destroyed(&mut self, pane: PaneId) -> Option<Transition> {
        let m = *self.by_tmux.get(&pane)?;
        self.apply(m, PaneState::Removed, None)
    }

    /// Managed pane `m` → Removed, by its id: for a pane that has no tmux
    /// pane to be destroyed (Failed, or Creating before its pane was made)
    /// or whose tmux pane is already gone. `None` if it is Removed already.
    #[must_use = "its transitions must be delivered"]
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
    #[must_use = "its transitions must be delivered"]
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
    #[must_use = "its transitions must be delivered"]
    pub fn session_destroyed(&mut self, s: SessionId) -> Vec<Transition> {
        match self.by_session.get(&s) {
            Some(&id) => self.remove_layout(id),
            None => Vec::new(),
        }
    }
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
    use super::super::testing::{made, one_m_two_s, ready, NOW};
    use super::*;
    use PaneState::*;

    #[test]
    fn created_panes_are_found_by_tmux_pane() {
        let mut ls = Layouts::new();
        let (_, ms) = made(&mut ls, SessionId(1), PaneId(10));
        assert_eq!(ls.by_tmux_pane(PaneId(11)).map(|p| p.id), Some(ms[1]));
        assert_eq!(ls.pane(ms[1]).unwrap().pane, Some(PaneId(11)));
        assert!(ls.by_tmux_pane(PaneId(99)).is_none());
        // A pane reused for another managed pane moves to it.
        let t = one_m_two_s();
        let (_, other) = ls.create(SessionId(2), &t, "g", None, t.slots(), NOW);
        ls.pane_created(other[0], PaneId(11));
        assert_eq!(ls.by_tmux_pane(PaneId(11)).map(|p| p.id), Some(other[0]));
        // A second pane for the same managed pane replaces the first.
        ls.pane_created(other[0], PaneId(12));
        assert!(ls.by_tmux_pane(PaneId(11)).is_none());
        assert_eq!(ls.by_tmux_pane(PaneId(12)).map(|p| p.id), Some(other[0]));
        // Only Creating panes get one.
        let _ = ls.settle(other[1]).unwrap();
        ls.pane_created(other[1], PaneId(50));
        assert!(ls.by_tmux_pane(PaneId(50)).is_none());
        ls.pane_created(ManagedId(999), PaneId(51));
        assert!(ls.by_tmux_pane(PaneId(51)).is_none());
        ls.assert_consistent();
    }

    #[test]
    fn settle_makes_ready() {
        let mut ls = Layouts::new();
        let (id, ms) = made(&mut ls, SessionId(7), PaneId(10));
        let t = ls.settle(ms[0]).unwrap();
        assert_eq!(
            t,
            Transition {
                pane: ms[0],
                layout: id,
                tmux_pane: Some(PaneId(10)),
                session: SessionId(7),
                from: Creating,
                to: Ready,
                stage: None,
            }
        );
        assert_eq!(ls.pane(ms[0]).unwrap().state, Ready);
        assert_eq!(ls.settle(ms[0]), None, "settles once");
        assert_eq!(ls.state(id), Creating);
        let _ = ls.settle(ms[1]).unwrap();
        let _ = ls.settle(ms[2]).unwrap();
        assert_eq!(ls.state(id), Ready);
        assert_eq!(ls.settle(ManagedId(999)), None);
        ls.assert_consistent();
    }

    #[test]
    fn exit_before_settle_is_a_launch_failure() {
        let mut ls = Layouts::new();
        let (_, ms) = made(&mut ls, SessionId(1), PaneId(10));
        let t = ls.pane_exited(PaneId(11), 127).unwrap();
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
        assert_eq!(ls.pane_exited(PaneId(11), 0), None);
        assert_eq!(ls.pane(ms[1]).unwrap().exit_status, Some(127));
        ls.assert_consistent();
    }

    #[test]
    fn exit_after_ready_is_a_process_exit() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, SessionId(1), PaneId(10));
        let t = ls.pane_exited(PaneId(12), 128 + 9).unwrap();
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
        assert_eq!(ls.pane_exited(PaneId(99), 0), None, "not a managed pane");
        ls.assert_consistent();
    }

    #[test]
    fn destroyed_panes_are_removed() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, SessionId(3), PaneId(10));
        let _ = ls.pane_exited(PaneId(10), 1).unwrap();
        let t = ls.pane_destroyed(PaneId(10)).unwrap();
        assert_eq!(
            (t.pane, t.from, t.to, t.stage),
            (ms[0], Degraded, Removed, None)
        );
        assert_eq!((t.tmux_pane, t.session), (Some(PaneId(10)), SessionId(3)));
        let p = ls.pane(ms[0]).unwrap();
        assert_eq!(
            (p.state, p.pane),
            (Removed, Some(PaneId(10))),
            "keeps the id for display"
        );
        assert_eq!(p.stage, Some(Stage::ProcessExit), "keeps why it degraded");
        assert!(ls.by_tmux_pane(PaneId(10)).is_none());
        // Nothing moves a removed pane.
        assert_eq!(ls.pane_destroyed(PaneId(10)), None);
        assert_eq!(ls.pane_exited(PaneId(10), 0), None);
        assert_eq!(ls.settle(ms[0]), None);
        assert_eq!(ls.pane_create_failed(ms[0], "x"), None);
        assert_eq!(ls.pane(ms[0]).unwrap().state, Removed);
        // Ready and Creating panes are removed directly.
        let t = ls.pane_destroyed(PaneId(11)).unwrap();
        assert_eq!((t.from, t.to), (Ready, Removed));
        assert_eq!(ls.state(id), Ready);
        assert!(ls.is_live(id));
        let t = ls.pane_destroyed(PaneId(12)).unwrap();
        assert_eq!((t.from, t.to), (Ready, Removed));
        assert_eq!(ls.state(id), Removed);
        assert!(!ls.is_live(id));
        assert_eq!(ls.live_count(), 0);
        assert_eq!(ls.layout_of_session(SessionId(3)), None);
        assert!(ls.layout(id).is_some(), "still listed");
        ls.assert_consistent();
    }

    #[test]
    fn panes_that_could_not_be_created_fail() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        let (id, ms) = ls.create(SessionId(2), &t, "g", None, t.slots(), NOW);
        ls.pane_created(ms[0], PaneId(20));
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
        let _ = ls.settle(ms[0]).unwrap();
        assert_eq!(
            ls.pane_create_failed(ms[0], "late"),
            None,
            "ready can't fail"
        );
        let _ = ls.pane_create_failed(ms[2], "x").unwrap();
        assert_eq!(ls.state(id), Failed);
        // Only the session's end removes panes that never had a tmux pane.
        let _ = ls.pane_destroyed(PaneId(20)).unwrap();
        assert_eq!(ls.state(id), Failed);
        assert!(ls.is_live(id));
        let ts = ls.session_destroyed(SessionId(2));
        let moved: Vec<(ManagedId, PaneState)> = ts.iter().map(|t| (t.pane, t.from)).collect();
        assert_eq!(moved, [(ms[1], Failed), (ms[2], Failed)]);
        assert!(ts
            .iter()
            .all(|t| t.to == Removed && t.session == SessionId(2)));
        assert!(!ls.is_live(id));
        assert!(ls.session_destroyed(SessionId(2)).is_empty());
        assert!(ls.remove_layout(id).is_empty());
        ls.assert_consistent();
    }

    #[test]
    fn panes_are_removed_by_id() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        let (id, ms) = ls.create(SessionId(2), &t, "g", None, t.slots(), NOW);
        ls.pane_created(ms[0], PaneId(20));
        let _ = ls.pane_create_failed(ms[1], "x").unwrap();
        let tr = ls.mark_removed(ms[1]).unwrap();
        assert_eq!(
            (tr.pane, tr.from, tr.to, tr.tmux_pane),
            (ms[1], Failed, Removed, None)
        );
        assert_eq!(ls.mark_removed(ms[1]), None);
        let tr = ls.mark_removed(ms[0]).unwrap();
        assert_eq!((tr.from, tr.tmux_pane), (Creating, Some(PaneId(20))));
        assert!(ls.by_tmux_pane(PaneId(20)).is_none(), "no longer mapped");
        assert_eq!(ls.pane_destroyed(PaneId(20)), None);
        let _ = ls.mark_removed(ms[2]).unwrap();
        assert!(!ls.is_live(id));
        assert_eq!(ls.mark_removed(ManagedId(999)), None);
        ls.assert_consistent();
    }

    #[test]
    fn error_texts_are_cut_and_kept_on_one_line() {
        let mut ls = Layouts::new();
        let t = one_m_two_s();
        let (_, ms) = ls.create(SessionId(2), &t, "g", None, t.slots(), NOW);
        let _ = ls.pane_create_failed(ms[0], "a\nb\u{1b}c");
        assert_eq!(ls.pane(ms[0]).unwrap().error.as_deref(), Some("a b c"));
        let long = "é".repeat(MAX_ERROR_BYTES);
        let _ = ls.pane_create_failed(ms[1], &long);
        let kept = ls.pane(ms[1]).unwrap().error.clone().unwrap();
        assert_eq!(kept, "é".repeat(MAX_ERROR_BYTES / 2));
        let _ = ls.pane_create_failed(ms[2], &"x".repeat(MAX_ERROR_BYTES + 1));
        assert_eq!(
            ls.pane(ms[2]).unwrap().error.as_ref().unwrap().len(),
            MAX_ERROR_BYTES
        );
    }
}
