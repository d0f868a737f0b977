//! The agent commands, one file per command like tmux's own `cmd-*.c`: each
//! file starts with its entry (name, alias, flags, usage) and has a short
//! exec that maps arguments to one domain call and prints the outcome.

use crate::tmux::CommandSpec;

mod agent_get;
mod agent_join_group;
mod agent_leave_group;
mod agent_peers;
mod agent_share;
mod list_agent_groups;
mod list_agents;
mod new_session;
mod set_agent;
mod show_agent;
mod util;

/// Every command agent-tmux adds to (or wraps in) tmux's command table.
pub static ALL: &[&CommandSpec] = &[
    &new_session::ENTRY,
    &set_agent::ENTRY,
    &show_agent::ENTRY,
    &list_agents::ENTRY,
    &agent_join_group::ENTRY,
    &agent_leave_group::ENTRY,
    &agent_share::ENTRY,
    &agent_get::ENTRY,
    &agent_peers::ENTRY,
    &list_agent_groups::ENTRY,
];
