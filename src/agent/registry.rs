//! The registry: every agent session and every coordination group of one
//! server, and the operations on them.
//!
//! This is the one state object of the domain. Each operation checks all its
//! inputs and preconditions before it changes anything, so it either
//! succeeds completely, returning an outcome with the events it caused, or
//! returns an error and leaves the registry as it was. Lookups are by id or
//! by name in ordered maps: no operation scans all agents or all groups.

use std::collections::BTreeMap;
use std::fmt;

use super::context::{Entry, Value};
use super::error::AgentError;
use super::event::{Event, GroupEventKind};
use super::group::Group;
use super::inbox::{Inbox, Message};
use super::validate;
use super::SessionId;

/// The type a session gets when it becomes an agent without saying which.
pub const DEFAULT_AGENT_TYPE: &str = "custom";

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

/// What [`Registry::set_agent`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAgentOutcome {
    /// The session became an agent.
    Created,
    /// The session was an agent; the given fields were changed.
    Updated,
}

/// What [`Registry::join`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinOutcome {
    /// The group joined.
    pub group: String,
    /// Whether the session is the group's coordinator.
    pub coordinator: bool,
    /// The other members, in join order.
    pub peers: Vec<SessionId>,
    /// The session was already in this group; nothing changed.
    pub already_member: bool,
    /// The session had no agent metadata and became an agent of type
    /// [`DEFAULT_AGENT_TYPE`].
    pub became_agent: bool,
    /// The group the session left to join this one. Its events are moved to
    /// [`JoinOutcome::events`], so its own `events` is empty.
    pub left: Option<LeaveOutcome>,
    /// Every event of the join, in order: those of leaving the old group
    /// first, then `Joined` and, for a new group, `Coordinator`.
    pub events: Vec<Event>,
}

/// What leaving a group did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveOutcome {
    /// The group left.
    pub group: String,
    /// How many members remain in the group (the peers it was removed from).
    pub removed_from: usize,
    /// The member that became coordinator, when the coordinator left and
    /// someone remains: the longest-standing of those remaining.
    pub new_coordinator: Option<SessionId>,
    /// The group was left empty and ceased to exist, with its context.
    pub dissolved: bool,
    /// `Left`, then `Coordinator` for a new coordinator.
    pub events: Vec<Event>,
}

/// What [`Registry::share`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareOutcome {
    /// The group whose context was written.
    pub group: String,
    /// The key written.
    pub key: String,
    /// The context version the write made.
    pub version: u64,
    /// The key had a value, which was replaced.
    pub replaced: bool,
    /// One `ContextChanged`.
    pub events: Vec<Event>,
}

/// What [`Registry::unshare`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnshareOutcome {
    /// The group whose context lost the key.
    pub group: String,
    /// The key removed.
    pub key: String,
    /// The context version the removal made.
    pub version: u64,
    /// One `ContextChanged`.
    pub events: Vec<Event>,
}

/// Where [`Registry::send`] delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendTo<'a> {
    /// One agent session's inbox.
    Session(SessionId),
    /// Every member of the group but the sender.
    Group(&'a str),
}

/// One inbox a message went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The receiving session.
    pub to: SessionId,
    /// The message's number in that inbox.
    pub seq: u64,
    /// Numbers of the unread messages dropped to make room.
    pub dropped: Vec<u64>,
}

/// What [`Registry::send`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOutcome {
    /// Every inbox that received the message, in member order for a group.
    pub delivered: Vec<Delivery>,
    /// One `Message` per delivery.
    pub events: Vec<Event>,
}

/// All agents and groups of one server.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Registry {
    agents: BTreeMap<SessionId, Agent>,
    groups: BTreeMap<String, Group>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Makes `id` an agent, or changes its type or goal if it is one. A new
    /// agent's type defaults to [`DEFAULT_AGENT_TYPE`] and its goal to empty;
    /// for an existing agent, `None` leaves a field as it is.
    pub fn set_agent(
        &mut self,
        id: SessionId,
        agent_type: Option<&str>,
        goal: Option<&str>,
        now: i64,
    ) -> Result<SetAgentOutcome, AgentError> {
        if let Some(agent_type) = agent_type {
            validate::agent_type(agent_type)?;
        }
        if let Some(goal) = goal {
            validate::goal(goal)?;
        }
        match self.agents.get_mut(&id) {
            Some(agent) => {
                if let Some(agent_type) = agent_type {
                    agent.agent_type = agent_type.to_owned();
                }
                if let Some(goal) = goal {
                    agent.goal = goal.to_owned();
                }
                Ok(SetAgentOutcome::Updated)
            }
            None => {
                let agent = Agent::new(
                    agent_type.unwrap_or(DEFAULT_AGENT_TYPE),
                    goal.unwrap_or(""),
                    now,
                );
                self.agents.insert(id, agent);
                Ok(SetAgentOutcome::Created)
            }
        }
    }

    /// Removes `id`'s agent metadata, leaving its group first; returns what
    /// leaving did if it was in a group.
    pub fn unset_agent(
        &mut self,
        id: SessionId,
        now: i64,
    ) -> Result<Option<LeaveOutcome>, AgentError> {
        if !self.agents.contains_key(&id) {
            return Err(AgentError::NoMetadata(id));
        }
        let left = self.detach(id, now);
        self.agents.remove(&id);
        Ok(left)
    }

    /// Puts `id` in `group`, creating the group if it does not exist. A
    /// session is in at most one group: it leaves the one it is in first. A
    /// session without metadata becomes an agent of type
    /// [`DEFAULT_AGENT_TYPE`]. Joining the group it is in changes nothing.
    pub fn join(
        &mut self,
        id: SessionId,
        group: &str,
        now: i64,
    ) -> Result<JoinOutcome, AgentError> {
        validate::group_name(group)?;
        let current = self.agents.get(&id).and_then(|a| a.group.as_deref());
        if current == Some(group) {
            if let Some(g) = self.groups.get(group) {
                return Ok(JoinOutcome {
                    group: group.to_owned(),
                    coordinator: g.is_coordinator(id),
                    peers: g.members().filter(|&m| m != id).collect(),
                    already_member: true,
                    became_agent: false,
                    left: None,
                    events: Vec::new(),
                });
            }
        }
        if let Some(g) = self.groups.get(group) {
            g.check_room()?;
        }

        let became_agent = !self.agents.contains_key(&id);
        if became_agent {
            self.agents
                .insert(id, Agent::new(DEFAULT_AGENT_TYPE, "", now));
        }
        let mut events = Vec::new();
        let left = self.detach(id, now).map(|mut left| {
            events.append(&mut left.events);
            left
        });

        let g = self
            .groups
            .entry(group.to_owned())
            .or_insert_with(|| Group::new(group, now));
        let coordinator = g.add(id, now);
        let peers = g.members().filter(|&m| m != id).collect();
        if let Some(agent) = self.agents.get_mut(&id) {
            agent.group = Some(group.to_owned());
        }
        events.push(group_event(id, group, GroupEventKind::Joined));
        if coordinator {
            events.push(group_event(id, group, GroupEventKind::Coordinator));
        }
        Ok(JoinOutcome {
            group: group.to_owned(),
            coordinator,
            peers,
            already_member: false,
            became_agent,
            left,
            events,
        })
    }

    /// Takes `id` out of its group. The session stays an agent.
    pub fn leave(&mut self, id: SessionId, now: i64) -> Result<LeaveOutcome, AgentError> {
        group_name_in(&self.agents, id)?;
        self.detach(id, now).ok_or(AgentError::NotInGroup(id))
    }

    /// The session is gone, by whatever path: it leaves its group as with
    /// [`Registry::leave`] and its metadata is removed. Returns what leaving
    /// did, if it was in a group; does nothing for a session that is not an
    /// agent.
    pub fn session_destroyed(&mut self, id: SessionId, now: i64) -> Option<LeaveOutcome> {
        let left = self.detach(id, now);
        self.agents.remove(&id);
        left
    }

    /// Writes `key` in the context of `id`'s group, replacing any value it
    /// had. Each write makes the group's next context version.
    pub fn share(
        &mut self,
        id: SessionId,
        key: &str,
        value: Value,
        now: i64,
    ) -> Result<ShareOutcome, AgentError> {
        validate::key(key)?;
        let size = value.check()?;
        let name = group_name_in(&self.agents, id)?;
        let group = self
            .groups
            .get_mut(name)
            .ok_or(AgentError::NotInGroup(id))?;
        group.check_fit(key, size)?;
        let (version, replaced) = group.write(key, value, size, id, now);
        Ok(ShareOutcome {
            group: name.to_owned(),
            key: key.to_owned(),
            version,
            replaced,
            events: vec![context_event(name, key, version, id)],
        })
    }

    /// Removes `key` from the context of `id`'s group. The removal makes the
    /// group's next context version.
    pub fn unshare(
        &mut self,
        id: SessionId,
        key: &str,
        now: i64,
    ) -> Result<UnshareOutcome, AgentError> {
        validate::key(key)?;
        let name = group_name_in(&self.agents, id)?;
        let group = self
            .groups
            .get_mut(name)
            .ok_or(AgentError::NotInGroup(id))?;
        let version = group
            .erase(key, now)
            .ok_or_else(|| AgentError::KeyNotFound(key.to_owned()))?;
        Ok(UnshareOutcome {
            group: name.to_owned(),
            key: key.to_owned(),
            version,
            events: vec![context_event(name, key, version, id)],
        })
    }

    /// Delivers a message from `from` (named `from_name` at the time) to one
    /// agent session or to every other member of a group. `limit(id)` is the
    /// inbox limit of session `id`. Checks everything first: an invalid text,
    /// a receiver without agent metadata, an unknown group or a group with no
    /// one else in it delivers nothing.
    pub fn send(
        &mut self,
        from: Option<SessionId>,
        from_name: &str,
        to: SendTo<'_>,
        text: &str,
        now: i64,
        limit: impl Fn(SessionId) -> usize,
    ) -> Result<SendOutcome, AgentError> {
        validate::message(text)?;
        let receivers: Vec<SessionId> = match to {
            SendTo::Session(id) => {
                if !self.agents.contains_key(&id) {
                    return Err(AgentError::NoMetadata(id));
                }
                vec![id]
            }
            SendTo::Group(name) => {
                let g = self.find_group(name)?;
                let r: Vec<SessionId> = g.members().filter(|&m| Some(m) != from).collect();
                if r.is_empty() {
                    return Err(AgentError::NoRecipients(name.to_owned()));
                }
                r
            }
        };
        let mut delivered = Vec::with_capacity(receivers.len());
        let mut events = Vec::with_capacity(receivers.len());
        for to in receivers {
            let Some(agent) = self.agents.get_mut(&to) else {
                continue;
            };
            let (seq, dropped) = agent.inbox.push(from, from_name, text, now, limit(to));
            delivered.push(Delivery { to, seq, dropped });
            events.push(Event::Message { to, from, seq });
        }
        Ok(SendOutcome { delivered, events })
    }

    /// The inbox of agent session `id`.
    pub fn inbox(&self, id: SessionId) -> Result<&Inbox, AgentError> {
        self.agents
            .get(&id)
            .map(|a| &a.inbox)
            .ok_or(AgentError::NoMetadata(id))
    }

    /// Marks the `count` oldest unread messages of `id` (all with `None`)
    /// read and returns them. Each message is returned by one call only.
    pub fn consume(
        &mut self,
        id: SessionId,
        count: Option<usize>,
    ) -> Result<Vec<Message>, AgentError> {
        self.agents
            .get_mut(&id)
            .map(|a| a.inbox.consume(count))
            .ok_or(AgentError::NoMetadata(id))
    }

    /// The entry of `key` in the context of `id`'s group.
    pub fn get(&self, id: SessionId, key: &str) -> Result<&Entry, AgentError> {
        validate::key(key)?;
        self.group_of_checked(id)?
            .entry(key)
            .ok_or_else(|| AgentError::KeyNotFound(key.to_owned()))
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

    /// How many groups exist.
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// The group of `id`, or why it has none.
    fn group_of_checked(&self, id: SessionId) -> Result<&Group, AgentError> {
        let name = group_name_in(&self.agents, id)?;
        self.groups.get(name).ok_or(AgentError::NotInGroup(id))
    }

    /// Takes `id` out of its group, dissolving the group if it is left
    /// empty; `None` if `id` is in no group. Never fails and never panics.
    fn detach(&mut self, id: SessionId, now: i64) -> Option<LeaveOutcome> {
        let name = self.agents.get_mut(&id)?.group.take()?;
        let (remaining, new_coordinator) = match self.groups.get_mut(&name) {
            Some(group) => {
                let handed = group.remove(id, now);
                (group.len(), handed)
            }
            None => (0, None),
        };
        let dissolved = remaining == 0;
        if dissolved {
            self.groups.remove(&name);
        }
        let mut events = vec![group_event(id, &name, GroupEventKind::Left)];
        if let Some(c) = new_coordinator {
            events.push(group_event(c, &name, GroupEventKind::Coordinator));
        }
        Some(LeaveOutcome {
            group: name,
            removed_from: remaining,
            new_coordinator,
            dissolved,
            events,
        })
    }
}

/// The name of `id`'s group, or why it has none. A function of the agents
/// alone, so callers can borrow the groups mutably beside it.
fn group_name_in(agents: &BTreeMap<SessionId, Agent>, id: SessionId) -> Result<&str, AgentError> {
    agents
        .get(&id)
        .ok_or(AgentError::NoMetadata(id))?
        .group
        .as_deref()
        .ok_or(AgentError::NotInGroup(id))
}

fn group_event(session: SessionId, group: &str, kind: GroupEventKind) -> Event {
    Event::GroupChanged {
        session,
        group: group.to_owned(),
        kind,
    }
}

fn context_event(group: &str, key: &str, version: u64, author: SessionId) -> Event {
    Event::ContextChanged {
        group: group.to_owned(),
        key: key.to_owned(),
        version,
        author,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::validate::{MAX_CONTEXT_BYTES, MAX_CONTEXT_KEYS, MAX_GROUP_MEMBERS};
    use crate::agent::{Field, Invalid, Limit};
    use serde_json::json;

    const T: i64 = 1_700_000_000;

    fn text(s: &str) -> Value {
        Value::Text(s.to_owned())
    }

    /// A registry with `ids` joined to `group` in that order.
    fn with_group(group: &str, ids: &[SessionId]) -> Registry {
        let mut r = Registry::new();
        for (i, &id) in ids.iter().enumerate() {
            r.join(id, group, T + i as i64).unwrap();
        }
        r
    }

    fn members(r: &Registry, group: &str) -> Vec<SessionId> {
        r.group(group).unwrap().members().collect()
    }

    /// Runs `op` on a copy of `r`, checks it fails with `want` and that the
    /// copy is unchanged.
    fn fails<T: fmt::Debug>(
        r: &Registry,
        want: AgentError,
        op: impl FnOnce(&mut Registry) -> Result<T, AgentError>,
    ) {
        let mut copy = r.clone();
        assert_eq!(op(&mut copy).unwrap_err(), want);
        assert_eq!(&copy, r, "a failed operation changed the registry");
    }

    // set_agent / unset_agent

    #[test]
    fn set_agent_creates_with_defaults() {
        let mut r = Registry::new();
        assert_eq!(r.set_agent(1, None, None, T), Ok(SetAgentOutcome::Created));
        let a = r.agent(1).unwrap();
        assert_eq!(a.agent_type, "custom");
        assert_eq!(a.goal, "");
        assert_eq!(a.created, T);
        assert_eq!(a.group, None);
        assert_eq!(r.agent_count(), 1);
    }

    #[test]
    fn set_agent_creates_with_given_fields() {
        let mut r = Registry::new();
        r.set_agent(4, Some("claude"), Some("fix\tthe\nbuild"), T)
            .unwrap();
        let a = r.agent(4).unwrap();
        assert_eq!(
            (a.agent_type.as_str(), a.goal.as_str()),
            ("claude", "fix\tthe\nbuild")
        );
    }

    #[test]
    fn set_agent_updates_only_given_fields() {
        let mut r = Registry::new();
        r.set_agent(1, Some("codex"), Some("one"), T).unwrap();
        assert_eq!(
            r.set_agent(1, None, Some("two"), T + 5),
            Ok(SetAgentOutcome::Updated)
        );
        let a = r.agent(1).unwrap();
        assert_eq!((a.agent_type.as_str(), a.goal.as_str()), ("codex", "two"));
        assert_eq!(a.created, T);
        r.set_agent(1, Some("aider"), None, T + 6).unwrap();
        let a = r.agent(1).unwrap();
        assert_eq!((a.agent_type.as_str(), a.goal.as_str()), ("aider", "two"));
        r.set_agent(1, None, Some(""), T + 6).unwrap();
        assert_eq!(r.agent(1).unwrap().goal, "");
    }

    #[test]
    fn set_agent_keeps_the_group() {
        let mut r = with_group("g", &[1]);
        r.set_agent(1, Some("x"), Some("y"), T).unwrap();
        assert_eq!(r.agent(1).unwrap().group.as_deref(), Some("g"));
    }

    #[test]
    fn set_agent_errors_change_nothing() {
        let mut r = Registry::new();
        r.set_agent(1, Some("codex"), Some("old"), T).unwrap();
        let bad_type = Invalid::Name {
            field: Field::AgentType,
            name: "a b".into(),
        };
        fails(&r, bad_type.clone().into(), |r| {
            r.set_agent(1, Some("a b"), Some("new"), T)
        });
        fails(&r, bad_type.into(), |r| {
            r.set_agent(2, Some("a b"), None, T)
        });
        fails(&r, Invalid::Control { field: Field::Goal }.into(), |r| {
            r.set_agent(1, Some("ok"), Some("bell\u{7}"), T)
        });
        fails(
            &r,
            Limit::TooLong {
                field: Field::Goal,
                len: 1025,
                max: 1024,
            }
            .into(),
            |r| r.set_agent(1, None, Some(&"g".repeat(1025)), T),
        );
        r.set_agent(1, Some(&"t".repeat(32)), Some(&"g".repeat(1024)), T)
            .unwrap();
    }

    #[test]
    fn unset_agent_removes_metadata() {
        let mut r = Registry::new();
        r.set_agent(1, None, None, T).unwrap();
        assert_eq!(r.unset_agent(1, T), Ok(None));
        assert_eq!(r.agent(1), None);
        assert_eq!(r.agent_count(), 0);
        fails(&r, AgentError::NoMetadata(1), |r| r.unset_agent(1, T));
    }

    #[test]
    fn unset_agent_leaves_its_group_first() {
        let mut r = with_group("g", &[1, 2]);
        let left = r.unset_agent(1, T + 10).unwrap().unwrap();
        assert_eq!(left.group, "g");
        assert_eq!(left.removed_from, 1);
        assert_eq!(left.new_coordinator, Some(2));
        assert!(!left.dissolved);
        assert_eq!(members(&r, "g"), [2]);
        assert_eq!(r.agent(1), None);
    }

    // join

    #[test]
    fn first_joiner_creates_the_group_and_coordinates() {
        let mut r = Registry::new();
        r.set_agent(1, Some("claude"), None, T).unwrap();
        let out = r.join(1, "team", T + 1).unwrap();
        assert_eq!(
            out,
            JoinOutcome {
                group: "team".into(),
                coordinator: true,
                peers: vec![],
                already_member: false,
                became_agent: false,
                left: None,
                events: vec![
                    group_event(1, "team", GroupEventKind::Joined),
                    group_event(1, "team", GroupEventKind::Coordinator),
                ],
            }
        );
        let g = r.group("team").unwrap();
        assert_eq!((g.name(), g.len(), g.coordinator()), ("team", 1, 1));
        assert_eq!((g.created(), g.last_change()), (T + 1, T + 1));
        assert_eq!(r.agent(1).unwrap().group.as_deref(), Some("team"));
        assert_eq!(r.agent(1).unwrap().agent_type, "claude");
        assert_eq!(r.role(1), Some(Role::Coordinator));
    }

    #[test]
    fn later_joiners_are_members_and_see_peers_in_join_order() {
        let mut r = with_group("team", &[7, 3]);
        let out = r.join(5, "team", T + 9).unwrap();
        assert!(!out.coordinator);
        assert_eq!(out.peers, [7, 3]);
        assert_eq!(out.events, [group_event(5, "team", GroupEventKind::Joined)]);
        assert_eq!(members(&r, "team"), [7, 3, 5]);
        assert_eq!(r.group("team").unwrap().last_change(), T + 9);
        assert_eq!(r.role(7), Some(Role::Coordinator));
        assert_eq!(r.role(5), Some(Role::Member));
        assert_eq!(r.peer_count(5), 2);
        assert_eq!(r.peers(3).collect::<Vec<_>>(), [7, 5]);
    }

    #[test]
    fn joining_without_metadata_makes_an_agent() {
        let mut r = Registry::new();
        let out = r.join(2, "g", T).unwrap();
        assert!(out.became_agent);
        let a = r.agent(2).unwrap();
        assert_eq!(
            (a.agent_type.as_str(), a.goal.as_str(), a.created),
            ("custom", "", T)
        );
    }

    #[test]
    fn joining_the_same_group_is_a_no_op() {
        let mut r = with_group("g", &[1, 2, 3]);
        let before = r.clone();
        let out = r.join(2, "g", T + 100).unwrap();
        assert_eq!(
            out,
            JoinOutcome {
                group: "g".into(),
                coordinator: false,
                peers: vec![1, 3],
                already_member: true,
                became_agent: false,
                left: None,
                events: vec![],
            }
        );
        assert!(r.join(1, "g", T + 100).unwrap().coordinator);
        assert_eq!(r, before);
    }

    #[test]
    fn joining_another_group_leaves_the_current_one() {
        let mut r = with_group("a", &[1, 2]);
        r.join(3, "b", T).unwrap();
        let out = r.join(1, "b", T + 50).unwrap();
        assert!(!out.coordinator);
        assert_eq!(out.peers, [3]);
        let left = out.left.unwrap();
        assert_eq!(left.group, "a");
        assert_eq!(left.removed_from, 1);
        assert_eq!(left.new_coordinator, Some(2));
        assert!(!left.dissolved);
        assert!(left.events.is_empty(), "moved to the join's events");
        assert_eq!(
            out.events,
            [
                group_event(1, "a", GroupEventKind::Left),
                group_event(2, "a", GroupEventKind::Coordinator),
                group_event(1, "b", GroupEventKind::Joined),
            ]
        );
        assert_eq!(members(&r, "a"), [2]);
        assert_eq!(members(&r, "b"), [3, 1]);
        assert_eq!(r.agent(1).unwrap().group.as_deref(), Some("b"));
    }

    #[test]
    fn switching_out_of_a_lone_group_dissolves_it() {
        let mut r = with_group("a", &[1]);
        r.share(1, "k", text("v"), T).unwrap();
        let out = r.join(1, "b", T + 1).unwrap();
        assert!(out.left.unwrap().dissolved);
        assert!(out.coordinator);
        assert_eq!(
            out.events,
            [
                group_event(1, "a", GroupEventKind::Left),
                group_event(1, "b", GroupEventKind::Joined),
                group_event(1, "b", GroupEventKind::Coordinator),
            ]
        );
        assert!(r.group("a").is_none());
        assert_eq!(r.group_count(), 1);
    }

    #[test]
    fn join_errors_change_nothing() {
        let r = with_group("a", &[1]);
        for bad in ["", "a b", &"g".repeat(65), "ünï"] {
            fails(
                &r,
                Invalid::Name {
                    field: Field::GroupName,
                    name: bad.to_owned(),
                }
                .into(),
                |r| r.join(1, bad, T),
            );
            fails(
                &r,
                Invalid::Name {
                    field: Field::GroupName,
                    name: bad.to_owned(),
                }
                .into(),
                |r| r.join(9, bad, T),
            );
        }
        let mut r = r;
        r.join(2, &"g".repeat(64), T).unwrap();
    }

    #[test]
    fn group_member_limit() {
        let mut r = Registry::new();
        for id in 0..MAX_GROUP_MEMBERS as SessionId {
            r.join(id, "big", T).unwrap();
        }
        r.join(20_000, "other", T).unwrap();
        let full = AgentError::Limit(Limit::GroupMembers {
            count: 10_000,
            max: 10_000,
        });
        assert_eq!(full.to_string(), "group full: 10000 members (limit 10000)");
        // Neither a new session nor one that would leave another group.
        fails(&r, full.clone(), |r| r.join(30_000, "big", T));
        fails(&r, full, |r| r.join(20_000, "big", T));
        // A member joining again is still a no-op.
        assert!(r.join(5, "big", T).unwrap().already_member);
        r.leave(0, T).unwrap();
        r.join(20_000, "big", T).unwrap();
        assert_eq!(r.group("big").unwrap().coordinator(), 1);
    }

    // leave

    #[test]
    fn leave_as_member() {
        let mut r = with_group("g", &[1, 2, 3]);
        let out = r.leave(2, T + 7).unwrap();
        assert_eq!(
            out,
            LeaveOutcome {
                group: "g".into(),
                removed_from: 2,
                new_coordinator: None,
                dissolved: false,
                events: vec![group_event(2, "g", GroupEventKind::Left)],
            }
        );
        assert_eq!(members(&r, "g"), [1, 3]);
        assert_eq!(r.group("g").unwrap().last_change(), T + 7);
        assert_eq!(r.agent(2).unwrap().group, None);
        assert_eq!(r.role(2), None);
        assert_eq!(r.peer_count(2), 0);
        assert_eq!(r.peers(2).count(), 0);
    }

    #[test]
    fn coordinator_hand_over_goes_by_join_order() {
        // Ids out of join order, so id order can't pass for join order.
        let mut r = with_group("g", &[9, 4, 6, 1]);
        let out = r.leave(9, T).unwrap();
        assert_eq!(out.new_coordinator, Some(4));
        assert_eq!(
            out.events,
            [
                group_event(9, "g", GroupEventKind::Left),
                group_event(4, "g", GroupEventKind::Coordinator),
            ]
        );
        // 9 rejoins: it is now the newest, not the coordinator.
        assert!(!r.join(9, "g", T).unwrap().coordinator);
        r.leave(6, T).unwrap();
        assert_eq!(r.leave(4, T).unwrap().new_coordinator, Some(1));
        assert_eq!(r.leave(1, T).unwrap().new_coordinator, Some(9));
        assert_eq!(r.role(9), Some(Role::Coordinator));
    }

    #[test]
    fn last_leaver_dissolves_the_group_and_its_context() {
        let mut r = with_group("g", &[1]);
        r.share(1, "k", text("v"), T).unwrap();
        let out = r.leave(1, T).unwrap();
        assert!(out.dissolved);
        assert_eq!(out.removed_from, 0);
        assert_eq!(out.new_coordinator, None);
        assert!(r.group("g").is_none());
        assert_eq!(r.group_count(), 0);
        assert!(r.agent(1).is_some(), "still an agent");
        // A new group of the same name starts empty.
        r.join(1, "g", T + 1).unwrap();
        let g = r.group("g").unwrap();
        assert_eq!((g.context_len(), g.version(), g.created()), (0, 0, T + 1));
        assert_eq!(r.get(1, "k"), Err(AgentError::KeyNotFound("k".into())));
    }

    #[test]
    fn leave_errors_change_nothing() {
        let mut r = with_group("g", &[1]);
        r.set_agent(2, None, None, T).unwrap();
        fails(&r, AgentError::NoMetadata(3), |r| r.leave(3, T));
        fails(&r, AgentError::NotInGroup(2), |r| r.leave(2, T));
    }

    // session_destroyed

    #[test]
    fn destroyed_session_is_the_same_as_leave_then_unset() {
        for (ids, gone) in [(&[1, 2, 3][..], 1), (&[1, 2, 3][..], 2), (&[5][..], 5)] {
            let mut r = with_group("g", ids);
            r.share(gone, "k", text("v"), T).unwrap();
            let mut by_leave = r.clone();
            let left = by_leave.leave(gone, T + 3).unwrap();
            by_leave.agents.remove(&gone);

            let out = r.session_destroyed(gone, T + 3);
            assert_eq!(out, Some(left));
            assert_eq!(r, by_leave);
            assert_eq!(r.agent(gone), None);
        }
    }

    #[test]
    fn destroyed_agent_without_group_loses_metadata() {
        let mut r = Registry::new();
        r.set_agent(1, None, None, T).unwrap();
        assert_eq!(r.session_destroyed(1, T), None);
        assert_eq!(r.agent_count(), 0);
    }

    #[test]
    fn destroying_unknown_sessions_does_nothing() {
        let mut r = with_group("g", &[1]);
        let before = r.clone();
        for id in [0, 2, SessionId::MAX] {
            assert_eq!(r.session_destroyed(id, T), None);
        }
        assert_eq!(r, before);
    }

    // share / unshare / get

    #[test]
    fn share_writes_the_groups_context() {
        let mut r = with_group("g", &[1, 2]);
        let out = r.share(2, "plan", text("step 1"), T + 4).unwrap();
        assert_eq!(
            out,
            ShareOutcome {
                group: "g".into(),
                key: "plan".into(),
                version: 1,
                replaced: false,
                events: vec![context_event("g", "plan", 1, 2)],
            }
        );
        // Every member reads the same context.
        for id in [1, 2] {
            let e = r.get(id, "plan").unwrap();
            assert_eq!((e.author, e.time, e.version), (2, T + 4, 1));
            assert_eq!(e.value.as_display(), "step 1");
        }
        let g = r.group("g").unwrap();
        assert_eq!((g.version(), g.last_change()), (1, T + 4));
        assert_eq!(g.context_bytes(), "plan".len() + "step 1".len());
    }

    #[test]
    fn share_replaces_a_key_instead_of_duplicating() {
        let mut r = with_group("g", &[1, 2]);
        r.share(1, "k", text("first value"), T).unwrap();
        let out = r
            .share(2, "k", Value::parse_json("[1, 2]").unwrap(), T + 1)
            .unwrap();
        assert!(out.replaced);
        assert_eq!(out.version, 2);
        let g = r.group("g").unwrap();
        assert_eq!(g.context_len(), 1);
        assert_eq!(g.context_bytes(), 1 + "[1,2]".len());
        let e = r.get(1, "k").unwrap();
        assert_eq!((e.author, e.version), (2, 2));
        assert!(e.value.is_json());
        assert_eq!(e.value.as_display(), "[1,2]");
    }

    #[test]
    fn versions_increase_by_one_on_every_write_and_removal() {
        let mut r = with_group("g", &[1]);
        r.join(2, "other", T).unwrap();
        let versions = [
            r.share(1, "a", text("1"), T).unwrap().version,
            r.share(1, "b", text("2"), T).unwrap().version,
            r.share(1, "a", text("3"), T).unwrap().version,
            r.unshare(1, "b", T).unwrap().version,
            r.share(1, "b", text("4"), T).unwrap().version,
        ];
        assert_eq!(versions, [1, 2, 3, 4, 5]);
        // Versions are per group.
        assert_eq!(r.share(2, "a", text("x"), T).unwrap().version, 1);
        assert_eq!(r.group("g").unwrap().version(), 5);
    }

    #[test]
    fn context_lists_in_key_order() {
        let mut r = with_group("g", &[1]);
        for key in ["zeta", "alpha", "mid"] {
            r.share(1, key, text(key), T).unwrap();
        }
        let keys: Vec<&str> = r.group("g").unwrap().context().map(|(k, _)| k).collect();
        assert_eq!(keys, ["alpha", "mid", "zeta"]);
    }

    #[test]
    fn unshare_removes_a_key() {
        let mut r = with_group("g", &[1, 2]);
        r.share(1, "k", text("v"), T).unwrap();
        let out = r.unshare(2, "k", T + 2).unwrap();
        assert_eq!(
            out,
            UnshareOutcome {
                group: "g".into(),
                key: "k".into(),
                version: 2,
                events: vec![context_event("g", "k", 2, 2)],
            }
        );
        let g = r.group("g").unwrap();
        assert_eq!(
            (g.context_len(), g.context_bytes(), g.last_change()),
            (0, 0, T + 2)
        );
        fails(&r, AgentError::KeyNotFound("k".into()), |r| {
            r.unshare(1, "k", T)
        });
    }

    #[test]
    fn share_unshare_get_errors_change_nothing() {
        let mut r = with_group("g", &[1]);
        r.set_agent(2, None, None, T).unwrap();
        r.share(1, "k", text("v"), T).unwrap();

        fails(&r, AgentError::NoMetadata(3), |r| {
            r.share(3, "k", text("v"), T)
        });
        fails(&r, AgentError::NotInGroup(2), |r| {
            r.share(2, "k", text("v"), T)
        });
        fails(&r, AgentError::NoMetadata(3), |r| r.unshare(3, "k", T));
        fails(&r, AgentError::NotInGroup(2), |r| r.unshare(2, "k", T));
        assert_eq!(r.get(3, "k"), Err(AgentError::NoMetadata(3)));
        assert_eq!(r.get(2, "k"), Err(AgentError::NotInGroup(2)));
        assert_eq!(
            r.get(1, "nope"),
            Err(AgentError::KeyNotFound("nope".into()))
        );

        let bad_key = |k: &str| -> AgentError {
            Invalid::Name {
                field: Field::Key,
                name: k.to_owned(),
            }
            .into()
        };
        let long = "k".repeat(65);
        for k in ["", "a b", "a=b", long.as_str()] {
            fails(&r, bad_key(k), |r| r.share(1, k, text("v"), T));
            fails(&r, bad_key(k), |r| r.unshare(1, k, T));
            assert_eq!(r.get(1, k), Err(bad_key(k)));
        }
        fails(
            &r,
            Invalid::Control {
                field: Field::Value,
            }
            .into(),
            |r| r.share(1, "k", text("\u{1b}[31m"), T),
        );
        fails(
            &r,
            Invalid::Control {
                field: Field::Value,
            }
            .into(),
            |r| r.share(1, "k", text("c1\u{85}"), T),
        );
        r.share(1, &"k".repeat(64), text("v"), T).unwrap();
    }

    #[test]
    fn value_size_boundary() {
        let mut r = with_group("g", &[1]);
        r.share(1, "k", text(&"v".repeat(65536)), T).unwrap();
        fails(
            &r,
            Limit::TooLong {
                field: Field::Value,
                len: 65537,
                max: 65536,
            }
            .into(),
            |r| r.share(1, "k", text(&"v".repeat(65537)), T),
        );
        let json_long = Value::Json(json!("j".repeat(65535)));
        fails(
            &r,
            Limit::TooLong {
                field: Field::Value,
                len: 65537,
                max: 65536,
            }
            .into(),
            |r| r.share(1, "j", json_long, T),
        );
        r.share(1, "j", Value::Json(json!("j".repeat(65534))), T)
            .unwrap();
    }

    #[test]
    fn context_key_count_boundary() {
        let mut r = with_group("g", &[1]);
        for i in 0..MAX_CONTEXT_KEYS {
            r.share(1, &format!("k{i}"), text(""), T).unwrap();
        }
        assert_eq!(r.group("g").unwrap().context_len(), 1024);
        let full = Limit::ContextKeys {
            count: 1024,
            max: 1024,
        };
        assert_eq!(
            AgentError::from(full.clone()).to_string(),
            "group context full: 1024 keys (limit 1024)"
        );
        fails(&r, full.into(), |r| r.share(1, "k1024", text(""), T));
        // Replacing a key is allowed, and after a removal a new key fits.
        assert!(r.share(1, "k0", text("again"), T).unwrap().replaced);
        r.unshare(1, "k1", T).unwrap();
        r.share(1, "k1024", text(""), T).unwrap();
    }

    #[test]
    fn context_byte_boundary() {
        let mut r = with_group("g", &[1]);
        // 16 entries of a 2-byte key and a 65534-byte value: exactly 1 MiB.
        for i in 0..16 {
            r.share(1, &format!("{i:02}"), text(&"v".repeat(65534)), T)
                .unwrap();
        }
        assert_eq!(r.group("g").unwrap().context_bytes(), MAX_CONTEXT_BYTES);
        let over = Limit::ContextBytes {
            size: MAX_CONTEXT_BYTES + 1,
            max: MAX_CONTEXT_BYTES,
        };
        assert_eq!(
            AgentError::from(over.clone()).to_string(),
            "group context too large: 1048577 bytes (limit 1048576 bytes)"
        );
        fails(&r, over.into(), |r| r.share(1, "x", text(""), T));
        // Replacing counts the old size out first.
        r.share(1, "00", text(&"w".repeat(65534)), T).unwrap();
        r.share(1, "01", text("small"), T).unwrap();
        r.share(1, "x", text(&"x".repeat(65529 - 1)), T).unwrap();
        assert_eq!(r.group("g").unwrap().context_bytes(), MAX_CONTEXT_BYTES);
    }

    // lookups

    #[test]
    fn lookups_of_unknown_sessions() {
        let r = with_group("g", &[1]);
        assert_eq!(r.agent(2), None);
        assert_eq!(r.role(2), None);
        assert_eq!(r.peer_count(2), 0);
        assert_eq!(r.peer_count(1), 0);
        assert!(r.group_of(2).is_none());
        assert_eq!(r.group_of(1).unwrap().name(), "g");
    }

    #[test]
    fn find_group() {
        let r = with_group("g", &[1]);
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
        r.join(9, "beta", T).unwrap();
        r.join(3, "alpha", T).unwrap();
        r.set_agent(5, None, None, T).unwrap();
        let names: Vec<&str> = r.groups().map(|g| g.name()).collect();
        assert_eq!(names, ["alpha", "beta"]);
        let ids: Vec<SessionId> = r.agents().map(|(id, _)| id).collect();
        assert_eq!(ids, [3, 5, 9]);
        assert_eq!((r.agent_count(), r.group_count()), (3, 2));
    }

    #[test]
    fn roles_display() {
        assert_eq!(Role::Coordinator.to_string(), "Coordinator");
        assert_eq!(Role::Member.to_string(), "Member");
    }
}
