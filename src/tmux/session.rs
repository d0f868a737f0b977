//! Sessions by id. Nothing about a session is cached: each call looks the
//! session up by its id (`$N`), so renames and deaths are always seen.

use std::ffi::CStr;

use crate::sys;

fn find(id: u32) -> Option<*mut sys::session> {
    // SAFETY: session_find_by_id only reads the sessions tree.
    let s = unsafe { sys::session_find_by_id(id) };
    (!s.is_null()).then_some(s)
}

/// Does session `$id` exist?
pub fn exists(id: u32) -> bool {
    find(id).is_some()
}

/// The current name of session `$id`.
pub fn name(id: u32) -> Option<String> {
    // SAFETY: s is live; name is a NUL-terminated string owned by the session.
    find(id).map(|s| {
        unsafe { CStr::from_ptr((*s).name) }
            .to_string_lossy()
            .into_owned()
    })
}

/// The name of session `$id`, or `$id` if it is gone.
pub fn display_name(id: u32) -> String {
    name(id).unwrap_or_else(|| format!("${id}"))
}

/// Ask clients showing session `$id` to redraw their status line.
pub fn refresh_status(id: u32) {
    if let Some(s) = find(id) {
        // SAFETY: s is live.
        unsafe { sys::server_status_session(s) };
    }
}

/// The id the next new session will get.
pub fn next_id() -> u32 {
    // SAFETY: a plain read of tmux's counter on the server's only thread.
    unsafe { sys::next_session_id }
}

/// The session named exactly `name` (no prefix or pattern matching).
pub fn find_by_name(name: &str) -> Option<u32> {
    let n = std::ffi::CString::new(name).ok()?;
    // SAFETY: session_find only reads the sessions tree.
    let s = unsafe { sys::session_find(n.as_ptr()) };
    (!s.is_null()).then(|| unsafe { (*s).id })
}
