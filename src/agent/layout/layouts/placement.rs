//! Where a layout is. A layout belongs to one session and its panes live in
//! one window, the layout's window. tmux can move both out from under it;
//! the server reports what it finds and these keep the record true:
//!
//! - a managed pane whose tmux pane is now in another window (join-pane,
//!   move-pane, break-pane, swap-pane) is *released*: Removed and marked
//!   so, its tmux pane no longer mapped (it runs on as a plain pane);
//! - when the layout's session is destroyed while its window lives on in
//!   another session (a grouped session, link-window), the layout passes to
//!   that session, unless that session has a live layout of its own.

use crate::agent::layout::{LayoutId, PaneId, WindowId};
use crate::agent::SessionId;

use super::{Layouts, PaneState, Transition};

impl Layouts {
    /// Layout `id`'s panes are in window `window` (when it is made, or when
    /// a recreate starts it again in another window because its own is gone).
    pub fn set_window(&mut self, id: LayoutId, window: WindowId) {
        if let Some(l) = self.layouts.get_mut(&id) {
            l.window = Some(window);
        }
    }

    /// The managed pane of tmux pane `pane` → Removed and released: its tmux
    /// pane is no longer the layout's. `None` if `pane` is not mapped.
    #[must_use = "its transitions must be delivered"]
    pub fn release(&mut self, pane: PaneId) -> Option<Transition> {
        let m = *self.by_tmux.get(&pane)?;
        let p = self.panes.get_mut(&m)?;
        if p.state == PaneState::Removed {
            return None;
        }
        p.released = true;
        self.apply(m, PaneState::Removed, None)
    }

    /// `panes` are the tmux panes now in window `window`: every managed pane
    /// among them whose layout's window is another one is released, in the
    /// order given.
    #[must_use = "its transitions must be delivered"]
    pub fn window_changed(&mut self, window: WindowId, panes: &[PaneId]) -> Vec<Transition> {
        let mut out = Vec::new();
        for &pane in panes {
            let moved = self
                .by_tmux_pane(pane)
                .and_then(|p| self.layouts.get(&p.layout))
                .and_then(|l| l.window)
                .is_some_and(|w| w != window);
            if moved {
                out.extend(self.release(pane));
            }
        }
        out
    }

    /// The tmux panes of layout `id` that are still its (mapped), in
    /// creation order.
    pub fn tmux_panes(&self, id: LayoutId) -> Vec<PaneId> {
        self.panes(id)
            .filter_map(|p| p.pane.filter(|x| self.by_tmux.get(x) == Some(&p.id)))
            .collect()
    }

    /// Layout `id` passes to session `to`: its session is going and `to`
    /// keeps its window. Refused (`false`, nothing changes) if the layout is
    /// not live or `to` has a live layout of its own.
    pub fn pass_to(&mut self, id: LayoutId, to: SessionId) -> bool {
        if !self.is_live(id) || self.layout_of_session(to).is_some() {
            return false;
        }
        let Some(l) = self.layouts.get_mut(&id) else {
            return false;
        };
        let from = std::mem::replace(&mut l.session, to);
        if self.by_session.get(&from) == Some(&id) {
            self.by_session.remove(&from);
        }
        self.by_session.insert(to, id);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{made, ready};
    use super::*;
    use PaneState::*;

    #[test]
    fn panes_moved_out_of_the_window_are_released() {
        let mut ls = Layouts::new();
        let (id, ms) = ready(&mut ls, SessionId(1), PaneId(10));
        // Until the window is known nothing is released.
        assert!(ls
            .window_changed(WindowId(7), &[PaneId(10), PaneId(11)])
            .is_empty());
        ls.set_window(id, WindowId(5));
        // Panes in their own window, and plain panes, stay as they are.
        assert!(ls
            .window_changed(
                WindowId(5),
                &[PaneId(10), PaneId(11), PaneId(12), PaneId(99)]
            )
            .is_empty());
        let ts = ls.window_changed(WindowId(7), &[PaneId(11), PaneId(99)]);
        assert_eq!(ts.len(), 1);
        let t = ts[0];
        assert_eq!(
            (t.pane, t.from, t.to, t.tmux_pane),
            (ms[1], Ready, Removed, Some(PaneId(11)))
        );
        let p = ls.pane(ms[1]).unwrap();
        assert!(p.released);
        assert_eq!(p.pane, Some(PaneId(11)), "keeps the id for display");
        assert!(
            ls.by_tmux_pane(PaneId(11)).is_none(),
            "no longer the layout's"
        );
        assert_eq!(
            ls.pane_destroyed(PaneId(11)),
            None,
            "its end is not the layout's"
        );
        assert_eq!(ls.pane_exited(PaneId(11), 0), None);
        assert!(!ls.pane(ms[0]).unwrap().released);
        assert_eq!(ls.tmux_panes(id), [PaneId(10), PaneId(12)]);
        assert_eq!(ls.release(PaneId(11)), None);
        assert!(ls.is_live(id));
        ls.assert_consistent();
    }

    #[test]
    fn a_layout_passes_to_a_session_without_one() {
        let mut ls = Layouts::new();
        let (a, _) = made(&mut ls, SessionId(1), PaneId(10));
        let (b, _) = ready(&mut ls, SessionId(2), PaneId(20));
        assert!(!ls.pass_to(a, SessionId(2)), "session 2 has its own layout");
        assert_eq!(ls.layout(a).unwrap().session, SessionId(1));
        assert!(ls.pass_to(a, SessionId(3)));
        assert_eq!(ls.layout(a).unwrap().session, SessionId(3));
        assert_eq!(ls.layout_of_session(SessionId(3)), Some(a));
        assert_eq!(ls.layout_of_session(SessionId(1)), None);
        assert_eq!(ls.layout_of_session(SessionId(2)), Some(b));
        // The old session's end no longer touches it; the new one's does.
        assert!(ls.session_destroyed(SessionId(1)).is_empty());
        assert_eq!(ls.session_destroyed(SessionId(3)).len(), 3);
        assert!(
            !ls.pass_to(a, SessionId(4)),
            "a removed layout stays where it was"
        );
        ls.assert_consistent();
    }
}
