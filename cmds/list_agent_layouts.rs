//! `list-agent-layouts [-aJ] [-F format] [-f filter]` (alias `lsal`): managed
//! layouts with their template, aggregate state and pane counts by state;
//! `-a` includes removed layouts.

use serde_json::json;

use super::layout_util::{counts_text, layout_formats, layout_json};
use super::util::print_json;
use crate::server::state;
use crate::tmux::{CmdResult, CommandSpec, Flow, Item, Target, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agent-layouts",
    alias: Some(c"lsal"),
    args: c"aF:f:J",
    lower: 0,
    upper: 0,
    usage: c"[-aJ] [-F format] [-f filter]",
    target: Target::None,
    flags: READONLY,
    wraps_upstream: false,
    confirms: false,
    exec,
};

const DEFAULT_FORMAT: &str = "#{agent_layout_id}: session=#{agent_layout_session} template=#{agent_layout_template} group=#{agent_layout_group} state=#{agent_layout_state} panes=#{agent_layout_panes}";

fn exec(item: &mut Item) -> CmdResult {
    let template = item.value('F')?;
    let filter = item.value('f')?;
    let ids: Vec<u32> = state::layouts(|l| {
        l.layouts()
            .filter(|x| item.has('a') || l.is_live(x.id))
            .map(|x| x.id)
            .collect()
    });
    let mut docs = Vec::new();
    for id in ids {
        let line = state::layouts(|l| {
            let lay = l.layout(id)?;
            let mut ft = item.format();
            layout_formats(&mut ft, lay, l.state(id), l.current(id).count());
            if filter.is_some_and(|f| !ft.matches(f)) {
                return None;
            }
            Some(match template {
                Some(t) => ft.expand(t),
                None => format!("{} ({})", ft.expand(DEFAULT_FORMAT), counts_text(id)),
            })
        });
        let Some(line) = line else { continue };
        if item.has('J') {
            docs.push(layout_json(id));
        } else {
            item.print(&line);
        }
    }
    if item.has('J') {
        print_json(item, &json!({ "layouts": docs }));
    }
    Ok(Flow::Done)
}
