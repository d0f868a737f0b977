//! `list-agents [-J] [-F format] [-f filter]` (alias `lsa`): every agent
//! session, one line each, in session id order.

use super::util::{agent_json, print_json};
use crate::server::state;
use crate::tmux::{CmdResult, CommandSpec, Flow, Item, Target, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agents",
    alias: Some(c"lsa"),
    args: c"F:f:J",
    lower: 0,
    upper: 0,
    usage: c"[-J] [-F format] [-f filter]",
    target: Target::None,
    flags: READONLY,
    wraps_upstream: false,
    confirms: false,
    exec,
};

/// The default line: a tmux format, so `-F` users can start from it.
pub const DEFAULT_FORMAT: &str = "#{session_name}: type=#{agent_type} group=#{?agent_group,#{agent_group},-} role=#{?agent_role,#{agent_role},-} peers=#{agent_peers} status=#{agent_status} goal=#{agent_goal}";

fn exec(item: &mut Item) -> CmdResult {
    let template = item.value('F')?.unwrap_or(DEFAULT_FORMAT);
    let filter = item.value('f')?;
    let ids: Vec<u32> = state::with(|r| r.agents().map(|(id, _)| id).collect());
    let mut docs = Vec::new();
    for id in ids {
        let mut ft = item.format();
        ft.session(id);
        if filter.is_some_and(|f| !ft.matches(f)) {
            continue;
        }
        if item.has('J') {
            docs.push(state::with(|r| agent_json(r, id)));
        } else {
            item.print(&ft.expand(template));
        }
    }
    if item.has('J') {
        print_json(item, &serde_json::json!({ "agents": docs }));
    }
    Ok(Flow::Done)
}
