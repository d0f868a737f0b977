//! Panes by id (`%N`), looked up again on every call.

use crate::sys;

fn find(id: u32) -> Option<*mut sys::window_pane> {
    // SAFETY: a lookup in the global pane tree.
    let wp = unsafe { sys::window_pane_find_by_id(id) };
    (!wp.is_null()).then_some(wp)
}

/// Does pane `%id` exist?
pub fn exists(id: u32) -> bool {
    find(id).is_some()
}

/// The ids of the panes in the same window as `%id`, in window order.
pub fn window_panes(id: u32) -> Vec<u32> {
    let mut out = Vec::new();
    if let Some(wp) = find(id) {
        // SAFETY: walking the window's pane list without changing it.
        unsafe {
            let w = (*wp).window;
            let mut p = (*w).panes.tqh_first;
            while !p.is_null() {
                out.push((*p).id);
                p = (*p).entry.tqe_next;
            }
        }
    }
    out
}

/// The id of the session's current window's active pane.
pub fn active_of_session(session: u32) -> Option<u32> {
    // SAFETY: lookups in live structures.
    unsafe {
        let s = sys::session_find_by_id(session);
        if s.is_null() || (*s).curw.is_null() {
            return None;
        }
        let w = (*(*s).curw).window;
        let wp = (*w).active;
        (!wp.is_null()).then(|| (*wp).id)
    }
}

/// Redraw the borders and status of the window showing pane `%id`.
pub fn redraw(id: u32) {
    if let Some(wp) = find(id) {
        // SAFETY: wp and its window are live.
        unsafe {
            sys::server_redraw_window_borders((*wp).window);
            sys::server_status_window((*wp).window);
        }
    }
}

/// The window id (`@N`) of pane `%id`.
pub fn window_of(id: u32) -> Option<u32> {
    // SAFETY: the pane's window pointer is valid while the pane exists.
    find(id).map(|wp| unsafe { (*(*wp).window).id })
}

/// The session that shows pane `%id` (tmux's best choice if several do).
pub fn session_of(id: u32) -> Option<u32> {
    let wp = find(id)?;
    // SAFETY: cmd_find_from_pane fills a state we own.
    unsafe {
        let mut fs: sys::cmd_find_state = std::mem::zeroed();
        (sys::cmd_find_from_pane(&mut fs, wp, 0) == 0 && !fs.s.is_null()).then(|| (*fs.s).id)
    }
}

/// Has the process of pane `%id` exited (or is there none, for an empty pane)?
pub fn exited(id: u32) -> bool {
    match find(id) {
        // SAFETY: reading flags of a live pane.
        Some(wp) => unsafe {
            (*wp).flags & (sys::PANE_EXITED as i32 | sys::PANE_EMPTY as i32) != 0 || (*wp).fd == -1
        },
        None => true,
    }
}
