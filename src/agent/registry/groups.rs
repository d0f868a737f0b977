//! Joining and leaving coordination groups: a group is made by its first
//! joiner and dissolved with its context when its last member leaves; the
//! coordinator's role is handed over in join order.

use crate::agent::error::AgentError;
use crate::agent::event::{Event, GroupEventKind};
use crate::agent::group::Group;
use crate::agent::validate;
use crate::agent::SessionId;

use super::{group_name_in, Agent, Registry, DEFAULT_AGENT_TYPE};

/// What [`Registry::join`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "its events must be delivered"]
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
#[must_use = "its events must be delivered"]
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

impl Registry {
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
            .get_or_insert_with(group.to_owned(), || Group::new(group, now));
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

    /// Takes `id` out of its group, dissolving the group if it is left
    /// empty; `None` if `id` is in no group. Never fails and never panics.
    pub(super) fn detach(&mut self, id: SessionId, now: i64) -> Option<LeaveOutcome> {
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

fn group_event(session: SessionId, group: &str, kind: GroupEventKind) -> Event {
    Event::GroupChanged {
        session,
        group: group.to_owned(),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::Role;
    use super::*;
    use crate::agent::validate::MAX_GROUP_MEMBERS;
    use crate::agent::{Field, Invalid, Limit};

    // join

    #[test]
    fn first_joiner_creates_the_group_and_coordinates() {
        let mut r = Registry::new();
        r.set_agent(SessionId(1), Some("claude"), None, T).unwrap();
        let out = r.join(SessionId(1), "team", T + 1).unwrap();
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
                    group_event(SessionId(1), "team", GroupEventKind::Joined),
                    group_event(SessionId(1), "team", GroupEventKind::Coordinator),
                ],
            }
        );
        let g = r.group("team").unwrap();
        assert_eq!(
            (g.name(), g.len(), g.coordinator()),
            ("team", 1, SessionId(1))
        );
        assert_eq!((g.created(), g.last_change()), (T + 1, T + 1));
        assert_eq!(
            r.agent(SessionId(1)).unwrap().group.as_deref(),
            Some("team")
        );
        assert_eq!(r.agent(SessionId(1)).unwrap().agent_type, "claude");
        assert_eq!(r.role(SessionId(1)), Some(Role::Coordinator));
    }

    #[test]
    fn later_joiners_are_members_and_see_peers_in_join_order() {
        let mut r = with_group("team", &[SessionId(7), SessionId(3)]);
        let out = r.join(SessionId(5), "team", T + 9).unwrap();
        assert!(!out.coordinator);
        assert_eq!(out.peers, [SessionId(7), SessionId(3)]);
        assert_eq!(
            out.events,
            [group_event(SessionId(5), "team", GroupEventKind::Joined)]
        );
        assert_eq!(
            members(&r, "team"),
            [SessionId(7), SessionId(3), SessionId(5)]
        );
        assert_eq!(r.group("team").unwrap().last_change(), T + 9);
        assert_eq!(r.role(SessionId(7)), Some(Role::Coordinator));
        assert_eq!(r.role(SessionId(5)), Some(Role::Member));
        assert_eq!(r.peer_count(SessionId(5)), 2);
        assert_eq!(
            r.peers(SessionId(3)).collect::<Vec<_>>(),
            [SessionId(7), SessionId(5)]
        );
    }

    #[test]
    fn joining_without_metadata_makes_an_agent() {
        let mut r = Registry::new();
        let out = r.join(SessionId(2), "g", T).unwrap();
        assert!(out.became_agent);
        let a = r.agent(SessionId(2)).unwrap();
        assert_eq!(
            (a.agent_type.as_str(), a.goal.as_str(), a.created),
            ("custom", "", T)
        );
    }

    #[test]
    fn joining_the_same_group_is_a_no_op() {
        let mut r = with_group("g", &[SessionId(1), SessionId(2), SessionId(3)]);
        let before = r.clone();
        let out = r.join(SessionId(2), "g", T + 100).unwrap();
        assert_eq!(
            out,
            JoinOutcome {
                group: "g".into(),
                coordinator: false,
                peers: vec![SessionId(1), SessionId(3)],
                already_member: true,
                became_agent: false,
                left: None,
                events: vec![],
            }
        );
        assert!(r.join(SessionId(1), "g", T + 100).unwrap().coordinator);
        assert_eq!(r, before);
    }

    #[test]
    fn joining_another_group_leaves_the_current_one() {
        let mut r = with_group("a", &[SessionId(1), SessionId(2)]);
        let _ = r.join(SessionId(3), "b", T).unwrap();
        let out = r.join(SessionId(1), "b", T + 50).unwrap();
        assert!(!out.coordinator);
        assert_eq!(out.peers, [SessionId(3)]);
        let left = out.left.unwrap();
        assert_eq!(left.group, "a");
        assert_eq!(left.removed_from, 1);
        assert_eq!(left.new_coordinator, Some(SessionId(2)));
        assert!(!left.dissolved);
        assert!(left.events.is_empty(), "moved to the join's events");
        assert_eq!(
            out.events,
            [
                group_event(SessionId(1), "a", GroupEventKind::Left),
                group_event(SessionId(2), "a", GroupEventKind::Coordinator),
                group_event(SessionId(1), "b", GroupEventKind::Joined),
            ]
        );
        assert_eq!(members(&r, "a"), [SessionId(2)]);
        assert_eq!(members(&r, "b"), [SessionId(3), SessionId(1)]);
        assert_eq!(r.agent(SessionId(1)).unwrap().group.as_deref(), Some("b"));
    }

    #[test]
    fn switching_out_of_a_lone_group_dissolves_it() {
        let mut r = with_group("a", &[SessionId(1)]);
        let _ = r.share(SessionId(1), "k", text("v"), T).unwrap();
        let out = r.join(SessionId(1), "b", T + 1).unwrap();
        assert!(out.left.unwrap().dissolved);
        assert!(out.coordinator);
        assert_eq!(
            out.events,
            [
                group_event(SessionId(1), "a", GroupEventKind::Left),
                group_event(SessionId(1), "b", GroupEventKind::Joined),
                group_event(SessionId(1), "b", GroupEventKind::Coordinator),
            ]
        );
        assert!(r.group("a").is_none());
        assert_eq!(r.group_count(), 1);
    }

    #[test]
    fn join_errors_change_nothing() {
        let r = with_group("a", &[SessionId(1)]);
        for bad in ["", "a b", &"g".repeat(65), "ünï"] {
            fails(
                &r,
                Invalid::Name {
                    field: Field::GroupName,
                    name: bad.to_owned(),
                }
                .into(),
                |r| r.join(SessionId(1), bad, T),
            );
            fails(
                &r,
                Invalid::Name {
                    field: Field::GroupName,
                    name: bad.to_owned(),
                }
                .into(),
                |r| r.join(SessionId(9), bad, T),
            );
        }
        let mut r = r;
        let _ = r.join(SessionId(2), &"g".repeat(64), T).unwrap();
    }

    #[test]
    fn group_member_limit() {
        let mut r = Registry::new();
        for id in (0..MAX_GROUP_MEMBERS as u32).map(SessionId) {
            let _ = r.join(id, "big", T).unwrap();
        }
        let _ = r.join(SessionId(20_000), "other", T).unwrap();
        let full = AgentError::Limit(Limit::GroupMembers {
            count: 10_000,
            max: 10_000,
        });
        assert_eq!(full.to_string(), "group full: 10000 members (limit 10000)");
        // Neither a new session nor one that would leave another group.
        fails(&r, full.clone(), |r| r.join(SessionId(30_000), "big", T));
        fails(&r, full, |r| r.join(SessionId(20_000), "big", T));
        // A member joining again is still a no-op.
        assert!(r.join(SessionId(5), "big", T).unwrap().already_member);
        let _ = r.leave(SessionId(0), T).unwrap();
        let _ = r.join(SessionId(20_000), "big", T).unwrap();
        assert_eq!(r.group("big").unwrap().coordinator(), SessionId(1));
    }

    // leave

    #[test]
    fn leave_as_member() {
        let mut r = with_group("g", &[SessionId(1), SessionId(2), SessionId(3)]);
        let out = r.leave(SessionId(2), T + 7).unwrap();
        assert_eq!(
            out,
            LeaveOutcome {
                group: "g".into(),
                removed_from: 2,
                new_coordinator: None,
                dissolved: false,
                events: vec![group_event(SessionId(2), "g", GroupEventKind::Left)],
            }
        );
        assert_eq!(members(&r, "g"), [SessionId(1), SessionId(3)]);
        assert_eq!(r.group("g").unwrap().last_change(), T + 7);
        assert_eq!(r.agent(SessionId(2)).unwrap().group, None);
        assert_eq!(r.role(SessionId(2)), None);
        assert_eq!(r.peer_count(SessionId(2)), 0);
        assert_eq!(r.peers(SessionId(2)).count(), 0);
    }

    #[test]
    fn coordinator_hand_over_goes_by_join_order() {
        // Ids out of join order, so id order can't pass for join order.
        let mut r = with_group(
            "g",
            &[SessionId(9), SessionId(4), SessionId(6), SessionId(1)],
        );
        let out = r.leave(SessionId(9), T).unwrap();
        assert_eq!(out.new_coordinator, Some(SessionId(4)));
        assert_eq!(
            out.events,
            [
                group_event(SessionId(9), "g", GroupEventKind::Left),
                group_event(SessionId(4), "g", GroupEventKind::Coordinator),
            ]
        );
        // 9 rejoins: it is now the newest, not the coordinator.
        assert!(!r.join(SessionId(9), "g", T).unwrap().coordinator);
        let _ = r.leave(SessionId(6), T).unwrap();
        assert_eq!(
            r.leave(SessionId(4), T).unwrap().new_coordinator,
            Some(SessionId(1))
        );
        assert_eq!(
            r.leave(SessionId(1), T).unwrap().new_coordinator,
            Some(SessionId(9))
        );
        assert_eq!(r.role(SessionId(9)), Some(Role::Coordinator));
    }

    #[test]
    fn last_leaver_dissolves_the_group_and_its_context() {
        let mut r = with_group("g", &[SessionId(1)]);
        let _ = r.share(SessionId(1), "k", text("v"), T).unwrap();
        let out = r.leave(SessionId(1), T).unwrap();
        assert!(out.dissolved);
        assert_eq!(out.removed_from, 0);
        assert_eq!(out.new_coordinator, None);
        assert!(r.group("g").is_none());
        assert_eq!(r.group_count(), 0);
        assert!(r.agent(SessionId(1)).is_some(), "still an agent");
        // A new group of the same name starts empty.
        let _ = r.join(SessionId(1), "g", T + 1).unwrap();
        let g = r.group("g").unwrap();
        assert_eq!((g.context_len(), g.version(), g.created()), (0, 0, T + 1));
        assert_eq!(
            r.get(SessionId(1), "k"),
            Err(AgentError::KeyNotFound("k".into()))
        );
    }

    #[test]
    fn leave_errors_change_nothing() {
        let mut r = with_group("g", &[SessionId(1)]);
        r.set_agent(SessionId(2), None, None, T).unwrap();
        fails(&r, AgentError::NoMetadataForGroup(SessionId(3)), |r| {
            r.leave(SessionId(3), T)
        });
        fails(&r, AgentError::NotInGroup(SessionId(2)), |r| {
            r.leave(SessionId(2), T)
        });
    }
}
