//! `list-agent-layouts [-aJ] [-F format] [-f filter]` (alias `lsal`): managed
//! layouts with their template, aggregate state and pane counts by state;
//! `-a` includes removed layouts.

use agent_tmux::agent::layout::LayoutId;

use super::layout_util::{counts_text, layout_formats, layout_json};
use super::list::List;
use crate::server::state;
use crate::tmux::{CmdResult, CommandSpec, Flow, Item, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agent-layouts",
    alias: Some(c"lsal"),
    args: c"aF:f:J",
    usage: c"[-aJ] [-F format] [-f filter]",
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

const DEFAULT_FORMAT: &str = "#{agent_layout_id}: session=#{agent_layout_session} template=#{agent_layout_template} group=#{agent_layout_group} state=#{agent_layout_state} panes=#{agent_layout_panes}";

fn exec(item: &mut Item) -> CmdResult {
    let list = List::new(item)?;
    let ids: Vec<LayoutId> = state::layouts(|l| {
        l.layouts()
            .filter(|x| item.has('a') || l.is_live(x.id))
            .map(|x| x.id)
            .collect()
    });
    let rows = list.select(ids, |&id, ft| {
        state::layouts(|l| {
            let Some(lay) = l.layout(id) else {
                return false;
            };
            layout_formats(ft, lay, l.state(id), l.current(id).count());
            true
        })
    });
    list.print(
        "layouts",
        &rows,
        |&id| layout_json(id),
        |r| format!("{} ({})", r.ft.expand(DEFAULT_FORMAT), counts_text(r.row)),
    );
    Ok(Flow::Done)
}
