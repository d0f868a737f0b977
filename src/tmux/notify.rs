//! Telling the outside world: control-mode notifications and hooks.
//!
//! A notification line goes to every control-mode client, outside any
//! `%begin`/`%end` block, unless the client set the flag `no-agent-notify`
//! (vendor patch 0005). A hook runs the commands set with `set-hook` for one
//! of the agent events (vendor patch 0004), with `hook_*` formats, the way
//! tmux runs its own hooks. Every field of an agent notification is an id
//! (`$1`, `@2`, `%3`), a number, a fixed word or a name restricted to
//! `[A-Za-z0-9_.-]`, so none needs `%output`-style escaping.

use std::ffi::CString;

use crate::sys;

thread_local! {
    static PENDING: std::cell::RefCell<Vec<CString>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Queue `line` for every control-mode client that has not opted out. Lines
/// are written from the global command queue, after the command that caused
/// them has finished (so never inside its `%begin`/`%end` block), in order.
pub fn control(line: &str) {
    let Ok(line) = CString::new(line) else { return };
    let first = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        p.push(line);
        p.len() == 1
    });
    if first {
        // SAFETY: a callback item on the global queue; it owns nothing.
        unsafe {
            let item = sys::cmdq_get_callback1(
                c"agent-notify".as_ptr(),
                Some(flush),
                std::ptr::null_mut(),
            );
            sys::cmdq_append(std::ptr::null_mut(), item);
        }
    }
}

unsafe extern "C" fn flush(
    _item: *mut sys::cmdq_item,
    _data: *mut std::ffi::c_void,
) -> sys::cmd_retval {
    let lines = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let _ = crate::tmux::guard::catch("notify", || write_all(&lines));
    sys::cmd_retval_CMD_RETURN_NORMAL
}

fn write_all(lines: &[CString]) {
    // SAFETY: walking the live client list; control_write copies each line.
    // A client gets CLIENT_CONTROL from its first identify message but its
    // control state only when identify is done (control_start), possibly
    // several reads later: control_write on it in between would dereference
    // a null state, so such a client is skipped (it is not attached yet).
    unsafe {
        let mut c = sys::clients.tqh_first;
        while !c.is_null() {
            let flags = (*c).flags;
            let wanted = flags & sys::CLIENT_CONTROL as u64 != 0
                && !(*c).control_state.is_null()
                && flags & (sys::CLIENT_CONTROL_NOAGENT | sys::CLIENT_DEAD as u64) == 0;
            if wanted {
                for line in lines {
                    sys::control_write(c, c"%s".as_ptr(), line.as_ptr());
                }
            }
            c = (*c).entry.tqe_next;
        }
    }
}

/// Where a hook runs: its session (and pane), when they still exist.
#[derive(Default, Clone, Copy)]
pub struct HookTarget {
    pub session: Option<u32>,
    pub pane: Option<u32>,
}

thread_local! {
    static DYING: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
    static NO_HOOKS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` with hooks off when `off` (for commands that a hook itself runs).
pub fn without_hooks_if<T>(off: bool, f: impl FnOnce() -> T) -> T {
    let before = NO_HOOKS.with(|n| n.replace(off || n.get()));
    let out = f();
    NO_HOOKS.with(|n| n.set(before));
    out
}

/// While session `$id` is being destroyed its windows are already gone, so
/// hooks about it must not look inside it: they name it by formats only.
pub fn while_dying<T>(id: u32, f: impl FnOnce() -> T) -> T {
    let before = DYING.with(|d| d.replace(Some(id)));
    let out = f();
    DYING.with(|d| d.set(before));
    out
}

/// Run hook `name` with extra `hook_*` formats.
pub fn hook(name: &str, mut at: HookTarget, formats: &[(&str, String)]) {
    if NO_HOOKS.with(|n| n.get()) {
        return;
    }
    let Ok(cname) = CString::new(name) else {
        return;
    };
    let mut extra: Vec<(&str, String)> = Vec::new();
    if at.session.is_some() && at.session == DYING.with(|d| d.get()) {
        let id = at.session.take().unwrap_or_default();
        extra.push(("hook_session", format!("${id}")));
        extra.push(("hook_session_name", crate::tmux::session::display_name(id)));
        at.pane = None;
    }
    // SAFETY: mirrors notify.c: a find state for the target (or nothing),
    // the hook option looked up from there, each command list queued on the
    // global queue with a state carrying the formats; the state is freed
    // after queuing (each item holds its own reference).
    unsafe {
        let mut fs: sys::cmd_find_state = std::mem::zeroed();
        sys::cmd_find_clear_state(&mut fs, 0);
        let wp = at
            .pane
            .map(|p| sys::window_pane_find_by_id(p))
            .unwrap_or(std::ptr::null_mut());
        let s = at
            .session
            .and_then(crate::tmux::session::find)
            .unwrap_or(std::ptr::null_mut());
        let found = if !wp.is_null() {
            sys::cmd_find_from_pane(&mut fs, wp, 0) == 0
        } else if !s.is_null() {
            sys::cmd_find_from_session(&mut fs, s, 0);
            true
        } else {
            false
        };
        // No target (or it is going away): the hook runs with global
        // options and no current session. (cmd_find_from_nothing could pick
        // a session that is being destroyed.)
        if !found {
            sys::cmd_find_clear_state(&mut fs, 0);
        }
        let oo = if fs.s.is_null() {
            sys::global_s_options
        } else {
            (*fs.s).options
        };
        let o = sys::options_get(oo, cname.as_ptr());
        if o.is_null() {
            return;
        }
        let mut a = sys::options_array_first(o);
        if a.is_null() {
            return;
        }
        let state = sys::cmdq_new_state(
            &mut fs,
            std::ptr::null_mut(),
            sys::CMDQ_STATE_NOHOOKS as i32,
        );
        let add = |k: &str, v: &str| {
            if let (Ok(k), Ok(v)) = (CString::new(k), CString::new(v.replace('\0', ""))) {
                sys::cmdq_add_format(state, k.as_ptr(), c"%s".as_ptr(), v.as_ptr());
            }
        };
        add("hook", name);
        if !fs.s.is_null() {
            add("hook_session", &format!("${}", (*fs.s).id));
            let n = std::ffi::CStr::from_ptr((*fs.s).name).to_string_lossy();
            add("hook_session_name", &n);
        }
        if !fs.w.is_null() {
            add("hook_window", &format!("@{}", (*fs.w).id));
        }
        if !wp.is_null() {
            add("hook_pane", &format!("%{}", (*wp).id));
        }
        for (k, v) in extra.iter().chain(formats) {
            add(k, v);
        }
        while !a.is_null() {
            let cmdlist = (*sys::options_array_item_value(a)).cmdlist;
            if !cmdlist.is_null() {
                sys::cmdq_append(std::ptr::null_mut(), sys::cmdq_get_command(cmdlist, state));
            }
            a = sys::options_array_next(a);
        }
        sys::cmdq_free_state(state);
    }
}
