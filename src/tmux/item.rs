//! The command being executed, as seen by a `cmds/*.rs` exec: a `cmdq_item`
//! wrapped for the duration of one exec call (nothing here outlives it), and
//! what an exec returns. Its methods are grouped by job: output here,
//! arguments in [`super::args`], targets in [`super::target`], the client's
//! rules in [`super::client`] and running upstream commands in
//! [`super::upstream`].

use std::borrow::Cow;
use std::cell::RefCell;
use std::ffi::CString;

use super::sys;

pub(super) type ExecFn =
    unsafe extern "C" fn(*mut sys::cmd, *mut sys::cmdq_item) -> sys::cmd_retval;

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
    /// Kept, line by line, until [`Item::take_captured`] (a held command
    /// prints it when it is resumed).
    Captured(String),
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

/// Output for a control client, with every line that looks like a block
/// guard quoted: a line that, after any backslashes, starts with `%begin`,
/// `%end` or `%error` gets one more backslash in front, so no line of
/// output (a value another client chose) can end its block early or start
/// a forged one. Remove one leading backslash from such lines to get the
/// text back (as mboxrd quotes `From `).
pub(super) fn quote_guards(text: &str) -> Cow<'_, str> {
    fn looks_like_guard(line: &str) -> bool {
        let bare = line.trim_start_matches('\\');
        ["%begin", "%end", "%error"]
            .iter()
            .any(|g| bare.starts_with(g))
    }
    if !text.split('\n').any(looks_like_guard) {
        return Cow::Borrowed(text);
    }
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| {
            if looks_like_guard(l) {
                format!("\\{l}")
            } else {
                l.to_string()
            }
        })
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// Is `item`'s client a control client (that is not gone)?
pub(super) fn to_control_client(item: *mut sys::cmdq_item) -> bool {
    // SAFETY: the item is live; its client, if any, too (it holds a reference).
    unsafe {
        let c = sys::cmdq_get_client(item);
        !c.is_null()
            && (*c).flags & sys::CLIENT_CONTROL as u64 != 0
            && (*c).flags & sys::CLIENT_DEAD as u64 == 0
    }
}

/// `text` as the line(s) `item` prints: quoted for a control client.
pub(super) fn output_line(item: *mut sys::cmdq_item, text: &str) -> CString {
    if to_control_client(item) {
        c_string(&quote_guards(text))
    } else {
        c_string(text)
    }
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
            Output::Captured(kept) => {
                if !kept.is_empty() {
                    kept.push('\n');
                }
                kept.push_str(text);
                return;
            }
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
        let line = output_line(self.item, text);
        // SAFETY: fixed "%s" format with one valid string.
        unsafe { sys::cmdq_print(self.item, c"%s".as_ptr(), line.as_ptr()) };
    }

    /// Report an error to the client (the exec then returns an error).
    pub fn error(&self, text: &str) {
        let line = output_line(self.item, text);
        // SAFETY: as print.
        unsafe { sys::cmdq_error(self.item, c"%s".as_ptr(), line.as_ptr()) };
    }

    /// Keep what [`Item::print`] prints from now on (unless quiet), for
    /// [`Item::take_captured`].
    pub fn capture(&self) {
        let mut out = self.output.borrow_mut();
        if *out != Output::Quiet {
            *out = Output::Captured(String::new());
        }
    }

    /// What was printed since [`Item::capture`] (empty if nothing).
    pub fn take_captured(&self) -> String {
        match &mut *self.output.borrow_mut() {
            Output::Captured(kept) => std::mem::take(kept),
            _ => String::new(),
        }
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

#[cfg(test)]
mod tests {
    use super::quote_guards;

    #[test]
    fn guard_lookalikes_get_one_more_backslash() {
        assert_eq!(quote_guards("ok\n%exit\n%3"), "ok\n%exit\n%3");
        assert_eq!(
            quote_guards("a\n%end 1 2 1\n\\%error 1 2 1\n%begin\n%endx"),
            "a\n\\%end 1 2 1\n\\\\%error 1 2 1\n\\%begin\n\\%endx"
        );
        assert_eq!(quote_guards("%end"), "\\%end");
        assert_eq!(quote_guards("x %end"), "x %end");
    }
}
