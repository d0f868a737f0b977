//! The arguments of the command being executed: flags, their values and the
//! positional arguments, borrowed from tmux's parsed `args` for as long as
//! the [`Item`] lives. They are bytes: the commands read them as text with
//! the domain's UTF-8 check, so every argument is refused alike.

use std::ffi::CStr;

use super::item::Item;
use super::sys;

impl Item {
    fn args(&self) -> *mut sys::args {
        // SAFETY: cmd is live for the duration of exec.
        unsafe { sys::cmd_get_args(self.cmd) }
    }

    /// Is the boolean flag `-c` present?
    pub fn has(&self, flag: char) -> bool {
        // SAFETY: args is live.
        unsafe { sys::args_has(self.args(), flag as u8) != 0 }
    }

    /// The raw bytes of flag `-c`'s value, if given.
    pub fn value_bytes(&self, flag: char) -> Option<&[u8]> {
        // SAFETY: args is live; the string lives as long as the command.
        let p = unsafe { sys::args_get(self.args(), flag as u8) };
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes())
    }

    /// Number of positional arguments.
    pub fn count(&self) -> usize {
        // SAFETY: args is live.
        unsafe { sys::args_count(self.args()) as usize }
    }

    /// Raw bytes of positional argument `i`.
    pub fn arg_bytes(&self, i: usize) -> Option<&[u8]> {
        if i >= self.count() {
            return None;
        }
        // SAFETY: i < count.
        let p = unsafe { sys::args_string(self.args(), i as u32) };
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes())
    }

    /// Every value of a repeatable flag (`-e a -e b`), in order.
    pub fn values_bytes(&self, flag: char) -> Vec<&[u8]> {
        let mut out = Vec::new();
        // SAFETY: args is live; its value list is only read.
        let mut v = unsafe { sys::args_first_value(self.args(), flag as u8) };
        while !v.is_null() {
            // SAFETY: v is a live entry of the list; its string lives with
            // the command.
            unsafe {
                if (*v).type_ == sys::args_type_ARGS_STRING {
                    let p = (*v).__bindgen_anon_1.string;
                    if !p.is_null() {
                        out.push(CStr::from_ptr(p).to_bytes());
                    }
                }
                v = sys::args_next_value(v);
            }
        }
        out
    }
}
