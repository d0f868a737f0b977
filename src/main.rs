//! agent-tmux: upstream tmux 3.5a with agent commands built into the server.
//!
//! The layers, and the one way their dependencies run:
//! `cmds` (one file per command) → `server` (the stateful, safe layer) →
//! {`agent_tmux::agent` (the domain), `tmux` (the facade, the only
//! module that touches C)}. `tmux` reaches `server` only through the
//! handler table installed at start-up. `scripts/check-layers.sh` checks it.

#![cfg_attr(not(test), no_main)]
#![deny(unsafe_code)]
// The unit-test build of the binary has no `main`, so nothing is reachable.
#![cfg_attr(test, allow(dead_code, unused_imports))]

mod server;
#[allow(unsafe_code)]
mod tmux;

#[path = "../cmds/mod.rs"]
mod cmds;

/// Called by the C `main` (in `tmux`) with nothing to set up before it:
/// register the agent commands and the server's handlers, then run tmux.
fn main() -> i32 {
    tmux::run(cmds::ALL, &server::HANDLERS)
}
