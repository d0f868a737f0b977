//! `list-agent-groups [-J] [-F format] [-f filter]` (alias `lsag`): every
//! coordination group, in name order, with its members, coordinator and the
//! size of its shared context.

use serde_json::{json, Value as Json};

use super::list::List;
use super::util::{context_json, plural, put};
use crate::server::state;
use crate::tmux::format::Format;
use crate::tmux::{session, CmdResult, CommandSpec, Flow, Item, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"list-agent-groups",
    alias: Some(c"lsag"),
    args: c"F:f:J",
    usage: c"[-J] [-F format] [-f filter]",
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

/// A group as JSON (`null` if it is gone).
fn group_json(name: &str) -> Json {
    state::with(|r| {
        let Some(g) = r.group(name) else {
            return Json::Null;
        };
        let mut doc = json!({
            "name": g.name(),
            "members": g.members().map(|m| json!({
                "session_id": m.to_string(),
                "session_name": session::name(m),
                "agent_type": r.agent(m).map(|a| a.agent_type.clone()),
                "role": r.role(m).map(|x| x.to_string()),
            })).collect::<Vec<_>>(),
            "coordinator": session::name(g.coordinator()),
            "coordinator_id": g.coordinator().to_string(),
            "context_keys": g.context_len(),
            "context_bytes": g.context_bytes(),
            "version": g.version(),
            "created": g.created(),
            "last_change": g.last_change(),
            "context": null,
        });
        put(&mut doc, "context", context_json(r, g.name()));
        doc
    })
}

/// The formats each group line knows (besides every global one).
fn group_formats(ft: &mut Format<'_>, name: &str) {
    state::with(|r| {
        let Some(g) = r.group(name) else { return };
        ft.add("group_name", g.name())
            .add("group_members", &g.len().to_string())
            .add("group_coordinator", &session::display_name(g.coordinator()))
            .add("group_coordinator_id", &g.coordinator().to_string())
            .add("group_context_keys", &g.context_len().to_string())
            .add("group_context_bytes", &g.context_bytes().to_string())
            .add("group_version", &g.version().to_string())
            .add("group_created", &g.created().to_string())
            .add("group_last_change", &g.last_change().to_string());
    });
}

fn exec(item: &mut Item) -> CmdResult {
    let list = List::new(item)?;
    let names: Vec<String> = state::with(|r| r.groups().map(|g| g.name().to_string()).collect());
    let rows = list.select(names, |name, ft| {
        group_formats(ft, name);
        true
    });
    if list.json || list.template.is_some() {
        // -F is given, so no row needs a default line.
        list.print("groups", &rows, |n| group_json(n), |_| String::new());
        return Ok(Flow::Done);
    }
    let selected: Vec<&String> = rows.iter().map(|r| &r.row).collect();
    let lines = state::with(|r| {
        let mut lines = vec![format!("Agent Coordination Groups: {}", selected.len())];
        for g in selected.iter().filter_map(|n| r.group(n)) {
            lines.push(String::new());
            lines.push(format!("Group: {}", g.name()));
            lines.push(format!("  Members: {}", g.len()));
            lines.push(format!(
                "  Coordinator: {}",
                session::display_name(g.coordinator())
            ));
            for m in g.members() {
                lines.push(format!(
                    "    - {} [{}]{}",
                    session::display_name(m),
                    r.agent(m).map(|a| a.agent_type.as_str()).unwrap_or(""),
                    if g.is_coordinator(m) {
                        " (coordinator)"
                    } else {
                        ""
                    }
                ));
            }
            lines.push(format!(
                "  Shared Context: {}, {} bytes",
                plural(g.context_len(), "key"),
                g.context_bytes()
            ));
        }
        lines
    });
    for l in lines {
        item.print(&l);
    }
    Ok(Flow::Done)
}
