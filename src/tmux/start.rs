//! The process entry point. The C `main` symbol lives here (the only place
//! allowed to define one) and hands over to the binary's safe `main`, which
//! calls [`run`] with the commands and the handler table; [`run`] does the
//! start-up and calls upstream tmux's main (renamed `tmux_main` by build.rs).
//! The server is forked from this process and inherits what was set up.

use std::ffi::{c_char, c_int};
use std::sync::OnceLock;

use super::guard;
use super::handlers::{self, Handlers};
use super::table::{self, CommandSpec};

extern "C" {
    fn tmux_main(argc: c_int, argv: *mut *mut c_char) -> c_int;
}

/// The process's own argc and argv (the pointer as an address).
static ARGS: OnceLock<(c_int, usize)> = OnceLock::new();

/// The process entry point, as C's: no Rust runtime set-up differs from
/// upstream (closed standard descriptors stay closed, SIGPIPE is untouched).
#[cfg(not(test))]
#[no_mangle]
extern "C" fn main(argc: c_int, argv: *mut *mut c_char) -> c_int {
    let _ = ARGS.set((argc, argv as usize));
    crate::main()
}

/// Start agent-tmux: route panics to the server log, install the handler
/// table, register `commands` in tmux's command table and run upstream
/// tmux's main with the process's arguments. Returns the exit status.
pub fn run(commands: &'static [&'static CommandSpec], handlers: &'static Handlers) -> i32 {
    guard::install_panic_hook();
    let started = guard::catch("start-up", || {
        handlers::install(handlers)?;
        table::register(commands);
        Ok(())
    })
    .and_then(|r: Result<(), &str>| r.map_err(str::to_string));
    if let Err(e) = started {
        eprintln!("agent-tmux: {e}");
        return 1;
    }
    let Some(&(argc, argv)) = ARGS.get() else {
        eprintln!("agent-tmux: started without arguments");
        return 1;
    };
    // SAFETY: argc/argv are the process's own, passed through unchanged.
    unsafe { tmux_main(argc, argv as *mut *mut c_char) }
}
