//! The safe facade over upstream tmux: the only module with `unsafe`, and
//! the only one that sees the raw bindings ([`sys`], private here).
//!
//! Raw pointers from tmux are wrapped in small types whose lifetimes are those
//! of the command being executed ([`Item`]); sessions and panes are referred
//! to by id and looked up again each time ([`session`], [`pane`]); variadic C
//! calls become safe functions; C allocations that live across more than a
//! few lines are owned by wrappers that free them on drop; every `extern "C"`
//! entry point catches panics ([`guard`]) and reaches the layer above only
//! through the [`Handlers`] installed at start-up ([`run`]). Nothing here
//! holds agent state: only what touches C (held command items, the session
//! index, timers, notifications waiting to be written).

mod sys;

mod args;
mod client;
mod error;
mod file;
pub mod format;
pub mod guard;
mod handlers;
pub mod held;
mod hooks;
mod item;
pub mod job;
pub mod notify;
pub mod options;
pub mod pane;
pub mod paste;
pub mod session;
mod start;
mod table;
mod target;
pub mod timer;
mod upstream;

pub use error::{CmdError, CmdResult};
pub use handlers::Handlers;
pub use item::{Flow, Item};
pub use start::run;
pub use table::{CommandSpec, Target, READONLY, STARTSERVER, WAITS};
pub use upstream::{queue, At};

/// The version of agent-tmux itself (`tmux -V` keeps printing upstream's).
pub const AGENT_TMUX_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The pinned upstream tmux release this binary is built from.
pub const UPSTREAM_VERSION: &str = env!("AGENT_TMUX_UPSTREAM_VERSION");

/// The path of this server's socket.
pub fn socket_path() -> Option<String> {
    // SAFETY: tmux sets socket_path before starting the server and never
    // frees it.
    unsafe {
        let p = sys::socket_path;
        (!p.is_null()).then(|| std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned())
    }
}

/// Queue `command` (a tmux command line) to run on the global queue, with
/// no client, as a config file's command does; parse errors are logged.
pub fn queue_command(command: &str) {
    let Ok(c) = std::ffi::CString::new(command) else {
        return;
    };
    // SAFETY: cmd_parse_and_append copies the string and owns what it makes.
    unsafe {
        let mut cause: *mut std::ffi::c_char = std::ptr::null_mut();
        let status = sys::cmd_parse_and_append(
            c.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut cause,
        );
        if !cause.is_null() {
            let msg = std::ffi::CStr::from_ptr(cause)
                .to_string_lossy()
                .into_owned();
            libc::free(cause as *mut libc::c_void);
            guard::log(&format!("agent-tmux: {command}: {msg}"));
        }
        let _ = status;
    }
}

/// Current time in unix seconds, as the domain takes it.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A unix time as local `YYYY-MM-DD HH:MM:SS`, the way the agent commands show it.
pub fn local_time(t: i64) -> String {
    let tt = t as libc::time_t;
    // SAFETY: a plain C struct that localtime_r fills.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: localtime_r writes only into `tm`.
    if unsafe { libc::localtime_r(&tt, &mut tm) }.is_null() {
        return t.to_string();
    }
    let mut buf = [0u8; 64];
    // SAFETY: strftime writes at most buf.len() bytes into buf.
    let n = unsafe {
        libc::strftime(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            c"%Y-%m-%d %H:%M:%S".as_ptr(),
            &tm,
        )
    };
    String::from_utf8_lossy(&buf[..n]).into_owned()
}
