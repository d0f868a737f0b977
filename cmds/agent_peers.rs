//! `agent-peers [-J] [-t target-session] [-F format]` (alias `apeers`): the
//! session's coordination group as it sees it: its role, the other members,
//! when the group last changed and the shared context.

use agent_tmux::agent::AgentError;
use serde_json::json;

use super::util::{
    agent_json, context_json, fail_group, plural, print_json, print_lines, sid, target, when,
};
use crate::server::activity;
use crate::server::state;
use crate::tmux::{session, CmdResult, CommandSpec, Flow, Item, Target, READONLY};

pub static ENTRY: CommandSpec = CommandSpec {
    name: c"agent-peers",
    alias: Some(c"apeers"),
    args: c"F:Jt:",
    lower: 0,
    upper: 0,
    usage: c"[-J] [-t target-session] [-F format]",
    target: Target::Session,
    flags: READONLY,
    wraps_upstream: false,
    confirms: false,
    exec,
};

fn exec(item: &mut Item) -> CmdResult {
    let id = target(item)?;
    let group = state::with(|r| {
        r.agent(id).ok_or(AgentError::NoMetadata(id))?;
        r.group_of(id)
            .map(|g| g.name().to_string())
            .ok_or(AgentError::NotInGroup(id))
    })
    .map_err(fail_group)?;
    let peers: Vec<u32> = state::with(|r| r.peers(id).collect());

    if item.has('J') {
        let doc = state::with(|r| {
            let g = r.group(&group).expect("group of a member exists");
            json!({
                "group": group,
                "session_id": sid(id),
                "session_name": session::name(id),
                "role": r.role(id).map(|x| x.to_string()),
                "coordinator": session::name(g.coordinator()),
                "coordinator_id": sid(g.coordinator()),
                "last_change": g.last_change(),
                "version": g.version(),
                "peers": peers.iter().map(|p| agent_json(r, *p)).collect::<Vec<_>>(),
                "context": context_json(r, &group),
            })
        });
        print_json(item, &doc);
        return Ok(Flow::Done);
    }
    if let Some(template) = item.value('F')? {
        for p in peers {
            let mut ft = item.format();
            ft.session(p);
            item.print(&ft.expand(template));
        }
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
