//! `list-agent-panes [-aJ] [-t target] [-F format]` (alias `lsap`): the
//! managed panes of one layout (`-t`) or of every live layout; `-a` includes
//! removed panes (and removed layouts when no `-t` is given).

use serde_json::json;

use super::layout_util::{pane_formats, pane_json, resolve_layout};
use super::util::{print_json, text};
use crate::server::state;
use crate::tmux::{CmdResult, CommandSpec, Flow, Item, Target, READONLY};
use agent_tmux::agent::layout::PaneState;

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agent-panes",
    alias: Some(c"lsap"),
    args: c"aF:Jt:",
    lower: 0,
    upper: 0,
    usage: c"[-aJ] [-t target] [-F format]",
    target: Target::None,
    flags: READONLY,
    wraps_upstream: false,
    confirms: false,
    exec,
};

const DEFAULT_FORMAT: &str = "#{agent_pane_id}: layout=#{agent_pane_layout} pane=#{?agent_pane_tmux_id,#{agent_pane_tmux_id},-} label=#{agent_pane_label} role=#{agent_pane_role} state=#{agent_pane_state}#{?agent_pane_stage, stage=#{agent_pane_stage},}#{?#{!=:#{agent_pane_exit_status},}, exit=#{agent_pane_exit_status},}#{?agent_pane_predecessor, predecessor=#{agent_pane_predecessor},} depth=#{agent_pane_depth}";

fn exec(item: &mut Item) -> CmdResult {
    let all = item.has('a');
    let layouts: Vec<u32> = match text(item.value_bytes('t'))? {
        Some(t) => vec![resolve_layout(item, Some(t))?],
        None => state::layouts(|l| {
            l.layouts()
                .filter(|x| all || l.is_live(x.id))
                .map(|x| x.id)
                .collect()
        }),
    };
    let template = item.value('F')?.unwrap_or(DEFAULT_FORMAT);
    let mut docs = Vec::new();
    for id in layouts {
        let panes: Vec<u32> = state::layouts(|l| {
            l.panes(id)
                .filter(|p| all || p.state != PaneState::Removed)
                .map(|p| p.id)
                .collect()
        });
        for m in panes {
            if item.has('J') {
                docs.extend(state::layouts(|l| l.pane(m).map(pane_json)));
                continue;
            }
            let line = state::layouts(|l| {
                let p = l.pane(m)?;
                let mut ft = item.format();
                pane_formats(&mut ft, p);
                Some(ft.expand(template))
            });
            if let Some(line) = line {
                item.print(&line);
            }
        }
    }
    if item.has('J') {
        print_json(item, &json!({ "panes": docs }));
    }
    Ok(Flow::Done)
}
