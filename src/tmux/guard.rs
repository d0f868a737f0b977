//! Panic containment: nothing unwinds into C.
//!
//! A crash of the tmux server kills every session of its user, so every Rust
//! function that tmux calls runs its body through [`catch`]. The panic hook
//! sends the message to tmux's server log (`tmux -v`), since the server's
//! stderr goes nowhere.

use std::ffi::CString;
use std::panic::{self, AssertUnwindSafe};

use super::sys;

/// Write one line to tmux's log (only written when tmux runs with `-v`).
pub fn log(msg: &str) {
    let line = CString::new(msg.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: fixed "%s" format with one valid NUL-terminated string.
    unsafe { sys::log_debug(c"%s".as_ptr(), line.as_ptr()) };
}

/// Route panic messages to the server log as well as stderr.
pub fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let msg = format!("agent-tmux: panic: {info}");
        log(&msg);
        eprintln!("{msg}");
    }));
}

/// Run `f`, turning a panic into `Err(message)`.
pub fn catch<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        log(&format!("agent-tmux: {what}: recovered from panic: {text}"));
        format!("internal error in {what}: {text}")
    })
}
