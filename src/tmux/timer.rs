//! One-shot timers on tmux's own event loop (libevent's `event_once`): no
//! thread, no polling. The callback is a closure, so it carries whatever
//! (typed) ids it needs.

use std::ffi::{c_int, c_short, c_void};

use super::guard;
use super::sys;

/// What a timer does when it fires.
type Pending = Box<dyn FnOnce()>;

unsafe extern "C" fn fire(_fd: c_int, _events: c_short, data: *mut c_void) {
    // SAFETY: data is the Box leaked by `after`, fired exactly once.
    let pending = unsafe { Box::from_raw(data as *mut Pending) };
    let _ = guard::catch("timer", move || (*pending)());
}

/// Call `callback` from the event loop after `seconds`.
pub fn after(seconds: f64, callback: impl FnOnce() + 'static) {
    // Beyond about 31 years libevent's arithmetic would overflow.
    let seconds = seconds.clamp(0.0, 1e9);
    let tv = sys::timeval {
        tv_sec: seconds.trunc() as _,
        tv_usec: ((seconds.fract() * 1e6) as i64).min(999_999) as _,
    };
    // Boxed twice: the C side carries one thin pointer.
    let pending: Pending = Box::new(callback);
    let data = Box::into_raw(Box::new(pending)) as *mut c_void;
    // SAFETY: event_once copies tv; data stays valid until `fire` frees it.
    let rc = unsafe { sys::event_once(-1, sys::EV_TIMEOUT as c_short, Some(fire), data, &tv) };
    if rc != 0 {
        // Could not schedule: run nothing later, free now.
        drop(unsafe { Box::from_raw(data as *mut Pending) });
        guard::log("agent-tmux: event_once failed");
    }
}
