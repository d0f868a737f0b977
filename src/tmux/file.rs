//! What a command reads from its client: the client's stdin through tmux's
//! client file API (the way `load-buffer -` reads it: the client process
//! reads and sends it over the socket, the server never blocks), the
//! client's environment and working directory.

use std::ffi::{c_char, c_int, c_void, CStr};

use super::error::{CmdError, CmdResult};
use super::guard;
use super::held::{self, Resume};
use super::item::{Flow, Item};
use super::sys;

/// What the exec does with the bytes once they are all read (or reading
/// failed): `Ok(text)` is printed (nothing when empty), `Err` is the
/// command's error.
type Done = Box<dyn FnOnce(Result<Vec<u8>, String>) -> Result<String, String>>;

struct Reading {
    held: u64,
    limit: usize,
    too_big: bool,
    done: Done,
}

unsafe extern "C" fn read_cb(
    _c: *mut sys::client,
    _path: *const c_char,
    error: c_int,
    closed: c_int,
    buffer: *mut sys::evbuffer,
    data: *mut c_void,
) {
    let r = data as *mut Reading;
    if closed == 0 {
        // More arrived: drop it all once past the limit, so a client that
        // sends without end costs no memory.
        // SAFETY: data is the Reading leaked by read_stdin, freed only when
        // closed; buffer is the file's live buffer.
        unsafe {
            let len = sys::evbuffer_get_length(buffer);
            if len > (*r).limit {
                (*r).too_big = true;
                sys::evbuffer_drain(buffer, len);
            }
        }
        return;
    }
    // SAFETY: the last call for this file (closed): take the Reading back.
    let r = unsafe { Box::from_raw(r) };
    let got = if r.too_big {
        Err(format!("stdin is longer than {} bytes", r.limit))
    } else if error != 0 {
        // SAFETY: strerror returns a valid static string.
        let why = unsafe { CStr::from_ptr(libc::strerror(error)) };
        Err(format!(
            "can't read stdin: {}",
            why.to_string_lossy().to_lowercase()
        ))
    } else {
        // SAFETY: the buffer is live during the callback; pullup(-1) makes
        // it contiguous and returns its start (NULL when empty).
        unsafe {
            let len = sys::evbuffer_get_length(buffer);
            if len > r.limit {
                Err(format!("stdin is longer than {} bytes", r.limit))
            } else if len == 0 {
                Ok(Vec::new())
            } else {
                let p = sys::evbuffer_pullup(buffer, -1);
                Ok(std::slice::from_raw_parts(p, len).to_vec())
            }
        }
    };
    let held = r.held;
    let done = r.done;
    let outcome = guard::catch("read stdin", move || done(got));
    match outcome {
        Ok(Ok(text)) if text.is_empty() => held::resume(held, Resume::Silent),
        Ok(Ok(text)) => held::resume(held, Resume::Print(&text)),
        Ok(Err(e)) | Err(e) => held::resume(held, Resume::Error(&e)),
    };
}

impl Item {
    /// Read the client's stdin to its end (at most `limit` bytes), then call
    /// `done` with it from the event loop; the command completes with what
    /// `done` returns. The command waits meanwhile (its entry needs
    /// [`super::WAITS`]); a client without a stdin of its own (attached,
    /// control mode, none) gets an error.
    pub fn read_stdin(
        &self,
        limit: usize,
        done: impl FnOnce(Result<Vec<u8>, String>) -> Result<String, String> + 'static,
    ) -> CmdResult {
        // SAFETY: the client, if any, is live during the command.
        let c = unsafe { sys::cmdq_get_client(self.item) };
        let usable = !c.is_null()
            // SAFETY: as above.
            && unsafe { (*c).flags }
                & (sys::CLIENT_ATTACHED | sys::CLIENT_CONTROL | sys::CLIENT_DEAD) as u64
                == 0;
        if !usable {
            return Err(CmdError::Failed(
                "can't read stdin: no command client (run it as a tmux command)".to_string(),
            ));
        }
        let held = held::hold(self);
        let reading = Box::new(Reading {
            held,
            limit,
            too_big: false,
            done: Box::new(done),
        });
        let data = Box::into_raw(reading) as *mut c_void;
        // SAFETY: file_read calls read_cb later from the event loop (also
        // when it fails at once), the last time with closed set, which frees
        // data; the returned file is owned by tmux.
        unsafe { sys::file_read(c, c"-".as_ptr(), Some(read_cb), data) };
        Ok(Flow::Wait)
    }

    /// A variable of the client's environment (as the client was started).
    pub fn client_env(&self, name: &str) -> Option<String> {
        let name = self.as_c(name);
        // SAFETY: the client and its environment are live during the
        // command; the value is copied at once.
        unsafe {
            let c = sys::cmdq_get_client(self.item);
            if c.is_null() || (*c).environ.is_null() {
                return None;
            }
            let e = sys::environ_find((*c).environ, name.as_ptr());
            if e.is_null() || (*e).value.is_null() {
                return None;
            }
            Some(CStr::from_ptr((*e).value).to_string_lossy().into_owned())
        }
    }
}
