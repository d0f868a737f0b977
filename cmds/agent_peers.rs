//! `agent-peers [-J] [-t target-session] [-F format]` (alias `apeers`): the
//! session's coordination group as it sees it: its role, the other members,
//! when the group last changed and the shared context.

use agent_tmux::agent::SessionId;
use serde_json::json;

use super::list::List;
use super::util::{agent_json, context_json, plural, print_json, print_lines, put, target, when};
use crate::server::activity;
use crate::server::state;
use crate::tmux::{session, CmdResult, CommandSpec, Flow, Item, Target, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-peers",
    alias: Some(c"apeers"),
    args: c"F:Jt:",
    usage: c"[-J] [-t target-session] [-F format]",
    target: Target::Session,
    flags: READONLY,
    exec,
    ..CommandSpec::BASE
};

fn exec(item: &mut Item) -> CmdResult {
    let id = target(item)?;
    let group = state::with(|r| r.group_of_checked(id).map(|g| g.name().to_string()))?;
    let peers: Vec<SessionId> = state::with(|r| r.peers(id).collect());

    if item.has('J') {
        let doc = state::with(|r| {
            let g = r.group(&group).expect("group of a member exists");
            let mut doc = json!({
                "group": group,
                "session_id": id.to_string(),
                "session_name": session::name(id),
                "role": r.role(id).map(|x| x.to_string()),
                "coordinator": session::name(g.coordinator()),
                "coordinator_id": g.coordinator().to_string(),
                "last_change": g.last_change(),
                "version": g.version(),
                "peers": peers.iter().map(|p| agent_json(r, *p)).collect::<Vec<_>>(),
                "context": null,
            });
            put(&mut doc, "context", context_json(r, &group));
            doc
        });
        print_json(item, &doc);
        return Ok(Flow::Done);
    }
    let list = List::new(item)?;
    if list.template.is_some() {
        let rows = list.select(peers, |&p, ft| {
            ft.session(p);
            true
        });
        list.print_lines(&rows, |_| String::new());
        return Ok(Flow::Done);
    }
    let lines = state::with(|r| {
        let g = r.group(&group).expect("group of a member exists");
        let mut lines = vec![
            format!("Coordination Group: {group}"),
            format!(
                "Role: {}",
                r.role(id).map(|x| x.to_string()).unwrap_or_default()
            ),
        ];
        if peers.is_empty() {
            lines.push("Peers: None (only session in group)".to_string());
        } else {
            lines.push(format!("Peers: {}", plural(peers.len(), "session")));
            for p in &peers {
                let a = r.agent(*p);
                lines.push(format!(
                    "  - {} (type: {}, goal: {}, role: {}, status: {})",
                    session::display_name(*p),
                    a.map(|a| a.agent_type.as_str()).unwrap_or(""),
                    a.map(|a| a.goal.as_str()).unwrap_or(""),
                    r.role(*p).map(|x| x.to_string()).unwrap_or_default(),
                    activity::session_status(*p)
                        .map(|s| s.to_string())
                        .unwrap_or_default()
                ));
            }
        }
        lines.push(format!("Last Coordination: {}", when(g.last_change())));
        if g.context_len() == 0 {
            lines.push("Shared Context: Empty".to_string());
        } else {
            lines.push(format!(
                "Shared Context: {}, {} bytes",
                plural(g.context_len(), "key"),
                g.context_bytes()
            ));
            for (k, e) in g.context() {
                lines.push(format!("{k}={}", e.value.as_display()));
            }
        }
        lines
    });
    print_lines(item, &lines);
    Ok(Flow::Done)
}
