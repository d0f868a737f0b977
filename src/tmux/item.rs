//! The command being executed: its arguments, resolved target, client and
//! output, as seen by a `cmds/*.rs` exec. Wraps a `cmdq_item` for the duration
//! of one exec call; nothing here outlives it.

use std::ffi::{CStr, CString};

use crate::sys;
use crate::tmux::table::call_upstream;

type ExecFn = unsafe extern "C" fn(*mut sys::cmd, *mut sys::cmdq_item) -> sys::cmd_retval;

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

/// Where [`Item::run`] points an upstream command's target.
#[derive(Debug, Clone, Copy)]
pub enum At {
    /// Whatever this command's target is.
    Current,
    /// Session `$N`.
    Session(u32),
    /// Pane `%N`.
    Pane(u32),
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
    /// The command completes later (see [`crate::tmux::wait`]).
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

    /// The id of the resolved target session (`$N`), for commands with a
    /// session or pane target.
    pub fn target_session(&self) -> Option<u32> {
        // SAFETY: the target state belongs to the item.
        unsafe {
            let fs = sys::cmdq_get_target(self.item);
            (!fs.is_null() && !(*fs).s.is_null()).then(|| (*(*fs).s).id)
        }
    }

    /// Run the upstream exec this command wraps.
    pub fn call_upstream(&mut self) -> Flow {
        let exec = self
            .upstream
            .expect("call_upstream on a command that wraps nothing");
        Flow::Upstream(call_upstream(exec, self.cmd, self.item) as i32)
    }

    /// Every value of a repeatable flag (`-e a -e b`), in order.
    pub fn values_bytes(&self, flag: char) -> Vec<&[u8]> {
        let mut out = Vec::new();
        // SAFETY: walking the args' value list; strings live with the command.
        unsafe {
            let mut v = sys::args_first_value(self.args(), flag as u8);
            while !v.is_null() {
                if (*v).type_ == sys::args_type_ARGS_STRING {
                    let p = (*v).__bindgen_anon_1.string;
                    if !p.is_null() {
                        out.push(CStr::from_ptr(p).to_bytes());
                    }
                }
                v = sys::args_next_value(v);
            }
        }
        out
    }

    /// Resolve a session target the way tmux does (`None`: the current
    /// session). Prints nothing on failure.
    pub fn find_session(&self, target: Option<&str>) -> Option<u32> {
        self.find(target, sys::cmd_find_type_CMD_FIND_SESSION)
            .map(|fs| unsafe { (*fs.s).id })
    }

    /// Resolve a pane target the way tmux does (`None`: the current pane).
    pub fn find_pane(&self, target: Option<&str>) -> Option<u32> {
        self.find(target, sys::cmd_find_type_CMD_FIND_PANE)
            .and_then(|fs| (!fs.wp.is_null()).then(|| unsafe { (*fs.wp).id }))
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

    /// Run an upstream command synchronously, as part of this command: its
    /// output and errors go to this command's client, and its target is
    /// `at`. Only the target is resolved (no `-s` source, and `-t` inside
    /// `argv` is ignored): use it for commands that act on their target and
    /// finish at once (new-session, split-window, set-option, select-*,
    /// kill-*), never for ones that wait. `Err` means the upstream command failed (and already said why).
    pub fn run(&self, at: At, argv: &[&str]) -> Result<(), CmdError> {
        let owned: Vec<CString> = argv.iter().map(|a| c_string(a)).collect();
        let mut ptrs: Vec<*mut std::ffi::c_char> =
            owned.iter().map(|c| c.as_ptr() as *mut _).collect();
        // SAFETY: args_from_vector copies the strings; every allocation made
        // here is freed before returning; the item's target is restored.
        unsafe {
            let count = ptrs.len() as u32;
            let values = sys::args_from_vector(ptrs.len() as i32, ptrs.as_mut_ptr());
            let mut cause: *mut std::ffi::c_char = std::ptr::null_mut();
            let cmd = sys::cmd_parse(values, count, std::ptr::null(), 0, &mut cause);
            sys::args_free_values(values, count);
            libc::free(values as *mut libc::c_void);
            if cmd.is_null() {
                let msg = if cause.is_null() {
                    format!("cannot run {}", argv.join(" "))
                } else {
                    let m = CStr::from_ptr(cause).to_string_lossy().into_owned();
                    libc::free(cause as *mut libc::c_void);
                    m
                };
                return Err(CmdError(msg));
            }
            let target = sys::cmdq_get_target(self.item);
            let saved = *target;
            let found = match at {
                At::Current => true,
                At::Session(id) => {
                    let s = crate::tmux::session::find(id).unwrap_or(std::ptr::null_mut());
                    if !s.is_null() {
                        sys::cmd_find_from_session(target, s, 0);
                    }
                    !s.is_null()
                }
                At::Pane(id) => {
                    let wp = sys::window_pane_find_by_id(id);
                    !wp.is_null() && sys::cmd_find_from_pane(target, wp, 0) == 0
                }
            };
            let rc = if found {
                let entry = sys::cmd_get_entry(cmd);
                match (*entry).exec {
                    Some(exec) => exec(cmd, self.item),
                    None => sys::cmd_retval_CMD_RETURN_ERROR,
                }
            } else {
                sys::cmd_retval_CMD_RETURN_ERROR
            };
            *target = saved;
            sys::cmd_free(cmd);
            if !found {
                return Err(CmdError(format!("target of {} is gone", argv[0])));
            }
            if rc == sys::cmd_retval_CMD_RETURN_ERROR {
                return Err(CmdError::silent());
            }
            // Commands run this way must finish now: one that waits would
            // keep this item, which is freed when our command returns.
            debug_assert!(rc != sys::cmd_retval_CMD_RETURN_WAIT, "{} waited", argv[0]);
            if rc == sys::cmd_retval_CMD_RETURN_WAIT {
                crate::tmux::guard::log(&format!(
                    "agent-tmux: {} waited inside Item::run",
                    argv[0]
                ));
                return Err(CmdError(format!("{} cannot wait here", argv[0])));
            }
        }
        Ok(())
    }

    /// The session this command is run from, as a sender: the session of an
    /// attached (or control) client, or of the pane a command client runs
    /// in (`$TMUX_PANE`). `None` from outside tmux or with no client (hooks).
    pub fn own_session(&self) -> Option<u32> {
        // SAFETY: the client, if any, and its environment are live during
        // the command; the entry's value is copied at once.
        unsafe {
            let c = sys::cmdq_get_client(self.item);
            if c.is_null() {
                return None;
            }
            if !(*c).session.is_null() {
                return Some((*(*c).session).id);
            }
            if (*c).environ.is_null() {
                return None;
            }
            let e = sys::environ_find((*c).environ, c"TMUX_PANE".as_ptr());
            if e.is_null() || (*e).value.is_null() {
                return None;
            }
            let v = CStr::from_ptr((*e).value).to_str().ok()?;
            let pane: u32 = v.strip_prefix('%')?.parse().ok()?;
            crate::tmux::pane::session_of(pane)
        }
    }

    /// Can this command wait (return [`Flow::Wait`])? Only with a client of
    /// its own: a command with no client, or run by a hook, sits on the
    /// global queue, and waiting there would hold up every later hook and
    /// notification.
    pub fn can_wait(&self) -> bool {
        // SAFETY: reading the live item's client and flags.
        unsafe {
            !sys::cmdq_get_client(self.item).is_null()
                && sys::cmdq_get_flags(self.item) & sys::CMDQ_STATE_NOHOOKS as i32 == 0
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
                return Err("sessions should be nested with care, unset $TMUX to force".into());
            }
            if flags & sys::CLIENT_TERMINAL as u64 == 0 {
                return Err("open terminal failed: not a terminal".into());
            }
            Ok(true)
        }
    }

    /// Attach this command's client to session `$id` (or switch it there if
    /// it is already attached), as attach-session would.
    pub fn attach(&self, id: u32) -> Result<(), CmdError> {
        let t = c_string(&format!("${id}"));
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
            return Err(CmdError::silent());
        }
        Ok(())
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
