//! One-shot timers on tmux's own event loop: no thread, no polling. The
//! callback is a closure, so it carries whatever (typed) ids it needs. [`after`] (libevent's
//! `event_once`) cannot be cancelled: its memory is kept until it fires, so
//! it is for short delays only. [`Timer`] is cancelled (and freed) when it
//! is dropped: for timeouts that usually do not fire (`agent-wait -T`).

use std::ffi::{c_int, c_short, c_void};

use super::guard;
use super::sys;

/// What a timer does when it fires (boxed again where C carries it, as one
/// thin pointer).
type Callback = Box<dyn FnOnce()>;

unsafe extern "C" fn fire(_fd: c_int, _events: c_short, data: *mut c_void) {
    // SAFETY: data is the Box leaked by `after`, fired exactly once.
    let callback = unsafe { Box::from_raw(data as *mut Callback) };
    let _ = guard::catch("timer", move || (*callback)());
}

/// `seconds` as a timeval, clamped: beyond about 31 years libevent's
/// arithmetic would overflow.
fn timeval(seconds: f64) -> sys::timeval {
    let seconds = seconds.clamp(0.0, 1e9);
    sys::timeval {
        tv_sec: seconds.trunc() as _,
        tv_usec: ((seconds.fract() * 1e6) as i64).min(999_999) as _,
    }
}

/// Call `callback` from the event loop after `seconds` (a short delay: it
/// cannot be cancelled).
pub fn after(seconds: f64, callback: impl FnOnce() + 'static) {
    let tv = timeval(seconds);
    let callback: Callback = Box::new(callback);
    let data = Box::into_raw(Box::new(callback)) as *mut c_void;
    // SAFETY: event_once copies tv; data stays valid until `fire` frees it.
    let rc = unsafe { sys::event_once(-1, sys::EV_TIMEOUT as c_short, Some(fire), data, &tv) };
    if rc != 0 {
        // Could not schedule: run nothing later, free now.
        drop(unsafe { Box::from_raw(data as *mut Callback) });
        guard::log("agent-tmux: event_once failed");
    }
}

unsafe extern "C" fn fire_owned(_fd: c_int, _events: c_short, data: *mut c_void) {
    // SAFETY: data is the slot owned by a live Timer (dropping the Timer
    // deletes the event first, so it cannot fire after). The callback is
    // taken out of it first: the callback may drop the Timer, and with it
    // `data`.
    let callback = unsafe { (*(data as *mut Option<Callback>)).take() };
    if let Some(callback) = callback {
        let _ = guard::catch("timer", callback);
    }
}

/// A one-shot timer that dropping cancels: its event and callback are freed
/// then, fired or not. Dropping it from its own callback is allowed.
pub struct Timer {
    ev: *mut sys::event,
    data: *mut Option<Callback>,
}

impl Timer {
    /// Call `callback` from the event loop after `seconds`, unless the
    /// timer is dropped first. `None` if libevent could not arm it.
    pub fn start(seconds: f64, callback: impl FnOnce() + 'static) -> Option<Timer> {
        let tv = timeval(seconds);
        let callback: Callback = Box::new(callback);
        let data = Box::into_raw(Box::new(Some(callback)));
        // SAFETY: a null base is libevent's current base, tmux's own (made by
        // event_init); data lives as long as the Timer, which frees the
        // event before it.
        let ev = unsafe {
            sys::event_new(
                std::ptr::null_mut(),
                -1,
                sys::EV_TIMEOUT as c_short,
                Some(fire_owned),
                data as *mut c_void,
            )
        };
        if ev.is_null() {
            drop(unsafe { Box::from_raw(data) });
            guard::log("agent-tmux: event_new failed");
            return None;
        }
        let timer = Timer { ev, data };
        // SAFETY: ev is a valid event; event_add copies tv.
        if unsafe { sys::event_add(ev, &tv) } != 0 {
            guard::log("agent-tmux: event_add failed");
            return None;
        }
        Some(timer)
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // SAFETY: ev came from event_new and is freed once, here; event_free
        // deletes it first if it is pending (safe from its own callback, as
        // libevent documents); no callback can use data after that.
        unsafe {
            sys::event_free(self.ev);
            drop(Box::from_raw(self.data));
        }
    }
}
