//! Child processes on tmux's own job mechanism (`job_run` in job.c): the
//! server forks, goes on with its event loop, and hears of the child again
//! when it has exited and its output is read, so a slow program never
//! blocks it. [`run`] takes a closure that is called exactly once from the
//! event loop with how the job ended ([`JobEnd`]): exited (with its status
//! and its output, stdout and stderr together), killed by a signal, timed
//! out (then the facade kills it), or not started at all.
//!
//! The job's C side owns one boxed handle (freed by job.c's free callback,
//! which job_free always calls); a timeout timer holds only a weak link to
//! it, so whichever comes first (the job's end or its timeout) wins and
//! the other does nothing.

use std::cell::RefCell;
use std::ffi::{c_void, CString};
use std::rc::{Rc, Weak};

use super::guard;
use super::item::c_string;
use super::sys;
use super::timer::Timer;

/// Most bytes of a job's output kept (the rest is dropped).
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEnd {
    /// It exited with this status; its output (stdout and stderr).
    Exited { status: i32, output: String },
    /// A signal killed it (not ours).
    Signalled(i32),
    /// It ran longer than its timeout and was killed.
    TimedOut,
    /// It could not be started (fork failed).
    NotStarted,
}

type Done = Box<dyn FnOnce(JobEnd)>;

struct Slot {
    /// The running job; null once it ended (or was freed).
    job: *mut sys::job,
    done: Option<Done>,
    timer: Option<Timer>,
}

type Handle = Rc<RefCell<Slot>>;

/// Run `argv` (argv[0] found by execvp on the server's PATH) in `cwd`,
/// stderr merged into stdout; call `done` from the event loop when it ends,
/// or after `timeout` seconds with [`JobEnd::TimedOut`] (it is then sent
/// SIGTERM). `done` is never called before `run` returns.
pub fn run(argv: &[&str], cwd: Option<&str>, timeout: f64, done: impl FnOnce(JobEnd) + 'static) {
    // job.c sends the child's stderr to /dev/null: a small sh wrapper
    // merges it into stdout, where the job's output is read.
    let mut full: Vec<CString> = ["/bin/sh", "-c", "exec \"$@\" 2>&1", "sh"]
        .iter()
        .map(|a| c_string(a))
        .collect();
    full.extend(argv.iter().map(|a| c_string(a)));
    let mut ptrs: Vec<*mut libc::c_char> = full.iter().map(|c| c.as_ptr() as *mut _).collect();
    let cwd = cwd.map(c_string);
    let slot: Handle = Rc::new(RefCell::new(Slot {
        job: std::ptr::null_mut(),
        done: Some(Box::new(done)),
        timer: None,
    }));
    let data = Box::into_raw(Box::new(slot.clone())) as *mut c_void;
    // SAFETY: job_run copies argv (cmd_copy_argv in the child, a string
    // for its log) and cwd before returning; data is owned by the job
    // from here and freed by `freed`, which job_free always calls.
    let job = unsafe {
        sys::job_run(
            std::ptr::null(),
            ptrs.len() as i32,
            ptrs.as_mut_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            cwd.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            None,
            Some(completed),
            Some(freed),
            data,
            0,
            0,
            0,
        )
    };
    if job.is_null() {
        // SAFETY: not taken by a job; ours again.
        drop(unsafe { Box::from_raw(data as *mut Handle) });
        let done = slot.borrow_mut().done.take();
        if let Some(done) = done {
            super::timer::after(0.0, move || done(JobEnd::NotStarted));
        }
        return;
    }
    slot.borrow_mut().job = job;
    let weak: Weak<RefCell<Slot>> = Rc::downgrade(&slot);
    let timer = Timer::start(timeout, move || timed_out(&weak));
    slot.borrow_mut().timer = timer;
}

fn timed_out(weak: &Weak<RefCell<Slot>>) {
    let Some(slot) = weak.upgrade() else { return };
    let (job, done, timer) = {
        let mut s = slot.borrow_mut();
        let job = std::mem::replace(&mut s.job, std::ptr::null_mut());
        (job, s.done.take(), s.timer.take())
    };
    if !job.is_null() {
        // SAFETY: a job that has not ended is still in job.c's list; job_free
        // kills it (SIGTERM), calls `freed` and frees it; job.c never calls
        // us for it again.
        unsafe { sys::job_free(job) };
    }
    drop(timer);
    if let Some(done) = done {
        done(JobEnd::TimedOut);
    }
}

/// The job's output so far, lossily as UTF-8, at most [`MAX_OUTPUT_BYTES`].
///
/// SAFETY: `job` is a live job.
unsafe fn output_of(job: *mut sys::job) -> String {
    // SAFETY: the job's bufferevent lives as long as the job.
    unsafe {
        let ev = sys::job_get_event(job);
        if ev.is_null() {
            return String::new();
        }
        let input = sys::bufferevent_get_input(ev);
        let len = sys::evbuffer_get_length(input).min(MAX_OUTPUT_BYTES);
        let data = sys::evbuffer_pullup(input, len as _);
        if data.is_null() || len == 0 {
            return String::new();
        }
        String::from_utf8_lossy(std::slice::from_raw_parts(data, len)).into_owned()
    }
}

unsafe extern "C" fn completed(job: *mut sys::job) {
    let _ = guard::catch("job", || {
        // SAFETY: job.c calls this with a live job whose data is our box.
        let (status, output, handle) = unsafe {
            let data = sys::job_get_data(job) as *const Handle;
            (sys::job_get_status(job), output_of(job), (*data).clone())
        };
        let (done, timer) = {
            let mut s = handle.borrow_mut();
            s.job = std::ptr::null_mut();
            (s.done.take(), s.timer.take())
        };
        drop(timer);
        let end = if libc::WIFEXITED(status) {
            JobEnd::Exited {
                status: libc::WEXITSTATUS(status),
                output,
            }
        } else {
            JobEnd::Signalled(libc::WTERMSIG(status))
        };
        if let Some(done) = done {
            done(end);
        }
    });
}

unsafe extern "C" fn freed(data: *mut c_void) {
    let _ = guard::catch("job", || {
        // SAFETY: data is the box `run` gave job_run; job.c frees it once.
        let handle = unsafe { Box::from_raw(data as *mut Handle) };
        if let Ok(mut s) = handle.try_borrow_mut() {
            s.job = std::ptr::null_mut();
        };
        drop(handle);
    });
}
