//! The agent commands, one file per command like tmux's own `cmd-*.c`: each
//! file starts with its entry (name, alias, flags, usage) and has a short
//! exec that maps arguments to one domain call and prints the outcome.

use crate::tmux::CommandSpec;

mod show_agent;

/// Every command agent-tmux adds to (or wraps in) tmux's command table.
pub static ALL: &[&CommandSpec] = &[&show_agent::ENTRY];
