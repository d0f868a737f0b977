//! Targets of the command being executed: the session tmux resolved for
//! `-t`, sessions and panes resolved from target strings the way tmux does,
//! and the session a command is sent from.

use std::ffi::CStr;

use agent_tmux::ids::{PaneId, SessionId};

use super::item::{c_string, Item};
use super::sys;

impl Item {
    /// The id of the resolved target session (`$N`), for commands with a
    /// session or pane target.
    pub fn target_session(&self) -> Option<SessionId> {
        // SAFETY: the target state belongs to the item.
        unsafe {
            let fs = sys::cmdq_get_target(self.item);
            (!fs.is_null() && !(*fs).s.is_null()).then(|| SessionId((*(*fs).s).id))
        }
    }

    /// Resolve a session target the way tmux does (`None`: the current
    /// session). Prints nothing on failure.
    pub fn find_session(&self, target: Option<&str>) -> Option<SessionId> {
        // SAFETY: a found state has a live session.
        self.find(target, sys::cmd_find_type_CMD_FIND_SESSION)
            .map(|fs| SessionId(unsafe { (*fs.s).id }))
    }

    /// Resolve a pane target the way tmux does (`None`: the current pane).
    pub fn find_pane(&self, target: Option<&str>) -> Option<PaneId> {
        // SAFETY: a non-null pane of a found state is live.
        self.find(target, sys::cmd_find_type_CMD_FIND_PANE)
            .and_then(|fs| (!fs.wp.is_null()).then(|| PaneId(unsafe { (*fs.wp).id })))
    }

    fn find(&self, target: Option<&str>, kind: sys::cmd_find_type) -> Option<sys::cmd_find_state> {
        let t = target.map(c_string);
        // SAFETY: cmd_find_target fills a state we own; QUIET prints nothing.
        unsafe {
            let mut fs: sys::cmd_find_state = std::mem::zeroed();
            let rc = sys::cmd_find_target(
                &mut fs,
                self.item,
                t.as_ref().map_or(std::ptr::null(), |t| t.as_ptr()),
                kind,
                sys::CMD_FIND_QUIET as i32,
            );
            (rc == 0 && !fs.s.is_null()).then_some(fs)
        }
    }

    /// The session this command is run from, as a sender: the session of an
    /// attached (or control) client, or of the pane a command client runs
    /// in (`$TMUX_PANE`). `None` from outside tmux or with no client (hooks).
    pub fn own_session(&self) -> Option<SessionId> {
        // SAFETY: the client, if any, and its environment are live during
        // the command; the entry's value is copied at once.
        let pane = unsafe {
            let c = sys::cmdq_get_client(self.item);
            if c.is_null() {
                return None;
            }
            if !(*c).session.is_null() {
                return Some(SessionId((*(*c).session).id));
            }
            if (*c).environ.is_null() {
                return None;
            }
            let e = sys::environ_find((*c).environ, c"TMUX_PANE".as_ptr());
            if e.is_null() || (*e).value.is_null() {
                return None;
            }
            CStr::from_ptr((*e).value).to_str().ok()?.to_string()
        };
        let pane: PaneId = pane.parse().ok()?;
        super::pane::session_of(pane)
    }

    /// The pane this command is run from: the current pane of an attached
    /// (or control) client's session, or the pane a command client runs in
    /// (`$TMUX_PANE` in its environment, a pane that still exists). `None`
    /// from outside tmux or with no client (hooks, run-shell).
    pub fn own_pane(&self) -> Option<PaneId> {
        // SAFETY: the client, if any, and its session are live during the
        // command.
        let attached = unsafe {
            let c = sys::cmdq_get_client(self.item);
            if c.is_null() {
                return None;
            }
            (!(*c).session.is_null()).then(|| SessionId((*(*c).session).id))
        };
        if let Some(s) = attached {
            return super::pane::active_of_session(s);
        }
        let pane: PaneId = self.client_env("TMUX_PANE")?.parse().ok()?;
        super::pane::exists(pane).then_some(pane)
    }
}
