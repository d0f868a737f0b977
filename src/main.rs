//! agent-tmux: upstream tmux 3.5a with agent commands built into the server.
//!
//! `main` registers the Rust commands in tmux's command table and hands argv
//! to upstream tmux's main (renamed `tmux_main` by build.rs). The server is
//! forked from this process and inherits the filled table.

#![cfg_attr(not(test), no_main)]
// The unit-test build of the binary has no `main`, so nothing is reachable.
#![cfg_attr(test, allow(dead_code, unused_imports))]

mod activity;
mod events;
mod formats;
mod sys;
mod tmux;
mod typing;

#[path = "../cmds/mod.rs"]
mod cmds;

use std::ffi::{c_char, c_int};

extern "C" {
    fn tmux_main(argc: c_int, argv: *mut *mut c_char) -> c_int;
}

/// The process entry point, as C's: no Rust runtime set-up differs from
/// upstream (closed standard descriptors stay closed, SIGPIPE is untouched).
#[cfg(not(test))]
#[no_mangle]
#[allow(clippy::not_unsafe_ptr_arg_deref)] // argv goes to C untouched
pub extern "C" fn main(argc: c_int, argv: *mut *mut c_char) -> c_int {
    tmux::guard::install_panic_hook();
    if let Err(e) = tmux::guard::catch("start-up", || tmux::table::register(cmds::ALL)) {
        eprintln!("agent-tmux: {e}");
        return 1;
    }
    // SAFETY: argc/argv are the process's own, passed through unchanged.
    unsafe { tmux_main(argc, argv) }
}
