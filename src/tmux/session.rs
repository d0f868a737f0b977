//! Sessions by id. Nothing about a session is cached but where it lives:
//! each call looks the session up by its id (`$N`), so renames and deaths are
//! always seen.
//!
//! tmux's own session_find_by_id() walks every session, which would make
//! every agent command cost O(sessions). So this module keeps an index from
//! id to session, filled by the session_create() wrap and emptied by the
//! session_destroy() wrap (both in [`crate::tmux::hooks`]): a session is in
//! the index exactly while it is in tmux's sessions tree.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CStr;

use agent_tmux::ids::{PaneId, SessionId};

use super::sys;

thread_local! {
    static BY_ID: RefCell<HashMap<SessionId, usize>> = RefCell::new(HashMap::new());
}

/// Record a session tmux just created.
pub(super) fn created(s: *mut sys::session) {
    if !s.is_null() {
        // SAFETY: tmux just returned this live session.
        let id = SessionId(unsafe { (*s).id });
        BY_ID.with(|m| m.borrow_mut().insert(id, s as usize));
    }
}

/// Forget a session tmux is destroying.
pub(super) fn destroyed(id: SessionId) {
    BY_ID.with(|m| m.borrow_mut().remove(&id));
}

/// The live session `$id`, in O(1).
pub(super) fn find(id: SessionId) -> Option<*mut sys::session> {
    BY_ID.with(|m| m.borrow().get(&id).map(|&p| p as *mut sys::session))
}

/// Does session `$id` exist?
pub fn exists(id: SessionId) -> bool {
    find(id).is_some()
}

/// The current name of session `$id`.
pub fn name(id: SessionId) -> Option<String> {
    // SAFETY: s is live; name is a NUL-terminated string owned by the session.
    find(id).map(|s| {
        unsafe { CStr::from_ptr((*s).name) }
            .to_string_lossy()
            .into_owned()
    })
}

/// The name of session `$id`, or `$id` if it is gone.
pub fn display_name(id: SessionId) -> String {
    name(id).unwrap_or_else(|| id.to_string())
}

/// Ask clients showing session `$id` to redraw their status line.
pub fn refresh_status(id: SessionId) {
    if let Some(s) = find(id) {
        // SAFETY: s is live.
        unsafe { sys::server_status_session(s) };
    }
}

/// The id the next new session will get.
pub fn next_id() -> SessionId {
    // SAFETY: a plain read of tmux's counter on the server's only thread.
    SessionId(unsafe { sys::next_session_id })
}

/// The session named exactly `name` (no prefix or pattern matching).
pub fn find_by_name(name: &str) -> Option<SessionId> {
    let n = std::ffi::CString::new(name).ok()?;
    // SAFETY: session_find only reads the sessions tree.
    let s = unsafe { sys::session_find(n.as_ptr()) };
    (!s.is_null()).then(|| SessionId(unsafe { (*s).id }))
}

/// The panes of every window of session `$id` (each once, in window index
/// then window order).
pub fn panes(id: SessionId) -> Vec<PaneId> {
    let mut out = Vec::new();
    let Some(s) = find(id) else {
        return out;
    };
    // SAFETY: walking the live session's winlink tree and each window's
    // pane list without changing them.
    unsafe {
        let mut wl = sys::winlinks_RB_MINMAX(&mut (*s).windows, -1);
        while !wl.is_null() {
            let w = (*wl).window;
            if !w.is_null() {
                let mut p = (*w).panes.tqh_first;
                while !p.is_null() {
                    let id = PaneId((*p).id);
                    if !out.contains(&id) {
                        out.push(id);
                    }
                    p = (*p).entry.tqe_next;
                }
            }
            wl = sys::winlinks_RB_NEXT(wl);
        }
    }
    out
}

/// Ask every client to redraw its status line (a server-wide count such as
/// `#{agent_waiting_count}` changed).
pub fn refresh_all_status() {
    let all: Vec<usize> = BY_ID.with(|m| m.borrow().values().copied().collect());
    for s in all {
        // SAFETY: sessions in the index are live.
        unsafe { sys::server_status_session(s as *mut sys::session) };
    }
}

/// The start directory of session `$id` (new panes start there).
pub fn start_dir(id: SessionId) -> Option<String> {
    // SAFETY: s is live; cwd, when set, is a string the session owns.
    find(id).and_then(|s| unsafe {
        let cwd = (*s).cwd;
        (!cwd.is_null()).then(|| CStr::from_ptr(cwd).to_string_lossy().into_owned())
    })
}
