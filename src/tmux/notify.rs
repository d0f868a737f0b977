//! Telling the outside world: control-mode notifications and hooks.
//!
//! A notification line goes to every control-mode client, outside any
//! `%begin`/`%end` block, unless the client set the flag `no-agent-notify`
//! (vendor patch 0005). A hook runs the commands set with `set-hook` for one
//! of the agent events (vendor patch 0004), with `hook_*` formats, the way
//! tmux runs its own hooks. Every field of an agent notification is an id
//! (`$1`, `@2`, `%3`), a number, a fixed word or a name restricted to
//! `[A-Za-z0-9_.-]`, so none needs `%output`-style escaping.

use std::ffi::{CStr, CString};

use agent_tmux::ids::{PaneId, SessionId, WindowId};

use super::sys;

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
    let _ = super::guard::catch("notify", || write_all(&lines));
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
    pub session: Option<SessionId>,
    pub pane: Option<PaneId>,
}

thread_local! {
    static DYING: std::cell::Cell<Option<SessionId>> = const { std::cell::Cell::new(None) };
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
pub fn while_dying<T>(id: SessionId, f: impl FnOnce() -> T) -> T {
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
        if let Some(id) = at.session.take() {
            extra.push(("hook_session", id.to_string()));
            extra.push(("hook_session_name", super::session::display_name(id)));
        }
        at.pane = None;
    }
    // Mirrors notify.c: a find state for the target (or nothing), the hook
    // option looked up from there, each command list queued on the global
    // queue with a state carrying the formats.
    let (mut fs, wp) = find_target(at);
    let commands = hook_commands(&fs, &cname);
    if commands.is_empty() {
        return;
    }
    let state = HookState::new(&mut fs);
    state.add("hook", name);
    for (k, v) in target_formats(&fs, wp) {
        state.add(k, &v);
    }
    for (k, v) in extra.iter().chain(formats) {
        state.add(k, v);
    }
    for cmdlist in commands {
        state.queue(cmdlist);
    }
}

/// A find state for a hook's target: its pane if it still exists, else its
/// session, else nothing (the hook then runs with global options and no
/// current session; cmd_find_from_nothing could pick a session that is
/// being destroyed). Also the pane, if found.
fn find_target(at: HookTarget) -> (sys::cmd_find_state, *mut sys::window_pane) {
    // SAFETY: a plain C struct, cleared by cmd_find_clear_state.
    let mut fs: sys::cmd_find_state = unsafe { std::mem::zeroed() };
    // SAFETY: lookups by id; the find state is ours and filled from live
    // objects only.
    unsafe {
        sys::cmd_find_clear_state(&mut fs, 0);
        let wp = at
            .pane
            .map(|p| sys::window_pane_find_by_id(p.0))
            .unwrap_or(std::ptr::null_mut());
        let found = if !wp.is_null() {
            sys::cmd_find_from_pane(&mut fs, wp, 0) == 0
        } else if let Some(s) = at.session.and_then(super::session::find) {
            sys::cmd_find_from_session(&mut fs, s, 0);
            true
        } else {
            false
        };
        if !found {
            sys::cmd_find_clear_state(&mut fs, 0);
        }
        (fs, wp)
    }
}

/// The command lists set for hook `name`, as seen from `fs`'s session (or
/// the global session options), in order.
fn hook_commands(fs: &sys::cmd_find_state, name: &CStr) -> Vec<*mut sys::cmd_list> {
    let mut out = Vec::new();
    // SAFETY: reading the live option trees; the command lists stay owned
    // by the option (each queued item takes its own reference).
    unsafe {
        let oo = if fs.s.is_null() {
            sys::global_s_options
        } else {
            (*fs.s).options
        };
        let o = sys::options_get(oo, name.as_ptr());
        if o.is_null() {
            return out;
        }
        let mut a = sys::options_array_first(o);
        while !a.is_null() {
            let cmdlist = (*sys::options_array_item_value(a)).cmdlist;
            if !cmdlist.is_null() {
                out.push(cmdlist);
            }
            a = sys::options_array_next(a);
        }
    }
    out
}

/// `hook_session`, `hook_session_name`, `hook_window` and `hook_pane` of a
/// hook's target.
fn target_formats(
    fs: &sys::cmd_find_state,
    wp: *mut sys::window_pane,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    // SAFETY: the state was just filled from live objects (or is clear).
    unsafe {
        if !fs.s.is_null() {
            out.push(("hook_session", SessionId((*fs.s).id).to_string()));
            let n = CStr::from_ptr((*fs.s).name).to_string_lossy().into_owned();
            out.push(("hook_session_name", n));
        }
        if !fs.w.is_null() {
            out.push(("hook_window", WindowId((*fs.w).id).to_string()));
        }
        if !wp.is_null() {
            out.push(("hook_pane", PaneId((*wp).id).to_string()));
        }
    }
    out
}

/// A command-queue state for a hook's commands, carrying its formats; freed
/// on drop (each queued item holds its own reference).
struct HookState(*mut sys::cmdq_state);

impl HookState {
    fn new(fs: &mut sys::cmd_find_state) -> Self {
        // SAFETY: cmdq_new_state copies the find state.
        HookState(unsafe {
            sys::cmdq_new_state(fs, std::ptr::null_mut(), sys::CMDQ_STATE_NOHOOKS as i32)
        })
    }

    fn add(&self, key: &str, value: &str) {
        if let (Ok(k), Ok(v)) = (CString::new(key), CString::new(value.replace('\0', ""))) {
            // SAFETY: fixed "%s" format; cmdq_add_format copies both strings.
            unsafe { sys::cmdq_add_format(self.0, k.as_ptr(), c"%s".as_ptr(), v.as_ptr()) };
        }
    }

    fn queue(&self, cmdlist: *mut sys::cmd_list) {
        // SAFETY: a live command list of the hook option; the new item
        // references it and the state.
        unsafe { sys::cmdq_append(std::ptr::null_mut(), sys::cmdq_get_command(cmdlist, self.0)) };
    }
}

impl Drop for HookState {
    fn drop(&mut self) {
        // SAFETY: the state came from cmdq_new_state; this drops our reference.
        unsafe { sys::cmdq_free_state(self.0) };
    }
}
