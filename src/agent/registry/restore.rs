//! Putting saved agents and groups back ([`Registry::restore`]): the
//! inverse of [`crate::agent::saved::save`] under the new server's ids.

use crate::agent::context::{Context, Value};
use crate::agent::group::Group;
use crate::agent::inbox::{Inbox, Message};
use crate::agent::saved::{SavedAgent, SavedGroup};
use crate::agent::SessionId;

use super::{Agent, Registry};

/// What [`Registry::restore`] did with each saved agent and group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restored {
    /// Agents given their saved metadata and inbox.
    pub agents: Vec<SessionId>,
    /// Groups put back, with the members they got.
    pub groups: Vec<String>,
    /// Why something was left out, one line each.
    pub skipped: Vec<String>,
}

impl Registry {
    /// Puts `agents` back (each with the id its session has now) and then
    /// `groups`, whose members and context authors are found by name with
    /// `id_of`. An agent whose session is already an agent is left as it
    /// is; a group whose name is taken, or with no member to put back, is
    /// left out. Messages keep their numbers and inbox counters their
    /// values; groups keep their version, members their join order.
    pub fn restore(
        &mut self,
        agents: &[(SessionId, &SavedAgent)],
        groups: &[&SavedGroup],
        id_of: impl Fn(&str) -> Option<SessionId>,
    ) -> Restored {
        let mut out = Restored::default();
        for &(id, a) in agents {
            if self.agents.contains_key(&id) {
                out.skipped
                    .push(format!("session {} is already an agent", a.name));
                continue;
            }
            let mut inbox = Inbox::restored(a.last_seq, a.consumed, a.dropped);
            for m in &a.unread {
                let from = m
                    .from
                    .as_deref()
                    .and_then(&id_of)
                    .or(m.from_id.map(SessionId));
                let stamp = self.next_stamp;
                self.next_stamp += 1;
                inbox.restore_message(
                    Message {
                        seq: m.seq,
                        from,
                        from_name: m.from_name.clone(),
                        time: m.time,
                        text: m.text.clone(),
                    },
                    stamp,
                );
                self.by_age.insert(stamp, id);
                self.inbox_bytes += m.text.len();
            }
            self.agents.insert(
                id,
                Agent {
                    agent_type: a.agent_type.clone(),
                    goal: a.goal.clone(),
                    created: a.created,
                    group: None,
                    inbox,
                },
            );
            out.agents.push(id);
        }
        for g in groups {
            if self.groups.contains_key(&g.name) {
                out.skipped.push(format!("group {} exists", g.name));
                continue;
            }
            let members: Vec<SessionId> = g
                .members
                .iter()
                .filter_map(|n| id_of(n))
                .filter(|id| {
                    out.agents.contains(id)
                        && self.agents.get(id).is_some_and(|a| a.group.is_none())
                })
                .collect();
            if members.is_empty() {
                out.skipped
                    .push(format!("group {} has no member to restore", g.name));
                continue;
            }
            let mut context = Context::default();
            for e in &g.context {
                let value = if e.json {
                    Value::parse_json(&e.value)
                } else {
                    Value::text(&e.value)
                };
                let Ok(value) = value else {
                    out.skipped
                        .push(format!("group {} key {}: bad value", g.name, e.key));
                    continue;
                };
                let size = value.size();
                let author = e
                    .author
                    .as_deref()
                    .and_then(&id_of)
                    .unwrap_or(SessionId(e.author_id));
                if context.check_fit(&e.key, size).is_err() {
                    out.skipped
                        .push(format!("group {} key {}: too large", g.name, e.key));
                    continue;
                }
                context.insert(&e.key, value, size, author, e.time, e.version);
            }
            let group = Group::restored(
                &g.name,
                g.created,
                g.last_change,
                g.version,
                &members,
                context,
            );
            for m in &members {
                if let Some(a) = self.agents.get_mut(m) {
                    a.group = Some(g.name.clone());
                }
            }
            self.groups.insert(g.name.clone(), group);
            out.groups.push(g.name.clone());
        }
        out
    }
}
