//! `list-agent-templates [-J] [-F format]`: built-in and user layout
//! templates, in name order.

use serde_json::json;

use super::util::print_json;
use crate::server::state;
use crate::tmux::{CmdResult, CommandSpec, Flow, Item, Target, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agent-templates",
    alias: None,
    args: c"F:J",
    lower: 0,
    upper: 0,
    usage: c"[-J] [-F format]",
    target: Target::None,
    flags: READONLY,
    wraps_upstream: false,
    confirms: false,
    exec,
};

const DEFAULT_FORMAT: &str = "#{template_name}: #{template_roles} (#{template_panes} pane#{?#{==:#{template_panes},1},,s}, layout #{?template_layout,#{template_layout},tiled}#{?template_builtin,#, built in,})";

fn exec(item: &mut Item) -> CmdResult {
    let templates = state::templates(|t| t.iter().cloned().collect::<Vec<_>>());
    if item.has('J') {
        let docs: Vec<_> = templates
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "layout": t.layout,
                    "builtin": t.builtin,
                    "panes": t.pane_count(),
                    "roles": t.roles.iter().map(|r| json!({
                        "role": r.role, "count": r.count, "command": r.command,
                    })).collect::<Vec<_>>(),
                    "labels": t.slots().iter().map(|s| s.label.clone()).collect::<Vec<_>>(),
                })
            })
            .collect();
        print_json(item, &json!({ "templates": docs }));
        return Ok(Flow::Done);
    }
    let template = item.value('F')?.unwrap_or(DEFAULT_FORMAT);
    for t in &templates {
        let roles: Vec<String> = t
            .roles
            .iter()
            .map(|r| match &r.command {
                Some(c) => format!("{}:{}:{}", r.role, r.count, c),
                None => format!("{}:{}", r.role, r.count),
            })
            .collect();
        let mut ft = item.format();
        ft.add("template_name", &t.name)
            .add("template_layout", t.layout.as_deref().unwrap_or(""))
            .add("template_panes", &t.pane_count().to_string())
            .add("template_roles", &roles.join(" "))
            .add("template_builtin", if t.builtin { "1" } else { "0" });
        item.print(&ft.expand(template));
    }
    Ok(Flow::Done)
}
