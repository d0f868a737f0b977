//! Reading tmux options that configure agent-tmux. Settings are user options
//! (`set -g @agent-settle-time 0.5`), so no upstream option table changes.

use std::ffi::{CStr, CString};

use agent_tmux::ids::SessionId;

use super::sys;

/// The value of user option `name` (e.g. `@agent-layout-limit`): the global
/// session value, else the server value.
pub fn global(name: &str) -> Option<String> {
    let key = CString::new(name).ok()?;
    // SAFETY: the global option trees live as long as the server.
    unsafe {
        for oo in [sys::global_s_options, sys::global_options] {
            if oo.is_null() {
                continue;
            }
            let o = sys::options_get(oo, key.as_ptr());
            if !o.is_null() {
                return value(o);
            }
        }
    }
    None
}

/// The value of user option `name` for session `$id` (its own value, else the
/// global one).
pub fn session(id: SessionId, name: &str) -> Option<String> {
    let key = CString::new(name).ok()?;
    // SAFETY: the session is looked up now; options_get walks to the parent.
    unsafe {
        let s = super::session::find(id).unwrap_or(std::ptr::null_mut());
        if s.is_null() {
            return global(name);
        }
        let o = sys::options_get((*s).options, key.as_ptr());
        if o.is_null() {
            return global(name);
        }
        value(o)
    }
}

/// The value of user option `name` set on pane `%id` itself (`set -p`).
pub fn pane(id: agent_tmux::ids::PaneId, name: &str) -> Option<String> {
    let key = CString::new(name).ok()?;
    let wp = super::pane::find(id)?;
    // SAFETY: the pane is live; its own option tree only (no parent).
    unsafe {
        let o = sys::options_get_only((*wp).options, key.as_ptr());
        if o.is_null() {
            return None;
        }
        value(o)
    }
}

/// An option entry's value as text.
///
/// # Safety
/// `o` must be a live option entry.
unsafe fn value(o: *mut sys::options_entry) -> Option<String> {
    // SAFETY: options_to_string returns a malloc'd string we free.
    unsafe {
        let p = sys::options_to_string(o, -1, 0);
        if p.is_null() {
            return None;
        }
        let v = CStr::from_ptr(p).to_string_lossy().into_owned();
        libc::free(p as *mut libc::c_void);
        Some(v)
    }
}
