//! The registry: every agent session and every coordination group of one
//! server, and the operations on them.
//!
//! This is the one state object of the domain. Each operation checks all its
//! inputs and preconditions before it changes anything, so it either
//! succeeds completely, returning an outcome with the events it caused, or
//! returns an error and leaves the registry as it was. Lookups are by id or
//! by name in ordered maps: no operation scans all agents or all groups.
//!
//! The operations are split by job, each in its own file with its
//! outcome types: `agents` (making and removing agents), `groups`
//! (joining and leaving), `context_ops` (the shared context of a group)
//! and `inbox_ops` (sending and reading messages). This file holds the
//! state itself and the lookups.

use std::collections::BTreeMap;
use std::fmt;

use super::error::AgentError;
use super::group::Group;
use super::inbox::Inbox;
use super::validate;
use super::SessionId;

mod agents;
mod context_ops;
mod groups;
mod inbox_ops;
mod restore;
#[cfg(test)]
mod testing;
mod tracked;

pub use agents::{SetAgentOutcome, DEFAULT_AGENT_TYPE};
pub use context_ops::{ShareOutcome, UnshareOutcome};
pub use groups::{JoinOutcome, LeaveOutcome};
pub use inbox_ops::{Delivery, SendOutcome, SendTo};
pub use restore::Restored;
pub use tracked::Touched;
use tracked::Tracked;

/// What the registry knows about an agent session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// What kind of agent runs in the session (`[A-Za-z0-9_.-]{1,32}`).
    pub agent_type: String,
    /// What the agent is working on; may be empty.
    pub goal: String,
    /// When the session became an agent (unix seconds).
    pub created: i64,
    /// The group the session is in, if any.
    pub group: Option<String>,
    /// Its unread messages.
    pub inbox: Inbox,
}

impl Agent {
    /// A copy with its inbox's messages numbered above `seq` only (and all
    /// its counters): what a copy kept elsewhere, up to date until `seq`,
    /// needs to catch up ([`Inbox::catch_up`]).
    pub fn newer_than(&self, seq: u64) -> Agent {
        Agent {
            agent_type: self.agent_type.clone(),
            goal: self.goal.clone(),
            created: self.created,
            group: self.group.clone(),
            inbox: self.inbox.newer_than(seq),
        }
    }

    fn new(agent_type: &str, goal: &str, now: i64) -> Agent {
        Agent {
            agent_type: agent_type.to_owned(),
            goal: goal.to_owned(),
            created: now,
            group: None,
            inbox: Inbox::default(),
        }
    }
}

/// A member's role in its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The longest-standing member.
    Coordinator,
    /// Any other member.
    Member,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Coordinator => "Coordinator",
            Role::Member => "Member",
        })
    }
}

/// What changed in a registry since it was last asked
/// ([`Registry::take_changes`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub agents: Touched<SessionId>,
    pub groups: Touched<String>,
}

impl Changes {
    /// Nothing changed?
    pub fn is_empty(&self) -> bool {
        self.agents.is_empty() && self.groups.is_empty()
    }

    /// Adds what `other` found.
    pub fn extend(&mut self, other: Changes) {
        self.agents.extend(other.agents);
        self.groups.extend(other.groups);
    }
}

/// All agents and groups of one server.
#[derive(Debug, Clone, PartialEq)]
pub struct Registry {
    /// Agents and groups remember what changed, for [`Registry::take_changes`].
    agents: Tracked<SessionId, Agent>,
    groups: Tracked<String, Group>,
    /// Every unread message of every inbox by its server-wide stamp (the
    /// oldest first), and the inbox it is in.
    by_age: BTreeMap<u64, SessionId>,
    /// The next stamp to give.
    next_stamp: u64,
    /// Bytes of unread text over all inboxes.
    inbox_bytes: usize,
    /// The most bytes of unread text all inboxes may hold together.
    inbox_total_limit: usize,
}

impl Default for Registry {
    fn default() -> Registry {
        Registry {
            agents: Tracked::default(),
            groups: Tracked::default(),
            by_age: BTreeMap::new(),
            next_stamp: 0,
            inbox_bytes: 0,
            inbox_total_limit: super::inbox::DEFAULT_INBOX_TOTAL_BYTES,
        }
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The agent metadata of `id`.
    pub fn agent(&self, id: SessionId) -> Option<&Agent> {
        self.agents.get(&id)
    }

    /// The role of `id` in its group; `None` when it is in none.
    pub fn role(&self, id: SessionId) -> Option<Role> {
        self.group_of(id).map(|g| {
            if g.is_coordinator(id) {
                Role::Coordinator
            } else {
                Role::Member
            }
        })
    }

    /// How many other members `id`'s group has; 0 when it is in none.
    pub fn peer_count(&self, id: SessionId) -> usize {
        self.group_of(id).map_or(0, |g| g.len().saturating_sub(1))
    }

    /// The other members of `id`'s group, in join order; none when it is in
    /// no group.
    pub fn peers(&self, id: SessionId) -> impl Iterator<Item = SessionId> + '_ {
        self.group_of(id)
            .into_iter()
            .flat_map(|g| g.members())
            .filter(move |&m| m != id)
    }

    /// The group `id` is in.
    pub fn group_of(&self, id: SessionId) -> Option<&Group> {
        let name = self.agents.get(&id)?.group.as_deref()?;
        self.groups.get(name)
    }

    /// The group named `name`.
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.get(name)
    }

    /// The group named `name`, or why there is none: an invalid name or
    /// [`AgentError::GroupNotFound`].
    pub fn find_group(&self, name: &str) -> Result<&Group, AgentError> {
        validate::group_name(name)?;
        self.groups
            .get(name)
            .ok_or_else(|| AgentError::GroupNotFound(name.to_owned()))
    }

    /// All groups, in name order.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = &Group> + '_ {
        self.groups.values()
    }

    /// All agents, in id order.
    pub fn agents(&self) -> impl ExactSizeIterator<Item = (SessionId, &Agent)> + '_ {
        self.agents.iter().map(|(&id, agent)| (id, agent))
    }

    /// How many sessions are agents.
    pub fn agent_count(&self) -> usize {
        self.agents.len()
    }

    /// Bytes of unread text over all inboxes.
    pub fn inbox_bytes(&self) -> usize {
        self.inbox_bytes
    }

    /// Removes agent `id` and forgets its inbox in the server-wide
    /// accounting.
    fn remove_agent(&mut self, id: SessionId) {
        if let Some(a) = self.agents.remove(&id) {
            for stamp in a.inbox.stamps() {
                self.by_age.remove(&stamp);
            }
            self.inbox_bytes -= a.inbox.bytes();
        }
        self.restart_stamps();
    }

    /// With no unread message anywhere, stamps start again from 0: they
    /// only order unread messages, so an empty registry is a new one.
    fn restart_stamps(&mut self) {
        if self.by_age.is_empty() {
            self.next_stamp = 0;
        }
    }

    /// The agents and groups that changed (or may have) since the last call,
    /// by any operation: what a copy kept elsewhere must look at again.
    pub fn take_changes(&mut self) -> Changes {
        Changes {
            agents: self.agents.take_touched(),
            groups: self.groups.take_touched(),
        }
    }

    /// How many groups exist.
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// The group of `id`, or why it has none.
    pub fn group_of_checked(&self, id: SessionId) -> Result<&Group, AgentError> {
        let name = group_name_in(&self.agents, id)?;
        self.groups.get(name).ok_or(AgentError::NotInGroup(id))
    }
}

#[cfg(test)]
impl Registry {
    /// The server-wide inbox accounting matches the inboxes: the byte total
    /// is their sum and the age index holds exactly their stamps.
    pub(crate) fn assert_inbox_accounting(&self) {
        let bytes: usize = self.agents.values().map(|a| a.inbox.bytes()).sum();
        assert_eq!(self.inbox_bytes, bytes, "server-wide inbox bytes");
        let mut stamps: Vec<(u64, SessionId)> = self
            .agents
            .iter()
            .flat_map(|(&id, a)| a.inbox.stamps().map(move |s| (s, id)))
            .collect();
        stamps.sort_unstable();
        let index: Vec<(u64, SessionId)> = self.by_age.iter().map(|(&s, &id)| (s, id)).collect();
        assert_eq!(index, stamps, "age index");
        assert!(stamps.last().is_none_or(|&(s, _)| s < self.next_stamp));
    }
}

/// The name of `id`'s group, or why it has none. A function of the agents
/// alone, so callers can borrow the groups mutably beside it.
fn group_name_in(agents: &BTreeMap<SessionId, Agent>, id: SessionId) -> Result<&str, AgentError> {
    agents
        .get(&id)
        .ok_or(AgentError::NoMetadataForGroup(id))?
        .group
        .as_deref()
        .ok_or(AgentError::NotInGroup(id))
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::agent::Invalid;

    #[test]
    fn lookups_of_unknown_sessions() {
        let r = with_group("g", &[SessionId(1)]);
        assert_eq!(r.agent(SessionId(2)), None);
        assert_eq!(r.role(SessionId(2)), None);
        assert_eq!(r.peer_count(SessionId(2)), 0);
        assert_eq!(r.peer_count(SessionId(1)), 0);
        assert!(r.group_of(SessionId(2)).is_none());
        assert_eq!(r.group_of(SessionId(1)).unwrap().name(), "g");
    }

    #[test]
    fn find_group() {
        let r = with_group("g", &[SessionId(1)]);
        assert_eq!(r.find_group("g").unwrap().name(), "g");
        assert_eq!(
            r.find_group("h").unwrap_err().to_string(),
            "can't find group: h"
        );
        assert!(matches!(
            r.find_group("a b"),
            Err(AgentError::Invalid(Invalid::Name { .. }))
        ));
    }

    #[test]
    fn listings_are_ordered() {
        let mut r = Registry::new();
        let _ = r.join(SessionId(9), "beta", T).unwrap();
        let _ = r.join(SessionId(3), "alpha", T).unwrap();
        r.set_agent(SessionId(5), None, None, T).unwrap();
        let names: Vec<&str> = r.groups().map(|g| g.name()).collect();
        assert_eq!(names, ["alpha", "beta"]);
        let ids: Vec<SessionId> = r.agents().map(|(id, _)| id).collect();
        assert_eq!(ids, [SessionId(3), SessionId(5), SessionId(9)]);
        assert_eq!((r.agent_count(), r.group_count()), (3, 2));
    }

    #[test]
    fn roles_display() {
        assert_eq!(Role::Coordinator.to_string(), "Coordinator");
        assert_eq!(Role::Member.to_string(), "Member");
    }
}
