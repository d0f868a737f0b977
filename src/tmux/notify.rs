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

/// Is the command being executed, on any queue, one that a hook runs? Its
/// events then fire no hooks: tmux's notify.c drops the events of commands
/// run by a hook (on the global queue), so that a hook that causes its own
/// event runs once; agent hooks follow the same rule whatever queue the hook
/// command is on and whatever the command is (an agent command or an
/// upstream one such as kill-session or kill-pane).
fn running_in_hook() -> bool {
    // SAFETY: cmdq_running only reads a queue's current item (NULL when the
    // queue is idle or waiting); the client list is walked while it lives.
    unsafe {
        // cmdq_running alone also returns an item that waited and was told
        // to continue but has not run again (vendor patch 0011).
        let by_hook = |c: *mut sys::client| {
            let item = sys::cmdq_running(c);
            !item.is_null()
                && sys::cmdq_executing(c) != 0
                && sys::cmdq_get_flags(item) & sys::CMDQ_STATE_NOHOOKS as i32 != 0
        };
        if by_hook(std::ptr::null_mut()) {
            return true;
        }
        let mut c = sys::clients.tqh_first;
        while !c.is_null() {
            if by_hook(c) {
                return true;
            }
            c = (*c).entry.tqe_next;
        }
    }
    false
}

/// Run hook `name` with extra `hook_*` formats.
///
/// The formats describe the event as it is now (the target's ids and name,
/// even for a session being destroyed). The commands run later, from the
/// global queue: a callback finds the target again by its ids when it runs
/// and inserts the commands right after itself, with a state that carries
/// the formats, fires no hooks and has no fallback current target. So a
/// hook never keeps a pointer to something that may be freed before it
/// runs, and a hook about something that is gone (a removed pane, a killed
/// session) has no current target: a command without `-t` fails with "no
/// current target" rather than acting on whatever session tmux would pick
/// (vendor patch 0011).
pub fn hook(name: &str, mut at: HookTarget, formats: &[(&str, String)]) {
    if NO_HOOKS.with(|n| n.get()) || running_in_hook() {
        return;
    }
    let Ok(cname) = CString::new(name) else {
        return;
    };
    let mut all: Vec<(String, String)> = vec![("hook".into(), name.into())];
    if at.session.is_some() && at.session == DYING.with(|d| d.get()) {
        if let Some(id) = at.session.take() {
            all.push(("hook_session".into(), id.to_string()));
            all.push(("hook_session_name".into(), super::session::display_name(id)));
        }
        at.pane = None;
    }
    let (fs, wp) = find_target(at);
    let s = options_session(&fs, at);
    if hook_commands(s, &cname).is_empty() {
        return;
    }
    for (k, v) in target_formats(&fs, s, wp) {
        all.push((k.into(), v));
    }
    for (k, v) in formats {
        all.push(((*k).into(), v.clone()));
    }
    let pending = Box::new(PendingHook {
        name: cname,
        at,
        formats: all,
    });
    // SAFETY: a callback item on the global queue; it owns the boxed data,
    // which the callback takes back.
    unsafe {
        let item = sys::cmdq_get_callback1(
            c"agent-hook".as_ptr(),
            Some(run_hook),
            Box::into_raw(pending).cast(),
        );
        sys::cmdq_append(std::ptr::null_mut(), item);
    }
}

/// A hook waiting for its turn on the global queue.
struct PendingHook {
    name: CString,
    at: HookTarget,
    formats: Vec<(String, String)>,
}

unsafe extern "C" fn run_hook(
    item: *mut sys::cmdq_item,
    data: *mut std::ffi::c_void,
) -> sys::cmd_retval {
    // SAFETY: data is the box that hook() leaked for this item.
    let pending = unsafe { Box::from_raw(data.cast::<PendingHook>()) };
    let _ = super::guard::catch("hook", || insert_hook(item, &pending));
    sys::cmd_retval_CMD_RETURN_NORMAL
}

/// Mirrors notify.c's notify_insert_hook: a find state for the target as it
/// is now (or nothing), the hook option looked up from there, each command
/// list inserted after `item` with a state carrying the formats.
fn insert_hook(item: *mut sys::cmdq_item, pending: &PendingHook) {
    let (mut fs, _) = find_target(pending.at);
    let commands = hook_commands(options_session(&fs, pending.at), &pending.name);
    if commands.is_empty() {
        return;
    }
    let state = HookState::new(&mut fs);
    for (k, v) in &pending.formats {
        state.add(k, v);
    }
    let mut after = item;
    for cmdlist in commands {
        after = state.insert_after(after, cmdlist);
    }
}

/// A find state for a hook's target: its pane if it still exists, else its
/// session, else nothing (the hook then runs with global options and no
/// current target; cmd_find_from_nothing could pick a session that is
/// being destroyed, or one that has nothing to do with the event). A pane
/// that is gone, or no longer in a window of a session, is nothing too, not
/// its session (whose current pane is another pane). Also the pane, if
/// found.
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
        let found = if at.pane.is_some() {
            !wp.is_null() && sys::cmd_find_from_pane(&mut fs, wp, 0) == 0
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

/// The session whose options hold a hook: the target's, else the hook's
/// session if it still exists (a session hook runs for its panes even once
/// they are gone), else none (the global options).
fn options_session(fs: &sys::cmd_find_state, at: HookTarget) -> *mut sys::session {
    if !fs.s.is_null() {
        return fs.s;
    }
    at.session
        .and_then(super::session::find)
        .unwrap_or(std::ptr::null_mut())
}

/// The command lists set for hook `name`, as seen from session `s` (or the
/// global session options when null), in order.
fn hook_commands(s: *mut sys::session, name: &CStr) -> Vec<*mut sys::cmd_list> {
    let mut out = Vec::new();
    // SAFETY: reading the live option trees; the command lists stay owned
    // by the option (each queued item takes its own reference).
    unsafe {
        let oo = if s.is_null() {
            sys::global_s_options
        } else {
            (*s).options
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
/// hook's target (the session is `s`: the target's or the hook's own).
fn target_formats(
    fs: &sys::cmd_find_state,
    s: *mut sys::session,
    wp: *mut sys::window_pane,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    // SAFETY: the state was just filled from live objects (or is clear) and
    // s is live or null.
    unsafe {
        if !s.is_null() {
            out.push(("hook_session", SessionId((*s).id).to_string()));
            let n = CStr::from_ptr((*s).name).to_string_lossy().into_owned();
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
        let flags = sys::CMDQ_STATE_NOHOOKS | sys::CMDQ_STATE_NOCURRENT;
        // SAFETY: cmdq_new_state copies the find state.
        HookState(unsafe { sys::cmdq_new_state(fs, std::ptr::null_mut(), flags as i32) })
    }

    fn add(&self, key: &str, value: &str) {
        if let (Ok(k), Ok(v)) = (CString::new(key), CString::new(value.replace('\0', ""))) {
            // SAFETY: fixed "%s" format; cmdq_add_format copies both strings.
            unsafe { sys::cmdq_add_format(self.0, k.as_ptr(), c"%s".as_ptr(), v.as_ptr()) };
        }
    }

    /// Insert `cmdlist`'s commands after `item`; returns the last inserted.
    fn insert_after(
        &self,
        item: *mut sys::cmdq_item,
        cmdlist: *mut sys::cmd_list,
    ) -> *mut sys::cmdq_item {
        // SAFETY: item is the running callback; a live command list of the
        // hook option, the new items reference it and the state.
        unsafe { sys::cmdq_insert_after(item, sys::cmdq_get_command(cmdlist, self.0)) }
    }
}

impl Drop for HookState {
    fn drop(&mut self) {
        // SAFETY: the state came from cmdq_new_state; this drops our reference.
        unsafe { sys::cmdq_free_state(self.0) };
    }
}
