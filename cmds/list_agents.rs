//! `list-agents [-J] [-F format] [-f filter]` (alias `lsa`): every agent
//! session, one line each, in session id order.

use agent_tmux::agent::SessionId;

use super::list::List;
use super::util::agent_json;
use crate::server::state;
use crate::tmux::{CmdResult, CommandSpec, Flow, Item, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agents",
    alias: Some(c"lsa"),
    args: c"F:f:J",
    usage: c"[-J] [-F format] [-f filter]",
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

/// The default line: a tmux format, so `-F` users can start from it.
pub const DEFAULT_FORMAT: &str = "#{session_name}: type=#{agent_type} group=#{?agent_group,#{agent_group},-} role=#{?agent_role,#{agent_role},-} peers=#{agent_peers} status=#{agent_status} goal=#{agent_goal}";

fn exec(item: &mut Item) -> CmdResult {
    let list = List::new(item)?;
    let ids: Vec<SessionId> = state::with(|r| r.agents().map(|(id, _)| id).collect());
    let rows = list.select(ids, |&id, ft| {
        ft.session(id);
        true
    });
    list.print(
        "agents",
        &rows,
        |&id| state::with(|r| agent_json(r, id)),
        |r| r.ft.expand(DEFAULT_FORMAT),
    );
    Ok(Flow::Done)
}
