//! Panes by id (`%N`), looked up again on every call.

use agent_tmux::ids::{PaneId, SessionId, WindowId};

use super::sys;

pub(super) fn find(id: PaneId) -> Option<*mut sys::window_pane> {
    // SAFETY: a lookup in the global pane tree.
    let wp = unsafe { sys::window_pane_find_by_id(id.0) };
    (!wp.is_null()).then_some(wp)
}

/// Does pane `%id` exist?
pub fn exists(id: PaneId) -> bool {
    find(id).is_some()
}

/// The ids of the panes in the same window as `%id`, in window order.
pub fn window_panes(id: PaneId) -> Vec<PaneId> {
    let mut out = Vec::new();
    if let Some(wp) = find(id) {
        // SAFETY: walking the window's pane list without changing it.
        unsafe {
            let w = (*wp).window;
            let mut p = (*w).panes.tqh_first;
            while !p.is_null() {
                out.push(PaneId((*p).id));
                p = (*p).entry.tqe_next;
            }
        }
    }
    out
}

/// The ids of the panes of window `@window`, in window order.
pub fn in_window(window: WindowId) -> Vec<PaneId> {
    // SAFETY: a lookup in the global window tree.
    let w = unsafe { sys::window_find_by_id(window.0) };
    if w.is_null() {
        return Vec::new();
    }
    // SAFETY: walking the live window's pane list.
    match unsafe { (*w).panes.tqh_first } {
        p if p.is_null() => Vec::new(),
        p => window_panes(PaneId(unsafe { (*p).id })),
    }
}

/// The sessions that link window `@window` (in link order), and whether
/// each is in the same session group as session `$like`.
pub fn window_sessions(window: WindowId, like: SessionId) -> Vec<(SessionId, bool)> {
    let mut out = Vec::new();
    // SAFETY: lookups in live structures; walking the window's link list.
    unsafe {
        let w = sys::window_find_by_id(window.0);
        if w.is_null() {
            return out;
        }
        let group = super::session::find(like)
            .map(|s| sys::session_group_contains(s))
            .unwrap_or(std::ptr::null_mut());
        let mut wl = (*w).winlinks.tqh_first;
        while !wl.is_null() {
            let s = (*wl).session;
            if !s.is_null() && !out.iter().any(|(id, _)| id.0 == (*s).id) {
                let same = !group.is_null() && sys::session_group_contains(s) == group;
                out.push((SessionId((*s).id), same));
            }
            wl = (*wl).wentry.tqe_next;
        }
    }
    out
}

/// The id of the session's current window's active pane.
pub fn active_of_session(session: SessionId) -> Option<PaneId> {
    // SAFETY: lookups in live structures.
    unsafe {
        let s = super::session::find(session)?;
        if (*s).curw.is_null() {
            return None;
        }
        let w = (*(*s).curw).window;
        let wp = (*w).active;
        (!wp.is_null()).then(|| PaneId((*wp).id))
    }
}

/// Redraw the borders and status of the window showing pane `%id`.
pub fn redraw(id: PaneId) {
    if let Some(wp) = find(id) {
        // SAFETY: wp and its window are live.
        unsafe {
            sys::server_redraw_window_borders((*wp).window);
            sys::server_status_window((*wp).window);
        }
    }
}

/// The window id (`@N`) of pane `%id`.
pub fn window_of(id: PaneId) -> Option<WindowId> {
    // SAFETY: the pane's window pointer is valid while the pane exists.
    find(id).map(|wp| WindowId(unsafe { (*(*wp).window).id }))
}

/// A session that shows pane `%id`, found through the window's own list of
/// links (O(links), not O(sessions)): the first that `prefer` accepts, else
/// the first.
pub fn session_of_preferring(id: PaneId, prefer: impl Fn(SessionId) -> bool) -> Option<SessionId> {
    let wp = find(id)?;
    let mut first = None;
    // SAFETY: walking the live window's winlink list.
    unsafe {
        let mut wl = (*(*wp).window).winlinks.tqh_first;
        while !wl.is_null() {
            if !(*wl).session.is_null() {
                let s = SessionId((*(*wl).session).id);
                if prefer(s) {
                    return Some(s);
                }
                first.get_or_insert(s);
            }
            wl = (*wl).wentry.tqe_next;
        }
    }
    first
}

/// A session that shows pane `%id` (the first that links its window).
pub fn session_of(id: PaneId) -> Option<SessionId> {
    session_of_preferring(id, |_| true)
}

/// Has the process of pane `%id` exited (or is there none, for an empty pane)?
pub fn exited(id: PaneId) -> bool {
    match find(id) {
        // SAFETY: reading flags of a live pane.
        Some(wp) => unsafe {
            (*wp).flags & (sys::PANE_EXITED as i32 | sys::PANE_EMPTY as i32) != 0 || (*wp).fd == -1
        },
        None => true,
    }
}

/// Why input can't be written to a pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputRefused {
    /// No such pane.
    Gone,
    /// Its process has exited (or it never had one).
    Dead,
    /// Input is disabled (`select-pane -d`).
    Off,
}

/// Can input be written to pane `%id`?
pub fn accepts_input(id: PaneId) -> Result<(), InputRefused> {
    let wp = find(id).ok_or(InputRefused::Gone)?;
    // SAFETY: reading fields of a live pane.
    unsafe {
        if (*wp).fd == -1 || (*wp).event.is_null() || exited(id) {
            return Err(InputRefused::Dead);
        }
        if (*wp).flags & sys::PANE_INPUTOFF as i32 != 0 {
            return Err(InputRefused::Off);
        }
    }
    Ok(())
}

/// Has the program in pane `%id` turned bracketed paste on?
pub fn bracketed_paste(id: PaneId) -> bool {
    // SAFETY: the pane's base screen (the program's, whatever mode the pane
    // shows) lives as long as the pane.
    find(id).is_some_and(|wp| unsafe { (*wp).base.mode & sys::MODE_BRACKETPASTE as i32 != 0 })
}

/// Write `bytes` to the program in pane `%id` as if typed (the pane's pty),
/// after [`accepts_input`] says it can.
pub fn write_input(id: PaneId, bytes: &[u8]) -> Result<(), InputRefused> {
    accepts_input(id)?;
    let wp = find(id).ok_or(InputRefused::Gone)?;
    // SAFETY: the pane's bufferevent is live (checked above); libevent copies
    // the bytes into its output buffer.
    let rc = unsafe { sys::bufferevent_write((*wp).event, bytes.as_ptr().cast(), bytes.len()) };
    if rc != 0 {
        return Err(InputRefused::Dead);
    }
    Ok(())
}

/// The process id of pane `%id`'s program (a respawned pane gets a new one).
pub fn pid(id: PaneId) -> Option<i32> {
    // SAFETY: reading a field of a live pane.
    find(id).map(|wp| unsafe { (*wp).pid })
}

/// The bottom `n` lines of pane `%id`'s own screen (the program's, not a
/// copy-mode view), as plain text with trailing spaces trimmed: the visible
/// rows down to the last one that has text (or the cursor's, if lower),
/// at most `n` of them. Read straight from the grid: no capture-pane.
///
/// Only the rows returned are read, and the blank rows below the cursor
/// that are passed over looking for text: the screen is evaluated on every
/// debounce while output streams, so reading all of it would cost each
/// evaluation the whole screen for a profile that wants a few lines.
pub fn bottom_lines(id: PaneId, n: u32) -> Vec<String> {
    let Some(wp) = find(id) else {
        return Vec::new();
    };
    // SAFETY: the pane's base screen and its grid live as long as the pane;
    // grid_string_cells only reads them and returns a malloc'd string we
    // free. Without escape-sequence flags it does not touch `lastgc`.
    unsafe {
        let s = &(*wp).base;
        let gd = s.grid;
        if gd.is_null() || n == 0 {
            return Vec::new();
        }
        let (sx, sy, hsize) = ((*gd).sx, (*gd).sy, (*gd).hsize);
        let row = |y: u32| -> String {
            let p = sys::grid_string_cells(
                gd,
                0,
                hsize + y,
                sx,
                std::ptr::null_mut(),
                sys::GRID_STRING_TRIM_SPACES as i32,
                std::ptr::null_mut(),
            );
            if p.is_null() {
                return String::new();
            }
            let text = std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
            libc::free(p as *mut libc::c_void);
            text
        };
        // The rows end at the last one with text, if that is below the
        // cursor's row, else at the cursor's row.
        let cursor = (s.cy + 1).min(sy);
        let mut end = cursor;
        let mut last = None;
        for y in (cursor..sy).rev() {
            let text = row(y);
            if !text.is_empty() {
                end = y + 1;
                last = Some(text);
                break;
            }
        }
        let start = end.saturating_sub(n);
        let mut rows = Vec::with_capacity((end - start) as usize);
        let upto = if last.is_some() { end - 1 } else { end };
        for y in start..upto {
            rows.push(row(y));
        }
        rows.extend(last);
        rows
    }
}

/// The title of pane `%id` (set by its program with OSC 0/2).
pub fn title(id: PaneId) -> String {
    // SAFETY: the base screen's title is NULL or a live C string.
    find(id)
        .map(|wp| unsafe {
            let t = (*wp).base.title;
            if t.is_null() {
                String::new()
            } else {
                std::ffi::CStr::from_ptr(t).to_string_lossy().into_owned()
            }
        })
        .unwrap_or_default()
}

/// The names pane `%id`'s program may go by: its current foreground
/// command (as `#{pane_current_command}` finds it) first, then the base
/// names of the words of the command it was started with (so a CLI run
/// through `node /path/bin/codex` is found as `codex` too).
pub fn command_names(id: PaneId) -> Vec<String> {
    let Some(wp) = find(id) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let base = |w: &str| -> String {
        let w = w.trim_matches('"');
        w.rsplit('/').next().unwrap_or(w).to_string()
    };
    // SAFETY: osdep_get_name reads /proc for the pty's foreground group and
    // returns a malloc'd string (or NULL), which we free; argv is the
    // pane's own array of argc C strings.
    unsafe {
        if (*wp).fd != -1 {
            let p = sys::osdep_get_name((*wp).fd, (*wp).tty.as_mut_ptr());
            if !p.is_null() {
                let s = std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
                libc::free(p as *mut libc::c_void);
                if let Some(first) = s.split_whitespace().next() {
                    out.push(base(first));
                }
            }
        }
        let argv = (*wp).argv;
        for i in 0..(*wp).argc.max(0) as usize {
            if argv.is_null() {
                break;
            }
            let a = *argv.add(i);
            if a.is_null() {
                continue;
            }
            let a = std::ffi::CStr::from_ptr(a).to_string_lossy().into_owned();
            for w in a.split_whitespace().take(4) {
                let w = base(w);
                if !w.is_empty() && !out.contains(&w) {
                    out.push(w);
                }
            }
        }
    }
    out
}

/// The command pane `%id` was started with, as its words
/// (`#{pane_start_command}` unquoted); empty for the default shell.
pub fn start_argv(id: PaneId) -> Vec<String> {
    let Some(wp) = find(id) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // SAFETY: argv is the live pane's own array of argc C strings.
    unsafe {
        let argv = (*wp).argv;
        for i in 0..(*wp).argc.max(0) as usize {
            if argv.is_null() {
                break;
            }
            let a = *argv.add(i);
            if !a.is_null() {
                out.push(std::ffi::CStr::from_ptr(a).to_string_lossy().into_owned());
            }
        }
    }
    out
}

/// The directory pane `%id` was started in.
pub fn start_dir(id: PaneId) -> Option<String> {
    // SAFETY: wp is live; cwd, when set, is a string the pane owns.
    find(id).and_then(|wp| unsafe {
        let cwd = (*wp).cwd;
        (!cwd.is_null()).then(|| std::ffi::CStr::from_ptr(cwd).to_string_lossy().into_owned())
    })
}
