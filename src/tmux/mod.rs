//! The safe facade over upstream tmux: the only module with `unsafe`.
//!
//! Raw pointers from tmux are wrapped in small types whose lifetimes are those
//! of the command being executed ([`Item`]); sessions are referred to by id and
//! looked up again each time ([`session`]); variadic C calls become safe
//! functions; every `extern "C"` entry point catches panics ([`guard`]); and the
//! one agent registry of the server lives in [`state`].

pub mod format;
pub mod guard;
pub mod hooks;
pub mod item;
pub mod notify;
pub mod options;
pub mod pane;
pub mod prompt;
pub mod session;
pub mod state;
pub mod table;
pub mod timer;
pub mod wait;

pub use item::{At, CmdError, CmdResult, Flow, Item};
pub use table::{CommandSpec, Target, READONLY, STARTSERVER};

/// The version of agent-tmux itself (`tmux -V` keeps printing upstream's).
pub const AGENT_TMUX_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The pinned upstream tmux release this binary is built from.
pub const UPSTREAM_VERSION: &str = env!("AGENT_TMUX_UPSTREAM_VERSION");

/// Current time in unix seconds, as the domain takes it.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A unix time as local `YYYY-MM-DD HH:MM:SS`, the way the agent commands show it.
pub fn local_time(t: i64) -> String {
    // SAFETY: localtime_r and strftime write only into our buffers.
    unsafe {
        let tt = t as libc::time_t;
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&tt, &mut tm).is_null() {
            return t.to_string();
        }
        let mut buf = [0u8; 64];
        let n = libc::strftime(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            c"%Y-%m-%d %H:%M:%S".as_ptr(),
            &tm,
        );
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}
