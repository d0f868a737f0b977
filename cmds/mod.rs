//! The agent commands, one file per command like tmux's own `cmd-*.c`: each
//! file starts with its entry (name, alias, flags, usage; what it does not
//! say is [`CommandSpec::BASE`]'s) and has a short
//! exec that maps arguments to one domain call and prints the outcome.

use crate::tmux::CommandSpec;

mod agent_get;
mod agent_hooks;
mod agent_inbox;
mod agent_join_group;
mod agent_leave_group;
mod agent_pane_recreate;
mod agent_pane_remove;
mod agent_peers;
mod agent_prompt;
mod agent_report;
mod agent_restore;
mod agent_send;
mod agent_share;
mod agent_wait;
mod define_agent_profile;
mod define_agent_template;
mod kill_agent_layout;
mod layout_util;
mod list;
mod list_agent_groups;
mod list_agent_layouts;
mod list_agent_panes;
mod list_agent_profiles;
mod list_agent_prompts;
mod list_agent_templates;
mod list_agents;
mod new_agent_layout;
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
    &define_agent_template::ENTRY,
    &list_agent_templates::ENTRY,
    &new_agent_layout::ENTRY,
    &list_agent_layouts::ENTRY,
    &list_agent_panes::ENTRY,
    &agent_pane_remove::ENTRY,
    &agent_pane_recreate::ENTRY,
    &kill_agent_layout::ENTRY,
    &agent_wait::ENTRY,
    &agent_send::ENTRY,
    &agent_inbox::ENTRY,
    &agent_prompt::ENTRY,
    &list_agent_prompts::ENTRY,
    &agent_report::ENTRY,
    &agent_hooks::ENTRY,
    &define_agent_profile::ENTRY,
    &list_agent_profiles::ENTRY,
    &agent_restore::ENTRY,
];
