//! Running upstream tmux commands from a Rust exec: the upstream exec a
//! wrapper extends, and whole upstream commands run synchronously as part of
//! the current one ([`Item::run`]). The C allocations this takes (the parsed
//! argument values, the parsed command, a borrowed target) are owned by
//! small wrappers that free or restore them on drop, whatever path returns.

use std::ffi::{c_char, CStr, CString};

use agent_tmux::ids::{PaneId, SessionId};

use super::error::CmdError;
use super::item::{c_string, Flow, Item};
use super::sys;
use super::table::call_upstream;

/// Where [`Item::run`] points an upstream command's target.
#[derive(Debug, Clone, Copy)]
pub enum At {
    /// Whatever this command's target is.
    Current,
    /// Session `$N`.
    Session(SessionId),
    /// Pane `%N`.
    Pane(PaneId),
}

/// Argument values made by `args_from_vector`, freed on drop.
struct ArgValues {
    values: *mut sys::args_value,
    count: u32,
}

impl ArgValues {
    fn new(argv: &[CString]) -> Self {
        let mut ptrs: Vec<*mut c_char> = argv.iter().map(|c| c.as_ptr() as *mut _).collect();
        // SAFETY: args_from_vector copies the strings into a new array.
        let values = unsafe { sys::args_from_vector(ptrs.len() as i32, ptrs.as_mut_ptr()) };
        ArgValues {
            values,
            count: ptrs.len() as u32,
        }
    }
}

impl Drop for ArgValues {
    fn drop(&mut self) {
        // SAFETY: the array and its values came from args_from_vector and
        // are freed once.
        unsafe {
            sys::args_free_values(self.values, self.count);
            libc::free(self.values as *mut libc::c_void);
        }
    }
}

/// A command made by `cmd_parse`, freed on drop.
struct ParsedCmd(*mut sys::cmd);

impl ParsedCmd {
    /// Parse `argv` into a command, or the parser's message.
    fn parse(argv: &[CString]) -> Result<Self, Option<String>> {
        let values = ArgValues::new(argv);
        let mut cause: *mut c_char = std::ptr::null_mut();
        // SAFETY: cmd_parse copies what it keeps of the values; on failure
        // it may set `cause` to a malloc'd message, which we take.
        let cmd =
            unsafe { sys::cmd_parse(values.values, values.count, std::ptr::null(), 0, &mut cause) };
        drop(values);
        if cmd.is_null() {
            return Err(take_malloced(cause));
        }
        Ok(ParsedCmd(cmd))
    }

    /// Run the command's exec for `item`.
    fn exec(&self, item: *mut sys::cmdq_item) -> sys::cmd_retval {
        // SAFETY: the command is live; its entry is a static table entry.
        let exec = unsafe { (*sys::cmd_get_entry(self.0)).exec };
        match exec {
            // SAFETY: the entry's exec, called with a live command and item,
            // as cmdq_fire_command would.
            Some(exec) => unsafe { exec(self.0, item) },
            None => sys::cmd_retval_CMD_RETURN_ERROR,
        }
    }
}

impl Drop for ParsedCmd {
    fn drop(&mut self) {
        // SAFETY: the command came from cmd_parse and is freed once.
        unsafe { sys::cmd_free(self.0) };
    }
}

/// A malloc'd C string as text, freed; `None` for NULL.
fn take_malloced(p: *mut c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: p is a NUL-terminated string from malloc, owned by us.
    unsafe {
        let s = CStr::from_ptr(p).to_string_lossy().into_owned();
        libc::free(p as *mut libc::c_void);
        Some(s)
    }
}

/// An item's target state, pointed elsewhere for a while and restored on drop.
struct BorrowedTarget {
    target: *mut sys::cmd_find_state,
    saved: sys::cmd_find_state,
}

impl BorrowedTarget {
    fn new(item: *mut sys::cmdq_item) -> Self {
        // SAFETY: the item's target state lives as long as the item; the
        // saved copy is plain data (pointers are not owned by it).
        let target = unsafe { sys::cmdq_get_target(item) };
        let saved = unsafe { *target };
        BorrowedTarget { target, saved }
    }

    /// Point the target at `at`; false if it no longer exists.
    fn point_at(&mut self, at: At) -> bool {
        match at {
            At::Current => true,
            At::Session(id) => match super::session::find(id) {
                Some(s) => {
                    // SAFETY: s is live; the state is the item's.
                    unsafe { sys::cmd_find_from_session(self.target, s, 0) };
                    true
                }
                None => false,
            },
            At::Pane(id) => {
                // SAFETY: a lookup, then filling the item's state from a live pane.
                unsafe {
                    let wp = sys::window_pane_find_by_id(id.0);
                    !wp.is_null() && sys::cmd_find_from_pane(self.target, wp, 0) == 0
                }
            }
        }
    }
}

impl Drop for BorrowedTarget {
    fn drop(&mut self) {
        // SAFETY: the item (and so its state) outlives this guard.
        unsafe { *self.target = self.saved };
    }
}

impl Item {
    /// Run the upstream exec this command wraps.
    pub fn call_upstream(&mut self) -> Flow {
        let exec = self
            .upstream
            .expect("call_upstream on a command that wraps nothing");
        Flow::Upstream(call_upstream(exec, self.cmd, self.item) as i32)
    }

    /// Run an upstream command synchronously, as part of this command: its
    /// output and errors go to this command's client, and its target is
    /// `at`. Only the target is resolved (no `-s` source, and `-t` inside
    /// `argv` is ignored): use it for commands that act on their target and
    /// finish at once (new-session, split-window, set-option, select-*,
    /// kill-*), never for ones that wait. `Err` means the upstream command
    /// failed (and already said why).
    pub fn run(&self, at: At, argv: &[&str]) -> Result<(), CmdError> {
        let owned: Vec<CString> = argv.iter().map(|a| c_string(a)).collect();
        let cmd = ParsedCmd::parse(&owned).map_err(|cause| {
            CmdError::Failed(cause.unwrap_or_else(|| format!("cannot run {}", argv.join(" "))))
        })?;
        let rc = {
            let mut target = BorrowedTarget::new(self.item);
            if !target.point_at(at) {
                return Err(CmdError::Failed(format!("target of {} is gone", argv[0])));
            }
            cmd.exec(self.item)
        };
        drop(cmd);
        if rc == sys::cmd_retval_CMD_RETURN_ERROR {
            return Err(CmdError::Reported);
        }
        // Commands run this way must finish now: one that waits would keep
        // this item, which is freed when our command returns.
        debug_assert!(rc != sys::cmd_retval_CMD_RETURN_WAIT, "{} waited", argv[0]);
        if rc == sys::cmd_retval_CMD_RETURN_WAIT {
            super::guard::log(&format!("agent-tmux: {} waited inside Item::run", argv[0]));
            return Err(CmdError::Failed(format!("{} cannot wait here", argv[0])));
        }
        Ok(())
    }
}

/// Queue an upstream command (its own `-t` resolved when it runs, as any
/// command's) on the server's global queue, to run on the next pass of the
/// event loop with no client: for reacting to something that finished
/// outside any command (a job). Its errors go to the server log only.
/// `Err`: the parser's message.
pub fn queue(argv: &[&str]) -> Result<(), String> {
    let owned: Vec<CString> = argv.iter().map(|a| c_string(a)).collect();
    let cmd = ParsedCmd::parse(&owned)
        .map_err(|cause| cause.unwrap_or_else(|| format!("cannot run {}", argv.join(" "))))?;
    let raw = cmd.0;
    std::mem::forget(cmd);
    // SAFETY: the list takes the command; cmdq_get_command takes its own
    // reference to the list, so freeing ours leaves the item's.
    unsafe {
        let list = sys::cmd_list_new();
        sys::cmd_list_append(list, raw);
        let item = sys::cmdq_get_command(list, std::ptr::null_mut());
        sys::cmdq_append(std::ptr::null_mut(), item);
        sys::cmd_list_free(list);
    }
    Ok(())
}
