//! Entry points that tmux's C code calls into: the link-time wraps
//! (`-Wl,--wrap=...`, see build.rs), the agent format lookup (vendor patch
//! 0002) and the pane-destroy callback (patch 0003). Each catches panics and
//! passes what happened on through the installed [`super::Handlers`]; only
//! the session index and the dying-session marker are kept here.

use std::ffi::{c_char, c_int, CStr};

use agent_tmux::ids::{PaneId, SessionId, WindowId};

use super::handlers::get as handlers;
use super::{guard, notify, sys};

extern "C" {
    fn __real_session_destroy(s: *mut sys::session, notify: c_int, from: *const c_char);
}

/// Every call to session_destroy() from another translation unit lands here
/// first: kill-session, the last pane exiting, kill-server, destroy-unattached.
/// The session is still fully alive (name, id) while Rust cleans its state.
///
/// # Safety
/// Called by tmux with a valid session pointer.
#[no_mangle]
pub unsafe extern "C" fn __wrap_session_destroy(
    s: *mut sys::session,
    notify: c_int,
    from: *const c_char,
) {
    // server_send_exit() destroys every session when the server is told to
    // exit: say so first, while all of them are still alive.
    if !from.is_null() && unsafe { CStr::from_ptr(from) }.to_bytes() == b"server_send_exit" {
        exiting_once();
    }
    // session_destroy() ignores a session already destroyed (curw is NULL).
    if !s.is_null() && !unsafe { (*s).curw }.is_null() {
        let id = SessionId(unsafe { (*s).id });
        // While the session is being destroyed its windows are already gone,
        // so hooks about it name it by formats only.
        let _ = guard::catch("session-destroyed", || {
            notify::while_dying(id, || (handlers().session_destroyed)(id))
        });
        super::session::destroyed(id);
    }
    unsafe { __real_session_destroy(s, notify, from) }
}

/// `#{agent_*}` formats: returns an xstrdup'd string or NULL to fall through.
///
/// # Safety
/// Called by format_find with a valid key and optional session/pane.
#[no_mangle]
pub unsafe extern "C" fn format_agent_find(
    key: *const c_char,
    s: *mut sys::session,
    wp: *mut sys::window_pane,
) -> *mut c_char {
    if key.is_null() {
        return std::ptr::null_mut();
    }
    let key = unsafe { CStr::from_ptr(key) }.to_string_lossy();
    let session = (!s.is_null()).then(|| SessionId(unsafe { (*s).id }));
    let pane = (!wp.is_null()).then(|| PaneId(unsafe { (*wp).id }));
    let value = guard::catch("format", || (handlers().format)(&key, session, pane))
        .ok()
        .flatten();
    match value {
        Some(v) => {
            let v = std::ffi::CString::new(v.replace('\0', "")).unwrap_or_default();
            // SAFETY: xstrdup copies the string into tmux's allocator.
            unsafe { sys::xstrdup(v.as_ptr()) }
        }
        None => std::ptr::null_mut(),
    }
}

extern "C" {
    fn __real_notify_pane(name: *const c_char, wp: *mut sys::window_pane);
}

/// Every notify_pane() call lands here first (`-Wl,--wrap=notify_pane`);
/// "pane-died" and "pane-exited" mean the pane's process has exited and its
/// wait status is known.
///
/// # Safety
/// Called by tmux with a valid name and pane.
#[no_mangle]
pub unsafe extern "C" fn __wrap_notify_pane(name: *const c_char, wp: *mut sys::window_pane) {
    if !name.is_null() && !wp.is_null() {
        let which = unsafe { CStr::from_ptr(name) }.to_bytes();
        if which == b"pane-died" || which == b"pane-exited" {
            let (id, flags, status) = unsafe { (PaneId((*wp).id), (*wp).flags, (*wp).status) };
            if flags & sys::PANE_STATUSREADY as i32 != 0 {
                let code = decode_wait_status(status);
                let _ = guard::catch("pane-exited", || (handlers().pane_exited)(id, code));
            }
        }
    }
    unsafe { __real_notify_pane(name, wp) }
}

/// An exit code, or 128 + the signal number, from a waitpid() status.
fn decode_wait_status(status: c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        -1
    }
}

/// window_pane_destroy() calls this first, for every pane, by every path
/// (vendor patch 0003).
///
/// # Safety
/// Called by tmux with a valid pane about to be freed.
#[no_mangle]
pub unsafe extern "C" fn agent_pane_destroyed(wp: *mut sys::window_pane) {
    if wp.is_null() {
        return;
    }
    let id = PaneId(unsafe { (*wp).id });
    let _ = guard::catch("pane-destroyed", || (handlers().pane_destroyed)(id));
}

extern "C" {
    fn __real_input_parse_pane(wp: *mut sys::window_pane);
    fn __real_format_lost_client(c: *mut sys::client);
}

/// New output from a pane's program is about to be parsed
/// (`-Wl,--wrap=input_parse_pane`, called only from the pane read callback).
///
/// # Safety
/// Called by tmux with a valid pane.
#[no_mangle]
pub unsafe extern "C" fn __wrap_input_parse_pane(wp: *mut sys::window_pane) {
    if !wp.is_null() {
        let id = PaneId(unsafe { (*wp).id });
        let mut size: usize = 0;
        // SAFETY: the same read of the pane's new data the real function
        // makes next (it does not consume it; the real one does). The bytes
        // stay valid until then, and the handler only reads them.
        let data = unsafe { sys::window_pane_get_new_data(wp, &mut (*wp).offset, &mut size) };
        let bytes: &[u8] = if data.is_null() || size == 0 {
            &[]
        } else {
            unsafe { std::slice::from_raw_parts(data as *const u8, size) }
        };
        let _ = guard::catch("pane-output", || (handlers().pane_output)(id, bytes));
    }
    unsafe { __real_input_parse_pane(wp) }
}

/// A client is being lost (`-Wl,--wrap=format_lost_client`, called only from
/// server_client_lost): its waiters are dropped.
///
/// # Safety
/// Called by tmux with a valid client.
#[no_mangle]
pub unsafe extern "C" fn __wrap_format_lost_client(c: *mut sys::client) {
    let _ = guard::catch("client-lost", || (handlers().client_lost)(c as u64));
    unsafe { __real_format_lost_client(c) }
}

extern "C" {
    fn __real_session_create(
        prefix: *const c_char,
        name: *const c_char,
        cwd: *const c_char,
        env: *mut sys::environ,
        oo: *mut sys::options,
        tio: *mut sys::termios,
    ) -> *mut sys::session;
}

/// Every session is made by session_create() (`-Wl,--wrap=session_create`,
/// called from cmd-new-session.c): index it by id.
///
/// # Safety
/// Called by tmux with its usual arguments.
#[no_mangle]
pub unsafe extern "C" fn __wrap_session_create(
    prefix: *const c_char,
    name: *const c_char,
    cwd: *const c_char,
    env: *mut sys::environ,
    oo: *mut sys::options,
    tio: *mut sys::termios,
) -> *mut sys::session {
    let s = unsafe { __real_session_create(prefix, name, cwd, env, oo, tio) };
    let _ = guard::catch("session-created", || super::session::created(s));
    s
}

extern "C" {
    fn __real_window_pane_key(
        wp: *mut sys::window_pane,
        c: *mut sys::client,
        s: *mut sys::session,
        wl: *mut sys::winlink,
        key: sys::key_code,
        m: *mut sys::mouse_event,
    ) -> c_int;
}

/// A key is given to a pane (`-Wl,--wrap=window_pane_key`). Keys a human typed
/// through a client arrive from server-client.c with the client's (invalid)
/// mouse event; send-keys passes none and mouse keys have a valid one. Only
/// the human's keys are recorded, for agent-prompt's typing guard.
///
/// # Safety
/// Called by tmux with its usual arguments.
#[no_mangle]
pub unsafe extern "C" fn __wrap_window_pane_key(
    wp: *mut sys::window_pane,
    c: *mut sys::client,
    s: *mut sys::session,
    wl: *mut sys::winlink,
    key: sys::key_code,
    m: *mut sys::mouse_event,
) -> c_int {
    if !wp.is_null() && !m.is_null() && !c.is_null() && unsafe { (*m).valid } == 0 {
        let id = PaneId(unsafe { (*wp).id });
        let _ = guard::catch("pane-key", || (handlers().human_key)(id));
    }
    unsafe { __real_window_pane_key(wp, c, s, wl, key, m) }
}

extern "C" {
    fn __real_notify_window(name: *const c_char, w: *mut sys::window);
    fn __real_notify_session_window(name: *const c_char, s: *mut sys::session, w: *mut sys::window);
    fn __real_spawn_pane(
        sc: *mut sys::spawn_context,
        cause: *mut *mut c_char,
    ) -> *mut sys::window_pane;
    fn __real_spawn_window(
        sc: *mut sys::spawn_context,
        cause: *mut *mut c_char,
    ) -> *mut sys::winlink;
}

/// Every notify_window() call from outside notify.c lands here
/// (`-Wl,--wrap=notify_window`). "window-layout-changed" follows every
/// change of a window's panes, among them join-pane, move-pane and
/// swap-pane moving a pane into it.
///
/// # Safety
/// Called by tmux with a valid name and window.
#[no_mangle]
pub unsafe extern "C" fn __wrap_notify_window(name: *const c_char, w: *mut sys::window) {
    if !name.is_null() && !w.is_null() {
        let which = unsafe { CStr::from_ptr(name) }.to_bytes();
        if which == b"window-layout-changed" {
            let id = WindowId(unsafe { (*w).id });
            let _ = guard::catch("window-changed", || (handlers().window_changed)(id));
        }
    }
    unsafe { __real_notify_window(name, w) }
}

extern "C" {
    fn __real_notify_session(name: *const c_char, s: *mut sys::session);
}

/// Every notify_session() call from outside notify.c lands here
/// (`-Wl,--wrap=notify_session`); "session-renamed" follows rename-session.
///
/// # Safety
/// Called by tmux with a valid name and session.
#[no_mangle]
pub unsafe extern "C" fn __wrap_notify_session(name: *const c_char, s: *mut sys::session) {
    if !name.is_null() && !s.is_null() {
        let which = unsafe { CStr::from_ptr(name) }.to_bytes();
        if which == b"session-renamed" {
            let id = SessionId(unsafe { (*s).id });
            let _ = guard::catch("session-renamed", || (handlers().session_renamed)(id));
        }
    }
    unsafe { __real_notify_session(name, s) }
}

/// Every notify_session_window() call lands here
/// (`-Wl,--wrap=notify_session_window`). "window-linked" follows a window
/// joining a session, among them the new window of break-pane.
///
/// # Safety
/// Called by tmux with a valid name, session and window.
#[no_mangle]
pub unsafe extern "C" fn __wrap_notify_session_window(
    name: *const c_char,
    s: *mut sys::session,
    w: *mut sys::window,
) {
    if !name.is_null() && !w.is_null() {
        let which = unsafe { CStr::from_ptr(name) }.to_bytes();
        if which == b"window-linked" {
            let id = WindowId(unsafe { (*w).id });
            let _ = guard::catch("window-changed", || (handlers().window_changed)(id));
        }
    }
    unsafe { __real_notify_session_window(name, s, w) }
}

/// Whether pane `wp` has a process (its pty is open).
fn has_process(wp: *mut sys::window_pane) -> bool {
    // SAFETY: wp is a live pane or NULL.
    !wp.is_null() && unsafe { (*wp).fd } != -1
}

/// Every spawn_pane() call from outside spawn.c lands here
/// (`-Wl,--wrap=spawn_pane`): for respawn-pane, the pane's old process (if
/// any) is gone once it succeeds, with no pane-died notification for it.
///
/// # Safety
/// Called by tmux with a valid spawn context.
#[no_mangle]
pub unsafe extern "C" fn __wrap_spawn_pane(
    sc: *mut sys::spawn_context,
    cause: *mut *mut c_char,
) -> *mut sys::window_pane {
    let respawn = !sc.is_null() && unsafe { (*sc).flags } & sys::SPAWN_RESPAWN as c_int != 0;
    let had = respawn && has_process(unsafe { (*sc).wp0 });
    let wp = unsafe { __real_spawn_pane(sc, cause) };
    if respawn && !wp.is_null() {
        let id = PaneId(unsafe { (*wp).id });
        let _ = guard::catch("pane-respawned", || (handlers().pane_respawned)(id, had));
    }
    wp
}

/// Every spawn_window() call lands here (`-Wl,--wrap=spawn_window`): for
/// respawn-window, the window's first pane is respawned (the others are
/// destroyed, reported as usual).
///
/// # Safety
/// Called by tmux with a valid spawn context.
#[no_mangle]
pub unsafe extern "C" fn __wrap_spawn_window(
    sc: *mut sys::spawn_context,
    cause: *mut *mut c_char,
) -> *mut sys::winlink {
    let respawn = !sc.is_null() && unsafe { (*sc).flags } & sys::SPAWN_RESPAWN as c_int != 0;
    // SAFETY: a respawn's context names a live winlink and window.
    let had = respawn
        && unsafe {
            let wl = (*sc).wl;
            !wl.is_null() && has_process((*(*wl).window).panes.tqh_first)
        };
    let wl = unsafe { __real_spawn_window(sc, cause) };
    if respawn && !wl.is_null() {
        let wp = unsafe { (*sc).wp0 };
        if !wp.is_null() {
            let id = PaneId(unsafe { (*wp).id });
            let _ = guard::catch("pane-respawned", || (handlers().pane_respawned)(id, had));
        }
    }
    wl
}

thread_local! {
    static EXITING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Tell the layer above, once, that the server is exiting.
fn exiting_once() {
    if !EXITING.with(|e| e.replace(true)) {
        let _ = guard::catch("server-exiting", || (handlers().server_exiting)());
    }
}

extern "C" {
    fn __real_status_prompt_load_history();
    fn __real_job_kill_all();
}

/// cfg_done() calls this once the configuration is loaded.
///
/// # Safety
/// Called by tmux on the server's thread.
#[no_mangle]
pub unsafe extern "C" fn __wrap_status_prompt_load_history() {
    unsafe { __real_status_prompt_load_history() };
    let _ = guard::catch("config-done", || (handlers().config_done)());
}

/// server_start() calls this once its loop has ended, before exit(0).
///
/// # Safety
/// Called by tmux on the server's thread.
#[no_mangle]
pub unsafe extern "C" fn __wrap_job_kill_all() {
    exiting_once();
    close_listener();
    let _ = guard::catch("server-exited", || (handlers().server_exited)());
    unsafe { __real_job_kill_all() };
}

/// Close the server's listening socket (server.c keeps its descriptor to
/// itself): the loop has ended, so no client is accepted any more, and one
/// that connects while the exit finishes (the store's last write) is
/// refused at once and starts a new server, as after any exit, instead of
/// waiting on a server that will never answer.
fn close_listener() {
    let Some(path) = super::socket_path() else {
        return;
    };
    for fd in 3..1024 {
        // SAFETY: plain queries of a descriptor number; close only for the
        // listening AF_UNIX socket bound to this server's path.
        unsafe {
            let mut listening: libc::c_int = 0;
            let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
            let ok = libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_ACCEPTCONN,
                &mut listening as *mut _ as *mut libc::c_void,
                &mut len,
            );
            if ok != 0 || listening == 0 {
                continue;
            }
            let mut addr: libc::sockaddr_un = std::mem::zeroed();
            let mut alen = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
            if libc::getsockname(fd, &mut addr as *mut _ as *mut libc::sockaddr, &mut alen) != 0
                || addr.sun_family != libc::AF_UNIX as libc::sa_family_t
            {
                continue;
            }
            let bound = CStr::from_ptr(addr.sun_path.as_ptr()).to_string_lossy();
            if bound == path {
                libc::close(fd);
            }
        }
    }
}
