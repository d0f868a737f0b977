//! `list-agent-templates [-J] [-F format]`: built-in and user layout
//! templates, in name order.

use serde_json::json;

use agent_tmux::agent::layout::Template;

use super::list::List;
use crate::server::state;
use crate::tmux::{CmdResult, CommandSpec, Flow, Item, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agent-templates",
    args: c"F:J",
    usage: c"[-J] [-F format]",
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

const DEFAULT_FORMAT: &str = "#{template_name}: #{template_roles} (#{template_panes} pane#{?#{==:#{template_panes},1},,s}, layout #{?template_layout,#{template_layout},tiled}#{?template_builtin,#, built in,}#{?template_worktree,#, worktree per pane,})";

fn exec(item: &mut Item) -> CmdResult {
    let list = List::new(item)?;
    let templates = state::templates(|t| t.iter().cloned().collect::<Vec<_>>());
    let rows = list.select(templates, |t, ft| {
        let roles: Vec<String> = t
            .roles
            .iter()
            .map(|r| match &r.command {
                Some(c) => format!("{}:{}:{}", r.role, r.count, c),
                None => format!("{}:{}", r.role, r.count),
            })
            .collect();
        ft.add("template_name", &t.name)
            .add("template_layout", t.layout.as_deref().unwrap_or(""))
            .add("template_panes", &t.pane_count().to_string())
            .add("template_roles", &roles.join(" "))
            .add("template_builtin", if t.builtin { "1" } else { "0" })
            .add("template_worktree", if t.worktree { "1" } else { "0" });
        true
    });
    list.print("templates", &rows, template_json, |r| {
        r.ft.expand(DEFAULT_FORMAT)
    });
    Ok(Flow::Done)
}

fn template_json(t: &Template) -> serde_json::Value {
    json!({
        "name": t.name,
        "layout": t.layout,
        "builtin": t.builtin,
        "worktree": t.worktree,
        "panes": t.pane_count(),
        "roles": t.roles.iter().map(|r| json!({
            "role": r.role, "count": r.count, "command": r.command,
        })).collect::<Vec<_>>(),
        "labels": t.slots().iter().map(|s| s.label.clone()).collect::<Vec<_>>(),
    })
}
