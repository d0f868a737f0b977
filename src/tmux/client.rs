//! The client of the command being executed and its rules: whether it may
//! wait or is read-only, attaching it the way new-session and
//! attach-session do, and the key that names it while it lives.

use agent_tmux::ids::SessionId;

use super::error::CmdError;
use super::item::{c_string, Item};
use super::sys;

impl Item {
    /// A number naming this command's client while it lives (0: none), the
    /// key of [`crate::tmux::Handlers::client_lost`].
    pub fn client_key(&self) -> u64 {
        // SAFETY: reading the item's client pointer, used only as a key.
        unsafe { sys::cmdq_get_client(self.item) as u64 }
    }

    /// Can this command wait (return [`crate::tmux::Flow::Wait`])? Only as
    /// the command of a client of its own, whose queue holds nothing but
    /// what that client asked for: a command client (`tmux agent-wait ...`,
    /// attached to no session) or a line a control client sent. Anywhere
    /// else waiting would hold a queue that others depend on: the global
    /// queue (a hook, a command with no client), or an attached client's
    /// queue that a command landed on without that client asking, as
    /// if-shell -b and run-shell -b from a hook do (their commands go to
    /// the "best" client, with no trace of the hook), or a terminal
    /// client's queue, which also carries its keys.
    pub fn can_wait(&self) -> bool {
        // SAFETY: reading the live item's client, flags and queue; the client
        // is live during the command.
        unsafe {
            let c = sys::cmdq_get_client(self.item);
            let flags = sys::cmdq_get_flags(self.item);
            if c.is_null()
                || flags & sys::CMDQ_STATE_NOHOOKS as i32 != 0
                || sys::cmdq_running(std::ptr::null_mut()) == self.item
            {
                return false;
            }
            if (*c).flags & sys::CLIENT_CONTROL as u64 != 0 {
                flags & sys::CMDQ_STATE_CONTROL as i32 != 0
            } else {
                (*c).session.is_null()
            }
        }
    }

    /// Would this command's output open view mode in a pane? That is where
    /// tmux shows output for a client attached to a session that is not a
    /// control client: a key binding or the command prompt.
    pub(super) fn output_goes_to_pane(&self) -> bool {
        // SAFETY: the client, if any, is live during the command.
        unsafe {
            let c = sys::cmdq_get_client(self.item);
            !c.is_null() && !(*c).session.is_null() && (*c).flags & sys::CLIENT_CONTROL as u64 == 0
        }
    }

    /// Show `text` as a message on the client's status line, as
    /// display-message does (for `display-time`).
    pub(super) fn status_message(&self, text: &str) {
        let line = c_string(text);
        // SAFETY: the client is live during the command; fixed "%s" format.
        unsafe {
            let c = sys::cmdq_get_client(self.item);
            if !c.is_null() {
                sys::status_message_set(c, -1, 1, 0, c"%s".as_ptr(), line.as_ptr());
            }
        }
    }

    /// The directory new-session starts in when it has no `-c`: the
    /// client's working directory, else the home directory, else `/`.
    pub fn client_cwd(&self) -> String {
        // SAFETY: the client, if any, is live; server_client_get_cwd
        // returns a string owned by the client or a static one.
        unsafe {
            let c = sys::cmdq_get_client(self.item);
            let p = sys::server_client_get_cwd(c, std::ptr::null_mut());
            if p.is_null() {
                return "/".to_string();
            }
            std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    }

    /// Is this command's client read-only (`attach -r`, or read-only by
    /// server-access)?
    pub fn client_is_readonly(&self) -> bool {
        // SAFETY: the client, if any, is live during the command.
        unsafe {
            let c = sys::cmdq_get_client(self.item);
            !c.is_null() && (*c).flags & sys::CLIENT_READONLY as u64 != 0
        }
    }

    /// Before creating a session that the client will be attached to (no
    /// `-d`): decide as new-session does, so a client that cannot attach
    /// makes nothing. `Ok(false)`: stay detached (no client); `Ok(true)`:
    /// attach afterwards with [`Item::attach`] (which opens the terminal).
    pub fn prepare_attach(&self) -> Result<bool, CmdError> {
        // SAFETY: the client, if any, is live during the command.
        unsafe {
            let c = sys::cmdq_get_client(self.item);
            if c.is_null() {
                return Ok(false);
            }
            let flags = (*c).flags;
            if !(*c).session.is_null() || flags & sys::CLIENT_CONTROL as u64 != 0 {
                return Ok(true);
            }
            if (*c).fd != -1 && sys::server_client_check_nested(c) != 0 {
                return Err(CmdError::Failed(
                    "sessions should be nested with care, unset $TMUX to force".to_string(),
                ));
            }
            if flags & sys::CLIENT_TERMINAL as u64 == 0 {
                return Err(CmdError::Failed(
                    "open terminal failed: not a terminal".to_string(),
                ));
            }
            Ok(true)
        }
    }

    /// Attach this command's client to session `$id` (or switch it there if
    /// it is already attached), as attach-session would.
    pub fn attach(&self, id: SessionId) -> Result<(), CmdError> {
        let t = c_string(&id.to_string());
        // SAFETY: cmd_attach_session is upstream's attach, run for our item.
        let rc = unsafe {
            sys::cmd_attach_session(
                self.item,
                t.as_ptr(),
                0,
                0,
                0,
                std::ptr::null(),
                0,
                std::ptr::null(),
            )
        };
        if rc == sys::cmd_retval_CMD_RETURN_ERROR {
            return Err(CmdError::Reported);
        }
        Ok(())
    }
}
