//! The command being executed: its arguments, resolved target, client and
//! output, as seen by a `cmds/*.rs` exec. Wraps a `cmdq_item` for the duration
//! of one exec call; nothing here outlives it.

use std::ffi::{CStr, CString};

use crate::sys;
use crate::tmux::table::call_upstream;

type ExecFn = unsafe extern "C" fn(*mut sys::cmd, *mut sys::cmdq_item) -> sys::cmd_retval;

/// A command error: the message tmux shows (`%error` in control mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdError(pub String);

impl<T: Into<String>> From<T> for CmdError {
    fn from(s: T) -> Self {
        CmdError(s.into())
    }
}

/// How a command finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Done; the queue goes on.
    Done,
    /// The command completes later (the item is continued by a callback).
    Wait,
    /// Whatever an upstream exec returned.
    Upstream(i32),
}

impl Flow {
    pub(crate) fn retval(self) -> sys::cmd_retval {
        match self {
            Flow::Done => sys::cmd_retval_CMD_RETURN_NORMAL,
            Flow::Wait => sys::cmd_retval_CMD_RETURN_WAIT,
            Flow::Upstream(r) => r as sys::cmd_retval,
        }
    }

    /// Did the command (or upstream's exec) fail?
    pub fn is_error(self) -> bool {
        matches!(self, Flow::Upstream(r) if r == sys::cmd_retval_CMD_RETURN_ERROR)
    }
}

/// What every exec returns.
pub type CmdResult = Result<Flow, CmdError>;

/// The command being executed.
pub struct Item {
    cmd: *mut sys::cmd,
    item: *mut sys::cmdq_item,
    upstream: Option<ExecFn>,
}

fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "\\0")).expect("NULs were escaped")
}

impl Item {
    pub(crate) fn new(
        cmd: *mut sys::cmd,
        item: *mut sys::cmdq_item,
        upstream: Option<ExecFn>,
    ) -> Self {
        Item {
            cmd,
            item,
            upstream,
        }
    }

    fn args(&self) -> *mut sys::args {
        // SAFETY: cmd is live for the duration of exec.
        unsafe { sys::cmd_get_args(self.cmd) }
    }

    /// Print a line (or several) of output to the client.
    pub fn print(&self, text: &str) {
        let line = c_string(text);
        // SAFETY: fixed "%s" format with one valid string.
        unsafe { sys::cmdq_print(self.item, c"%s".as_ptr(), line.as_ptr()) };
    }

    /// Report an error to the client (the exec then returns an error).
    pub fn error(&self, text: &str) {
        let line = c_string(text);
        // SAFETY: as print.
        unsafe { sys::cmdq_error(self.item, c"%s".as_ptr(), line.as_ptr()) };
    }

    /// Is the boolean flag `-c` present?
    pub fn has(&self, flag: char) -> bool {
        // SAFETY: args is live.
        unsafe { sys::args_has(self.args(), flag as u8) != 0 }
    }

    /// The raw bytes of flag `-c`'s value, if given.
    pub fn value_bytes(&self, flag: char) -> Option<&[u8]> {
        // SAFETY: args is live; the string lives as long as the command.
        let p = unsafe { sys::args_get(self.args(), flag as u8) };
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes())
    }

    /// Flag `-c`'s value as UTF-8 text.
    pub fn value(&self, flag: char) -> Result<Option<&str>, CmdError> {
        self.value_bytes(flag)
            .map(|b| {
                std::str::from_utf8(b)
                    .map_err(|_| CmdError(format!("invalid UTF-8 in -{flag} value")))
            })
            .transpose()
    }

    /// Number of positional arguments.
    pub fn count(&self) -> usize {
        // SAFETY: args is live.
        unsafe { sys::args_count(self.args()) as usize }
    }

    /// Raw bytes of positional argument `i`.
    pub fn arg_bytes(&self, i: usize) -> Option<&[u8]> {
        if i >= self.count() {
            return None;
        }
        // SAFETY: i < count.
        let p = unsafe { sys::args_string(self.args(), i as u32) };
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes())
    }

    /// Positional argument `i` as UTF-8 text.
    pub fn arg(&self, i: usize) -> Result<Option<&str>, CmdError> {
        self.arg_bytes(i)
            .map(|b| {
                std::str::from_utf8(b).map_err(|_| CmdError("invalid UTF-8 in argument".into()))
            })
            .transpose()
    }

    /// The id of the resolved target session (`$N`), for commands with a
    /// session or pane target.
    pub fn target_session(&self) -> Option<u32> {
        // SAFETY: the target state belongs to the item.
        unsafe {
            let fs = sys::cmdq_get_target(self.item);
            (!fs.is_null() && !(*fs).s.is_null()).then(|| (*(*fs).s).id)
        }
    }

    /// The id of the resolved target pane (`%N`).
    pub fn target_pane(&self) -> Option<u32> {
        // SAFETY: as target_session.
        unsafe {
            let fs = sys::cmdq_get_target(self.item);
            (!fs.is_null() && !(*fs).wp.is_null()).then(|| (*(*fs).wp).id)
        }
    }

    /// Run the upstream exec this command wraps.
    pub fn call_upstream(&mut self) -> Flow {
        let exec = self
            .upstream
            .expect("call_upstream on a command that wraps nothing");
        Flow::Upstream(call_upstream(exec, self.cmd, self.item) as i32)
    }

    pub(crate) fn raw(&self) -> *mut sys::cmdq_item {
        self.item
    }

    /// A format tree for this command (`-F`/`-f`), see [`crate::tmux::format`].
    pub fn format(&self) -> crate::tmux::format::Format<'_> {
        crate::tmux::format::Format::new(self)
    }

    pub(crate) fn as_c(&self, s: &str) -> CString {
        c_string(s)
    }
}
