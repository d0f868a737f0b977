//! The command being executed, as seen by a `cmds/*.rs` exec: a `cmdq_item`
//! wrapped for the duration of one exec call (nothing here outlives it), and
//! what an exec returns. Its methods are grouped by job: output here,
//! arguments in [`super::args`], targets in [`super::target`], the client's
//! rules in [`super::client`] and running upstream commands in
//! [`super::upstream`].

use std::cell::RefCell;
use std::ffi::CString;

use super::sys;

pub(super) type ExecFn =
    unsafe extern "C" fn(*mut sys::cmd, *mut sys::cmdq_item) -> sys::cmd_retval;

/// A command error: the message tmux shows (`%error` in control mode). An
/// empty message means the error was already reported (by upstream code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdError(pub String);

impl CmdError {
    /// An error that upstream code already printed.
    pub fn silent() -> Self {
        CmdError(String::new())
    }
}

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
    /// The command completes later (see [`crate::tmux::held`]).
    Wait,
    /// Whatever an upstream exec returned.
    Upstream(i32),
}

impl Flow {
    pub(super) fn retval(self) -> sys::cmd_retval {
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

/// Where [`Item::print`] sends output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Output {
    /// To the client, as tmux's cmdq_print does.
    Client,
    /// Nowhere (`-q`).
    Quiet,
    /// Kept: once the command succeeded its lines become one status-line
    /// message, joined by "; " (a confirmation run from an attached client).
    StatusLine(Option<String>),
}

/// The command being executed.
pub struct Item {
    pub(super) cmd: *mut sys::cmd,
    pub(super) item: *mut sys::cmdq_item,
    pub(super) upstream: Option<ExecFn>,
    pub(super) output: RefCell<Output>,
}

/// `s` as a C string, NULs shown as `\0`.
pub(super) fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "\\0")).expect("NULs were escaped")
}

impl Item {
    pub(super) fn new(
        cmd: *mut sys::cmd,
        item: *mut sys::cmdq_item,
        upstream: Option<ExecFn>,
    ) -> Self {
        Item {
            cmd,
            item,
            upstream,
            output: RefCell::new(Output::Client),
        }
    }

    /// Print a line (or several) of output to the client.
    pub fn print(&self, text: &str) {
        match &mut *self.output.borrow_mut() {
            Output::Client => {}
            Output::Quiet => return,
            Output::StatusLine(kept) => {
                for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    match kept {
                        Some(k) => {
                            k.push_str("; ");
                            k.push_str(line);
                        }
                        None => *kept = Some(line.to_string()),
                    }
                }
                return;
            }
        }
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

    pub(super) fn raw(&self) -> *mut sys::cmdq_item {
        self.item
    }

    /// A format tree for this command (`-F`/`-f`), see [`crate::tmux::format`].
    pub fn format(&self) -> super::format::Format<'_> {
        super::format::Format::new(self)
    }

    pub(super) fn as_c(&self, s: &str) -> CString {
        c_string(s)
    }
}
