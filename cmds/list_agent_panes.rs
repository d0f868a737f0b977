//! `list-agent-panes [-aJ] [-t target] [-F format]` (alias `lsap`): the
//! managed panes of one layout (`-t`) or of every live layout; `-a` includes
//! removed panes (and removed layouts when no `-t` is given).

use super::layout_util::{pane_formats, pane_json, resolve_layout};
use super::list::List;
use super::util::text;
use crate::server::state;
use crate::tmux::{CmdResult, CommandSpec, Flow, Item, READONLY};
use agent_tmux::agent::layout::{LayoutId, ManagedId, PaneState};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agent-panes",
    alias: Some(c"lsap"),
    args: c"aF:Jt:",
    usage: c"[-aJ] [-t target] [-F format]",
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

const DEFAULT_FORMAT: &str = "#{agent_pane_id}: layout=#{agent_pane_layout} pane=#{?agent_pane_tmux_id,#{agent_pane_tmux_id},-} label=#{agent_pane_label} role=#{agent_pane_role} state=#{agent_pane_state}#{?agent_pane_stage, stage=#{agent_pane_stage},}#{?#{!=:#{agent_pane_exit_status},}, exit=#{agent_pane_exit_status},}#{?agent_pane_predecessor, predecessor=#{agent_pane_predecessor},} depth=#{agent_pane_depth}#{?agent_state, agent=#{agent_state}:#{agent_state_reason},}";

fn exec(item: &mut Item) -> CmdResult {
    let all = item.has('a');
    let layouts: Vec<LayoutId> = match text(item.value_bytes('t'))? {
        Some(t) => vec![resolve_layout(item, Some(t))?],
        None => state::layouts(|l| {
            l.layouts()
                .filter(|x| all || l.is_live(x.id))
                .map(|x| x.id)
                .collect()
        }),
    };
    let list = List::new(item)?;
    let panes: Vec<ManagedId> = state::layouts(|l| {
        layouts
            .iter()
            .flat_map(|&id| l.panes(id))
            .filter(|p| all || p.state != PaneState::Removed)
            .map(|p| p.id)
            .collect()
    });
    let rows = list.select(panes, |&m, ft| {
        state::layouts(|l| l.pane(m).map(|p| pane_formats(ft, p)).is_some())
    });
    list.print(
        "panes",
        &rows,
        |&m| state::layouts(|l| l.pane(m).map(pane_json)).unwrap_or_default(),
        |r| r.ft.expand(DEFAULT_FORMAT),
    );
    Ok(Flow::Done)
}
